-- case: integer primary key
-- expect: prefer-bigint
-- risk: low
CREATE TABLE app.t (id int PRIMARY KEY);

-- case: bigint identity primary key
-- expect: none
CREATE TABLE app.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);

-- case: integer that is not a key
-- expect: none
CREATE TABLE app.t (id bigint PRIMARY KEY, quantity integer, rating smallint);

-- case: integer reference column
-- expect: prefer-bigint
CREATE TABLE app.t (id bigint PRIMARY KEY, user_id int);

-- case: integer column in a table-level primary key
-- expect: prefer-bigint
CREATE TABLE app.t (code int, PRIMARY KEY (code));

-- case: serial
-- expect: prefer-bigint prefer-identity
CREATE TABLE app.t (id serial PRIMARY KEY);

-- case: bigserial
-- expect: prefer-identity
CREATE TABLE app.t (id bigserial PRIMARY KEY);

-- case: varchar with a length
-- expect: prefer-text
CREATE TABLE app.t (name varchar(100));

-- case: varchar without a length, and text
-- expect: none
CREATE TABLE app.t (name varchar, bio text);

-- case: char with a length
-- expect: prefer-text
CREATE TABLE app.t (country char(2));

-- case: timestamp without time zone
-- expect: prefer-timestamptz
CREATE TABLE app.t (created_at timestamp);

-- case: timestamp written out in full
-- expect: prefer-timestamptz
CREATE TABLE app.t (created_at timestamp(3) without time zone);

-- case: timestamptz in both spellings
-- expect: none
CREATE TABLE app.t (created_at timestamptz, updated_at timestamp with time zone);

-- case: timestamp column added to an existing table
-- expect: prefer-timestamptz require-lock-timeout
ALTER TABLE users ADD COLUMN last_login timestamp;
