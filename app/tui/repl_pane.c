/* repl_pane.c — the REPL pane: a Lua prompt inside the TUI, in its own
 * (non-sandboxed) lua_State t->L, which `r` runs and the Read pane's code
 * blocks share; its plots feed the Plots pane (viz echo is off here).
 *
 * What a line means is decided by lseq_repl_eval (app/lua/repl_eval.c),
 * exactly as in `seqlab repl`: expressions and `=expr` print their values,
 * an unfinished statement continues on a `>>` line, `_PROMPT`/`_PROMPT2`
 * override the prompts.  Lines starting with '.' (but not `.5`) are
 * commands: .help, .reset, .load FILE, .clear.
 *
 * Line editing is GNU readline's callback interface driven by hand, after
 * ulfalizer/readline-and-ncurses (reference §4.1): readline never touches
 * the terminal (no signal handlers, no term prep, no LINES/COLUMNS, its
 * streams on /dev/null); the bytes come from ->key through rl_getc_function
 * and rl_input_available_hook, and the pane draws rl_display_prompt and
 * rl_line_buffer itself (horizontal scrolling, cursor from display widths).
 * Bracketed paste is off: a multi-line paste arrives line by line and the
 * continuation logic joins it.  Completion is lseq_repl_completions; lists
 * of candidates go to the scrollback.  History is shared with `seqlab repl`
 * ($XDG_STATE_HOME/seqlab/history), not read or written in headless mode.
 *
 * Keys while the REPL has focus (->raw is true, so every key comes here
 * first; what returns false goes on to the core's key table):
 *   - all printable characters, digits included, are typed (`1 + 1` is a
 *     valid line): the digits do not jump to panes here;
 *   - readline's keys: arrows, Home/End, Ctrl-A/E/K/U/W/Y, Alt-B/F/D,
 *     Ctrl-R history search, Up/Down history, Tab completion;
 *   - Enter runs the line; PgUp/PgDn (and the mouse wheel) scroll the
 *     output, Shift-Up/Down by one row, Ctrl-Home/End to the top/bottom;
 *   - Ctrl-C clears the line and an unfinished statement (nothing to clear:
 *     false, for the core); during a run the core's pump turns it into
 *     lseq_interrupt();
 *   - leaving focus: a lone Esc, Ctrl-D on an empty line (with an
 *     unfinished statement it first reports what is missing, as lua.c
 *     does), Shift-Tab and F-keys (false: the core's), a mouse click on
 *     another pane.  Focus goes back to t->middle (Read or Exercise);
 *   - Ctrl-L, KEY_RESIZE, KEY_MOUSE: false (the core redraws).
 * Keys arrive as the core reads them: in a terminal from the REPL window
 * with keypad off (escape sequences as bytes, characters as code points
 * from wget_wch), in headless scripts as bytes and KEY_* codes; both work.
 *
 * Output (print, io.write, values, errors in R_FAIL, warnings in R_WARN)
 * goes to a scrollback of the last 2000 lines, wrapped when drawn. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "cmds.h"
#include "tui/tui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "course/markdown.h"
#include "lseq.h"
#include "viz/grid.h"
#include "viz/plot.h"

#ifndef SEQLAB_VERSION
#define SEQLAB_VERSION "0.1.0"
#endif

#define SB_LINES     2000        /* scrollback lines kept */
#define LINE_BYTES   8192        /* longer output lines are broken */
#define HISTORY_MAX  1000        /* as `seqlab repl` */
#define LOAD_MAX     (8 << 20)   /* .load reads at most this much */
#define ESC_WAIT_MS  30          /* bytes after Esc belong to a sequence */
#define INPUT_MAX    1024        /* bytes queued for readline */

/* ---- state ------------------------------------------------------------------- */

struct sb_line {
    char *s; /* NUL-terminated */
    size_t len, cap;
    unsigned char role;
    int wrap_w, wrap_n; /* cached row count at a width */
};

static struct {
    struct tui *t;
    bool ready;  /* repl_init ran */
    /* scrollback: a ring of lines */
    struct sb_line lines[SB_LINES];
    int first, count;
    bool open;   /* the last line has no '\n' yet */
    bool cr;     /* '\r' seen: the next text overwrites the open line */
    int esc;     /* skipping an ANSI escape: 1 after ESC, 2 inside CSI */
    int scroll;  /* rows scrolled up from the bottom */
    int sb_rows; /* rows the scrollback had when last drawn */
    /* the statement typed so far (lines joined with "\n") */
    char *chunk;
    size_t chunk_len, chunk_cap;
    /* readline */
    bool installed; /* a handler is installed */
    unsigned char in[INPUT_MAX];
    int in_head, in_len;
    char *line;
    bool line_ready;
    unsigned char utf8[4]; /* headless: a character arriving byte by byte */
    int utf8_len, utf8_need;
    int hscroll;
    int rl_cols;
    char *hist_path;
    FILE *devnull;
    /* runs */
    bool busy;
    double run_start;
    char run_name[96];
} R;

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Saved around readline's terminal set-up (tgetent), defined at the end
 * of the file because <term.h> defines many short macros. */
static void *curterm_save(void);
static void curterm_restore(void *saved);

/* ---- scrollback ------------------------------------------------------------- */

static struct sb_line *sb_at(int i)
{
    return &R.lines[(R.first + i) % SB_LINES];
}

static struct sb_line *sb_last(void)
{
    return R.count ? sb_at(R.count - 1) : NULL;
}

static struct sb_line *sb_new_line(enum role role)
{
    struct sb_line *l;
    if (R.count == SB_LINES) { /* reuse the oldest */
        l = sb_at(0);
        R.first = (R.first + 1) % SB_LINES;
    } else {
        l = sb_at(R.count);
        R.count++;
    }
    l->len = 0;
    if (l->s)
        l->s[0] = '\0';
    l->role = (unsigned char)role;
    l->wrap_w = 0;
    R.open = true;
    R.cr = false;
    if (R.scroll > 0) /* keep the view where it is */
        R.scroll++;
    return l;
}

static void sb_append(struct sb_line *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        size_t cap = l->cap ? l->cap : 64;
        while (cap < l->len + n + 1)
            cap *= 2;
        char *p = realloc(l->s, cap);
        if (!p)
            return;
        l->s = p;
        l->cap = cap;
    }
    memcpy(l->s + l->len, s, n);
    l->len += n;
    l->s[l->len] = '\0';
    l->wrap_w = 0;
}

