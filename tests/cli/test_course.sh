#!/bin/sh
# test_course.sh — `seqlab dev verify` on the bundled course, as TAP: one
# test per exercise (its starter fails and its solution passes, hidden
# tests included) and per broken link, plus one for the manifest.
BIN=${SEQLAB_BIN:-build/seqlab}
out=$("$BIN" dev verify --course lessons 2>&1)
rc=$?
n=0
echo "$out" | grep -E '^  (ok  |FAIL)' >/tmp/seqlab-verify.$$
while IFS= read -r line; do
    n=$((n + 1))
    case "$line" in
    "  ok"*) echo "ok $n - ${line#  ok   }" ;;
    *) echo "not ok $n - ${line#  FAIL }" ;;
    esac
done </tmp/seqlab-verify.$$
rm -f /tmp/seqlab-verify.$$
n=$((n + 1))
if [ "$rc" -eq 0 ]; then
    echo "ok $n - the bundled course verifies"
else
    echo "not ok $n - the bundled course verifies"
    echo "$out" | sed 's/^/# /'
fi
echo "1..$n"
[ "$rc" -eq 0 ]
