/* seq/midi.h — Standard MIDI Files (SMF format 0 and 1): a reader that turns
 * a file into a flat, sorted list of notes plus the tempo and time-signature
 * maps, and a writer that turns such a list back into a file.
 *
 * Only what a melody model needs is kept: notes (note-on/note-off pairs,
 * where a note-on of velocity 0 is a note-off), tempo (FF 51) and time
 * signature (FF 58) meta events, and the end of each track (FF 2F).  Other
 * meta events, sysex (F0/F7), controllers, program changes, pitch bends and
 * chunks other than MTrk are read past and dropped.  Running status is
 * understood everywhere, also after meta and sysex events (which the
 * standard says cancel it, but some writers rely on it anyway).
 *
 * Files are untrusted input: every length is checked against the bytes
 * that remain, and any malformed or truncated file is a SEQ_EFORMAT whose
 * message names the track and byte offset (SEQ_EIO for the file system,
 * SEQ_ENOMEM for memory).  Nothing here prints, aborts or exits.
 *
 * Pairing rules on reading (per track, per channel and pitch):
 *  - a note-on while the same key is already sounding ends the sounding
 *    note at that tick and starts a new one ("retrigger");
 *  - a note-off for a key that is not sounding is ignored;
 *  - notes still sounding when their track ends last until the track's end.
 * Two notes of the same key and channel that overlap in time cannot be told
 * apart in MIDI, so they do not survive a write/read round trip. */
#ifndef SEQ_MIDI_H
#define SEQ_MIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seq/error.h"

/* Files larger than this are refused by seq_midi_read before any
 * allocation (a real SMF of this size would hold millions of notes). */
#define SEQ_MIDI_MAX_FILE (64 * 1024 * 1024)
/* The default tempo when a file has no tempo event: 120 beats per minute. */
#define SEQ_MIDI_DEFAULT_TEMPO 500000

struct seq_midi_note {
    int64_t start;    /* ticks from the start of the piece */
    int64_t duration; /* ticks, >= 0 */
    int pitch;        /* 0..127, 60 = middle C */
    int velocity;     /* 1..127 */
    int channel;      /* 0..15 */
    int track;        /* reading: the MTrk chunk (0-based); ignored on write */
};

struct seq_midi_tempo {
    int64_t tick;
    int32_t usec_per_beat; /* microseconds per quarter note, 1..0xFFFFFF */
};

struct seq_midi_timesig {
    int64_t tick;
    int numerator;   /* 1..255 */
    int denominator; /* 1, 2, 4, ... 32768 (the file stores its log2) */
    int clocks_per_click;
    int n32nd_per_beat;
};

/* A piece.  Notes are sorted by start tick, then channel, then pitch; the
 * tempo and time-signature lists by tick (file order among equal ticks). */
struct seq_midi {
    int format;         /* 0 or 1 as read; see seq_midi_write_opts */
    int ntracks;        /* MTrk chunks in the file */
    int ticks_per_beat; /* the header's division, 1..0x7FFF */
    int64_t end_tick;   /* the latest end of track (>= every note's end) */
    struct seq_midi_note *notes;
    int64_t nnotes;
    struct seq_midi_tempo *tempos;
    int ntempos;
    struct seq_midi_timesig *timesigs;
    int ntimesigs;
};

/* Parses an SMF held in memory; `what` names it in messages (a path, or
 * "buffer").  On failure *out is left empty (safe to free). */
int seq_midi_parse(struct seq_midi *out, const void *data, size_t len,
                   const char *what);
/* Reads and parses a file (regular files only, at most SEQ_MIDI_MAX_FILE
 * bytes). */
int seq_midi_read(struct seq_midi *out, const char *path);
/* Frees the lists and empties *m.  NULL-safe and safe to call twice. */
void seq_midi_free(struct seq_midi *m);

struct seq_midi_write_opts {
    /* 1: track 0 holds the tempo and time-signature maps, then one track
     *    per MIDI channel that has notes, in channel order;
     * 0: a single track holding everything. */
    int format;
    /* Omit repeated status bytes and write note-offs as note-on with
     * velocity 0 (the compact form most sequencers write); otherwise every
     * event carries its status and note-offs are 8n events. */
    bool running_status;
};

/* Encodes m (its notes in any order; format and ntracks are ignored) into a
 * malloc'd buffer that the caller frees with free().  m->ticks_per_beat
 * must be 1..0x7FFF, every note valid (pitch 0..127, velocity 1..127,
 * channel 0..15, 0 <= start, duration <= 2^40 ticks), tempos 1..0xFFFFFF
 * usec; anything else is SEQ_EINVAL naming the offending entry.  A gap
 * between events longer than a delta time holds (0x0FFFFFFF ticks) is
 * bridged with empty text events.  With no tempo (or no
 * time signature) at tick 0, 120 bpm (or 4/4) is written there.  The track
 * ends at max(m->end_tick, the last note's end).  At one tick, note-offs of
 * earlier notes come before note-ons, and the off of a zero-length note
 * right after its on, so every note reads back with its duration. */
int seq_midi_encode(void **out, size_t *len, const struct seq_midi *m,
                    const struct seq_midi_write_opts *opts);
/* Encodes and writes to "<path>.tmp", then renames it over path, so a
 * failed write leaves any previous file intact.  opts may be NULL (format
 * 1 with running status). */
int seq_midi_write(const char *path, const struct seq_midi *m,
                   const struct seq_midi_write_opts *opts);

/* Ticks to seconds along the tempo map (the default tempo before the first
 * tempo event). */
double seq_midi_tick_seconds(const struct seq_midi *m, int64_t tick);

#endif
