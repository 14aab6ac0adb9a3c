/* line.c — line plots of one or more series: braille dots (2x4 per cell) in
 * Unicode, one marker per cell in ASCII, nice y ticks (linear or log10),
 * x ticks, a legend and optional title and axis labels.  Draws only into a
 * grid; see ansi.c for output. */
#include "viz/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TICKS 16
#define LABEL_MAX 32

/* Braille dot bits by (row, column) inside a 2x4 cell (drawille). */
static const uint8_t braille_bit[4][2] = {
    {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};

struct axis {
    double lo, hi; /* the drawn range, in data units (log10 units if log) */
    double ticks[MAX_TICKS];
    int nticks;
    double step;
    bool log;
};

/* The dots drawn so far: bits per cell and which series drew last there. */
struct canvas {
    int pw, ph; /* cells */
    int dw, dh; /* dots */
    bool braille;
    uint8_t *bits;
    uint8_t *owner;
};

/* Point j of series s, as plotted: false when it is to be skipped. */
static bool point(const struct viz_line_spec *s, const struct viz_series *se,
                  int j, double *x, double *y)
{
    *x = se->x ? se->x[j] : j + 1;
    *y = se->y[j];
    if (s->logy) {
        if (!(*y > 0))
            return false;
        *y = log10(*y);
    }
    return isfinite(*x) && isfinite(*y);
}

static bool has_legend(const struct viz_line_spec *s)
{
    for (int i = 0; i < s->nseries; i++)
        if (s->series[i].name && s->series[i].name[0])
            return true;
    return false;
}

/* ---- axes ------------------------------------------------------------- */

static void linear_axis(struct axis *a, double lo, double hi, int maxticks)
{
    a->log = false;
    a->nticks = viz_nice_ticks(lo, hi, maxticks, a->ticks);
    a->lo = a->ticks[0];
    a->hi = a->ticks[a->nticks - 1];
    a->step = a->ticks[1] - a->ticks[0];
}

/* An axis that ends at the data, ticks inside (for x, where the loose
 * range of a few ticks could leave half the width empty). */
static void tight_axis(struct axis *a, double lo, double hi, int maxticks)
{
    a->log = false;
    a->nticks = viz_nice_ticks_inside(&lo, &hi, maxticks, a->ticks, &a->step);
    a->lo = lo;
    a->hi = hi;
}

/* Ticks at powers of ten, every k-th decade when there are many. */
static void log_axis(struct axis *a, double lo, double hi, int maxticks)
{
    double elo = floor(lo + 1e-9), ehi = ceil(hi - 1e-9);
    if (elo >= ehi)
        elo -= 1, ehi += 1;
    if (maxticks < 3)
        maxticks = 3;
    double k = 1, first, last;
    for (;; k++) {
        first = floor(elo / k) * k;
        last = ceil(ehi / k) * k;
        if ((last - first) / k + 1 <= maxticks)
            break;
    }
    a->log = true;
    a->nticks = (int)((last - first) / k) + 1;
    for (int i = 0; i < a->nticks; i++)
        a->ticks[i] = first + i * k;
    a->lo = first;
    a->hi = last;
    a->step = k;
}

static int tick_label(char *buf, size_t n, const struct axis *a, double v)
{
    if (!a->log)
        return viz_format_tick(buf, n, v, a->step);
    int e = (int)nearbyint(v);
    if (e >= 0 && e <= 4)
        return snprintf(buf, n, "%.0f", pow(10, e));
    if (e < 0 && e >= -3)
        return snprintf(buf, n, "%.*f", -e, pow(10, e));
    return snprintf(buf, n, "1e%d", e);
}

/* Dot position of v along an axis of `dots` dots, 0 at a->lo. */
static int dot_of(const struct axis *a, double v, int dots)
{
    double t = (v - a->lo) / (a->hi - a->lo);
    t = fmin(fmax(t, 0), 1);
    return (int)floor(t * (dots - 1) + 0.5);
}

/* ---- the canvas ---------------------------------------------------------- */

static void canvas_dot(struct canvas *c, int x, int y, int series)
{
    if (x < 0 || y < 0 || x >= c->dw || y >= c->dh)
        return;
    size_t i;
    if (c->braille) {
        i = (size_t)(y / 4) * (size_t)c->pw + (size_t)(x / 2);
        c->bits[i] |= braille_bit[y % 4][x % 2];
    } else {
        i = (size_t)y * (size_t)c->pw + (size_t)x;
        c->bits[i] = 1;
    }
    c->owner[i] = (uint8_t)(series % 8);
}

/* Bresenham from (x0, y0) to (x1, y1), both ends included. */
static void canvas_line(struct canvas *c, int x0, int y0, int x1, int y1,
                        int series)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        canvas_dot(c, x0, y0, series);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy)
            err += dy, x0 += sx;
        if (e2 <= dx)
            err += dx, y0 += sy;
    }
}

