/* test_reader.c — the Read and Plots panes (app/tui/reader.c, plots.c):
 * link order and wrapping, the back stack, which code block is current,
 * search, re-layout on resize, target resolution; then both panes drawn
 * into an ncurses screen on /dev/null and read back cell by cell.  The
 * panes' files are included so that their internal helpers can be tested;
 * the core's services (tui.c, repl_pane.c) are replaced by the small
 * recording stubs below, so no terminal and no core are needed. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../app/tui/plots.c"
#include "../../app/tui/reader.c"

#include <lauxlib.h>
#include <lua.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lseq.h"

/* ---- stubs for the core ----------------------------------------------------
 */

static struct {
    int opened[16];
    int nopened;
    char *inserted;
    char *ran;
    char ran_name[160];
    enum pane_id focus;
} calls;

static void calls_reset(void)
{
    free(calls.inserted);
    free(calls.ran);
    memset(&calls, 0, sizeof calls);
}

/* Distinct attributes per role, so that the tests can tell them apart. */
int tui_attr(const struct tui *t, enum role r)
{
    (void)t;
    switch (r) {
    case R_HEADING:
        return A_BOLD;
    case R_LINK:
        return A_UNDERLINE;
    case R_LINK_ON:
        return A_REVERSE;
    case R_SELECT:
        return A_STANDOUT;
    case R_DIM:
        return A_DIM;
    case R_KEY:
        return A_BOLD;
    default:
        return 0;
    }
}

const char *tui_glyph(const struct tui *t, const char *unicode,
                      const char *ascii)
{
    return t->ascii ? ascii : unicode;
}

int tui_width(const char *s)
{
    return rd_text_width(s, strlen(s));
}

int tui_put(const struct tui *t, WINDOW *w, int y, int x, int width,
            const char *s, int attr)
{
    (void)t;
    int used = 0;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        i += (size_t)viz_utf8_decode(s + i, n - i, &cp);
        int cw = viz_char_width(cp);
        if (cw <= 0)
            continue;
        if (used + cw > width)
            break;
        wchar_t wc[2] = {(wchar_t)cp, 0};
        cchar_t cc;
        setcchar(&cc, wc, (attr_t)attr, 0, NULL);
        mvwadd_wch(w, y, x + used, &cc);
        used += cw;
    }
    return used;
}

void tui_message(struct tui *t, enum role r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, sizeof t->message, fmt, ap);
    va_end(ap);
    t->message_role = r;
}

const struct course_item *tui_item(const struct tui *t)
{
    if (!t->course || t->current < 0 || t->current >= t->course->nitems)
        return NULL;
    return &t->course->items[t->current];
}

void tui_focus(struct tui *t, enum pane_id p)
{
    t->focus = p;
    calls.focus = p;
}

void tui_open_item(struct tui *t, int index)
{
    if (calls.nopened < 16)
        calls.opened[calls.nopened++] = index;
    t->current = index;
    t->focus = t->course->items[index].is_exercise ? PANE_EXERCISE : PANE_READ;
}

void repl_insert(struct tui *t, const char *text)
{
    (void)t;
    free(calls.inserted);
    calls.inserted = strdup(text);
}

void repl_run_chunk(struct tui *t, const char *chunk, const char *name)
{
    free(calls.ran);
    calls.ran = strdup(chunk);
    snprintf(calls.ran_name, sizeof calls.ran_name, "%s", name);
    if (t->L && luaL_dostring(t->L, chunk) != LUA_OK)
        lua_pop(t->L, 1);
}

/* ---- fixtures
 * ------------------------------------------------------------------ */

/* Three links (two to items, one external), a Lua block and a plain
 * block, a table; long enough to scroll in a small view. */
static const char page_intro[] =
    "# Intro\n"
    "\n"
    "First see [the cell](w1.cell) and then [the notes](w1.notes).\n"
    "\n"
    "```lua\n"
    "local x = 1\n"
    "print(x + 1)\n"
    "```\n"
    "\n"
    "Filler one.\n\nFiller two.\n\nFiller three.\n\nFiller four.\n\n"
    "```\n"
    "a = b + c\n"
    "```\n"
    "\n"
    "| k | v |\n| --- | --- |\n| cell | 1 |\n"
    "\n"
    "Outside: [a site](https://example.org). The cell again.\n";

static const char page_notes[] = "# Notes\n\nBack to [intro](page:w1.intro)."
                                 "\n\nPlain words.\n";

static char tmpdir[256];

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

