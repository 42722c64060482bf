-- case: add foreign key
-- expect: add-foreign-key require-lock-timeout
-- risk: medium
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);

-- case: add foreign key NOT VALID
-- expect: require-lock-timeout
-- risk: low
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;

-- case: validate constraint on its own
-- expect: none
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;

-- case: a new foreign key with ON DELETE CASCADE deletes nothing when added
-- expect: add-foreign-key cascade-delete-change require-lock-timeout
-- risk: medium
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;

-- case: replacing a foreign key by one with ON DELETE CASCADE changes what deletes destroy
-- expect: add-foreign-key add-foreign-key cascade-delete-change require-lock-timeout
-- risk: critical
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders DROP CONSTRAINT orders_user_fk, ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;

-- case: NOT VALID foreign key with ON DELETE CASCADE still changes deletes
-- expect: cascade-delete-change require-lock-timeout
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;

-- case: dropping an ON DELETE CASCADE foreign key added earlier in the text
-- expect: add-foreign-key cascade-delete-change cascade-delete-change drop-constraint require-lock-timeout
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE orders DROP CONSTRAINT orders_user_fk;

-- case: ON DELETE CASCADE on a new table
-- expect: require-lock-timeout
CREATE TABLE app.items (id bigint PRIMARY KEY, order_id bigint REFERENCES app.orders (id) ON DELETE CASCADE);
CREATE INDEX ON app.items (order_id);

-- case: foreign key without an index on a new table
-- expect: fk-without-index require-lock-timeout
-- risk: low
CREATE TABLE app.items (id bigint PRIMARY KEY, order_id bigint REFERENCES app.orders (id));

-- case: foreign key covered by the primary key
-- expect: require-lock-timeout
CREATE TABLE app.profiles (user_id bigint PRIMARY KEY REFERENCES app.users (id));

-- case: composite foreign key covered by an index created later, columns in another order
-- expect: none
CREATE TABLE app.y (a bigint, b bigint, PRIMARY KEY (a, b));
CREATE TABLE app.x (a bigint, b bigint, FOREIGN KEY (a, b) REFERENCES app.y (a, b));
CREATE INDEX ON app.x (b, a);

-- case: foreign key between two new tables without an index
-- expect: fk-without-index
CREATE TABLE app.parents (id bigint PRIMARY KEY);
CREATE TABLE app.children (id bigint PRIMARY KEY, parent_id bigint REFERENCES app.parents);

-- case: check constraint
-- expect: add-check-constraint require-lock-timeout
-- risk: medium
ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);

-- case: check constraint NOT VALID
-- expect: require-lock-timeout
-- risk: low
ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;

-- case: unique constraint
-- expect: add-unique-constraint require-lock-timeout
-- risk: medium
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

-- case: primary key
-- expect: add-unique-constraint require-lock-timeout
ALTER TABLE users ADD PRIMARY KEY (id);

-- case: unique constraint using an existing index
-- expect: require-lock-timeout
-- risk: low
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;

-- case: exclusion constraint
-- expect: add-exclusion-constraint require-lock-timeout
-- risk: medium
ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);

-- case: drop constraint
-- expect: drop-constraint require-lock-timeout
-- risk: medium
ALTER TABLE users DROP CONSTRAINT users_email_key;

-- case: drop constraint cascade
-- expect: drop-cascade drop-constraint require-lock-timeout
ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;

-- case: NOT VALID then VALIDATE in one transaction
-- expect: require-lock-timeout validate-in-same-transaction
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
COMMIT;

-- case: NOT VALID and VALIDATE in separate transactions
-- expect: require-lock-timeout
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
COMMIT;
BEGIN;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
COMMIT;
