-- This desk's own name on a team: its audit entries are copied to the team's chain under it.
CREATE TABLE desk_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO desk_meta (key, value) VALUES ('desk_id', lower(hex(randomblob(16))));
