-- Approval requests: a blocked attempt is a request an approver grants by id; the approval is
-- bound to the role that logged in and covers exactly what was blocked, once, with no token.
-- Attacks first: the requester cannot grant it, another role (or a member that SET ROLEs) cannot
-- use it, it covers nothing else, four eyes hold, forged tool bookkeeping moves nothing.
\set VERBOSITY terse
SELECT current_database() AS dbname \gset
CREATE ROLE rq_boss LOGIN IN ROLE migration_guard_approver;
CREATE ROLE rq_boss2 LOGIN IN ROLE migration_guard_approver;
CREATE ROLE rq_agent LOGIN;
CREATE ROLE rq_other LOGIN IN ROLE rq_agent;
GRANT CREATE ON SCHEMA public TO rq_agent, rq_boss;
SET ROLE rq_agent;
CREATE TABLE rq_t (id int PRIMARY KEY, a text, b text, c text);
INSERT INTO rq_t SELECT g, 'a', 'b', 'c' FROM generate_series(1, 20) g;
ANALYZE rq_t;
RESET ROLE;
CREATE FUNCTION pending_request() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. 400 LOOP
        IF EXISTS (SELECT FROM migration_guard.requests WHERE status = 'pending' AND role LIKE 'rq\_%') THEN
            RETURN (SELECT id FROM migration_guard.requests WHERE status = 'pending' AND role LIKE 'rq\_%' ORDER BY last_attempt DESC LIMIT 1);
        END IF;
        PERFORM pg_sleep(0.025);
    END LOOP;
    RETURN NULL;
END $$;

-- The agent is blocked; the message names the request and who may grant it.
\c - rq_agent
\set VERBOSITY default
ALTER TABLE rq_t DROP COLUMN a;
\set VERBOSITY terse
-- Its own request: refused in words, not a bare "permission denied" (nor approve()).
SELECT migration_guard.approve_request(migration_guard_test_request, 'mine') FROM (SELECT 1) s(migration_guard_test_request);
\c - postgres
SELECT pending_request() AS req \gset
SELECT role, status, pairs, risk, command_tag, attempts, migration_id FROM migration_guard.requests WHERE id = :req;
\c - rq_agent
SELECT migration_guard.approve_request(:req, 'mine');
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.rq_t.a'], 'mine', for_role => 'rq_agent');
-- A second attempt is the same request.
ALTER TABLE rq_t DROP COLUMN a;
\c - postgres
SELECT pg_sleep(0.3);
SELECT count(*) AS requests, max(attempts) AS attempts FROM migration_guard.requests WHERE role LIKE 'rq\_%';

-- The approver grants it by id.
\c - rq_boss
SELECT migration_guard.approve_request(:req, 'retire column a');
SELECT status FROM migration_guard.requests WHERE id = :req;
SELECT migration_guard.approve_request(:req, 'twice');
-- Another role logged in (even a member of the agent role, after SET ROLE) cannot use it.
\c - rq_other
SET ROLE rq_agent;
ALTER TABLE rq_t DROP COLUMN a;
RESET ROLE;
-- The agent's other destructive statements stay blocked: it covers exactly column a.
\c - rq_agent
ALTER TABLE rq_t DROP COLUMN b;
-- The agent's plain retry goes through, once, with no token.
SHOW migration_guard.approval;
ALTER TABLE rq_t DROP COLUMN a;
ALTER TABLE rq_t ADD COLUMN a text;
ALTER TABLE rq_t DROP COLUMN a;
\c - postgres
SELECT status, approval_id IS NOT NULL AS approved, approved_by, reason FROM migration_guard.requests WHERE id = :req;
SELECT uses_left, for_role, request_id = :req AS from_request FROM migration_guard.approvals WHERE id = (
    SELECT approval_id FROM migration_guard.requests WHERE id = :req);
SELECT decision, object_identity, request_id = :req AS of_request FROM migration_guard.audit_log
WHERE object_identity = 'public.rq_t.a' AND (decision = 'approved' OR request_id = :req) ORDER BY decision, id;
SELECT migration_guard.approve_request(424242, 'unknown');
-- Ids are short: attempts that needed different things may share one (a role can search for
-- names that make them). Such a request is refused, never granted for more than either asked.
\c - rq_agent
ALTER TABLE rq_t DROP COLUMN b;
\c - postgres
SELECT pg_sleep(0.3);
SELECT id AS req_b FROM migration_guard.requests WHERE pairs = '{drop-column:public.rq_t.b}' \gset
INSERT INTO migration_guard.audit_blocked (role_name, session_role, backend_pid, command_tag, object_identity,
                                           statement, rules, risk, decision, request_id)
