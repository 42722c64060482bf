-- Parity: every case of the shared corpus (test/corpus) classified by the server must report
-- exactly the rule ids the unit tests and the CLI report. The database is empty of user tables,
-- so the live catalog knows what the CLI knows.
\getenv abs_srcdir PG_ABS_SRCDIR
\set cases_file :abs_srcdir '/sql/parity_cases.tsv'
CREATE TEMP TABLE parity_case (file text, name text, expected text, expected_risk text, since int, sql text);
COPY parity_case FROM :'cases_file';
SELECT count(*) > 100 AS corpus_loaded FROM parity_case;
-- Cases in a newer major's syntax are for that major's server.
CREATE TEMP TABLE newer_case AS
  SELECT * FROM parity_case WHERE since > current_setting('server_version_num')::int / 10000;
DELETE FROM parity_case WHERE since > current_setting('server_version_num')::int / 10000;

-- Cases whose rule ids differ (none expected).
SELECT file, name, expected, got
FROM (SELECT p.file, p.name, p.expected,
             (SELECT coalesce(string_agg(c.rule, ' ' ORDER BY c.rule), 'none')
              FROM migration_guard.classify(p.sql) c WHERE c.rule IS NOT NULL) AS got
      FROM parity_case p) s
WHERE got <> expected
ORDER BY file, name;

-- Cases whose highest risk differs (none expected).
SELECT file, name, expected_risk, migration_guard.risk(sql) AS got
FROM parity_case
WHERE expected_risk <> '' AND migration_guard.risk(sql)::text <> expected_risk
ORDER BY file, name;

-- Every rule of the catalog (but those only a running statement can trigger) fires through the
-- server; rules that never fire are listed (none expected).
SELECT rule AS never_fired FROM migration_guard.rules() WHERE NOT server_only
  AND rule <> 'require-statement-timeout'  -- opt-in: off unless the linter's [rules] asks
  AND rule NOT IN (SELECT unnest(string_to_array(expected, ' ')) FROM newer_case
                   EXCEPT SELECT unnest(string_to_array(expected, ' ')) FROM parity_case)
EXCEPT
SELECT c.rule FROM parity_case p, migration_guard.classify(p.sql) c;