struct fixture {
    struct course course;
    struct tui t;
    SCREEN *screen;
    FILE *out, *in;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/seqlab_reader_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    write_file("course.lua",
               "return { title = 'T', weeks = { { id = 'w1', title = 'W',"
               " lessons = { { id = 'l', title = 'L', dir = '.', items = {"
               " { page = 'intro', title = 'Intro' },"
               " { exercise = 'cell', title = 'The cell' },"
               " { page = 'notes', title = 'Notes' } } } } } } }\n");
    write_file("intro.md", page_intro);
    write_file("notes.md", page_notes);
    static const char *const dirs[] = {"exercises", "solutions", "tests"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, dirs[i]);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/cell.lua", dirs[i]);
        write_file(path, "return {}\n");
    }
    char err[256];
    if (course_load(&fx->course, tmpdir, err, sizeof err) != 0)
        fail_msg("%s", err);
    fx->t.course = &fx->course;
    fx->t.current = 0;
    fx->t.colors = 0;
    fx->out = fopen("/dev/null", "w");
    fx->in = fopen("/dev/null", "r");
    fx->screen = newterm("xterm-256color", fx->out, fx->in);
    assert_non_null(fx->screen);
    set_term(fx->screen);
    calls_reset();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    /* the panes' state is static: start each test afresh */
    rd_set_source(&rd, -1, NULL, 0, "", 0);
    free(rd.tops);
    rd = (struct reader){
        .item = -1, .height = 20, .link = -1, .code = -1, .mline = -1};
    viz_grid_free(ps.grid);
    ps = (struct plots){.index = -1, .logy = -1};
    if (fx->t.L)
        lseq_closestate(fx->t.L);
    endwin();
    delscreen(fx->screen);
    fclose(fx->out);
    fclose(fx->in);
    course_free(&fx->course);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    calls_reset();
    free(fx);
    return 0;
}

/* A reader on a page laid out `width` wide with a view `height` high. */
static void reader_on(struct reader *r, const char *src, int width, int height)
{
    *r = (struct reader){.item = -1, .link = -1, .code = -1, .mline = -1};
    rd_set_source(r, 0, strdup(src), strlen(src), "t.md", 0);
    r->height = height;
    assert_int_equal(rd_layout(r, width, MD_HIDE_ITEM_TARGETS), 0);
    rd_set_height(r, height);
}

static void reader_off(struct reader *r)
{
    rd_set_source(r, -1, NULL, 0, "", 0);
    free(r->tops);
}

/* The window's row y as UTF-8, trailing blanks trimmed. */
static char *row_text(WINDOW *w, int y)
{
    static char buf[1024];
    size_t n = 0, keep = 0;
    for (int x = 0; x < getmaxx(w) && n < sizeof buf - 8; x++) {
        cchar_t cc;
        wchar_t wc[8] = {0};
        attr_t a;
        short pair;
        mvwin_wch(w, y, x, &cc);
        getcchar(&cc, wc, &a, &pair, NULL);
        if (wc[0] == 0)
            continue;
        n += (size_t)viz_utf8_encode((uint32_t)wc[0], buf + n);
        if (wc[0] != L' ')
            keep = n;
    }
    buf[keep] = '\0';
    return buf;
}

static attr_t cell_attr(WINDOW *w, int y, int x)
{
    cchar_t cc;
    wchar_t wc[8];
    attr_t a;
    short pair;
    mvwin_wch(w, y, x, &cc);
    getcchar(&cc, wc, &a, &pair, NULL);
    return a;
}

/* The first row of the window containing s, or -1 (then the window is
 * printed, to show what was drawn instead). */
static int find_row(WINDOW *w, const char *s)
{
    for (int y = 0; y < getmaxy(w); y++)
        if (strstr(row_text(w, y), s))
            return y;
    print_error("\"%s\" is not in the window:\n", s);
    for (int y = 0; y < getmaxy(w); y++)
        print_error("|%s\n", row_text(w, y));
    return -1;
}

static int line_of(const struct reader *r, const char *s)
{
    struct linebuf b = {0};
    int found = -1;
    for (int i = 0; i < rd_nlines(r) && found < 0; i++)
        if (strstr(rd_line_text(&r->doc->lines[i], &b), s))
            found = i;
    free(b.s);
    return found;
}

static void discard(void *ud, const char *s, size_t n)
{
    (void)ud, (void)s, (void)n;
}

/* A Lua state like the REPL's: plots recorded, not printed. */
static void plots_state(struct tui *t)
{
    t->L = lseq_newstate(NULL, false);
    assert_non_null(t->L);
    struct viz_echo echo;
    viz_get_echo(t->L, &echo);
    echo.enabled = false;
    viz_set_echo(t->L, &echo);
    lseq_redirect_output(t->L, discard, NULL); /* print() in code blocks */
}

