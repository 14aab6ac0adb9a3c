/* exercise.c — the Exercise pane: the current exercise's file, last check
 * and score, its results redrawn in place (the first failure expanded),
 * hints and the solution; and the actions e(dit), r(un), c(heck), h(int),
 * s(olution), x (reset), n/p, a (auto-check).  Grading goes through
 * grade_item, the function `seqlab check` uses. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grade/grade_item.h"
#include "tui/exercise.h"
#include "tui/tui.h"

static struct {
    int item;          /* the item the state below belongs to */
    char *hints[3];
    int nhints, shown; /* hints loaded, levels shown */
    char *solution;    /* when revealed */
    int scroll;
    time_t mtime_seen; /* the learner file's mtime at the last check */
    struct timespec mtime_ns;
    bool mtime_known;
} X = {.item = -1};

static void reset_state(void)
{
    for (int i = 0; i < X.nhints; i++)
        free(X.hints[i]);
    free(X.solution);
    memset(&X, 0, sizeof X);
    X.item = -1;
}

static const struct course_item *current_exercise(struct tui *t)
{
    const struct course_item *it = tui_item(t);
    if (!it || !it->is_exercise)
        return NULL;
    if (X.item != t->current) {
        reset_state();
        X.item = t->current;
        X.nhints = course_hints(it, X.hints, 3);
        struct progress_rec *r = progress_get(t->prog, it->id);
        X.shown = r ? r->hints : 0;
        if (X.shown > X.nhints)
            X.shown = X.nhints;
    }
    return it;
}

static struct progress_rec *rec(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    return it ? progress_get(t->prog, it->id) : NULL;
}

/* ---- drawing --------------------------------------------------------------- */

/* Writes text wrapped to the width, from line *y, skipping `skip` lines
 * first (scrolling); returns lines written or skipped. */
static void put_wrapped(struct tui *t, WINDOW *w, int *y, int x,
                        const char *text, int attr, int *skip)
{
    int h, wd;
    getmaxyx(w, h, wd);
    int width = wd - x;
    if (width < 10)
        width = 10;
    const char *p = text;
    while (*p && *y < h) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        /* break long lines at spaces where possible */
        char *s = line;
        do {
            char piece[1024];
            int take = (int)strlen(s);
            if (tui_width(s) > width) {
                take = width;
                while (take > width / 2 && s[take] != ' ')
                    take--;
                if (take <= width / 2)
                    take = width;
            }
            snprintf(piece, sizeof piece, "%.*s", take, s);
            if (*skip > 0)
                (*skip)--;
            else if (*y < h)
                tui_put(t, w, (*y)++, x, width, piece, attr);
            s += take;
            while (*s == ' ')
                s++;
        } while (*s && *y < h);
        p = nl ? nl + 1 : p + len;
    }
}

static const char *ago(time_t when, char *buf, size_t n)
{
    long d = (long)(time(NULL) - when);
    if (d < 60)
        snprintf(buf, n, "%lds ago", d);
    else if (d < 3600)
        snprintf(buf, n, "%ldm ago", d / 60);
    else
        snprintf(buf, n, "%ldh ago", d / 3600);
    return buf;
}

