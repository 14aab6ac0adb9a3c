/* ansi.h — turning a grid into text for a stream: ANSI SGR escapes at the
 * grid's colour level, or plain text; and choosing the output mode from the
 * stream (a terminal or not), NO_COLOR, TERM and the --ascii override. */
#ifndef VIZ_ANSI_H
#define VIZ_ANSI_H

#include <stdbool.h>
#include <stdio.h>

#include "viz/grid.h"

/* The process-wide override set by --ascii and viz.output(). */
enum viz_output { VIZ_OUTPUT_AUTO = 0, VIZ_OUTPUT_ANSI, VIZ_OUTPUT_ASCII };
void viz_set_output(enum viz_output o);
enum viz_output viz_get_output(void);
const char *viz_output_name(enum viz_output o); /* "auto", "ansi", "ascii" */
/* Parses "auto", "ansi" or "ascii"; returns false for anything else. */
bool viz_output_parse(const char *s, enum viz_output *o);

/* The mode for a stream with these properties (NULL = variable unset):
 * not a terminal, NO_COLOR set and non-empty, or TERM unset, "dumb" or
 * "vt100"-like -> ASCII without colour; otherwise Unicode with 256 colours
 * for "*256color*" or COLORTERM=truecolor/24bit, 8 for "linux" and 16 for
 * the rest.  The override, when not AUTO, wins. */
struct viz_mode viz_mode_for(bool is_tty, const char *term,
                             const char *no_color, const char *colorterm);
/* viz_mode_for applied to f and the environment. */
struct viz_mode viz_detect_output(FILE *f);
/* Columns of the terminal behind f: TIOCGWINSZ, else $COLUMNS, else 80. */
int viz_terminal_width(FILE *f);

/* The grid as text, one line per row ending in "\n", trailing blank cells
 * trimmed.  A grid whose mode has colours gets SGR escapes (38;5/48;5 at
 * 256 colours, 30-37/90-97 at 16, 30-37 at 8) and every line that changed
 * the pen ends in a reset; a monochrome grid gets no escape at all.  In an
 * ASCII grid any non-ASCII glyph is written as '?'.  Returns a malloc'd,
 * NUL-terminated string (its length in *len when len is not NULL), or NULL
 * when out of memory. */
char *viz_grid_to_text(const struct viz_grid *g, size_t *len);
/* The same text written to f; returns 0, or -1 on a write error or when
 * out of memory. */
int viz_grid_write(const struct viz_grid *g, FILE *f);

/* The nearest of the first `n` (16 or 8) xterm colours to palette index
 * idx; indices already below n are returned as they are. */
int viz_colour_reduce(int idx, int n);

#endif
