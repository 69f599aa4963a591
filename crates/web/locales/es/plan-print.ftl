# La fecha como frase propia en el plan para imprimir ("... Su trabajador. Para el 2025-03-21.");
# plan-print-by es la misma palabra dentro de una frase.
plan-print-by-sentence = Para el
