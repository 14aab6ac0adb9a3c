/* hist.c — horizontal bars: bar charts of labelled values (negative ones
 * to the left of a zero axis) and histograms, which are bar charts of bin
 * counts labelled with the bin ranges.  Eighth blocks give 8 steps per cell
 * in Unicode; ASCII uses '#'. */
#include "viz/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAX 32

static const uint32_t eighths[8] = {' ',    0x258F, 0x258E, 0x258D,
                                    0x258C, 0x258B, 0x258A, 0x2589};
#define FULL_BLOCK 0x2588u
#define RIGHT_HALF 0x2590u

/* Bars are drawn from labels[i] (NULL: the 1-based index) and values[i]. */
struct bars {
    int n;
    const char *const *labels;
    const double *values;
    int more; /* bars left out below the last row, for the "... N more" row */
};

static const char *bar_label(char *buf, size_t size, const struct bars *b,
                             int i)
{
    if (b->labels && b->labels[i])
        return b->labels[i];
    snprintf(buf, size, "%d", i + 1);
    return buf;
}

/* One bar of `len` cells (fractional) from column x, to the right, or to
 * the left (ending at x) when `left`. */
static void draw_bar(struct viz_grid *g, int x, int y, double len, bool left)
{
    bool uni = g->mode.charset == VIZ_UNICODE;
    if (!(len > 0))
        return;
    if (!uni) {
        int n = (int)floor(len + 0.5);
        viz_grid_fill(g, left ? x - n + 1 : x, y, n, '#', VIZ_PEN_PLAIN);
        return;
    }
    if (left) { /* only a right half block exists for the ragged end */
        int halves = (int)floor(len * 2 + 0.5);
        viz_grid_fill(g, x - halves / 2 + 1, y, halves / 2, FULL_BLOCK,
                      VIZ_PEN_PLAIN);
        if (halves % 2)
            viz_grid_put(g, x - halves / 2, y, RIGHT_HALF, VIZ_PEN_PLAIN);
        return;
    }
    int e = (int)floor(len * 8 + 0.5);
    viz_grid_fill(g, x, y, e / 8, FULL_BLOCK, VIZ_PEN_PLAIN);
    if (e % 8)
        viz_grid_put(g, x + e / 8, y, eighths[e % 8], VIZ_PEN_PLAIN);
}

/* Rows y0.. of the grid: "label  ██████▌  value" per bar. */
static void draw_bars(struct viz_grid *g, int y0, const struct bars *b)
{
    enum viz_charset cs = g->mode.charset;
    bool uni = cs == VIZ_UNICODE;
    char buf[NUM_MAX * 2];
    int label_w = 0, value_w = 0;
    double lo = 0, hi = 0;
    for (int i = 0; i < b->n; i++) {
        int w = viz_str_width(bar_label(buf, sizeof buf, b, i), cs);
        label_w = w > label_w ? w : label_w;
        viz_format_num(buf, sizeof buf, b->values[i]);
        w = (int)strlen(buf);
        value_w = w > value_w ? w : value_w;
        if (isfinite(b->values[i])) {
            lo = fmin(lo, b->values[i]);
            hi = fmax(hi, b->values[i]);
        }
    }
    if (label_w > g->w / 2)
        label_w = g->w / 2;
    /* label, space, axis and bars, space, value: the value goes first */
    int bw = g->w - label_w - 1 - value_w - 1;
    if (bw < 4)
        value_w = 0, bw = g->w - label_w - 1;
    if (bw < 2)
        label_w = 0, bw = g->w;
    int bars_x = label_w ? label_w + 1 : 0;
    int inner = bw - 1; /* columns for bars, besides the axis */
    double per = hi > lo ? inner / (hi - lo) : 0; /* columns per unit */
    int neg_w = (int)floor(-lo * per + 0.5);
    int axis_x = bars_x + neg_w;
    for (int i = 0; i < b->n && y0 + i < g->h; i++) {
        int y = y0 + i;
        double v = b->values[i];
        viz_grid_put_str(g, 0, y, bar_label(buf, sizeof buf, b, i), label_w,
                         VIZ_PEN_PLAIN);
        viz_grid_put(g, axis_x, y, uni ? 0x2502 : '|', VIZ_PEN_PLAIN);
        if (isfinite(v) && v > 0)
            draw_bar(g, axis_x + 1, y, fmin(v * per, inner - neg_w), false);
        else if (isfinite(v) && v < 0)
            draw_bar(g, axis_x - 1, y, fmin(-v * per, neg_w), true);
        if (value_w) {
            viz_format_num(buf, sizeof buf, v);
            int w = (int)strlen(buf);
            viz_grid_put_str(g, g->w - w, y, buf, w, VIZ_PEN_PLAIN);
        }
    }
    if (b->more > 0 && y0 + b->n < g->h) {
        snprintf(buf, sizeof buf, "%s %d more", uni ? "\u2026" : "...",
                 b->more);
        viz_grid_put_str(g, 0, y0 + b->n, buf, -1, VIZ_PEN_PLAIN);
    }
}

static int draw_title(struct viz_grid *g, const char *title, const char *note)
{
    bool t = title && *title, n = note && *note;
    if (!(t || n) || g->h < 2)
        return 0;
    struct viz_pen bold = VIZ_PEN_PLAIN;
    bold.attr = VIZ_ATTR_BOLD;
    int x = t ? viz_grid_put_str(g, 0, 0, title, -1, bold) : 0;
    if (n)
        viz_grid_put_str(g, x + (t ? 2 : 0), 0, note, -1, VIZ_PEN_PLAIN);
    return 1;
}

