/* plot.h — the plots: a plain C *spec* per kind holding the data (series,
 * matrix and labels, bins, rows), and renderers that draw a spec into a grid
 * of any size, so that the TUI can draw the same plot again at another size.
 * A struct viz_plot owns one spec of any kind.  Also the shared axis helpers
 * (nice ticks, number labels) and the C access to the plots a Lua state has
 * made (implemented in app/lua/l_viz.c).  No Lua or curses headers here. */
#ifndef VIZ_PLOT_H
#define VIZ_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "viz/grid.h"

enum viz_kind { VIZ_LINE, VIZ_HEATMAP, VIZ_HIST, VIZ_BAR, VIZ_TABLE };

/* ---- specs ---------------------------------------------------------------
 * Every pointer in a spec held by a struct viz_plot is owned by it (malloc'd,
 * freed by viz_plot_free).  A spec on the stack may point anywhere: the
 * renderers only read. */

struct viz_series {
    char *name; /* NULL or "": no legend entry */
    double *x;  /* n values, or NULL for 1, 2, ..., n */
    double *y;  /* n values; NaN and inf leave a gap */
    int n;
};

struct viz_line_spec {
    char *title, *xlabel, *ylabel; /* each may be NULL */
    bool logy;                     /* log10 y axis; y <= 0 is skipped */
    int nseries;
    struct viz_series *series;
};

enum viz_palette { VIZ_PAL_VIRIDIS = 0, VIZ_PAL_GREY, VIZ_PAL_DIVERGING };
/* How matrix values map to cells: AUTO picks BLOCK (one row per text row,
 * two columns per value, room for labels) when the matrix fits, else HALF
 * (two rows per text row with the upper half block ▀, fg = upper row and
 * bg = lower row).  HALF needs Unicode and 256 colours; otherwise the
 * levels are drawn as shade glyphs " ░▒▓█" or ASCII " .:-=+*#%@" in BLOCK
 * layout. */
enum viz_cells { VIZ_CELLS_AUTO = 0, VIZ_CELLS_HALF, VIZ_CELLS_BLOCK };

struct viz_heatmap_spec {
    char *title;
    int rows, cols;
    double *values;    /* (rows, cols), row-major; NaN shows as blank */
    char **xlabels;    /* cols labels (entries may be NULL), or NULL */
    char **ylabels;    /* rows labels (entries may be NULL), or NULL */
    bool fixed_range;  /* vmin..vmax as given (e.g. 0..1 for attention) */
    double vmin, vmax; /* otherwise the matrix's own min and max */
    enum viz_palette palette; /* DIVERGING centres the scale on 0 */
    enum viz_cells cells;
};

struct viz_hist_spec {
    char *title;
    int nbins;
    double *edges;   /* nbins + 1, increasing; bin i is [e_i, e_i+1) */
    double *counts;  /* nbins */
    int64_t skipped; /* values left out (NaN, inf, outside the range) */
};

struct viz_bar_spec {
    char *title;
    int n;
    char **labels;  /* n labels (entries may be NULL: the 1-based index) */
    double *values; /* n values, negative ones draw left of the axis */
};

struct viz_table_spec {
    char *title;
    int nrows, ncols;
    char **cells; /* nrows * ncols, row-major; NULL is an empty cell */
    bool header;  /* the first row is a header, ruled off below */
};

struct viz_plot {
    enum viz_kind kind;
    union {
        struct viz_line_spec line;
        struct viz_heatmap_spec heatmap;
        struct viz_hist_spec hist;
        struct viz_bar_spec bar;
        struct viz_table_spec table;
    };
};

/* ---- renderers -----------------------------------------------------------
 * Each clears the grid and draws the spec to fill it, in the grid's mode
 * (charset and colours).  Any size works: what does not fit is left out or
 * cut, never drawn outside.  They return 0, or -1 when out of memory. */
int viz_line_render(const struct viz_line_spec *s, struct viz_grid *g);
int viz_heatmap_render(const struct viz_heatmap_spec *s, struct viz_grid *g);
int viz_hist_render(const struct viz_hist_spec *s, struct viz_grid *g);
int viz_bar_render(const struct viz_bar_spec *s, struct viz_grid *g);
int viz_table_render(const struct viz_table_spec *s, struct viz_grid *g);

/* The size each kind looks best at within max_w columns (what
 * viz_plot_natural_size dispatches to). */
void viz_line_size(const struct viz_line_spec *s, int max_w, int *w, int *h);
void viz_heatmap_size(const struct viz_heatmap_spec *s, int max_w, int *w,
                      int *h);
void viz_hist_size(const struct viz_hist_spec *s, int max_w, int *w, int *h);
void viz_bar_size(const struct viz_bar_spec *s, int max_w, int *w, int *h);
void viz_table_size(const struct viz_table_spec *s, int max_w, int *w, int *h);

/* Fills s->edges and s->counts (malloc'd; s->nbins set) from n values:
 * nbins equal bins over [lo, hi], or over the finite data's own range when
 * lo >= hi.  The last bin includes hi.  Non-finite values and values
 * outside the range are counted in s->skipped.  Returns 0 or -1 (OOM, or
 * nbins < 1). */
int viz_hist_fill(struct viz_hist_spec *s, const double *data, size_t n,
                  int nbins, double lo, double hi);

