SELECT apply_agent_creations($1);
