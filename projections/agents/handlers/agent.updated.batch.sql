SELECT apply_agent_updates($1);
