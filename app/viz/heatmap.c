/* heatmap.c — matrices as colour: two columns per value when the matrix
 * fits (room for token labels), otherwise half-blocks holding two rows per
 * text row; a perceptually ordered 256-colour ramp, shade glyphs for fewer
 * colours or ASCII, row and column labels, a colour bar, and the geometry
 * the TUI's cursor needs to find the value under it. */
#include "viz/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX_W 8  /* row labels are cut to this many columns */
#define CELL_MAX_W  10 /* widest column, when labels ask for room */
#define UPPER_HALF  0x2580u
#define LOWER_HALF  0x2584u

/* ---- colour ramps ----------------------------------------------------------
 * Viridis-like, tuned by hand so that luminance rises at every step (27 ->
 * 208) on the coarse xterm cube: #5f005f #5f0087 #5f5faf #5f87af #5fafaf
 * #5fd7af #87d787 #afd75f #d7d75f #ffd700.  Grey is the 232-255 ramp
 * sampled evenly; diverging runs blue -> white -> red. */
static const int ramp_viridis[] = {53, 54, 61, 67, 73, 79, 114, 149, 185, 220};
static const int ramp_grey[] = {233, 235, 237, 240, 242,
                                245, 247, 250, 252, 255};
static const int ramp_diverging[] = {21,  27,  33,  75,  117, 231,
                                     224, 217, 210, 203, 196};
static const char shade_ascii[] = " .:-=+*#%@";
static const uint32_t shade_unicode[] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};

static const int *ramp_of(enum viz_palette pal, int *n)
{
    switch (pal) {
    case VIZ_PAL_GREY:
        *n = (int)(sizeof ramp_grey / sizeof *ramp_grey);
        return ramp_grey;
    case VIZ_PAL_DIVERGING:
        *n = (int)(sizeof ramp_diverging / sizeof *ramp_diverging);
        return ramp_diverging;
    case VIZ_PAL_VIRIDIS:
        break;
    }
    *n = (int)(sizeof ramp_viridis / sizeof *ramp_viridis);
    return ramp_viridis;
}

