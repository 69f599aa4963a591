-- What a follow-up check-in found about the client (new needs, referrals made, the comment) is
-- sealed under the client's data key from now on. Rows written before hold plaintext; mark it
-- as 0017 and 0020 did, so a read accepts plaintext only where it is marked and
-- `casework keys rotate` seals every marked value.
UPDATE follow_ups SET new_needs = 'legacy:' || new_needs WHERE new_needs IS NOT NULL;
UPDATE follow_ups SET referrals = 'legacy:' || referrals WHERE referrals IS NOT NULL;
UPDATE follow_ups SET comment = 'legacy:' || comment WHERE comment IS NOT NULL;
