/* plots.c — the Plots pane: one plot of the REPL state's list (newest by
 * default), rendered by viz_plot_render into a grid the size of the pane
 * at every draw (so resizing just works) and copied cell by cell into the
 * curses window, with xterm-256 colours mapped to colour pairs.  Heatmaps
 * get a cursor whose cell is read out in the status line.  Nothing here
 * runs Lua beyond reading the plot list. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/panes.h"
#include "viz/ansi.h"
#include "viz/grid.h"
#include "viz/plot.h"

struct plots {
    const struct viz_plot *shown;  /* the plot on view, NULL for none */
    int index;                     /* its place in the list */
    const struct viz_plot *newest; /* the newest seen: a new one shows */
    int count;                     /* the list's length when last seen */
    /* per-plot view settings, reset when another plot shows */
    int row, col;         /* heatmap cursor */
    int logy;             /* -1 as made, 0 linear, 1 log */
    enum viz_cells cells; /* VIZ_CELLS_AUTO: as made */
    /* for the whole pane */
    bool ascii; /* A: ASCII glyphs even on a Unicode terminal */
    /* the last render, for mouse clicks */
    struct viz_grid *grid;
    int grid_y; /* window row of the grid's first row */
};

static struct plots ps = {.index = -1, .logy = -1};

static void ps_show(struct plots *p, const struct viz_plot *plot, int index)
{
    if (plot != p->shown) {
        p->row = p->col = 0;
        p->logy = -1;
        p->cells = VIZ_CELLS_AUTO;
    }
    p->shown = plot;
    p->index = plot ? index : -1;
}

/* Follows the list: a new plot shows at once; otherwise the plot on view
 * stays (found again if older plots dropped out).  Returns the count. */
static int plots_sync(struct tui *t)
{
    struct plots *p = &ps;
    int n = t->L ? viz_plot_count(t->L) : 0;
    if (n <= 0) {
        p->newest = NULL;
        p->count = 0;
        ps_show(p, NULL, -1);
        return 0;
    }
    const struct viz_plot *newest = viz_plot_get(t->L, n - 1);
    if (newest != p->newest || n > p->count) {
        p->newest = newest;
        p->count = n;
        p->shown = NULL; /* a new plot, even at a recycled address */
        ps_show(p, newest, n - 1);
        return n;
    }
    p->count = n;
    if (p->index >= 0 && p->index < n &&
        viz_plot_get(t->L, p->index) == p->shown)
        return n;
    for (int i = 0; i < n; i++)
        if (viz_plot_get(t->L, i) == p->shown) {
            p->index = i;
            return n;
        }
    int i = p->index < 0 ? n - 1 : p->index < n ? p->index : n - 1;
    ps_show(p, viz_plot_get(t->L, i), i);
    return n;
}

/* Keeps the heatmap cursor inside the matrix. */
static void ps_clamp(struct plots *p)
{
    if (!p->shown || p->shown->kind != VIZ_HEATMAP)
        return;
    const struct viz_heatmap_spec *s = &p->shown->heatmap;
    if (p->row >= s->rows)
        p->row = s->rows - 1;
    if (p->col >= s->cols)
        p->col = s->cols - 1;
    if (p->row < 0)
        p->row = 0;
    if (p->col < 0)
        p->col = 0;
}

/* The plot as it is drawn now: a shallow copy of its spec with the view
 * settings applied (the renderers only read, so the copy may share the
 * plot's arrays). */
static struct viz_plot ps_view(const struct plots *p)
{
    struct viz_plot v = *p->shown;
    if (v.kind == VIZ_LINE && p->logy >= 0)
        v.line.logy = p->logy;
    if (v.kind == VIZ_HEATMAP && p->cells != VIZ_CELLS_AUTO)
        v.heatmap.cells = p->cells;
    return v;
}

static struct viz_mode ps_mode(const struct tui *t, const struct plots *p)
{
    struct viz_mode m;
    m.charset = t->ascii || p->ascii ? VIZ_ASCII : VIZ_UNICODE;
    m.colours = t->colors >= 256  ? VIZ_256
                : t->colors >= 16 ? VIZ_16
                : t->colors >= 8  ? VIZ_8
                                  : VIZ_MONO;
    return m;
}

