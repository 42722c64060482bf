-- case: vacuum full
-- expect: require-lock-timeout vacuum-full
-- risk: high
VACUUM FULL users;

-- case: vacuum with the FULL option
-- expect: require-lock-timeout vacuum-full
VACUUM (FULL, ANALYZE) users;

-- case: vacuum full of the whole database
-- expect: vacuum-full
VACUUM FULL;

-- case: plain vacuum
-- expect: none
VACUUM ANALYZE users;

-- case: vacuum with FULL switched off
-- expect: none
VACUUM (FULL false) users;

-- case: cluster
-- expect: cluster require-lock-timeout
-- risk: high
CLUSTER users USING users_pkey;

-- case: refresh materialized view
-- expect: refresh-matview-blocking require-lock-timeout
-- risk: low
REFRESH MATERIALIZED VIEW daily_stats;

-- case: refresh materialized view concurrently
-- expect: require-lock-timeout
REFRESH MATERIALIZED VIEW CONCURRENTLY daily_stats;

-- case: analyze
-- expect: none
ANALYZE users;
