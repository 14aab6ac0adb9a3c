/* test_midi.c — the Standard MIDI File reader and writer.
 *
 * Files built byte by byte here (so the reader is checked against the
 * format, not against our writer), the writer's exact bytes for a small
 * piece, write/read round trips in both formats with and without running
 * status, a table of corrupt files, every truncation of a valid file, and
 * a seeded fuzz of mutated files that must parse or fail cleanly. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#endif

#include "testutil.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seq/midi.h"

static char tmpdir[256];

/* ---- helpers ------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/seq_midi_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Parses `len` bytes copied into an exactly sized block, so that the
 * sanitizer build catches any read past the end. */
static int parse_exact(struct seq_midi *m, const uint8_t *bytes, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, bytes, len);
    int st = seq_midi_parse(m, len ? copy : NULL, len, "test");
    free(copy);
    return st;
}

#define NOTE(s, d, p, v, c)                                                    \
    (struct seq_midi_note)                                                     \
    {                                                                          \
        .start = (s), .duration = (d), .pitch = (p), .velocity = (v),          \
        .channel = (c)                                                         \
    }

/* cmocka's float assertion is single precision; times need doubles. */
#define assert_close(got, want)                                                \
    do {                                                                       \
        double g_ = (got), w_ = (want);                                        \
        if (fabs(g_ - w_) > 1e-12)                                             \
            fail_msg("%s = %.17g, expected %.17g", #got, g_, w_);              \
    } while (0)

static void assert_note(const struct seq_midi_note *n, int64_t start,
                        int64_t dur, int pitch, int vel, int ch)
{
    if (n->start != start || n->duration != dur || n->pitch != pitch ||
        n->velocity != vel || n->channel != ch)
        fail_msg("note {start %lld, dur %lld, pitch %d, vel %d, ch %d}, "
                 "expected {%lld, %lld, %d, %d, %d}",
                 (long long)n->start, (long long)n->duration, n->pitch,
                 n->velocity, n->channel, (long long)start, (long long)dur,
                 pitch, vel, ch);
}

/* A small piece with the cases that are easy to get wrong: a repeated
 * pitch that starts where the previous one ends, a zero-length note,
 * chords, several channels and a long rest. */
static const struct seq_midi_note piece_notes[] = {
    {0, 240, 60, 100, 0, 0},    {240, 240, 60, 90, 0, 0},
    {480, 0, 62, 80, 0, 0},     {480, 960, 48, 70, 1, 0},
    {480, 960, 52, 70, 1, 0},   {480, 960, 55, 70, 1, 0},
    {1440, 120, 67, 127, 0, 0}, {20000, 480, 36, 1, 9, 0},
};
#define PIECE_N (int64_t)(sizeof piece_notes / sizeof piece_notes[0])

static struct seq_midi piece(void)
{
    static struct seq_midi_tempo tempos[] = {{0, 600000}, {1440, 400000}};
    static struct seq_midi_timesig sigs[] = {{0, 3, 4, 24, 8},
                                             {1440, 6, 8, 36, 8}};
    return (struct seq_midi){.ticks_per_beat = 480,
                             .notes = (struct seq_midi_note *)piece_notes,
                             .nnotes = PIECE_N,
                             .tempos = tempos,
                             .ntempos = 2,
                             .timesigs = sigs,
                             .ntimesigs = 2};
}

/* Checks that m holds piece() again (notes come back sorted by start,
 * channel, pitch, which piece_notes already is). */
static void assert_is_piece(const struct seq_midi *m)
{
    assert_int_equal(m->ticks_per_beat, 480);
    assert_int_equal(m->nnotes, PIECE_N);
    for (int64_t i = 0; i < PIECE_N; i++) {
        const struct seq_midi_note *w = &piece_notes[i];
        assert_note(&m->notes[i], w->start, w->duration, w->pitch, w->velocity,
                    w->channel);
    }
    assert_int_equal(m->ntempos, 2);
    assert_int_equal(m->tempos[0].tick, 0);
    assert_int_equal(m->tempos[0].usec_per_beat, 600000);
    assert_int_equal(m->tempos[1].tick, 1440);
    assert_int_equal(m->tempos[1].usec_per_beat, 400000);
    assert_int_equal(m->ntimesigs, 2);
    assert_int_equal(m->timesigs[0].numerator, 3);
    assert_int_equal(m->timesigs[0].denominator, 4);
    assert_int_equal(m->timesigs[1].tick, 1440);
    assert_int_equal(m->timesigs[1].numerator, 6);
    assert_int_equal(m->timesigs[1].denominator, 8);
    assert_int_equal(m->timesigs[1].clocks_per_click, 36);
    assert_int_equal(m->end_tick, 20480);
}

static void *encode_or_fail(const struct seq_midi *m, int format, bool running,
                            size_t *len)
{
    struct seq_midi_write_opts o = {format, running};
    void *buf = NULL;
    assert_ok(seq_midi_encode(&buf, len, m, &o));
    return buf;
}

/* ---- round trips ----------------------------------------------------------
 */

static void round_trip(int format, bool running, int want_tracks)
{
    struct seq_midi in = piece(), out;
    size_t len;
    void *buf = encode_or_fail(&in, format, running, &len);
    assert_ok(seq_midi_parse(&out, buf, len, "round trip"));
    assert_int_equal(out.format, format);
    assert_int_equal(out.ntracks, want_tracks);
    assert_is_piece(&out);
    seq_midi_free(&out);
    free(buf);
}

static void test_format1_round_trip_restores_every_note(void **state)
{
    (void)state;
    round_trip(1, true, 4); /* tempo track + channels 0, 1, 9 */
}

static void test_format0_round_trip_restores_every_note(void **state)
{
    (void)state;
    round_trip(0, true, 1);
}

static void test_round_trip_without_running_status_uses_note_off(void **state)
{
    (void)state;
    round_trip(1, false, 4);
    round_trip(0, false, 1);
    struct seq_midi in = piece();
    size_t len;
    uint8_t *buf = encode_or_fail(&in, 0, false, &len);
    int offs = 0;
    for (size_t i = 0; i + 2 < len; i++)
        offs += buf[i] == 0x80 && buf[i + 1] == 60 && buf[i + 2] == 64;
    assert_int_equal(offs, 2); /* both C4 notes end with 80 3C 40 */
    free(buf);
}

static void test_write_file_then_read_file(void **state)
{
    (void)state;
    struct seq_midi in = piece(), out;
    const char *path = tmp_path("piece.mid");
    assert_ok(seq_midi_write(path, &in, NULL));
    assert_ok(seq_midi_read(&out, path));
    assert_int_equal(out.format, 1);
    assert_is_piece(&out);
    seq_midi_free(&out);
    seq_midi_free(&out); /* twice is fine */
    struct stat sb;
    assert_int_not_equal(stat(tmp_path("piece.mid.tmp"), &sb), 0);
}

/* ---- the writer's bytes ----------------------------------------------------
 */

static void test_writer_emits_the_expected_bytes(void **state)
{
    (void)state;
    /* C4 then E4, a beat each at 96 ticks per beat, format 0: the defaults
     * 4/4 and 120 bpm, running status, note-offs as note-on velocity 0, and
     * the off of C4 before the on of E4 at tick 96. */
    /* clang-format off */
    static const uint8_t want[] = {
        'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
        'M', 'T', 'r', 'k', 0, 0, 0, 32,
        0x00, 0xFF, 0x58, 4, 4, 2, 24, 8, /* time signature 4/4 */
        0x00, 0xFF, 0x51, 3, 0x07, 0xA1, 0x20, /* 500000 usec */
        0x00, 0x90, 60, 100,
        0x60, 60, 0,           /* running status: note-on velocity 0 */
        0x00, 64, 100,
        0x60, 64, 0,
        0x00, 0xFF, 0x2F, 0};
    /* clang-format on */
    struct seq_midi_note notes[] = {NOTE(96, 96, 64, 100, 0),
                                    NOTE(0, 96, 60, 100, 0)};
    struct seq_midi m = {.ticks_per_beat = 96, .notes = notes, .nnotes = 2};
    size_t len;
    uint8_t *buf = encode_or_fail(&m, 0, true, &len);
    assert_int_equal(len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    free(buf);
}

static void test_writer_encodes_variable_length_quantities(void **state)
{
    (void)state;
    /* A note after a gap of g ticks: the delta bytes are VLQ(g). */
    /* clang-format off */
    static const struct {
        int64_t gap;
        uint8_t vlq[4];
        size_t n;
    } cases[] = {
        {0x7F, {0x7F}, 1},
        {0x80, {0x81, 0x00}, 2},
        {0x2000, {0xC0, 0x00}, 2},
        {0x3FFF, {0xFF, 0x7F}, 2},
        {0x4000, {0x81, 0x80, 0x00}, 3},
        {0x0FFFFFFF, {0xFF, 0xFF, 0xFF, 0x7F}, 4},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seq_midi_note n = NOTE(cases[i].gap, 0, 60, 100, 0);
        struct seq_midi m = {.ticks_per_beat = 480, .notes = &n, .nnotes = 1};
        size_t len;
        uint8_t *buf = encode_or_fail(&m, 0, true, &len);
        /* header 14 + chunk header 8 + two meta events 15 */
        const uint8_t *ev = buf + 14 + 8 + 15;
        assert_memory_equal(ev, cases[i].vlq, cases[i].n);
        assert_int_equal(ev[cases[i].n], 0x90);
        struct seq_midi out;
        assert_ok(seq_midi_parse(&out, buf, len, "vlq"));
        assert_int_equal(out.nnotes, 1);
        assert_int_equal(out.notes[0].start, cases[i].gap);
        seq_midi_free(&out);
        free(buf);
    }
}

/* ---- a file built by hand ---------------------------------------------- */

/* clang-format off */
static const uint8_t hand_file[] = {
    /* header of length 8: two extra bytes the reader must skip */
    'M', 'T', 'h', 'd', 0, 0, 0, 8, 0, 1, 0, 2, 0x01, 0xE0, 0xAA, 0xBB,
    /* track 0: name, tempo 100 bpm, 3/4, later tempo 150 bpm */
    'M', 'T', 'r', 'k', 0, 0, 0, 36,
    0x00, 0xFF, 0x03, 5, 'j', 'a', 'z', 'z', '!',
    0x00, 0xFF, 0x51, 3, 0x09, 0x27, 0xC0,       /* 600000 */
    0x00, 0xFF, 0x58, 4, 3, 2, 24, 8,
    0x83, 0x60, 0xFF, 0x51, 3, 0x06, 0x1A, 0x80, /* tick 480: 400000 */
    0x00, 0xFF, 0x2F, 0,
    /* an unknown chunk between tracks, skipped */
    'X', 'F', 'I', 'H', 0, 0, 0, 3, 1, 2, 3,
    /* track 1 */
    'M', 'T', 'r', 'k', 0, 0, 0, 68,
    0x00, 0xC0, 0x41,             /* program change: one data byte */
    0x00, 0xB0, 0x07, 0x64,       /* controller */
    0x00, 0xF0, 0x03, 1, 2, 0xF7, /* sysex */
    0x00, 0xE0, 0x00, 0x40,       /* pitch bend */
    0x00, 0x90, 60, 100,          /* C4 on at 0 */
    0x00, 64, 90,                 /* running status: E4 on */
    0x83, 0x60, 0x80, 64, 40,     /* tick 480: E4 off (8n) */
    0x00, 0x90, 60, 0,            /* C4 off (note-on, velocity 0) */
    0x00, 0xFF, 0x7F, 2, 0, 0,    /* sequencer-specific meta: skipped */
    0x00, 67, 80,                 /* running status 90 kept after a meta */
    0x60, 0x91, 67, 50,           /* tick 576: G4 on, channel 1 */
    0x60, 0x81, 67, 0,            /* tick 672: its off */
    0x60, 0x80, 62, 0,            /* tick 768: an off with no on: ignored */
    0x00, 67, 0,                  /* running status 80: G4 off */
    0x00, 0x90, 72, 70,           /* C5 on; still sounding at the end */
    0x81, 0x00, 0xFF, 0x2F, 0,    /* end of track at tick 896 */
    0x55, 0x55,                   /* bytes after the end: ignored */
};
/* clang-format on */

static void test_reads_a_hand_built_file(void **state)
{
    (void)state;
    struct seq_midi m;
    assert_ok(parse_exact(&m, hand_file, sizeof hand_file));
    assert_int_equal(m.format, 1);
    assert_int_equal(m.ntracks, 2);
    assert_int_equal(m.ticks_per_beat, 480);
    assert_int_equal(m.end_tick, 896);
    assert_int_equal(m.nnotes, 5);
    /* sorted by start, then channel, then pitch */
    assert_note(&m.notes[0], 0, 480, 60, 100, 0);
    assert_note(&m.notes[1], 0, 480, 64, 90, 0);
    assert_note(&m.notes[2], 480, 288, 67, 80, 0); /* running status */
    assert_note(&m.notes[3], 576, 96, 67, 50, 1);
    assert_note(&m.notes[4], 768, 128, 72, 70, 0); /* ends with track */
    assert_int_equal(m.notes[0].track, 1);
    assert_int_equal(m.ntempos, 2);
    assert_int_equal(m.tempos[0].usec_per_beat, 600000);
    assert_int_equal(m.tempos[1].tick, 480);
    assert_int_equal(m.tempos[1].usec_per_beat, 400000);
    assert_int_equal(m.ntimesigs, 1);
    assert_int_equal(m.timesigs[0].numerator, 3);
    assert_int_equal(m.timesigs[0].denominator, 4);
    /* 480 ticks at 0.6 s per beat, then 416 at 0.4 s */
    assert_close(seq_midi_tick_seconds(&m, 896), 0.6 + 416.0 / 480 * 0.4);
    seq_midi_free(&m);
}

static void test_note_on_while_sounding_retriggers(void **state)
{
    (void)state;
    /* clang-format off */
    static const uint8_t f[] = {
        'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 10,
        'M', 'T', 'r', 'k', 0, 0, 0, 17,
        0x00, 0x90, 60, 100, /* on at 0 */
        0x05, 60, 90,        /* on again at 5: ends the first */
        0x05, 60, 0,         /* off at 10 */
        0x05, 60, 0,         /* a second off: ignored */
        0x00, 0xFF, 0x2F, 0};
    /* clang-format on */
    struct seq_midi m;
    assert_ok(parse_exact(&m, f, sizeof f));
    assert_int_equal(m.nnotes, 2);
    assert_note(&m.notes[0], 0, 5, 60, 100, 0);
    assert_note(&m.notes[1], 5, 5, 60, 90, 0);
    assert_int_equal(m.ntempos, 0); /* none in the file */
    assert_close(seq_midi_tick_seconds(&m, 10), 0.5);
    seq_midi_free(&m);
}

static void test_missing_end_of_track_is_tolerated(void **state)
{
    (void)state;
    /* clang-format off */
    static const uint8_t f[] = {
        'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 10,
        'M', 'T', 'r', 'k', 0, 0, 0, 7,
        0x00, 0x90, 60, 100, 0x0A, 60, 0};
    /* clang-format on */
    struct seq_midi m;
    assert_ok(parse_exact(&m, f, sizeof f));
    assert_int_equal(m.nnotes, 1);
    assert_note(&m.notes[0], 0, 10, 60, 100, 0);
    assert_int_equal(m.end_tick, 10);
    seq_midi_free(&m);
}

/* ---- corrupt files
 * ----------------------------------------------------------- */

#define HDR(fmt, ntrk, div)                                                    \
    'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, fmt, 0, ntrk, (div) >> 8, (div)&0xFF
#define TRK(n) 'M', 'T', 'r', 'k', 0, 0, 0, n

static void test_rejects_each_corrupt_file(void **state)
{
    (void)state;
    /* clang-format off */
    static const struct {
        const char *name;
        uint8_t bytes[48];
        size_t len;
        const char *needle;
    } cases[] = {
        {"empty", {0}, 0, "no MThd header"},
        {"not midi", {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E', 0,
                      0}, 14, "no MThd header"},
        {"header cut", {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1}, 10,
         "header is cut off"},
        {"header length 5", {'M', 'T', 'h', 'd', 0, 0, 0, 5, 0, 0, 0, 1, 0,
                             96}, 14, "shorter than 6"},
        {"header length huge", {'M', 'T', 'h', 'd', 0xFF, 0xFF, 0xFF, 0xF0,
                                0, 0, 0, 1, 0, 96}, 14,
         "runs past the end of the file"},
        {"format 2", {HDR(2, 1, 96)}, 14, "format 2 is not supported"},
        {"no tracks", {HDR(1, 0, 96)}, 14, "declares no tracks"},
        {"format 0, 2 tracks", {HDR(0, 2, 96)}, 14,
         "format 0 must have one track"},
        {"smpte", {HDR(0, 1, 0xE728)}, 14, "SMPTE"},
        {"division 0", {HDR(0, 1, 0)}, 14, "0 ticks per beat"},
        {"missing track", {HDR(1, 2, 96), TRK(4), 0, 0xFF, 0x2F, 0}, 26,
         "ends after 1 of 2 tracks"},
        {"chunk past end", {HDR(0, 1, 96), TRK(9), 0, 0xFF, 0x2F, 0}, 26,
         "runs past the end of the file"},
        {"vlq of 5 bytes", {HDR(0, 1, 96), TRK(9), 0x81, 0x81, 0x81, 0x81,
                            0x01, 0x90, 60, 100, 0}, 31,
         "longer than 4 bytes"},
        {"vlq cut by the track", {HDR(0, 1, 96), TRK(2), 0x81, 0x81}, 24,
         "cut off by the end of the track"},
        {"event cut after delta", {HDR(0, 1, 96), TRK(1), 0x00}, 23,
         "cut off after its delta time"},
        {"data without status", {HDR(0, 1, 96), TRK(4), 0x00, 60, 100, 0},
         26, "no status byte"},
        {"note cut", {HDR(0, 1, 96), TRK(3), 0x00, 0x90, 60}, 25,
         "needs 2 bytes"},
        {"program change cut", {HDR(0, 1, 96), TRK(2), 0x00, 0xC0}, 24,
         "needs 1 bytes"},
        {"status inside data", {HDR(0, 1, 96), TRK(4), 0x00, 0x90, 60, 0x91},
         26, "where a data byte"},
        {"meta cut", {HDR(0, 1, 96), TRK(6), 0x00, 0xFF, 0x51, 3, 0x07,
                      0xA1}, 28, "meta event needs 3 bytes"},
        {"meta type cut", {HDR(0, 1, 96), TRK(2), 0x00, 0xFF}, 24,
         "meta event needs 1 bytes"},
        {"tempo length 2", {HDR(0, 1, 96), TRK(6), 0x00, 0xFF, 0x51, 2, 1,
                            2}, 28, "tempo event of length 2"},
        {"tempo 0", {HDR(0, 1, 96), TRK(7), 0x00, 0xFF, 0x51, 3, 0, 0, 0},
         29, "tempo of 0"},
        {"time signature 0/4", {HDR(0, 1, 96), TRK(8), 0x00, 0xFF, 0x58, 4,
                                0, 2, 24, 8}, 30, "time signature 0/2^2"},
        {"time signature 4/2^16", {HDR(0, 1, 96), TRK(8), 0x00, 0xFF, 0x58,
                                   4, 4, 16, 24, 8}, 30,
         "is invalid"},
        {"time signature length 3", {HDR(0, 1, 96), TRK(7), 0x00, 0xFF,
                                     0x58, 3, 4, 2, 24}, 29,
         "time signature of length 3"},
        {"sysex past track", {HDR(0, 1, 96), TRK(4), 0x00, 0xF0, 0x05, 1},
         26, "sysex event needs 5 bytes"},
        {"realtime status", {HDR(0, 1, 96), TRK(2), 0x00, 0xF8}, 24,
         "not allowed in a MIDI file"},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seq_midi m;
        int st = parse_exact(&m, cases[i].bytes, cases[i].len);
        if (st != SEQ_EFORMAT)
            fail_msg("%s: got %s (%s), expected EFORMAT", cases[i].name,
                     seq_status_name(st), seq_error());
        if (!strstr(seq_error(), cases[i].needle))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].name,
                     seq_error(), cases[i].needle);
        if (!strstr(seq_error(), "test: "))
            fail_msg("%s: message \"%s\" does not name the file", cases[i].name,
                     seq_error());
        assert_null(m.notes);
        assert_int_equal(m.nnotes, 0);
        assert_null(m.tempos);
    }
}