static void draw_results(struct tui *t, WINDOW *w, int *y, int *skip)
{
    const struct grade_result *r = &t->result;
    int wd = getmaxx(w);
    bool expanded = false;
    if (r->message)
        put_wrapped(t, w, y, 2, r->message, tui_attr(t, R_FAIL), skip);
    for (int i = 0; i < r->ntests; i++) {
        const struct grade_test *g = &r->tests[i];
        const char *glyph =
            g->status == TEST_PASS      ? tui_glyph(t, "✓", "ok")
            : g->status == TEST_NOT_RUN ? tui_glyph(t, "·", "--")
                                        : tui_glyph(t, "✗", "XX");
        int a = g->status == TEST_PASS      ? tui_attr(t, R_PASS)
                : g->status == TEST_NOT_RUN ? tui_attr(t, R_DIM)
                                            : tui_attr(t, R_FAIL);
        char line[300], pts[32];
        snprintf(line, sizeof line, "%s%s",
                 g->hidden ? "(hidden) " : "",
                 g->hidden && g->status != TEST_PASS ? "test" : g->name);
        snprintf(pts, sizeof pts, "%g/%g", g->points, g->max_points);
        if (*skip > 0) {
            (*skip)--;
        } else {
            tui_put(t, w, *y, 1, 3, glyph, a);
            tui_put(t, w, *y, 4, wd - 12, line, 0);
            tui_put(t, w, *y, wd - tui_width(pts) - 1, 10, pts, 0);
            (*y)++;
        }
        if (g->status == TEST_PASS)
            continue;
        if (g->status == TEST_NOT_RUN || expanded) {
            /* folded: the first line of the message */
            if (g->message) {
                char first[200];
                snprintf(first, sizeof first, "%.*s",
                         (int)strcspn(g->message, "\n"), g->message);
                put_wrapped(t, w, y, 6, first, tui_attr(t, R_DIM), skip);
            }
            continue;
        }
        expanded = true;
        if (g->message)
            put_wrapped(t, w, y, 6, g->message, 0, skip);
        if (g->output) {
            char out[520];
            snprintf(out, sizeof out, "%.500s%s", g->output,
                     strlen(g->output) > 500 ? "…" : "");
            put_wrapped(t, w, y, 6, "your print() output:",
                        tui_attr(t, R_DIM), skip);
            put_wrapped(t, w, y, 8, out, tui_attr(t, R_CODE), skip);
        }
    }
}

static void draw(struct tui *t, WINDOW *w, bool focused)
{
    (void)focused;
    int h, wd;
    getmaxyx(w, h, wd);
    const struct course_item *it = current_exercise(t);
    if (!it) {
        const struct course_item *cur = tui_item(t);
        int y = 1;
        tui_put(t, w, y++, 1, wd - 2,
                cur ? "The current item is a reading page."
                    : "No exercise selected.",
                A_BOLD);
        tui_put(t, w, y++, 1, wd - 2,
                "Press 2 to read it, or n for the next exercise.", 0);
        return;
    }
    int y = 0, skip = X.scroll;
    char line[512], buf[32];
    snprintf(line, sizeof line, "%s  %s", it->id, it->title);
    tui_put(t, w, y, 0, wd, line, tui_attr(t, R_HEADING));
    if (t->has_result) {
        const struct grade_result *r = &t->result;
        int passed = 0;
        for (int i = 0; i < r->ntests; i++)
            passed += r->tests[i].status == TEST_PASS;
        const char *word = r->status == GRADE_PASS   ? "PASS"
                           : r->status == GRADE_FAIL ? "FAIL"
                           : r->status == GRADE_TIMEOUT ? "TIMEOUT"
                           : r->status == GRADE_OOM     ? "OUT OF MEMORY"
                                                        : "ERROR";
        snprintf(line, sizeof line, "%s %s  %d/%d tests  %g/%g pts",
                 r->status == GRADE_PASS ? tui_glyph(t, "✓", "[x]")
                                         : tui_glyph(t, "✗", "[!]"),
                 word, passed, r->ntests, r->score, r->max_score);
        int lw = tui_width(line);
        if (lw < wd - 2)
            tui_put(t, w, y, wd - lw - 1, lw, line,
                    tui_attr(t, r->status == GRADE_PASS ? R_PASS : R_FAIL));
    }
    y++;
    char *file = workspace_file(t->ws, it);
    if (file) {
        snprintf(line, sizeof line, "%s", file);
        tui_put(t, w, y++, 0, wd, line, tui_attr(t, R_CODE));
        free(file);
    }
    if (t->has_result && t->headless) /* screen tests: no clock */
        snprintf(line, sizeof line, "checked%s",
                 t->auto_check ? " · auto-check on save" : "");
    else if (t->has_result)
        snprintf(line, sizeof line, "checked %s · %.0f ms%s",
                 ago(t->result_time, buf, sizeof buf),
                 t->result.duration_ms,
                 t->auto_check ? " · auto-check on save" : "");
    else
        snprintf(line, sizeof line,
                 "not checked yet: press e to edit, c to check%s",
                 t->auto_check ? " (saving checks too)" : "");
    tui_put(t, w, y++, 0, wd, line, tui_attr(t, R_DIM));
    y++;
    if (t->has_result)
        draw_results(t, w, &y, &skip);
    if (t->has_result && t->result.status == GRADE_PASS && y < h - 1) {
        y++;
        put_wrapped(t, w, &y, 1,
                    "Well done. n opens the next exercise; s shows the "
                    "reference solution to compare.",
                    tui_attr(t, R_PASS), &skip);
    }
    for (int i = 0; i < X.shown && i < X.nhints && y < h; i++) {
        y++;
        put_wrapped(t, w, &y, 1, X.hints[i], tui_attr(t, R_WARN), &skip);
    }
    if (X.nhints && X.shown < X.nhints && y < h - 1 &&
        !(t->has_result && t->result.status == GRADE_PASS)) {
        snprintf(line, sizeof line, "Hints used %d/%d. Press h for %s.",
                 X.shown, X.nhints, X.shown ? "the next" : "a hint");
        y++;
        put_wrapped(t, w, &y, 1, line, tui_attr(t, R_DIM), &skip);
    }
    if (X.solution && y < h - 1) {
        y++;
        put_wrapped(t, w, &y, 1, "Reference solution:", A_BOLD, &skip);
        put_wrapped(t, w, &y, 2, X.solution, tui_attr(t, R_CODE), &skip);
    }
}

