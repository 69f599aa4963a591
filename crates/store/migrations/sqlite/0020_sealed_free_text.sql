-- More client free text sealed under the client's data key: the case's presenting problem and
-- the contact summaries. Rows written before this migration hold plaintext; mark it as such (as
-- 0017 did), so a read accepts plaintext only where it is marked and `casework keys rotate`
-- seals every marked value.
UPDATE cases SET presenting_problem = 'legacy:' || presenting_problem;
UPDATE contacts SET summary = 'legacy:' || summary WHERE summary IS NOT NULL;