static int char_cols(const struct tui *t, uint32_t cp)
{
    if (cp < 32 || cp == 127)
        return 1; /* tui_put shows a blank */
    if (t->ascii && cp >= 128) {
        char buf[16];
        return md_ascii_for(cp, buf);
    }
    return viz_char_width(cp);
}

/* Text in `role` at the end of the scrollback: '\n' ends a line, '\r'
 * makes the next text overwrite the line (progress counters), tabs become
 * spaces, ANSI escapes and other control characters are dropped. */
static void sb_write(enum role role, const char *s, size_t n)
{
    struct sb_line *l = R.open ? sb_last() : NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (R.esc) { /* ESC [ params final, or ESC x */
            if (R.esc == 1 && c == '[')
                R.esc = 2;
            else if (R.esc == 1 || (c >= 0x40 && c <= 0x7e))
                R.esc = 0;
            continue;
        }
        if (c == '\n') {
            if (!l)
                l = sb_new_line(role);
            R.open = false;
            R.cr = false;
            l = NULL;
            continue;
        }
        if (c == '\r') {
            R.cr = l != NULL;
            continue;
        }
        if (c == 27) {
            R.esc = 1;
            continue;
        }
        if ((c < 32 && c != '\t') || c == 127)
            continue;
        if (l && R.cr) {
            l->len = 0;
            l->s[0] = '\0';
            l->wrap_w = 0;
            R.cr = false;
        }
        if (l && l->len > 0 && l->role != role)
            l = NULL; /* output and errors do not share a line */
        if (l && l->len >= LINE_BYTES && (c & 0xc0) != 0x80)
            l = NULL; /* a very long line: go on in a new one */
        if (!l)
            l = sb_new_line(role);
        l->role = (unsigned char)role;
        if (c == '\t') {
            int col = tui_width(l->s ? l->s : "");
            sb_append(l, "        ", (size_t)(8 - col % 8));
        } else {
            /* a run of ordinary bytes at once */
            size_t j = i + 1;
            while (j < n && j - i < 256 && (unsigned char)s[j] >= 32 &&
                   s[j] != 127 && s[j] != 27)
                j++;
            sb_append(l, s + i, j - i);
            i = j - 1;
        }
    }
}

static void sb_puts(enum role role, const char *s)
{
    sb_write(role, s, strlen(s));
}