/* ---- checking --------------------------------------------------------------- */

static bool file_mtime(const char *path, struct timespec *ts)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    *ts = st.st_mtim;
    return true;
}

void tui_check_current(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    if (!it)
        return;
    tui_message(t, R_DIM, "checking %s…", it->id);
    tui_redraw(t);
    struct grade_result r;
    char err[512];
    if (grade_item(&r, t->course, t->ws, it, NULL, err, sizeof err) != 0) {
        tui_message(t, R_FAIL, "%s", err);
        return;
    }
    if (t->has_result)
        grade_result_free(&t->result);
    t->result = r;
    t->has_result = true;
    t->result_time = time(NULL);
    progress_record(t->prog, &r);
    if (progress_save(t->prog, t->ws) != 0)
        tui_message(t, R_WARN, "could not save progress in %s", t->ws->dir);
    char *file = workspace_file(t->ws, it);
    if (file) {
        X.mtime_known = file_mtime(file, &X.mtime_ns);
        free(file);
    }
    X.scroll = 0;
    if (r.status == GRADE_PASS) {
        t->failed_checks = 0;
        tui_message(t, R_PASS, "%s PASS %g/%g — n for the next exercise",
                    tui_glyph(t, "✓", "[x]"), r.score, r.max_score);
        return;
    }
    t->failed_checks++;
    int failing = 0;
    for (int i = 0; i < r.ntests; i++)
        failing += r.tests[i].status == TEST_FAIL ||
                   r.tests[i].status == TEST_ERROR;
    if (t->failed_checks >= 3 && X.shown < X.nhints)
        tui_message(t, R_WARN, "stuck? h shows a hint");
    else if (r.status == GRADE_FAIL)
        tui_message(t, R_FAIL, "%s %d test%s failing — fix the file and "
                               "save (or press c)",
                    tui_glyph(t, "✗", "[!]"), failing,
                    failing == 1 ? "" : "s");
    else
        tui_message(t, R_FAIL, "%s %s", tui_glyph(t, "✗", "[!]"),
                    grade_status_name(r.status));
}

