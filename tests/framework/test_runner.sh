#!/bin/bash
# tests/run.sh itself, on the fixtures in fixtures/: what it counts for a
# test that dies, skips, crashes, leaves things behind or hangs, and that
# nothing of a hung test survives its timeout.
cd "$(dirname "$0")/../.."
export TEST_DIRS=tests/framework/fixtures FIXTURE_TOKEN=$$-$RANDOM
out() { tests/run.sh "$@" 2>&1; }
# expect NAME OUTPUT LINE...: every line is in the output.
expect() {
	local name=$1 text=$2 line missing=()
	shift 2
	for line in "$@"; do
		grep -qxF -- "$line" <<<"$text" || missing+=("$line")
	done
	if [ ${#missing[@]} -eq 0 ]; then echo "PASS $name"
	else echo "FAIL $name: missing '${missing[*]}' in:"; sed 's/^/    /' <<<"$text"; fi
}

expect runner_isolation "$(out test_isolated.sh)" "7 passed, 0 failed, 0 skipped"
expect runner_died_script_checks_are_errors "$(out test_died.py)" \
	"PASS fixture_died_first" \
	"ERROR fixture_died_second: did not run (script died: AttributeError: 'NoneType' object has no attribute 'startswith')" \
	"ERROR fixture_died_third: did not run (script died: AttributeError: 'NoneType' object has no attribute 'startswith')" \
	"2 passed, 3 failed, 0 skipped"
expect runner_skip_not_allowed_fails "$(out test_skip.py)" \
	"FAIL fixture_skip_skipped: skipped, and TEST_ALLOW_SKIP does not allow it (docs/testing.md)" \
	"FAIL fixture_skip_declared_2: not declared with mboxtest.plan() (PASS)" "3 passed, 2 failed, 0 skipped"
expect runner_skip_allowed_counts "$(TEST_ALLOW_SKIP='fixture_skip_s*' out test_skip.py:fixture_skip_[ps]*)" \
	"PASS fixture_skip_pass" "SKIP fixture_skip_skipped: the fixture cannot run it" "2 passed, 0 failed, 1 skipped"
expect runner_one_case "$(out test_skip.py:fixture_skip_pass)" "PASS fixture_skip_pass" "2 passed, 0 failed, 0 skipped"
expect runner_crash_is_error "$(out test_crash.sh)" "ERROR test_crash.sh: was killed by signal 11" \
	"3 passed, 1 failed, 0 skipped"
expect runner_leftovers_fail "$(out test_leftover.sh | sed "s/sleep\[[0-9]*\]/sleep[PID]/")" \
	"FAIL test_leftover.sh/no_leftovers: processes still running: sleep[PID] network namespaces: mbox-fixture-left (killed and removed now)"
start=$(date +%s)
expect runner_timeout_counts "$(TEST_TIMEOUT=2 out test_hang.sh)" "PASS fixture_hang_reported" \
	"ERROR test_hang.sh: was still running after 2 s" \
	"ERROR fixture_hang_never: did not run (the test was still running after 2 s)" "1 passed, 2 failed, 0 skipped"
busy=$(pgrep -f "mbox-fixture-busy-$FIXTURE_TOKEN")
if [ -z "$busy" ] && [ $(($(date +%s) - start)) -lt 15 ]; then echo "PASS runner_timeout_kills_everything"
else echo "FAIL runner_timeout_kills_everything: still running: $busy"; fi
