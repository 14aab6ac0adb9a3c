/* plot.c — what every kind of plot shares: owning and freeing a spec,
 * dispatching to the renderer of its kind, rendering to text, and the axis
 * helpers (nice ticks, number labels, series colours). */
#include "viz/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/ansi.h"

/* ---- plots --------------------------------------------------------------- */

struct viz_plot *viz_plot_new(enum viz_kind kind)
{
    struct viz_plot *p = calloc(1, sizeof *p);
    if (p)
        p->kind = kind;
    return p;
}

static void free_strings(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void viz_plot_free(struct viz_plot *p)
{
    if (!p)
        return;
    switch (p->kind) {
    case VIZ_LINE:
        free(p->line.title);
        free(p->line.xlabel);
        free(p->line.ylabel);
        for (int i = 0; p->line.series && i < p->line.nseries; i++) {
            free(p->line.series[i].name);
            free(p->line.series[i].x);
            free(p->line.series[i].y);
        }
        free(p->line.series);
        break;
    case VIZ_HEATMAP:
        free(p->heatmap.title);
        free(p->heatmap.values);
        free_strings(p->heatmap.xlabels, p->heatmap.cols);
        free_strings(p->heatmap.ylabels, p->heatmap.rows);
        break;
    case VIZ_HIST:
        free(p->hist.title);
        free(p->hist.edges);
        free(p->hist.counts);
        break;
    case VIZ_BAR:
        free(p->bar.title);
        free_strings(p->bar.labels, p->bar.n);
        free(p->bar.values);
        break;
    case VIZ_TABLE:
        free(p->table.title);
        free_strings(p->table.cells, p->table.nrows * p->table.ncols);
        break;
    }
    free(p);
}

int viz_plot_render(const struct viz_plot *p, struct viz_grid *g)
{
    switch (p->kind) {
    case VIZ_LINE:
        return viz_line_render(&p->line, g);
    case VIZ_HEATMAP:
        return viz_heatmap_render(&p->heatmap, g);
    case VIZ_HIST:
        return viz_hist_render(&p->hist, g);
    case VIZ_BAR:
        return viz_bar_render(&p->bar, g);
    case VIZ_TABLE:
        return viz_table_render(&p->table, g);
    }
    return -1;
}

const char *viz_kind_name(enum viz_kind kind)
{
    static const char *const names[] = {"line", "heatmap", "hist", "bar",
                                        "table"};
    return (unsigned)kind < 5 ? names[kind] : "?";
}

const char *viz_plot_title(const struct viz_plot *p)
{
    switch (p->kind) {
    case VIZ_LINE:
        return p->line.title;
    case VIZ_HEATMAP:
        return p->heatmap.title;
    case VIZ_HIST:
        return p->hist.title;
    case VIZ_BAR:
        return p->bar.title;
    case VIZ_TABLE:
        return p->table.title;
    }
    return NULL;
}

void viz_plot_natural_size(const struct viz_plot *p, int max_w, int *w, int *h)
{
    if (max_w < 1)
        max_w = 1;
    switch (p->kind) {
    case VIZ_LINE:
        viz_line_size(&p->line, max_w, w, h);
        break;
    case VIZ_HEATMAP:
        viz_heatmap_size(&p->heatmap, max_w, w, h);
        break;
    case VIZ_HIST:
        viz_hist_size(&p->hist, max_w, w, h);
        break;
    case VIZ_BAR:
        viz_bar_size(&p->bar, max_w, w, h);
        break;
    case VIZ_TABLE:
        viz_table_size(&p->table, max_w, w, h);
        break;
    }
    if (*w < 1)
        *w = 1;
    if (*h < 1)
        *h = 1;
}

char *viz_plot_to_text(const struct viz_plot *p, int w, int h,
                       struct viz_mode mode, size_t *len)
{
    struct viz_grid *g = viz_grid_new(w, h, mode);
    if (!g)
        return NULL;
    char *text = NULL;
    if (viz_plot_render(p, g) == 0)
        text = viz_grid_to_text(g, len);
    viz_grid_free(g);
    return text;
}

/* ---- axes ------------------------------------------------------------------
 */

/* A range of zero width becomes one of half a unit of its magnitude each
 * side (5 -> 4.5..5.5, 0 -> -1..1), so that a constant series has an axis. */
static void widen(double *lo, double *hi)
{
    double mag = fmax(fabs(*lo), fabs(*hi));
    if (*hi - *lo > mag * 1e-12)
        return;
    double d = mag == 0 ? 1 : 0.5 * pow(10, floor(log10(mag)));
    *lo -= d;
    *hi += d;
}

/* The smallest nice step whose ticks number at most maxticks: the ticks
 * enclosing [lo, hi] when `enclose`, else those inside it.  Writes them to
 * ticks and returns their count (0 when none fits inside). */
static int nice_ticks(double lo, double hi, int maxticks, bool enclose,
                      double *ticks, double *step_out)
{
    static const double mult[] = {1, 2, 5};
    if (!isfinite(lo) || !isfinite(hi))
        lo = 0, hi = 1;
    if (lo > hi) {
        double t = lo;
        lo = hi, hi = t;
    }
    /* Two ticks cannot enclose a range that holds a multiple of the step
     * strictly inside, so three is the least we promise. */
    if (maxticks < 3)
        maxticks = 3;
    if (maxticks > 16)
        maxticks = 16;
    widen(&lo, &hi);
    /* No step below span / (maxticks - 1) can fit, so start at its power
     * of ten; a step of 1000 times that spans everything in <= 3 ticks. */
    double mag = pow(10, floor(log10((hi - lo) / (maxticks - 1))));
    for (int e = 0; e < 5; e++) {
        for (int m = 0; m < 3; m++) {
            double step = mult[m] * mag * pow(10, e);
            double first =
                enclose ? floor(lo / step + 1e-9) : ceil(lo / step - 1e-9);
            double last =
                enclose ? ceil(hi / step - 1e-9) : floor(hi / step + 1e-9);
            int count = (int)(last - first) + 1;
            if (count > maxticks)
                continue;
            for (int i = 0; i < count; i++)
                ticks[i] = (first + i) * step;
            *step_out = step;
            return count;
        }
    }
    *step_out = hi - lo;
    return 0;
}

int viz_nice_ticks(double lo, double hi, int maxticks, double *ticks)
{
    double step;
    int n = nice_ticks(lo, hi, maxticks, true, ticks, &step);
    if (n < 2) { /* not reached for finite input */
        ticks[0] = lo, ticks[1] = hi;
        n = 2;
    }
    return n;
}

int viz_nice_ticks_inside(double *lo, double *hi, int maxticks, double *ticks,
                          double *step)
{
    int n = nice_ticks(*lo, *hi, maxticks, false, ticks, step);
    if (*lo > *hi) {
        double t = *lo;
        *lo = *hi, *hi = t;
    }
    widen(lo, hi);
    return n;
}

/* "1.5e-07" -> "1.5e-7", "1e+06" -> "1e6". */
static void tidy_exponent(char *s)
{
    char *e = strchr(s, 'e');
    if (!e)
        return;
    char *src = e + 1, *dst = e + 1;
    if (*src == '+')
        src++;
    else if (*src == '-')
        *dst++ = *src++;
    while (*src == '0' && src[1])
        src++;
    memmove(dst, src, strlen(src) + 1);
}

int viz_format_num(char *buf, size_t n, double v)
{
    if (isnan(v))
        return snprintf(buf, n, "nan");
    if (isinf(v))
        return snprintf(buf, n, v > 0 ? "inf" : "-inf");
    if (v == 0)
        v = 0; /* no "-0" */
    if (v == floor(v) && fabs(v) < 1e9)
        return snprintf(buf, n, "%.0f", v);
    snprintf(buf, n, "%.4g", v);
    tidy_exponent(buf);
    return (int)strlen(buf);
}

int viz_format_tick(char *buf, size_t n, double v, double step)
{
    step = fabs(step);
    if (!isfinite(v) || !isfinite(step) || step == 0)
        return viz_format_num(buf, n, v);
    if (fabs(v) < step * 1e-9)
        v = 0;
    int es = (int)floor(log10(step) + 1e-9);
    if (step < 1e-4 || step >= 1e7 || fabs(v) >= 1e9) {
        /* significant digits down to the step's: 2.302585 on a step of
         * 5e-6 needs 7, 2e-5 on 1e-5 needs 1 */
        int ev = v == 0 ? es : (int)floor(log10(fabs(v)));
        int sig = ev - es + 1;
        sig = sig < 1 ? 1 : sig > 15 ? 15 : sig;
        snprintf(buf, n, "%.*g", sig, v);
        tidy_exponent(buf);
        return (int)strlen(buf);
    }
    /* The fewest decimals that write the step exactly (24.75: 2) if at
     * most 3 digits follow its leading one, else 2 (1/3: "0.333"). */
    int maxd = 3 - es < 0 ? 0 : 3 - es;
    int d = 0;
    double s = step;
    while (d <= maxd && fabs(s - nearbyint(s)) >= 1e-6 * s)
        d++, s *= 10;
    if (d > maxd)
        d = 2 - es < 0 ? 0 : 2 - es;
    return snprintf(buf, n, "%.*f", d, v);
}

/* Series colours chosen to read on dark and light backgrounds alike. */
int viz_series_colour(int i, enum viz_colours level)
{
    static const int c256[] = {33, 208, 35, 170, 178, 203, 44, 244};
    static const int c16[] = {12, 11, 10, 13, 14, 9, 3, 7};
    static const int c8[] = {6, 3, 2, 5, 4, 1, 7, 0};
    i %= 8;
    switch (level) {
    case VIZ_256:
        return c256[i];
    case VIZ_16:
        return c16[i];
    case VIZ_8:
        return c8[i];
    case VIZ_MONO:
        break;
    }
    return VIZ_NO_COLOUR;
}

char viz_series_marker(int i)
{
    static const char markers[] = "*+ox#@%&";
    return markers[i % 8];
}
