/* l_viz.c — the `viz` module: viz.line, heatmap, hist, bar and table read
 * their Lua arguments (tables or tensors) into a plot spec, print the plot
 * at once and return it as a viz.Plot that can be rendered again at any
 * size.  Every plot is also kept in a per-state list for the TUI's Plots
 * pane (C access in viz/plot.h).  Drawing itself lives in app/viz. */
#include "lseq.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "viz/ansi.h"
#include "viz/plot.h"

#define PLOT_MT       "viz.Plot"
#define DEFAULT_W_MAX 100 /* default width when the terminal is wider */

struct plot_box {
    struct viz_plot *p; /* NULL only while being built */
    int w, h;           /* the size it was made at */
};

/* Registry keys (their addresses): the plot list and the echo settings. */
static const char list_key = 'l';
static const char echo_key = 'e';

/* ---- small helpers ------------------------------------------------------- */

static void *xcalloc(lua_State *L, size_t n, size_t size)
{
    void *p = n && size > SIZE_MAX / n ? NULL : calloc(n ? n : 1, size);
    if (!p)
        luaL_error(L, "viz: out of memory");
    return p;
}

static char *xstrdup(lua_State *L, const char *s, size_t len)
{
    char *d = xcalloc(L, len + 1, 1);
    memcpy(d, s, len);
    return d;
}

/* "a number", "a 3-D tensor", "a freed tensor", "an empty table", ... */
static const char *describe(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    struct seq_tensor *t = lseq_totensor(L, idx);
    if (t)
        return lua_pushfstring(L, "a %d-D tensor", t->ndim);
    if (luaL_testudata(L, idx, LSEQ_TENSOR))
        return "a freed tensor";
    if (lua_type(L, idx) == LUA_TTABLE) {
        lua_pushnil(L);
        if (!lua_next(L, idx))
            return "an empty table";
        lua_pop(L, 2);
    }
    const char *name = luaL_typename(L, idx);
    if (luaL_getmetafield(L, idx, "__name") == LUA_TSTRING)
        name = lua_tostring(L, -1);
    return lua_pushfstring(L, "%s %s", strchr("aeiou", name[0]) ? "an" : "a",
                           name);
}

/* ---- numbers from tables and tensors ---------------------------------------
 * Read into a Lua-owned buffer (left on the stack), so that an error on a
 * bad element leaks nothing; copy_numbers then hands the values to a spec. */

static double *read_numbers(lua_State *L, int idx, int *count, bool any_shape,
                            const char *fn, const char *what)
{
    idx = lua_absindex(L, idx);
    struct seq_tensor *t = lseq_totensor(L, idx);
    if (t) {
        if (!any_shape && t->ndim != 1)
            luaL_error(L,
                       "%s: %s must be a 1-D tensor or a table of numbers, "
                       "got %s",
                       fn, what, describe(L, idx));
        int64_t n = seq_numel(t);
        if (n > INT_MAX / 2)
            luaL_error(L, "%s: %s has too many values", fn, what);
        double *buf =
            lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *buf, 0);
        lseq_check(L, seq_copy_out(buf, SEQ_FLOAT64, t));
        *count = (int)n;
        return buf;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: %s must be a tensor or a table of numbers, got %s",
                   fn, what, describe(L, idx));
    lua_Unsigned n = lua_rawlen(L, idx);
    if (n > INT_MAX / 2)
        luaL_error(L, "%s: %s has too many values", fn, what);
    if (n == 0 && (lua_pushnil(L), lua_next(L, idx))) /* { title = 1 } */
        luaL_error(L,
                   "%s: %s must be a tensor or a table of numbers, got a "
                   "table with named fields",
                   fn, what);
    double *buf = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *buf, 0);
    for (lua_Unsigned i = 1; i <= n; i++) {
        if (lua_rawgeti(L, idx, (lua_Integer)i) != LUA_TNUMBER)
            luaL_error(L, "%s: %s: item %d is %s, expected a number", fn, what,
                       (int)i, describe(L, -1));
        buf[i - 1] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    *count = (int)n;
    return buf;
}

static double *copy_numbers(lua_State *L, const double *src, int n)
{
    double *d = xcalloc(L, (size_t)n, sizeof *d);
    memcpy(d, src, (size_t)n * sizeof *d);
    return d;
}

/* The labels at idx (strings or numbers; nil for none), exactly n of
 * them, into *dst: the array is stored before it is filled, so the plot
 * owns it even if an item raises an error. */
