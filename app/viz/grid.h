/* grid.h — a rectangle of character cells (glyph, colours, attributes) that
 * plots are drawn into, with UTF-8 aware text placement.  The grid knows
 * nothing of terminals: ansi.c turns it into text, the TUI copies it into a
 * curses window.  Nothing here includes curses.h or writes escapes. */
#ifndef VIZ_GRID_H
#define VIZ_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which glyphs a renderer may use: Unicode (braille, blocks, box drawing)
 * or 7-bit ASCII only. */
enum viz_charset { VIZ_UNICODE = 0, VIZ_ASCII = 1 };

/* How many colours the output can show.  Cells always hold xterm-256
 * indices; renderers pick indices below 16 (or 8) at the lower levels, and
 * the writer maps anything else to the nearest colour it can show. */
enum viz_colours { VIZ_MONO = 0, VIZ_8 = 8, VIZ_16 = 16, VIZ_256 = 256 };

struct viz_mode {
    enum viz_charset charset;
    enum viz_colours colours;
};

/* The usual pairings: what a colour terminal gets, and plain text. */
#define VIZ_MODE_ANSI  ((struct viz_mode){VIZ_UNICODE, VIZ_256})
#define VIZ_MODE_ASCII ((struct viz_mode){VIZ_ASCII, VIZ_MONO})

#define VIZ_NO_COLOUR (-1) /* the terminal's default fg or bg */

enum {
    VIZ_ATTR_BOLD = 1,
    VIZ_ATTR_DIM = 2,
    VIZ_ATTR_UNDERLINE = 4,
    VIZ_ATTR_REVERSE = 8,
};

/* The colours and attributes a glyph is drawn with. */
struct viz_pen {
    int16_t fg, bg; /* xterm-256 index or VIZ_NO_COLOUR */
    uint8_t attr;   /* VIZ_ATTR_* */
};
#define VIZ_PEN_PLAIN ((struct viz_pen){VIZ_NO_COLOUR, VIZ_NO_COLOUR, 0})

/* A wide glyph (CJK, most emoji) fills two cells: the glyph sits in the left
 * one and the right one holds VIZ_WIDE_TAIL, which writers skip. */
#define VIZ_WIDE_TAIL 0u

struct viz_cell {
    uint32_t ch; /* a Unicode code point, or VIZ_WIDE_TAIL */
    int16_t fg, bg;
    uint8_t attr;
};

struct viz_grid {
    int w, h;
    struct viz_mode mode;
    struct viz_cell *cells; /* h rows of w cells */
};

/* ---- the grid ----------------------------------------------------------- */
/* A blank grid (spaces, default colours).  NULL when out of memory or when
 * w or h is not in 1..4096. */
struct viz_grid *viz_grid_new(int w, int h, struct viz_mode mode);
void viz_grid_free(struct viz_grid *g); /* NULL-safe */
void viz_grid_clear(struct viz_grid *g);
/* The cell at (x, y), or NULL outside the grid. */
struct viz_cell *viz_grid_at(const struct viz_grid *g, int x, int y);
/* Sets one cell; outside the grid it does nothing.  A wide glyph that does
 * not fit before the right edge becomes a space. */
void viz_grid_put(struct viz_grid *g, int x, int y, uint32_t ch,
                  struct viz_pen pen);
/* Writes `n` copies of ch from (x, y) to the right. */
void viz_grid_fill(struct viz_grid *g, int x, int y, int n, uint32_t ch,
                   struct viz_pen pen);
/* Writes UTF-8 text from (x, y) in at most `maxw` columns (a negative maxw
 * means up to the right edge).  Text that does not fit is cut and ends in
 * an ellipsis.  Invalid UTF-8 shows as U+FFFD, control characters as '?',
 * a newline as U+23CE; zero-width characters are dropped.  In an ASCII grid
 * Latin-1 letters lose their accents and other characters become '?'.
 * Returns the number of columns written. */
int viz_grid_put_str(struct viz_grid *g, int x, int y, const char *s, int maxw,
                     struct viz_pen pen);

/* ---- UTF-8 and widths --------------------------------------------------- */
/* Decodes one code point from s (n bytes available, n >= 1).  Returns the
 * bytes consumed (1..4); invalid or truncated sequences give U+FFFD and
 * consume one byte. */
int viz_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp (U+FFFD if invalid) into out; returns the byte count. */
int viz_utf8_encode(uint32_t cp, char out[4]);
/* Columns a code point takes in a terminal: 0 (combining), 1 or 2 (East
 * Asian wide and fullwidth, emoji). */
int viz_char_width(uint32_t cp);
/* The glyph a code point becomes in a grid of the given charset (the
 * substitutions described at viz_grid_put_str); 0 for dropped ones. */
uint32_t viz_glyph_for(uint32_t cp, enum viz_charset cs);
/* Columns viz_grid_put_str would use for s without a width limit. */
int viz_str_width(const char *s, enum viz_charset cs);

#endif
