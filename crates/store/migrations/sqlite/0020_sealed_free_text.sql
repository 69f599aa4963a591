-- More client free text sealed under the client's data key: the case's presenting problem, the
-- contact summaries, the assessed needs and strengths, and the closing summary, growth and
-- aftercare plan of terminations. Rows written before this migration hold plaintext; mark it as
-- such (as 0017 did), so a read accepts plaintext only where it is marked and `casework keys
-- rotate` seals every marked value.
UPDATE cases SET presenting_problem = 'legacy:' || presenting_problem;
UPDATE contacts SET summary = 'legacy:' || summary WHERE summary IS NOT NULL;
UPDATE terminations SET closing_summary = 'legacy:' || closing_summary WHERE closing_summary IS NOT NULL;
UPDATE terminations SET growth = 'legacy:' || growth WHERE growth IS NOT NULL;
UPDATE terminations SET aftercare_plan = 'legacy:' || aftercare_plan WHERE aftercare_plan IS NOT NULL;
UPDATE needs SET description = 'legacy:' || description;
UPDATE strengths SET description = 'legacy:' || description;
