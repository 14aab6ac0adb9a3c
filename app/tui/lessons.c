/* lessons.c — the Lessons pane: weeks as collapsible groups with done/total,
 * pages and exercises with status glyphs (ASCII fallbacks), filters and
 * search.  Nothing is locked: any item opens. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/lessons.h"
#include "tui/tui.h"

enum filter { FILTER_ALL, FILTER_PENDING, FILTER_DONE };

/* A visible row: a week heading (item < 0) or an item. */
struct row {
    int week; /* index into course->weeks */
    int item; /* index into course->items, or -1 */
};

static struct {
    int cursor, scroll;
    bool collapsed[64];
    enum filter filter;
    bool searching;
    char query[64];
    struct row rows[4096];
    int nrows;
} L;

static const struct progress_rec *rec_of(const struct tui *t,
                                         const struct course_item *it)
{
    for (int k = 0; k < t->prog->n; k++)
        if (!strcmp(t->prog->recs[k].id, it->id))
            return &t->prog->recs[k];
    return NULL;
}

static bool is_done(const struct tui *t, const struct course_item *it)
{
    const struct progress_rec *r = rec_of(t, it);
    return it->is_exercise && r && r->status == EX_PASS;
}

static bool contains_nocase(const char *s, const char *q)
{
    size_t n = strlen(q);
    for (; *s; s++) {
        size_t k = 0;
        while (k < n && s[k] &&
               tolower((unsigned char)s[k]) == tolower((unsigned char)q[k]))
            k++;
        if (k == n)
            return true;
    }
    return n == 0;
}

static bool matches(const struct course_item *it, const char *q)
{
    return contains_nocase(it->title, q) || contains_nocase(it->id, q);
}

static void build_rows(struct tui *t)
{
    L.nrows = 0;
    const struct course *c = t->course;
    for (int w = 0; w < c->nweeks && L.nrows < 4096; w++) {
        L.rows[L.nrows++] = (struct row){w, -1};
        if (w < 64 && L.collapsed[w])
            continue;
        for (int i = 0; i < c->nitems && L.nrows < 4096; i++) {
            const struct course_item *it = &c->items[i];
            if (it->week != &c->weeks[w])
                continue;
            if (L.filter == FILTER_DONE && !is_done(t, it))
                continue;
            if (L.filter == FILTER_PENDING &&
                (!it->is_exercise || is_done(t, it)))
                continue;
            L.rows[L.nrows++] = (struct row){w, i};
        }
    }
    if (L.cursor >= L.nrows)
        L.cursor = L.nrows - 1;
    if (L.cursor < 0)
        L.cursor = 0;
}

/* Puts the cursor on the row of the current item, if visible. */
static void cursor_to_current(struct tui *t)
{
    build_rows(t);
    for (int r = 0; r < L.nrows; r++)
        if (L.rows[r].item == t->current)
            L.cursor = r;
}

static void week_counts(const struct tui *t, int w, int *done, int *total)
{
    *done = *total = 0;
    for (int i = 0; i < t->course->nitems; i++) {
        const struct course_item *it = &t->course->items[i];
        if (it->week != &t->course->weeks[w] || !it->is_exercise)
            continue;
        (*total)++;
        *done += is_done(t, it);
    }
}

static const char *status_glyph(const struct tui *t,
                                const struct course_item *it, int index)
{
    if (!it->is_exercise)
        return tui_glyph(t, " ¶ ", "R  ");
    const struct progress_rec *r = rec_of(t, it);
    if (r && r->solution_viewed)
        return tui_glyph(t, " ! ", "[!]");
    if (r && r->status == EX_PASS)
        return tui_glyph(t, " ✓ ", "[x]");
    if (index == t->current)
        return tui_glyph(t, " ● ", "[>]");
    if (r && r->best > 0)
        return tui_glyph(t, " ◐ ", "[~]");
    return tui_glyph(t, " ○ ", "[ ]");
}

