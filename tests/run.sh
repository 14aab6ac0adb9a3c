#!/bin/sh
# Runs test programs that speak TAP (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP,
# and seqlab's own Lua and CLI suites), prints one line per program and the
# failures in full, and ends with the line CI reads: "N passed, N failed".
# A program that exits non-zero without reporting a failing test (a crash,
# a sanitizer report) counts as one failure.
# Usage: tests/run.sh PROGRAM...   (a PROGRAM may carry arguments: "prog arg")
passed=0
failed=0
tmp=${TMPDIR:-/tmp}/seqlab-test.$$
trap 'rm -f "$tmp"' EXIT INT TERM
export CMOCKA_MESSAGE_OUTPUT=TAP
for prog in "$@"; do
    # shellcheck disable=SC2086
    $prog >"$tmp" 2>&1
    rc=$?
    ok=$(grep -c '^ok ' "$tmp")
    bad=$(grep -c '^not ok ' "$tmp")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
        echo "not ok - $prog exited with status $rc" >>"$tmp"
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    # the suite's name: the last word of the command (the script or binary)
    name=$(basename "${prog##* }")
    if [ "$bad" -eq 0 ]; then
        printf '%-28s %4d passed\n' "$name" "$ok"
    else
        printf '%-28s %4d passed, %d FAILED\n' "$name" "$ok" "$bad"
        sed 's/^/    /' "$tmp" | grep -v '^    ok ' | head -80
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
