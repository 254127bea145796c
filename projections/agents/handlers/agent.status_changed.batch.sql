SELECT apply_agent_status_changes($1);
