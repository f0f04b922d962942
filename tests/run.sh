#!/bin/bash
# Runs every test: the unit test binaries in $UNIT_DIR and the integration
# scripts in tests/integration.  Each test prints "PASS name" or
# "FAIL name: why" lines; a program that dies without reporting counts as
# one failure.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${MBOXD:=build/mboxd}" "${UNIT_DIR:=build/tests}"
export MBOXD
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	local name=$1; shift
	echo "== $name"
	"$@" 2>&1 | tee "$log" | grep -E '^(PASS|FAIL|SKIP) '
	local rc=${PIPESTATUS[0]}
	local p f
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited with status $rc; its output:"
		tail -n 30 "$log" | sed 's/^/    /'
		f=1
	elif [ "$f" -ne 0 ]; then
		grep -B2 -A20 '^FAIL ' "$log" | grep -v '^PASS ' | sed 's/^/    /' | head -60
	fi
	passed=$((passed + p)); failed=$((failed + f))
}

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
for t in tests/integration/test_*; do
	[ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
