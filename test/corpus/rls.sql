-- case: new table in public without row level security
-- expect: table-without-rls
-- risk: low
CREATE TABLE notes (id bigint PRIMARY KEY, body text);

-- case: new table with row level security enabled later in the text
-- expect: none
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;

-- case: qualified and unqualified names are the same table
-- expect: none
CREATE TABLE public.notes (id bigint PRIMARY KEY);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;

-- case: row level security enabled then disabled again
-- expect: table-without-rls
CREATE TABLE notes (id bigint PRIMARY KEY);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes DISABLE ROW LEVEL SECURITY;

-- case: new table in a schema that is not protected
-- expect: none
CREATE TABLE app.notes (id bigint PRIMARY KEY);

-- case: temporary table
-- expect: none
CREATE TEMP TABLE scratch (id bigint);

-- case: create table as
-- expect: table-without-rls
CREATE TABLE report AS SELECT 1::bigint AS n;
