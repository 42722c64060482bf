-- case: SET EXPRESSION of a stored generated column rewrites the table
-- since: 17
-- expect: require-lock-timeout set-generated-expression
-- risk: high
ALTER TABLE orders ALTER COLUMN total SET EXPRESSION AS (price * qty);

-- case: SET EXPRESSION on a table the migration created
-- since: 17
-- expect: none
CREATE TABLE app.priced (price numeric, qty int, total numeric GENERATED ALWAYS AS (price * qty) STORED);
ALTER TABLE app.priced ALTER COLUMN total SET EXPRESSION AS (price * qty * 2);

-- case: MERGE ... RETURNING parses and is no schema change
-- since: 17
-- expect: none
MERGE INTO app.stock s USING app.delivery d ON s.item = d.item
WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty
WHEN NOT MATCHED THEN INSERT (item, qty) VALUES (d.item, d.qty)
RETURNING merge_action(), s.item;

-- case: a virtual generated column stores nothing: no rewrite
-- since: 18
-- expect: require-lock-timeout
ALTER TABLE orders ADD COLUMN total_virtual numeric GENERATED ALWAYS AS (price * qty) VIRTUAL;

-- case: a stored generated column is computed for every row
-- expect: add-column-volatile-default require-lock-timeout
ALTER TABLE orders ADD COLUMN total_stored numeric GENERATED ALWAYS AS (price * qty) STORED;

-- case: NOT NULL as a table constraint is SET NOT NULL by another name
-- since: 18
-- expect: require-lock-timeout set-not-null
ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email;

-- case: NOT NULL NOT VALID, then VALIDATE in its own transaction: the scan-free path
-- since: 18
-- expect: require-lock-timeout
ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID;

-- case: a NOT ENFORCED foreign key checks nothing
-- since: 18
-- expect: constraint-not-enforced require-lock-timeout
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT ENFORCED;

-- case: a NOT ENFORCED check constraint checks nothing
-- since: 18
-- expect: constraint-not-enforced require-lock-timeout
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT ENFORCED;

-- case: making a constraint ENFORCED checks every existing row
-- since: 18
-- expect: enforce-constraint require-lock-timeout
ALTER TABLE orders ALTER CONSTRAINT orders_total_positive ENFORCED;

-- case: making a constraint NOT ENFORCED stops checking it, like disabling a trigger
-- since: 18
-- expect: disable-constraint require-lock-timeout
-- risk: high
ALTER TABLE orders ALTER CONSTRAINT orders_total_positive NOT ENFORCED;

-- case: dropped and added back NOT ENFORCED in one statement switches the check off
-- since: 18
-- expect: disable-constraint require-lock-timeout
-- risk: high
ALTER TABLE orders DROP CONSTRAINT orders_price_check, ADD CONSTRAINT orders_price_check CHECK (price > 0) NOT ENFORCED;

-- case: a foreign key dropped, then added back NOT ENFORCED
-- since: 18
-- expect: disable-constraint drop-constraint require-lock-timeout
-- risk: high
ALTER TABLE orders DROP CONSTRAINT orders_user_fk;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT ENFORCED;