/* ---- links
 * --------------------------------------------------------------------- */

static void test_tab_visits_links_in_page_order_and_wraps(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, page_intro, 60, 40);
    assert_int_equal(rd_nlinks(&r), 3);
    bool wrapped;
    assert_int_equal(rd_step_link(&r, 1, &wrapped), 0);
    assert_false(wrapped);
    assert_string_equal(r.doc->links[0].target, "w1.cell");
    assert_int_equal(rd_step_link(&r, 1, &wrapped), 1);
    assert_int_equal(rd_step_link(&r, 1, &wrapped), 2);
    assert_string_equal(r.doc->links[2].target, "https://example.org");
    assert_int_equal(rd_step_link(&r, 1, &wrapped), 0);
    assert_true(wrapped);
    assert_int_equal(rd_step_link(&r, -1, &wrapped), 2);
    assert_true(wrapped);
    assert_int_equal(rd_step_link(&r, -1, &wrapped), 1);
    assert_false(wrapped);
    reader_off(&r);
}

static void test_selecting_a_link_scrolls_it_into_view(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, page_intro, 60, 4);
    bool wrapped;
    /* from the view, Shift-Tab takes the last link in view ... */
    assert_int_equal(rd_step_link(&r, -1, &wrapped), 1);
    assert_int_equal(r.top, 0);
    assert_int_equal(rd_step_link(&r, -1, &wrapped), 0);
    /* ... then wraps round to the last one, far below, and scrolls */
    assert_int_equal(rd_step_link(&r, -1, &wrapped), 2);
    assert_true(wrapped);
    int line = r.doc->links[2].line;
    assert_true(line > 4);
    assert_true(rd_visible(&r, line));
    reader_off(&r);
}

static void test_scrolling_a_link_away_unselects_it(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, page_intro, 60, 4);
    bool wrapped;
    assert_int_equal(rd_step_link(&r, 1, &wrapped), 0);
    rd_scroll(&r, 6); /* links 0 and 1 are on line 2 */
    assert_int_equal(r.link, -1);
    /* Tab now starts from the view: the next link below its top */
    assert_int_equal(rd_step_link(&r, 1, &wrapped), 2);
    assert_false(wrapped);
    reader_off(&r);
}

static void test_link_targets_resolve_to_course_items(void **state)
{
    struct fixture *fx = *state;
    const struct course *c = &fx->course;
    assert_int_equal(rd_resolve(c, "w1.cell"), 1);
    assert_int_equal(rd_resolve(c, "exercise:w1.cell"), 1);
    assert_int_equal(rd_resolve(c, "page:w1.notes"), 2);
    assert_int_equal(rd_resolve(c, "lesson:w1.intro#part-2"), 0);
    assert_int_equal(rd_resolve(c, "notes"), 2);         /* by name */
    assert_int_equal(rd_resolve(c, "../l/notes.md"), 2); /* a page file */
    assert_int_equal(rd_resolve(c, "w1.nothing"), -1);
    assert_int_equal(rd_resolve(c, "https://example.org"), -1);
    assert_int_equal(rd_resolve(c, ""), -1);
    assert_int_equal(rd_resolve(NULL, "w1.cell"), -1);
}

/* ---- the back stack
 * ---------------------------------------------------------------- */

static void test_back_stack_returns_in_reverse_order(void **state)
{
    (void)state;
    struct reader r = {.item = 3, .top = 7, .link = 1};
    struct reader_mark m;
    assert_false(rd_pop(&r, &m));
    rd_push(&r);
    r.item = 5, r.top = 2, r.link = -1;
    rd_push(&r);
    assert_true(rd_pop(&r, &m));
    assert_int_equal(m.item, 5);
    assert_int_equal(m.top, 2);
    assert_true(rd_pop(&r, &m));
    assert_int_equal(m.item, 3);
    assert_int_equal(m.top, 7);
    assert_int_equal(m.link, 1);
    assert_false(rd_pop(&r, &m));
}

static void test_back_stack_keeps_the_newest_marks_when_full(void **state)
{
    (void)state;
    struct reader r = {.item = 0};
    for (int i = 0; i < READER_BACK_MAX + 10; i++) {
        r.item = i;
        rd_push(&r);
    }
    assert_int_equal(r.nback, READER_BACK_MAX);
    struct reader_mark m;
    assert_true(rd_pop(&r, &m));
    assert_int_equal(m.item, READER_BACK_MAX + 9);
    assert_int_equal(r.back[0].item, 10);
}