/* ---- heatmap geometry, for the TUI's cursor ------------------------------ */
struct viz_heatmap_layout {
    int x0, y0;   /* grid cell of the matrix's top-left value */
    int cw;       /* grid columns per drawn column */
    int npx, npy; /* drawn columns and rows (<= cols, rows when shrunk) */
    bool half;    /* two drawn rows per grid row */
    bool shade;   /* levels as glyphs rather than colours */
};
/* How viz_heatmap_render lays s out in a grid of g's size and mode. */
void viz_heatmap_layout(const struct viz_heatmap_spec *s,
                        const struct viz_grid *g,
                        struct viz_heatmap_layout *lay);
/* The matrix cell drawn at grid cell (x, y); in HALF layout, the upper of
 * the two.  Returns false (row, col untouched) outside the matrix. */
bool viz_heatmap_cell_at(const struct viz_heatmap_spec *s,
                         const struct viz_grid *g, int x, int y, int *row,
                         int *col);
/* Where matrix cell (row, col) is drawn: grid cell (x, y), and in HALF
 * layout whether it is the lower half.  When the matrix was shrunk to fit,
 * the nearest drawn cell.  False when row or col is out of range. */
bool viz_heatmap_cell_pos(const struct viz_heatmap_spec *s,
                          const struct viz_grid *g, int row, int col, int *x,
                          int *y, bool *lower);
/* The colour (xterm-256 index) or glyph for level t in [0, 1]. */
int viz_ramp_colour(enum viz_palette pal, double t);
uint32_t viz_ramp_glyph(enum viz_charset cs, double t);
int viz_ramp_levels(enum viz_palette pal);

/* ---- plots -----------------------------------------------------------------
 */
struct viz_plot *viz_plot_new(enum viz_kind kind); /* zeroed spec */
void viz_plot_free(struct viz_plot *p);            /* NULL-safe */
int viz_plot_render(const struct viz_plot *p, struct viz_grid *g);
const char *viz_kind_name(enum viz_kind kind); /* "line", "heatmap", ... */
const char *viz_plot_title(const struct viz_plot *p); /* NULL if none */
/* The size a plot looks best at when it may use up to max_w columns. */
void viz_plot_natural_size(const struct viz_plot *p, int max_w, int *w, int *h);
/* Renders into a new grid of w x h in `mode` and returns its text (see
 * viz_grid_to_text), or NULL when out of memory or the size is invalid. */
char *viz_plot_to_text(const struct viz_plot *p, int w, int h,
                       struct viz_mode mode, size_t *len);

/* ---- axes -------------------------------------------------------------------
 * Nice ticks are multiples of 1, 2 or 5 x 10^k.  viz_nice_ticks picks the
 * smallest such step whose ticks, from the multiple at or below lo to the
 * one at or above hi, number at most maxticks (clamped to 3..16: two ticks
 * cannot always enclose a range), writes them to ticks (room for 16) and
 * returns their count: 2 or more, 3 or more when maxticks >= 5.  lo == hi
 * is widened first (5 -> 4.5..5.5). */
int viz_nice_ticks(double lo, double hi, int maxticks, double *ticks);
/* The same search for ticks *inside* [*lo, *hi] (for an axis that ends at
 * the data): at most maxticks of them, possibly none; *step gets the step
 * and *lo, *hi the range actually used (widened when lo == hi). */
int viz_nice_ticks_inside(double *lo, double *hi, int maxticks, double *ticks,
                          double *step);
/* A tick label: as many decimals as the step needs ("0.25", "1.0", "200",
 * "24.75"), 3 significant digits of a step that has no short exact form
 * ("0.333"); exponent form for very large or small steps ("1e-5"). */
int viz_format_tick(char *buf, size_t n, double v, double step);
/* A compact value label with 4 significant digits ("0.4312", "1234",
 * "1.5e-7", "nan", "inf"). */
int viz_format_num(char *buf, size_t n, double v);
/* The colour of series i (0-based) at a colour level; VIZ_NO_COLOUR for
 * VIZ_MONO.  And its marker in ASCII ('*', '+', 'o', ...). */
int viz_series_colour(int i, enum viz_colours level);
char viz_series_marker(int i);

/* ---- the plots a Lua state has made (app/lua/l_viz.c) ---------------------
 * Each viz.* call records its plot in a per-state list (the newest last, at
 * most VIZ_MAX_PLOTS: older ones drop out).  Pointers stay valid until the
 * plot leaves the list (viz.clear(), or dropping out) and is collected. */
#define VIZ_MAX_PLOTS 64
struct lua_State;
int viz_plot_count(struct lua_State *L);
/* Plot i, 0-based from the oldest; NULL when out of range. */
const struct viz_plot *viz_plot_get(struct lua_State *L, int i);
/* How viz.* calls print their plot at once.  The text goes through Lua's
 * io.stdout:write, so it follows lseq_redirect_output and captures.  The
 * default: enabled, mode chosen by viz_detect_output(stdout), the terminal's
 * width.  The TUI turns printing off (it shows viz_plot_get instead); a
 * grader capturing output asks for VIZ_MODE_ASCII. */
struct viz_echo {
    bool enabled;         /* false: record the plot, print nothing */
    bool auto_mode;       /* pick the mode from stdout and the environment */
    struct viz_mode mode; /* otherwise this one */
    int width;            /* default width; 0: the terminal's, at most 100 */
};
void viz_set_echo(struct lua_State *L, const struct viz_echo *echo);
void viz_get_echo(struct lua_State *L, struct viz_echo *echo);

#endif
