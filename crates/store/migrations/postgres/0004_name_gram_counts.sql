-- How many clients carry each name trigram, so a search can start from the rarest trigrams of
-- the query instead of walking the long lists of common ones.
CREATE TABLE client_gram_counts (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    gram TEXT NOT NULL,
    clients BIGINT NOT NULL,
    PRIMARY KEY (agency_id, gram)
);

INSERT INTO client_gram_counts (agency_id, gram, clients)
SELECT agency_id, gram, COUNT(*) FROM client_name_grams GROUP BY agency_id, gram;
