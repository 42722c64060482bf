#!/usr/bin/env bash
# Everything docs/performance.md reports, in one run: instructions per statement (bare, guard,
# pgaudit, the PL/pgSQL recipe; 10,000 tables; ordinary traffic), the pgbench ratios, and lint
# time against squawk. Prints figures and ratios only. Needs `make install` first; ~25 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Instructions per statement (callgrind) =="
bash bench/ddl_instructions.sh
echo
echo "== pgbench, guard vs bare =="
bash bench/pgbench_ratio.sh
echo
echo "== Lint time, migration-guard vs squawk =="
bash bench/lint_vs_squawk.sh "${MG:-build/migration-guard}"
