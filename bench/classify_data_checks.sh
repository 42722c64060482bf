#!/usr/bin/env bash
# How long classify() takes on a 1,000,000-row table, per data check: with data checks off (sizes
# only), with tight caps, with the default caps and without caps. Figures are medians of 5 runs;
# the ratio is against one plain full scan of the same table (SELECT count(*)), measured in the
# same run: the cost of a check in "table scans".
# Needs the extension installed (make install). Starts and removes its own throwaway server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
dir=$(mktemp -d /tmp/mg-bench.XXXXXX)
trap 'scripts/pg-temp.sh stop "$dir"' EXIT
scripts/pg-temp.sh start "$dir" "${PORT:-55471}" "shared_buffers = '512MB'" "autovacuum = off"
eval "$(scripts/pg-temp.sh env "$dir")"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

echo "Building a ${ROWS}-row table ..."
psql <<SQL
CREATE EXTENSION migration_guard;
SET migration_guard.mode = 'off';
CREATE TABLE parent (id bigint PRIMARY KEY);
INSERT INTO parent SELECT g FROM generate_series(1, $ROWS) g;
CREATE TABLE big (id bigint PRIMARY KEY, email text, parent_id bigint, code text, amount bigint);
INSERT INTO big
SELECT g,
       CASE WHEN g % 100 = 0 THEN NULL ELSE 'user' || (g % ($ROWS / 2)) || '@example.com' END,
       CASE WHEN g % 1000 = 0 THEN $ROWS + g ELSE g END,
       CASE WHEN g % 10000 = 0 THEN 'x' || g ELSE g::text END,
       g
FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE parent, big;
CREATE FUNCTION bench(sql text, plain boolean DEFAULT false) RETURNS numeric LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; runs numeric[] := '{}';
BEGIN
    FOR i IN 1..5 LOOP
        t0 := clock_timestamp();
        IF plain THEN EXECUTE sql; ELSE PERFORM * FROM migration_guard.classify(sql); END IF;
        runs := runs || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r) FROM unnest(runs) r);
END \$\$;
SQL

psql <<'SQL'
\pset footer off
CREATE TEMP TABLE checks(name text, sql text);
INSERT INTO checks VALUES
  ('SET NOT NULL (count NULLs)',          'ALTER TABLE big ALTER COLUMN email SET NOT NULL'),
  ('ADD FOREIGN KEY (count orphans)',     'ALTER TABLE big ADD FOREIGN KEY (parent_id) REFERENCES parent'),
  ('ADD UNIQUE (count duplicates)',       'ALTER TABLE big ADD UNIQUE (email)'),
  ('ALTER TYPE (count failed casts)',     'ALTER TABLE big ALTER COLUMN amount TYPE integer'),
  ('CREATE INDEX (size only, no check)',  'CREATE INDEX ON big (code)');
CREATE TEMP TABLE results(name text, config text, ms numeric);
CREATE TEMP TABLE baseline AS SELECT bench('SELECT count(*) FROM big', true) AS ms;
SELECT round(ms, 1) AS one_full_scan_ms FROM baseline;
SET migration_guard.data_checks = off;
INSERT INTO results SELECT name, 'checks off (sizes only)', bench(sql) FROM checks;
RESET migration_guard.data_checks;
INSERT INTO results SELECT name, 'default caps (1M rows, 1 s)', bench(sql) FROM checks;
SET migration_guard.check_rows = 100000; SET migration_guard.check_timeout = '100ms';
INSERT INTO results SELECT name, 'tight caps (100k rows, 100 ms)', bench(sql) FROM checks;
SET migration_guard.check_rows = 2147483647; SET migration_guard.check_timeout = '10min';
INSERT INTO results SELECT name, 'no caps', bench(sql) FROM checks;
SELECT r.name AS check, r.config, round(r.ms, 1) AS median_ms,
       round(r.ms / nullif(b.ms, 0), 2) AS full_scans
FROM results r, baseline b
ORDER BY r.name, CASE r.config WHEN 'checks off (sizes only)' THEN 0 WHEN 'tight caps (100k rows, 100 ms)' THEN 1
                                WHEN 'default caps (1M rows, 1 s)' THEN 2 ELSE 3 END;
SELECT name AS check, left(message, 0) || regexp_replace(message, '^.*; ', '') AS what_the_check_found
FROM checks, migration_guard.classify(sql) c WHERE c.rule NOT IN ('require-lock-timeout') AND c.rule IS NOT NULL;
SQL
