-- Templates and their published versions (owned by template_id).
CREATE TABLE agent_templates (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    agent_type text NOT NULL,
    parameters jsonb,
    capabilities text[] NOT NULL DEFAULT '{}',
    prompt_template text,
    latest_version int,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE agent_template_versions (
    template_id uuid NOT NULL,
    version_number int NOT NULL,
    content jsonb NOT NULL,
    changelog text,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (template_id, version_number)
);
