-- Room on every page of the cases table for the next version of its rows. A case row is rewritten at every
-- transition and every SLA step (its state document, version and updated_at), and at ~3 KB two rows fill
-- a page: with no room left, the new version goes to another page and all of the table's indexes (17,
-- three of them trigram GIN, one carrying the report columns) get an entry for it. With room, an update
-- that changes no indexed column stays on its page and touches no index (a HOT update), as the intake's
-- first projection and the warning and level-3 escalations do. Applies to pages written from now on; a
-- VACUUM FULL of "cases" rewrites the existing ones (bench/README.md, "Tuning").
ALTER TABLE "cases" SET (fillfactor = 70);