/* ---- copying a grid into a window ---------------------------------------- */

/* The colour pair for an xterm-256 fg/bg at the terminal's depth (0 for
 * the default colours, or when pairs run out). */
static int ps_pair(const struct tui *t, int fg, int bg)
{
    if (!t->colors || (fg < 0 && bg < 0))
        return 0;
    if (t->colors < 256) {
        if (fg >= 0)
            fg = viz_colour_reduce(fg, t->colors >= 16 ? 16 : 8);
        if (bg >= 0)
            bg = viz_colour_reduce(bg, t->colors >= 16 ? 16 : 8);
    }
    int pair = alloc_pair(fg, bg);
    return pair > 0 ? pair : 0;
}

static attr_t ps_attrs(unsigned a)
{
    attr_t r = 0;
    if (a & VIZ_ATTR_BOLD)
        r |= A_BOLD;
    if (a & VIZ_ATTR_DIM)
        r |= A_DIM;
    if (a & VIZ_ATTR_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & VIZ_ATTR_REVERSE)
        r |= A_REVERSE;
    return r;
}

static void ps_put_cell(const struct tui *t, WINDOW *w, int y, int x,
                        uint32_t ch, int fg, int bg, attr_t attr)
{
    if (ch == 0 || ch < 32 || ch == 127)
        ch = ' ';
    if (t->ascii && ch >= 128)
        ch = '?';
    int pair = ps_pair(t, fg, bg);
    wchar_t wc[2] = {(wchar_t)ch, 0};
    cchar_t cc;
    /* the pair travels in opts so that pairs past 255 work */
    setcchar(&cc, wc, attr, 0, &pair);
    mvwadd_wch(w, y, x, &cc);
}

/* The heatmap cursor's cells in grid coordinates: x0..x1 on row y. */
struct cursor_cells {
    bool on, lower, half;
    int x0, x1, y;
};

static struct cursor_cells ps_cursor_cells(const struct plots *p,
                                           const struct viz_plot *v,
                                           const struct viz_grid *g)
{
    struct cursor_cells c = {0};
    if (v->kind != VIZ_HEATMAP)
        return c;
    struct viz_heatmap_layout lay;
    viz_heatmap_layout(&v->heatmap, g, &lay);
    int x, y;
    bool lower;
    if (!viz_heatmap_cell_pos(&v->heatmap, g, p->row, p->col, &x, &y, &lower))
        return c;
    c.on = true;
    c.lower = lower;
    c.half = lay.half;
    c.x0 = x;
    c.x1 = x + (lay.cw > 1 ? lay.cw : 1) - 1;
    c.y = y;
    return c;
}

/* Copies the grid to the window from row y0; the cursor cell is marked:
 * [ ] around it (or reversed when one column wide), a diamond in half
 * blocks. */
static void ps_blit(const struct tui *t, WINDOW *w, int y0,
                    const struct viz_grid *g, struct cursor_cells cur)
{
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            const struct viz_cell *c = viz_grid_at(g, x, y);
            if (c->ch == VIZ_WIDE_TAIL)
                continue;
            uint32_t ch = c->ch;
            int fg = c->fg, bg = c->bg;
            attr_t a = ps_attrs(c->attr);
            if (cur.on && y == cur.y && x >= cur.x0 && x <= cur.x1) {
                if (cur.half) {
                    ch = 0x25C6; /* ◆ on the marked value's colour */
                    bg = cur.lower ? c->bg : c->fg;
                    fg = t->colors ? 231 : -1;
                    a |= A_BOLD;
                } else if (cur.x1 > cur.x0 && (x == cur.x0 || x == cur.x1)) {
                    ch = x == cur.x0 ? '[' : ']';
                    a |= A_REVERSE | A_BOLD;
                } else {
                    a |= A_REVERSE | A_BOLD;
                }
            }
            ps_put_cell(t, w, y0 + y, x, ch, fg, bg, a);
        }
}

/* ---- text around the plot ---------------------------------------------------
 */

/* Word-wraps text into the window from row y at column x; returns the
 * next free row. */