/* Auto-check: when the learner's file changes on disk (their editor in
 * another window saved it), check it once it has been still for 200 ms. */
void exercise_poll(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    if (!it || !t->auto_check || t->running)
        return;
    char *file = workspace_file(t->ws, it);
    struct timespec ts;
    bool ok = file && file_mtime(file, &ts);
    free(file);
    if (!ok)
        return;
    if (!X.mtime_known) {
        X.mtime_known = true;
        X.mtime_ns = ts;
        return;
    }
    if (ts.tv_sec == X.mtime_ns.tv_sec && ts.tv_nsec == X.mtime_ns.tv_nsec)
        return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double age = (double)(now.tv_sec - ts.tv_sec) +
                 (now.tv_nsec - ts.tv_nsec) / 1e9;
    if (age < 0.2)
        return; /* still being written */
    tui_check_current(t);
}

/* ---- actions ------------------------------------------------------------------ */

void exercise_check(struct tui *t)
{
    tui_check_current(t);
}

/* The line of the first "YOUR CODE HERE", to open the editor there. */
static int first_todo_line(const char *path)
{
    char *text = slurp(path, NULL);
    int line = 1;
    if (!text)
        return 1;
    char *p = strstr(text, "YOUR CODE HERE");
    for (char *q = text; p && q < p; q++)
        line += *q == '\n';
    free(text);
    return p ? line : 1;
}

void exercise_edit(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    char err[256];
    if (!it)
        return;
    if (workspace_ensure(t->ws, it, err, sizeof err) < 0) {
        tui_message(t, R_FAIL, "%s", err);
        return;
    }
    char *file = workspace_file(t->ws, it);
    if (!file)
        return;
    const char *ed = getenv("VISUAL");
    if (!ed || !*ed)
        ed = getenv("EDITOR");
    if (!ed || !*ed)
        ed = "vi";
    char lineopt[32];
    snprintf(lineopt, sizeof lineopt, "+%d", first_todo_line(file));
    struct timespec before = {0, 0}, after = {0, 0};
    file_mtime(file, &before);
    /* suspend curses, run the editor in the foreground, come back */
    def_prog_mode();
    endwin();
    int status = -1;
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        setenv("SEQLAB_EDITOR", ed, 1);
        execl("/bin/sh", "sh", "-c", "exec $SEQLAB_EDITOR \"$@\"", "sh",
              lineopt, file, (char *)NULL);
        _exit(127);
    } else if (pid > 0) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    reset_prog_mode();
    refresh();
    file_mtime(file, &after);
    free(file);
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        tui_message(t, R_FAIL, "the editor (%s) did not finish cleanly "
                               "(status %d)",
                    ed, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return;
    }
    if (before.tv_sec != after.tv_sec || before.tv_nsec != after.tv_nsec)
        tui_check_current(t);
    else
        tui_message(t, R_DIM, "no changes");
}

/* r: loads the learner's module into the REPL as M, to try it by hand. */
void exercise_run(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    if (!it)
        return;
    char err[256];
    if (workspace_ensure(t->ws, it, err, sizeof err) < 0) {
        tui_message(t, R_FAIL, "%s", err);
        return;
    }
    char *file = workspace_file(t->ws, it);
    if (!file)
        return;
    /* the path as a Lua long string, so quotes and backslashes in it
     * need no escaping (a path never holds "]==]") */
    char chunk[1200];
    snprintf(chunk, sizeof chunk,
             "M = dofile([==[%s]==])\nprint(\"your %s is loaded as M\")",
             file, it->name);
    repl_run_chunk(t, chunk, it->name);
    free(file);
    tui_focus(t, PANE_REPL);
    tui_message(t, R_NORMAL, "loaded into the REPL as M: try M.%s(...)",
                it->name);
}

