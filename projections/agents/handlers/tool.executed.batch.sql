-- Only the agents' last activity: the events belong to other read models.
SELECT touch_agents($1);
