-- case: rename table
-- expect: rename-table require-lock-timeout
-- risk: high
ALTER TABLE users RENAME TO customers;

-- case: rename view
-- expect: rename-table require-lock-timeout
ALTER VIEW active_users RENAME TO active_customers;

-- case: rename materialized view
-- expect: rename-table require-lock-timeout
ALTER MATERIALIZED VIEW daily_stats RENAME TO stats_by_day;

-- case: rename a table created in the same migration, then keep using it
-- expect: none
CREATE TABLE app.t (id bigint);
ALTER TABLE app.t RENAME TO t2;
ALTER TABLE app.t2 ADD COLUMN note text;
CREATE INDEX ON app.t2 (note);

-- case: rename column
-- expect: rename-column require-lock-timeout
-- risk: high
ALTER TABLE users RENAME COLUMN email TO email_address;

-- case: rename column of a table created in the same migration
-- expect: none
CREATE TABLE app.t (id bigint, mail text);
ALTER TABLE app.t RENAME COLUMN mail TO email;

-- case: rename schema
-- expect: rename-schema
-- risk: high
ALTER SCHEMA billing RENAME TO invoicing;

-- case: rename constraint is not a breaking rename
-- expect: none
ALTER TABLE users RENAME CONSTRAINT users_email_check TO users_email_format;

-- case: rename enum value
-- expect: rename-enum-value
-- risk: high
ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';

-- case: add enum value is additive
-- expect: none
ALTER TYPE mood ADD VALUE 'meh';
