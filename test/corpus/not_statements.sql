-- case: text inside strings, comments and function bodies is not a statement
-- expect: none
-- risk: low
SELECT 'DROP TABLE users;' AS s, $q$ TRUNCATE users; $q$ AS t;
-- DROP TABLE users;
/* ALTER TABLE users DROP COLUMN email; /* nested */ DROP SCHEMA public CASCADE; */
CREATE FUNCTION app.wipe() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; TRUNCATE orders; END $$;
COMMENT ON TABLE app.notes IS 'ALTER TABLE users DROP COLUMN email; DROP DATABASE x;';
INSERT INTO audit (note) VALUES ('VACUUM FULL; DROP TABLE users');

-- case: a DO block is judged when it runs, not as text
-- expect: none
DO $$ BEGIN EXECUTE 'TRUNCATE users'; END $$;

-- case: ordinary data statements
-- expect: none
SELECT * FROM users WHERE id = 1;
UPDATE users SET active = false WHERE id = 2;
INSERT INTO users (email) VALUES ('a@example.com');