static void test_follow_and_back_move_between_pages(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    WINDOW *w = newwin(12, 60, 0, 0);
    t->focus = PANE_READ;
    reader_pane.draw(t, w, true);
    assert_string_equal(rd.label, "intro.md");
    assert_false(reader_can_go_back(t));
    reader_next_link(t);
    reader_next_link(t); /* "the notes" */
    assert_true(reader_on_link(t));
    reader_follow(t);
    assert_int_equal(calls.nopened, 1);
    assert_int_equal(calls.opened[0], 2);
    assert_int_equal(rd.item, 2);
    assert_string_equal(rd.label, "notes.md");
    assert_true(reader_can_go_back(t));
    reader_back(t);
    assert_int_equal(t->current, 0);
    assert_int_equal(rd.item, 0);
    assert_int_equal(t->focus, PANE_READ);
    assert_int_equal(rd.link, 1); /* the link followed is selected again */
    assert_false(reader_can_go_back(t));
    /* an external link is not followed */
    reader_next_link(t);
    assert_int_equal(rd.link, 2);
    reader_follow(t);
    assert_int_equal(calls.nopened, 2); /* only the back's open */
    assert_non_null(strstr(t->message, "https://example.org"));
    delwin(w);
}

static void test_a_click_follows_a_link_or_picks_a_code_block(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    WINDOW *w = newwin(30, 50, 0, 0);
    reader_pane.draw(t, w, true);
    int c = find_row(w, "a = b + c");
    reader_pane.mouse(t, 0, c, 6);
    assert_int_equal(rd_current_code(&rd), 1);
    assert_int_equal(calls.nopened, 0);
    int y = find_row(w, "First see the cell");
    const char *line = row_text(w, y);
    int x = (int)(strstr(line, "the notes") - line);
    reader_pane.mouse(t, 0, y, x + 2);
    assert_int_equal(calls.nopened, 1);
    assert_int_equal(calls.opened[0], 2);
    reader_back(t); /* the chosen block comes back with the page */
    assert_int_equal(rd.code, 1);
    delwin(w);
    w = newwin(8, 50, 0, 0);
    reader_pane.draw(t, w, true);
    reader_pane.mouse(t, 1, 0, 0); /* the wheel scrolls three lines */
    assert_int_equal(rd.top, 3);
    reader_pane.mouse(t, -1, 0, 0);
    assert_int_equal(rd.top, 0);
    delwin(w);
}

/* ---- code blocks
 * ---------------------------------------------------------------------- */

static void test_current_code_block_is_the_first_in_view(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, page_intro, 60, 6);
    assert_int_equal(rd_ncodes(&r), 2);
    int first = r.doc->codes[0].first_line;
    assert_true(first < 6);
    assert_int_equal(rd_current_code(&r), 0);
    assert_true(rd_code_is_lua(&r.doc->codes[0]));
    assert_false(rd_code_is_lua(&r.doc->codes[1]));
    assert_string_equal(r.doc->codes[0].text, "local x = 1\nprint(x + 1)");
    rd_scroll(&r, first + 2); /* block 0 gone, block 1 not yet in view */
    int second = r.doc->codes[1].first_line;
    if (second >= r.top + r.height)
        assert_int_equal(rd_current_code(&r), -1);
    rd_scroll(&r, second - r.top);
    assert_int_equal(rd_current_code(&r), 1);
    reader_off(&r);
}

static void test_bracket_steps_through_code_blocks_and_wraps(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, page_intro, 60, 40); /* both blocks in view */
    bool wrapped;
    assert_int_equal(rd_current_code(&r), 0);
    assert_int_equal(rd_step_code(&r, 1, &wrapped), 1);
    assert_false(wrapped);
    assert_int_equal(rd_current_code(&r), 1); /* chosen, though 0 shows */
    assert_int_equal(rd_step_code(&r, 1, &wrapped), 0);
    assert_true(wrapped);
    assert_int_equal(rd_step_code(&r, -1, &wrapped), 1);
    assert_true(wrapped);
    reader_off(&r);

    reader_on(&r, page_intro, 60, 3); /* a small view: ] scrolls */
    assert_int_equal(rd_step_code(&r, 1, &wrapped), 0);
    assert_int_equal(rd_step_code(&r, 1, &wrapped), 1);
    const struct md_code *k = &r.doc->codes[1];
    assert_int_equal(r.top, k->first_line - 1); /* a line of context */
    assert_int_equal(rd_current_code(&r), 1);
    reader_off(&r);
}