static void read_labels(lua_State *L, int idx, int n, char ***dst,
                        const char *fn, const char *what, const char *of)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: %s must be a table of strings, got %s", fn, what,
                   describe(L, idx));
    lua_Unsigned len = lua_rawlen(L, idx);
    if (len != (lua_Unsigned)n)
        luaL_error(L, "%s: %d %s for %d %s", fn, (int)len, what, n, of);
    char **v = xcalloc(L, (size_t)n, sizeof *v);
    *dst = v;
    for (int i = 1; i <= n; i++) {
        int type = lua_rawgeti(L, idx, i);
        if (type != LUA_TSTRING && type != LUA_TNUMBER && type != LUA_TNIL)
            luaL_error(L, "%s: %s: item %d is %s, expected a string", fn, what,
                       i, describe(L, -1));
        if (type != LUA_TNIL) {
            size_t sl;
            const char *str = lua_tolstring(L, -1, &sl);
            v[i - 1] = xstrdup(L, str, sl);
        }
        lua_pop(L, 1);
    }
}

/* ---- options
 * ------------------------------------------------------------------ */

static void check_opts(lua_State *L, int idx)
{
    if (!lua_isnoneornil(L, idx))
        luaL_checktype(L, idx, LUA_TTABLE);
}

/* Pushes opts[key] (nil when there are no options) and returns its type. */
static int opt(lua_State *L, int idx, const char *key)
{
    if (lua_type(L, idx) != LUA_TTABLE) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    return lua_getfield(L, idx, key);
}

static char *opt_string(lua_State *L, int idx, const char *key, const char *fn)
{
    int type = opt(L, idx, key);
    char *s = NULL;
    if (type == LUA_TSTRING || type == LUA_TNUMBER) {
        size_t len;
        const char *v = lua_tolstring(L, -1, &len);
        s = xstrdup(L, v, len);
    } else if (type != LUA_TNIL) {
        luaL_error(L, "%s: option '%s' must be a string, got %s", fn, key,
                   describe(L, -1));
    }
    lua_pop(L, 1);
    return s;
}

static bool opt_bool(lua_State *L, int idx, const char *key, bool dflt)
{
    int type = opt(L, idx, key);
    bool v = type == LUA_TNIL ? dflt : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* An integer option in lo..hi; 0 when absent. */
static int opt_int(lua_State *L, int idx, const char *key, int lo, int hi,
                   const char *fn)
{
    int type = opt(L, idx, key);
    int v = 0;
    if (type != LUA_TNIL) {
        int isint;
        lua_Integer n = lua_tointegerx(L, -1, &isint);
        if (!isint || n < lo || n > hi)
            luaL_error(L,
                       "%s: option '%s' must be an integer from %d to %d, "
                       "got %s",
                       fn, key, lo, hi, luaL_tolstring(L, -1, NULL));
        v = (int)n;
    }
    lua_pop(L, 1);
    return v;
}

static bool opt_number(lua_State *L, int idx, const char *key, double *out,
                       const char *fn)
{
    int type = opt(L, idx, key);
    if (type != LUA_TNIL && type != LUA_TNUMBER)
        luaL_error(L, "%s: option '%s' must be a number, got %s", fn, key,
                   describe(L, -1));
    if (type == LUA_TNUMBER)
        *out = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return type == LUA_TNUMBER;
}

static int opt_choice(lua_State *L, int idx, const char *key,
                      const char *const *names, const int *values, int dflt,
                      const char *fn)
{
    int type = opt(L, idx, key);
    int v = dflt;
    if (type != LUA_TNIL) {
        const char *s = type == LUA_TSTRING ? lua_tostring(L, -1) : "";
        int i = 0;
        while (names[i] && strcmp(names[i], s))
            i++;
        if (!names[i])
            luaL_error(L, "%s: option '%s' cannot be %s", fn, key,
                       type == LUA_TSTRING ? lua_pushfstring(L, "'%s'", s)
                                           : describe(L, -1));
        v = values[i];
    }
    lua_pop(L, 1);
    return v;
}

/* ---- the plot list and echo settings ----------------------------------------
 */

static void push_list(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &list_key) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &list_key);
}

/* Appends the value on top of the stack (popped) to the list. */
static void record(lua_State *L)
{
    push_list(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n >= VIZ_MAX_PLOTS) { /* the oldest drops out */
        for (lua_Integer i = 1; i < n; i++) {
            lua_rawgeti(L, -1, i + 1);
            lua_rawseti(L, -2, i);
        }
        n--;
    }
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, n + 1);
    lua_pop(L, 2);
}

