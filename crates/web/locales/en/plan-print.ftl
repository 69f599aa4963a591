# The due date as a sentence of its own on the printable plan ("... Your worker. By 2025-03-21.");
# plan-print-by is the same word inside a sentence.
plan-print-by-sentence = By
