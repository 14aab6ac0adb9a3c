#!/bin/sh
# test_scripts.sh — the Week 1 experiment scripts (scripts/w1_*.lua) in
# quick mode: each exits 0 within a time budget and prints what it should
# (a loss that went down, samples, plots, the summary lines); the char LSTM
# checkpoint resumes exactly where an uninterrupted run would be; the jazz
# script's MIDI file reads back with the notes it reported.
# Prints TAP.  Usage: SEQLAB_BIN=build/seqlab sh tests/cli/test_scripts.sh
BIN=${SEQLAB_BIN:-build/seqlab}
# seconds per quick run; generous, so that ASan builds pass too
BUDGET=${SEQLAB_SCRIPT_BUDGET:-60}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/seqlab-scripts-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$TMP/out" | tail -25; }

# run NAME ARGS...: runs the script (plain ASCII plots, a hard timeout) with
# output in $TMP/out, exit status in $rc, wall time in $secs
run() {
    t0=$(date +%s)
    "$BIN" run --ascii --timeout $((BUDGET * 2)) "$@" >"$TMP/out" 2>&1
    rc=$?
    secs=$(($(date +%s) - t0))
}
# check NAME PATTERN...: exit 0, within the budget, every pattern in the output
check() {
    name=$1
    shift
    if [ "$rc" != 0 ]; then echo "# exit $rc" >>"$TMP/out"; not_ok "$name"; return; fi
    if [ "$secs" -gt "$BUDGET" ]; then
        echo "# took $secs s, budget $BUDGET s" >>"$TMP/out"; not_ok "$name"; return
    fi
    for pat in "$@"; do
        if ! grep -q -- "$pat" "$TMP/out"; then echo "# missing: $pat" >>"$TMP/out"; not_ok "$name"; return; fi
    done
    ok "$name ($secs s)"
}
# field PATTERN K: the K-th whitespace-separated field of the first line matching PATTERN
field() { awk -v k="$2" "/$1/ { v = \$k; gsub(/,/, \"\", v); print v; exit }" "$TMP/out"; }
# after PATTERN WORD: in the first line matching PATTERN, the field after WORD (commas dropped)
after() {
    awk -v w="$2" "/$1/ { for (i = 1; i < NF; i++) if (\$i == w) { v = \$(i + 1); gsub(/,/, \"\", v); print v; exit } }" \
        "$TMP/out"
}
# assert NAME AWK-CONDITION: e.g. assert "loss went down" "$last < $first"
assert() {
    if awk "BEGIN { exit !($2) }" 2>/dev/null; then ok "$1"; else echo "# failed: $2" >>"$TMP/out"; not_ok "$1"; fi
}

# ---- w1_dinosaurs --------------------------------------------------------------

run scripts/w1_dinosaurs.lua --quick
check "w1_dinosaurs --quick runs" "27 unique characters" "Iteration: 0, Loss: 23.07" \
    "Iteration: 500," "smoothed loss over 2500 iterations" "loss: first"
first=$(field "^loss: first" 3)
last=$(field "^loss: first" 5)
assert "w1_dinosaurs: the loss per name went down ($first -> $last)" "$last + 0 > 0 && $last < $first - 3"
# three samples after each report, the course's way: capitalised, letters only
names=$(awk '/^Iteration: 2000,/ { on = 1; next } on && /^  [A-Z][a-z]*$/ { c++ } on && !/^  / { exit } END { print c + 0 }' "$TMP/out")
assert "w1_dinosaurs prints sampled names ($names)" "$names == 3"
run scripts/w1_dinosaurs.lua --iterations 40 --every 20 --names 1 --bogus 1
if [ "$rc" = 64 ] && grep -q "unknown argument '--bogus'" "$TMP/out"; then
    ok "w1_dinosaurs: an unknown option is a usage error (exit 64)"
else
    not_ok "w1_dinosaurs: an unknown option is a usage error (exit 64)"
fi

# ---- w1_char_lstm --------------------------------------------------------------

CK=$TMP/char.safetensors
run scripts/w1_char_lstm.lua --quick --iterations 20 --save "$CK"
check "w1_char_lstm --quick --iterations 20 --save runs" "66 distinct" "step    20/20" "sample after 20 steps" \
    "training loss over 20 steps" "loss: first"
first=$(field "^loss: first" 3)
last=$(field "^loss: first" 5)
assert "w1_char_lstm: the loss went down ($first -> $last)" "$last + 0 > 0 && $last < $first - 0.3"
[ -s "$CK" ] && ok "w1_char_lstm wrote the checkpoint" || not_ok "w1_char_lstm wrote the checkpoint"

