#!/bin/sh
# test_check.sh — the grader from the command line, over the fixture course
# in tests/fixtures: every outcome (pass, fail, hidden failure, runtime
# error, syntax error, missing function, timeout, Lua and tensor memory,
# sandbox escapes), JSON and JUnit output, exit codes, progress, hints,
# solutions and reset.  Prints TAP.
BIN=${SEQLAB_BIN:-build/seqlab}
FIX=tests/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
WS=$TMP/ws
S="$BIN --course $FIX/course --workspace $WS"
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$TMP/out" | head -20; }
# check NAME EXPECTED_EXIT PATTERN...: the last command's exit status and
# that its output (stdout+stderr in $TMP/out) contains every pattern
check() {
    name=$1 want=$2
    shift 2
    if [ "$rc" != "$want" ]; then echo "# exit $rc, expected $want" >>"$TMP/out"; not_ok "$name"; return; fi
    for pat in "$@"; do
        if ! grep -q -- "$pat" "$TMP/out"; then echo "# missing: $pat" >>"$TMP/out"; not_ok "$name"; return; fi
    done
    ok "$name"
}
run() { "$@" >"$TMP/out" 2>&1; rc=$?; }
sub() { f=$1; shift; run $S check add --file "$FIX/submissions/$f" "$@"; }

run $S list
check "list shows the course, the workspace and items" 0 "Fixture course" "$WS" "w1.add" "w1.intro"
run $S list --json
check "list --json has ids and statuses" 0 '"id": "w1.add"' '"kind": "exercise"' '"status": "todo"'

run $S check add
check "a fresh starter fails (exit 1)" 1 "FAIL" "add(2, 3): expected 5, got nil"
[ -f "$WS/w1/add.lua" ] && ok "the starter was copied into the workspace" || not_ok "the starter was copied into the workspace"
run $S check --all --json
check "check --all --json on a new workspace reports failures (exit 1)" 1 '"status": "fail"' '"exercises": \[' '"max_score": 6'

cp "$FIX/course/basics/solutions/add.lua" "$WS/w1/add.lua"
cp "$FIX/course/basics/solutions/mean.lua" "$WS/w1/mean.lua"
run $S check --all
check "copying the solutions in makes check --all pass (exit 0)" 0 "PASS" "6/6 points"
run $S list --done
check "list --done shows passed exercises" 0 "w1.add" "w1.mean"
grep -q "w1.add	pass	5	5" "$WS/.seqlab/progress" && ok "progress records the pass and best score" || not_ok "progress records the pass and best score"

sub fail.lua --json
check "a wrong answer fails with expected and got" 1 '"status": "fail"' '"expected": "5"' '"got": "6"' '"check": "equal"' '"status": "not_run"'
sub hidden_fail.lua --json
check "a hidden failure hides inputs and values" 1 '"visibility": "hidden"' 'hidden test 1 of 1 failed (2 points)' '"score": 3'
if grep -q '"want"\|-8' "$TMP/out"; then not_ok "hidden expected values never appear"; else ok "hidden expected values never appear"; fi
sub raise.lua
check "a runtime error names the learner's file and line" 1 "ERROR" "boom in add" "raise.lua:3"
sub syntax.lua --json
check "a syntax error is an error with file:line (exit 2)" 2 '"status": "error"' 'syntax error' 'syntax.lua:4'
sub missing.lua
check "a missing function gets a tailored message" 2 "does not define scale" "return M"
sub not_table.lua
check "a module that returns nothing is explained" 2 "must return a table"
sub loop.lua --json
check "an infinite loop is stopped at the time limit" 2 '"status": "timeout"' 'time limit of 2 s'
run $S check mean --file "$FIX/submissions/lua_oom.lua" --json
check "unbounded Lua memory is stopped" 2 '"status": "oom"' 'memory'
sub tensor_oom.lua --json
check "a huge tensor is stopped at the tensor cap" 2 '"status": "oom"' 'out of memory'
rm -f /tmp/seqlab-sandbox-escape
sub os_execute.lua
check "os.execute is not available in the sandbox" 1 "ERROR"
[ ! -e /tmp/seqlab-sandbox-escape ] && ok "nothing ran outside the sandbox" || not_ok "nothing ran outside the sandbox"
sub read_outside.lua
check "files outside the course and workspace cannot be read" 1 "ERROR"
rm -f /tmp/seqlab-sandbox-escape.safetensors
sub save_outside.lua
check "seq.save outside the workspace is refused in the sandbox" 1 "not allowed in the sandbox"
[ ! -e /tmp/seqlab-sandbox-escape.safetensors ] && ok "no tensor file was written outside" || not_ok "no tensor file was written outside"
sub flood.lua
check "flooding output is capped and still passes" 0 "PASS" "output truncated"
run $S check add --file "$FIX/submissions/fail.lua" --exit-zero
check "--exit-zero always exits 0" 0 "FAIL"

sub fail.lua --junit "$TMP/junit.xml"
check "--junit writes a report" 1
grep -q '<testcase name="add of two numbers" classname="w1.add"><failure' "$TMP/junit.xml" && ok "the JUnit report lists the failure" || not_ok "the JUnit report lists the failure"

run $S check nosuch
check "an unknown exercise is a usage error" 64 "no exercise 'nosuch'"
run $S check
check "check without an exercise prints usage" 64 "usage: seqlab check"
run $S check add --bogus
check "an unknown option is a usage error" 64 "unknown option"

run $S hint add
check "hint shows the first hint" 0 "Hint 1" "1 more"
run $S hint add
check "hint again shows the next level" 0 "Hint 2"
run $S solution mean --force
check "solution --force prints the solution" 0 "x:mean()"
grep -q "w1.mean	pass	1	1	0	1" "$WS/.seqlab/progress" && ok "viewing the solution is recorded" || not_ok "viewing the solution is recorded"

echo "broken" >"$WS/w1/add.lua"
run $S reset add
check "reset restores the starter" 0 "reset"
grep -q "YOUR CODE HERE" "$WS/w1/add.lua" && grep -q broken "$WS/w1/add.lua.bak" && ok "reset keeps a .bak copy" || not_ok "reset keeps a .bak copy"
run $S solution add
check "the solution is refused before a pass" 1 "opens after"

printf 'garbage\n\0\377\nw1.add\tpass\tNaN\n' >"$WS/.seqlab/progress"
run $S list
check "a corrupt progress file is not an error" 0 "w1.add"

run $S read intro --plain
check "read prints a page" 0 "Introduction" "adding"
run $BIN dev verify --course $FIX/course
check "dev verify passes the fixture course" 0 "ok   w1.add" "0 problems"

BAD=$TMP/badcourse
cp -r $FIX/course "$BAD"
cp "$FIX/course/basics/solutions/add.lua" "$BAD/basics/exercises/add.lua"
run $BIN dev verify --course "$BAD"
check "dev verify catches a starter that passes" 1 "starter passes"
cp -r $FIX/course "$BAD.2"
sed -i 's/{ exercise = "mean", title = "A mean" },/{ exercise = "mean" },/' "$BAD.2/course.lua"
run $BIN dev verify --course "$BAD.2"
check "a malformed manifest names the file and the entry" 1 "course.lua" "items\[3\]" "missing 'title'"
cp -r $FIX/course "$BAD.3"
echo "See [nothing](w1.nothing)." >>"$BAD.3/basics/intro.md"
run $BIN dev verify --course "$BAD.3"
check "dev verify finds broken links" 1 "broken link to 'w1.nothing'"

echo "1..$n"
[ "$fails" -eq 0 ]
