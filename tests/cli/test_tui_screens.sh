#!/bin/sh
# test_tui_screens.sh — screen tests: each tests/tui/screens/*.keys script
# drives the TUI headless (`seqlab tui --script`), at 80x24 and 120x36, in
# UTF-8 colour and in ASCII monochrome; every `dump` is compared with its
# reviewed golden in tests/tui/golden/<mode>/.  A new or changed screen
# fails and is copied to tests/tui/failed/ for review; UPDATE=1 accepts
# the current screens as goldens (after a person has looked at them).
BIN=${SEQLAB_BIN:-build/seqlab}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP" /tmp/seqlab-screens' EXIT
n=0
fails=0
for script in tests/tui/screens/*.keys; do
    base=$(basename "$script" .keys)
    for mode in 80x24-utf8 80x24-ascii 120x36-utf8 120x36-ascii; do
        size=${mode%%-*}
        case $mode in
        *ascii) flags="--ascii --no-color" ;;
        *) flags="" ;;
        esac
        out=$TMP/$mode/$base
        mkdir -p "$out"
        rm -rf /tmp/seqlab-screens
        mkdir -p /tmp/seqlab-screens/home
        # a fixed workspace path, so that it reads the same on every run
        HOME=/tmp/seqlab-screens/home XDG_STATE_HOME=/tmp/seqlab-screens/state \
        LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
            "$BIN" tui --script "$script" --size "$size" --dump-dir "$out" \
            --course tests/fixtures/course \
            --workspace /tmp/seqlab-screens/ws $flags >"$TMP/log" 2>&1
        rc=$?
        n=$((n + 1))
        if [ $rc -ne 0 ]; then
            fails=$((fails + 1))
            echo "not ok $n - $base ($mode) runs (exit $rc)"
            sed 's/^/# /' "$TMP/log" | head -20
            continue
        fi
        echo "ok $n - $base ($mode) runs"
        for dump in "$out"/*.txt; do
            name=$(basename "$dump" .txt)
            golden=tests/tui/golden/$mode/$base-$name
            n=$((n + 1))
            if [ "${UPDATE:-}" = 1 ]; then
                mkdir -p "tests/tui/golden/$mode"
                cp "$dump" "$golden.txt"
                cp "$out/$name.attr" "$golden.attr"
            fi
            if [ -f "$golden.txt" ] && cmp -s "$dump" "$golden.txt" &&
                cmp -s "$out/$name.attr" "$golden.attr"; then
                echo "ok $n - $base: $name ($mode)"
            else
                fails=$((fails + 1))
                echo "not ok $n - $base: $name ($mode) differs from its golden"
                mkdir -p "tests/tui/failed/$mode"
                cp "$dump" "tests/tui/failed/$mode/$base-$name.txt"
                cp "$out/$name.attr" "tests/tui/failed/$mode/$base-$name.attr"
                if [ -f "$golden.txt" ]; then
                    diff -u "$golden.txt" "$dump" | head -30 | sed 's/^/# /'
                else
                    echo "# no reviewed golden yet: see tests/tui/failed/$mode/$base-$name.txt"
                fi
            fi
        done
    done
done
echo "1..$n"
[ "$fails" -eq 0 ]
