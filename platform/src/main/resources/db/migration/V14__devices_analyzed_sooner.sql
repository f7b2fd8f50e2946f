-- The planner's statistics on devices are refreshed after 1 % of the rows changed (at least 500)
-- instead of the default 10 %. A tenant that provisions thousands of devices into a large table is
-- otherwise unknown to the statistics for a long time, and statements that join a batch's devices
-- to this table (their last-seen time) read all of that tenant's devices for each batch meanwhile.
ALTER TABLE devices SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500);
