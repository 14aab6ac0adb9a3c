/* tui.c — the TUI's core: the terminal (set-up, colours, restore on exit
 * and on fatal signals), the layout, the title bar, tabs, message line and
 * footer, the help, welcome and confirmation overlays, the event loop,
 * and the headless script mode used by screen tests.  Panes draw
 * themselves (lessons.c, reader.c, exercise.c, plots.c, repl_pane.c);
 * every key goes through the one table in keys.c. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui/tui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cmds.h"
#include "lseq.h"
#include "course/markdown.h"
#include "viz/grid.h"

#define MIN_COLS 60
#define MIN_ROWS 16
#define SPLIT_COLS 120
#define SPLIT_ROWS 36

static struct tui *active; /* for signal handlers and the Lua pump */

/* ---- text helpers ------------------------------------------------------ */

int tui_width(const char *s)
{
    int w = 0;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        uint32_t cp;
        int n = viz_utf8_decode(s + i, len - i, &cp);
        if (n <= 0)
            n = 1, cp = '?';
        w += viz_char_width(cp);
        i += (size_t)n;
    }
    return w;
}

int tui_put(const struct tui *t, WINDOW *w, int y, int x, int width,
            const char *s, int attr)
{
    int used = 0, maxy, maxx;
    getmaxyx(w, maxy, maxx);
    if (y < 0 || y >= maxy || x >= maxx)
        return 0;
    if (width > maxx - x)
        width = maxx - x;
    size_t len = strlen(s), i = 0;
    while (i < len && used < width) {
        uint32_t cp;
        int n = viz_utf8_decode(s + i, len - i, &cp);
        if (n <= 0)
            n = 1, cp = '?';
        i += (size_t)n;
        if (cp < 32 || cp == 127)
            cp = ' ';
        int cw = viz_char_width(cp);
        if (cw <= 0)
            continue;
        if (used + cw > width)
            break;
        /* the last column of text that does not fit shows an ellipsis */
        if (used + cw == width && i < len && width > 1) {
            tui_put(t, w, y, x + used, 1, t->ascii ? "~" : "…", attr);
            return used + 1;
        }
        if (t->ascii && cp >= 128) {
            char buf[16];
            int k = md_ascii_for(cp, buf);
            for (int j = 0; j < k && used < width; j++, used++)
                mvwaddch(w, y, x + used, (chtype)(unsigned char)buf[j] | attr);
            continue;
        }
        cchar_t cc;
        wchar_t wc[2] = {(wchar_t)cp, 0};
        setcchar(&cc, wc, (attr_t)attr, 0, NULL);
        mvwadd_wch(w, y, x + used, &cc);
        used += cw;
    }
    return used;
}

const char *tui_glyph(const struct tui *t, const char *unicode,
                      const char *ascii)
{
    return t->ascii ? ascii : unicode;
}

/* ---- colours ------------------------------------------------------------- */

/* fg/bg per role for 256 and 8/16 colours, dark and light themes; -1 is
 * the terminal's default.  Monochrome uses only the attributes. */
struct role_style {
    short fg256, bg256, fg8, bg8;
    int attrs, mono;
};

