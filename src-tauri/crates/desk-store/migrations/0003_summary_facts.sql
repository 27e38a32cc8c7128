-- What the queue needs of each summary (workflow, warning codes), in a table of its own so a
-- page of 10,000 rows reads small rows instead of walking past every summary's pages. Filled
-- for the summaries already cached.
CREATE TABLE summary_facts (
    case_id TEXT PRIMARY KEY NOT NULL,
    facts   TEXT NOT NULL              -- desk-core CaseFacts as JSON
);
INSERT INTO summary_facts (case_id, facts)
SELECT case_id, json_object(
    'case_id', case_id,
    'workflow_id', json_extract(summary, '$.workflow_id'),
    'warnings', (
        SELECT json_group_array(json_array(json_extract(w.value, '$.severity'), json_extract(w.value, '$.code')))
        FROM json_each(summary, '$.warnings') AS w
    )
) FROM summaries;