run scripts/w1_char_lstm.lua --quick --resume "$CK" --iterations 40 --temperature 0.5
check "w1_char_lstm --resume continues from step 20 to 40" "resuming from $CK: step 20" "step    40/40" \
    "temperature 0.5"
resumed=$(field "^step    40\\/40" 4)
grep -q "^step    30/40" "$TMP/out" && ! grep -q "^step    10/40" "$TMP/out" &&
    ok "w1_char_lstm: the resumed run starts after step 20" ||
    not_ok "w1_char_lstm: the resumed run starts after step 20"

run scripts/w1_char_lstm.lua --quick --iterations 40 --save "$TMP/straight.safetensors"
check "w1_char_lstm --quick --iterations 40 in one go" "step    40/40"
straight=$(field "^step    40\\/40" 4)
assert "w1_char_lstm: 20 + resumed 20 steps = 40 steps in one go (loss $resumed vs $straight)" \
    "$resumed + 0 > 0 && ($resumed - $straight) < 1e-3 && ($straight - $resumed) < 1e-3"

run scripts/w1_char_lstm.lua --resume "$CK" --iterations 0 --sample-len 40
check "w1_char_lstm samples from a checkpoint without training" "sampling only" "temperature 0.8"
run scripts/w1_char_lstm.lua --resume "$TMP/missing.safetensors"
if [ "$rc" = 1 ] && grep -q "cannot resume" "$TMP/out"; then
    ok "w1_char_lstm: a missing checkpoint is a clean error"
else
    not_ok "w1_char_lstm: a missing checkpoint is a clean error"
fi

# ---- w1_vanishing_gradients ----------------------------------------------------

run scripts/w1_vanishing_gradients.lua --quick
check "w1_vanishing_gradients --quick runs" "at initialisation (log scale)" "keep-gates biased" \
    "log10 |gradient entry|, before clipping" "after clipping to norm 1" "training loss, with and without" \
    "^vanishing at init" "^vanishing with keep-gates" "^exploding:" "^clipping:"
# ||dL/da<1>|| / ||dL/da<T>||: tiny for the RNN, not for the LSTM with its forget gate biased
rnn=$(after "^vanishing at init" rnn)
lstm=$(after "^vanishing with keep-gates" lstm)
assert "w1_vanishing_gradients: the RNN's gradient vanishes ($rnn), the biased LSTM's does not ($lstm)" \
    "$rnn + 0 > 0 && $rnn < 1e-6 && $lstm > 1e-3"
before=$(field "^exploding:" 5)
after=$(field "^exploding:" 7)
assert "w1_vanishing_gradients: clipping brings the global norm from $before to 1" \
    "$before > 100 && $after > 0.999 && $after < 1.001"
with=$(awk '/^clipping:/ { print $NF; exit }' "$TMP/out")
assert "w1_vanishing_gradients: the clipped run learns (final loss $with)" "$with + 0 > 0 && $with < 1.2"

# ---- w1_jazz -------------------------------------------------------------------

MID=$TMP/solo.mid
run scripts/w1_jazz.lua --quick --out "$MID"
check "w1_jazz --quick runs" "1161 tokens" "X (60, 30, 90), Y (30, 60, 90)" "epoch   20/20" "piano roll" \
    "wrote $MID" "loss: first"
first=$(field "^loss: first" 3)
last=$(field "^loss: first" 5)
assert "w1_jazz: the loss went down ($first -> $last)" "$last + 0 > 0 && $last < $first - 5"
total=$(awk '/^wrote / { print $3; exit }' "$TMP/out")
melody=$(awk '/^wrote / { sub(/\(melody /, ""); print $5; exit }' "$TMP/out")
if [ -s "$MID" ]; then ok "w1_jazz wrote the MIDI file"; else not_ok "w1_jazz wrote the MIDI file"; fi
"$BIN" run tests/cli/midi_info.lua "$MID" >"$TMP/out" 2>&1
if [ $? = 0 ] && grep -q "^notes $total ch0 $melody .* tempo 150 beats 48 " "$TMP/out"; then
    ok "the MIDI file reads back: $total notes, $melody in the melody, 48 beats at 150 bpm"
else
    echo "# expected notes $total, melody $melody" >>"$TMP/out"
    not_ok "the MIDI file reads back: $total notes, $melody in the melody, 48 beats at 150 bpm"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