static int ps_wrap(const struct tui *t, WINDOW *w, int y, int x, int width,
                   int maxy, const char *s, int attr)
{
    char line[512];
    while (*s && y < maxy && width > 0) {
        size_t n = strlen(s), cut = n;
        if (tui_width(s) > width) {
            /* the last space within the width */
            size_t fit = 0, i = 0;
            int cols = 0;
            cut = 0;
            while (i < n) {
                uint32_t cp;
                int k = viz_utf8_decode(s + i, n - i, &cp);
                cols += viz_char_width(cp);
                if (cols > width)
                    break;
                i += (size_t)k;
                fit = i;
                if (cp == ' ')
                    cut = i - 1;
            }
            if (cut == 0)
                cut = fit ? fit : 1;
        }
        if (cut >= sizeof line)
            cut = sizeof line - 1;
        memcpy(line, s, cut);
        line[cut] = '\0';
        tui_put(t, w, y++, x, width, line, attr);
        s += cut;
        while (*s == ' ')
            s++;
    }
    return y;
}

static void ps_empty(const struct tui *t, WINDOW *w, int h, int wd)
{
    int y = h > 8 ? h / 3 : 0;
    int x = wd > 50 ? 4 : 1, width = wd - 2 * x;
    y = ps_wrap(t, w, y, x, width, h, "No plots yet", tui_attr(t, R_HEADING));
    y++;
    y = ps_wrap(t, w, y, x, width, h,
                "Run a script: r in an exercise, R on a code block in Read, "
                "or viz.line{...} in the REPL.",
                tui_attr(t, R_NORMAL));
    y++;
    ps_wrap(t, w, y, x, width, h,
            "Every viz.* call adds a plot here; [ and ] move between them.",
            tui_attr(t, R_DIM));
}

/* "plot 3/5 · line · loss" */
static void ps_header(const struct tui *t, WINDOW *w, int wd, int n)
{
    const struct plots *p = &ps;
    const char *dot = tui_glyph(t, " · ", " - ");
    const char *title = viz_plot_title(p->shown);
    char buf[300];
    int k = snprintf(buf, sizeof buf, "plot %d/%d%s%s", p->index + 1, n, dot,
                     viz_kind_name(p->shown->kind));
    if (title && title[0])
        snprintf(buf + k, sizeof buf - (size_t)k, "%s%s", dot, title);
    int used = tui_put(t, w, 0, 0, wd, buf, tui_attr(t, R_HEADING));
    const char *more = p->index < n - 1 ? "older" : n > 1 ? "newest" : "";
    if (p->logy >= 0 || p->cells != VIZ_CELLS_AUTO)
        more = p->logy == 1                 ? "log y"
               : p->logy == 0               ? "linear y"
               : p->cells == VIZ_CELLS_HALF ? "half blocks"
                                            : "2x1 cells";
    int mw = tui_width(more);
    if (used + mw + 2 <= wd)
        tui_put(t, w, 0, wd - mw, mw, more, tui_attr(t, R_DIM));
}

/* The last finite value of a series, and its x. */
static bool last_value(const struct viz_series *s, double *x, double *y)
{
    for (int i = s->n - 1; i >= 0; i--)
        if (isfinite(s->y[i])) {
            *y = s->y[i];
            *x = s->x ? s->x[i] : i + 1;
            return true;
        }
    return false;
}

/* The status line: the heatmap cursor's cell, a line plot's last values,
 * a histogram's totals. */