static void sb_printf(enum role role, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(enum role role, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sb_puts(role, buf);
}

/* Starts the next text on a line of its own. */
static void sb_newline_if_open(void)
{
    if (R.open)
        sb_write(R_NORMAL, "\n", 1);
}

static void sb_clear(void)
{
    for (int i = 0; i < SB_LINES; i++) {
        free(R.lines[i].s);
        R.lines[i] = (struct sb_line){0};
    }
    R.first = R.count = 0;
    R.open = R.cr = false;
    R.esc = 0;
    R.scroll = 0;
}

/* Where the row starting at byte pos of s ends, for `width` columns. */
static size_t row_end(const struct tui *t, const char *s, size_t len,
                      size_t pos, int width)
{
    int used = 0;
    size_t i = pos;
    while (i < len) {
        uint32_t cp;
        int n = viz_utf8_decode(s + i, len - i, &cp);
        int cw = char_cols(t, cp);
        if (used + cw > width && i > pos)
            break;
        used += cw;
        i += (size_t)n;
    }
    return i;
}

static int line_rows(const struct tui *t, struct sb_line *l, int width)
{
    if (l->wrap_w == width)
        return l->wrap_n;
    int rows = 0;
    size_t pos = 0;
    do {
        pos = row_end(t, l->s ? l->s : "", l->len, pos, width);
        rows++;
    } while (pos < l->len);
    l->wrap_w = width;
    l->wrap_n = rows;
    return rows;
}

/* Draws the scrollback into rows [0, rows) of w, the newest line at the
 * bottom, R.scroll rows up. */
static void draw_scrollback(struct tui *t, WINDOW *w, int rows, int width)
{
    if (R.scroll > 0) { /* clamp to the top */
        int total = 0;
        for (int i = 0; i < R.count && total < R.scroll + rows; i++)
            total += line_rows(t, sb_at(i), width);
        if (R.scroll > total - rows)
            R.scroll = total - rows > 0 ? total - rows : 0;
    }
    static char buf[LINE_BYTES + 512];
    static size_t starts[LINE_BYTES + 512];
    int skip = R.scroll, y = rows - 1;
    for (int i = R.count - 1; i >= 0 && y >= 0; i--) {
        struct sb_line *l = sb_at(i);
        int n = line_rows(t, l, width);
        if (skip >= n) {
            skip -= n;
            continue;
        }
        /* rows n-1-skip down to 0 of this line, bottom up (a line is at
         * most LINE_BYTES plus one appended run long) */
        if (n > LINE_BYTES + 500)
            n = LINE_BYTES + 500;
        size_t pos = 0;
        for (int k = 0; k < n; k++) {
            starts[k] = pos;
            pos = row_end(t, l->s ? l->s : "", l->len, pos, width);
        }
        starts[n] = l->len;
        for (int k = n - 1 - skip; k >= 0 && y >= 0; k--, y--) {
            size_t a = starts[k], b = starts[k + 1];
            if (b - a >= sizeof buf)
                b = a + sizeof buf - 1;
            memcpy(buf, l->s + a, b - a);
            buf[b - a] = '\0';
            tui_put(t, w, y, 0, width, buf, tui_attr(t, (enum role)l->role));
        }
        skip = 0;
    }
    if (R.scroll > 0 && rows > 0) {
        char note[64];
        snprintf(note, sizeof note, " %s more below \xc2\xb7 PgDn ",
                 tui_glyph(t, "\xe2\x86\x93", "v"));
        int nw = tui_width(note);
        tui_put(t, w, rows - 1, width > nw ? width - nw : 0, width, note,
                tui_attr(t, R_SELECT));
    }
}

static void scroll_by(int rows)
{
    R.scroll += rows;
    if (R.scroll < 0)
        R.scroll = 0;
    /* the top is clamped when drawn */
}

static int page_rows(void)
{
    return R.sb_rows > 2 ? R.sb_rows - 1 : 1;
}

/* ---- output from Lua ------------------------------------------------------- */

static void out_write(void *ud, const char *s, size_t n)
{
    (void)ud;
    sb_write(R_NORMAL, s, n);
}

/* Errors in R_FAIL, "warning: ..." in R_WARN; a report starts on a line
 * of its own. */
static void err_write(void *ud, const char *s, size_t n)
{
    (void)ud;
    struct sb_line *l = R.open ? sb_last() : NULL;
    enum role role;
    if (l && (l->role == R_FAIL || l->role == R_WARN)) {
        role = (enum role)l->role;
    } else {
        sb_newline_if_open();
        role = n >= 8 && !memcmp(s, "warning:", 8) ? R_WARN : R_FAIL;
    }
    sb_write(role, s, n);
}

static const struct lseq_repl_io repl_io = {out_write, err_write, NULL};

/* ---- the Lua state ------------------------------------------------------------ */

static void pump(void *ud)
{
    tui_pump(ud);
}

static bool make_state(struct tui *t)
{
    t->L = lseq_newstate(NULL, false);
    if (!t->L) {
        sb_puts(R_FAIL, "error: cannot create a Lua state\n");
        return false;
    }
    viz_set_echo(t->L, &(struct viz_echo){.enabled = false});
    lseq_redirect_output(t->L, out_write, NULL);
    lseq_set_pump(t->L, pump, t);
    return true;
}

static const char *plot_title(const struct viz_plot *p)
{
    const char *title = NULL, *kind = "plot";
    switch (p->kind) {
    case VIZ_LINE:
        title = p->line.title, kind = "line plot";
        break;
    case VIZ_HEATMAP:
        title = p->heatmap.title, kind = "heatmap";
        break;
    case VIZ_HIST:
        title = p->hist.title, kind = "histogram";
        break;
    case VIZ_BAR:
        title = p->bar.title, kind = "bar chart";
        break;
    case VIZ_TABLE:
        title = p->table.title, kind = "table";
        break;
    }
    return title && *title ? title : kind;
}

struct run {
    int nplots;
    const struct viz_plot *last;
};

static void begin_run(struct tui *t, const char *name, struct run *r)
{
    r->nplots = viz_plot_count(t->L);
    r->last = r->nplots ? viz_plot_get(t->L, r->nplots - 1) : NULL;
    size_t k = name ? strlen(name) : 0; /* cut if long: only shown */
    if (k >= sizeof R.run_name)
        k = sizeof R.run_name - 1;
    memcpy(R.run_name, name ? name : "", k);
    R.run_name[k] = '\0';
    R.busy = true;
    R.run_start = mono_now();
    R.scroll = 0;
    t->running = true;
    lseq_clear_interrupt();
}

/* Says what the run left: new plots, an interrupt, the time it took. */
static void end_run(struct tui *t, struct run *r, int status)
{
    double took = mono_now() - R.run_start;
    R.busy = false;
    t->running = false;
    if (!t->L)
        return;
    int n = viz_plot_count(t->L), fresh = n;
    for (int i = n - 1; i >= 0 && r->last; i--)
        if (viz_plot_get(t->L, i) == r->last) {
            fresh = n - 1 - i;
            break;
        }
    sb_newline_if_open();
    if (fresh == 1)
        sb_printf(R_DIM, "-- plot: %s (Plots pane, 4)\n",
                  plot_title(viz_plot_get(t->L, n - 1)));
    else if (fresh > 1)
        sb_printf(R_DIM, "-- %d new plots, the last: %s (Plots pane, 4)\n",
                  fresh, plot_title(viz_plot_get(t->L, n - 1)));
    /* a named run (a code block, `r`) leaves success messages to the
     * pane that asked for it */
    if (lseq_last_stop(t->L) == LSEQ_STOP_INTERRUPT)
        tui_message(t, R_WARN, "%s%sinterrupted after %.1f s", R.run_name,
                    R.run_name[0] ? ": " : "", took);
    else if (status == LSEQ_REPL_ERROR && R.run_name[0])
        tui_message(t, R_FAIL, "%s: error (see the REPL, 5)", R.run_name);
    else if (R.run_name[0])
        ;
    else if (fresh > 0)
        tui_message(t, R_NORMAL, "%d new plot%s: press 4 to see %s", fresh,
                    fresh > 1 ? "s" : "", fresh > 1 ? "them" : "it");
    else if (took >= 1.0)
        tui_message(t, R_DIM, "done in %.1f s", took);
}

static int eval(struct tui *t, const char *code, bool at_eof, const char *name)
{
    if (!t->L)
        return LSEQ_REPL_ERROR;
    struct run r;
    begin_run(t, name, &r);
    int st = lseq_repl_eval(t->L, code, at_eof, &repl_io);
    end_run(t, &r, st);
    return st;
}

/* Runs a file's text as a chunk named after it (errors read FILE:LINE),
 * as dofile does: returned values are not printed. */
static void run_file(struct tui *t, const char *text, size_t len,
                     const char *name, const char *path)
{
    lua_State *L = t->L;
    if (!L)
        return;
    if (len > 0 && text[0] == '#') { /* a #! line, as luaL_loadfile skips */
        const char *nl = memchr(text, '\n', len);
        size_t skip = nl ? (size_t)(nl - text) : len;
        text += skip; /* keep the '\n': line numbers stay right */
        len -= skip;
    }
    int top = lua_gettop(L);
    struct run r;
    begin_run(t, name, &r);
    char chunkname[1100];
    snprintf(chunkname, sizeof chunkname, "@%s", path);
    int st = luaL_loadbufferx(L, text, len, chunkname, "t");
    if (st == LUA_OK)
        st = lseq_pcall(L, 0, 0);
    if (st != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        err_write(NULL, "error: ", 7);
        err_write(NULL, msg ? msg : "?", msg ? strlen(msg) : 1);
        err_write(NULL, "\n", 1);
    }
    lua_settop(L, top);
    end_run(t, &r, st == LUA_OK ? LSEQ_REPL_DONE : LSEQ_REPL_ERROR);
}

/* ---- the statement being typed --------------------------------------------- */

static bool chunk_add_line(const char *line)
{
    size_t n = strlen(line);
    size_t need = R.chunk_len + (R.chunk_len ? 1 : 0) + n + 1;
    if (need > R.chunk_cap) {
        size_t cap = R.chunk_cap ? R.chunk_cap : 256;
        while (cap < need)
            cap *= 2;
        char *s = realloc(R.chunk, cap);
        if (!s)
            return false;
        R.chunk = s;
        R.chunk_cap = cap;
    }
    if (R.chunk_len)
        R.chunk[R.chunk_len++] = '\n';
    memcpy(R.chunk + R.chunk_len, line, n + 1);
    R.chunk_len += n;
    return true;
}

static void chunk_clear(void)
{
    R.chunk_len = 0;
    if (R.chunk)
        R.chunk[0] = '\0';
}

/* _PROMPT / _PROMPT2 override the prompts, as in lua.c; read raw, since
 * this runs unprotected (a "strict" __index on _G must not abort) */
static const char *prompt_text(struct tui *t, bool more)
{
    static char buf[128];
    const char *dflt = more ? ">> " : "> ";
    if (!t->L)
        return dflt;
    lua_pushglobaltable(t->L);
    lua_pushstring(t->L, more ? "_PROMPT2" : "_PROMPT");
    lua_rawget(t->L, -2);
    const char *p = lua_isstring(t->L, -1) ? lua_tostring(t->L, -1) : dflt;
    snprintf(buf, sizeof buf, "%s", p);
    lua_pop(t->L, 2);
    return buf;
}

/* The input as it was typed, one scrollback line per line of it. */
static void echo_input(struct tui *t, const char *line, const char *suffix,
                       enum role role)
{
    sb_newline_if_open();
    bool more = R.chunk_len > 0;
    for (;;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        sb_puts(role, prompt_text(t, more));
        sb_write(role, line, n);
        if (!nl)
            break;
        sb_write(role, "\n", 1);
        line = nl + 1;
        more = true;
    }
    sb_puts(role, suffix);
    sb_write(role, "\n", 1);
}

/* ---- history ----------------------------------------------------------------- */

/* $XDG_STATE_HOME/seqlab/history (default ~/.local/state/...), with its
 * folders created: the file `seqlab repl` uses (same rule as its
 * history_path in app/repl.c). */

static void history_add(const char *entry)
{
    if (!entry[strspn(entry, " \t\n")])
        return;
    HIST_ENTRY *last = history_length > 0
                           ? history_get(history_base + history_length - 1)
                           : NULL;
    if (last && !strcmp(last->line, entry))
        return;
    add_history(entry);
    if (R.hist_path) /* kept current in case the TUI is killed; trimmed to
                      * HISTORY_MAX by write_history at the end */
        append_history(1, R.hist_path);
}

/* ---- completion ------------------------------------------------------------- */

static char **complete_list;
static size_t complete_next;

static char *complete_generator(const char *text, int state)
{
    (void)text;
    if (state == 0)
        complete_next = 0;
    if (!complete_list || !complete_list[complete_next])
        return NULL;
    return strdup(complete_list[complete_next++]);
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* no file names as a fallback */
    rl_completion_append_character = '\0';
    if (!R.t || !R.t->L)
        return NULL;
    complete_list = lseq_repl_completions(R.t->L, text);
    char **matches = rl_completion_matches(text, complete_generator);
    for (size_t i = 0; complete_list && complete_list[i]; i++)
        free(complete_list[i]);
    free(complete_list);
    complete_list = NULL;
    return matches;
}

/* Readline's list of candidates (matches[1..n]) goes to the scrollback,
 * in columns, without the path before the last '.' or ':'. */
static void show_matches(char **matches, int n, int max_len)
{
    (void)max_len;
    struct tui *t = R.t;
    if (!t || n < 1)
        return;
    echo_input(t, rl_line_buffer ? rl_line_buffer : "", "", R_CODE);
    const char *first = matches[1];
    const char *sep = strrchr(first, '.'), *colon = strrchr(first, ':');
    if (colon && (!sep || colon > sep))
        sep = colon;
    size_t skip = sep ? (size_t)(sep + 1 - first) : 0;
    int width = R.t->pane_win[PANE_REPL] ? getmaxx(R.t->pane_win[PANE_REPL])
                                         : t->cols;
    int shown = n > 300 ? 300 : n, colw = 1;
    for (int i = 1; i <= shown; i++) {
        size_t sl = strlen(matches[i]);
        int w = tui_width(matches[i] + (sl >= skip ? skip : 0));
        if (w + 2 > colw)
            colw = w + 2;
    }
    int ncols = width / colw > 0 ? width / colw : 1;
    int nrows = (shown + ncols - 1) / ncols;
    for (int r = 0; r < nrows; r++) {
        char row[2048];
        size_t len = 0;
        for (int c = 0; c < ncols; c++) {
            int i = 1 + c * nrows + r;
            if (i > shown)
                break;
            const char *m = matches[i];
            m += strlen(m) >= skip ? skip : 0;
            int pad = c + 1 < ncols && i + nrows <= shown
                          ? colw - tui_width(m)
                          : 0;
            int k = snprintf(row + len, sizeof row - len, "%s%*s", m, pad, "");
            if (k < 0 || (size_t)k >= sizeof row - len)
                break;
            len += (size_t)k;
        }
        sb_write(R_DIM, row, len);
        sb_write(R_DIM, "\n", 1);
    }
    if (shown < n)
        sb_printf(R_DIM, "... and %d more\n", n - shown);
    R.scroll = 0;
}

/* ---- readline plumbing ------------------------------------------------------ */

static int getc_cb(FILE *f)
{
    (void)f;
    /* only reached with bytes queued, except inside a multi-byte read */
    return R.in_head < R.in_len ? R.in[R.in_head++] : EOF;
}

static int avail_cb(void)
{
    return R.in_head < R.in_len;
}

static void redisplay_cb(void)
{
    /* the pane draws rl_display_prompt and rl_line_buffer when the core
     * redraws, after every key */
}

static void on_line(char *line)
{
    R.line = line;
    R.line_ready = true;
    /* no new prompt until the statement has run */
    rl_callback_handler_remove();
    R.installed = false;
}

static void install(struct tui *t)
{
    if (R.installed)
        rl_callback_handler_remove();
    rl_callback_handler_install(prompt_text(t, R.chunk_len > 0), on_line);
    R.installed = true;
}

static bool searching(void)
{
    return RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) != 0;
}

