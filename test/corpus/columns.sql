-- case: drop column
-- expect: drop-column require-lock-timeout
-- risk: critical
ALTER TABLE users DROP COLUMN email;

-- case: drop column cascade
-- expect: drop-cascade drop-column require-lock-timeout
ALTER TABLE users DROP COLUMN email CASCADE;

-- case: drop column with a lock_timeout
-- expect: drop-column
SET lock_timeout = '3s';
ALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;

-- case: lock_timeout of zero does not bound the wait
-- expect: drop-column require-lock-timeout
SET lock_timeout = 0;
ALTER TABLE users DROP COLUMN email;

-- case: SET LOCAL lock_timeout ends with its transaction
-- expect: drop-column drop-column require-lock-timeout
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE users DROP COLUMN a;
COMMIT;
ALTER TABLE users DROP COLUMN b;

-- case: drop column of a table created in the same migration
-- expect: none
CREATE TABLE app.t (id bigint, note text);
ALTER TABLE app.t DROP COLUMN note;

-- case: change column type
-- expect: change-column-type require-lock-timeout
-- risk: high
ALTER TABLE users ALTER COLUMN age TYPE bigint;

-- case: change column type with USING
-- expect: change-column-type require-lock-timeout
ALTER TABLE users ALTER COLUMN age TYPE integer USING age::integer;

-- case: change column type of a table created in the same migration
-- expect: none
CREATE TABLE app.t (id bigint, name varchar);
ALTER TABLE app.t ALTER COLUMN name TYPE text;

-- case: add NOT NULL column without default
-- expect: add-not-null-column require-lock-timeout
-- risk: high
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;

-- case: add NOT NULL column with a constant default
-- expect: require-lock-timeout
-- risk: low
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;

-- case: add nullable column
-- expect: require-lock-timeout
-- risk: low
ALTER TABLE users ADD COLUMN nickname text;

-- case: add column with a volatile default
-- expect: add-column-volatile-default require-lock-timeout
-- risk: high
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- case: volatile function nested in an expression
-- expect: add-column-volatile-default require-lock-timeout
ALTER TABLE users ADD COLUMN bucket int DEFAULT (floor(random() * 10))::int;

-- case: now() default is stable, not volatile
-- expect: require-lock-timeout
ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- case: CURRENT_TIMESTAMP default
-- expect: require-lock-timeout
ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT CURRENT_TIMESTAMP;

-- case: add serial column
-- expect: add-column-volatile-default prefer-bigint prefer-identity require-lock-timeout
ALTER TABLE users ADD COLUMN seq serial;

-- case: add identity column
-- expect: add-column-volatile-default require-lock-timeout
ALTER TABLE users ADD COLUMN num bigint GENERATED ALWAYS AS IDENTITY;

-- case: add stored generated column
-- expect: add-column-volatile-default require-lock-timeout
ALTER TABLE users ADD COLUMN full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED;

-- case: volatile default on a table created in the same migration
-- expect: none
CREATE TABLE app.t (id bigint);
ALTER TABLE app.t ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- case: default from a volatile function created in the same migration
-- expect: add-column-volatile-default require-lock-timeout
CREATE FUNCTION app.next_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$;
ALTER TABLE users ADD COLUMN code text DEFAULT app.next_code();

-- case: default from an immutable function created in the same migration
-- expect: require-lock-timeout
CREATE FUNCTION app.zero() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 0 $$;
ALTER TABLE users ADD COLUMN points int DEFAULT app.zero();

-- case: set not null
-- expect: require-lock-timeout set-not-null
-- risk: high
ALTER TABLE users ALTER COLUMN email SET NOT NULL;

-- case: set not null on a table created in the same migration
-- expect: none
CREATE TABLE app.t (id bigint, email text);
ALTER TABLE app.t ALTER COLUMN email SET NOT NULL;

-- case: drop not null
-- expect: drop-not-null require-lock-timeout
-- risk: medium
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

-- case: set default is harmless
-- expect: require-lock-timeout
-- risk: low
ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';

-- case: set statistics takes a weaker lock
-- expect: none
ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;

-- case: SET NOT NULL the scan-free way: validated CHECK first, then drop the helper
-- expect: require-lock-timeout
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_not_null;

-- case: SET NOT NULL after a CHECK that was never validated still scans
-- expect: require-lock-timeout set-not-null
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;

-- case: a CHECK on another column does not help
-- expect: add-check-constraint require-lock-timeout set-not-null
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL);
ALTER TABLE users ALTER COLUMN email SET NOT NULL;

-- case: a DEFAULT calling a function nobody here defined may rewrite (CREATE FUNCTION's default is VOLATILE)
-- expect: add-column-volatile-default require-lock-timeout
-- risk: medium
ALTER TABLE users ADD COLUMN slug text DEFAULT make_slug('x');

-- case: a DEFAULT calling a function the text declares IMMUTABLE, or a built-in immutable one, is kept in the catalog
-- expect: require-lock-timeout
CREATE FUNCTION make_slug(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower($1) $$;
ALTER TABLE users ADD COLUMN slug text DEFAULT make_slug('x');
ALTER TABLE users ADD COLUMN code text DEFAULT upper(md5('x'));

-- case: a DEFAULT calling a function the text creates without a volatility rewrites (VOLATILE)
-- expect: add-column-volatile-default require-lock-timeout
-- risk: high
CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
ALTER TABLE users ADD COLUMN code text DEFAULT next_code();
