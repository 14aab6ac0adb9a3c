/* midi.c — the Standard MIDI File reader and writer declared in seq/midi.h.
 *
 * The reader walks the bytes with one cursor and checks every length
 * against the end of its chunk before touching memory; it knows nothing of
 * Lua or of music beyond notes, tempo and time signature.  The writer
 * builds each track in a growable buffer and patches the chunk length at
 * the end. */
#define _POSIX_C_SOURCE 200809L /* fstat, fileno */

#include "seq/midi.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VLQ_MAX 0x0FFFFFFFu /* the largest value 4 VLQ bytes hold */

/* ---- small helpers ------------------------------------------------------- */

/* Makes room for `need` elements of `size` bytes in *p (capacity *cap),
 * doubling, so appends are amortised O(1). */
static int reserve(void **p, int64_t *cap, int64_t need, size_t size,
                   const char *what)
{
    if (need <= *cap)
        return SEQ_OK;
    int64_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    if ((uint64_t)ncap > SIZE_MAX / size)
        return seq_fail(SEQ_ENOMEM, "midi: %s: too many entries", what);
    void *q = realloc(*p, (size_t)ncap * size);
    if (!q)
        return seq_fail(SEQ_ENOMEM, "midi: %s: out of memory (%lld entries)",
                        what, (long long)ncap);
    *p = q;
    *cap = ncap;
    return SEQ_OK;
}

/* A stable bottom-up merge sort: equal elements keep their order (events
 * at one tick must stay in file order), and the cost stays O(n log n) even
 * for hostile inputs, which insertion sort would not. */
static int stable_sort(void *base, size_t n, size_t size,
                       int (*cmp)(const void *, const void *))
{
    if (n < 2)
        return SEQ_OK;
    if (n > SIZE_MAX / size)
        return seq_fail(SEQ_ENOMEM, "midi: sort: too many entries");
    unsigned char *a = base, *b = malloc(n * size);
    if (!b)
        return seq_fail(SEQ_ENOMEM, "midi: sort: out of memory");
    unsigned char *src = a, *dst = b;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (cmp(src + j * size, src + i * size) < 0)
                    memcpy(dst + size * k++, src + size * j++, size);
                else
                    memcpy(dst + size * k++, src + size * i++, size);
            }
            memcpy(dst + k * size, src + i * size, (mid - i) * size);
            k += mid - i;
            memcpy(dst + k * size, src + j * size, (hi - j) * size);
        }
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * size);
    free(b);
    return SEQ_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

void seq_midi_free(struct seq_midi *m)
{
    if (!m)
        return;
    free(m->notes);
    free(m->tempos);
    free(m->timesigs);
    memset(m, 0, sizeof *m);
}

/* ---- reading ------------------------------------------------------------- */

struct reader {
    const uint8_t *p;
    size_t len;
    size_t pos;       /* the cursor, an offset into the whole file */
    const char *what; /* the file's name for messages */
    int track;        /* the MTrk being read, -1 in the header */
    struct seq_midi *m;
    int64_t cap_notes, cap_tempos, cap_timesigs;
    int64_t open[16][128]; /* index into m->notes of the sounding note, or
                            * -1; all -1 between tracks */
    int64_t nopen;         /* how many entries of open[][] are set */
};

/* "<what>: track 2, offset 0x4a: <message>" as a SEQ_EFORMAT. */
static int bad(struct reader *r, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct reader *r, size_t at, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->track >= 0)
        return seq_fail(SEQ_EFORMAT, "%s: track %d, offset 0x%zx: %s", r->what,
                        r->track, at, msg);
    return seq_fail(SEQ_EFORMAT, "%s: offset 0x%zx: %s", r->what, at, msg);
}

/* A variable-length quantity: 7 bits per byte, high bit = more follows, at
 * most 4 bytes (so at most 0x0FFFFFFF). */