static void readline_setup(struct tui *t)
{
    rl_readline_name = "seqlab";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_prep_term_function = NULL;
    rl_deprep_term_function = NULL;
    R.devnull = fopen("/dev/null", "r+");
    if (R.devnull) {
        rl_instream = R.devnull;
        rl_outstream = R.devnull; /* bells, stray redisplays */
    }
    rl_getc_function = getc_cb;
    rl_input_available_hook = avail_cb;
    rl_redisplay_function = redisplay_cb;
    rl_attempted_completion_function = complete;
    rl_completion_display_matches_hook = show_matches;
    rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{}()[],+-*/%^#~";
    if (t->headless) /* screen tests do not depend on ~/.inputrc */
        setenv("INPUTRC", "/dev/null", 1);
    void *term = curterm_save();
    rl_initialize(); /* reads inputrc; the settings below win */
    curterm_restore(term);
    rl_variable_bind("enable-bracketed-paste", "off");
    rl_variable_bind("show-all-if-ambiguous", "on");
    /* the sequences key_sequence() produces, whatever inputrc says */
    rl_bind_keyseq_if_unbound("\033[3~", rl_delete);
    rl_bind_keyseq_if_unbound("\033[H", rl_beg_of_line);
    rl_bind_keyseq_if_unbound("\033[F", rl_end_of_line);
    rl_bind_keyseq_if_unbound("\033[1~", rl_beg_of_line);
    rl_bind_keyseq_if_unbound("\033[4~", rl_end_of_line);
    rl_bind_keyseq_if_unbound("\033[1;5C", rl_forward_word);
    rl_bind_keyseq_if_unbound("\033[1;5D", rl_backward_word);
    rl_bind_keyseq_if_unbound("\033[1;3C", rl_forward_word);
    rl_bind_keyseq_if_unbound("\033[1;3D", rl_backward_word);
    using_history();
    stifle_history(HISTORY_MAX);
    /* as `seqlab repl`: multi-line statements come back as one entry */
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    history_comment_char = '#';
    if (!t->headless) {
        R.hist_path = seqlab_history_path();
        if (R.hist_path)
            read_history(R.hist_path);
    }
    install(t);
}

