-- Only while the task is not final: an overdue event appended after an end that the deadlines
-- worker had not seen yet (so not cancelled in time) marks nothing.
UPDATE planning_tasks SET overdue_at = ($1->>'time')::timestamptz, version = ($1->>'sequence')::bigint,
                          updated_at = ($1->>'time')::timestamptz
WHERE id = ($1->'data'->>'task_id')::uuid AND version < ($1->>'sequence')::bigint
  AND status NOT IN ('COMPLETED', 'CANCELLED');
