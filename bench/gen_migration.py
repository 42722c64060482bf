#!/usr/bin/env python3
"""Writes a synthetic migration of exactly N statements for the CLI throughput benchmark.

realistic: what long-lived projects accumulate - tables, columns, indexes, constraints being
           tightened, columns dropped, data fixes with semicolons inside strings, function
           bodies, and comments between statements.
baseline:  N trivial `SELECT 1;` statements, the cost of parsing and reporting alone.
corpus:    N realistic migration files of 3 to 40 statements each in folder OUTPUT, named as
           timestamped migrations are (the linter's multi-file benchmark).
"""
import os
import random
import sys


def realistic(n, out, seed=42):
    rnd = random.Random(seed)  # fixed seed: every run lints the same text
    tables = []
    written = 0

    def emit(sql):
        nonlocal written
        out.write(sql)
        out.write("\n")
        written += 1

    while written < n:
        if rnd.random() < 0.15:
            out.write(f"-- migration step {written}: keep the schema tidy; see ticket #{written}\n")
        if rnd.random() < 0.03:
            out.write(f"/* generated block {written}\n   DROP TABLE nothing; -- inside a comment */\n")
        k = rnd.randrange(100)
        if k < 14 or not tables:
            t = f"app.table_{written}"
            tables.append(t)
            emit(f"CREATE TABLE {t} (\n"
                 f"    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                 f"    account_id bigint NOT NULL,\n"
                 f"    name text NOT NULL DEFAULT '',\n"
                 f"    created_at timestamptz NOT NULL DEFAULT now()\n"
                 f");")
            continue
        t = rnd.choice(tables)
        col = f"c_{written}"
        if k < 34:
            emit(f"ALTER TABLE {t} ADD COLUMN {col} text;")
        elif k < 46:
            how = "CONCURRENTLY " if rnd.random() < 0.5 else ""
            emit(f"CREATE INDEX {how}idx_{written} ON {t} (account_id, created_at);")
        elif k < 56:
            emit(f"ALTER TABLE {t} ALTER COLUMN name SET NOT NULL;")
        elif k < 62:
            emit(f"ALTER TABLE {t} DROP COLUMN IF EXISTS old_{written};")
        elif k < 80:
            emit(f"UPDATE {t} SET name = 'fixed; see note {written}' "
                 f"WHERE name = 'broken;value' AND id > {written};")
        elif k < 88:
            emit(f"INSERT INTO app.audit_note (body) VALUES ('step {written}; done; ok');")
        elif k < 94:
            emit(f"ALTER TABLE {t} ADD CONSTRAINT fk_{written} FOREIGN KEY (account_id) "
                 f"REFERENCES app.accounts (id) NOT VALID;")
        else:
            emit(f"CREATE OR REPLACE FUNCTION app.touch_{written}() RETURNS trigger\n"
                 f"LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.name := 'x;y';\n  RETURN NEW;\nEND;\n$$;")


def baseline(n, out):
    out.write("SELECT 1;\n" * n)


def corpus(n, folder):
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        path = os.path.join(folder, f"2026{i // 1000:04d}{i % 1000:06d}_step_{i}.sql")
        with open(path, "w", encoding="utf-8") as out:
            realistic(3 + (i * 7) % 38, out, seed=i)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("realistic", "baseline", "corpus"):
        sys.exit("usage: gen_migration.py realistic|baseline|corpus N OUTPUT")
    n = int(sys.argv[2])
    if sys.argv[1] == "corpus":
        corpus(n, sys.argv[3])
        return
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        (realistic if sys.argv[1] == "realistic" else baseline)(n, out)


if __name__ == "__main__":
    main()
