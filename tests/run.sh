#!/bin/bash
# Runs every test: the unit test binaries in $UNIT_DIR and the integration
# scripts in tests/integration.  Each test prints "PASS name" or
# "FAIL name: why" lines; a program that dies without reporting counts as
# one failure, as does one still running after TEST_TIMEOUT seconds
# (default 1200).  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${MBOXD:=build/mboxd}" "${UNIT_DIR:=build/tests}" "${TEST_TIMEOUT:=1200}"
export MBOXD
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	local name=$1; shift
	echo "== $name"
	# Into a file, not a pipe: a process a failed test left behind keeps
	# its output open, and a pipe would wait for it.  A test that hangs is
	# stopped after TEST_TIMEOUT seconds.
	timeout -k 10 "$TEST_TIMEOUT" "$@" >"$log" 2>&1
	local rc=$?
	grep -E '^(PASS|FAIL|SKIP) ' "$log"
	local p f
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	if [ "$rc" -eq 124 ]; then
		echo "FAIL $name: still running after $TEST_TIMEOUT s; its output ends:"
		tail -n 30 "$log" | sed 's/^/    /'
		f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
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