int viz_plot_count(lua_State *L)
{
    push_list(L);
    int n = (int)lua_rawlen(L, -1);
    lua_pop(L, 1);
    return n;
}

const struct viz_plot *viz_plot_get(lua_State *L, int i)
{
    push_list(L);
    lua_rawgeti(L, -1, (lua_Integer)i + 1);
    struct plot_box *b = luaL_testudata(L, -1, PLOT_MT);
    lua_pop(L, 2);
    return i >= 0 && b ? b->p : NULL;
}

static const struct viz_echo default_echo = {
    true, true, {VIZ_ASCII, VIZ_MONO}, 0};

void viz_get_echo(lua_State *L, struct viz_echo *echo)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &echo_key) == LUA_TUSERDATA)
        *echo = *(struct viz_echo *)lua_touserdata(L, -1);
    else
        *echo = default_echo;
    lua_pop(L, 1);
}

void viz_set_echo(lua_State *L, const struct viz_echo *echo)
{
    struct viz_echo *e = lua_newuserdatauv(L, sizeof *e, 0);
    *e = echo ? *echo : default_echo;
    lua_rawsetp(L, LUA_REGISTRYINDEX, &echo_key);
}

/* Writes through io.stdout:write, so that the state's output redirection
 * and captures see plots as they see print.  Only a state without the io
 * library at all gets C's stdout; one whose io.stdout was tampered with
 * gets nothing, rather than output that escapes a capture. */
static void echo_text(lua_State *L, const char *s, size_t n)
{
    int top = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "io") != LUA_TTABLE) {
        fwrite(s, 1, n, stdout);
    } else if (lua_getfield(L, -1, "stdout") == LUA_TUSERDATA &&
               luaL_testudata(L, -1, LUA_FILEHANDLE) &&
               luaL_getmetafield(L, -1, "__index") == LUA_TTABLE &&
               lua_getfield(L, -1, "write") == LUA_TFUNCTION) {
        lua_pushvalue(L, -3); /* io.stdout */
        lua_pushlstring(L, s, n);
        lua_pcall(L, 2, 0, 0); /* a failed write is not the plot's error */
    }
    lua_settop(L, top);
}

static int default_width(const struct viz_echo *e)
{
    if (e->width > 0)
        return e->width;
    int w = viz_terminal_width(stdout);
    return w > DEFAULT_W_MAX ? DEFAULT_W_MAX : w;
}

/* ---- building plots
 * ---------------------------------------------------------- */

/* Pushes a new viz.Plot whose spec the caller fills; the box owns the plot
 * from the start, so an error while filling frees it with the box. */
static struct viz_plot *new_plot(lua_State *L, enum viz_kind kind)
{
    struct plot_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->p = NULL;
    b->w = b->h = 0;
    luaL_setmetatable(L, PLOT_MT);
    b->p = viz_plot_new(kind);
    if (!b->p)
        luaL_error(L, "viz: out of memory");
    return b->p;
}

static char *render_text(lua_State *L, const struct viz_plot *p, int w, int h,
                         struct viz_mode mode, size_t *len)
{
    char *text = viz_plot_to_text(p, w, h, mode, len);
    if (!text)
        luaL_error(L, "viz: out of memory rendering a %dx%d plot", w, h);
    return text;
}

static void show(lua_State *L, const struct viz_plot *p, int w, int h)
{
    struct viz_echo e;
    viz_get_echo(L, &e);
    if (!e.enabled)
        return;
    struct viz_mode mode = e.auto_mode ? viz_detect_output(stdout) : e.mode;
    size_t len;
    char *text = render_text(L, p, w, h, mode, &len);
    lua_pushlstring(L, text, len); /* anchored: free before anything raises */
    free(text);
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    echo_text(L, s, n);
    lua_pop(L, 1);
}

/* The box at box_idx is complete: fix its size from the options, record it,
 * print it, and leave it on top of the stack as the result. */
static int finish(lua_State *L, int box_idx, int opts, const char *fn)
{
    struct plot_box *b = lua_touserdata(L, box_idx);
    struct viz_echo e;
    viz_get_echo(L, &e);
    int w = opt_int(L, opts, "width", 1, 4096, fn);
    int h = opt_int(L, opts, "height", 1, 4096, fn);
    int nw, nh;
    viz_plot_natural_size(b->p, w ? w : default_width(&e), &nw, &nh);
    b->w = w ? w : nw;
    b->h = h ? h : nh;
    if (opt_bool(L, opts, "show", true))
        show(L, b->p, b->w, b->h);
    lua_pushvalue(L, box_idx);
    record(L);
    lua_pushvalue(L, box_idx);
    return 1;
}

