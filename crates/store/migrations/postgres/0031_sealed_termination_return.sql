-- A supervisor's comment on returning a termination is sealed under the client's data key from
-- now on. Rows written before hold plaintext; mark it as 0017 and later migrations did, so a read
-- accepts plaintext only where it is marked and `casework keys rotate` seals every marked value.
UPDATE terminations SET return_comment = 'legacy:' || return_comment WHERE return_comment IS NOT NULL;
