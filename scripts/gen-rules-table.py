#!/usr/bin/env python3
"""Writes the rule table of docs/rules/README.md (between the <!-- rules table --> markers) from
the catalog (`migration-guard rules --format json`) and each rule page's **Lock:** line, and
checks that every rule has a page. With --check, exits 1 when the README is not up to date.
Usage: scripts/gen-rules-table.py [--check] [path/to/migration-guard]"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "rules"
BEGIN, END = "<!-- rules table: scripts/gen-rules-table.py -->", "<!-- end of rules table -->"
ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def where(rule):
    if rule["linter_only"]:
        return "linter only"
    if rule["server_only"]:
        return "server only"
    return "no (CLI and server)"


def table(binary):
    rules = json.loads(subprocess.run([binary, "rules", "--format", "json"], check=True,
                                      capture_output=True, text=True).stdout)
    missing = [r["rule"] for r in rules if not (DOCS / f"{r['rule']}.md").exists()]
    if missing:
        sys.exit(f"rules without a page in docs/rules: {', '.join(missing)}")
    rows = ["| Rule | Default risk | Category | Lock | Needs the server | Summary |", "|---|---|---|---|---|---|"]
    for r in sorted(rules, key=lambda r: (r["linter_only"], r["server_only"], ORDER[r["risk"]], r["rule"])):
        page = (DOCS / f"{r['rule']}.md").read_text(encoding="utf-8")
        m = re.search(r"\*\*Lock:\*\* ([^·\n]+)", page)
        lock = m.group(1).strip() if m else "none"
        summary = r["summary"] + (" (opt-in)" if r["opt_in"] and "opt-in" not in r["summary"] else "")
        rows.append(f"| [{r['rule']}]({r['rule']}.md) | {r['risk']} | {r['category']} | {lock} | {where(r)} | "
                    f"{summary.replace('|', '/')} |")
    return "\n".join(rows)


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    binary = args[0] if args else str(ROOT / "build" / "migration-guard")
    readme = DOCS / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    new = text[:start] + "\n" + table(binary) + "\n" + text[end:]
    if "--check" in sys.argv:
        ok = new == text
        print("ok - docs/rules/README.md lists every rule with its risk, category, lock and server need"
              if ok else "not ok - docs/rules/README.md is out of date: run scripts/gen-rules-table.py")
        print(f"{int(ok)} passed, {int(not ok)} failed")
        return 0 if ok else 1
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
