# Shared by the CLI test scripts (sourced): running the binary, assertions, counting checks.
# The caller names the binary with use_binary and sets T (a scratch folder) before running it.

passed=0
failed=0
RC=0

# use_binary PATH : MG becomes PATH made absolute (the tests change folder), or the run stops.
use_binary() {
    if [[ ! -x $1 ]]; then
        echo "migration-guard binary not found or not executable: $1" >&2
        exit 2
    fi
    MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
}

# mg ARGS... : runs the binary; stdout in $T/out, stderr in $T/err, exit code in RC.
mg() {
    RC=0
    "$MG" "$@" >"$T/out" 2>"$T/err" || RC=$?
}

# expect_rc N : the last run exited with N.
expect_rc() {
    if [[ $RC -ne $1 ]]; then
        echo "  expected exit $1, got $RC" >&2
        sed 's/^/  | /' "$T/out" "$T/err" | head -30 >&2
        return 1
    fi
}

# has FILE TEXT : FILE contains TEXT (fixed string).
has() {
    if ! grep -qF -- "$2" "$1"; then
        echo "  expected '$2' in $(basename "$1"):" >&2
        sed 's/^/  | /' "$1" | head -30 >&2
        return 1
    fi
}

# py CODE [ARGS...] : runs python with the JSON of the last stdout as `d`, ARGS in sys.argv[2:].
py() {
    local code=$1
    shift
    python3 - "$T/out" "$@" <<PYEOF
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
$code
PYEOF
}

# check NAME CMD... : runs CMD, prints ok/not ok, counts it.
check() {
    local name=$1
    shift
    if "$@"; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name"
        failed=$((failed + 1))
    fi
}

# finish : the closing line; non-zero exit when a check failed.
finish() {
    echo "$passed passed, $failed failed"
    [[ $failed -eq 0 ]]
}