/* ---- lines and commands ------------------------------------------------------ */

static void leave_focus(struct tui *t)
{
    enum pane_id back = t->middle;
    if (back == PANE_REPL || (unsigned)back >= PANE_COUNT)
        back = PANE_LESSONS;
    tui_focus(t, back);
}

static void reset_state(struct tui *t)
{
    if (t->L)
        lseq_closestate(t->L);
    t->L = NULL;
    chunk_clear();
    if (make_state(t)) {
        sb_puts(R_DIM, "-- a fresh Lua state: variables and plots are "
                       "gone\n");
        tui_message(t, R_NORMAL, "REPL reset");
    }
}

static const char help_text[] =
    "Type Lua: an expression prints its value (=expr too); an unfinished\n"
    "statement continues on a >> line.  seq, nn, optim, viz, np are loaded;\n"
    "plots appear in the Plots pane (4).\n"
    "  .help        this text\n"
    "  .reset       a fresh Lua state (variables and plots are dropped)\n"
    "  .load FILE   run a Lua file here (relative to the current folder or\n"
    "               the workspace)\n"
    "  .clear       clear this output\n"
    "Keys: Enter runs, Tab completes, Up/Down history, Ctrl-R searches it,\n"
    "PgUp/PgDn scroll, Ctrl-C clears the line or stops a run, Esc or\n"
    "Ctrl-D on an empty line leaves the REPL.\n";

