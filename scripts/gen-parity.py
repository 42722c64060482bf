#!/usr/bin/env python3
"""Writes the shared corpus (test/corpus/*.sql) as a COPY-format table for the pg_regress test
`parity`: file, case name, expected rule ids (sorted, space-separated or 'none'), expected risk
('' when not asserted), the major whose grammar the SQL needs (0: any), SQL text."""
import pathlib
import sys


def cases(corpus_dir):
    for path in sorted(pathlib.Path(corpus_dir).glob("*.sql")):
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("-- case: "):
                if current:
                    yield current
                current = {"file": path.name, "name": line[9:], "expect": [], "risk": "", "since": 0, "quiet": [],
                           "sql": ""}
            elif current is not None and line.startswith("-- expect: "):
                rules = line[11:].split()
                current["expect"] = [] if rules == ["none"] else sorted(rules)
            elif current is not None and line.startswith("-- since: "):
                current["since"] = int(line[10:].split()[0])
            elif current is not None and line.startswith("-- quiet: "):
                current["quiet"] = line[10:].split()
            elif current is not None and line.startswith("-- risk: "):
                current["risk"] = line[9:].split()[0]
            elif current is not None:
                current["sql"] += line + "\n"
        if current:
            yield current


def copy_escape(value):
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "sql" / "parity_cases.tsv"
    rows = []
    for c in cases(root / "test" / "corpus"):
        expect = " ".join(c["expect"]) or "none"
        rows.append("\t".join(copy_escape(v) for v in (c["file"], c["name"], expect, c["risk"], str(c["since"]), c["sql"])))
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