static const struct role_style dark[R_COUNT] = {
    [R_NORMAL] = {-1, -1, -1, -1, 0, 0},
    [R_DIM] = {245, -1, -1, -1, 0, A_DIM},
    [R_TITLE] = {231, 24, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [R_TAB] = {250, 236, COLOR_WHITE, -1, 0, 0},
    [R_TAB_ON] = {231, 31, COLOR_BLACK, COLOR_CYAN, A_BOLD,
                  A_REVERSE | A_BOLD},
    [R_HEADING] = {81, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [R_PASS] = {114, -1, COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [R_FAIL] = {203, -1, COLOR_RED, -1, A_BOLD, A_BOLD},
    [R_WARN] = {221, -1, COLOR_YELLOW, -1, 0, A_BOLD},
    [R_CODE] = {180, -1, COLOR_YELLOW, -1, 0, 0},
    [R_LINK] = {117, -1, COLOR_CYAN, -1, A_UNDERLINE, A_UNDERLINE},
    [R_LINK_ON] = {16, 117, COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE},
    [R_SELECT] = {231, 238, COLOR_BLACK, COLOR_WHITE, A_BOLD, A_REVERSE},
    [R_KEY] = {222, -1, COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [R_BORDER] = {240, -1, -1, -1, 0, 0},
};
static const struct role_style light[R_COUNT] = {
    [R_NORMAL] = {-1, -1, -1, -1, 0, 0},
    [R_DIM] = {244, -1, -1, -1, 0, A_DIM},
    [R_TITLE] = {231, 25, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [R_TAB] = {238, 254, COLOR_BLACK, -1, 0, 0},
    [R_TAB_ON] = {231, 25, COLOR_WHITE, COLOR_BLUE, A_BOLD,
                  A_REVERSE | A_BOLD},
    [R_HEADING] = {25, -1, COLOR_BLUE, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [R_PASS] = {28, -1, COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [R_FAIL] = {160, -1, COLOR_RED, -1, A_BOLD, A_BOLD},
    [R_WARN] = {130, -1, COLOR_YELLOW, -1, 0, A_BOLD},
    [R_CODE] = {94, -1, COLOR_MAGENTA, -1, 0, 0},
    [R_LINK] = {25, -1, COLOR_BLUE, -1, A_UNDERLINE, A_UNDERLINE},
    [R_LINK_ON] = {231, 25, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [R_SELECT] = {16, 252, COLOR_BLACK, COLOR_WHITE, A_BOLD, A_REVERSE},
    [R_KEY] = {130, -1, COLOR_MAGENTA, -1, A_BOLD, A_BOLD},
    [R_BORDER] = {248, -1, -1, -1, 0, 0},
};

static int role_attr[R_COUNT];

static void init_colours(struct tui *t)
{
    const struct role_style *st = t->light ? light : dark;
    for (int r = 0; r < R_COUNT; r++) {
        if (!t->colors) {
            role_attr[r] = st[r].mono;
            continue;
        }
        short fg = t->colors >= 256 ? st[r].fg256 : st[r].fg8;
        short bg = t->colors >= 256 ? st[r].bg256 : st[r].bg8;
        init_pair((short)(r + 1), fg, bg);
        role_attr[r] = (int)COLOR_PAIR(r + 1) | st[r].attrs;
    }
}

int tui_attr(const struct tui *t, enum role r)
{
    (void)t;
    return (unsigned)r < R_COUNT ? role_attr[r] : 0;
}

/* ---- messages and overlays ----------------------------------------------- */

void tui_message(struct tui *t, enum role r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, sizeof t->message, fmt, ap);
    va_end(ap);
    t->message_role = r;
}

void tui_confirm(struct tui *t, const char *question,
                 void (*yes)(struct tui *t))
{
    snprintf(t->confirm, sizeof t->confirm, "%s", question);
    t->confirm_action = yes;
}

const struct pane_ops *tui_pane_ops(enum pane_id id)
{
    static const struct pane_ops *const ops[PANE_COUNT] = {
        &lessons_pane, &reader_pane, &exercise_pane, &plots_pane,
        &repl_pane};
    return (unsigned)id < PANE_COUNT ? ops[id] : NULL;
}

const struct course_item *tui_item(const struct tui *t)
{
    if (!t->course || t->current < 0 || t->current >= t->course->nitems)
        return NULL;
    return &t->course->items[t->current];
}

void tui_focus(struct tui *t, enum pane_id p)
{
    if (p == t->focus)
        return;
    const struct pane_ops *old = tui_pane_ops(t->focus);
    const struct pane_ops *neu = tui_pane_ops(p);
    if (old && old->focus)
        old->focus(t, false);
    t->focus = p;
    if (p == PANE_READ || p == PANE_EXERCISE)
        t->middle = p;
    t->relayout = true;
    if (neu && neu->focus)
        neu->focus(t, true);
}

void tui_open_item(struct tui *t, int index)
{
    if (!t->course || index < 0 || index >= t->course->nitems)
        return;
    if (index != t->current) {
        t->current = index;
        if (t->has_result) {
            grade_result_free(&t->result);
            t->has_result = false;
        }
        t->failed_checks = 0;
    }
    const struct course_item *it = tui_item(t);
    tui_focus(t, it->is_exercise ? PANE_EXERCISE : PANE_READ);
    if (it->is_exercise) {
        char err[256];
        if (workspace_ensure(t->ws, it, err, sizeof err) < 0)
            tui_message(t, R_FAIL, "%s", err);
    }
}

/* ---- layout --------------------------------------------------------------- */

struct rect {
    int y, x, h, w;
};

static void free_windows(struct tui *t)
{
    for (int p = 0; p < PANE_COUNT; p++) {
        if (t->pane_win[p])
            delwin(t->pane_win[p]);
        t->pane_win[p] = NULL;
        t->pane_visible[p] = false;
    }
}

static void place(struct tui *t, enum pane_id p, struct rect r)
{
    if (r.h < 1 || r.w < 1)
        return;
    t->pane_rect[p][0] = r.y;
    t->pane_rect[p][1] = r.x;
    t->pane_rect[p][2] = r.h;
    t->pane_rect[p][3] = r.w;
    t->pane_win[p] = newwin(r.h, r.w, r.y, r.x);
    if (t->pane_win[p]) {
        t->pane_visible[p] = true;
        if (p != PANE_REPL)
            keypad(t->pane_win[p], TRUE);
    }
}

/* Tabs at small sizes: one pane between the tab row and the message
 * line.  Split from 120x36: lessons | read or exercise | plots, with the
 * REPL below; borders drawn by draw_frames(). */
static void layout(struct tui *t)
{
    free_windows(t);
    getmaxyx(stdscr, t->rows, t->cols);
    if (t->cols < MIN_COLS || t->rows < MIN_ROWS) {
        t->layout = LAYOUT_TOO_SMALL;
        return;
    }
    bool split = t->cols >= SPLIT_COLS && t->rows >= SPLIT_ROWS && !t->zoomed;
    t->layout = split ? LAYOUT_SPLIT : LAYOUT_TABS;
    if (!split) {
        place(t, t->focus, (struct rect){3, 0, t->rows - 5, t->cols});
        return;
    }
    int top = 1, bottom = t->rows - 2; /* message line, footer */
    int repl_h = (bottom - top) / 3;
    int upper_h = bottom - top - repl_h;
    int lw = t->cols >= 150 ? 38 : 30, pw = (t->cols - lw) * 2 / 5;
    int mw = t->cols - lw - pw;
    place(t, PANE_LESSONS, (struct rect){top + 1, 1, upper_h - 2, lw - 2});
    place(t, t->middle, (struct rect){top + 1, lw + 1, upper_h - 2, mw - 2});
    place(t, PANE_PLOTS,
          (struct rect){top + 1, lw + mw + 1, upper_h - 2, pw - 2});
    place(t, PANE_REPL,
          (struct rect){top + upper_h + 1, 1, repl_h - 2, t->cols - 2});
}

/* ---- drawing --------------------------------------------------------------- */

static void progress_counts(const struct tui *t, int *done, int *total)
{
    *done = *total = 0;
    for (int i = 0; t->course && i < t->course->nitems; i++) {
        const struct course_item *it = &t->course->items[i];
        if (!it->is_exercise)
            continue;
        (*total)++;
        for (int k = 0; k < t->prog->n; k++)
            if (!strcmp(t->prog->recs[k].id, it->id) &&
                t->prog->recs[k].status == EX_PASS)
                (*done)++;
    }
}

static void draw_title(struct tui *t)
{
    int a = tui_attr(t, R_TITLE);
    mvhline(0, 0, ' ' | a, t->cols);
    const struct course_item *it = tui_item(t);
    char crumb[300];
    if (it)
        snprintf(crumb, sizeof crumb, " seqlab  W%d %s %s %s %s ",
                 it->week->number, it->week->title,
                 tui_glyph(t, "›", ">"), it->lesson->title,
                 tui_glyph(t, "›", ">"));
    else
        snprintf(crumb, sizeof crumb, " seqlab");
    int done, total;
    progress_counts(t, &done, &total);
    char right[80];
    int pct = total ? 100 * done / total : 0;
    snprintf(right, sizeof right, " %d/%d exercises %3d%% ", done, total, pct);
    int bar = t->cols >= 100 ? 16 : t->cols >= 80 ? 10 : 0;
    int rw = tui_width(right) + (bar ? bar + 2 : 0);
    int used = tui_put(t, stdscr, 0, 0, t->cols - rw - 1, crumb, a);
    if (it)
        tui_put(t, stdscr, 0, used, t->cols - rw - 1 - used, it->title,
                a | A_BOLD);
    int x = t->cols - rw;
    if (bar) {
        int fill = total ? bar * done / total : 0;
        tui_put(t, stdscr, 0, x, 1, tui_glyph(t, "▕", "["), a);
        for (int i = 0; i < bar; i++)
            tui_put(t, stdscr, 0, x + 1 + i, 1,
                    i < fill ? tui_glyph(t, "█", "#")
                             : tui_glyph(t, "░", "."),
                    a);
        tui_put(t, stdscr, 0, x + 1 + bar, 1, tui_glyph(t, "▏", "]"), a);
        x += bar + 2;
    }
    tui_put(t, stdscr, 0, x, t->cols - x, right, a);
}

/* Lines are drawn with Unicode box characters (or ASCII), not the
 * alternate character set, so screen dumps read as what a person sees. */
static void hrule(struct tui *t, WINDOW *w, int y, int x, int n, int attr)
{
    for (int i = 0; i < n; i++)
        tui_put(t, w, y, x + i, 1, tui_glyph(t, "─", "-"), attr);
}

static void vrule(struct tui *t, WINDOW *w, int y, int x, int n, int attr)
{
    for (int i = 0; i < n; i++)
        tui_put(t, w, y + i, x, 1, tui_glyph(t, "│", "|"), attr);
}

static void frame(struct tui *t, WINDOW *w, int y, int x, int h, int wd,
                  int a)
{
    hrule(t, w, y, x + 1, wd - 2, a);
    hrule(t, w, y + h - 1, x + 1, wd - 2, a);
    vrule(t, w, y + 1, x, h - 2, a);
    vrule(t, w, y + 1, x + wd - 1, h - 2, a);
    tui_put(t, w, y, x, 1, tui_glyph(t, "┌", "+"), a);
    tui_put(t, w, y, x + wd - 1, 1, tui_glyph(t, "┐", "+"), a);
    tui_put(t, w, y + h - 1, x, 1, tui_glyph(t, "└", "+"), a);
    tui_put(t, w, y + h - 1, x + wd - 1, 1, tui_glyph(t, "┘", "+"), a);
}

static void draw_tabs(struct tui *t)
{
    int x = 1;
    for (int p = 0; p < PANE_COUNT; p++) {
        char tab[40];
        snprintf(tab, sizeof tab, " %d %s ", p + 1, tui_pane_ops(p)->title);
        bool on = p == (int)t->focus;
        if (on)
            x += tui_put(t, stdscr, 1, x, t->cols - x, "[", 0);
        x += tui_put(t, stdscr, 1, x, t->cols - x, tab,
                     tui_attr(t, on ? R_TAB_ON : R_TAB));
        if (on)
            x += tui_put(t, stdscr, 1, x, t->cols - x, "]", 0);
        x += 1;
    }
    if (t->auto_check && t->cols - x > 18)
        tui_put(t, stdscr, 1, t->cols - 17, 16, "auto-check: on",
                tui_attr(t, R_DIM));
    hrule(t, stdscr, 2, 0, t->cols, 0);
}

static void draw_frame(struct tui *t, enum pane_id p)
{
    if (!t->pane_visible[p])
        return;
    int y = t->pane_rect[p][0] - 1, x = t->pane_rect[p][1] - 1;
    int h = t->pane_rect[p][2] + 2, w = t->pane_rect[p][3] + 2;
    int a = tui_attr(t, p == t->focus ? R_HEADING : R_BORDER);
    frame(t, stdscr, y, x, h, w, a);
    char title[60];
    snprintf(title, sizeof title, " %d %s ", p + 1, tui_pane_ops(p)->title);
    tui_put(t, stdscr, y, x + 2, w - 4, title, a | A_BOLD);
}

static bool pane_raw(struct tui *t);

/* True when the focused pane binds `key` itself right now. */
static bool shadowed(struct tui *t, int key)
{
    for (int i = 0; i < tui_nkeys; i++) {
        const struct key_binding *k = &tui_keys[i];
        if (k->key == key && k->panes != PANE_ALL &&
            (k->panes & PANE_BIT(t->focus)) && (!k->when || k->when(t)))
            return true;
    }
    return false;
}

/* The footer lists the keys that work now, from the key table (while a
 * pane takes raw keys, only its own rows: the global keys are typed). */
static void draw_footer(struct tui *t)
{
    int y = t->rows - 1, x = 1;
    move(y, 0);
    clrtoeol();
    int passes = pane_raw(t) ? 1 : 2;
    for (int pass = 0; pass < passes; pass++)
        for (int i = 0; i < tui_nkeys; i++) {
            const struct key_binding *k = &tui_keys[i];
            bool pane_key = k->panes != PANE_ALL;
            if (!k->label || pane_key != (pass == 0))
                continue;
            if (pane_key && !(k->panes & PANE_BIT(t->focus)))
                continue;
            if (k->when && !k->when(t))
                continue;
            if (!pane_key && shadowed(t, k->key))
                continue; /* the pane uses this key for something else */
            int need = tui_width(k->name) + tui_width(k->label) + 3;
            if (x + need >= t->cols)
                return;
            x += tui_put(t, stdscr, y, x, t->cols - x, k->name,
                         tui_attr(t, R_KEY));
            x += 1;
            x += tui_put(t, stdscr, y, x, t->cols - x, k->label, 0);
            x += 2;
        }
}

static void draw_message(struct tui *t)
{
    int y = t->rows - 2;
    move(y, 0);
    clrtoeol();
    if (t->confirm[0]) {
        char q[260];
        snprintf(q, sizeof q, " %s (y/N) ", t->confirm);
        tui_put(t, stdscr, y, 0, t->cols, q, tui_attr(t, R_WARN) | A_BOLD);
    } else if (t->message[0]) {
        tui_put(t, stdscr, y, 1, t->cols - 2, t->message,
                tui_attr(t, t->message_role));
    }
}

static WINDOW *centered(struct tui *t, int h, int w)
{
    if (h > t->rows - 2)
        h = t->rows - 2;
    if (w > t->cols - 2)
        w = t->cols - 2;
    WINDOW *win = newwin(h, w, (t->rows - h) / 2, (t->cols - w) / 2);
    if (win) {
        werase(win);
        frame(t, win, 0, 0, h, w, 0);
    }
    return win;
}

static void draw_help(struct tui *t)
{
    WINDOW *w = centered(t, t->rows - 4, 76);
    if (!w)
        return;
    int h, wd;
    getmaxyx(w, h, wd);
    char title[80];
    snprintf(title, sizeof title, " Keys: %s pane and everywhere ",
             tui_pane_ops(t->focus)->title);
    tui_put(t, w, 0, 2, wd - 4, title, tui_attr(t, R_HEADING));
    int line = 0, y = 1;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < tui_nkeys; i++) {
            const struct key_binding *k = &tui_keys[i];
            bool pane_key = k->panes != PANE_ALL;
            if (pane_key != (pass == 0) || !k->help)
                continue;
            if (pane_key && !(k->panes & PANE_BIT(t->focus)))
                continue;
            if (line++ < t->help_scroll)
                continue;
            if (y >= h - 2)
                break;
            tui_put(t, w, y, 2, 12, k->name, tui_attr(t, R_KEY));
            tui_put(t, w, y, 15, wd - 17, k->help, 0);
            y++;
        }
    }
    tui_put(t, w, h - 1, 2, wd - 4,
            " j/k scroll · q or ? closes ", tui_attr(t, R_DIM));
    wnoutrefresh(w);
    delwin(w);
}

static void draw_welcome(struct tui *t)
{
    WINDOW *w = centered(t, 17, 72);
    if (!w)
        return;
    int h, wd;
    getmaxyx(w, h, wd);
    (void)h;
    const char *lines[] = {
        "Welcome to seqlab",
        "",
        "A terminal lab for sequence models: RNNs, LSTMs and GRUs, word",
        "embeddings, attention and Transformers.  Read a page, write the",
        "exercise in your editor, and seqlab grades it as you save.",
        "",
        "Your work lives in:",
        t->ws ? t->ws->dir : "",
        "",
        "The three keys to know:",
        "  Enter   open the selected lesson or exercise",
        "  ?       the keys that work where you are",
        "  q       back, and quit from the top",
        "",
        "Press any key to start.",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        tui_put(t, w, (int)i + 1, 3, wd - 6, lines[i],
                i == 0 ? tui_attr(t, R_HEADING)
                : i == 7 ? tui_attr(t, R_CODE)
                         : 0);
    wnoutrefresh(w);
    delwin(w);
}

static void draw_too_small(struct tui *t)
{
    erase();
    char msg[80];
    snprintf(msg, sizeof msg, "Terminal too small: %dx%d, need %dx%d",
             t->cols, t->rows, MIN_COLS, MIN_ROWS);
    int y = t->rows / 2 - 1;
    if (y < 0)
        y = 0;
    tui_put(t, stdscr, y, 0, t->cols, msg, A_BOLD);
    tui_put(t, stdscr, y + 1, 0, t->cols, "q quits", 0);
    wnoutrefresh(stdscr);
}

void tui_redraw(struct tui *t)
{
    if (t->relayout) {
        t->relayout = false;
        layout(t);
    }
    if (t->layout == LAYOUT_TOO_SMALL) {
        draw_too_small(t);
        doupdate();
        return;
    }
    erase();
    draw_title(t);
    if (t->layout == LAYOUT_TABS) {
        draw_tabs(t);
    } else {
        for (int p = 0; p < PANE_COUNT; p++)
            draw_frame(t, (enum pane_id)p);
    }
    draw_message(t);
    draw_footer(t);
    wnoutrefresh(stdscr);
    for (int p = 0; p < PANE_COUNT; p++) {
        WINDOW *w = t->pane_win[p];
        if (!t->pane_visible[p] || !w)
            continue;
        werase(w);
        tui_pane_ops(p)->draw(t, w, p == (int)t->focus);
        wnoutrefresh(w);
    }
    if (t->help_open)
        draw_help(t);
    else if (t->welcome_open)
        draw_welcome(t);
    /* the REPL places the terminal cursor; elsewhere it stays hidden */
    if (t->focus == PANE_REPL && t->pane_visible[PANE_REPL] &&
        !t->help_open && !t->welcome_open && !t->confirm[0])
        curs_set(1);
    else
        curs_set(0);
    if (t->focus == PANE_REPL && t->pane_win[PANE_REPL])
        wnoutrefresh(t->pane_win[PANE_REPL]);
    doupdate();
}

/* ---- input ---------------------------------------------------------------- */

/* A key from the terminal or the script: *is_code says it is a curses key
 * code (KEY_*), not a character.  Returns ERR on timeout. */
static int next_key(struct tui *t, bool *is_code, int timeout_ms);

static bool pane_raw(struct tui *t)
{
    const struct pane_ops *p = tui_pane_ops(t->focus);
    return p && p->raw && p->raw(t) && t->pane_visible[t->focus];
}

static void dispatch(struct tui *t, int ch, bool code)
{
    if (code && ch == KEY_RESIZE) {
        layout(t);
        return;
    }
    if (t->confirm[0]) {
        void (*yes)(struct tui *) = t->confirm_action;
        t->confirm[0] = '\0';
        t->confirm_action = NULL;
        if (!code && (ch == 'y' || ch == 'Y') && yes)
            yes(t);
        else
            tui_message(t, R_DIM, "cancelled");
        return;
    }
    if (t->welcome_open) {
        t->welcome_open = false;
        return;
    }
    if (t->layout == LAYOUT_TOO_SMALL) {
        if (!code && (ch == 'q' || ch == 3))
            t->quit = true;
        return;
    }
    if (t->help_open) {
        if (!code && (ch == 'q' || ch == '?' || ch == 27))
            t->help_open = false;
        else if ((code && ch == KEY_DOWN) || (!code && ch == 'j'))
            t->help_scroll++;
        else if (((code && ch == KEY_UP) || (!code && ch == 'k')) &&
                 t->help_scroll > 0)
            t->help_scroll--;
        return;
    }
    const struct pane_ops *p = tui_pane_ops(t->focus);
    if (pane_raw(t) && p->key && p->key(t, ch, code))
        return;
    int key = code ? ch : ch; /* curses key codes and characters share
                                 the table; codes are > 255 */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < tui_nkeys; i++) {
            const struct key_binding *k = &tui_keys[i];
            bool pane_key = k->panes != PANE_ALL;
            if (k->key != key || pane_key != (pass == 0))
                continue;
            if (pane_key && !(k->panes & PANE_BIT(t->focus)))
                continue;
            if (k->when && !k->when(t))
                continue;
            t->message[0] = '\0';
            k->action(t);
            return;
        }
    if (p && p->key && p->key(t, ch, code))
        return;
}

/* Wheel scrolls the pane under the pointer; a click focuses it. */
static void tui_mouse(struct tui *t, const MEVENT *ev)
{
    for (int p = 0; p < PANE_COUNT; p++) {
        int *r = t->pane_rect[p];
        if (!t->pane_visible[p] || ev->y < r[0] || ev->y >= r[0] + r[2] ||
            ev->x < r[1] || ev->x >= r[1] + r[3])
            continue;
        const struct pane_ops *ops = tui_pane_ops((enum pane_id)p);
        if (ev->bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
            if (ops->mouse)
                ops->mouse(t, ev->bstate & BUTTON4_PRESSED ? -1 : 1,
                           ev->y - r[0], ev->x - r[1]);
        } else {
            tui_focus(t, (enum pane_id)p);
            if (ops->mouse)
                ops->mouse(t, 0, ev->y - r[0], ev->x - r[1]);
        }
        return;
    }
}

/* ---- long runs -------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

void tui_pump(struct tui *t)
{
    static double last_draw;
    if (t->headless)
        return;
    bool code;
    int ch;
    while ((ch = next_key(t, &code, 0)) != ERR) {
        if (!code && ch == 3) { /* Ctrl-C stops the run */
            lseq_interrupt();
            tui_message(t, R_WARN, "stopping…");
        } else if (code && ch == KEY_RESIZE) {
            layout(t);
        }
    }
    double now = now_s();
    if (now - last_draw >= 0.1) { /* at most 10 redraws a second */
        last_draw = now;
        tui_redraw(t);
    }
}

/* ---- headless scripts ---------------------------------------------------------- */

struct script {
    FILE *f;
    int pending[64];
    bool pending_code[64];
    int npending, head;
    char typed[512];
    size_t typed_len, typed_pos;
};
static struct script script;

static const struct {
    const char *name;
    int key;
    bool code;
} key_names[] = {
    {"Enter", 13, false},    {"Tab", 9, false},
    {"BTab", KEY_BTAB, true}, {"Esc", 27, false},
    {"Up", KEY_UP, true},     {"Down", KEY_DOWN, true},
    {"Left", KEY_LEFT, true}, {"Right", KEY_RIGHT, true},
    {"PgUp", KEY_PPAGE, true}, {"PgDn", KEY_NPAGE, true},
    {"Home", KEY_HOME, true}, {"End", KEY_END, true},
    {"Backspace", KEY_BACKSPACE, true}, {"Space", ' ', false},
    {"F1", KEY_F(1), true},   {"C-c", 3, false},
    {"C-d", 4, false},        {"C-l", 12, false},
    {"C-o", 15, false},
};

static void dump_screen(struct tui *t, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.txt", t->dump_dir ? t->dump_dir : ".",
             name);
    FILE *f = fopen(path, "w");
    snprintf(path, sizeof path, "%s/%s.attr", t->dump_dir ? t->dump_dir : ".",
             name);
    FILE *fa = fopen(path, "w");
    if (!f || !fa) {
        if (f)
            fclose(f);
        if (fa)
            fclose(fa);
        return;
    }
    for (int y = 0; y < t->rows; y++) {
        char line[4096], attrs[1024];
        size_t n = 0, na = 0, keep = 0, keepa = 0;
        for (int x = 0; x < t->cols && n < sizeof line - 8; x++) {
            cchar_t cc;
            wchar_t wc[8];
            attr_t a;
            short pair;
            if (mvwin_wch(newscr, y, x, &cc) == ERR)
                break;
            getcchar(&cc, wc, &a, &pair, NULL);
            if (wc[0] == 0) /* second column of a wide character */
                continue;
            char buf[8];
            int k = viz_utf8_encode((uint32_t)wc[0], buf);
            /* a wide character fills two cells: skip the second */
            if (viz_char_width((uint32_t)wc[0]) == 2)
                x++;
            memcpy(line + n, buf, (size_t)k);
            n += (size_t)k;
            if (wc[0] != L' ')
                keep = n;
            /* one letter per cell: . plain, b bold, r reverse, u
             * underline, d dim; the colour pair as a digit when set */
            char ac = a & A_REVERSE     ? 'r'
                      : a & A_BOLD      ? 'b'
                      : a & A_UNDERLINE ? 'u'
                      : a & A_DIM       ? 'd'
                                        : '.';
            if (na < sizeof attrs - 2) {
                attrs[na++] = ac;
                if (ac != '.' || pair)
                    keepa = na;
            }
        }
        fprintf(f, "%.*s\n", (int)keep, line);
        fprintf(fa, "%.*s\n", (int)keepa, attrs);
    }
    fclose(f);
    fclose(fa);
}

/* Reads the next script line(s) until keys are queued; handles `size`,
 * `dump`, `wait` and `#` comments.  Returns false at the end. */
static bool script_fill(struct tui *t)
{
    char line[1024];
    while (script.npending == 0 && script.typed_pos >= script.typed_len) {
        if (!fgets(line, sizeof line, script.f))
            return false;
        line[strcspn(line, "\r\n")] = '\0';
        char *arg = strchr(line, ' ');
        if (arg)
            *arg++ = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (!strcmp(line, "key") && arg) {
            bool found = false;
            for (size_t i = 0; i < sizeof key_names / sizeof key_names[0];
                 i++)
                if (!strcmp(arg, key_names[i].name)) {
                    script.pending[0] = key_names[i].key;
                    script.pending_code[0] = key_names[i].code;
                    found = true;
                }
            if (!found) {
                script.pending[0] = (unsigned char)arg[0];
                script.pending_code[0] = false;
            }
            script.npending = 1;
            script.head = 0;
        } else if ((!strcmp(line, "keys") || !strcmp(line, "type")) && arg) {
            snprintf(script.typed, sizeof script.typed, "%s", arg);
            script.typed_len = strlen(script.typed);
            script.typed_pos = 0;
        } else if (!strcmp(line, "size") && arg) {
            int w = 0, h = 0;
            if (sscanf(arg, "%d %d", &w, &h) == 2 && w > 0 && h > 0) {
                resizeterm(h, w);
                layout(t);
            }
        } else if (!strcmp(line, "dump") && arg) {
            tui_redraw(t);
            dump_screen(t, arg);
        } else if (!strcmp(line, "wait")) {
            exercise_poll(t);
        }
    }
    return true;
}

static int next_key(struct tui *t, bool *is_code, int timeout_ms)
{
    *is_code = false;
    if (t->headless) {
        if (timeout_ms == 0)
            return ERR; /* the pump never reads the script */
        if (!script_fill(t)) {
            t->quit = true;
            return ERR;
        }
        if (script.npending) {
            script.npending--;
            *is_code = script.pending_code[script.head];
            return script.pending[script.head++];
        }
        return (unsigned char)script.typed[script.typed_pos++];
    }
    WINDOW *w = t->focus == PANE_REPL && t->pane_win[PANE_REPL]
                    ? t->pane_win[PANE_REPL]
                    : stdscr;
    wtimeout(w, timeout_ms);
    wint_t wc;
    int r = wget_wch(w, &wc);
    if (r == ERR)
        return ERR;
    *is_code = r == KEY_CODE_YES;
    if (!*is_code && wc == 27 && w != stdscr) {
        /* keypad is off in the REPL window: decode arrow keys that reach
         * the core (e.g. for pane switching) only through readline */
    }
    return (int)wc;
}

/* ---- terminal set-up and teardown -------------------------------------------------- */

static int saved_stderr = -1;
static char stderr_log[1024];

static void restore_terminal(void)
{
    if (!isendwin())
        endwin();
    if (saved_stderr >= 0) {
        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        saved_stderr = -1;
        /* replay what was written to stderr while curses ran */
        FILE *f = stderr_log[0] ? fopen(stderr_log, "r") : NULL;
        if (f) {
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0)
                fwrite(buf, 1, n, stderr);
            fclose(f);
        }
    }
}

