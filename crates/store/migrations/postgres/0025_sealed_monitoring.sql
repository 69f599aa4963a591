-- The notes on services delivered and the comments on progress entries are sealed under the
-- client's data key from now on. Rows written before hold plaintext; mark it as 0017, 0020 and
-- 0024 did, so a read accepts plaintext only where it is marked and `casework keys rotate` seals
-- every marked value.
UPDATE services_delivered SET note = 'legacy:' || note WHERE note IS NOT NULL;
UPDATE progress_entries SET comment = 'legacy:' || comment;
