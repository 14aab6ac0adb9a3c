/* l_music.c — seq.midi.read and seq.midi.write: Standard MIDI Files as Lua
 * tables of notes, with times in beats (quarter notes) as floats.
 *
 * The bytes travel through the state's own io.open, so a sandboxed state's
 * file rules apply to MIDI files as to any other file; the engine
 * (engine/src/midi.c) only parses and encodes buffers.  Engine objects live
 * in a userdata box created before they are, so a Lua error (a bad note,
 * out of memory) never leaks them. */
#include "lseq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq/midi.h"

#define BOX_MT      "seq.midi.box"
#define DEFAULT_TPB 480
#define DEFAULT_VEL 100

void lseq_register_music(lua_State *L);

/* ---- the box ------------------------------------------------------------- */

struct midi_box {
    struct seq_midi m; /* parsed piece (read) */
    void *bytes;       /* encoded file (write), malloc'd by the engine */
};

static int box_gc(lua_State *L)
{
    struct midi_box *b = luaL_checkudata(L, 1, BOX_MT);
    seq_midi_free(&b->m);
    free(b->bytes);
    b->bytes = NULL;
    return 0;
}

static struct midi_box *new_box(lua_State *L)
{
    struct midi_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    luaL_setmetatable(L, BOX_MT);
    return b;
}

/* ---- files through io.open ----------------------------------------------- */

/* Calls io.open(path, mode) and leaves the file on the stack, or returns
 * false with nil and the message pushed instead. */
static bool open_file(lua_State *L, const char *fn, int path_idx,
                      const char *mode)
{
    if (lua_getglobal(L, "io") != LUA_TTABLE ||
        lua_getfield(L, -1, "open") != LUA_TFUNCTION)
        luaL_error(L, "%s: the io library is not available", fn);
    lua_remove(L, -2);
    lua_pushvalue(L, path_idx);
    lua_pushstring(L, mode);
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2)) {
        lua_remove(L, -2);
        lua_pushnil(L);
        lua_insert(L, -2);
        return false;
    }
    lua_pop(L, 1);
    return true;
}

/* file:name([arg]) for the file at absolute index f; leaves nres
 * results. */
static void file_method(lua_State *L, int f, const char *name, const char *arg,
                        int nres)
{
    lua_getfield(L, f, name);
    lua_pushvalue(L, f);
    if (arg)
        lua_pushstring(L, arg);
    lua_call(L, arg ? 2 : 1, nres);
}

/* ---- seq.midi.read ------------------------------------------------------- */

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static void push_piece(lua_State *L, const struct seq_midi *m)
{
    double tpb = m->ticks_per_beat;
    lua_createtable(L, 0, 10);
    set_int(L, "format", m->format);
    set_int(L, "ntracks", m->ntracks);
    set_int(L, "ticks_per_beat", m->ticks_per_beat);
    set_num(L, "length", (double)m->end_tick / tpb);
    set_num(L, "seconds", seq_midi_tick_seconds(m, m->end_tick));
    int32_t us0 = m->ntempos && m->tempos[0].tick == 0
                      ? m->tempos[0].usec_per_beat
                      : SEQ_MIDI_DEFAULT_TEMPO;
    set_num(L, "tempo", 60e6 / us0);

    lua_createtable(L, m->ntempos, 0);
    for (int i = 0; i < m->ntempos; i++) {
        lua_createtable(L, 0, 2);
        set_num(L, "beat", (double)m->tempos[i].tick / tpb);
        set_num(L, "bpm", 60e6 / m->tempos[i].usec_per_beat);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "tempos");

    lua_createtable(L, m->ntimesigs, 0);
    for (int i = 0; i < m->ntimesigs; i++) {
        lua_createtable(L, 0, 3);
        set_num(L, "beat", (double)m->timesigs[i].tick / tpb);
        set_int(L, "numerator", m->timesigs[i].numerator);
        set_int(L, "denominator", m->timesigs[i].denominator);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "time_signatures");
    lua_createtable(L, 2, 0);
    bool sig0 = m->ntimesigs && m->timesigs[0].tick == 0;
    lua_pushinteger(L, sig0 ? m->timesigs[0].numerator : 4);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, sig0 ? m->timesigs[0].denominator : 4);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "time_signature");

    if (m->nnotes > INT32_MAX)
        luaL_error(L, "seq.midi.read: too many notes");
    lua_createtable(L, (int)m->nnotes, 0);
    for (int64_t i = 0; i < m->nnotes; i++) {
        const struct seq_midi_note *n = &m->notes[i];
        lua_createtable(L, 0, 6);
        set_num(L, "start", (double)n->start / tpb);
        set_num(L, "dur", (double)n->duration / tpb);
        set_int(L, "pitch", n->pitch);
        set_int(L, "velocity", n->velocity);
        set_int(L, "channel", n->channel);
        set_int(L, "track", n->track + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "notes");
}

