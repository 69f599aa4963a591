-- The texts of a plan's interventions (what is done, who by name, with which resources) and of
-- their steps are sealed under the client's data key from now on. Rows written before hold
-- plaintext; mark it as 0017 and later migrations did, so a read accepts plaintext only where it
-- is marked and `casework keys rotate` seals every marked value.
UPDATE interventions SET description = 'legacy:' || description;
UPDATE interventions SET responsible_name = 'legacy:' || responsible_name WHERE responsible_name IS NOT NULL;
UPDATE interventions SET resources = 'legacy:' || resources WHERE resources IS NOT NULL;
UPDATE plan_tasks SET description = 'legacy:' || description;
UPDATE plan_tasks SET responsible_name = 'legacy:' || responsible_name WHERE responsible_name IS NOT NULL;