static void draw(struct tui *t, WINDOW *w, bool focused)
{
    int h, wd;
    getmaxyx(w, h, wd);
    build_rows(t);
    int top = 0;
    if (L.searching || L.query[0] || L.filter != FILTER_ALL) {
        char line[128];
        snprintf(line, sizeof line, "%s%s%s%s",
                 L.filter == FILTER_DONE      ? "[done] "
                 : L.filter == FILTER_PENDING ? "[pending] "
                                              : "",
                 L.query[0] || L.searching ? "/" : "", L.query,
                 L.searching ? "_" : "");
        tui_put(t, w, 0, 0, wd, line, tui_attr(t, R_WARN));
        top = 1;
    }
    int body = h - top;
    if (L.cursor < L.scroll)
        L.scroll = L.cursor;
    if (L.cursor >= L.scroll + body)
        L.scroll = L.cursor - body + 1;
    for (int r = L.scroll; r < L.nrows && r - L.scroll < body; r++) {
        int y = top + r - L.scroll;
        const struct row *row = &L.rows[r];
        bool sel = r == L.cursor;
        int a = sel ? (focused ? tui_attr(t, R_SELECT) : (int)A_BOLD) : 0;
        if (sel)
            mvwhline(w, y, 0, ' ' | a, wd);
        if (row->item < 0) {
            const struct course_week *wk = &t->course->weeks[row->week];
            int done, total;
            week_counts(t, row->week, &done, &total);
            char left[200], right[32];
            bool col = row->week < 64 && L.collapsed[row->week];
            snprintf(left, sizeof left, "%s W%d %s",
                     col ? tui_glyph(t, "▸", "+") : tui_glyph(t, "▾", "-"),
                     wk->number, wk->title);
            if (total)
                snprintf(right, sizeof right, " %d/%d", done, total);
            else
                right[0] = '\0';
            int rw = tui_width(right);
            tui_put(t, w, y, 0, wd - rw, left,
                    a | (sel ? 0 : tui_attr(t, R_HEADING)));
            tui_put(t, w, y, wd - rw, rw, right, a | tui_attr(t, R_DIM));
            continue;
        }
        const struct course_item *it = &t->course->items[row->item];
        const char *g = status_glyph(t, it, row->item);
        int ga = a;
        if (!sel) {
            const struct progress_rec *pr = rec_of(t, it);
            ga = pr && pr->status == EX_PASS ? tui_attr(t, R_PASS)
                 : row->item == t->current   ? tui_attr(t, R_WARN)
                                             : tui_attr(t, R_DIM);
        }
        int x = 1 + tui_put(t, w, y, 1, wd - 1, g, ga);
        tui_put(t, w, y, x + 1, wd - x - 1, it->title,
                a | (row->item == t->current ? A_BOLD : 0));
    }
    if (L.nrows == 1 && L.filter != FILTER_ALL)
        tui_put(t, w, top + 1, 2, wd - 2, "nothing matches this filter",
                tui_attr(t, R_DIM));
}

static void move_cursor(struct tui *t, int d)
{
    build_rows(t);
    L.cursor += d;
    if (L.cursor < 0)
        L.cursor = 0;
    if (L.cursor >= L.nrows)
        L.cursor = L.nrows - 1;
}

void lessons_down(struct tui *t)
{
    move_cursor(t, 1);
}

void lessons_up(struct tui *t)
{
    move_cursor(t, -1);
}

void lessons_top(struct tui *t)
{
    move_cursor(t, -100000);
}

void lessons_bottom(struct tui *t)
{
    move_cursor(t, 100000);
}

void lessons_page_down(struct tui *t)
{
    move_cursor(t, 10);
}

void lessons_page_up(struct tui *t)
{
    move_cursor(t, -10);
}

/* Enter: a week heading folds or unfolds; an item opens. */
void lessons_open(struct tui *t)
{
    build_rows(t);
    if (L.nrows == 0)
        return;
    const struct row *r = &L.rows[L.cursor];
    if (r->item < 0) {
        if (r->week < 64)
            L.collapsed[r->week] = !L.collapsed[r->week];
        return;
    }
    tui_open_item(t, r->item);
}

void lessons_toggle(struct tui *t)
{
    build_rows(t);
    if (L.nrows && L.rows[L.cursor].week < 64) {
        int w = L.rows[L.cursor].week;
        L.collapsed[w] = !L.collapsed[w];
        /* keep the cursor on the heading of the folded week */
        build_rows(t);
        for (int r = 0; r < L.nrows; r++)
            if (L.rows[r].week == w && L.rows[r].item < 0)
                L.cursor = r;
    }
}

