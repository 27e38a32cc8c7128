-- A date range is read by walking the log backwards by seq and checking each entry's time,
-- never through an index on the time: with a wide range such an index hands SQLite a million
-- rows to sort for every page (a month's figures took minutes). Pages of a narrow range are
-- looked for a window of seqs at a time instead, within a time budget.
DROP INDEX IF EXISTS audit_at;