void exercise_hint(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    if (!it)
        return;
    if (X.nhints == 0) {
        tui_message(t, R_DIM, "this exercise has no hints");
        return;
    }
    if (X.shown >= X.nhints) {
        tui_message(t, R_DIM, "that was the last hint (%d/%d)", X.shown,
                    X.nhints);
        return;
    }
    X.shown++;
    struct progress_rec *r = rec(t);
    if (r && X.shown > r->hints) {
        r->hints = X.shown;
        progress_save(t->prog, t->ws);
    }
    tui_message(t, R_WARN, "hint %d of %d", X.shown, X.nhints);
}

static void reveal_solution(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    char *path = it ? course_path(it, COURSE_SOLUTION) : NULL;
    free(X.solution);
    X.solution = path ? slurp(path, NULL) : NULL;
    free(path);
    if (!X.solution) {
        tui_message(t, R_FAIL, "cannot read the solution");
        return;
    }
    struct progress_rec *r = rec(t);
    if (r && !r->solution_viewed) {
        r->solution_viewed = true;
        progress_save(t->prog, t->ws);
    }
    tui_message(t, R_NORMAL, "the reference solution is below (j/k scroll)");
}

void exercise_solution(struct tui *t)
{
    struct progress_rec *r = rec(t);
    if (!r)
        return;
    if (r->status == EX_PASS || r->solution_viewed)
        reveal_solution(t);
    else
        tui_confirm(t, "Reveal the reference solution? It will be marked "
                       "as viewed.",
                    reveal_solution);
}

static void do_reset(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    char err[512];
    if (!it)
        return;
    if (workspace_reset(t->ws, it, err, sizeof err) != 0) {
        tui_message(t, R_FAIL, "%s", err);
        return;
    }
    if (t->has_result) {
        grade_result_free(&t->result);
        t->has_result = false;
    }
    X.mtime_known = false;
    tui_message(t, R_NORMAL, "reset to the starter; your version is in "
                             "%s.lua.bak",
                it->name);
}

void exercise_reset(struct tui *t)
{
    const struct course_item *it = current_exercise(t);
    if (!it)
        return;
    char q[200];
    snprintf(q, sizeof q, "Reset %s to the starter? Your file is kept as "
                          ".bak.",
             it->name);
    tui_confirm(t, q, do_reset);
}

static void step(struct tui *t, int dir)
{
    for (int i = t->current + dir; i >= 0 && i < t->course->nitems;
         i += dir)
        if (t->course->items[i].is_exercise) {
            tui_open_item(t, i);
            return;
        }
    tui_message(t, R_DIM, "no %s exercise", dir > 0 ? "next" : "previous");
}

void exercise_next(struct tui *t)
{
    step(t, 1);
}

void exercise_prev(struct tui *t)
{
    step(t, -1);
}

void exercise_toggle_auto(struct tui *t)
{
    t->auto_check = !t->auto_check;
    tui_message(t, R_NORMAL, "auto-check on save: %s",
                t->auto_check ? "on" : "off");
}

void exercise_scroll_down(struct tui *t)
{
    (void)t;
    X.scroll++;
}

void exercise_scroll_up(struct tui *t)
{
    (void)t;
    if (X.scroll > 0)
        X.scroll--;
}

bool exercise_is_open(struct tui *t)
{
    return current_exercise(t) != NULL;
}

bool exercise_passed(struct tui *t)
{
    struct progress_rec *r = rec(t);
    return r && r->status == EX_PASS;
}

bool exercise_has_hints(struct tui *t)
{
    return current_exercise(t) && X.shown < X.nhints;
}

static void mouse(struct tui *t, int dir, int y, int x)
{
    (void)y;
    (void)x;
    if (dir > 0)
        X.scroll += 3;
    else if (dir < 0)
        X.scroll = X.scroll > 3 ? X.scroll - 3 : 0;
    (void)t;
}

const struct pane_ops exercise_pane = {
    .title = "Exercise",
    .draw = draw,
    .mouse = mouse,
};