VALUES ('rq_agent', 'rq_agent', 1, 'DROP TABLE', 'public.rq_secret', 'DROP TABLE rq_secret', '{drop-table}',
        'critical', 'blocked', :req_b);
\c - rq_boss
SELECT migration_guard.approve_request(:req_b, 'looks like column b only');
\c - postgres

-- Four eyes: with require_distinct_approver, the requester cannot grant their own request, and
-- another approver can.
ALTER DATABASE :"dbname" SET migration_guard.require_distinct_approver = on;
\c - rq_boss
CREATE TABLE rq_b (id int, c text);
INSERT INTO rq_b VALUES (1, 'c');
ALTER TABLE rq_b DROP COLUMN c;
\c - postgres
SELECT pg_sleep(0.3);
SELECT id AS req2 FROM migration_guard.requests WHERE role = 'rq_boss' \gset
\c - rq_boss
SELECT migration_guard.approve_request(:req2, 'my own');
\c - rq_boss2
SELECT migration_guard.approve_request(:req2, 'reviewed by a second person');
\c - rq_boss
ALTER TABLE rq_b DROP COLUMN c;
\c - postgres
ALTER DATABASE :"dbname" RESET migration_guard.require_distinct_approver;

-- A migration of several statements in one transaction: one approval for all of it, bound to
-- the role, no token (the hint says so).
\c - rq_agent
\set VERBOSITY default
BEGIN;
ALTER TABLE rq_t ADD COLUMN d text;
ALTER TABLE rq_t DROP COLUMN b;
ROLLBACK;
\set VERBOSITY terse
\c - rq_boss
SELECT migration_guard.approve_migration('ALTER TABLE rq_t ADD COLUMN d text; ALTER TABLE rq_t DROP COLUMN b; DROP TABLE rq_t;',
                                         'retire rq_t', for_role => 'rq_agent') IS NOT NULL AS issued;
\c - rq_agent
BEGIN;
ALTER TABLE rq_t ADD COLUMN d text;
ALTER TABLE rq_t DROP COLUMN b;
DROP TABLE rq_t;
COMMIT;
SELECT to_regclass('rq_t') IS NULL AS dropped;

-- Statements committed one by one (a tool without a transaction): the block says the earlier
-- ones stay applied instead of "nothing was changed".
\c - rq_agent
CREATE TABLE rq_u (id int, x text);
INSERT INTO rq_u VALUES (1, 'x');
\set VERBOSITY default
ALTER TABLE rq_u DROP COLUMN x;
\set VERBOSITY terse

-- Migration ids from a tool's bookkeeping written before the migration runs (Prisma): the
-- blocked attempt carries it, and so does its request. A row another session wrote (forged)
-- moves nothing into its migration.
\c - postgres
CREATE TABLE _prisma_migrations (id text PRIMARY KEY, checksum text, finished_at timestamptz, migration_name text,
    logs text, rolled_back_at timestamptz, started_at timestamptz DEFAULT now(), applied_steps_count int DEFAULT 0);
GRANT ALL ON _prisma_migrations TO rq_agent;
INSERT INTO _prisma_migrations (id, migration_name) VALUES ('f', '20260101_forged');
\c - rq_agent
ALTER TABLE rq_u ADD COLUMN y text;
INSERT INTO _prisma_migrations (id, migration_name) VALUES ('m', '20261201_drop_x');
ALTER TABLE rq_u ADD COLUMN z text;
ALTER TABLE rq_u DROP COLUMN x;
\c - postgres
SELECT pg_sleep(0.3);
SELECT object_identity, decision, migration_id, tool FROM migration_guard.audit_log
WHERE object_identity LIKE 'public.rq_u%' ORDER BY id;
SELECT role, migration_id, pairs FROM migration_guard.requests WHERE migration_id IS NOT NULL AND role LIKE 'rq\_%';

SET migration_guard.mode = 'audit';
DROP TABLE _prisma_migrations;
DROP OWNED BY rq_agent, rq_other, rq_boss, rq_boss2;
DROP ROLE rq_agent, rq_other, rq_boss, rq_boss2;
RESET migration_guard.mode;