static void test_y_copies_and_R_runs_the_current_block(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    plots_state(t);
    WINDOW *w = newwin(30, 60, 0, 0);
    reader_pane.draw(t, w, true);
    assert_true(reader_on_code_block(t));
    assert_true(reader_on_lua_block(t));
    reader_copy_block(t);
    assert_string_equal(calls.inserted, "local x = 1\nprint(x + 1)");
    assert_int_equal(calls.focus, PANE_REPL);
    t->message[0] = '\0';
    reader_run_block(t);
    assert_string_equal(calls.ran, "local x = 1\nprint(x + 1)");
    assert_string_equal(calls.ran_name, "intro.md:block 1");
    assert_non_null(strstr(t->message, "Ran code block 1"));
    assert_null(strstr(t->message, "Plots")); /* it made no plot */
    /* the plain block is copied but not run */
    reader_next_code(t);
    assert_false(reader_on_lua_block(t));
    free(calls.ran);
    calls.ran = NULL;
    reader_run_block(t);
    assert_null(calls.ran);
    assert_non_null(strstr(t->message, "Only ```lua blocks run"));
    delwin(w);
}

/* ---- search
 * ------------------------------------------------------------------------------
 */

static void test_search_moves_through_matches_and_wraps(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, page_intro, 60, 3);
    snprintf(r.pat, sizeof r.pat, "cell");
    bool wrapped;
    /* "the cell" (line 2), the table's "cell", "The cell again" */
    assert_true(rd_find(&r, 1, true, &wrapped));
    int l1 = r.mline;
    assert_int_equal(l1, line_of(&r, "First see"));
    assert_true(rd_find(&r, 1, false, &wrapped));
    int l2 = r.mline;
    assert_true(l2 > l1);
    assert_true(rd_visible(&r, l2)); /* scrolled to */
    assert_true(rd_find(&r, 1, false, &wrapped));
    int l3 = r.mline;
    assert_true(l3 > l2);
    assert_false(wrapped);
    assert_true(rd_find(&r, 1, false, &wrapped));
    assert_int_equal(r.mline, l1);
    assert_true(wrapped);
    assert_true(rd_find(&r, -1, false, &wrapped));
    assert_int_equal(r.mline, l3);
    assert_true(wrapped);
    /* smart case: a capital letter matches exactly */
    snprintf(r.pat, sizeof r.pat, "The cell");
    r.mline = -1;
    r.top = 0;
    assert_true(rd_find(&r, 1, true, &wrapped));
    assert_int_equal(r.mline, l3);
    snprintf(r.pat, sizeof r.pat, "zebra");
    assert_false(rd_find(&r, 1, false, &wrapped));
    reader_off(&r);
}

static void test_two_matches_on_one_line_are_both_visited(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, "ab ab ab\n", 40, 5);
    snprintf(r.pat, sizeof r.pat, "AB"); /* capitals: exact, no match */
    bool wrapped;
    assert_false(rd_find(&r, 1, true, &wrapped));
    snprintf(r.pat, sizeof r.pat, "ab");
    assert_true(rd_find(&r, 1, true, &wrapped));
    assert_int_equal(r.mbyte, 0);
    assert_true(rd_find(&r, 1, false, &wrapped));
    assert_int_equal(r.mbyte, 3);
    assert_true(rd_find(&r, 1, false, &wrapped));
    assert_int_equal(r.mbyte, 6);
    assert_true(rd_find(&r, 1, false, &wrapped));
    assert_int_equal(r.mbyte, 0);
    assert_true(wrapped);
    assert_true(rd_find(&r, -1, false, &wrapped));
    assert_int_equal(r.mbyte, 6);
    reader_off(&r);
}

static void test_search_prompt_is_incremental_and_esc_restores(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    WINDOW *w = newwin(6, 60, 0, 0);
    reader_pane.draw(t, w, true);
    assert_false(reader_pane.raw(t));
    reader_search(t);
    assert_true(reader_pane.raw(t));
    for (const char *s = "site"; *s; s++)
        assert_true(reader_pane.key(t, *s, false));
    assert_string_equal(rd.pat, "site");
    int m = rd.mline;
    assert_int_equal(m, line_of(&rd, "a site"));
    assert_true(rd_visible(&rd, m));
    werase(w);
    reader_pane.draw(t, w, true);
    assert_string_equal(row_text(w, 5), " /site");
    assert_true(reader_pane.key(t, 27, false)); /* Esc */
    assert_false(reader_pane.raw(t));
    assert_string_equal(rd.pat, "");
    assert_int_equal(rd.top, 0);
    /* Enter keeps the pattern for n and N */
    reader_search(t);
    reader_pane.key(t, 'f', false);
    reader_pane.key(t, 'i', false);
    reader_pane.key(t, 'x', false);
    reader_pane.key(t, KEY_BACKSPACE, true);
    reader_pane.key(t, 'l', false);
    reader_pane.key(t, '\r', false);
    assert_string_equal(rd.pat, "fil");
    assert_true(reader_has_search(t));
    int first = rd.mline;
    reader_search_next(t);
    assert_true(rd.mline > first);
    delwin(w);
}