/* seq.midi.read(path) -> piece | nil, message */
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    struct midi_box *b = new_box(L); /* 2 */
    if (!open_file(L, "seq.midi.read", 1, "rb"))
        return 2;
    int f = lua_gettop(L);
    file_method(L, f, "seek", "end", 1);
    lua_Integer size = lua_tointeger(L, -1);
    if (size > SEQ_MIDI_MAX_FILE) {
        file_method(L, f, "close", NULL, 0);
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %I bytes is too large for a MIDI file", path,
                        size);
        return 2;
    }
    file_method(L, f, "seek", "set", 0);
    file_method(L, f, "read", "a", 1);
    file_method(L, f, "close", NULL, 0);
    size_t len;
    const char *data = lua_tolstring(L, -1, &len);
    if (!data) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: read failed", path);
        return 2;
    }
    if (seq_midi_parse(&b->m, data, len, path) != SEQ_OK) {
        lua_pushnil(L);
        lua_pushstring(L, seq_error());
        return 2;
    }
    push_piece(L, &b->m);
    seq_midi_free(&b->m);
    return 1;
}

/* ---- seq.midi.write ------------------------------------------------------ */

/* t[k] as a number, or `def` when absent (def NAN: required). */
static double field_num(lua_State *L, int t, const char *k, double def,
                        const char *fn, const char *what)
{
    int type = lua_getfield(L, t, k);
    if (type == LUA_TNIL && !isnan(def)) {
        lua_pop(L, 1);
        return def;
    }
    if (type != LUA_TNUMBER)
        luaL_error(L, "%s: %s needs a number '%s', got %s", fn, what, k,
                   luaL_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static int field_int(lua_State *L, int t, const char *k, double def, int lo,
                     int hi, const char *fn, const char *what)
{
    double v = field_num(L, t, k, def, fn, what);
    if (!(v >= lo && v <= hi) || v != floor(v))
        luaL_error(L, "%s: %s: '%s' must be an integer from %d to %d, got %s",
                   fn, what, k, lo, hi, lua_pushfstring(L, "%f", v));
    return (int)v;
}

/* Beats to ticks, rounded to the nearest tick. */
static int64_t to_ticks(lua_State *L, double beats, int tpb, const char *fn,
                        const char *what, const char *k)
{
    double t = beats * tpb;
    if (!(t >= 0 && t < 4e15))
        luaL_error(L, "%s: %s: '%s' must be a time of 0 beats or more, got %f",
                   fn, what, k, beats);
    return (int64_t)llround(t);
}

static const char *const WR = "seq.midi.write";

/* Reads notes[1..n] (table at idx) into a Lua-owned array. */
static struct seq_midi_note *read_notes(lua_State *L, int idx, int tpb,
                                        int64_t *count)
{
    lua_Integer n = luaL_len(L, idx);
    if (n < 0 || (lua_Unsigned)n > SIZE_MAX / sizeof(struct seq_midi_note))
        luaL_error(L, "%s: too many notes", WR);
    struct seq_midi_note *notes =
        lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *notes, 0);
    char what[40];
    for (lua_Integer i = 0; i < n; i++) {
        snprintf(what, sizeof what, "note %lld", (long long)i + 1);
        if (lua_geti(L, idx, i + 1) != LUA_TTABLE)
            luaL_error(L,
                       "%s: %s is %s, expected a table {start=, dur=, "
                       "pitch=}",
                       WR, what, luaL_typename(L, -1));
        int t = lua_gettop(L);
        struct seq_midi_note *nt = &notes[i];
        nt->start = to_ticks(L, field_num(L, t, "start", NAN, WR, what), tpb,
                             WR, what, "start");
        nt->duration = to_ticks(L, field_num(L, t, "dur", NAN, WR, what), tpb,
                                WR, what, "dur");
        nt->pitch = field_int(L, t, "pitch", NAN, 0, 127, WR, what);
        nt->velocity =
            field_int(L, t, "velocity", DEFAULT_VEL, 1, 127, WR, what);
        nt->channel = field_int(L, t, "channel", 0, 0, 15, WR, what);
        nt->track = 0;
        lua_pop(L, 1);
    }
    *count = n;
    return notes;
}

static int32_t bpm_to_usec(lua_State *L, double bpm, const char *what)
{
    double us = 60e6 / bpm;
    if (!(bpm > 0) || !(us >= 1 && us <= 0xFFFFFF))
        luaL_error(L, "%s: %s: a tempo of %f bpm is out of range", WR, what,
                   bpm);
    return (int32_t)lround(us);
}

/* The tempo map from opts.tempos ({{beat=, bpm=}, ...}) or opts.tempo
 * (bpm at beat 0); none means the writer's default of 120 bpm. */
static struct seq_midi_tempo *read_tempos(lua_State *L, int opts, int tpb,
                                          int *count)
{
    *count = 0;
    int type = lua_getfield(L, opts, "tempos");
    if (type != LUA_TNIL && type != LUA_TTABLE)
        luaL_error(L, "%s: opts.tempos must be a list of {beat=, bpm=}", WR);
    if (type == LUA_TTABLE) {
        int t = lua_gettop(L);
        lua_Integer n = luaL_len(L, t);
        if (n < 0 || n > 1000000)
            luaL_error(L, "%s: too many tempos", WR);
        struct seq_midi_tempo *tm =
            lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *tm, 0);
        lua_replace(L, t); /* keep the array anchored in the list's slot */
        lua_getfield(L, opts, "tempos");
        char what[32];
        for (lua_Integer i = 0; i < n; i++) {
            snprintf(what, sizeof what, "tempo %lld", (long long)i + 1);
            if (lua_geti(L, -1, i + 1) != LUA_TTABLE)
                luaL_error(L, "%s: %s must be a table {beat=, bpm=}", WR, what);
            int e = lua_gettop(L);
            tm[i].tick = to_ticks(L, field_num(L, e, "beat", 0, WR, what), tpb,
                                  WR, what, "beat");
            tm[i].usec_per_beat =
                bpm_to_usec(L, field_num(L, e, "bpm", NAN, WR, what), what);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        *count = (int)n;
        return tm;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, opts, "tempo") != LUA_TNIL) {
        double bpm = field_num(L, opts, "tempo", NAN, WR, "opts");
        lua_pop(L, 1);
        struct seq_midi_tempo *tm = lua_newuserdatauv(L, sizeof *tm, 0);
        tm->tick = 0;
        tm->usec_per_beat = bpm_to_usec(L, bpm, "opts");
        *count = 1;
        return tm;
    }
    lua_pop(L, 1);
    lua_pushnil(L); /* keeps the stack shape the same in every case */
    return NULL;
}