static void draw_series(struct canvas *c, const struct viz_line_spec *s, int i,
                        const struct axis *ax, const struct axis *ay)
{
    const struct viz_series *se = &s->series[i];
    bool have_prev = false;
    int px = 0, py = 0;
    for (int j = 0; j < se->n; j++) {
        double x, y;
        if (!point(s, se, j, &x, &y)) {
            have_prev = false; /* a gap */
            continue;
        }
        int cx = dot_of(ax, x, c->dw);
        int cy = c->dh - 1 - dot_of(ay, y, c->dh);
        if (have_prev)
            canvas_line(c, px, py, cx, cy, i);
        else
            canvas_dot(c, cx, cy, i);
        px = cx, py = cy;
        have_prev = true;
    }
}

static void canvas_blit(const struct canvas *c, struct viz_grid *g, int x0,
                        int y0)
{
    for (int y = 0; y < c->ph; y++) {
        for (int x = 0; x < c->pw; x++) {
            size_t i = (size_t)y * (size_t)c->pw + (size_t)x;
            if (!c->bits[i])
                continue;
            struct viz_pen pen = VIZ_PEN_PLAIN;
            pen.fg = (int16_t)viz_series_colour(c->owner[i], g->mode.colours);
            uint32_t ch = c->braille ? 0x2800u + c->bits[i]
                                     : (uint32_t)viz_series_marker(c->owner[i]);
            viz_grid_put(g, x0 + x, y0 + y, ch, pen);
        }
    }
}

/* ---- layout ----------------------------------------------------------------
 */

struct layout {
    int title_y, ylabel_y, plot_y, axis_y, xticks_y, xlabel_y, legend_y;
    int ph;     /* rows of the plot area */
    int yw;     /* columns of y tick labels */
    int axis_x; /* column of the y axis, -1 when there is none */
    int plot_x, pw;
};

/* Rows, top to bottom: title, y label, plot, x axis, x ticks, x label,
 * legend.  The axis rows go first when the grid is very short; the
 * optional rows come in only while the plot keeps at least two rows. */
static void layout_rows(const struct viz_line_spec *s, int h, struct layout *l)
{
    bool want[4] = {s->title && *s->title, has_legend(s),
                    s->ylabel && *s->ylabel, s->xlabel && *s->xlabel};
    bool take[4] = {false, false, false, false};
    int ph = h;
    bool axis = ph >= 2, xticks = ph >= 3;
    ph -= axis + xticks;
    for (int i = 0; i < 4; i++)
        if (want[i] && ph >= 3)
            take[i] = true, ph--;
    int y = 0;
    l->title_y = take[0] ? y++ : -1;
    l->ylabel_y = take[2] ? y++ : -1;
    l->plot_y = y;
    y += ph;
    l->axis_y = axis ? y++ : -1;
    l->xticks_y = xticks ? y++ : -1;
    l->xlabel_y = take[3] ? y++ : -1;
    l->legend_y = take[1] ? y++ : -1;
    l->ph = ph;
}

/* Columns: y tick labels, the axis, the plot.  Labels give way first. */
static void layout_cols(int w, int label_w, struct layout *l)
{
    int yw = label_w;
    if (yw > w / 3)
        yw = w / 3;
    if (w - yw - 1 < 4)
        yw = 0;
    l->yw = yw;
    l->axis_x = w >= 2 ? yw : -1;
    l->plot_x = l->axis_x + 1;
    l->pw = w - l->plot_x;
}

