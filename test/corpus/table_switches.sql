-- case: set unlogged
-- expect: require-lock-timeout set-unlogged
-- risk: high
ALTER TABLE events SET UNLOGGED;

-- case: set logged
-- expect: require-lock-timeout set-logged
ALTER TABLE events SET LOGGED;

-- case: disable one trigger
-- expect: disable-trigger require-lock-timeout
-- risk: high
ALTER TABLE users DISABLE TRIGGER audit_users;

-- case: disable all triggers
-- expect: disable-trigger require-lock-timeout
ALTER TABLE users DISABLE TRIGGER ALL;

-- case: enable trigger
-- expect: require-lock-timeout
-- risk: low
ALTER TABLE users ENABLE TRIGGER audit_users;

-- case: disable row level security
-- expect: disable-rls require-lock-timeout
-- risk: critical
ALTER TABLE users DISABLE ROW LEVEL SECURITY;

-- case: no force row level security
-- expect: disable-rls require-lock-timeout
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;

-- case: enable and force row level security
-- expect: require-lock-timeout
ALTER TABLE users ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
