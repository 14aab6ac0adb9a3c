/* keys.c — every key of the TUI in one table: key, panes, footer label,
 * help text, action and the condition under which it works.  The same
 * rows drive input handling, the footer (only keys that work now) and the
 * `?` overlay.  Pane rows are matched before global ones. */
#include "tui/exercise.h"
#include "tui/lessons.h"
#include "tui/panes.h"
#include "tui/tui.h"

/* ---- global actions ------------------------------------------------------- */

static void help(struct tui *t)
{
    t->help_open = true;
    t->help_scroll = 0;
}

static void back_or_quit(struct tui *t)
{
    if (t->focus != PANE_LESSONS && !t->zoomed) {
        tui_focus(t, PANE_LESSONS);
        return;
    }
    if (t->zoomed) {
        t->zoomed = false;
        tui_focus(t, t->focus); /* relayout happens on the next draw */
        t->relayout = true;
        return;
    }
    t->quit = true;
}

static void cycle(struct tui *t, int dir)
{
    for (int k = 1; k <= PANE_COUNT; k++) {
        int p = ((int)t->focus + dir * k + PANE_COUNT) % PANE_COUNT;
        /* in the split layout only the visible panes take part */
        if (t->layout == LAYOUT_SPLIT && !t->pane_visible[p] &&
            !(p == PANE_READ || p == PANE_EXERCISE))
            continue;
        tui_focus(t, (enum pane_id)p);
        t->relayout = true;
        return;
    }
}

static void next_pane(struct tui *t)
{
    cycle(t, 1);
}

static void prev_pane(struct tui *t)
{
    cycle(t, -1);
}

#define JUMP(N, P)                                                            \
    static void jump##N(struct tui *t)                                        \
    {                                                                         \
        tui_focus(t, P);                                                      \
        t->relayout = true;                                                   \
    }
JUMP(1, PANE_LESSONS)
JUMP(2, PANE_READ)
JUMP(3, PANE_EXERCISE)
JUMP(4, PANE_PLOTS)
JUMP(5, PANE_REPL)

static void zoom(struct tui *t)
{
    t->zoomed = !t->zoomed;
    t->relayout = true;
}

static void redraw(struct tui *t)
{
    clearok(curscr, TRUE);
    t->relayout = true;
}

static void ctrl_c(struct tui *t)
{
    tui_message(t, R_DIM, "nothing is running; q quits");
}

/* The REPL reads these keys itself while it has focus; the rows exist so
 * the footer and help describe them.  Reached only if the REPL passes a
 * key on. */
static void repl_key_passed(struct tui *t)
{
    (void)t;
}

static void repl_leave(struct tui *t)
{
    tui_focus(t, t->middle);
}

static bool is_split(struct tui *t)
{
    return t->layout == LAYOUT_SPLIT || t->zoomed;
}

static bool at_top(struct tui *t)
{
    return t->focus == PANE_LESSONS && !t->zoomed;
}

static bool not_at_top(struct tui *t)
{
    return !at_top(t);
}

/* ---- the table -------------------------------------------------------------- */

#define LES PANE_BIT(PANE_LESSONS)
#define RD PANE_BIT(PANE_READ)
#define EX PANE_BIT(PANE_EXERCISE)
#define PL PANE_BIT(PANE_PLOTS)
#define RP PANE_BIT(PANE_REPL)
#define ENTER_KEYS(act, where, label, text, when)                             \
    {13, "Enter", where, label, text, act, when},                             \
        {10, NULL, where, NULL, NULL, act, when},                             \
        {KEY_ENTER, NULL, where, NULL, NULL, act, when}