/* ---- viz.line
 * ------------------------------------------------------------------- */

static int cmp_series(const void *a, const void *b)
{
    const struct viz_series *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* Fills series i from the value at idx. */
static void line_series(lua_State *L, struct viz_line_spec *s, int i, int idx,
                        const char *what)
{
    int n;
    double *buf = read_numbers(L, idx, &n, false, "viz.line", what);
    s->series[i].y = copy_numbers(L, buf, n);
    s->series[i].n = n;
    lua_pop(L, 1);
}

static void line_all_series(lua_State *L, struct viz_line_spec *s)
{
    int first = LUA_TNONE; /* the type of series[1] */
    if (lua_type(L, 1) == LUA_TTABLE) {
        first = lua_rawgeti(L, 1, 1);
        lua_pop(L, 1);
    }
    if (lseq_totensor(L, 1) || first == LUA_TNUMBER) {
        s->series = xcalloc(L, 1, sizeof *s->series);
        s->nseries = 1;
        line_series(L, s, 0, 1, "the series");
        return;
    }
    if (lua_type(L, 1) != LUA_TTABLE)
        luaL_error(L,
                   "viz.line: expected a table of numbers, a 1-D tensor or "
                   "a table of named series, got %s",
                   describe(L, 1));
    if (first != LUA_TNIL) { /* { series1, series2, ... }, named by position */
        int n = (int)lua_rawlen(L, 1);
        s->series = xcalloc(L, (size_t)n, sizeof *s->series);
        s->nseries = n;
        for (int i = 0; i < n; i++) {
            char name[16];
            snprintf(name, sizeof name, "%d", i + 1);
            s->series[i].name = xstrdup(L, name, strlen(name));
            lua_rawgeti(L, 1, i + 1);
            const char *what = lua_pushfstring(L, "series %d", i + 1);
            line_series(L, s, i, -2, what);
            lua_pop(L, 2);
        }
        return;
    }
    int n = 0; /* { name = series, ... }, in name order */
    for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "viz.line: series names must be strings, got %s",
                       describe(L, -2));
        n++;
    }
    if (n == 0)
        luaL_error(L, "viz.line: expected a table of numbers, a 1-D tensor or "
                      "a table of named series, got an empty table");
    s->series = xcalloc(L, (size_t)n, sizeof *s->series);
    int i = 0;
    for (lua_pushnil(L); lua_next(L, 1) && i < n; lua_pop(L, 1), i++) {
        size_t len;
        const char *name = lua_tolstring(L, -2, &len);
        s->series[i].name = xstrdup(L, name, len);
        s->nseries = i + 1;
    }
    qsort(s->series, (size_t)s->nseries, sizeof *s->series, cmp_series);
    for (i = 0; i < s->nseries; i++) {
        lua_getfield(L, 1, s->series[i].name);
        const char *what = lua_pushfstring(L, "series '%s'", s->series[i].name);
        line_series(L, s, i, -2, what);
        lua_pop(L, 2);
    }
}

