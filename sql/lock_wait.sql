-- Lock-wait protection (preloaded): a schema change that needs SHARE ROW EXCLUSIVE or stronger on
-- an existing table runs with lock_timeout = migration_guard.lock_timeout when the session has
-- none, for that statement only. What the statement sees is shown by a function it evaluates;
-- waiting behind another session is in test/isolation/specs/lock_wait.spec.
CREATE TABLE lw_orders (id int PRIMARY KEY);
INSERT INTO lw_orders VALUES (1);
CREATE FUNCTION lw_seen(int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RAISE NOTICE 'lock_timeout while the statement runs: %', current_setting('lock_timeout');
    RETURN true;
END $$;
SHOW migration_guard.lock_timeout;

-- ADD CHECK takes ACCESS EXCLUSIVE: bounded, and back to 0 afterwards.
ALTER TABLE lw_orders ADD CONSTRAINT lw_a CHECK (lw_seen(id));
SHOW lock_timeout;

-- The session's own lock_timeout is left alone.
SET lock_timeout = '10s';
ALTER TABLE lw_orders ADD CONSTRAINT lw_b CHECK (lw_seen(id));
RESET lock_timeout;

-- CREATE INDEX takes SHARE (writers wait, readers do not): not bounded.
CREATE INDEX lw_orders_seen ON lw_orders (lw_seen(id));

-- A new table's foreign key takes SHARE ROW EXCLUSIVE on the table it references: bounded; a new
-- table alone is not. (Seen by an event trigger, which runs inside the statement.)
CREATE FUNCTION lw_watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE '% sees lock_timeout %', tg_tag, current_setting('lock_timeout');
END $$;
CREATE EVENT TRIGGER lw_watch ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION lw_watch();
CREATE TABLE lw_lines (order_id int REFERENCES lw_orders);
CREATE TABLE lw_free (id int);
DROP EVENT TRIGGER lw_watch;

-- Temporary tables cannot be locked by anyone else: not bounded.
CREATE TEMP TABLE lw_scratch (id int);
INSERT INTO lw_scratch VALUES (1);
ALTER TABLE lw_scratch ADD CONSTRAINT lw_c CHECK (lw_seen(id));

-- Nested in a DO block, the inner statement is bounded on its own.
DO $$ BEGIN ALTER TABLE lw_orders ADD CONSTRAINT lw_d CHECK (lw_seen(id)); END $$;

-- A statement that fails for another reason leaves nothing set, in a transaction or a subtransaction.
ALTER TABLE lw_orders ADD CONSTRAINT lw_e CHECK (lw_seen(id) AND id / 0 = 1);
SHOW lock_timeout;
BEGIN;
SAVEPOINT s;
ALTER TABLE lw_orders ADD CONSTRAINT lw_f CHECK (lw_seen(id) AND id / 0 = 1);
ROLLBACK TO SAVEPOINT s;
SHOW lock_timeout;
COMMIT;

-- 0 turns it off (a superuser's setting, on record).
SET migration_guard.lock_timeout = 0;
ALTER TABLE lw_orders ADD CONSTRAINT lw_g CHECK (lw_seen(id));
RESET migration_guard.lock_timeout;
SELECT command_tag, object_identity FROM migration_guard.audit_log
WHERE object_identity = 'migration_guard.lock_timeout' ORDER BY id;

-- Attack: an ordinary role cannot switch it off or lengthen it for itself through the guard.
CREATE ROLE lw_agent;
GRANT ALL ON lw_orders TO lw_agent;
SET ROLE lw_agent;
SET migration_guard.lock_timeout = 0;
SELECT set_config('migration_guard.lock_timeout', '0', false);
RESET ROLE;
SHOW migration_guard.lock_timeout;