static int read_vlq(struct reader *r, size_t end, uint32_t *out,
                    const char *what)
{
    size_t start = r->pos;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        if (r->pos >= end)
            return bad(r, start, "%s is cut off by the end of the %s", what,
                       r->track >= 0 ? "track" : "file");
        uint8_t b = r->p[r->pos++];
        v = v << 7 | (b & 0x7Fu);
        if (!(b & 0x80)) {
            *out = v;
            return SEQ_OK;
        }
    }
    return bad(r, start, "%s is longer than 4 bytes", what);
}

static int need(struct reader *r, size_t end, size_t n, const char *what)
{
    if (n > end - r->pos)
        return bad(r, r->pos, "%s needs %zu bytes but the track has %zu left",
                   what, n, end - r->pos);
    return SEQ_OK;
}

static void end_note(struct reader *r, int ch, int pitch, int64_t tick)
{
    int64_t i = r->open[ch][pitch];
    if (i < 0)
        return; /* an off without an on: nothing sounds, nothing to end */
    r->m->notes[i].duration = tick - r->m->notes[i].start;
    r->open[ch][pitch] = -1;
    r->nopen--;
}

static int start_note(struct reader *r, int ch, int pitch, int vel,
                      int64_t tick)
{
    struct seq_midi *m = r->m;
    end_note(r, ch, pitch, tick); /* retrigger ends the sounding note */
    int st = reserve((void **)&m->notes, &r->cap_notes, m->nnotes + 1,
                     sizeof *m->notes, "notes");
    if (st)
        return st;
    m->notes[m->nnotes] = (struct seq_midi_note){.start = tick,
                                                 .duration = 0,
                                                 .pitch = pitch,
                                                 .velocity = vel,
                                                 .channel = ch,
                                                 .track = r->track};
    r->open[ch][pitch] = m->nnotes++;
    r->nopen++;
    return SEQ_OK;
}

static int meta_event(struct reader *r, int type, const uint8_t *d, uint32_t n,
                      int64_t tick, size_t at)
{
    struct seq_midi *m = r->m;
    int64_t count;
    int st;
    switch (type) {
    case 0x51: /* tempo: 24-bit microseconds per quarter note */
        if (n != 3)
            return bad(r, at, "tempo event of length %u (expected 3)", n);
        int32_t us =
            (int32_t)((uint32_t)d[0] << 16 | (uint32_t)d[1] << 8 | d[2]);
        if (us == 0)
            return bad(r, at, "tempo of 0 microseconds per beat");
        count = m->ntempos;
        if ((st = reserve((void **)&m->tempos, &r->cap_tempos, count + 1,
                          sizeof *m->tempos, "tempo events")))
            return st;
        if (count >= INT32_MAX)
            return bad(r, at, "more than %d tempo events", INT32_MAX);
        m->tempos[m->ntempos++] = (struct seq_midi_tempo){tick, us};
        return SEQ_OK;
    case 0x58: /* time signature: nn dd cc bb, denominator = 2^dd */
        if (n != 4)
            return bad(r, at, "time signature of length %u (expected 4)", n);
        if (d[0] == 0 || d[1] > 15)
            return bad(r, at, "time signature %u/2^%u is invalid", d[0], d[1]);
        count = m->ntimesigs;
        if ((st = reserve((void **)&m->timesigs, &r->cap_timesigs, count + 1,
                          sizeof *m->timesigs, "time signatures")))
            return st;
        if (count >= INT32_MAX)
            return bad(r, at, "more than %d time signatures", INT32_MAX);
        m->timesigs[m->ntimesigs++] =
            (struct seq_midi_timesig){.tick = tick,
                                      .numerator = d[0],
                                      .denominator = 1 << d[1],
                                      .clocks_per_click = d[2],
                                      .n32nd_per_beat = d[3]};
        return SEQ_OK;
    default: /* text, names, key signature, sequencer data, ...: skipped */
        return SEQ_OK;
    }
}