static void fatal_signal(int sig)
{
    restore_terminal();
    static const char note[] = "seqlab: terminated by a signal; the "
                               "terminal was restored\n";
    ssize_t r = write(STDERR_FILENO, note, sizeof note - 1);
    (void)r;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void redirect_stderr(struct tui *t)
{
    snprintf(stderr_log, sizeof stderr_log, "%s/.seqlab/tui.log", t->ws->dir);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/.seqlab", t->ws->dir);
    mkdir(dir, 0755);
    int fd = open(stderr_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        stderr_log[0] = '\0';
        return;
    }
    saved_stderr = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

static bool utf8_locale(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

static void init_terminal(struct tui *t, int w, int h)
{
    if (t->headless) {
        FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
        const char *term = t->colors ? "xterm-256color" : "vt100";
        SCREEN *s = newterm(term, out, in);
        if (!s)
            s = newterm("vt100", out, in);
        set_term(s);
        resizeterm(h, w);
    } else {
        initscr();
    }
    /* raw, not cbreak: Ctrl-C must arrive as a key (it stops a running
     * script or clears the REPL line) rather than as a signal */
    raw();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (t->colors && has_colors()) {
        start_color();
        use_default_colors();
        t->colors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
    } else {
        t->colors = 0;
    }
    init_colours(t);
    if (t->mouse && !t->headless) {
        mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    active = t;
}

/* ---- the command ------------------------------------------------------------------- */

static const char tui_usage[] =
    "usage: seqlab [tui] [--course DIR] [--workspace DIR] [--ascii]\n"
    "              [--no-color] [--no-mouse] [--theme dark|light]\n"
    "              [--manual-check]\n"
    "testing: --script FILE --size WxH --dump-dir DIR (no terminal)\n";

int seqlab_cmd_tui(int argc, char **argv)
{
    static struct course course;
    static struct workspace ws;
    static struct progress prog;
    static struct tui t;
    const char *course_dir = NULL, *ws_dir = NULL, *script_path = NULL;
    int w = 80, h = 24;
    char err[512];
    memset(&t, 0, sizeof t);
    setlocale(LC_ALL, "");
    t.ascii = !utf8_locale();
    t.color = !getenv("NO_COLOR") || !*getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (term && !strcmp(term, "dumb"))
        t.color = false;
    t.mouse = true;
    t.auto_check = true;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--course") && v)
            course_dir = argv[++i];
        else if (!strcmp(o, "--workspace") && v)
            ws_dir = argv[++i];
        else if (!strcmp(o, "--script") && v)
            script_path = argv[++i];
        else if (!strcmp(o, "--dump-dir") && v)
            t.dump_dir = argv[++i];
        else if (!strcmp(o, "--size") && v) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 1 || h < 1) {
                fprintf(stderr, "seqlab tui: --size expects WxH\n");
                return 64;
            }
        } else if (!strcmp(o, "--theme") && v) {
            t.light = !strcmp(argv[++i], "light");
        } else if (!strcmp(o, "--ascii"))
            t.ascii = true;
        else if (!strcmp(o, "--no-color"))
            t.color = false;
        else if (!strcmp(o, "--no-mouse"))
            t.mouse = false;
        else if (!strcmp(o, "--manual-check"))
            t.auto_check = false;
        else if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(tui_usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "seqlab tui: unknown option '%s'\n%s", o,
                    tui_usage);
            return 64;
        }
    }
    if (!script_path && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "seqlab: the TUI needs a terminal (for scripts and "
                        "CI use `seqlab check`, `list`, `run`)\n");
        return 64;
    }
    char *root = course_locate(course_dir);
    if (!root || course_load(&course, root, err, sizeof err) != 0) {
        fprintf(stderr, "seqlab: %s\n",
                root ? err : "cannot find the course (give --course DIR)");
        free(root);
        return 2;
    }
    free(root);
    if (workspace_open(&ws, ws_dir, err, sizeof err) != 0) {
        fprintf(stderr, "seqlab: %s\n", err);
        course_free(&course);
        return 2;
    }
    progress_load(&prog, &ws);
    t.course = &course;
    t.ws = &ws;
    t.prog = &prog;
    t.colors = t.color ? 256 : 0;
    t.focus = PANE_LESSONS;
    t.middle = PANE_READ;
    /* first run: no progress file yet */
    char marker[1024];
    snprintf(marker, sizeof marker, "%s/.seqlab/progress", ws.dir);
    struct stat st;
    t.welcome_open = stat(marker, &st) != 0;
    if (script_path) {
        script.f = fopen(script_path, "r");
        if (!script.f) {
            fprintf(stderr, "seqlab tui: %s: %s\n", script_path,
                    strerror(errno));
            return 64;
        }
        t.headless = true;
        t.welcome_open = false;
    } else {
        redirect_stderr(&t);
        atexit(restore_terminal);
        signal(SIGSEGV, fatal_signal);
        signal(SIGBUS, fatal_signal);
        signal(SIGABRT, fatal_signal);
        signal(SIGTERM, fatal_signal);
        signal(SIGHUP, fatal_signal);
        signal(SIGINT, SIG_IGN); /* Ctrl-C arrives as a key */
    }
    init_terminal(&t, w, h);
    repl_init(&t); /* also installs tui_pump as the Lua state's pump */
    layout(&t);
    if (t.welcome_open)
        progress_save(&prog, &ws); /* so the welcome shows only once */
    while (!t.quit) {
        tui_redraw(&t);
        bool code;
        int ch = next_key(&t, &code, 250);
        if (ch == ERR) {
            if (!t.headless)
                exercise_poll(&t);
            continue;
        }
        if (code && ch == KEY_MOUSE) {
            MEVENT ev;
            if (getmouse(&ev) == OK)
                tui_mouse(&t, &ev);
            continue;
        }
        dispatch(&t, ch, code);
    }
    repl_shutdown(&t);
    progress_save(&prog, &ws);
    if (t.has_result)
        grade_result_free(&t.result);
    free_windows(&t);
    endwin();
    if (t.headless) {
        delscreen(set_term(NULL));
        fclose(script.f);
    } else {
        restore_terminal();
    }
    progress_free(&prog);
    workspace_close(&ws);
    course_free(&course);
    active = NULL;
    return 0;
}
