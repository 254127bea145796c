-- Only while the execution is unfinished: a deadline event appended after an end that the
-- deadlines worker had not seen yet (so not cancelled in time) marks nothing.
UPDATE agent_executions SET deadline_exceeded_at = ($1->>'time')::timestamptz, version = ($1->>'sequence')::bigint
WHERE id = ($1->'data'->>'execution_id')::uuid AND version < ($1->>'sequence')::bigint
  AND state NOT IN ('COMPLETED', 'FAILED', 'CANCELLED');