/* One MTrk chunk's events, bytes [r->pos, end). */
static int read_track(struct reader *r, size_t end)
{
    int64_t tick = 0;
    int running = 0; /* the last channel status byte, 0 = none yet */
    int st;
    while (r->pos < end) {
        uint32_t delta;
        if ((st = read_vlq(r, end, &delta, "delta time")))
            return st;
        if (tick > INT64_MAX - VLQ_MAX)
            return bad(r, r->pos, "the track's time overflows");
        tick += delta;
        size_t at = r->pos;
        if (r->pos >= end)
            return bad(r, at, "an event is cut off after its delta time");
        int status = r->p[r->pos];
        if (status & 0x80)
            r->pos++;
        else if (running)
            status = running;
        else
            return bad(r, at, "data byte 0x%02x with no status byte before it",
                       status);

        if (status < 0xF0) { /* a channel message */
            running = status;
            int ndata = (status & 0xE0) == 0xC0 ? 1 : 2; /* Cn, Dn: one */
            if ((st = need(r, end, (size_t)ndata, "a channel message")))
                return st;
            const uint8_t *d = r->p + r->pos;
            for (int i = 0; i < ndata; i++)
                if (d[i] & 0x80)
                    return bad(r, r->pos + (size_t)i,
                               "status byte 0x%02x where a data byte of "
                               "message 0x%02x belongs",
                               d[i], status);
            r->pos += (size_t)ndata;
            int ch = status & 0x0F, kind = status & 0xF0;
            if (kind == 0x90 && d[1] > 0) {
                if ((st = start_note(r, ch, d[0], d[1], tick)))
                    return st;
            } else if (kind == 0x80 || kind == 0x90) {
                end_note(r, ch, d[0], tick);
            }
        } else if (status == 0xFF) { /* meta: type, length, data */
            if ((st = need(r, end, 1, "a meta event")))
                return st;
            int type = r->p[r->pos++];
            uint32_t n;
            if ((st = read_vlq(r, end, &n, "a meta event's length")) ||
                (st = need(r, end, n, "a meta event")))
                return st;
            const uint8_t *d = r->p + r->pos;
            r->pos += n;
            if (type == 0x2F) { /* end of track: later bytes are ignored */
                r->pos = end;
                break;
            }
            if ((st = meta_event(r, type, d, n, tick, at)))
                return st;
        } else if (status == 0xF0 || status == 0xF7) { /* sysex: skipped */
            uint32_t n;
            if ((st = read_vlq(r, end, &n, "a sysex event's length")) ||
                (st = need(r, end, n, "a sysex event")))
                return st;
            r->pos += n;
        } else {
            return bad(r, at,
                       "status byte 0x%02x (system common/real-time) is not "
                       "allowed in a MIDI file",
                       status);
        }
    }
    /* A missing end-of-track event is tolerated: the chunk length says
     * where the track ends. */
    for (int c = 0; c < 16 && r->nopen > 0; c++)
        for (int k = 0; k < 128; k++)
            end_note(r, c, k, tick);
    if (tick > r->m->end_tick)
        r->m->end_tick = tick;
    return SEQ_OK;
}

static int cmp_note(const void *a, const void *b)
{
    const struct seq_midi_note *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->channel != y->channel)
        return x->channel < y->channel ? -1 : 1;
    if (x->pitch != y->pitch)
        return x->pitch < y->pitch ? -1 : 1;
    return 0;
}

static int cmp_tempo(const void *a, const void *b)
{
    const struct seq_midi_tempo *x = a, *y = b;
    return (x->tick > y->tick) - (x->tick < y->tick);
}

static int cmp_timesig(const void *a, const void *b)
{
    const struct seq_midi_timesig *x = a, *y = b;
    return (x->tick > y->tick) - (x->tick < y->tick);
}

