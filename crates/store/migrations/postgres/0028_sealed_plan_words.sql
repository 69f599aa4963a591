-- A plan's client's words (on agreeing to it) and a supervisor's comment on returning it are
-- sealed under the client's data key from now on. Rows written before hold plaintext; mark it as
-- 0017 and later migrations did, so a read accepts plaintext only where it is marked and
-- `casework keys rotate` seals every marked value.
UPDATE plans SET client_words = 'legacy:' || client_words WHERE client_words IS NOT NULL;
UPDATE plans SET return_comment = 'legacy:' || return_comment WHERE return_comment IS NOT NULL;
