# Shared by the scripted-session tests: counts and the regex check.
passed=0
failed=0
check() {  # check NAME EXPECTED_REGEX OUTPUT
  if printf '%s' "$3" | grep -Eq -- "$2"; then
    echo "ok - $1"; passed=$((passed + 1))
  else
    echo "not ok - $1"; echo "   expected /$2/ in:"; printf '%s\n' "$3" | sed 's/^/   | /'; failed=$((failed + 1))
  fi
}
