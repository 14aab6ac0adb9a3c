#!/bin/sh
# test_repl.sh — `seqlab repl`: line-by-line evaluation from a pipe (no
# prompts, no banner), and the interactive prompt under a real pty (tmux):
# prompts, continuation, completion, Ctrl-C, Ctrl-D, history.
# Prints TAP.  Usage: SEQLAB_BIN=build/seqlab sh tests/cli/test_repl.sh
# CI may run without a terminal: tmux itself needs a TERM
export TERM="${TERM:-xterm-256color}"
[ "$TERM" = dumb ] && export TERM=xterm-256color
BIN=${SEQLAB_BIN:-build/seqlab}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
    shift
    for line in "$@"; do echo "#   $line"; done
}
skip() { n=$((n + 1)); echo "ok $n - # SKIP $1"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/seqlab-repl-test.XXXXXX")
sock=seqlab-test-$$
cleanup() {
    command -v tmux >/dev/null 2>&1 && tmux -L "$sock" kill-server 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# pipe INPUT: runs the REPL on INPUT (printf format), stdout and stderr
# into $tmp/out and $tmp/err, status into $rc
pipe() {
    printf "$1" | HOME=$tmp/home XDG_STATE_HOME=$tmp/state "$BIN" repl \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# expect_out NAME WANT: stdout is exactly WANT (printf format), stderr empty
expect_out() {
    printf "$2" >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/out" && [ ! -s "$tmp/err" ] && [ "$rc" = 0 ]
    then ok "$1"
    else not_ok "$1" "stdout: $(cat "$tmp/out")" "stderr: $(cat "$tmp/err")" \
        "status: $rc"
    fi
}

# ---- stdin is not a terminal -----------------------------------------------

pipe 'print(1+1)\n'
expect_out "a piped print prints its output and nothing else" '2\n'

pipe '1+1\n'
expect_out "a piped expression prints its value" '2\n'

pipe '=2*3, "x"\n'
expect_out "=expr prints every value, tab separated" '6\tx\n'

pipe 'function twice(x)\n  return 2 * x\nend\nprint(twice(21))\n'
expect_out "a multi-line function definition, then a call" '42\n'

pipe 'for i = 1, 3 do\n  io.write(i, " ")\nend\nprint()\n'
expect_out "a multi-line loop runs once complete" '1 2 3 \n'

pipe 'x = = 1\n'
if grep -q "^error: repl:1: unexpected symbol near '='$" "$tmp/err" &&
    [ ! -s "$tmp/out" ]; then
    ok "a syntax error is reported on stderr"
else not_ok "a syntax error is reported on stderr" "$(cat "$tmp/err")"
fi

pipe 'error("boom")\nprint("after")\n'
if [ "$(cat "$tmp/out")" = after ] &&
    grep -q "^error: repl:1: boom$" "$tmp/err" &&
    grep -q "^stack traceback:" "$tmp/err"; then
    ok "a runtime error with traceback does not stop later lines"
else not_ok "a runtime error with traceback does not stop later lines" \
    "stdout: $(cat "$tmp/out")" "stderr: $(cat "$tmp/err")"
fi

pipe 'x = 1\nx = x + 1\n= x\n'
expect_out "globals persist from line to line" '2\n'

pipe 'if true then\n'
if grep -q "'end' expected near <eof>" "$tmp/err"; then
    ok "an unfinished statement at end of input is a syntax error"
else not_ok "an unfinished statement at end of input is a syntax error" \
    "$(cat "$tmp/err")"
fi

pipe '=type(seq), type(np), type(seq.zeros)\n'
expect_out "the seqlab modules are globals" 'table\ttable\tfunction\n'

printf '1\n' | "$BIN" repl --bogus >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" = 64 ] && grep -q "unknown option '--bogus'" "$tmp/err"; then
    ok "an unknown option is a usage error (64)"
else not_ok "an unknown option is a usage error (64)" "status $rc"
fi

pipe 'print("no history")\n'
if [ ! -e "$tmp/state/seqlab/history" ]; then
    ok "a piped session writes no history"
else not_ok "a piped session writes no history"
fi

# ---- a terminal, under tmux -----------------------------------------------

tmux_tests="prompt-and-banner continuation completion method-completion
ctrl-c-running ctrl-c-prompt repeated-line ctrl-d-exit history-file
history-recall"
if ! command -v tmux >/dev/null 2>&1; then
    for t in $tmux_tests; do skip "no tmux ($t)"; done
    echo "1..$n"
    exit 0
fi

T() { tmux -L "$sock" "$@"; }
screen() { T capture-pane -p -J -S - -t repl 2>/dev/null; }
# wait_count PATTERN N: until N lines of the pane match PATTERN (~10 s)
wait_count() {
    i=0
    while [ $i -lt 100 ]; do
        c=$(screen | grep -c -- "$1")
        [ "$c" -ge "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
wait_for() { wait_count "$1" 1; }
type_line() { T send-keys -t repl -l "$1" && T send-keys -t repl Enter; }
# start: a session running the REPL; its exit status lands in $tmp/status
start() {
    rm -f "$tmp/status"
    T -f /dev/null new-session -d -s repl -x 100 -y 40 \
        "env HOME='$tmp/home' XDG_STATE_HOME='$tmp/state' INPUTRC=/dev/null \
         '$BIN' repl; echo \$? >'$tmp/status'; sleep 60"
}
wait_status() {
    i=0
    while [ $i -lt 100 ] && [ ! -s "$tmp/status" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -s "$tmp/status" ]
}
dump() { screen | grep -v '^ *$' | sed 's/^/screen: /'; }
check() { # NAME COMMAND...
    name=$1
    shift
    if "$@"; then ok "$name"; else
        not_ok "$name"
        dump | sed 's/^/#   /'
    fi
}

mkdir -p "$tmp/home"
hist=$tmp/state/seqlab/history

banner_then_prompt() {
    wait_for '^> *$' &&
        screen | head -1 | grep -q '^seqlab .* Lua 5.4 REPL.*Ctrl-D to quit$'
}
continuation() {
    type_line 'for i = 1, 2 do' && wait_for '^>> *$' &&
        type_line 'print("it" .. i)' && wait_count '^>>' 2 &&
        type_line 'end' && wait_for '^it2$'
}
completion() {
    T send-keys -t repl -l 'seq.ze' && T send-keys -t repl Tab &&
        T send-keys -t repl -l 's(2, 2):numel()' &&
        T send-keys -t repl Enter &&
        wait_for '^> seq\.zeros(2, 2):numel()$' && wait_for '^4$'
}
method_completion() {
    type_line 'x = seq.zeros(3)' && T send-keys -t repl -l 'x:nume' &&
        T send-keys -t repl Tab && T send-keys -t repl -l '()' &&
        T send-keys -t repl Enter && wait_for '^> x:numel()$' &&
        wait_for '^3$'
}
ctrl_c_running() {
    type_line 'print("spin" .. "ning") while true do end' &&
        wait_for '^spinning$' && T send-keys -t repl C-c &&
        wait_for '^error: interrupted$' &&
        type_line 'print(6 * 7)' && wait_for '^42$'
}
ctrl_c_prompt() {
    T send-keys -t repl -l 'half typed' && T send-keys -t repl C-c &&
        type_line '= "cleared"' && wait_for '^> = "cleared"$' &&
        wait_for '^cleared$' &&
        ! screen | sed -n '/half typed/,$p' | grep -q '^error'
}
dedupe() {
    type_line '= "dup"' && type_line '= "dup"' && wait_count '^dup$' 2 &&
        type_line 'print(6 * 7)' && wait_count '^42$' 2
}
ctrl_d_exits() {
    T send-keys -t repl C-d && wait_status &&
        [ "$(cat "$tmp/status")" = 0 ]
}
history_file() {
    [ "$(grep -c '^= "dup"$' "$hist")" = 1 ] &&
        grep -q '^for i = 1, 2 do$' "$hist" &&
        grep -q '^print(6 \* 7)$' "$hist" &&
        ! grep -q 'half typed' "$hist"
}
history_recall() {
    start && wait_for '^> *$' && T send-keys -t repl Up &&
        T send-keys -t repl Enter && wait_for '^42$'
}

start
check "the prompt appears after a one-line banner" banner_then_prompt
check "an unfinished statement continues at a >> prompt" continuation
check "tab completes seq.ze towards seq.zeros" completion
check "tab completes tensor methods after x:" method_completion
check "Ctrl-C interrupts a running statement, the prompt works again" \
    ctrl_c_running
check "Ctrl-C at the prompt clears the line" ctrl_c_prompt
check "a repeated line is run each time" dedupe
check "Ctrl-D at an empty prompt exits with status 0" ctrl_d_exits
T kill-session -t repl 2>/dev/null
check "the history file is written on exit, without repeats" history_file
check "history comes back in the next session" history_recall
T send-keys -t repl C-d
wait_status
T kill-session -t repl 2>/dev/null

echo "1..$n"
[ "$failed" = 0 ]
