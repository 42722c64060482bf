#!/usr/bin/env python3
"""Writes a corpus of migration projects in the layouts of the common tools, for the linter's
before/after benchmark (bench/lint_corpus.sh): what the linter meets in real repositories.

Every project has a few hundred migrations of 2 to 30 statements: tables, columns, indexes,
constraints, data fixes, drops, renames. Besides:
  - up and down migrations in each tool's own way: goose / dbmate / sql-migrate / node-pg-migrate
    markers in one file, golang-migrate *.up.sql / *.down.sql, Diesel up.sql / down.sql, Sqitch
    deploy/ revert/ verify/, Flyway V / U files, Prisma migration.sql (no down);
  - one project that uses row level security (RLS on most tables, policies), the others none;
  - psql scripts (\\set, \\connect, COPY ... FROM stdin data) in one project, Synapse-style
    *.sql.postgres files in another;
  - about one file in 200 with one statement PostgreSQL cannot parse (a typo, a missing
    keyword), the statements around it valid.
Usage: gen_corpus.py OUTPUT_FOLDER [MIGRATIONS_PER_PROJECT]
"""
import os
import random
import sys

rnd = random.Random(20261201)


class Project:
    def __init__(self, name, rls=False):
        self.name = name
        self.rls = rls
        self.tables = []
        self.n = 0

    def table(self):
        return rnd.choice(self.tables)

    def up_and_down(self):
        """One migration: its up statements and the down statements that undo them."""
        up, down = [], []
        for _ in range(rnd.randint(1, 15)):
            self.n += 1
            k = rnd.randrange(100)
            if k < 18 or not self.tables:
                t = f"{self.name}_t{self.n}"
                self.tables.append(t)
                up.append(f"CREATE TABLE {t} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                          f"    account_id bigint NOT NULL,\n    name text NOT NULL DEFAULT '',\n"
                          f"    created_at timestamptz NOT NULL DEFAULT now()\n);")
                if self.rls and rnd.random() < 0.9:
                    up.append(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;")
                    up.append(f"CREATE POLICY {t}_owner ON {t} USING (account_id = current_setting('app.account')::bigint);")
                down.append(f"DROP TABLE {t};")
                continue
            t = self.table()
            c = f"c{self.n}"
            if k < 40:
                up.append(f"ALTER TABLE {t} ADD COLUMN {c} text;")
                down.append(f"ALTER TABLE {t} DROP COLUMN {c};")
            elif k < 50:
                conc = "CONCURRENTLY " if rnd.random() < 0.4 else ""
                up.append(f"CREATE INDEX {conc}{t}_{c}_idx ON {t} (account_id, created_at);")
                down.append(f"DROP INDEX {conc}{t}_{c}_idx;")
            elif k < 57:
                up.append(f"ALTER TABLE {t} ALTER COLUMN name SET NOT NULL;")
                down.append(f"ALTER TABLE {t} ALTER COLUMN name DROP NOT NULL;")
            elif k < 70:
                up.append(f"UPDATE {t} SET name = 'fixed; see #{self.n}' WHERE name = '' AND id < {self.n};")
            elif k < 76:
                up.append(f"ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_fk FOREIGN KEY (account_id) REFERENCES accounts (id);")
                down.append(f"ALTER TABLE {t} DROP CONSTRAINT {t}_{c}_fk;")
            elif k < 80:
                up.append(f"ALTER TABLE {t} ALTER COLUMN name TYPE varchar(200);")
                down.append(f"ALTER TABLE {t} ALTER COLUMN name TYPE text;")
            elif k < 84:
                up.append(f"ALTER TABLE {t} RENAME COLUMN name TO {c}_name;")
                down.append(f"ALTER TABLE {t} RENAME COLUMN {c}_name TO name;")
            elif k < 88 and len(self.tables) > 3:
                self.tables.remove(t)
                up.append(f"DROP TABLE {t};")
                down.append(f"CREATE TABLE {t} (id bigint PRIMARY KEY);")
            elif k < 92:
                up.append(f"ALTER TABLE {t} DROP COLUMN IF EXISTS legacy_{self.n};")
                down.append(f"ALTER TABLE {t} ADD COLUMN legacy_{self.n} text;")
            else:
                up.append(f"CREATE OR REPLACE FUNCTION {t}_touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                          f"BEGIN NEW.created_at := now(); RETURN NEW; END $$;")
                down.append(f"DROP FUNCTION {t}_touch();")
        if rnd.random() < 0.005 * 3:  # one file in ~200 has a statement that does not parse
            i = rnd.randrange(len(up))
            up.insert(i, rnd.choice(["ALTER TABLE accounts ADD COLUMN;", "CREAT INDEX broken ON accounts (id);",
                                      "ALTER TABLE accounts ALTER COLUMN name TYPE;"]))
        return up, list(reversed(down))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def stamp(i):
    return f"2026{1 + i // 2800:02d}{1 + (i // 100) % 28:02d}{i % 100:02d}0000"


def main():
    out = sys.argv[1]
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    j = "\n".join
    layouts = ["goose", "dbmate", "sql-migrate", "node-pg-migrate", "golang-migrate", "diesel", "sqitch",
               "flyway", "prisma", "plain-psql", "synapse", "plain-rls", "plain"]
    for layout in layouts:
        p = Project(layout.replace("-", "_"), rls=layout == "plain-rls")
        root = os.path.join(out, layout)
        for i in range(per):
            up, down = p.up_and_down()
            name = f"step_{i}"
            if layout == "goose":
                write(f"{root}/{stamp(i)}_{name}.sql", f"-- +goose Up\n{j(up)}\n\n-- +goose Down\n{j(down)}\n")
            elif layout == "dbmate":
                write(f"{root}/{stamp(i)}_{name}.sql", f"-- migrate:up\n{j(up)}\n\n-- migrate:down\n{j(down)}\n")
            elif layout == "sql-migrate":
                write(f"{root}/{stamp(i)}_{name}.sql", f"-- +migrate Up\n{j(up)}\n\n-- +migrate Down\n{j(down)}\n")
            elif layout == "node-pg-migrate":
                write(f"{root}/{stamp(i)}_{name}.sql", f"-- Up Migration\n{j(up)}\n\n-- Down Migration\n{j(down)}\n")
            elif layout == "golang-migrate":
                write(f"{root}/{i:06d}_{name}.up.sql", j(up) + "\n")
                write(f"{root}/{i:06d}_{name}.down.sql", j(down) + "\n")
            elif layout == "diesel":
                write(f"{root}/2026-11-{1 + i % 28:02d}-{i:06d}_{name}/up.sql", j(up) + "\n")
                write(f"{root}/2026-11-{1 + i % 28:02d}-{i:06d}_{name}/down.sql", j(down) + "\n")
            elif layout == "sqitch":
                write(f"{root}/deploy/{name}.sql", f"BEGIN;\n{j(up)}\nCOMMIT;\n")
                write(f"{root}/revert/{name}.sql", f"BEGIN;\n{j(down)}\nCOMMIT;\n")
                write(f"{root}/verify/{name}.sql", f"SELECT 1 FROM accounts WHERE false;\n")
            elif layout == "flyway":
                write(f"{root}/V{i + 1}__{name}.sql", j(up) + "\n")
                write(f"{root}/U{i + 1}__{name}.sql", j(down) + "\n")
            elif layout == "prisma":
                write(f"{root}/{stamp(i)}_{name}/migration.sql", j(up) + "\n")
            elif layout == "plain-psql":
                copy = (f"COPY accounts (id, name) FROM stdin;\n{i}\tname's; DROP TABLE x;\n\\.\n"
                        if rnd.random() < 0.3 else "")
                write(f"{root}/{stamp(i)}_{name}.sql",
                      f"\\set ON_ERROR_STOP on\n{j(up)}\n{copy}\\echo done with it's step\n")
            elif layout == "synapse":
                write(f"{root}/delta/{i}/{name}.sql.postgres", j(up) + "\n")
            else:
                write(f"{root}/{stamp(i)}_{name}.sql", j(up) + "\n")


if __name__ == "__main__":
    main()