/* ---- layout and drawing
 * ----------------------------------------------------------------------- */

static void test_relayout_keeps_the_place_and_caches_two_widths(void **state)
{
    (void)state;
    struct reader r;
    reader_on(&r, page_intro, 60, 4);
    const struct md_doc *wide = r.doc;
    int n60 = rd_nlines(&r);
    r.top = n60 / 2;
    assert_int_equal(rd_layout(&r, 20, MD_HIDE_ITEM_TARGETS), 0);
    int n20 = rd_nlines(&r);
    assert_true(n20 > n60);
    assert_int_equal(r.top, (n60 / 2) * n20 / n60);
    assert_int_equal(rd_layout(&r, 60, MD_HIDE_ITEM_TARGETS), 0);
    assert_ptr_equal(r.doc, wide); /* from the cache */
    assert_int_equal(rd_layout(&r, 30, MD_HIDE_ITEM_TARGETS), 0);
    assert_int_equal(rd_layout(&r, 20, MD_HIDE_ITEM_TARGETS), 0);
    assert_int_equal(rd_nlines(&r), n20);
    reader_off(&r);
}

static void test_page_draws_with_styles_and_marks(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    WINDOW *w = newwin(30, 50, 0, 0);
    reader_pane.draw(t, w, true);
    /* a 2-column margin; the heading in bold */
    assert_string_equal(row_text(w, 0), "  Intro");
    assert_true(cell_attr(w, 0, 2) & A_BOLD);
    int y = find_row(w, "First see the cell");
    assert_true(y >= 0);
    const char *line = row_text(w, y);
    int x = (int)(strstr(line, "the cell") - line);
    assert_true(cell_attr(w, y, x) & A_UNDERLINE); /* a link */
    /* item links hide their targets; the external one shows it */
    assert_null(strstr(line, "w1.cell"));
    assert_true(find_row(w, "a site [https://example.org]") >= 0);
    /* the current code block is marked in the margin */
    int c = find_row(w, "local x = 1");
    assert_true(c >= 0);
    assert_string_equal(row_text(w, c), "▌   local x = 1");
    assert_true(cell_attr(w, c, 0) & A_BOLD); /* R_KEY when focused */
    int c2 = find_row(w, "a = b + c");
    assert_string_equal(row_text(w, c2), "    a = b + c");
    /* the status line */
    const char *status = row_text(w, 29);
    assert_non_null(strstr(status, "intro.md"));
    assert_non_null(strstr(status, "code 1/2"));
    assert_non_null(strstr(status, "3 links"));
    /* Tab: the selected link is reversed */
    reader_next_link(t);
    werase(w);
    reader_pane.draw(t, w, true);
    assert_true(cell_attr(w, y, x) & A_REVERSE);
    assert_non_null(strstr(row_text(w, 29), "link 1/3"));
    delwin(w);
}

static void test_ascii_mode_lays_out_in_ascii(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    t->ascii = true;
    WINDOW *w = newwin(24, 50, 0, 0);
    reader_pane.draw(t, w, true);
    int c = find_row(w, "local x = 1");
    assert_string_equal(row_text(w, c), "|   local x = 1");
    int y = find_row(w, "| k");
    assert_true(y >= 0);
    for (int i = 0; i < 24; i++)
        for (const char *s = row_text(w, i); *s; s++)
            assert_true((unsigned char)*s < 128);
    delwin(w);
}

static void test_an_exercise_without_a_page_gets_a_summary(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    t->current = 1;
    WINDOW *w = newwin(20, 70, 0, 0);
    reader_pane.draw(t, w, true);
    assert_string_equal(row_text(w, 0), "  The cell");
    assert_true(find_row(w, "Press 3 for the exercise") >= 0);
    assert_true(find_row(w, "Read first: Intro") >= 0);
    assert_true(reader_has_links(t));
    delwin(w);
}

static void test_scroll_position_is_kept_per_page(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    WINDOW *w = newwin(5, 60, 0, 0);
    reader_pane.draw(t, w, true);
    reader_scroll(t, 3);
    assert_int_equal(rd.top, 3);
    t->current = 2;
    reader_pane.draw(t, w, true);
    assert_int_equal(rd.top, 0);
    t->current = 0;
    reader_pane.draw(t, w, true);
    assert_int_equal(rd.top, 3);
    reader_bottom(t);
    assert_int_equal(rd.top, rd_nlines(&rd) - rd.height);
    reader_top(t);
    assert_int_equal(rd.top, 0);
    delwin(w);
}

