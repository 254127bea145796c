INSERT INTO model_usage AS u (model_id, failures) VALUES ($1->'data'->>'model_id', 1)
ON CONFLICT (model_id) DO UPDATE SET failures = u.failures + 1;