/* opts.x: shared x values, at least as many as the longest series has. */
static void line_x(lua_State *L, struct viz_line_spec *s, int opts)
{
    if (opt(L, opts, "x") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    int n;
    double *x = read_numbers(L, -1, &n, false, "viz.line", "option 'x'");
    for (int i = 0; i < s->nseries; i++) {
        if (s->series[i].n > n)
            luaL_error(L, "viz.line: option 'x' has %d values but %s has %d", n,
                       s->nseries == 1 ? "the series" : s->series[i].name,
                       s->series[i].n);
        s->series[i].x = copy_numbers(L, x, s->series[i].n);
    }
    lua_pop(L, 2);
}

static int viz_line(lua_State *L)
{
    check_opts(L, 2);
    lua_settop(L, 2);
    struct viz_plot *p = new_plot(L, VIZ_LINE);
    struct viz_line_spec *s = &p->line;
    line_all_series(L, s);
    line_x(L, s, 2);
    s->title = opt_string(L, 2, "title", "viz.line");
    s->xlabel = opt_string(L, 2, "xlabel", "viz.line");
    s->ylabel = opt_string(L, 2, "ylabel", "viz.line");
    s->logy = opt_bool(L, 2, "logy", false);
    return finish(L, 3, 2, "viz.line");
}

/* ---- viz.heatmap
 * ----------------------------------------------------------------- */

static const char heatmap_expects[] =
    "viz.heatmap: expected a 2-D tensor or a table of rows, got %s";

static void heatmap_values(lua_State *L, struct viz_heatmap_spec *s)
{
    struct seq_tensor *t = lseq_totensor(L, 1);
    if (t) {
        if (t->ndim != 2)
            luaL_error(L, heatmap_expects, describe(L, 1));
        if (t->shape[0] == 0 || t->shape[1] == 0)
            luaL_error(L, "viz.heatmap: the matrix is empty (%d x %d)",
                       (int)t->shape[0], (int)t->shape[1]);
        if (t->shape[0] * t->shape[1] > INT_MAX / 2)
            luaL_error(L, "viz.heatmap: the matrix is too large");
        int n;
        double *buf = read_numbers(L, 1, &n, true, "viz.heatmap", "matrix");
        s->values = copy_numbers(L, buf, n);
        s->rows = (int)t->shape[0];
        s->cols = (int)t->shape[1];
        lua_pop(L, 1);
        return;
    }
    int rows = lua_type(L, 1) == LUA_TTABLE ? (int)lua_rawlen(L, 1) : 0;
    if (rows == 0)
        luaL_error(L, heatmap_expects, describe(L, 1));
    lua_rawgeti(L, 1, 1);
    if (lua_type(L, -1) == LUA_TNUMBER)
        luaL_error(L, heatmap_expects,
                   "a table of numbers (one row: wrap "
                   "it in another table)");
    lua_pop(L, 1);
    /* rows go into a Lua-owned matrix buffer first */
    int cols = 0;
    double *m = NULL;
    for (int r = 1; r <= rows; r++) {
        lua_rawgeti(L, 1, r);
        const char *what = lua_pushfstring(L, "row %d", r);
        int n;
        double *row = read_numbers(L, -2, &n, false, "viz.heatmap", what);
        if (r == 1) {
            cols = n;
            if (cols == 0)
                luaL_error(L, "viz.heatmap: row 1 is empty");
            if ((int64_t)rows * cols > INT_MAX / 2)
                luaL_error(L, "viz.heatmap: the matrix is too large");
            m = lua_newuserdatauv(L, (size_t)rows * (size_t)cols * sizeof *m,
                                  0);
            lua_replace(L, 3 + 1); /* keep it in the slot above the box */
        } else if (n != cols) {
            luaL_error(L, "viz.heatmap: row %d has %d value%s, row 1 has %d", r,
                       n, n == 1 ? "" : "s", cols);
        }
        memcpy(m + (size_t)(r - 1) * (size_t)cols, row,
               (size_t)cols * sizeof *m);
        lua_pop(L, 3);
    }
    s->values = copy_numbers(L, m, rows * cols);
    s->rows = rows;
    s->cols = cols;
}

static int viz_heatmap(lua_State *L)
{
    static const char *const palettes[] = {"viridis", "grey", "gray",
                                           "diverging", NULL};
    static const int palette_v[] = {VIZ_PAL_VIRIDIS, VIZ_PAL_GREY, VIZ_PAL_GREY,
                                    VIZ_PAL_DIVERGING};
    static const char *const cells[] = {"auto", "half", "block", NULL};
    static const int cells_v[] = {VIZ_CELLS_AUTO, VIZ_CELLS_HALF,
                                  VIZ_CELLS_BLOCK};
    const char *fn = "viz.heatmap";
    check_opts(L, 2);
    lua_settop(L, 2);
    struct viz_plot *p = new_plot(L, VIZ_HEATMAP); /* 3 */
    lua_pushnil(L);                                /* 4: scratch */
    struct viz_heatmap_spec *s = &p->heatmap;
    heatmap_values(L, s);
    if (opt(L, 2, "xlabels") != LUA_TNIL)
        read_labels(L, -1, s->cols, &s->xlabels, fn, "xlabels", "columns");
    lua_pop(L, 1);
    if (opt(L, 2, "ylabels") != LUA_TNIL)
        read_labels(L, -1, s->rows, &s->ylabels, fn, "ylabels", "rows");
    lua_pop(L, 1);
    s->title = opt_string(L, 2, "title", fn);
    s->palette = (enum viz_palette)opt_choice(L, 2, "palette", palettes,
                                              palette_v, VIZ_PAL_VIRIDIS, fn);
    s->cells = (enum viz_cells)opt_choice(L, 2, "cells", cells, cells_v,
                                          VIZ_CELLS_AUTO, fn);
    bool has_min = opt_number(L, 2, "min", &s->vmin, fn);
    bool has_max = opt_number(L, 2, "max", &s->vmax, fn);
    if (has_min || has_max) { /* the missing end from the data */
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < (size_t)s->rows * (size_t)s->cols; i++) {
            if (isfinite(s->values[i])) {
                lo = fmin(lo, s->values[i]);
                hi = fmax(hi, s->values[i]);
            }
        }
        s->vmin = has_min ? s->vmin : lo;
        s->vmax = has_max ? s->vmax : hi;
        if (!(s->vmin < s->vmax))
            luaL_error(L,
                       "viz.heatmap: the scale needs min < max, got %f and "
                       "%f",
                       s->vmin, s->vmax);
        s->fixed_range = true;
    }
    return finish(L, 3, 2, fn);
}

