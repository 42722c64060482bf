#!/usr/bin/env bash
# Builds the libFuzzer target over the lint path with clang (ASan + UBSan) and runs it for
# SECONDS (default 180), seeded with the shared test corpus. Prints "1 passed, 0 failed" when no
# input crashed it; a crashing input is left in build-fuzz/ (crash-*).
#   fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-180}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DMG_FUZZ=ON -DMG_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 --target lint_fuzzer >/dev/null
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
cp test/corpus/*.sql "$seeds/"
cd build-fuzz
if ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=../fuzz/lsan.supp ./lint_fuzzer -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=4096 \
    -print_final_stats=1 "$seeds" 2>fuzz.log; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" fuzz.log || true
    echo "1 passed, 0 failed"
else
    tail -40 fuzz.log
    echo "0 passed, 1 failed"
    exit 1
fi