static void data_range(const struct viz_line_spec *s, double *xlo, double *xhi,
                       double *ylo, double *yhi, bool *any)
{
    *xlo = *ylo = INFINITY;
    *xhi = *yhi = -INFINITY;
    *any = false;
    for (int i = 0; i < s->nseries; i++) {
        const struct viz_series *se = &s->series[i];
        for (int j = 0; j < se->n; j++) {
            double x, y;
            if (!point(s, se, j, &x, &y))
                continue;
            *xlo = fmin(*xlo, x), *xhi = fmax(*xhi, x);
            *ylo = fmin(*ylo, y), *yhi = fmax(*yhi, y);
            *any = true;
        }
    }
    if (!*any) {
        *xlo = 0, *xhi = 1;
        *ylo = 0, *yhi = 1;
    }
}

/* ---- drawing the frame ------------------------------------------------------
 */

static void draw_y_axis(struct viz_grid *g, const struct layout *l,
                        const struct axis *ay, int dots_per_row)
{
    bool uni = g->mode.charset == VIZ_UNICODE;
    if (l->axis_x < 0)
        return;
    for (int y = 0; y < l->ph; y++)
        viz_grid_put(g, l->axis_x, l->plot_y + y, uni ? 0x2502 : '|',
                     VIZ_PEN_PLAIN);
    bool *used = calloc((size_t)l->ph, 1);
    /* the two ends first: when rows are scarce, they are the labels that
     * stay true to the row they sit on */
    for (int k = 0; k < ay->nticks && used; k++) {
        int i = k == 0 ? ay->nticks - 1 : k - 1;
        int dot = l->ph * dots_per_row - 1 -
                  dot_of(ay, ay->ticks[i], l->ph * dots_per_row);
        int row = dot / dots_per_row;
        if (used[row])
            continue;
        used[row] = true;
        viz_grid_put(g, l->axis_x, l->plot_y + row, uni ? 0x2524 : '+',
                     VIZ_PEN_PLAIN);
        char buf[LABEL_MAX];
        tick_label(buf, sizeof buf, ay, ay->ticks[i]);
        int tw = viz_str_width(buf, g->mode.charset);
        int x = tw < l->yw ? l->yw - tw : 0;
        viz_grid_put_str(g, x, l->plot_y + row, buf, l->yw, VIZ_PEN_PLAIN);
    }
    free(used);
}

static void draw_x_axis(struct viz_grid *g, const struct layout *l,
                        const struct axis *ax, int dots_per_col)
{
    bool uni = g->mode.charset == VIZ_UNICODE;
    if (l->axis_y >= 0) {
        viz_grid_put(g, l->axis_x, l->axis_y, uni ? 0x2514 : '+',
                     VIZ_PEN_PLAIN);
        viz_grid_fill(g, l->plot_x, l->axis_y, l->pw, uni ? 0x2500 : '-',
                      VIZ_PEN_PLAIN);
    }
    int next_free = 0; /* first column a label may use */
    for (int i = 0; i < ax->nticks; i++) {
        int col = l->plot_x +
                  dot_of(ax, ax->ticks[i], l->pw * dots_per_col) / dots_per_col;
        if (l->axis_y >= 0)
            viz_grid_put(g, col, l->axis_y, uni ? 0x252C : '+', VIZ_PEN_PLAIN);
        if (l->xticks_y < 0)
            continue;
        char buf[LABEL_MAX];
        tick_label(buf, sizeof buf, ax, ax->ticks[i]);
        int tw = viz_str_width(buf, g->mode.charset);
        int x = col - (tw - 1) / 2;
        if (x + tw > g->w)
            x = g->w - tw;
        if (x < next_free)
            continue;
        viz_grid_put_str(g, x, l->xticks_y, buf, tw, VIZ_PEN_PLAIN);
        next_free = x + tw + 1;
    }
}

static void draw_legend(struct viz_grid *g, const struct viz_line_spec *s,
                        int y, int x)
{
    bool uni = g->mode.charset == VIZ_UNICODE;
    for (int i = 0; i < s->nseries && x < g->w; i++) {
        const char *name = s->series[i].name;
        if (!name || !*name)
            continue;
        struct viz_pen pen = VIZ_PEN_PLAIN;
        pen.fg = (int16_t)viz_series_colour(i, g->mode.colours);
        viz_grid_put(g, x, y, uni ? 0x25A0 : (uint32_t)viz_series_marker(i),
                     pen);
        x += 2;
        x += viz_grid_put_str(g, x, y, name, -1, VIZ_PEN_PLAIN) + 2;
    }
}