/* ---- bar charts
 * -------------------------------------------------------------- */

int viz_bar_render(const struct viz_bar_spec *s, struct viz_grid *g)
{
    viz_grid_clear(g);
    int y0 = draw_title(g, s->title, NULL);
    int rows = g->h - y0;
    struct bars b = {s->n, (const char *const *)s->labels, s->values, 0};
    if (b.n > rows) { /* keep the last row for "... N more" */
        b.n = rows - 1 > 0 ? rows - 1 : 0;
        b.more = s->n - b.n;
    }
    draw_bars(g, y0, &b);
    return 0;
}

void viz_bar_size(const struct viz_bar_spec *s, int max_w, int *w, int *h)
{
    *w = max_w < 72 ? max_w : 72;
    *h = (s->n < 40 ? s->n : 41) + (s->title && *s->title);
}

/* ---- histograms
 * ------------------------------------------------------------------- */

int viz_hist_fill(struct viz_hist_spec *s, const double *data, size_t n,
                  int nbins, double lo, double hi)
{
    if (nbins < 1)
        return -1;
    free(s->edges);
    free(s->counts);
    s->edges = malloc(((size_t)nbins + 1) * sizeof *s->edges);
    s->counts = calloc((size_t)nbins, sizeof *s->counts);
    if (!s->edges || !s->counts) {
        free(s->edges), free(s->counts);
        s->edges = s->counts = NULL;
        s->nbins = 0;
        return -1;
    }
    s->nbins = nbins;
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi)) {
        lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (isfinite(data[i])) {
                lo = fmin(lo, data[i]);
                hi = fmax(hi, data[i]);
            }
        }
        if (lo > hi)
            lo = 0, hi = 1;
        if (lo == hi)
            lo -= 0.5, hi += 0.5;
    }
    for (int i = 0; i <= nbins; i++)
        s->edges[i] = lo + (hi - lo) * i / nbins;
    s->edges[nbins] = hi;
    s->skipped = 0;
    for (size_t i = 0; i < n; i++) {
        double v = data[i];
        if (!isfinite(v) || v < lo || v > hi) {
            s->skipped++;
            continue;
        }
        int k = (int)floor((v - lo) / (hi - lo) * nbins);
        /* rounding may put a value just under an edge in the next bin */
        while (k > 0 && v < s->edges[k])
            k--;
        while (k < nbins - 1 && v >= s->edges[k + 1])
            k++;
        s->counts[k < nbins ? k : nbins - 1] += 1;
    }
    return 0;
}

/* Labels "[lo, hi)" ("]" for the last bin) with the numbers aligned, for
 * groups of k adjacent bins. */
static int hist_labels(const struct viz_hist_spec *s, int k, int groups,
                       char **labels, double *counts)
{
    double step = INFINITY;
    for (int i = 0; i < s->nbins; i++)
        step = fmin(step, (s->edges[i + 1] - s->edges[i]) * k);
    int lo_w = 0, hi_w = 0;
    char lo_s[NUM_MAX], hi_s[NUM_MAX];
    for (int pass = 0; pass < 2; pass++) {
        for (int gi = 0; gi < groups; gi++) {
            int a = gi * k, z = a + k < s->nbins ? a + k : s->nbins;
            viz_format_tick(lo_s, sizeof lo_s, s->edges[a], step);
            viz_format_tick(hi_s, sizeof hi_s, s->edges[z], step);
            if (pass == 0) {
                int lw = (int)strlen(lo_s), hw = (int)strlen(hi_s);
                lo_w = lw > lo_w ? lw : lo_w;
                hi_w = hw > hi_w ? hw : hi_w;
                counts[gi] = 0;
                for (int i = a; i < z; i++)
                    counts[gi] += s->counts[i];
                continue;
            }
            size_t size = (size_t)(lo_w + hi_w + 8);
            labels[gi] = malloc(size);
            if (!labels[gi])
                return -1;
            snprintf(labels[gi], size, "[%*s, %*s%c", lo_w, lo_s, hi_w, hi_s,
                     z == s->nbins ? ']' : ')');
        }
    }
    return 0;
}

int viz_hist_render(const struct viz_hist_spec *s, struct viz_grid *g)
{
    viz_grid_clear(g);
    char note[48] = "";
    if (s->skipped > 0)
        snprintf(note, sizeof note, "(%lld skipped)", (long long)s->skipped);
    int y0 = draw_title(g, s->title, note);
    if (s->nbins < 1)
        return 0;
    int rows = g->h - y0;
    /* too many bins for the rows: merge k neighbours (counts add up) */
    int k = (s->nbins + rows - 1) / rows;
    int groups = (s->nbins + k - 1) / k;
    char **labels = calloc((size_t)groups, sizeof *labels);
    double *counts = calloc((size_t)groups, sizeof *counts);
    int rc = -1;
    if (labels && counts && hist_labels(s, k, groups, labels, counts) == 0) {
        struct bars b = {groups, (const char *const *)labels, counts, 0};
        draw_bars(g, y0, &b);
        rc = 0;
    }
    for (int i = 0; labels && i < groups; i++)
        free(labels[i]);
    free(labels);
    free(counts);
    return rc;
}

void viz_hist_size(const struct viz_hist_spec *s, int max_w, int *w, int *h)
{
    *w = max_w < 72 ? max_w : 72;
    *h = s->nbins + ((s->title && *s->title) || s->skipped > 0);
}