static void test_messages_name_track_and_offset(void **state)
{
    (void)state;
    static const uint8_t f[] = {HDR(1, 2, 96), TRK(4), 0,    0xFF, 0x2F, 0,
                                TRK(4),        0x00,   0x90, 60,   0x91};
    struct seq_midi m;
    assert_fails(parse_exact(&m, f, sizeof f), SEQ_EFORMAT,
                 "test: track 1, offset 0x25: status byte 0x91");
}

static void test_every_truncation_fails_cleanly(void **state)
{
    (void)state;
    struct seq_midi in = piece();
    for (int format = 0; format <= 1; format++) {
        size_t len;
        uint8_t *buf = encode_or_fail(&in, format, true, &len);
        for (size_t n = 0; n < len; n++) {
            struct seq_midi m;
            int st = parse_exact(&m, buf, n);
            if (st != SEQ_EFORMAT)
                fail_msg("format %d cut to %zu of %zu bytes: %s (%s)", format,
                         n, len, seq_status_name(st), seq_error());
            assert_null(m.notes);
        }
        free(buf);
    }
}

/* ---- a bounded, seeded fuzz -------------------------------------------------
 */

static uint64_t fuzz_state;

static uint32_t fuzz_next(void)
{
    /* xorshift64* */
    fuzz_state ^= fuzz_state >> 12;
    fuzz_state ^= fuzz_state << 25;
    fuzz_state ^= fuzz_state >> 27;
    return (uint32_t)((fuzz_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* What every successful parse must satisfy. */
static void assert_sane(const struct seq_midi *m)
{
    assert_true(m->format == 0 || m->format == 1);
    assert_true(m->ticks_per_beat >= 1 && m->ticks_per_beat <= 0x7FFF);
    assert_true(m->ntracks >= 1);
    for (int64_t i = 0; i < m->nnotes; i++) {
        const struct seq_midi_note *n = &m->notes[i];
        assert_true(n->pitch >= 0 && n->pitch <= 127);
        assert_true(n->velocity >= 1 && n->velocity <= 127);
        assert_true(n->channel >= 0 && n->channel <= 15);
        assert_true(n->start >= 0 && n->duration >= 0);
        assert_true(n->start + n->duration <= m->end_tick);
        assert_true(n->track >= 0 && n->track < m->ntracks);
        if (i > 0)
            assert_true(m->notes[i - 1].start <= n->start);
    }
    for (int i = 0; i < m->ntempos; i++) {
        assert_true(m->tempos[i].usec_per_beat >= 1);
        if (i > 0)
            assert_true(m->tempos[i - 1].tick <= m->tempos[i].tick);
    }
}

static void test_mutated_files_parse_or_fail_cleanly(void **state)
{
    (void)state;
    struct seq_midi in = piece();
    size_t len0, len1;
    uint8_t *seeds[3];
    size_t lens[3];
    seeds[0] = encode_or_fail(&in, 0, true, &len0);
    lens[0] = len0;
    seeds[1] = encode_or_fail(&in, 1, false, &len1);
    lens[1] = len1;
    seeds[2] = (uint8_t *)hand_file;
    lens[2] = sizeof hand_file;
    uint8_t buf[1024];
    int ok = 0, failed = 0;
    fuzz_state = 0x5EEDF00DULL;
    for (int iter = 0; iter < 30000; iter++) {
        int which = (int)(fuzz_next() % 3);
        size_t len = lens[which];
        assert_true(len <= sizeof buf);
        memcpy(buf, seeds[which], len);
        int edits = 1 + (int)(fuzz_next() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = fuzz_next() % len;
            switch (fuzz_next() % 5) {
            case 0: /* a random byte */
                buf[at] = (uint8_t)fuzz_next();
                break;
            case 1: /* one bit */
                buf[at] ^= (uint8_t)(1u << (fuzz_next() % 8));
                break;
            case 2: /* a byte that matters to the grammar */
                buf[at] = (uint8_t[]){0x00, 0x7F, 0x80, 0xFF,
                                      0x90, 0xF0, 0x2F, 0x51}[fuzz_next() % 8];
                break;
            case 3: /* cut the file */
                len = at;
                break;
            default: /* drop one byte */
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            }
            if (len == 0)
                break;
        }
        struct seq_midi m;
        int st = parse_exact(&m, buf, len);
        if (st == SEQ_OK) {
            assert_sane(&m);
            ok++;
        } else if (st == SEQ_EFORMAT) {
            assert_null(m.notes);
            assert_true(strlen(seq_error()) > 0);
            failed++;
        } else {
            fail_msg("iteration %d: %s (%s)", iter, seq_status_name(st),
                     seq_error());
        }
        seq_midi_free(&m);
    }
    /* both outcomes must actually be exercised */
    assert_true(ok > 1000);
    assert_true(failed > 1000);
    free(seeds[0]);
    free(seeds[1]);
}

/* ---- the writer's arguments and files
 * ----------------------------------------- */

static void test_write_rejects_bad_arguments(void **state)
{
    (void)state;
    static const struct {
        struct seq_midi_note note;
        const char *needle;
    } bad_notes[] = {
        {{0, 10, 128, 100, 0, 0}, "note 1 has a bad pitch"},
        {{0, 10, -1, 100, 0, 0}, "bad pitch"},
        {{0, 10, 60, 0, 0, 0}, "bad velocity"},
        {{0, 10, 60, 128, 0, 0}, "bad velocity"},
        {{0, 10, 60, 100, 16, 0}, "bad channel"},
        {{-1, 10, 60, 100, 0, 0}, "bad start"},
        {{0, -5, 60, 100, 0, 0}, "bad duration"},
        {{(int64_t)1 << 41, 1, 60, 100, 0, 0}, "bad start"},
    };
    void *buf;
    size_t len;
    for (size_t i = 0; i < sizeof bad_notes / sizeof bad_notes[0]; i++) {
        struct seq_midi m = {.ticks_per_beat = 480,
                             .notes =
                                 (struct seq_midi_note *)&bad_notes[i].note,
                             .nnotes = 1};
        assert_fails(seq_midi_encode(&buf, &len, &m, NULL), SEQ_EINVAL,
                     bad_notes[i].needle);
        assert_null(buf);
    }
    struct seq_midi_note ok = NOTE(0, 10, 60, 100, 0);
    struct seq_midi m = {.ticks_per_beat = 0, .notes = &ok, .nnotes = 1};
    assert_fails(seq_midi_encode(&buf, &len, &m, NULL), SEQ_EINVAL,
                 "ticks_per_beat 0");
    m.ticks_per_beat = 0x8000;
    assert_fails(seq_midi_encode(&buf, &len, &m, NULL), SEQ_EINVAL,
                 "ticks_per_beat 32768");
    m.ticks_per_beat = 480;
    struct seq_midi_write_opts fmt2 = {2, true};
    assert_fails(seq_midi_encode(&buf, &len, &m, &fmt2), SEQ_EINVAL,
                 "format 2");
    struct seq_midi_tempo t0 = {0, 0};
    m.tempos = &t0;
    m.ntempos = 1;
    assert_fails(seq_midi_encode(&buf, &len, &m, NULL), SEQ_EINVAL, "tempo 1");
    t0.usec_per_beat = 0x1000000;
    assert_fails(seq_midi_encode(&buf, &len, &m, NULL), SEQ_EINVAL,
                 "out of range");
    m.ntempos = 0;
    struct seq_midi_timesig ts = {0, 4, 3, 24, 8};
    m.timesigs = &ts;
    m.ntimesigs = 1;
    assert_fails(seq_midi_encode(&buf, &len, &m, NULL), SEQ_EINVAL,
                 "time signature 1 (4/3");
}

static void test_writer_bridges_gaps_longer_than_a_delta_time(void **state)
{
    (void)state;
    /* 0x0FFFFFFF is the longest delta; longer gaps need filler events. */
    const int64_t gaps[] = {0x0FFFFFFF, 0x10000000,
                            3 * (int64_t)0x0FFFFFFF + 5};
    for (int k = 0; k < 3; k++) {
        for (int format = 0; format <= 1; format++) {
            struct seq_midi_note far[2] = {NOTE(0, 1, 60, 100, 0),
                                           NOTE(1 + gaps[k], 7, 62, 90, 0)};
            struct seq_midi m = {
                .ticks_per_beat = 480, .notes = far, .nnotes = 2};
            size_t len;
            void *buf = encode_or_fail(&m, format, true, &len);
            struct seq_midi out;
            assert_ok(seq_midi_parse(&out, buf, len, "gap"));
            assert_int_equal(out.nnotes, 2);
            assert_note(&out.notes[1], 1 + gaps[k], 7, 62, 90, 0);
            assert_int_equal(out.end_tick, 8 + gaps[k]);
            seq_midi_free(&out);
            free(buf);
        }
    }
}

static void test_failed_write_leaves_previous_file_intact(void **state)
{
    (void)state;
    struct seq_midi in = piece(), out;
    const char *path = tmp_path("keep.mid");
    assert_ok(seq_midi_write(path, &in, NULL));
    struct seq_midi_note bad = NOTE(0, 10, 200, 100, 0);
    struct seq_midi m = {.ticks_per_beat = 480, .notes = &bad, .nnotes = 1};
    assert_fails(seq_midi_write(path, &m, NULL), SEQ_EINVAL, "keep.mid");
    assert_ok(seq_midi_read(&out, path));
    assert_is_piece(&out);
    seq_midi_free(&out);
    assert_fails(seq_midi_write(tmp_path("no/such/dir.mid"), &in, NULL),
                 SEQ_EIO, "cannot create");
}

static void test_read_reports_missing_and_odd_files(void **state)
{
    (void)state;
    struct seq_midi m;
    assert_fails(seq_midi_read(&m, tmp_path("absent.mid")), SEQ_EIO,
                 "cannot open");
    assert_null(m.notes);
    assert_fails(seq_midi_read(&m, tmpdir), SEQ_EIO, "not a regular file");
    FILE *fp = fopen(tmp_path("text.mid"), "wb");
    assert_non_null(fp);
    fputs("hello, not music\n", fp);
    fclose(fp);
    assert_fails(seq_midi_read(&m, tmp_path("text.mid")), SEQ_EFORMAT,
                 "text.mid: offset 0x0: not a Standard MIDI File");
}

static void test_tick_seconds_follows_the_tempo_map(void **state)
{
    (void)state;
    struct seq_midi_tempo tempos[] = {{0, 500000}, {960, 1000000}};
    struct seq_midi m = {.ticks_per_beat = 480, .tempos = tempos, .ntempos = 2};
    assert_close(seq_midi_tick_seconds(&m, 0), 0.0);
    assert_close(seq_midi_tick_seconds(&m, 480), 0.5);
    assert_close(seq_midi_tick_seconds(&m, 960), 1.0);
    assert_close(seq_midi_tick_seconds(&m, 1440), 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format1_round_trip_restores_every_note),
        cmocka_unit_test(test_format0_round_trip_restores_every_note),
        cmocka_unit_test(test_round_trip_without_running_status_uses_note_off),
        cmocka_unit_test(test_write_file_then_read_file),
        cmocka_unit_test(test_writer_emits_the_expected_bytes),
        cmocka_unit_test(test_writer_encodes_variable_length_quantities),
        cmocka_unit_test(test_reads_a_hand_built_file),
        cmocka_unit_test(test_note_on_while_sounding_retriggers),
        cmocka_unit_test(test_missing_end_of_track_is_tolerated),
        cmocka_unit_test(test_rejects_each_corrupt_file),
        cmocka_unit_test(test_messages_name_track_and_offset),
        cmocka_unit_test(test_every_truncation_fails_cleanly),
        cmocka_unit_test(test_mutated_files_parse_or_fail_cleanly),
        cmocka_unit_test(test_write_rejects_bad_arguments),
        cmocka_unit_test(test_writer_bridges_gaps_longer_than_a_delta_time),
        cmocka_unit_test(test_failed_write_leaves_previous_file_intact),
        cmocka_unit_test(test_read_reports_missing_and_odd_files),
        cmocka_unit_test(test_tick_seconds_follows_the_tempo_map),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
