INSERT INTO projects (id, name, description, owner_id, version, created_at, updated_at)
VALUES (($1->'data'->>'project_id')::uuid, $1->'data'->>'name', $1->'data'->>'description', ($1->'data'->>'owner_id')::uuid,
        ($1->>'sequence')::bigint, ($1->>'time')::timestamptz, ($1->>'time')::timestamptz)
ON CONFLICT (id) DO NOTHING;