static int parse(struct reader *r)
{
    struct seq_midi *m = r->m;
    int st;
    if (r->len < 4 || memcmp(r->p, "MThd", 4) != 0)
        return bad(r, 0, "not a Standard MIDI File (no MThd header)");
    if (r->len < 14)
        return bad(r, 0, "the header is cut off (%zu bytes in the file)",
                   r->len);
    uint32_t hlen = be32(r->p + 4);
    if (hlen < 6)
        return bad(r, 4, "header length %u is shorter than 6", hlen);
    if (hlen > r->len - 8)
        return bad(r, 4, "header length %u runs past the end of the file",
                   hlen);
    unsigned format = be16(r->p + 8), ntracks = be16(r->p + 10);
    unsigned division = be16(r->p + 12);
    if (format > 1)
        return bad(r, 8, "format %u is not supported (only 0 and 1)", format);
    if (ntracks == 0)
        return bad(r, 10, "the header declares no tracks");
    if (format == 0 && ntracks != 1)
        return bad(r, 10, "format 0 must have one track, the header says %u",
                   ntracks);
    if (division & 0x8000)
        return bad(r, 12, "SMPTE time division (0x%04x) is not supported",
                   division);
    if (division == 0)
        return bad(r, 12, "0 ticks per beat");
    m->format = (int)format;
    m->ticks_per_beat = (int)division;

    r->pos = 8 + (size_t)hlen; /* a longer header's extra bytes are skipped */
    unsigned found = 0;
    while (found < ntracks) {
        if (r->len - r->pos < 8)
            return bad(r, r->pos,
                       "the file ends after %u of %u tracks (%zu bytes "
                       "left, a chunk header needs 8)",
                       found, ntracks, r->len - r->pos);
        const uint8_t *h = r->p + r->pos;
        uint32_t clen = be32(h + 4);
        if (clen > r->len - r->pos - 8)
            return bad(r, r->pos + 4,
                       "a chunk of %u bytes runs past the end of the file "
                       "(%zu bytes left)",
                       clen, r->len - r->pos - 8);
        size_t end = r->pos + 8 + clen;
        if (memcmp(h, "MTrk", 4) == 0) {
            r->track = (int)found;
            r->pos += 8;
            if ((st = read_track(r, end)))
                return st;
            r->track = -1;
            found++;
        }
        r->pos = end; /* other chunk types are skipped, as the standard
                       * asks */
    }
    m->ntracks = (int)found;
    /* Bytes after the last declared track are ignored. */
    if ((st = stable_sort(m->notes, (size_t)m->nnotes, sizeof *m->notes,
                          cmp_note)) ||
        (st = stable_sort(m->tempos, (size_t)m->ntempos, sizeof *m->tempos,
                          cmp_tempo)) ||
        (st = stable_sort(m->timesigs, (size_t)m->ntimesigs,
                          sizeof *m->timesigs, cmp_timesig)))
        return st;
    return SEQ_OK;
}

int seq_midi_parse(struct seq_midi *out, const void *data, size_t len,
                   const char *what)
{
    memset(out, 0, sizeof *out);
    if (!data && len)
        return seq_fail(SEQ_EINVAL, "midi: NULL buffer of %zu bytes", len);
    struct reader *r = calloc(1, sizeof *r); /* open[][] is 16 KiB */
    if (!r)
        return seq_fail(SEQ_ENOMEM, "midi: out of memory");
    *r = (struct reader){.p = data,
                         .len = len,
                         .what = what ? what : "midi",
                         .track = -1,
                         .m = out};
    for (int c = 0; c < 16; c++)
        for (int k = 0; k < 128; k++)
            r->open[c][k] = -1;
    int st = parse(r);
    free(r);
    if (st)
        seq_midi_free(out);
    return st;
}