/* c: make the selected item the current one without leaving the list. */
void lessons_continue_here(struct tui *t)
{
    build_rows(t);
    if (L.nrows && L.rows[L.cursor].item >= 0) {
        t->current = L.rows[L.cursor].item;
        tui_message(t, R_NORMAL, "current: %s",
                    t->course->items[t->current].title);
    }
}

void lessons_filter_done(struct tui *t)
{
    L.filter = L.filter == FILTER_DONE ? FILTER_ALL : FILTER_DONE;
    L.cursor = 0;
    tui_message(t, R_DIM, "showing %s",
                L.filter == FILTER_DONE ? "finished exercises" : "everything");
}

void lessons_filter_pending(struct tui *t)
{
    L.filter = L.filter == FILTER_PENDING ? FILTER_ALL : FILTER_PENDING;
    L.cursor = 0;
    tui_message(t, R_DIM, "showing %s",
                L.filter == FILTER_PENDING ? "exercises still to do"
                                           : "everything");
}

void lessons_filter_all(struct tui *t)
{
    L.filter = FILTER_ALL;
    L.query[0] = '\0';
    tui_message(t, R_DIM, "showing everything");
}

void lessons_search(struct tui *t)
{
    (void)t;
    L.searching = true;
    L.query[0] = '\0';
}

/* n: the next item matching the query, wrapping around. */
void lessons_search_next(struct tui *t)
{
    build_rows(t);
    for (int k = 1; k <= L.nrows; k++) {
        int r = (L.cursor + k) % L.nrows;
        if (L.rows[r].item >= 0 &&
            matches(&t->course->items[L.rows[r].item], L.query)) {
            L.cursor = r;
            return;
        }
    }
    tui_message(t, R_WARN, "no item matches \"%s\"", L.query);
}

bool lessons_has_query(struct tui *t)
{
    (void)t;
    return L.query[0] != '\0';
}

bool lessons_on_exercise(struct tui *t)
{
    build_rows(t);
    return L.nrows && L.rows[L.cursor].item >= 0 &&
           t->course->items[L.rows[L.cursor].item].is_exercise;
}

int lessons_selected(struct tui *t)
{
    build_rows(t);
    return L.nrows ? L.rows[L.cursor].item : -1;
}

/* While searching, keys edit the query (Enter keeps it, Esc drops it). */
static bool key(struct tui *t, int ch, bool code)
{
    if (!L.searching)
        return false;
    size_t n = strlen(L.query);
    if (!code && (ch == 13 || ch == 10)) {
        L.searching = false;
        if (n) {
            L.cursor = 0;
            lessons_search_next(t);
        }
    } else if (!code && ch == 27) {
        L.searching = false;
        L.query[0] = '\0';
    } else if ((code && ch == KEY_BACKSPACE) || (!code && (ch == 127 || ch == 8))) {
        if (n)
            L.query[n - 1] = '\0';
    } else if (!code && ch >= 32 && ch < 127 && n + 1 < sizeof L.query) {
        L.query[n] = (char)ch;
        L.query[n + 1] = '\0';
        /* jump to the first match as the query grows */
        build_rows(t);
        for (int r = 0; r < L.nrows; r++)
            if (L.rows[r].item >= 0 &&
                matches(&t->course->items[L.rows[r].item], L.query)) {
                L.cursor = r;
                break;
            }
    }
    return true;
}

static bool searching(struct tui *t)
{
    (void)t;
    return L.searching;
}

static void focus(struct tui *t, bool on)
{
    if (on)
        cursor_to_current(t);
}

static void mouse(struct tui *t, int dir, int y, int x)
{
    (void)x;
    if (dir) {
        move_cursor(t, dir * 3);
        return;
    }
    int top = (L.query[0] || L.filter != FILTER_ALL) ? 1 : 0;
    int r = L.scroll + y - top;
    if (r >= 0 && r < L.nrows)
        L.cursor = r;
}

const struct pane_ops lessons_pane = {
    .title = "Lessons",
    .draw = draw,
    .key = key,
    .focus = focus,
    .mouse = mouse,
    .raw = searching,
};
