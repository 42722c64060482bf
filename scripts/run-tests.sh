#!/usr/bin/env bash
# Every test of migration_guard, in order: unit tests (GoogleTest), the same under
# AddressSanitizer + UBSan, the CLI, the shared-corpus parity through the CLI, the pg_regress
# suites against temporary PostgreSQL 15 instances (plain, preloaded, locked; they include the
# server's parity check), the isolation specs, scripted sessions against throwaway servers, and
# real migration tools (scripts/install-tools.sh installs them, cached).
# Expects `make install` to have run (`make test` does both). Leaves no server running.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failed_suites=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run NAME COUNT_REGEX CMD...: runs a suite, shows its output, adds up its passed/failed counts.
run() {
  local name=$1 counter=$2
  shift 2
  printf '\n===== %s =====\n' "$name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  read -r p f < <(python3 - "$counter" "$log" <<'PY'
import re, sys
kind, text = sys.argv[1], open(sys.argv[2], errors="replace").read()
p = f = 0
if kind == "ctest":
    m = re.search(r"tests passed, (\d+) tests failed out of (\d+)", text)
    if m: f, p = int(m.group(1)), int(m.group(2)) - int(m.group(1))
elif kind == "plain":
    m = re.findall(r"^(\d+) passed, (\d+) failed", text, re.M)
    if m: p, f = int(m[-1][0]), int(m[-1][1])
elif kind == "regress":
    for m in re.finditer(r"All (\d+) tests passed", text): p += int(m.group(1))
    for m in re.finditer(r"(\d+) of (\d+) tests failed", text):
        f += int(m.group(1)); p += int(m.group(2)) - int(m.group(1))
print(p, f)
PY
)
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$status" -eq 0 ] || failed_suites+=("$name")
}

build_asan() {
  cmake -S . -B build-asan -DMG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
    cmake --build build-asan -j2 --target engine_tests migration-guard >/dev/null
}

run "unit tests" ctest ctest --test-dir build --output-on-failure -j2
if build_asan; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1 LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp
  run "unit tests (AddressSanitizer + UBSan)" ctest ctest --test-dir build-asan --output-on-failure -j2
  run "CLI (AddressSanitizer + UBSan)" plain bash test/cli/run.sh build-asan/migration-guard
  run "CLI usability (AddressSanitizer + UBSan)" plain bash test/cli/usability.sh build-asan/migration-guard
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
else
  echo "sanitizer build failed"; failed=$((failed + 1)); failed_suites+=("sanitizer build")
fi
run "CLI" plain bash test/cli/run.sh build/migration-guard
run "CLI usability: suppressions, config, layouts, nothing lost, reports, hygiene" plain bash test/cli/usability.sh build/migration-guard
run "SARIF against the SARIF 2.1.0 schema (ajv)" plain bash test/cli/sarif_schema.sh build/migration-guard
# lint --jobs lints on threads: the CLI tests again under ThreadSanitizer.
if cmake -S . -B build-tsan -DMG_TSAN=ON -DMG_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
    cmake --build build-tsan -j2 --target migration-guard >/dev/null; then
  TSAN_OPTIONS=halt_on_error=1 run "CLI (ThreadSanitizer)" plain bash test/cli/run.sh build-tsan/migration-guard
else
  echo "ThreadSanitizer build failed"; failed=$((failed + 1)); failed_suites+=("ThreadSanitizer build")
fi
run "fuzzing the lint path (clang libFuzzer, ${FUZZ_SECONDS:-20} s; make fuzz runs longer)" plain ./fuzz/run.sh "${FUZZ_SECONDS:-20}"
run "parity: corpus through the CLI" plain python3 test/cli/parity.py build/migration-guard
run "dist: the CLI tarball works in a chroot without build tools" plain bash scripts/dist.sh
run "rule scoring: hazards caught, safe cases silent (test/scoring)" plain python3 test/scoring/score.py build/migration-guard
run "docs: the rule table matches the catalog" plain python3 scripts/gen-rules-table.py --check build/migration-guard
run "pg_regress (temporary instances: plain, preloaded, locked)" regress scripts/run-regress.sh
run "isolation (pg_isolation_regress)" regress scripts/run-isolation.sh
run "scripted sessions (throwaway servers)" plain bash test/sessions/run.sh
run "rollback and recycle bin sessions (throwaway server)" plain bash test/sessions/rollback.sh
run "blocked attempts across databases, a clean restart, a standby (throwaway servers)" plain bash test/sessions/blocked_writers.sh
run "extension updates: every older version updates to one equal to a fresh install" plain bash test/sessions/extension_update.sh
run "a guarded database's life: pg_dump, pg_restore, psql -f, pg_upgrade, pgbench -i, DROP EXTENSION (throwaway servers)" plain bash test/sessions/lifecycle.sh
run "a FOR ALL TABLES publication and a guarded subscriber (throwaway servers)" plain bash test/sessions/replication.sh
run "PostgreSQL 17: pg_regress and isolation suites (built from Debian's postgresql-17 source, cached)" plain bash scripts/pg-major.sh 17
run "PostgreSQL 18: pg_regress and isolation suites (built from Debian's postgresql-18 source, cached)" plain bash scripts/pg-major.sh 18
run "CLI check against a throwaway server" plain bash test/cli/check.sh build/migration-guard
run "migration tools (psql, dbmate, knex, node-pg-migrate, Alembic, Django, Sqitch, TypeORM, Prisma, Drizzle, Sequelize, Kysely, MikroORM, Rails, Liquibase)" plain bash test/tools/run.sh
# Last: these install the Debian packages over the tree's installation (and put it back after).
run "Debian packages: make deb, dpkg -i, the pg_regress suites on the installed files, dpkg -r" plain bash scripts/deb.sh --test
run "docs/setup.md on an existing Debian cluster, step by step (pg_createcluster)" plain bash test/sessions/existing_server.sh

# The README promises that tests leave no server running: check it.
leftover=$(pgrep -af "postgres -D /tmp/mg-" || true)
if [ -n "$leftover" ]; then
  printf '\nservers left running:\n%s\n' "$leftover"
  failed=$((failed + 1)); failed_suites+=("no server left running")
else
  passed=$((passed + 1))
fi

printf '\n'
if [ ${#failed_suites[@]} -gt 0 ]; then printf 'failed suites: %s\n' "${failed_suites[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_suites[@]} -eq 0 ]
