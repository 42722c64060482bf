#!/usr/bin/env python3
"""Parity, CLI door: every case of the shared corpus (test/corpus) linted by the CLI must report
exactly the expected rule ids (and highest risk, where the case asserts one)."""
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from importlib import import_module  # noqa: E402

corpus = import_module("gen-parity")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "migration-guard")
    passed = failed = skipped = 0
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    grammar = int(version.split("PostgreSQL ")[1].split("'")[0])
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(corpus.cases(ROOT / "test" / "corpus")):
            if case["since"] > grammar:
                skipped += 1  # a newer major's syntax: the server suites of that major run it
                continue
            path = pathlib.Path(tmp) / f"case{i}.sql"
            path.write_text(case["sql"], encoding="utf-8")
            # The server's default protected schemas (migration_guard.rls_schemas = public); the
            # CLI's own default is the schemas the files use RLS in.
            run = subprocess.run([binary, "lint", "--format", "json", "--fail-on", "critical", "--no-config",
                                  "--rls-schemas", "public", str(path)],
                                 capture_output=True, text=True)
            label = f'{case["file"]}: {case["name"]}'
            try:
                report = json.loads(run.stdout)
                # The linter alone reads function bodies (the server judges them when they run).
                own = [f for f in report["files"][0]["findings"] if not f["message"].startswith("In function ")]
                got = sorted(f["rule"] for f in own)
                order = ["low", "medium", "high", "critical"]
                risk = max((f["risk"] for f in own), key=order.index, default="low")
            except (ValueError, KeyError, IndexError) as e:
                print(f"not ok - {label}: bad output ({e}): {run.stdout[:200]} {run.stderr[:200]}")
                failed += 1
                continue
            problems = []
            # Findings with nothing to change (a proven no-rewrite type change): the linter keeps quiet.
            expect = list(case["expect"])
            for rule in case["quiet"]:
                expect.remove(rule)
            if got != expect:
                problems.append(f'rules {" ".join(got) or "none"} != {" ".join(expect) or "none"}')
            if case["risk"] and risk != case["risk"]:
                problems.append(f'risk {risk} != {case["risk"]}')
            if run.returncode not in (0, 1):
                problems.append(f"exit code {run.returncode}")
            if problems:
                print(f"not ok - {label}: {'; '.join(problems)}")
                failed += 1
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped (need a grammar newer than PostgreSQL {grammar}'s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