static void test_wide_code_scrolls_sideways(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    write_file("intro.md", "```lua\nlocal abcdefghijklmnopqrstuvwxyz = "
                           "'0123456789'\n```\n");
    WINDOW *w = newwin(6, 24, 0, 0);
    reader_pane.draw(t, w, true);
    assert_true(reader_is_wide(t));
    /* 21 text columns of "  local abcdefghijklmnopqrstuvwxyz = ..." */
    assert_string_equal(row_text(w, 0), "▌   local abcdefghijklm");
    reader_right(t);
    werase(w);
    reader_pane.draw(t, w, true);
    assert_string_equal(row_text(w, 0), "▌ abcdefghijklmnopqrstu");
    for (int i = 0; i < 10; i++)
        reader_right(t); /* stops when the longest line's end shows */
    werase(w);
    reader_pane.draw(t, w, true);
    assert_string_equal(row_text(w, 0), "▌ uvwxyz = '0123456789'");
    reader_left(t);
    reader_left(t);
    reader_left(t);
    reader_left(t);
    assert_int_equal(rd.left, 0);
    delwin(w);
}

/* ---- plots
 * ----------------------------------------------------------------------------------------
 */

static void lua_do(struct tui *t, const char *code)
{
    if (luaL_dostring(t->L, code) != LUA_OK)
        fail_msg("%s", lua_tostring(t->L, -1));
}

static void test_plots_pane_without_plots_says_how_to_make_one(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    WINDOW *w = newwin(12, 60, 0, 0);
    plots_pane.draw(t, w, true); /* no Lua state at all */
    assert_true(find_row(w, "No plots yet") >= 0);
    assert_true(find_row(w, "viz.line{...} in the REPL") >= 0);
    plots_state(t);
    werase(w);
    plots_pane.draw(t, w, true);
    assert_true(find_row(w, "No plots yet") >= 0);
    assert_false(plots_has_plots(t));
    delwin(w);
}

static void test_plots_pane_shows_the_newest_and_moves(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    plots_state(t);
    lua_do(t, "viz.line({3, 2, 1.5}, {title = 'loss'})"
              "viz.hist({1, 2, 2, 3}, {title = 'w', bins = 3})");
    WINDOW *w = newwin(14, 50, 0, 0);
    plots_pane.draw(t, w, true);
    const char *head = row_text(w, 0);
    assert_ptr_equal(strstr(head, "plot 2/2 · hist · w "), head);
    assert_string_equal(head + strlen(head) - 7, " newest");
    assert_int_equal(tui_width(head), 50); /* at the right edge */
    assert_non_null(strstr(row_text(w, 13), "4 values in 3 bins"));
    plots_prev(t);
    werase(w);
    plots_pane.draw(t, w, true);
    assert_non_null(strstr(row_text(w, 0), "plot 1/2 · line · loss"));
    assert_non_null(strstr(row_text(w, 13), "last 1.5 @ 3"));
    plots_prev(t); /* the oldest: stays */
    assert_int_equal(ps.index, 0);
    assert_non_null(strstr(t->message, "oldest"));
    /* a new plot shows at once */
    lua_do(t, "viz.bar({1, 2})");
    werase(w);
    plots_pane.draw(t, w, true);
    assert_non_null(strstr(row_text(w, 0), "plot 3/3 · bar"));
    /* L toggles the log axis of a line plot only */
    plots_first(t);
    assert_true(plots_on_line(t));
    plots_toggle_log(t);
    assert_int_equal(ps.logy, 1);
    plots_toggle_log(t);
    assert_int_equal(ps.logy, 0);
    delwin(w);
}