static void ps_status(const struct tui *t, WINDOW *w, int y, int wd,
                      const struct viz_plot *v)
{
    const struct plots *p = &ps;
    const char *dot = tui_glyph(t, " · ", " - ");
    char buf[512], num[32], num2[32];
    int k = 0;
    buf[0] = '\0';
    if (v->kind == VIZ_HEATMAP) {
        const struct viz_heatmap_spec *s = &v->heatmap;
        if (s->rows <= 0 || s->cols <= 0)
            return;
        const char *yl = s->ylabels ? s->ylabels[p->row] : NULL;
        const char *xl = s->xlabels ? s->xlabels[p->col] : NULL;
        viz_format_num(
            num, sizeof num,
            s->values[(size_t)p->row * (size_t)s->cols + (size_t)p->col]);
        k += snprintf(buf + k, sizeof buf - (size_t)k, "row %d", p->row + 1);
        if (yl)
            k += snprintf(buf + k, sizeof buf - (size_t)k, " \"%s\"", yl);
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%scol %d", dot,
                      p->col + 1);
        if (xl)
            k += snprintf(buf + k, sizeof buf - (size_t)k, " \"%s\"", xl);
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%s= %s", dot, num);
        if (s->fixed_range && s->vmin == 0 && s->vmax == 1) {
            double sum = 0; /* attention rows should sum to 1 */
            for (int c = 0; c < s->cols; c++) {
                double e =
                    s->values[(size_t)p->row * (size_t)s->cols + (size_t)c];
                if (isfinite(e))
                    sum += e;
            }
            snprintf(buf + k, sizeof buf - (size_t)k, "  (row sum %.2f)", sum);
        }
    } else if (v->kind == VIZ_LINE) {
        for (int i = 0; i < v->line.nseries && k < (int)sizeof buf - 80; i++) {
            const struct viz_series *s = &v->line.series[i];
            double x, yv;
            if (!last_value(s, &x, &yv))
                continue;
            viz_format_num(num, sizeof num, yv);
            viz_format_num(num2, sizeof num2, x);
            const char *name = s->name && s->name[0] ? s->name : "last";
            k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%s %s @ %s",
                          k ? dot : "", name, num, num2);
        }
    } else if (v->kind == VIZ_HIST) {
        double total = 0;
        for (int i = 0; i < v->hist.nbins; i++)
            total += v->hist.counts[i];
        viz_format_num(num, sizeof num, total);
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%s values in %d bins",
                      num, v->hist.nbins);
        if (v->hist.skipped)
            snprintf(buf + k, sizeof buf - (size_t)k, "%s%lld skipped", dot,
                     (long long)v->hist.skipped);
    }
    tui_put(t, w, y, 0, wd, buf, tui_attr(t, R_DIM));
}

static void plots_draw(struct tui *t, WINDOW *w, bool focused)
{
    struct plots *p = &ps;
    (void)focused;
    int h, wd;
    getmaxyx(w, h, wd);
    viz_grid_free(p->grid);
    p->grid = NULL;
    int n = plots_sync(t);
    if (h < 1 || wd < 1)
        return;
    if (n == 0 || !p->shown) {
        ps_empty(t, w, h, wd);
        return;
    }
    bool header = h >= 4, status = h >= 6;
    if (header)
        ps_header(t, w, wd, n);
    int gh = h - header - status;
    ps_clamp(p);
    struct viz_plot v = ps_view(p);
    struct viz_grid *g = viz_grid_new(wd, gh, ps_mode(t, p));
    if (!g || viz_plot_render(&v, g) < 0) {
        viz_grid_free(g);
        tui_put(t, w, header, 0, wd, "out of memory drawing the plot",
                tui_attr(t, R_FAIL));
        return;
    }
    ps_blit(t, w, header, g, ps_cursor_cells(p, &v, g));
    if (status)
        ps_status(t, w, h - 1, wd, &v);
    p->grid = g;
    p->grid_y = header;
}

/* ---- actions --------------------------------------------------------------
 */

static void plots_go(struct tui *t, int index, bool wrap)
{
    int n = plots_sync(t);
    if (n == 0) {
        tui_message(t, R_DIM, "No plots yet.");
        return;
    }
    if (index < 0 || index >= n) {
        if (!wrap) {
            tui_message(t, R_DIM,
                        index < 0 ? "This is the oldest plot."
                                  : "This is the newest plot.");
            return;
        }
        index = index < 0 ? n - 1 : 0;
    }
    ps_show(&ps, viz_plot_get(t->L, index), index);
}

void plots_prev(struct tui *t)
{
    plots_go(t, ps.index - 1, false);
}

void plots_next(struct tui *t)
{
    plots_go(t, ps.index + 1, false);
}

void plots_first(struct tui *t)
{
    plots_go(t, 0, false);
}

void plots_newest(struct tui *t)
{
    plots_go(t, plots_sync(t) - 1, false);
}