/* ---- viz.hist
 * ----------------------------------------------------------------------- */

static int viz_hist(lua_State *L)
{
    const char *fn = "viz.hist";
    check_opts(L, 2);
    lua_settop(L, 2);
    struct viz_plot *p = new_plot(L, VIZ_HIST); /* 3 */
    int n;
    double *data = read_numbers(L, 1, &n, true, fn, "the data");
    int bins = opt_int(L, 2, "bins", 1, 1000, fn);
    if (!bins) { /* Sturges' rule, within 5..30 */
        bins = (int)ceil(log2(n > 1 ? n : 1)) + 1;
        bins = bins < 5 ? 5 : bins > 30 ? 30 : bins;
    }
    double lo = 0, hi = 0;
    if (opt(L, 2, "range") != LUA_TNIL) {
        int k;
        double *r = read_numbers(L, -1, &k, false, fn, "option 'range'");
        if (k != 2 || !(r[0] < r[1]) || !isfinite(r[0]) || !isfinite(r[1]))
            luaL_error(L, "viz.hist: option 'range' must be {lo, hi} with "
                          "lo < hi");
        lo = r[0], hi = r[1];
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (viz_hist_fill(&p->hist, data, (size_t)n, bins, lo, hi) != 0)
        luaL_error(L, "viz: out of memory");
    p->hist.title = opt_string(L, 2, "title", fn);
    lua_remove(L, 4); /* the data buffer */
    return finish(L, 3, 2, fn);
}

/* ---- viz.bar
 * ------------------------------------------------------------------------- */

static int cmp_label(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* viz.bar({name = value, ...}, opts): bars in name order. */
static void bar_from_map(lua_State *L, struct viz_bar_spec *s)
{
    int n = 0;
    for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L,
                       "viz.bar: expected labels and values, a table of "
                       "numbers or a table of name = number, got a %s key "
                       "with %s",
                       luaL_typename(L, -2), describe(L, -1));
        n++;
    }
    if (n == 0)
        luaL_error(L,
                   "viz.bar: expected labels and values, a table of "
                   "numbers or a table of name = number, got an empty table");
    s->labels = xcalloc(L, (size_t)n ? (size_t)n : 1, sizeof *s->labels);
    s->values = xcalloc(L, (size_t)n ? (size_t)n : 1, sizeof *s->values);
    int i = 0;
    for (lua_pushnil(L); lua_next(L, 1) && i < n; lua_pop(L, 1), i++) {
        size_t len;
        const char *name = lua_tolstring(L, -2, &len);
        s->labels[i] = xstrdup(L, name, len);
        s->n = i + 1;
    }
    qsort(s->labels, (size_t)s->n, sizeof *s->labels, cmp_label);
    for (i = 0; i < s->n; i++) {
        lua_getfield(L, 1, s->labels[i]);
        s->values[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
}

enum bar_form { BAR_LABELS_VALUES, BAR_VALUES, BAR_MAP };

/* Which of viz.bar(labels, values [, opts]), viz.bar(values [, opts]) or
 * viz.bar({name = value, ...} [, opts]) this call is, from argument 1. */
static enum bar_form bar_form(lua_State *L)
{
    if (lseq_totensor(L, 1))
        return BAR_VALUES;
    if (lua_type(L, 1) != LUA_TTABLE)
        return BAR_LABELS_VALUES; /* nil labels, or an error below */
    int first = lua_rawgeti(L, 1, 1);
    lua_pop(L, 1);
    return first == LUA_TNUMBER ? BAR_VALUES
           : first == LUA_TNIL  ? BAR_MAP
                                : BAR_LABELS_VALUES;
}

static int viz_bar(lua_State *L)
{
    const char *fn = "viz.bar";
    enum bar_form form = bar_form(L);
    /* make the stack (labels or map, values, opts) */
    if (form != BAR_LABELS_VALUES) {
        lua_settop(L, 2);
        lua_pushnil(L);
        lua_insert(L, form == BAR_VALUES ? 1 : 2);
    }
    lua_settop(L, 3);
    check_opts(L, 3);
    struct viz_plot *p = new_plot(L, VIZ_BAR); /* 4 */
    struct viz_bar_spec *s = &p->bar;
    if (form == BAR_MAP) {
        bar_from_map(L, s);
    } else {
        int n;
        double *v = read_numbers(L, 2, &n, false, fn, "the values");
        s->values = copy_numbers(L, v, n);
        s->n = n;
        lua_pop(L, 1);
        if (!lua_isnil(L, 1))
            read_labels(L, 1, n, &s->labels, fn, "labels", "values");
    }
    s->title = opt_string(L, 3, "title", fn);
    return finish(L, 4, 3, fn);
}

/* ---- viz.table
 * ------------------------------------------------------------------------- */

/* A cell as text: integers plainly, other numbers with 6 significant
 * digits, everything else with tostring. */
static const char *cell_text(lua_State *L, int idx, size_t *len)
{
    if (lua_type(L, idx) == LUA_TNUMBER && !lua_isinteger(L, idx)) {
        double v = lua_tonumber(L, idx);
        char buf[64];
        if (!isfinite(v))
            viz_format_num(buf, sizeof buf, v);
        else
            snprintf(buf, sizeof buf,
                     v == floor(v) && fabs(v) < 1e15 ? "%.1f" : "%.6g", v);
        lua_pushstring(L, buf);
        return lua_tolstring(L, -1, len);
    }
    return luaL_tolstring(L, idx, len);
}

static int viz_table(lua_State *L)
{
    const char *fn = "viz.table";
    check_opts(L, 2);
    lua_settop(L, 2);
    if (lua_type(L, 1) != LUA_TTABLE)
        luaL_error(L, "viz.table: expected a table of rows, got %s",
                   describe(L, 1));
    struct viz_plot *p = new_plot(L, VIZ_TABLE); /* 3 */
    struct viz_table_spec *s = &p->table;
    int rows = (int)lua_rawlen(L, 1), cols = 0;
    for (int r = 1; r <= rows; r++) {
        if (lua_rawgeti(L, 1, r) != LUA_TTABLE)
            luaL_error(L, "viz.table: row %d is %s, expected a table", r,
                       describe(L, -1));
        int n = (int)lua_rawlen(L, -1);
        cols = n > cols ? n : cols;
        lua_pop(L, 1);
    }
    if ((int64_t)rows * cols > 1000000)
        luaL_error(L, "viz.table: too many cells (%d rows of %d)", rows, cols);
    s->cells = xcalloc(L, (size_t)rows * (size_t)cols, sizeof *s->cells);
    s->nrows = rows;
    s->ncols = cols;
    for (int r = 1; r <= rows; r++) {
        lua_rawgeti(L, 1, r);
        for (int c = 1; c <= cols; c++) {
            if (lua_rawgeti(L, -1, c) != LUA_TNIL) {
                size_t len;
                const char *v = cell_text(L, -1, &len);
                s->cells[(size_t)(r - 1) * (size_t)cols + (size_t)(c - 1)] =
                    xstrdup(L, v, len);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    s->header = opt_bool(L, 2, "header", true);
    s->title = opt_string(L, 2, "title", fn);
    return finish(L, 3, 2, fn);
}

/* ---- viz.plots, viz.clear, viz.output
 * ---------------------------------------------------- */

static int viz_plots(lua_State *L)
{
    push_list(L);
    int n = (int)lua_rawlen(L, -1);
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -2, i);
    }
    return 1;
}

static int viz_clear(lua_State *L)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &list_key);
    return 0;
}

static int viz_output(lua_State *L)
{
    enum viz_output prev = viz_get_output();
    if (!lua_isnoneornil(L, 1)) {
        enum viz_output o;
        const char *s = luaL_checkstring(L, 1);
        if (!viz_output_parse(s, &o))
            return luaL_argerror(
                L, 1,
                lua_pushfstring(L,
                                "expected \"auto\", \"ansi\" or "
                                "\"ascii\", got \"%s\"",
                                s));
        viz_set_output(o);
    }
    lua_pushstring(L, viz_output_name(prev));
    return 1;
}

/* ---- viz.Plot methods
 * -------------------------------------------------------------------- */

static struct plot_box *check_plot(lua_State *L)
{
    struct plot_box *b = luaL_checkudata(L, 1, PLOT_MT);
    if (!b->p)
        luaL_argerror(L, 1, "incomplete plot");
    return b;
}

/* Optional (w, h) at idx, idx + 1, defaulting to the plot's own size. */
static void check_size(lua_State *L, int idx, const struct plot_box *b, int *w,
                       int *h)
{
    lua_Integer lw = luaL_optinteger(L, idx, b->w);
    lua_Integer lh = luaL_optinteger(L, idx + 1, b->h);
    luaL_argcheck(L, lw >= 1 && lw <= 4096, idx, "width must be 1..4096");
    luaL_argcheck(L, lh >= 1 && lh <= 4096, idx + 1, "height must be 1..4096");
    *w = (int)lw;
    *h = (int)lh;
}

/* plot:render([w [, h [, mode]]]) -> the plot as text; mode "ascii" (the
 * default), "unicode" (no colours) or "ansi". */
static int plot_render(lua_State *L)
{
    static const char *const modes[] = {"ascii", "unicode", "ansi", NULL};
    static const struct viz_mode mode_v[] = {
        {VIZ_ASCII, VIZ_MONO}, {VIZ_UNICODE, VIZ_MONO}, {VIZ_UNICODE, VIZ_256}};
    struct plot_box *b = check_plot(L);
    int w, h;
    check_size(L, 2, b, &w, &h);
    int m = luaL_checkoption(L, 4, "ascii", modes);
    size_t len;
    char *text = render_text(L, b->p, w, h, mode_v[m], &len);
    lua_pushlstring(L, text, len);
    free(text);
    return 1;
}

/* plot:show([w [, h]]): prints it again, as when it was made. */
static int plot_show(lua_State *L)
{
    struct plot_box *b = check_plot(L);
    int w, h;
    check_size(L, 2, b, &w, &h);
    show(L, b->p, w, h);
    lua_settop(L, 1);
    return 1;
}

static int plot_kind(lua_State *L)
{
    lua_pushstring(L, viz_kind_name(check_plot(L)->p->kind));
    return 1;
}

static int plot_title(lua_State *L)
{
    const char *t = viz_plot_title(check_plot(L)->p);
    if (t)
        lua_pushstring(L, t);
    else
        lua_pushnil(L);
    return 1;
}

static int plot_size(lua_State *L)
{
    struct plot_box *b = check_plot(L);
    lua_pushinteger(L, b->w);
    lua_pushinteger(L, b->h);
    return 2;
}

static int plot_tostring(lua_State *L)
{
    struct plot_box *b = luaL_checkudata(L, 1, PLOT_MT);
    if (!b->p) {
        lua_pushliteral(L, "viz.Plot (incomplete)");
        return 1;
    }
    const char *t = viz_plot_title(b->p);
    lua_pushfstring(L, "viz.Plot: %s%s%s%s (%dx%d)", viz_kind_name(b->p->kind),
                    t ? " \"" : "", t ? t : "", t ? "\"" : "", b->w, b->h);
    return 1;
}

static int plot_gc(lua_State *L)
{
    struct plot_box *b = luaL_checkudata(L, 1, PLOT_MT);
    viz_plot_free(b->p);
    b->p = NULL;
    return 0;
}

static const luaL_Reg plot_methods[] = {
    {"render", plot_render}, {"show", plot_show}, {"kind", plot_kind},
    {"title", plot_title},   {"size", plot_size}, {NULL, NULL},
};

static const luaL_Reg plot_meta[] = {
    {"__tostring", plot_tostring},
    {"__gc", plot_gc},
    {NULL, NULL},
};

static const luaL_Reg viz_funcs[] = {
    {"line", viz_line},   {"heatmap", viz_heatmap}, {"hist", viz_hist},
    {"bar", viz_bar},     {"table", viz_table},     {"plots", viz_plots},
    {"clear", viz_clear}, {"output", viz_output},   {NULL, NULL},
};

int luaopen_viz(lua_State *L)
{
    luaL_newmetatable(L, PLOT_MT);
    luaL_setfuncs(L, plot_meta, 0);
    luaL_newlib(L, plot_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, viz_funcs);
    return 1;
}
