/* table.c — rows of strings as aligned columns: widths fitted to the
 * content and shrunk (widest first) to the grid, numbers right-aligned, a
 * rule under the header row. */
#include "viz/plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP 2 /* columns between table columns */

static const char *cell(const struct viz_table_spec *s, int r, int c)
{
    const char *v = s->cells[(size_t)r * (size_t)s->ncols + (size_t)c];
    return v ? v : "";
}

static bool is_number(const char *s)
{
    char *end;
    if (!*s)
        return false;
    strtod(s, &end);
    while (*end == ' ')
        end++;
    return end != s && !*end;
}

/* Natural widths, and whether each column holds only numbers (below the
 * header), into widths[] and numeric[]; returns the total width. */
static int measure(const struct viz_table_spec *s, enum viz_charset cs,
                   int *widths, bool *numeric)
{
    int total = 0;
    for (int c = 0; c < s->ncols; c++) {
        widths[c] = 0;
        numeric[c] = false;
        bool only_numbers = true;
        for (int r = 0; r < s->nrows; r++) {
            const char *v = cell(s, r, c);
            int w = viz_str_width(v, cs);
            widths[c] = w > widths[c] ? w : widths[c];
            if (r == 0 && s->header)
                continue;
            if (*v) {
                only_numbers = only_numbers && is_number(v);
                numeric[c] = true; /* at least one value */
            }
        }
        numeric[c] = numeric[c] && only_numbers;
        total += widths[c] + (c ? GAP : 0);
    }
    return total;
}

/* Narrows the widest column, one column at a time, until the table fits
 * in w (or every column is one wide). */
static void fit(int *widths, int n, int total, int w)
{
    while (total > w) {
        int widest = 0;
        for (int c = 1; c < n; c++)
            if (widths[c] > widths[widest])
                widest = c;
        if (widths[widest] <= 1)
            return;
        widths[widest]--;
        total--;
    }
}

static void draw_row(const struct viz_table_spec *s, struct viz_grid *g, int r,
                     int y, const int *widths, const bool *numeric,
                     struct viz_pen pen)
{
    int x = 0;
    for (int c = 0; c < s->ncols && x < g->w; c++) {
        const char *v = cell(s, r, c);
        int vw = viz_str_width(v, g->mode.charset);
        int pad = numeric[c] && vw < widths[c] ? widths[c] - vw : 0;
        if (r == 0 && s->header)
            pad = 0;
        viz_grid_put_str(g, x + pad, y, v, widths[c] - pad, pen);
        x += widths[c] + GAP;
    }
}

int viz_table_render(const struct viz_table_spec *s, struct viz_grid *g)
{
    viz_grid_clear(g);
    int y = 0;
    if (s->title && *s->title && g->h >= 2) {
        struct viz_pen bold = VIZ_PEN_PLAIN;
        bold.attr = VIZ_ATTR_BOLD;
        viz_grid_put_str(g, 0, y++, s->title, -1, bold);
    }
    if (s->ncols < 1 || s->nrows < 1)
        return 0;
    int *widths = malloc((size_t)s->ncols * sizeof *widths);
    bool *numeric = malloc((size_t)s->ncols * sizeof *numeric);
    if (!widths || !numeric) {
        free(widths);
        free(numeric);
        return -1;
    }
    fit(widths, s->ncols, measure(s, g->mode.charset, widths, numeric), g->w);
    bool uni = g->mode.charset == VIZ_UNICODE;
    int r = 0;
    if (s->header) {
        struct viz_pen bold = VIZ_PEN_PLAIN;
        bold.attr = VIZ_ATTR_BOLD;
        draw_row(s, g, 0, y++, widths, numeric, bold);
        /* the rule, if a data row (or none is due) still fits below it */
        if (y < g->h && (s->nrows == 1 || y + 1 < g->h)) {
            for (int c = 0, x = 0; c < s->ncols; c++) {
                viz_grid_fill(g, x, y, widths[c], uni ? 0x2500 : '-',
                              VIZ_PEN_PLAIN);
                x += widths[c] + GAP;
            }
            y++;
        }
        r = 1;
    }
    for (; r < s->nrows && y < g->h; r++, y++) {
        if (y == g->h - 1 && r < s->nrows - 1) { /* the last row left */
            char buf[48];
            snprintf(buf, sizeof buf, "%s %d more rows", uni ? "\u2026" : "...",
                     s->nrows - r);
            viz_grid_put_str(g, 0, y, buf, -1, VIZ_PEN_PLAIN);
            break;
        }
        draw_row(s, g, r, y, widths, numeric, VIZ_PEN_PLAIN);
    }
    free(widths);
    free(numeric);
    return 0;
}

void viz_table_size(const struct viz_table_spec *s, int max_w, int *w, int *h)
{
    int total = 0;
    for (int c = 0; c < s->ncols; c++) {
        int cw = 0;
        for (int r = 0; r < s->nrows; r++) {
            int v = viz_str_width(cell(s, r, c), VIZ_UNICODE);
            cw = v > cw ? v : cw;
        }
        total += cw + (c ? GAP : 0);
    }
    *w = total < max_w ? total : max_w;
    *h = (s->title && *s->title) + s->nrows + (s->header && s->nrows > 0);
}