/* opts.time_signature = {numerator, denominator} at beat 0. */
static bool read_timesig(lua_State *L, int opts, struct seq_midi_timesig *ts)
{
    if (lua_getfield(L, opts, "time_signature") == LUA_TNIL) {
        lua_pop(L, 1);
        return false;
    }
    if (!lua_istable(L, -1))
        luaL_error(L, "%s: opts.time_signature must be a table {4, 4}", WR);
    lua_geti(L, -1, 1);
    lua_geti(L, -2, 2);
    int isnum1, isnum2;
    lua_Integer num = lua_tointegerx(L, -2, &isnum1);
    lua_Integer den = lua_tointegerx(L, -1, &isnum2);
    if (!isnum1 || !isnum2 || num < 1 || num > 255 || den < 1 || den > 32768 ||
        (den & (den - 1)))
        luaL_error(L,
                   "%s: opts.time_signature must be {numerator 1..255, "
                   "denominator a power of two}",
                   WR);
    lua_pop(L, 3);
    *ts = (struct seq_midi_timesig){0, (int)num, (int)den, 24, 8};
    return true;
}

/* seq.midi.write(path, notes | piece [, opts]) -> true | nil, message
 *
 * `notes` is a list of {start=, dur=, pitch= [, velocity=100, channel=0]}
 * with times in beats; a piece from seq.midi.read is accepted too (its
 * notes, ticks_per_beat, tempos and time signature are the defaults).
 * opts: ticks_per_beat (480), tempo (bpm, 120) or tempos {{beat=, bpm=}},
 * time_signature ({4, 4}), format (1), running_status (true), length (the
 * track's end, in beats). */