void plots_cursor(struct tui *t, int dy, int dx)
{
    plots_sync(t);
    struct plots *p = &ps;
    if (!p->shown || p->shown->kind != VIZ_HEATMAP)
        return;
    const struct viz_heatmap_spec *s = &p->shown->heatmap;
    struct viz_plot v = ps_view(p);
    int x0, y0, x, y;
    bool low0, low;
    bool drawn = p->grid && viz_heatmap_cell_pos(&v.heatmap, p->grid, p->row,
                                                 p->col, &x0, &y0, &low0);
    /* A matrix larger than the pane is sampled: step on until the cursor
     * moves on screen, so that every key press shows. */
    do {
        p->row += dy;
        p->col += dx;
        ps_clamp(p);
    } while (drawn && p->row + dy >= 0 && p->row + dy < s->rows &&
             p->col + dx >= 0 && p->col + dx < s->cols &&
             viz_heatmap_cell_pos(&v.heatmap, p->grid, p->row, p->col, &x, &y,
                                  &low) &&
             x == x0 && y == y0 && low == low0);
}

void plots_cursor_up(struct tui *t)
{
    plots_cursor(t, -1, 0);
}

void plots_cursor_down(struct tui *t)
{
    plots_cursor(t, 1, 0);
}

void plots_cursor_left(struct tui *t)
{
    plots_cursor(t, 0, -1);
}

void plots_cursor_right(struct tui *t)
{
    plots_cursor(t, 0, 1);
}

void plots_toggle_ascii(struct tui *t)
{
    if (t->ascii) {
        tui_message(t, R_DIM,
                    "The terminal is in ASCII mode (--ascii or "
                    "no UTF-8 locale).");
        return;
    }
    ps.ascii = !ps.ascii;
    tui_message(t, R_DIM, "Plots: %s", ps.ascii ? "ASCII" : "Unicode");
}

void plots_toggle_log(struct tui *t)
{
    plots_sync(t);
    struct plots *p = &ps;
    if (!p->shown || p->shown->kind != VIZ_LINE)
        return;
    bool now = p->logy >= 0 ? p->logy : p->shown->line.logy;
    p->logy = !now;
    tui_message(t, R_DIM, "y axis: %s", p->logy ? "log10" : "linear");
}

static void plots_cells(struct tui *t, enum viz_cells cells)
{
    plots_sync(t);
    struct plots *p = &ps;
    if (!p->shown || p->shown->kind != VIZ_HEATMAP)
        return;
    p->cells = cells;
    struct viz_mode m = ps_mode(t, p);
    if (cells == VIZ_CELLS_HALF &&
        (m.charset != VIZ_UNICODE || m.colours != VIZ_256))
        tui_message(t, R_DIM, "Half blocks need Unicode and 256 colours.");
    else
        tui_message(t, R_DIM, "Heatmap cells: %s",
                    cells == VIZ_CELLS_HALF ? "half blocks" : "2x1 blocks");
}

void plots_cells_block(struct tui *t)
{
    plots_cells(t, VIZ_CELLS_BLOCK);
}

void plots_cells_half(struct tui *t)
{
    plots_cells(t, VIZ_CELLS_HALF);
}

bool plots_has_plots(struct tui *t)
{
    return plots_sync(t) > 0;
}

bool plots_has_several(struct tui *t)
{
    return plots_sync(t) > 1;
}

bool plots_on_heatmap(struct tui *t)
{
    plots_sync(t);
    return ps.shown && ps.shown->kind == VIZ_HEATMAP;
}

bool plots_on_line(struct tui *t)
{
    plots_sync(t);
    return ps.shown && ps.shown->kind == VIZ_LINE;
}

/* The wheel moves between plots; a click on a heatmap moves the cursor. */
static void plots_mouse(struct tui *t, int dir, int y, int x)
{
    struct plots *p = &ps;
    if (dir) {
        plots_go(t, p->index + dir, false);
        return;
    }
    plots_sync(t);
    if (!p->grid || !p->shown || p->shown->kind != VIZ_HEATMAP)
        return;
    struct viz_plot v = ps_view(p);
    int row, col;
    if (viz_heatmap_cell_at(&v.heatmap, p->grid, x, y - p->grid_y, &row,
                            &col)) {
        p->row = row;
        p->col = col;
    }
}

const struct pane_ops plots_pane = {
    .title = "Plots",
    .draw = plots_draw,
    .mouse = plots_mouse,
};
