SELECT apply_agent_specializations($1, false);