static int l_write(lua_State *L)
{
    luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    int notes_idx = 2;
    /* A piece: its fields fill in the options not given. */
    if (lua_getfield(L, 2, "notes") == LUA_TTABLE) {
        notes_idx = lua_gettop(L);
        lua_newtable(L);
        int merged = lua_gettop(L);
        static const char *const inherit[] = {
            "ticks_per_beat", "tempos", "time_signature", "format", "length"};
        for (int i = 0; i < 5; i++) {
            lua_getfield(L, 2, inherit[i]);
            lua_setfield(L, merged, inherit[i]);
        }
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_settable(L, merged);
        }
        lua_replace(L, 3);
    } else {
        lua_pop(L, 1);
    }
    int opts = 3;
    int tpb = field_int(L, opts, "ticks_per_beat", DEFAULT_TPB, 1, 0x7FFF, WR,
                        "opts");
    struct seq_midi_write_opts wo = {
        .format = field_int(L, opts, "format", 1, 0, 1, WR, "opts"),
        .running_status = true};
    if (lua_getfield(L, opts, "running_status") != LUA_TNIL)
        wo.running_status = lua_toboolean(L, -1);
    lua_pop(L, 1);

    struct seq_midi m = {.ticks_per_beat = tpb};
    m.notes = read_notes(L, notes_idx, tpb, &m.nnotes);
    m.tempos = read_tempos(L, opts, tpb, &m.ntempos);
    struct seq_midi_timesig ts;
    if (read_timesig(L, opts, &ts)) {
        m.timesigs = &ts;
        m.ntimesigs = 1;
    }
    if (lua_getfield(L, opts, "length") != LUA_TNIL)
        m.end_tick = to_ticks(L, field_num(L, opts, "length", NAN, WR, "opts"),
                              tpb, WR, "opts", "length");
    lua_pop(L, 1);

    struct midi_box *b = new_box(L);
    size_t len;
    lseq_check(L, seq_midi_encode(&b->bytes, &len, &m, &wo));
    if (!open_file(L, WR, 1, "wb"))
        return 2;
    int f = lua_gettop(L);
    lua_getfield(L, f, "write");
    lua_pushvalue(L, f);
    lua_pushlstring(L, b->bytes, len);
    lua_call(L, 2, 2); /* the file, or nil and a message */
    if (lua_isnil(L, -2)) {
        file_method(L, f, "close", NULL, 0);
        return 2;
    }
    lua_settop(L, f);
    file_method(L, f, "close", NULL, 2); /* true, or nil and a message */
    if (lua_isnil(L, -2))
        return 2;
    lua_pushboolean(L, 1);
    return 1;
}

static const luaL_Reg midi_funcs[] = {
    {"read", l_read},
    {"write", l_write},
    {NULL, NULL},
};

/* Adds seq.midi to the seq table at the top of the stack. */
void lseq_register_music(lua_State *L)
{
    if (luaL_newmetatable(L, BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    luaL_newlib(L, midi_funcs);
    lua_setfield(L, -2, "midi");
}
