INSERT INTO plans (id, project_id, name, description, status, created_at, updated_at)
VALUES (($1->'data'->>'plan_id')::uuid, ($1->'data'->>'project_id')::uuid, $1->'data'->>'name', $1->'data'->>'description',
        'DRAFT', ($1->>'time')::timestamptz, ($1->>'time')::timestamptz)
ON CONFLICT (id) DO UPDATE SET project_id = EXCLUDED.project_id, name = EXCLUDED.name, description = EXCLUDED.description,
                               status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at;
