-- A number that moves whenever the cached queue, its sync time or a summary's facts change,
-- whichever process changed them: a desk keeps the decoded queue in memory while it stands
-- still (a page of 10,000 rows then decodes nothing).
CREATE TABLE queue_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO queue_version (id, version) VALUES (1, 0);

CREATE TRIGGER queue_version_queue_insert AFTER INSERT ON queue
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER queue_version_queue_update AFTER UPDATE ON queue
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER queue_version_queue_delete AFTER DELETE ON queue
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER queue_version_sync_insert AFTER INSERT ON queue_sync
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER queue_version_sync_update AFTER UPDATE ON queue_sync
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER queue_version_facts_insert AFTER INSERT ON summary_facts
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER queue_version_facts_update AFTER UPDATE ON summary_facts
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER queue_version_facts_delete AFTER DELETE ON summary_facts
BEGIN UPDATE queue_version SET version = version + 1 WHERE id = 1; END;