static void draw_centred(struct viz_grid *g, int y, int x0, int w,
                         const char *s, struct viz_pen pen)
{
    int tw = viz_str_width(s, g->mode.charset);
    int x = tw < w ? x0 + (w - tw) / 2 : x0;
    viz_grid_put_str(g, x, y, s, w - (x - x0), pen);
}

int viz_line_render(const struct viz_line_spec *s, struct viz_grid *g)
{
    viz_grid_clear(g);
    bool uni = g->mode.charset == VIZ_UNICODE;
    struct layout l;
    struct axis ax, ay;
    double xlo, xhi, ylo, yhi;
    bool any;
    data_range(s, &xlo, &xhi, &ylo, &yhi, &any);

    layout_rows(s, g->h, &l);
    int ymax = l.ph / 2 + 1;
    if (s->logy)
        log_axis(&ay, ylo, yhi, ymax > 5 ? 5 : ymax);
    else
        linear_axis(&ay, ylo, yhi, ymax > 5 ? 5 : ymax);
    int label_w = 0;
    for (int i = 0; i < ay.nticks; i++) {
        char buf[LABEL_MAX];
        tick_label(buf, sizeof buf, &ay, ay.ticks[i]);
        int tw = viz_str_width(buf, g->mode.charset);
        label_w = tw > label_w ? tw : label_w;
    }
    layout_cols(g->w, label_w, &l);
    int xmax = l.pw / 10 + 1;
    tight_axis(&ax, xlo, xhi, xmax > 8 ? 8 : xmax);

    struct canvas c = {
        l.pw, l.ph, uni ? 2 * l.pw : l.pw, uni ? 4 * l.ph : l.ph, uni,
        NULL, NULL};
    size_t ncells = (size_t)(l.pw > 0 ? l.pw : 0) * (size_t)l.ph;
    c.bits = calloc(ncells + 1, 1);
    c.owner = calloc(ncells + 1, 1);
    if (!c.bits || !c.owner) {
        free(c.bits);
        free(c.owner);
        return -1;
    }
    if (l.pw > 0 && l.ph > 0) {
        for (int i = 0; i < s->nseries; i++)
            draw_series(&c, s, i, &ax, &ay);
        canvas_blit(&c, g, l.plot_x, l.plot_y);
    }
    free(c.bits);
    free(c.owner);

    draw_y_axis(g, &l, &ay, uni ? 4 : 1);
    draw_x_axis(g, &l, &ax, uni ? 2 : 1);
    if (!any && l.ph > 0)
        draw_centred(g, l.plot_y + (l.ph - 1) / 2, l.plot_x, l.pw, "no data",
                     VIZ_PEN_PLAIN);
    struct viz_pen bold = VIZ_PEN_PLAIN;
    bold.attr = VIZ_ATTR_BOLD;
    if (l.title_y >= 0)
        draw_centred(g, l.title_y, 0, g->w, s->title, bold);
    if (l.ylabel_y >= 0)
        viz_grid_put_str(g, 0, l.ylabel_y, s->ylabel, -1, VIZ_PEN_PLAIN);
    if (l.xlabel_y >= 0) {
        int tw = viz_str_width(s->xlabel, g->mode.charset);
        viz_grid_put_str(g, tw < g->w ? g->w - tw : 0, l.xlabel_y, s->xlabel,
                         -1, VIZ_PEN_PLAIN);
    }
    if (l.legend_y >= 0)
        draw_legend(g, s, l.legend_y, l.plot_x);
    return 0;
}

void viz_line_size(const struct viz_line_spec *s, int max_w, int *w, int *h)
{
    int rows = max_w / 5;
    rows = rows < 6 ? 6 : rows > 12 ? 12 : rows;
    rows += 2; /* x axis and its ticks */
    rows += (s->title && *s->title) + has_legend(s) +
            (s->ylabel && *s->ylabel) + (s->xlabel && *s->xlabel);
    *w = max_w;
    *h = rows;
}
