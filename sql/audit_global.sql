-- Commands on cluster-wide objects fire no event trigger; preloaded, the utility hook puts them
-- on record: roles, memberships, databases, GRANT on a database, event triggers, REASSIGN OWNED.
\set VERBOSITY terse
CREATE TEMP TABLE global_mark AS SELECT clock_timestamp() AS at;
CREATE ROLE global_dev LOGIN;
ALTER ROLE global_dev CONNECTION LIMIT 3;
CREATE ROLE global_team NOLOGIN;
GRANT global_team TO global_dev;
REVOKE global_team FROM global_dev;
CREATE DATABASE global_scratch;
ALTER DATABASE global_scratch SET work_mem = '8MB';
GRANT CONNECT ON DATABASE global_scratch TO global_dev;
CREATE FUNCTION global_noop() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER global_et ON ddl_command_start EXECUTE FUNCTION global_noop();
ALTER EVENT TRIGGER global_et DISABLE;
DROP EVENT TRIGGER global_et;
REASSIGN OWNED BY global_dev TO CURRENT_USER;
SELECT command_tag, object_type, object_identity, decision, statement FROM migration_guard.audit_log
WHERE logged_at > (SELECT at FROM global_mark) AND command_tag <> 'CREATE FUNCTION' ORDER BY id;