/* Level of t in [0, 1] among n equal slices (t = 1 is the top one). */
static int level_of(double t, int n)
{
    int i = (int)(t * n);
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

int viz_ramp_levels(enum viz_palette pal)
{
    int n;
    ramp_of(pal, &n);
    return n;
}

int viz_ramp_colour(enum viz_palette pal, double t)
{
    int n;
    const int *ramp = ramp_of(pal, &n);
    return isnan(t) ? VIZ_NO_COLOUR : ramp[level_of(t, n)];
}

uint32_t viz_ramp_glyph(enum viz_charset cs, double t)
{
    if (isnan(t))
        return '?';
    if (cs == VIZ_ASCII)
        return (uint32_t)shade_ascii[level_of(t, 10)];
    return shade_unicode[level_of(t, 5)];
}

/* ---- values -----------------------------------------------------------------
 */

static void value_range(const struct viz_heatmap_spec *s, double *lo,
                        double *hi)
{
    if (s->fixed_range) {
        *lo = fmin(s->vmin, s->vmax);
        *hi = fmax(s->vmin, s->vmax);
    } else {
        *lo = INFINITY, *hi = -INFINITY;
        for (size_t i = 0; i < (size_t)s->rows * (size_t)s->cols; i++) {
            if (isfinite(s->values[i])) {
                *lo = fmin(*lo, s->values[i]);
                *hi = fmax(*hi, s->values[i]);
            }
        }
        if (*lo > *hi)
            *lo = 0, *hi = 1;
    }
    if (s->palette == VIZ_PAL_DIVERGING) {
        double m = fmax(fabs(*lo), fabs(*hi));
        *lo = -m, *hi = m;
    }
}

/* Where v sits between lo and hi, in [0, 1]; NaN stays NaN. */
static double scale(double v, double lo, double hi)
{
    if (isnan(v))
        return NAN;
    if (!(hi > lo))
        return 0.5;
    double t = (v - lo) / (hi - lo);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

/* ---- layout
 * ------------------------------------------------------------------- */

struct hm {
    struct viz_heatmap_layout pub;
    int title_y, xlab_y, bar_y, key_y; /* -1 when left out */
    int lw;                            /* row label columns */
    bool xlab_text; /* column labels as text, else as indices */
    double lo, hi;
};

static int max_label_width(char **labels, int n, enum viz_charset cs)
{
    int w = 0;
    for (int i = 0; labels && i < n; i++) {
        if (labels[i]) {
            int lw = viz_str_width(labels[i], cs);
            w = lw > w ? lw : w;
        }
    }
    return w;
}

static int col_of(const struct viz_heatmap_spec *s,
                  const struct viz_heatmap_layout *l, int px)
{
    return (int)((int64_t)px * s->cols / l->npx);
}

static int row_of(const struct viz_heatmap_spec *s,
                  const struct viz_heatmap_layout *l, int py)
{
    return (int)((int64_t)py * s->rows / l->npy);
}

static void layout(const struct viz_heatmap_spec *s, const struct viz_grid *g,
                   struct hm *m)
{
    struct viz_heatmap_layout *l = &m->pub;
    enum viz_charset cs = g->mode.charset;
    memset(m, 0, sizeof *m);
    m->title_y = m->xlab_y = m->bar_y = m->key_y = -1;
    l->shade = !(cs == VIZ_UNICODE && g->mode.colours == VIZ_256);
    l->cw = 1;
    if (s->rows < 1 || s->cols < 1)
        return; /* nothing is drawn: npx = npy = 0 */

    /* Rows: title, column labels, matrix, colour bar, column key. */
    bool want[3] = {true, s->title && *s->title, s->xlabels != NULL};
    bool take[3] = {false, false, false};
    int avail_h = g->h;
    for (int i = 0; i < 3; i++)
        if (want[i] && avail_h >= 2)
            take[i] = true, avail_h--;

    /* Columns: row labels, a space, the matrix. */
    m->lw = 0;
    if (s->ylabels) {
        m->lw = max_label_width(s->ylabels, s->rows, cs);
        if (m->lw > LABEL_MAX_W)
            m->lw = LABEL_MAX_W;
        if (m->lw > g->w / 3)
            m->lw = g->w / 3;
    }
    int avail_w = g->w - (m->lw ? m->lw + 1 : 0);

    enum viz_cells cells = s->cells;
    if (l->shade)
        cells = VIZ_CELLS_BLOCK;
    else if (cells == VIZ_CELLS_AUTO)
        cells = s->rows <= avail_h ? VIZ_CELLS_BLOCK : VIZ_CELLS_HALF;
    l->half = cells == VIZ_CELLS_HALF;

    int want_cw = 2;
    if (s->xlabels && !l->half) {
        want_cw = max_label_width(s->xlabels, s->cols, cs) + 1;
        want_cw = want_cw < 2 ? 2 : want_cw > CELL_MAX_W ? CELL_MAX_W : want_cw;
    }
    if (l->half)
        l->cw = 1;
    else if ((int64_t)s->cols * want_cw <= avail_w)
        l->cw = want_cw;
    else if ((int64_t)s->cols * 2 <= avail_w)
        l->cw = avail_w / s->cols;
    else
        l->cw = 1;
    l->npx = s->cols < avail_w / l->cw ? s->cols : avail_w / l->cw;
    int max_py = l->half ? 2 * avail_h : avail_h;
    l->npy = s->rows < max_py ? s->rows : max_py;
    m->xlab_text =
        l->npx == s->cols &&
        (l->cw >= 3 || max_label_width(s->xlabels, s->cols, cs) < l->cw);

    int y = 0;
    m->title_y = take[1] ? y++ : -1;
    m->xlab_y = take[2] ? y++ : -1;
    l->y0 = y;
    l->x0 = m->lw ? m->lw + 1 : 0;
    y += l->half ? (l->npy + 1) / 2 : l->npy;
    m->bar_y = take[0] ? y++ : -1;
    /* a key from index to label when the labels did not fit on top */
    m->key_y = s->xlabels && !m->xlab_text && y < g->h ? y++ : -1;
    value_range(s, &m->lo, &m->hi);
}

void viz_heatmap_layout(const struct viz_heatmap_spec *s,
                        const struct viz_grid *g,
                        struct viz_heatmap_layout *lay)
{
    struct hm m;
    layout(s, g, &m);
    *lay = m.pub;
}

bool viz_heatmap_cell_at(const struct viz_heatmap_spec *s,
                         const struct viz_grid *g, int x, int y, int *row,
                         int *col)
{
    struct viz_heatmap_layout l;
    viz_heatmap_layout(s, g, &l);
    int px = x - l.x0, py = (y - l.y0) * (l.half ? 2 : 1);
    if (x < l.x0 || y < l.y0 || px >= l.npx * l.cw || py >= l.npy)
        return false;
    *row = row_of(s, &l, py);
    *col = col_of(s, &l, px / l.cw);
    return true;
}

/* The first drawn index showing matrix index i (or the one nearest). */
static int drawn_index(int i, int n, int np)
{
    int p = (int)(((int64_t)i * np + n - 1) / n); /* ceil(i * np / n) */
    return p >= np ? np - 1 : p;
}

bool viz_heatmap_cell_pos(const struct viz_heatmap_spec *s,
                          const struct viz_grid *g, int row, int col, int *x,
                          int *y, bool *lower)
{
    if (row < 0 || col < 0 || row >= s->rows || col >= s->cols)
        return false;
    struct viz_heatmap_layout l;
    viz_heatmap_layout(s, g, &l);
    if (l.npx < 1 || l.npy < 1)
        return false;
    int px = drawn_index(col, s->cols, l.npx);
    int py = drawn_index(row, s->rows, l.npy);
    *x = l.x0 + px * l.cw;
    *y = l.y0 + (l.half ? py / 2 : py);
    *lower = l.half && py % 2 == 1;
    return true;
}

/* ---- drawing
 * -------------------------------------------------------------------- */

static double value_at(const struct viz_heatmap_spec *s,
                       const struct viz_heatmap_layout *l, int px, int py)
{
    return s->values[(size_t)row_of(s, l, py) * (size_t)s->cols +
                     (size_t)col_of(s, l, px)];
}

static void draw_matrix(const struct viz_heatmap_spec *s, struct viz_grid *g,
                        const struct hm *m)
{
    const struct viz_heatmap_layout *l = &m->pub;
    int rows = l->half ? (l->npy + 1) / 2 : l->npy;
    for (int gy = 0; gy < rows; gy++) {
        for (int px = 0; px < l->npx; px++) {
            struct viz_pen pen = VIZ_PEN_PLAIN;
            uint32_t ch = ' ';
            if (l->half) {
                double top = scale(value_at(s, l, px, 2 * gy), m->lo, m->hi);
                double bot =
                    2 * gy + 1 < l->npy
                        ? scale(value_at(s, l, px, 2 * gy + 1), m->lo, m->hi)
                        : NAN;
                if (!isnan(top)) {
                    ch = UPPER_HALF;
                    pen.fg = (int16_t)viz_ramp_colour(s->palette, top);
                    pen.bg = (int16_t)viz_ramp_colour(s->palette, bot);
                } else if (!isnan(bot)) {
                    ch = LOWER_HALF;
                    pen.fg = (int16_t)viz_ramp_colour(s->palette, bot);
                }
            } else {
                double t = scale(value_at(s, l, px, gy), m->lo, m->hi);
                if (l->shade)
                    ch = viz_ramp_glyph(g->mode.charset, t);
                else
                    pen.bg = (int16_t)viz_ramp_colour(s->palette, t);
            }
            viz_grid_fill(g, l->x0 + px * l->cw, l->y0 + gy, l->cw, ch, pen);
        }
    }
}

static void put_right(struct viz_grid *g, int x, int y, int w, const char *s)
{
    int tw = viz_str_width(s, g->mode.charset);
    viz_grid_put_str(g, tw < w ? x + w - tw : x, y, s, w, VIZ_PEN_PLAIN);
}

static void draw_row_labels(const struct viz_heatmap_spec *s,
                            struct viz_grid *g, const struct hm *m)
{
    const struct viz_heatmap_layout *l = &m->pub;
    if (!m->lw)
        return;
    int rows = l->half ? (l->npy + 1) / 2 : l->npy;
    /* in half blocks a text row holds two matrix rows: label sparsely,
     * with the upper row's label */
    int every = l->half ? 4 : 1;
    for (int gy = 0; gy < rows; gy += every) {
        const char *lab = s->ylabels[row_of(s, l, l->half ? 2 * gy : gy)];
        if (lab)
            put_right(g, 0, l->y0 + gy, m->lw, lab);
    }
}

static void draw_col_labels(const struct viz_heatmap_spec *s,
                            struct viz_grid *g, const struct hm *m)
{
    const struct viz_heatmap_layout *l = &m->pub;
    if (m->xlab_y < 0)
        return;
    int next_free = 0;
    for (int px = 0; px < l->npx; px++) {
        int c = col_of(s, l, px);
        int x = l->x0 + px * l->cw;
        if (m->xlab_text) {
            if (s->xlabels[c])
                viz_grid_put_str(g, x, m->xlab_y, s->xlabels[c], l->cw - 1,
                                 VIZ_PEN_PLAIN);
            continue;
        }
        char buf[16];
        int n = snprintf(buf, sizeof buf, "%d", c + 1);
        if (x < next_free || (px > 0 && c == col_of(s, l, px - 1)))
            continue;
        next_free =
            x + viz_grid_put_str(g, x, m->xlab_y, buf, n, VIZ_PEN_PLAIN) + 1;
    }
}

/* "1 I  2 am  3 a ..." when the column labels did not fit on top. */
static void draw_key(const struct viz_heatmap_spec *s, struct viz_grid *g,
                     const struct hm *m)
{
    if (m->key_y < 0)
        return;
    int x = m->pub.x0;
    for (int c = 0; c < s->cols && x < g->w; c++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d:", c + 1);
        x += viz_grid_put_str(g, x, m->key_y, buf, -1, VIZ_PEN_PLAIN);
        const char *lab = s->xlabels[c] ? s->xlabels[c] : "";
        x += viz_grid_put_str(g, x, m->key_y, lab, LABEL_MAX_W, VIZ_PEN_PLAIN) +
             2;
    }
}

/* "0.00 ▕<ramp>▏ 0.93", plus "(fixed scale)" when the range was given. */
static void draw_colour_bar(const struct viz_heatmap_spec *s,
                            struct viz_grid *g, const struct hm *m)
{
    if (m->bar_y < 0)
        return;
    const struct viz_heatmap_layout *l = &m->pub;
    bool ascii = g->mode.charset == VIZ_ASCII;
    int n = l->shade ? (ascii ? 10 : 5) : viz_ramp_levels(s->palette);
    char lo[32], hi[32];
    viz_format_num(lo, sizeof lo, m->lo);
    viz_format_num(hi, sizeof hi, m->hi);
    const char *note = " (fixed scale)";
    int note_w = s->fixed_range ? (int)strlen(note) : 0;
    int base = viz_str_width(lo, g->mode.charset) +
               viz_str_width(hi, g->mode.charset) + 4;
    /* two cells per level when everything still fits */
    int each = base + 2 * n + note_w <= g->w - l->x0 ? 2 : 1;
    int y = m->bar_y, x = l->x0;
    x += viz_grid_put_str(g, x, y, lo, -1, VIZ_PEN_PLAIN);
    viz_grid_put(g, x + 1, y, ascii ? '[' : 0x2595, VIZ_PEN_PLAIN);
    x += 2;
    for (int i = 0; i < n; i++) {
        double t = (i + 0.5) / n;
        struct viz_pen pen = VIZ_PEN_PLAIN;
        uint32_t ch = ' ';
        if (l->shade)
            ch = viz_ramp_glyph(g->mode.charset, t);
        else
            pen.bg = (int16_t)viz_ramp_colour(s->palette, t);
        viz_grid_fill(g, x, y, each, ch, pen);
        x += each;
    }
    viz_grid_put(g, x, y, ascii ? ']' : 0x258F, VIZ_PEN_PLAIN);
    x += 2;
    x += viz_grid_put_str(g, x, y, hi, -1, VIZ_PEN_PLAIN);
    if (note_w && x + note_w <= g->w)
        viz_grid_put_str(g, x, y, note, -1, VIZ_PEN_PLAIN);
}

int viz_heatmap_render(const struct viz_heatmap_spec *s, struct viz_grid *g)
{
    viz_grid_clear(g);
    if (s->rows < 1 || s->cols < 1)
        return 0;
    struct hm m;
    layout(s, g, &m);
    if (m.title_y >= 0) {
        struct viz_pen bold = VIZ_PEN_PLAIN;
        bold.attr = VIZ_ATTR_BOLD;
        viz_grid_put_str(g, 0, m.title_y, s->title, -1, bold);
    }
    if (m.pub.npx > 0 && m.pub.npy > 0) {
        draw_matrix(s, g, &m);
        draw_row_labels(s, g, &m);
        draw_col_labels(s, g, &m);
    }
    draw_colour_bar(s, g, &m);
    draw_key(s, g, &m);
    return 0;
}

void viz_heatmap_size(const struct viz_heatmap_spec *s, int max_w, int *w,
                      int *h)
{
    /* as laid out on a roomy Unicode grid: labels in full, 2x1 cells up to
     * 24 rows, half blocks beyond */
    int lw = s->ylabels ? max_label_width(s->ylabels, s->rows, VIZ_UNICODE) : 0;
    lw = lw > LABEL_MAX_W ? LABEL_MAX_W : lw;
    int cw = 2;
    if (s->xlabels) {
        cw = max_label_width(s->xlabels, s->cols, VIZ_UNICODE) + 1;
        cw = cw < 2 ? 2 : cw > CELL_MAX_W ? CELL_MAX_W : cw;
    }
    int64_t width = (lw ? lw + 1 : 0) + (int64_t)s->cols * cw;
    /* and the colour bar: "lo [ramp] hi (fixed scale)" */
    double lo, hi;
    char lo_s[32], hi_s[32];
    value_range(s, &lo, &hi);
    int bar = (lw ? lw + 1 : 0) + viz_format_num(lo_s, sizeof lo_s, lo) +
              viz_format_num(hi_s, sizeof hi_s, hi) + 4 + 10 +
              (s->fixed_range ? 14 : 0);
    width = width < bar ? bar : width;
    width = width < 30 ? 30 : width;
    *w = width > max_w ? max_w : (int)width;
    int rows =
        s->rows <= 24 ? s->rows : ((s->rows < 48 ? s->rows : 48) + 1) / 2;
    *h = rows + 1 + (s->title && *s->title) + (s->xlabels != NULL) +
         (s->xlabels != NULL && (int64_t)s->cols * cw > *w - (lw ? lw + 1 : 0));
}
