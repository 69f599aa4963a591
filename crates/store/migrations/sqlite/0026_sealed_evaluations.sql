-- An evaluation's summary, the client's feedback comment and the comment on each goal's level
-- are sealed under the client's data key from now on. Rows written before hold plaintext; mark
-- it as 0017 and later migrations did, so a read accepts plaintext only where it is marked and
-- `casework keys rotate` seals every marked value.
UPDATE evaluations SET summary = 'legacy:' || summary WHERE summary IS NOT NULL;
UPDATE evaluations SET feedback_comment = 'legacy:' || feedback_comment WHERE feedback_comment IS NOT NULL;
UPDATE evaluation_goals SET comment = 'legacy:' || comment WHERE comment IS NOT NULL;
