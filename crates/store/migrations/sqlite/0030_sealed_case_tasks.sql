-- A case task's title, description and cancel reason are sealed under the client's data key
-- from now on. Rows written before hold plaintext; mark it as 0017 and later migrations did, so
-- a read accepts plaintext only where it is marked and `casework keys rotate` seals every marked
-- value.
UPDATE case_tasks SET title = 'legacy:' || title;
UPDATE case_tasks SET description = 'legacy:' || description WHERE description IS NOT NULL;
UPDATE case_tasks SET cancel_reason = 'legacy:' || cancel_reason WHERE cancel_reason IS NOT NULL;