const struct key_binding tui_keys[] = {
    /* Lessons */
    ENTER_KEYS(lessons_open, LES, "open", "open the item, or fold a week",
               NULL),
    {'j', "j/k", LES, "move", "move down (k: up; arrows work too)",
     lessons_down, NULL},
    {'k', NULL, LES, NULL, NULL, lessons_up, NULL},
    {KEY_DOWN, NULL, LES, NULL, NULL, lessons_down, NULL},
    {KEY_UP, NULL, LES, NULL, NULL, lessons_up, NULL},
    {'g', "g/G", LES, NULL, "top / bottom of the list", lessons_top, NULL},
    {'G', NULL, LES, NULL, NULL, lessons_bottom, NULL},
    {KEY_HOME, NULL, LES, NULL, NULL, lessons_top, NULL},
    {KEY_END, NULL, LES, NULL, NULL, lessons_bottom, NULL},
    {KEY_NPAGE, "PgDn", LES, NULL, "page down (PgUp: up)", lessons_page_down,
     NULL},
    {KEY_PPAGE, NULL, LES, NULL, NULL, lessons_page_up, NULL},
    {' ', "Space", LES, NULL, "fold or unfold the week", lessons_toggle,
     NULL},
    {KEY_LEFT, NULL, LES, NULL, NULL, lessons_toggle, NULL},
    {KEY_RIGHT, NULL, LES, NULL, NULL, lessons_toggle, NULL},
    {'c', "c", LES, NULL, "continue here: make this the current item",
     lessons_continue_here, NULL},
    {'/', "/", LES, "search", "search titles and ids", lessons_search, NULL},
    {'n', "n", LES, NULL, "next match of the search", lessons_search_next,
     lessons_has_query},
    {'d', "d", LES, NULL, "show finished exercises only (again: all)",
     lessons_filter_done, NULL},
    {'p', "p", LES, NULL, "show exercises still to do (again: all)",
     lessons_filter_pending, NULL},
    {'a', "a", LES, NULL, "show everything", lessons_filter_all, NULL},

    /* Exercise */
    {'e', "e", EX, "edit", "edit the file in $VISUAL / $EDITOR / vi",
     exercise_edit, exercise_is_open},
    {'c', "c", EX, "check", "check it now (saving checks it too)",
     exercise_check, exercise_is_open},
    {'r', "r", EX, "run", "load your module into the REPL as M",
     exercise_run, exercise_is_open},
    {'h', "h", EX, "hint", "show the next hint", exercise_hint,
     exercise_has_hints},
    {'s', "s", EX, "solution", "the reference solution (asks first before "
                               "a pass)",
     exercise_solution, exercise_passed},
    {'S', NULL, EX, NULL, NULL, exercise_solution, exercise_is_open},
    {'x', "x", EX, "reset", "reset to the starter (keeps a .bak)",
     exercise_reset, exercise_is_open},
    {'n', "n", EX, "next", "next exercise", exercise_next, exercise_passed},
    {'N', NULL, EX, NULL, NULL, exercise_next, NULL},
    {'p', "p", EX, NULL, "previous exercise", exercise_prev, NULL},
    {'a', "a", EX, NULL, "toggle auto-check on save", exercise_toggle_auto,
     NULL},
    {'j', "j/k", EX, NULL, "scroll the results", exercise_scroll_down, NULL},
    {'k', NULL, EX, NULL, NULL, exercise_scroll_up, NULL},
    {KEY_DOWN, NULL, EX, NULL, NULL, exercise_scroll_down, NULL},
    {KEY_UP, NULL, EX, NULL, NULL, exercise_scroll_up, NULL},

    /* Read */
    {9, "Tab", RD, "link", "select the next link (Shift-Tab: previous)",
     reader_next_link, reader_has_links},
    {KEY_BTAB, NULL, RD, NULL, NULL, reader_prev_link, reader_has_links},
    ENTER_KEYS(reader_follow, RD, "follow", "follow the selected link",
               reader_on_link),
    {KEY_BACKSPACE, "Bksp", RD, "back", "back to the previous page (also "
                                        "C-o)",
     reader_back, reader_can_go_back},
    {127, NULL, RD, NULL, NULL, reader_back, reader_can_go_back},
    {15, NULL, RD, NULL, NULL, reader_back, reader_can_go_back},
    {'j', "j/k", RD, "scroll", "scroll a line (arrows too)", reader_down,
     NULL},
    {'k', NULL, RD, NULL, NULL, reader_up, NULL},
    {KEY_DOWN, NULL, RD, NULL, NULL, reader_down, NULL},
    {KEY_UP, NULL, RD, NULL, NULL, reader_up, NULL},
    {' ', "Space", RD, NULL, "page down (b: page up; PgDn/PgUp too)",
     reader_page_down, NULL},
    {'b', NULL, RD, NULL, NULL, reader_page_up, NULL},
    {KEY_NPAGE, NULL, RD, NULL, NULL, reader_page_down, NULL},
    {KEY_PPAGE, NULL, RD, NULL, NULL, reader_page_up, NULL},
    {4, NULL, RD, NULL, NULL, reader_half_down, NULL},
    {21, NULL, RD, NULL, NULL, reader_half_up, NULL},
    {'g', "g/G", RD, NULL, "top / bottom of the page", reader_top, NULL},
    {'G', NULL, RD, NULL, NULL, reader_bottom, NULL},
    {KEY_HOME, NULL, RD, NULL, NULL, reader_top, NULL},
    {KEY_END, NULL, RD, NULL, NULL, reader_bottom, NULL},
    {KEY_LEFT, "h/l", RD, NULL, "scroll wide code sideways", reader_left,
     reader_is_wide},
    {KEY_RIGHT, NULL, RD, NULL, NULL, reader_right, reader_is_wide},
    {'h', NULL, RD, NULL, NULL, reader_left, reader_is_wide},
    {'l', NULL, RD, NULL, NULL, reader_right, reader_is_wide},
    {']', "]/[", RD, NULL, "next / previous code block", reader_next_code,
     reader_has_code},
    {'[', NULL, RD, NULL, NULL, reader_prev_code, reader_has_code},
    {'y', "y", RD, "copy", "copy the code block into the REPL input",
     reader_copy_block, reader_on_code_block},
    {'R', "R", RD, "run", "run the code block in the REPL",
     reader_run_block, reader_on_lua_block},
    {'/', "/", RD, NULL, "search the page (n/N: next/previous match)",
     reader_search, NULL},
    {'n', NULL, RD, NULL, NULL, reader_search_next, reader_has_search},
    {'N', NULL, RD, NULL, NULL, reader_search_prev, reader_has_search},

    /* Plots */
    {']', "[/]", PL, "plot", "next / previous plot", plots_next,
     plots_has_several},
    {'[', NULL, PL, NULL, NULL, plots_prev, plots_has_several},
    {'g', "g/G", PL, NULL, "first / newest plot", plots_first,
     plots_has_several},
    {'G', NULL, PL, NULL, NULL, plots_newest, plots_has_several},
    {KEY_UP, "hjkl", PL, "cursor", "move the heatmap cursor (arrows too)",
     plots_cursor_up, plots_on_heatmap},
    {KEY_DOWN, NULL, PL, NULL, NULL, plots_cursor_down, plots_on_heatmap},
    {KEY_LEFT, NULL, PL, NULL, NULL, plots_cursor_left, plots_on_heatmap},
    {KEY_RIGHT, NULL, PL, NULL, NULL, plots_cursor_right, plots_on_heatmap},
    {'k', NULL, PL, NULL, NULL, plots_cursor_up, plots_on_heatmap},
    {'j', NULL, PL, NULL, NULL, plots_cursor_down, plots_on_heatmap},
    {'h', NULL, PL, NULL, NULL, plots_cursor_left, plots_on_heatmap},
    {'l', NULL, PL, NULL, NULL, plots_cursor_right, plots_on_heatmap},
    {'+', "+/-", PL, NULL, "heatmap cells: 2x1 blocks / half blocks",
     plots_cells_block, plots_on_heatmap},
    {'-', NULL, PL, NULL, NULL, plots_cells_half, plots_on_heatmap},
    {'L', "L", PL, "log", "log / linear y axis", plots_toggle_log,
     plots_on_line},
    {'A', "A", PL, NULL, "ASCII / Unicode drawing in this pane",
     plots_toggle_ascii, plots_has_plots},

    /* REPL (it reads these keys itself) */
    {9, "Tab", RP, "complete", "complete the name before the cursor",
     repl_key_passed, NULL},
    {27, "Esc", RP, "leave", "leave the REPL (Ctrl-D on an empty line too)",
     repl_leave, NULL},
    {3, "C-c", RP, "stop", "stop the running statement, or clear the line",
     ctrl_c, NULL},
    {KEY_PPAGE, "PgUp/PgDn", RP, "scroll", "scroll the output",
     repl_key_passed, NULL},
    {KEY_UP, "Up/Down", RP, NULL, "history (C-r searches it)",
     repl_key_passed, NULL},

    /* everywhere */
    {'?', "?", PANE_ALL, "help", "help: the keys that work here", help,
     NULL},
    {KEY_F(1), NULL, PANE_ALL, NULL, NULL, help, NULL},
    {9, "Tab", PANE_ALL, "pane", "next pane (Shift-Tab: previous)",
     next_pane, NULL},
    {KEY_BTAB, NULL, PANE_ALL, NULL, NULL, prev_pane, NULL},
    {'1', "1-5", PANE_ALL, NULL, "jump to Lessons, Read, Exercise, Plots, "
                                 "REPL",
     jump1, NULL},
    {'2', NULL, PANE_ALL, NULL, NULL, jump2, NULL},
    {'3', NULL, PANE_ALL, NULL, NULL, jump3, NULL},
    {'4', NULL, PANE_ALL, NULL, NULL, jump4, NULL},
    {'5', NULL, PANE_ALL, NULL, NULL, jump5, NULL},
    {'z', "z", PANE_ALL, NULL, "zoom the pane (again: back)", zoom,
     is_split},
    {12, "C-l", PANE_ALL, NULL, "redraw the screen", redraw, NULL},
    {3, "C-c", PANE_ALL, NULL, "stop a running script", ctrl_c, NULL},
    {'q', "q", PANE_ALL, "quit", NULL, back_or_quit, at_top},
    {'q', "q", PANE_ALL, "back",
     "back to the lessons; from the lessons, quit", back_or_quit,
     not_at_top},
};
const int tui_nkeys = (int)(sizeof tui_keys / sizeof tui_keys[0]);
