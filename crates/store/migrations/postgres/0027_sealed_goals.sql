-- A goal's texts (the SMART statement, measure, baseline, target, resources, barriers, the five
-- levels of its attainment scale and the client's words on agreeing) are sealed under the
-- client's data key from now on. Rows written before hold plaintext; mark it as 0017 and later
-- migrations did, so a read accepts plaintext only where it is marked and `casework keys rotate`
-- seals every marked value.
UPDATE goals SET statement = 'legacy:' || statement WHERE statement IS NOT NULL;
UPDATE goals SET measure = 'legacy:' || measure WHERE measure IS NOT NULL;
UPDATE goals SET baseline = 'legacy:' || baseline WHERE baseline IS NOT NULL;
UPDATE goals SET target = 'legacy:' || target WHERE target IS NOT NULL;
UPDATE goals SET resources = 'legacy:' || resources WHERE resources IS NOT NULL;
UPDATE goals SET barriers = 'legacy:' || barriers WHERE barriers IS NOT NULL;
UPDATE goals SET gas_minus2 = 'legacy:' || gas_minus2 WHERE gas_minus2 IS NOT NULL;
UPDATE goals SET gas_minus1 = 'legacy:' || gas_minus1 WHERE gas_minus1 IS NOT NULL;
UPDATE goals SET gas_zero = 'legacy:' || gas_zero WHERE gas_zero IS NOT NULL;
UPDATE goals SET gas_plus1 = 'legacy:' || gas_plus1 WHERE gas_plus1 IS NOT NULL;
UPDATE goals SET gas_plus2 = 'legacy:' || gas_plus2 WHERE gas_plus2 IS NOT NULL;
UPDATE goals SET client_words = 'legacy:' || client_words WHERE client_words IS NOT NULL;
