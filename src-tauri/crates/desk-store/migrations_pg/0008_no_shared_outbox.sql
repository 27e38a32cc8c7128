-- A desk's actions live in its own outbox (its SQLite file), sent by that desk alone; the team
-- sees them on the team's audit chain, and claims keep two desks off one case. The shared
-- outbox table the first version created was never written outside tests.
DROP TABLE actions;
