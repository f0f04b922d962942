#!/bin/bash
# Runs the tests: the unit test binaries in $UNIT_DIR, the scripts in
# tests/integration and the runner's own tests in tests/framework (TEST_DIRS
# replaces the list), each alone in its own namespaces (tests/isolate.sh).
#   tests/run.sh                     every test
#   tests/run.sh TEST[:GLOB]...      those tests (file names, e.g. test_acl.py),
#                                    with GLOB only the checks it matches
#   tests/run.sh fast                the fast tier (tests/fast-tier)
# A test prints "PLAN name" for each check it will report, then "PASS name",
# "FAIL name: why", "ERROR name: why" (could not check) or "SKIP name: why".
# A planned check never reported is an ERROR, as is a test that dies, exits
# non-zero without a FAIL, or runs past TEST_TIMEOUT seconds (default 1200).
# A SKIP counts as skipped only when TEST_ALLOW_SKIP (globs) names it, else
# as failed.  ERRORs are failures.  docs/testing.md has the details.
# Ends with "P passed, F failed, S skipped".
set -u
cd "$(dirname "$0")/.."
: "${MBOXD:=build/mboxd}" "${UNIT_DIR:=build/tests}" "${TEST_TIMEOUT:=1200}" "${TEST_ALLOW_SKIP:=}"
: "${TEST_DIRS:=$UNIT_DIR tests/integration tests/framework}"
export MBOXD
# The scripts import the Python library they share with tools/ (tools/mboxlib).
export PYTHONPATH=$PWD/tools${PYTHONPATH:+:$PYTHONPATH}
[ "$(id -u)" = 0 ] || { echo "tests/run.sh: needs root (namespaces, hugepages)" >&2; exit 2; }
passed=0 failed=0 skipped=0 fails=0 errors=0 refused=0
run=$(mktemp -d "${TMPDIR:-/tmp}/mbox-run.XXXXXX")
trap 'rm -rf "$run"' EXIT

# Which tests, and per test a check glob (default *).  "fast" stands for
# the fast tier: every unit test and the scripts tests/fast-tier names.
args=()
for arg in "$@"; do
	if [ "$arg" = fast ]; then
		for t in "$UNIT_DIR"/test_*; do [ -x "$t" ] && args+=("$(basename "$t")"); done
		args+=($(grep -v '^#' tests/fast-tier))
	else
		args+=("$arg")
	fi
done
set -- "${args[@]}"
declare -A only
for arg in "$@"; do
	t=${arg%%:*}
	[[ $arg == *:* ]] && only[$t]=${arg#*:} || only[$t]='*'
done
tests=()
for d in $TEST_DIRS; do
	for t in "$d"/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		[ $# -eq 0 ] || [ -n "${only[$(basename "$t")]:-}" ] && tests+=("$t")
	done
done
for t in "${!only[@]}"; do
	printf '%s\n' "${tests[@]}" | grep -q "/$t\$" || { echo "tests/run.sh: no test named $t" >&2; exit 2; }
done

skip_allowed() {
	local g
	for g in $TEST_ALLOW_SKIP; do
		[[ $1 == $g ]] && return 0
	done
	return 1
}

# Host side, after the namespaces are gone: a process still in the test's
# PID namespace would be one the kernel failed to kill.
survivors() {
	local ns
	ns=$(cat "$1" 2>/dev/null) || return 0
	find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/pid' -lname "$ns" 2>/dev/null | cut -d/ -f3
}

run_one() {
	local t=$1 name log work rc
	name=$(basename "$t")
	log=$run/$name.log work=$run/$name.work
	mkdir "$work"
	echo "== $name"
	local started=$SECONDS
	# Output into a file, not a pipe, which would wait for a process that
	# keeps it open.
	MBOX_TEST_CASE=${only[$name]:-*} timeout -k 10 "$TEST_TIMEOUT" \
		unshare --pid --fork --kill-child --mount-proc --net --mount --propagation private \
		tests/isolate.sh "$run/$name.pidns" "$work" "$t" >"$log" 2>&1
	rc=$?
	local left
	left=$(survivors "$run/$name.pidns")
	[ -n "$left" ] && { echo "FAIL $name/no_survivors: processes $(echo $left) outlived the test's namespace" >>"$log"; kill -KILL $left 2>/dev/null; }
	rm -rf "$work"
	local died=""
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		died="was still running after $TEST_TIMEOUT s"
	elif [ "$rc" -gt 128 ]; then
		died="was killed by signal $((rc - 128))"
	elif [ "$rc" -ne 0 ] && ! grep -q '^\(FAIL\|ERROR\) ' "$log"; then
		died="exited with status $rc"
	fi
	[ -n "$died" ] && echo "ERROR $name: $died" >>"$log"
	echo "   ($name took $((SECONDS - started)) s)"
	# Count the report: every PASS/FAIL/ERROR/SKIP line, and an ERROR for
	# each planned check that never reported.
	local counts
	counts=$(awk '
		/^PLAN [^ ]+$/ { if (!($2 in plan)) { plan[$2] = 1; order[++n] = $2 }; next }
		/^(PASS|FAIL|ERROR|SKIP) / { k = $1; c = $2; sub(/:$/, "", c); seen[c] = 1
			if (k == "SKIP") print "SKIP " c; else cnt[k]++ }
		END { for (i = 1; i <= n; i++) if (!(order[i] in seen)) {
				print "MISSING " order[i]; cnt["ERROR"]++ }
			printf "COUNT %d %d %d\n", cnt["PASS"], cnt["FAIL"], cnt["ERROR"] }' "$log")
	grep -E '^(PASS|FAIL|ERROR|SKIP) ' "$log"
	local kind c p=0 f=0 e=0 s=0 r=0
	while read -r kind c rest; do
		case $kind in
		MISSING) echo "ERROR $c: did not run (the test ${died:-ended without reporting it})" ;;
		SKIP) if skip_allowed "$c"; then s=$((s + 1)); else r=$((r + 1))
			echo "FAIL $c: skipped, and TEST_ALLOW_SKIP does not allow it (docs/testing.md)"; fi ;;
		COUNT) p=$c f=${rest%% *} e=${rest##* } ;;
		esac
	done <<<"$counts"
	if [ $((f + e + r)) -gt 0 ]; then
		echo "   -- $name: its output around the failures (all of it: KEEP_LOGS=dir):"
		grep -v '^\(PASS\|PLAN\) ' "$log" | grep -B3 -A20 '^\(FAIL\|ERROR\) ' | head -80 | sed 's/^/    /'
	fi
	[ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$log" "$KEEP_LOGS/"
	passed=$((passed + p)) fails=$((fails + f)) errors=$((errors + e)) refused=$((refused + r))
	skipped=$((skipped + s))
}

for t in "${tests[@]}"; do
	run_one "$t"
done
failed=$((fails + errors + refused))
echo "detail: $passed PASS, $fails FAIL, $errors ERROR (checks that did not run, tests that died), $refused SKIP not allowed, $skipped SKIP allowed"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
