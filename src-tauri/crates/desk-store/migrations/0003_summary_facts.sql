-- What the queue needs of each summary (workflow, warning codes), kept beside it so a page of
-- 10,000 rows reads small values instead of decoding every summary. Filled for existing rows.
ALTER TABLE summaries ADD COLUMN facts TEXT;
UPDATE summaries SET facts = json_object(
    'case_id', case_id,
    'workflow_id', json_extract(summary, '$.workflow_id'),
    'warnings', (
        SELECT json_group_array(json_array(json_extract(w.value, '$.severity'), json_extract(w.value, '$.code')))
        FROM json_each(summary, '$.warnings') AS w
    )
);