static void test_heatmap_cursor_reads_out_cells(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    t->ascii = true;
    plots_state(t);
    lua_do(t, "viz.heatmap({{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1},"
              " {0.05, 0.15, 0.8}}, {xlabels = {'I', 'am', 'happy'},"
              " ylabels = {'je', 'suis', 'heureux'}, min = 0, max = 1,"
              " title = 'attention'})");
    WINDOW *w = newwin(12, 60, 0, 0);
    plots_pane.draw(t, w, true);
    assert_true(plots_on_heatmap(t));
    assert_string_equal(row_text(w, 11), "row 1 \"je\" - col 1 \"I\" - = 0.7"
                                         "  (row sum 1.00)");
    /* the cursor cell is bracketed in the grid */
    struct viz_plot v = ps_view(&ps);
    int gx, gy;
    bool lower;
    assert_true(
        viz_heatmap_cell_pos(&v.heatmap, ps.grid, 0, 0, &gx, &gy, &lower));
    wchar_t wc[8];
    attr_t a;
    short pair;
    cchar_t cc;
    mvwin_wch(w, gy + ps.grid_y, gx, &cc);
    getcchar(&cc, wc, &a, &pair, NULL);
    assert_int_equal(wc[0], L'[');
    assert_true(a & A_REVERSE);
    plots_cursor_down(t);
    plots_cursor_right(t);
    plots_cursor_right(t);
    plots_cursor_right(t); /* clamped at the last column */
    werase(w);
    plots_pane.draw(t, w, true);
    assert_string_equal(row_text(w, 11),
                        "row 2 \"suis\" - col 3 \"happy\" - = 0.1"
                        "  (row sum 1.00)");
    /* a click moves the cursor to the cell under it */
    assert_true(
        viz_heatmap_cell_pos(&v.heatmap, ps.grid, 2, 1, &gx, &gy, &lower));
    plots_pane.mouse(t, 0, gy + ps.grid_y, gx);
    assert_int_equal(ps.row, 2);
    assert_int_equal(ps.col, 1);
    delwin(w);
}

static void test_cursor_keys_move_on_screen_in_a_sampled_heatmap(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    t->ascii = true;
    plots_state(t);
    lua_do(t, "local m = {} for i = 1, 40 do m[i] = {} for j = 1, 64 do"
              " m[i][j] = i * j end end viz.heatmap(m)");
    WINDOW *w = newwin(12, 30, 0, 0);
    plots_pane.draw(t, w, true);
    struct viz_plot v = ps_view(&ps);
    int x0, y0, x, y;
    bool lower;
    assert_true(
        viz_heatmap_cell_pos(&v.heatmap, ps.grid, 0, 0, &x0, &y0, &lower));
    plots_cursor_right(t);
    plots_cursor_down(t);
    assert_true(ps.col >= 1 && ps.row >= 1);
    assert_true(viz_heatmap_cell_pos(&v.heatmap, ps.grid, ps.row, ps.col, &x,
                                     &y, &lower));
    assert_true(x > x0);
    assert_true(y > y0);
    /* and one step back lands on the first drawn cell again */
    plots_cursor_left(t);
    plots_cursor_up(t);
    assert_true(viz_heatmap_cell_pos(&v.heatmap, ps.grid, ps.row, ps.col, &x,
                                     &y, &lower));
    assert_int_equal(x, x0);
    assert_int_equal(y, y0);
    for (int i = 0; i < 100; i++)
        plots_cursor_right(t);
    assert_int_equal(ps.col, 63);
    delwin(w);
}

static void test_plot_colours_become_pairs(void **state)
{
    struct fixture *fx = *state;
    struct tui *t = &fx->t;
    start_color();
    use_default_colors();
    t->colors = 256;
    assert_int_equal(ps_pair(t, -1, -1), 0);
    int p = ps_pair(t, 196, -1);
    assert_true(p > 0);
    short fg, bg;
    pair_content((short)p, &fg, &bg);
    assert_int_equal(fg, 196);
    assert_int_equal(bg, -1);
    assert_int_equal(ps_pair(t, 196, -1), p); /* the same pair again */
    t->colors = 8;
    p = ps_pair(t, 196, 21); /* bright red on blue -> red on blue */
    pair_content((short)p, &fg, &bg);
    assert_int_equal(fg, COLOR_RED);
    assert_int_equal(bg, COLOR_BLUE);
    t->colors = 0;
    assert_int_equal(ps_pair(t, 196, 21), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_tab_visits_links_in_page_order_and_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_selecting_a_link_scrolls_it_into_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scrolling_a_link_away_unselects_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_link_targets_resolve_to_course_items, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_back_stack_returns_in_reverse_order, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_back_stack_keeps_the_newest_marks_when_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow_and_back_move_between_pages,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_click_follows_a_link_or_picks_a_code_block, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_current_code_block_is_the_first_in_view, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_bracket_steps_through_code_blocks_and_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_y_copies_and_R_runs_the_current_block, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_search_moves_through_matches_and_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_two_matches_on_one_line_are_both_visited, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_search_prompt_is_incremental_and_esc_restores, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_relayout_keeps_the_place_and_caches_two_widths, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_page_draws_with_styles_and_marks,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_ascii_mode_lays_out_in_ascii,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_an_exercise_without_a_page_gets_a_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scroll_position_is_kept_per_page,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_code_scrolls_sideways, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_plots_pane_without_plots_says_how_to_make_one, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_plots_pane_shows_the_newest_and_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heatmap_cursor_reads_out_cells,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_cursor_keys_move_on_screen_in_a_sampled_heatmap, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_plot_colours_become_pairs, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