int seq_midi_read(struct seq_midi *out, const char *path)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return seq_fail(SEQ_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    uint8_t *buf = NULL;
    int st;
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = seq_fail(SEQ_EIO, "%s: not a regular file", path);
        goto done;
    }
    if (sb.st_size > SEQ_MIDI_MAX_FILE) {
        st = seq_fail(SEQ_EFORMAT,
                      "%s: %lld bytes is too large for a MIDI file (limit "
                      "%d)",
                      path, (long long)sb.st_size, SEQ_MIDI_MAX_FILE);
        goto done;
    }
    size_t n = (size_t)sb.st_size;
    if (!(buf = malloc(n ? n : 1))) {
        st = seq_fail(SEQ_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (fread(buf, 1, n, fp) != n) {
        st = seq_fail(SEQ_EIO, "%s: read failed", path);
        goto done;
    }
    st = seq_midi_parse(out, buf, n, path);
done:
    free(buf);
    fclose(fp);
    return st;
}

double seq_midi_tick_seconds(const struct seq_midi *m, int64_t tick)
{
    double usec = 0;
    int64_t last = 0;
    int32_t us = SEQ_MIDI_DEFAULT_TEMPO;
    for (int i = 0; i < m->ntempos && m->tempos[i].tick < tick; i++) {
        usec += (double)(m->tempos[i].tick - last) * us;
        last = m->tempos[i].tick;
        us = m->tempos[i].usec_per_beat;
    }
    usec += (double)(tick - last) * us;
    return usec / 1e6 / (m->ticks_per_beat > 0 ? m->ticks_per_beat : 1);
}

/* ---- writing ------------------------------------------------------------- */

struct bytes {
    uint8_t *p;
    int64_t len, cap;
};

static int put(struct bytes *b, const void *src, size_t n)
{
    int st = reserve((void **)&b->p, &b->cap, b->len + (int64_t)n, 1, "output");
    if (st)
        return st;
    memcpy(b->p + b->len, src, n);
    b->len += (int64_t)n;
    return SEQ_OK;
}

static int put_vlq(struct bytes *b, uint32_t v)
{
    uint8_t tmp[4];
    int n = 0;
    tmp[3] = v & 0x7F;
    for (v >>= 7, n = 1; v; v >>= 7, n++)
        tmp[3 - n] = (uint8_t)(0x80 | (v & 0x7F));
    return put(b, tmp + 4 - n, (size_t)n);
}

static int put_be(struct bytes *b, uint32_t v, int n)
{
    uint8_t tmp[4];
    for (int i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return put(b, tmp, (size_t)n);
}

/* One event to write; `order` decides among events at one tick. */
enum {
    EV_META = 0,     /* tempo and time signature first */
    EV_OFF = 1,      /* then the ends of notes that started earlier */
    EV_ON = 2,       /* then new notes */
    EV_OFF_ZERO = 3, /* then the ends of zero-length notes */
};

struct event {
    int64_t tick;
    int order;
    int channel, pitch; /* -1 for meta events */
    uint8_t data[7];    /* status/type and data bytes */
    int ndata;
};

static int cmp_event(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->channel != y->channel)
        return x->channel < y->channel ? -1 : 1;
    return (x->pitch > y->pitch) - (x->pitch < y->pitch);
}

/* The delta time before an event.  A gap longer than a 4-byte VLQ holds
 * is bridged with empty text events (FF 01 00), which readers ignore; like
 * any meta event they cancel running status. */
static int put_delta(struct bytes *out, int64_t delta, int *running)
{
    static const uint8_t empty_text[3] = {0xFF, 0x01, 0x00};
    int st;
    while (delta > (int64_t)VLQ_MAX) {
        if ((st = put_vlq(out, VLQ_MAX)) || (st = put(out, empty_text, 3)))
            return st;
        delta -= VLQ_MAX;
        *running = 0;
    }
    return put_vlq(out, (uint32_t)delta);
}

/* Writes one MTrk chunk from events[0..n) (sorted), ending at end_tick. */
static int write_track(struct bytes *out, const struct event *ev, int64_t n,
                       int64_t end_tick, bool running_status)
{
    static const uint8_t eot[3] = {0xFF, 0x2F, 0x00};
    int st;
    int64_t at = out->len;
    if ((st = put(out, "MTrk\0\0\0\0", 8)))
        return st;
    int64_t tick = 0;
    int running = 0;
    for (int64_t i = 0; i < n; i++) {
        if ((st = put_delta(out, ev[i].tick - tick, &running)))
            return st;
        tick = ev[i].tick;
        const uint8_t *d = ev[i].data;
        int nd = ev[i].ndata;
        if (d[0] == 0xFF) {
            running = 0; /* meta events cancel running status */
        } else if (running_status && d[0] == running) {
            d++, nd--;
        } else {
            running = d[0];
        }
        if ((st = put(out, d, (size_t)nd)))
            return st;
    }
    if ((st =
             put_delta(out, end_tick > tick ? end_tick - tick : 0, &running)) ||
        (st = put(out, eot, 3)))
        return st;
    int64_t len = out->len - at - 8;
    if (len > (int64_t)UINT32_MAX)
        return seq_fail(SEQ_EINVAL,
                        "midi write: a track of %lld bytes is "
                        "too long for its 32-bit length",
                        (long long)len);
    for (int i = 0; i < 4; i++)
        out->p[at + 4 + i] = (uint8_t)(len >> (8 * (3 - i)));
    return SEQ_OK;
}

static int check_piece(const struct seq_midi *m)
{
    /* Keeps start + duration far from int64 overflow, and the number of
     * gap-bridging events (one per 2^28 ticks) small. */
    const int64_t far = (int64_t)1 << 40;
    if (m->ticks_per_beat < 1 || m->ticks_per_beat > 0x7FFF)
        return seq_fail(SEQ_EINVAL,
                        "midi write: ticks_per_beat %d is not in 1..32767",
                        m->ticks_per_beat);
    if (m->nnotes < 0 || m->ntempos < 0 || m->ntimesigs < 0 ||
        (m->nnotes && !m->notes) || (m->ntempos && !m->tempos) ||
        (m->ntimesigs && !m->timesigs))
        return seq_fail(SEQ_EINVAL, "midi write: bad list sizes");
    for (int64_t i = 0; i < m->nnotes; i++) {
        const struct seq_midi_note *nt = &m->notes[i];
        const char *what = nt->pitch < 0 || nt->pitch > 127         ? "pitch"
                           : nt->velocity < 1 || nt->velocity > 127 ? "velocity"
                           : nt->channel < 0 || nt->channel > 15    ? "channel"
                           : nt->start < 0 || nt->start > far       ? "start"
                           : nt->duration < 0 || nt->duration > far ? "duration"
                                                                    : NULL;
        if (what)
            return seq_fail(SEQ_EINVAL,
                            "midi write: note %lld has a bad %s (start %lld, "
                            "duration %lld, pitch %d, velocity %d, channel "
                            "%d)",
                            (long long)i + 1, what, (long long)nt->start,
                            (long long)nt->duration, nt->pitch, nt->velocity,
                            nt->channel);
    }
    for (int i = 0; i < m->ntempos; i++)
        if (m->tempos[i].tick < 0 || m->tempos[i].tick > far ||
            m->tempos[i].usec_per_beat < 1 ||
            m->tempos[i].usec_per_beat > 0xFFFFFF)
            return seq_fail(SEQ_EINVAL,
                            "midi write: tempo %d (tick %lld, %d usec per "
                            "beat) is out of range",
                            i + 1, (long long)m->tempos[i].tick,
                            (int)m->tempos[i].usec_per_beat);
    for (int i = 0; i < m->ntimesigs; i++) {
        const struct seq_midi_timesig *t = &m->timesigs[i];
        int den = t->denominator;
        if (t->tick < 0 || t->tick > far || t->numerator < 1 ||
            t->numerator > 255 || den < 1 || den > 32768 || (den & (den - 1)) ||
            t->clocks_per_click < 0 || t->clocks_per_click > 255 ||
            t->n32nd_per_beat < 0 || t->n32nd_per_beat > 255)
            return seq_fail(SEQ_EINVAL,
                            "midi write: time signature %d (%d/%d at tick "
                            "%lld) is invalid",
                            i + 1, t->numerator, den, (long long)t->tick);
    }
    if (m->end_tick < 0 || m->end_tick > far)
        return seq_fail(SEQ_EINVAL, "midi write: end_tick %lld out of range",
                        (long long)m->end_tick);
    return SEQ_OK;
}

/* The conductor events (tempo and time-signature maps, with the defaults
 * at tick 0 when the piece has none there), appended to ev. */
static int64_t meta_events(struct event *ev, const struct seq_midi *m)
{
    int64_t n = 0;
    bool tempo0 = false, sig0 = false;
    for (int i = 0; i < m->ntempos; i++)
        tempo0 |= m->tempos[i].tick == 0;
    for (int i = 0; i < m->ntimesigs; i++)
        sig0 |= m->timesigs[i].tick == 0;
    if (!sig0)
        ev[n++] =
            (struct event){0, EV_META, -1, -1, {0xFF, 0x58, 4, 4, 2, 24, 8}, 7};
    for (int i = 0; i < m->ntimesigs; i++) {
        const struct seq_midi_timesig *t = &m->timesigs[i];
        int dd = 0;
        while ((1 << dd) < t->denominator)
            dd++;
        ev[n++] = (struct event){
            t->tick,
            EV_META,
            -1,
            -1,
            {0xFF, 0x58, 4, (uint8_t)t->numerator, (uint8_t)dd,
             (uint8_t)(t->clocks_per_click ? t->clocks_per_click : 24),
             (uint8_t)(t->n32nd_per_beat ? t->n32nd_per_beat : 8)},
            7};
    }
    if (!tempo0)
        ev[n++] = (struct event){
            0, EV_META, -1, -1, {0xFF, 0x51, 3, 0x07, 0xA1, 0x20}, 6};
    for (int i = 0; i < m->ntempos; i++) {
        uint32_t us = (uint32_t)m->tempos[i].usec_per_beat;
        ev[n++] = (struct event){m->tempos[i].tick,
                                 EV_META,
                                 -1,
                                 -1,
                                 {0xFF, 0x51, 3, (uint8_t)(us >> 16),
                                  (uint8_t)(us >> 8), (uint8_t)us},
                                 6};
    }
    return n;
}

/* The on and off events of the notes on `channel` (-1: all channels). */
static int64_t note_events(struct event *ev, const struct seq_midi *m,
                           int channel, bool running_status)
{
    int64_t n = 0;
    for (int64_t i = 0; i < m->nnotes; i++) {
        const struct seq_midi_note *nt = &m->notes[i];
        if (channel >= 0 && nt->channel != channel)
            continue;
        uint8_t ch = (uint8_t)nt->channel, p = (uint8_t)nt->pitch;
        ev[n++] = (struct event){
            nt->start, EV_ON, ch, p, {0x90 | ch, p, (uint8_t)nt->velocity}, 3};
        struct event off = {nt->start + nt->duration,
                            nt->duration ? EV_OFF : EV_OFF_ZERO,
                            ch,
                            p,
                            {0x80 | ch, p, 64},
                            3};
        if (running_status) { /* note-on, velocity 0 */
            off.data[0] = 0x90 | ch;
            off.data[2] = 0;
        }
        ev[n++] = off;
    }
    return n;
}

static int encode(struct bytes *out, const struct seq_midi *m,
                  const struct seq_midi_write_opts *o, struct event *ev)
{
    int st;
    bool used[16] = {false};
    int64_t end_tick = m->end_tick;
    for (int64_t i = 0; i < m->nnotes; i++) {
        used[m->notes[i].channel] = true;
        int64_t e = m->notes[i].start + m->notes[i].duration;
        end_tick = e > end_tick ? e : end_tick;
    }
    for (int i = 0; i < m->ntempos; i++)
        end_tick = m->tempos[i].tick > end_tick ? m->tempos[i].tick : end_tick;
    for (int i = 0; i < m->ntimesigs; i++)
        end_tick =
            m->timesigs[i].tick > end_tick ? m->timesigs[i].tick : end_tick;
    int ntracks = 1;
    if (o->format == 1)
        for (int c = 0; c < 16; c++)
            ntracks += used[c];
    if ((st = put(out, "MThd\0\0\0\6", 8)) ||
        (st = put_be(out, (uint32_t)o->format, 2)) ||
        (st = put_be(out, (uint32_t)ntracks, 2)) ||
        (st = put_be(out, (uint32_t)m->ticks_per_beat, 2)))
        return st;
    if (o->format == 0) {
        int64_t n = meta_events(ev, m);
        n += note_events(ev + n, m, -1, o->running_status);
        if ((st = stable_sort(ev, (size_t)n, sizeof *ev, cmp_event)))
            return st;
        return write_track(out, ev, n, end_tick, o->running_status);
    }
    int64_t n = meta_events(ev, m);
    if ((st = stable_sort(ev, (size_t)n, sizeof *ev, cmp_event)) ||
        (st = write_track(out, ev, n, end_tick, o->running_status)))
        return st;
    for (int c = 0; c < 16; c++) {
        if (!used[c])
            continue;
        n = note_events(ev, m, c, o->running_status);
        if ((st = stable_sort(ev, (size_t)n, sizeof *ev, cmp_event)) ||
            (st = write_track(out, ev, n, end_tick, o->running_status)))
            return st;
    }
    return SEQ_OK;
}

int seq_midi_encode(void **out, size_t *len, const struct seq_midi *m,
                    const struct seq_midi_write_opts *opts)
{
    struct seq_midi_write_opts o = {1, true};
    if (opts)
        o = *opts;
    *out = NULL;
    *len = 0;
    if (o.format != 0 && o.format != 1)
        return seq_fail(SEQ_EINVAL, "midi write: format %d (expected 0 or 1)",
                        o.format);
    int st = check_piece(m);
    if (st)
        return st;
    /* two events per note, the maps, and their two defaults */
    int64_t nev = 2 * m->nnotes + m->ntempos + m->ntimesigs + 2;
    if ((uint64_t)nev > SIZE_MAX / sizeof(struct event))
        return seq_fail(SEQ_ENOMEM, "midi write: too many notes");
    struct event *ev = malloc((size_t)nev * sizeof *ev);
    if (!ev)
        return seq_fail(SEQ_ENOMEM,
                        "midi write: out of memory for %lld "
                        "events",
                        (long long)nev);
    struct bytes b = {0};
    st = encode(&b, m, &o, ev);
    free(ev);
    if (st) {
        free(b.p);
        return st;
    }
    *out = b.p;
    *len = (size_t)b.len;
    return SEQ_OK;
}

int seq_midi_write(const char *path, const struct seq_midi *m,
                   const struct seq_midi_write_opts *opts)
{
    void *buf;
    size_t len;
    int st = seq_midi_encode(&buf, &len, m, opts);
    if (st)
        return seq_error_prefix(st, path);
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        free(buf);
        return seq_fail(SEQ_ENOMEM, "%s: out of memory", path);
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    /* Write beside the target and rename over it: readers see the old file
     * or the new one, never half of one. */
    FILE *fp = fopen(tmp, "wb");
    if (!fp) {
        st = seq_fail(SEQ_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    } else {
        bool ok = fwrite(buf, 1, len, fp) == len;
        ok = (fclose(fp) == 0) && ok;
        if (!ok)
            st =
                seq_fail(SEQ_EIO, "%s: write failed: %s", tmp, strerror(errno));
        else if (rename(tmp, path) != 0)
            st = seq_fail(SEQ_EIO, "%s: cannot rename to %s: %s", tmp, path,
                          strerror(errno));
        if (st)
            remove(tmp);
    }
    free(tmp);
    free(buf);
    return st;
}
