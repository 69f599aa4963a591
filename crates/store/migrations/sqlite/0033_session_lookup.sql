-- PostgreSQL's session lookup puts up its own wall in a function (see the PostgreSQL
-- migration of the same number). SQLite has no wall and reads sessions directly: nothing to do.
SELECT 1;