/* FILE as given, under ~, or under the workspace; malloc'd contents. */
static char *load_text(struct tui *t, const char *arg, size_t *len,
                       char *path, size_t pathn)
{
    const char *home = getenv("HOME");
    if (!strncmp(arg, "~/", 2) && home)
        snprintf(path, pathn, "%s/%s", home, arg + 2);
    else
        snprintf(path, pathn, "%s", arg);
    FILE *f = fopen(path, "rb");
    int err = errno;
    if (!f && arg[0] != '/' && arg[0] != '~' && t->ws && t->ws->dir) {
        char alt[1024];
        int k = snprintf(alt, sizeof alt, "%s/%s", t->ws->dir, arg);
        f = k > 0 && (size_t)k < sizeof alt ? fopen(alt, "rb") : NULL;
        if (f)
            snprintf(path, pathn, "%s", alt);
    }
    if (!f) {
        sb_printf(R_FAIL, "error: cannot open %s: %s\n", arg, strerror(err));
        return NULL;
    }
    char *buf = malloc(LOAD_MAX + 1);
    size_t n = buf ? fread(buf, 1, LOAD_MAX + 1, f) : 0;
    bool bad = ferror(f) || !buf;
    fclose(f);
    if (bad || n > LOAD_MAX) {
        sb_printf(R_FAIL, "error: cannot read %s%s\n", arg,
                  n > LOAD_MAX ? " (larger than 8 MiB)" : "");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool is_command(const char *line)
{
    return line[0] == '.' && !(line[1] >= '0' && line[1] <= '9'); /* .5 */
}

static void command(struct tui *t, const char *line)
{
    char name[32];
    size_t n = strcspn(line + 1, " \t");
    snprintf(name, sizeof name, "%.*s", (int)(n < 31 ? n : 31), line + 1);
    const char *arg = line + 1 + n;
    arg += strspn(arg, " \t");
    char argbuf[1024];
    snprintf(argbuf, sizeof argbuf, "%s", arg);
    for (size_t k = strlen(argbuf); k > 0 && (argbuf[k - 1] == ' ' ||
                                               argbuf[k - 1] == '\t');)
        argbuf[--k] = '\0';
    if (!strcmp(name, "help") || !strcmp(name, "h") || !strcmp(name, "?")) {
        sb_puts(R_DIM, help_text);
    } else if (!strcmp(name, "reset")) {
        reset_state(t);
    } else if (!strcmp(name, "clear")) {
        sb_clear();
    } else if (!strcmp(name, "load")) {
        if (!argbuf[0]) {
            sb_puts(R_FAIL, "error: .load needs a file name\n");
            return;
        }
        char path[1024];
        size_t len = 0;
        char *text = load_text(t, argbuf, &len, path, sizeof path);
        if (text) {
            sb_printf(R_DIM, "-- running %s\n", argbuf);
            run_file(t, text, len, argbuf, path);
            free(text);
        }
    } else {
        sb_printf(R_FAIL, "error: unknown command .%s (.help lists them)\n",
                  name);
    }
}

/* A line from readline (NULL: end of input). */
static void take_line(struct tui *t, char *line)
{
    if (!line)
        return; /* Ctrl-D is handled before readline sees it */
    if (R.chunk_len == 0 && is_command(line)) {
        echo_input(t, line, "", R_CODE);
        history_add(line);
        command(t, line);
        free(line);
        return;
    }
    echo_input(t, line, "", R_CODE);
    bool ok = chunk_add_line(line);
    free(line);
    if (!ok) {
        sb_puts(R_FAIL, "error: out of memory\n");
        chunk_clear();
        return;
    }
    if (eval(t, R.chunk, false, NULL) != LSEQ_REPL_INCOMPLETE) {
        history_add(R.chunk);
        chunk_clear();
    }
}

/* Hands bytes to readline, one rl_callback_read_char per byte consumed;
 * a finished line runs before the next byte. */
static void feed(struct tui *t, const char *b, size_t n)
{
    if (R.in_head == R.in_len)
        R.in_head = R.in_len = 0;
    for (size_t i = 0; i < n && R.in_len < INPUT_MAX; i++)
        R.in[R.in_len++] = (unsigned char)b[i];
    while (R.in_head < R.in_len) {
        if (!R.installed)
            install(t);
        int before = R.in_head;
        rl_callback_read_char();
        if (R.line_ready) {
            R.line_ready = false;
            char *line = R.line;
            R.line = NULL;
            take_line(t, line);
            install(t);
        }
        if (R.in_head == before)
            break; /* readline took nothing: do not spin */
    }
    R.in_head = R.in_len = 0;
}

static bool ctrl_c(struct tui *t)
{
    if (!rl_line_buffer || (rl_end == 0 && R.chunk_len == 0 && !searching()))
        return false; /* nothing to clear: the core's Ctrl-C */
    echo_input(t, rl_line_buffer, "^C", R_DIM);
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    chunk_clear();
    install(t);
    R.scroll = 0;
    return true;
}

static void ctrl_d(struct tui *t)
{
    if (R.chunk_len == 0) {
        leave_focus(t);
        return;
    }
    /* as lua.c at end of input: say what the statement lacks */
    echo_input(t, "", "", R_CODE);
    eval(t, R.chunk, true, NULL);
    history_add(R.chunk);
    chunk_clear();
    install(t);
}

/* ---- keys ----------------------------------------------------------------------- */

/* The byte sequence readline gets for a curses key code; NULL if none. */
static const char *key_sequence(int ch)
{
    switch (ch) {
    case KEY_UP: return "\033[A";
    case KEY_DOWN: return "\033[B";
    case KEY_RIGHT: return "\033[C";
    case KEY_LEFT: return "\033[D";
    case KEY_HOME: return "\033[H";
    case KEY_END: return "\033[F";
    case KEY_DC: return "\033[3~";
    case KEY_BACKSPACE: return "\177";
    case KEY_ENTER: return "\r";
    }
    const char *name = keyname(ch);
    if (!name)
        return NULL;
    static const struct {
        const char *name, *seq;
    } ext[] = {{"kLFT5", "\033[1;5D"}, {"kRIT5", "\033[1;5C"},
               {"kLFT3", "\033[1;3D"}, {"kRIT3", "\033[1;3C"},
               {"kUP5", "\033[A"},     {"kDN5", "\033[B"}};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (!strcmp(name, ext[i].name))
            return ext[i].seq;
    return NULL;
}

/* Scrolling keys, as curses codes (headless, keypad) or escape sequences
 * (the REPL window has keypad off); true if it was one. */
static bool scroll_key(int code, const char *seq)
{
    const char *name = code ? keyname(code) : NULL;
    if (code == KEY_PPAGE || (seq && !strcmp(seq, "\033[5~")))
        scroll_by(page_rows());
    else if (code == KEY_NPAGE || (seq && !strcmp(seq, "\033[6~")))
        scroll_by(-page_rows());
    else if (code == KEY_SR || (seq && !strcmp(seq, "\033[1;2A")))
        scroll_by(1);
    else if (code == KEY_SF || (seq && !strcmp(seq, "\033[1;2B")))
        scroll_by(-1);
    else if ((name && !strcmp(name, "kHOM5")) ||
             (seq && !strcmp(seq, "\033[1;5H")))
        R.scroll = 1 << 29; /* clamped when drawn */
    else if ((name && !strcmp(name, "kEND5")) ||
             (seq && !strcmp(seq, "\033[1;5F")))
        R.scroll = 0;
    else
        return false;
    return true;
}

/* The next key from the terminal within ms; ERR if none.  Key codes met
 * on the way are put back for the core. */
static int peek_byte(struct tui *t, int ms)
{
    WINDOW *w = t->pane_win[PANE_REPL];
    if (t->headless || !w)
        return ERR;
    int saved = wgetdelay(w);
    wtimeout(w, ms);
    wint_t wc;
    int r = wget_wch(w, &wc);
    wtimeout(w, saved);
    if (r == KEY_CODE_YES) {
        ungetch((int)wc);
        return ERR;
    }
    return r == ERR ? ERR : (int)wc;
}

/* F1..F12 as xterm and the Linux console send them (after ESC). */
static int function_key(const char *seq)
{
    static const char *const fk[] = {
        "OP",   "OQ",   "OR",   "OS",   "[15~", "[17~",
        "[18~", "[19~", "[20~", "[21~", "[23~", "[24~"};
    static const char *const fk2[] = {"[11~", "[12~", "[13~", "[14~"};
    for (int i = 0; i < 12; i++)
        if (!strcmp(seq + 1, fk[i]))
            return KEY_F(i + 1);
    for (int i = 0; i < 4; i++)
        if (!strcmp(seq + 1, fk2[i]))
            return KEY_F(i + 1);
    return 0;
}

/* A mouse report read raw (keypad is off in the REPL window): the wheel
 * scrolls the pane under the pointer, a press focuses it. */
static void raw_mouse(struct tui *t, int button, int y, int x)
{
    bool wheel = button & 64, release = (button & 3) == 3;
    if (release && !wheel)
        return;
    for (int p = 0; p < PANE_COUNT; p++) {
        int *r = t->pane_rect[p];
        if (!t->pane_visible[p] || y < r[0] || y >= r[0] + r[2] ||
            x < r[1] || x >= r[1] + r[3])
            continue;
        const struct pane_ops *ops = tui_pane_ops((enum pane_id)p);
        if (wheel) {
            if (ops->mouse)
                ops->mouse(t, (button & 1) ? 1 : -1, y - r[0], x - r[1]);
        } else if ((button & 3) == 0) {
            tui_focus(t, (enum pane_id)p);
            if (ops->mouse)
                ops->mouse(t, 0, y - r[0], x - r[1]);
        }
        return;
    }
}

/* After a 27 from the terminal: a lone Esc (leave focus), or the rest of
 * an escape sequence or Alt combination, read here at once. */
static bool escape(struct tui *t)
{
    char seq[40];
    size_t n = 0;
    seq[n++] = 27;
    int c = peek_byte(t, ESC_WAIT_MS);
    if (c == ERR) {
        if (searching()) /* Esc ends a history search */
            feed(t, seq, 1);
        else
            leave_focus(t);
        return true;
    }
    if (c >= 128 || c == 27) { /* Alt + a character */
        char u[4];
        int k = viz_utf8_encode((uint32_t)c, u);
        memcpy(seq + n, u, (size_t)k);
        feed(t, seq, n + (size_t)k);
        return true;
    }
    seq[n++] = (char)c;
    if (c == '[' || c == 'O') {
        int mouse = 0; /* 1: X10 "ESC [ M b x y", 2: SGR "ESC [ < ... M" */
        while (n < sizeof seq - 1) {
            int d = peek_byte(t, ESC_WAIT_MS);
            if (d == ERR)
                break;
            seq[n++] = (char)(d < 256 ? d : '?');
            if (n == 3 && c == '[' && d == 'M')
                mouse = 1;
            else if (n == 3 && c == '[' && d == '<')
                mouse = 2;
            if (mouse == 1 ? n == 6
                           : (c == 'O' && n == 3) ||
                                 (n > 2 && d >= 0x40 && d <= 0x7e &&
                                  !(mouse == 2 && d == '<') && mouse != 1))
                break;
        }
        seq[n] = '\0';
        if (mouse == 1 && n == 6) {
            raw_mouse(t, (unsigned char)seq[3] - 32, (unsigned char)seq[5] - 33,
                      (unsigned char)seq[4] - 33);
            return true;
        }
        if (mouse == 2) {
            int b, x, y;
            char fin = seq[n - 1];
            if (sscanf(seq + 3, "%d;%d;%d", &b, &x, &y) == 3 &&
                (fin == 'M' || fin == 'm'))
                raw_mouse(t, fin == 'm' ? (b | 3) : b, y - 1, x - 1);
            return true;
        }
        if (scroll_key(0, seq))
            return true;
        int fkey = function_key(seq);
        if (!fkey && !strcmp(seq, "\033[Z"))
            fkey = KEY_BTAB;
        if (fkey) { /* for the core: it reads this next */
            ungetch(fkey);
            return true;
        }
    }
    R.scroll = 0;
    feed(t, seq, n);
    return true;
}

static bool repl_key(struct tui *t, int ch, bool code)
{
    if (!R.ready)
        return false;
    R.t = t;
    if (code) {
        if (ch == KEY_RESIZE || ch == KEY_MOUSE || ch == KEY_BTAB ||
            (ch >= KEY_F(0) && ch <= KEY_F(63)))
            return false;
        if (scroll_key(ch, NULL))
            return true;
        if (R.busy)
            return true;
        const char *seq = key_sequence(ch);
        if (!seq)
            return false;
        R.scroll = 0;
        feed(t, seq, strlen(seq));
        return true;
    }
    if (R.busy)
        return ch != 3; /* the core stops runs */
    switch (ch) {
    case 3:
        return ctrl_c(t);
    case 4:
        if (rl_end == 0 && !searching()) {
            ctrl_d(t);
            return true;
        }
        break;
    case 12: /* Ctrl-L: the core redraws */
        return false;
    case 27:
        return escape(t);
    }
    char b[4];
    size_t n;
    if (t->headless && ch >= 0x80 && ch < 0x100) {
        /* scripts type bytes: gather a UTF-8 character before readline
         * sees it (a split character breaks incremental search) */
        if (ch >= 0xc0 && ch < 0xf8) {
            R.utf8[0] = (unsigned char)ch;
            R.utf8_len = 1;
            R.utf8_need = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : 2;
            return true;
        }
        if (R.utf8_len > 0 && R.utf8_len < R.utf8_need) {
            R.utf8[R.utf8_len++] = (unsigned char)ch;
            if (R.utf8_len < R.utf8_need)
                return true;
            R.scroll = 0;
            feed(t, (const char *)R.utf8, (size_t)R.utf8_len);
            R.utf8_len = 0;
            return true;
        }
        b[0] = (char)ch;
        n = 1;
    } else if (ch >= 0x80) {
        n = (size_t)viz_utf8_encode((uint32_t)ch, b);
    } else if (ch >= 0) {
        b[0] = (char)ch;
        n = 1;
    } else {
        return false;
    }
    R.utf8_len = 0;
    R.scroll = 0;
    feed(t, b, n);
    return true;
}

/* ---- drawing -------------------------------------------------------------------- */

/* One cell of the input line: its text and columns. */
struct cell {
    char text[16];
    int w;
};

static int next_cell(const struct tui *t, const char *s, size_t len,
                     size_t *i, int col, struct cell *c)
{
    uint32_t cp;
    int n = viz_utf8_decode(s + *i, len - *i, &cp);
    *i += (size_t)n;
    if (cp == '\t') {
        c->w = 8 - col % 8;
        memset(c->text, ' ', (size_t)c->w);
        c->text[c->w] = '\0';
    } else if (cp == '\n') {
        snprintf(c->text, sizeof c->text, "%s",
                 tui_glyph(t, "\xe2\x86\xb5", "^J")); /* ↵ */
        c->w = t->ascii ? 2 : 1;
    } else if (cp < 32 || cp == 127) {
        c->text[0] = '^';
        c->text[1] = cp == 127 ? '?' : (char)(cp + 64);
        c->text[2] = '\0';
        c->w = 2;
    } else {
        int k = viz_utf8_encode(cp, c->text);
        c->text[k] = '\0';
        c->w = char_cols(t, cp);
    }
    return n;
}

/* The prompt without readline's invisible-text markers. */
static void clean_prompt(const char *p, char *out, size_t n)
{
    size_t k = 0;
    for (; p && *p && k + 1 < n; p++)
        if (*p != RL_PROMPT_START_IGNORE && *p != RL_PROMPT_END_IGNORE)
            out[k++] = *p;
    out[k] = '\0';
}

static void draw_input(struct tui *t, WINDOW *w, int y, int width,
                       bool focused)
{
    if (R.busy) {
        static const char *const spin[] = {"⠋", "⠙", "⠹", "⠸", "⠼",
                                           "⠴", "⠦", "⠧", "⠇", "⠏"};
        static const char *const aspin[] = {"|", "/", "-", "\\"};
        double el = mono_now() - R.run_start;
        int f = (int)(el * 10);
        char s[200];
        snprintf(s, sizeof s, "%s running%s%s%s %.1f s  (Ctrl-C stops)",
                 t->ascii ? aspin[f % 4] : spin[f % 10],
                 R.run_name[0] ? " " : "", R.run_name,
                 tui_glyph(t, "…", "..."), el);
        tui_put(t, w, y, 0, width, s, tui_attr(t, R_WARN));
        return;
    }
    char prompt[256];
    clean_prompt(R.installed && rl_display_prompt ? rl_display_prompt
                                                  : prompt_text(t, R.chunk_len > 0),
                 prompt, sizeof prompt);
    const char *buf = rl_line_buffer ? rl_line_buffer : "";
    size_t blen = rl_line_buffer ? (size_t)rl_end : 0;
    size_t plen = strlen(prompt);
    size_t point = rl_line_buffer && rl_point >= 0 && (size_t)rl_point <= blen
                       ? (size_t)rl_point
                       : blen;
    /* pass 1: widths and the cursor column */
    struct cell c;
    int col = 0, cur = -1;
    for (size_t i = 0; i < plen;)
        next_cell(t, prompt, plen, &i, col, &c), col += c.w;
    int pw = col;
    for (size_t i = 0; i < blen;) {
        if (i >= point && cur < 0)
            cur = col;
        next_cell(t, buf, blen, &i, col, &c);
        col += c.w;
    }
    if (cur < 0)
        cur = col;
    int textw = col;
    /* horizontal scrolling: the cursor stays on screen, '<' and '>' mark
     * cut text */
    if (textw + 1 <= width || width < 8) {
        R.hscroll = 0;
    } else {
        int maxh = textw + 1 - width;
        if (R.hscroll > maxh)
            R.hscroll = maxh;
        if (cur - R.hscroll < (R.hscroll > 0 ? 1 : 0))
            R.hscroll = cur - width / 2 > 0 ? cur - width / 2 : 0;
        if (textw > R.hscroll + width && cur - R.hscroll > width - 2)
            R.hscroll = cur - width / 2 < maxh ? cur - width / 2 : maxh;
        if (R.hscroll < 0)
            R.hscroll = 0;
    }
    /* pass 2: draw what is visible */
    int pattr = tui_attr(t, focused ? R_KEY : R_DIM);
    int battr = tui_attr(t, R_NORMAL), cattr = tui_attr(t, R_DIM);
    col = 0;
    for (int part = 0; part < 2; part++) {
        const char *s = part ? buf : prompt;
        size_t len = part ? blen : plen;
        for (size_t i = 0; i < len;) {
            size_t at = i;
            next_cell(t, s, len, &i, col, &c);
            int x = col - R.hscroll;
            col += c.w;
            if (x < 0 || c.w == 0)
                continue;
            if (x + c.w > width)
                break;
            bool ctrl = part && (unsigned char)s[at] < 32 && s[at] != '\t';
            tui_put(t, w, y, x, c.w, c.text,
                    part ? (ctrl ? cattr : battr) : pattr);
        }
    }
    if (R.hscroll > 0)
        tui_put(t, w, y, 0, 1, "<", tui_attr(t, R_DIM));
    if (textw > R.hscroll + width)
        tui_put(t, w, y, width - 1, 1, ">", tui_attr(t, R_DIM));
    if (!focused && blen == 0 && !R.chunk_len && pw + 2 < width)
        tui_put(t, w, y, pw, width - pw,
                "(press 5 to type Lua; .help lists commands)",
                tui_attr(t, R_DIM));
    if (focused) {
        int x = cur - R.hscroll;
        wmove(w, y, x < width ? x : width - 1);
    }
}

static void repl_draw(struct tui *t, WINDOW *w, bool focused)
{
    int h, width;
    getmaxyx(w, h, width);
    if (h < 1 || width < 1)
        return;
    R.t = t;
    if (!R.ready) {
        tui_put(t, w, 0, 0, width, "the REPL is not available",
                tui_attr(t, R_FAIL));
        return;
    }
    if (width != R.rl_cols) {
        rl_set_screen_size(h, width);
        R.rl_cols = width;
    }
    R.sb_rows = h - 1;
    draw_scrollback(t, w, h - 1, width);
    draw_input(t, w, h - 1, width, focused);
}

static void repl_mouse(struct tui *t, int dir, int y, int x)
{
    (void)t;
    (void)y;
    (void)x;
    if (dir)
        scroll_by(-3 * dir);
}

static bool repl_raw(struct tui *t)
{
    (void)t;
    return R.ready;
}

const struct pane_ops repl_pane = {
    .title = "REPL",
    .draw = repl_draw,
    .key = repl_key,
    .mouse = repl_mouse,
    .raw = repl_raw,
};

/* ---- the public functions ----------------------------------------------------- */

void repl_init(struct tui *t)
{
    memset(&R, 0, sizeof R);
    R.t = t;
    sb_printf(R_HEADING, "seqlab %s \xe2\x80\x94 Lua 5.4; seq, nn, optim, "
                         "viz, np loaded\n",
              SEQLAB_VERSION);
    sb_puts(R_DIM, "An expression prints its value. Tab completes, .help "
                   "lists commands, Esc leaves.\n");
    if (!make_state(t))
        return;
    readline_setup(t);
    R.ready = true;
}

void repl_shutdown(struct tui *t)
{
    if (R.ready) {
        if (R.installed)
            rl_callback_handler_remove();
        R.installed = false;
        if (R.hist_path)
            write_history(R.hist_path); /* failures are silent, as in
                                           `seqlab repl` */
        clear_history();
    }
    free(R.hist_path);
    R.hist_path = NULL;
    if (t->L)
        lseq_closestate(t->L);
    t->L = NULL;
    sb_clear();
    free(R.chunk);
    R.chunk = NULL;
    R.chunk_len = R.chunk_cap = 0;
    if (R.devnull) {
        rl_instream = rl_outstream = NULL;
        fclose(R.devnull);
        R.devnull = NULL;
    }
    R.ready = false;
}

void repl_run_chunk(struct tui *t, const char *chunk, const char *name)
{
    R.t = t;
    if (!t->L) {
        tui_message(t, R_FAIL, "the REPL has no Lua state");
        return;
    }
    if (R.busy) {
        tui_message(t, R_WARN, "a run is already in progress");
        return;
    }
    sb_newline_if_open();
    sb_printf(R_DIM, "-- running %s\n", name && *name ? name : "code");
    eval(t, chunk, true, name && *name ? name : "code");
}

void repl_insert(struct tui *t, const char *text)
{
    R.t = t;
    if (!R.ready || R.busy) {
        tui_message(t, R_WARN, "the REPL is busy");
        return;
    }
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    char *s = malloc(n + 1);
    if (!s)
        return;
    memcpy(s, text, n);
    s[n] = '\0';
    if (R.chunk_len > 0) { /* a new statement replaces an unfinished one */
        chunk_clear();
        install(t);
    }
    rl_replace_line(s, 0);
    rl_point = rl_end;
    free(s);
    R.scroll = 0;
    tui_focus(t, PANE_REPL);
}

/* ---- the terminal readline initialises ------------------------------------------ */

#include <term.h>

static void *curterm_save(void)
{
    return cur_term;
}

static void curterm_restore(void *saved)
{
    if (saved && saved != cur_term)
        set_curterm(saved);
}
