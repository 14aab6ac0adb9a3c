/* tui.h — the ncurses interface: shared state, panes, the one key table,
 * drawing helpers and messages.  The core (tui.c) owns the terminal, the
 * layout, the title bar, tabs, message line, footer and overlays; each
 * pane (lessons.c, reader.c, exercise.c, plots.c, repl_pane.c) draws into
 * the window it is given and acts through key-table actions.
 *
 * Headless mode (tests): `seqlab tui --script FILE --size WxH` reads keys
 * from FILE instead of the terminal, draws into an ncurses screen whose
 * output goes to /dev/null, and `dump NAME` lines write the screen as text
 * (and attributes) to --dump-dir.  Nothing else changes between the two
 * modes. */
#ifndef SEQLAB_TUI_H
#define SEQLAB_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "course/course.h"
#include "course/workspace.h"
#include "grade/grade.h"

struct lua_State;

enum pane_id {
    PANE_LESSONS,
    PANE_READ,
    PANE_EXERCISE,
    PANE_PLOTS,
    PANE_REPL,
    PANE_COUNT,
};
#define PANE_BIT(p) (1u << (p))
#define PANE_ALL    0u /* in a key binding: works everywhere */

/* Colour roles; tui_attr() maps them to curses attributes for the
 * current theme and colour depth (monochrome uses bold/reverse/underline
 * only, so nothing depends on colour alone). */
enum role {
    R_NORMAL,
    R_DIM,
    R_TITLE,    /* title bar */
    R_TAB,      /* inactive tab */
    R_TAB_ON,   /* active tab */
    R_HEADING,
    R_PASS,
    R_FAIL,
    R_WARN,
    R_CODE,
    R_LINK,
    R_LINK_ON,  /* the selected link */
    R_SELECT,   /* the selected list row */
    R_KEY,      /* a key name in the footer/help */
    R_BORDER,
    R_COUNT,
};

struct tui;

/* A pane: drawn into `win` (already sized and cleared by the core). */
struct pane_ops {
    const char *title; /* "Lessons" */
    void (*draw)(struct tui *t, WINDOW *win, bool focused);
    /* Keys not claimed by the key table (text entry, readline); return
     * true if used.  NULL: none. */
    bool (*key)(struct tui *t, int ch, bool is_key_code);
    /* Optional: called when the pane gains or loses focus. */
    void (*focus)(struct tui *t, bool on);
    /* Optional: mouse wheel (dir -1 up, +1 down) and click at (y, x)
     * relative to the window. */
    void (*mouse)(struct tui *t, int dir, int y, int x);
    /* Optional: true when every key should go to ->key first (the REPL
     * while it has focus), except the global escape keys. */
    bool (*raw)(struct tui *t);
};

/* The key table: one row per binding.  It drives input handling, the
 * footer (rows whose `when` is true now), the help overlay and docs. */
struct key_binding {
    int key;               /* curses key code or character */
    const char *name;      /* shown in footer/help: "e", "Enter", "Tab" */
    unsigned panes;        /* PANE_BIT mask; PANE_ALL for global */
    const char *label;     /* footer word: "edit" (NULL: help only) */
    const char *help;      /* help overlay sentence */
    void (*action)(struct tui *t);
    bool (*when)(struct tui *t); /* NULL: always available */
};
extern const struct key_binding tui_keys[];
extern const int tui_nkeys;

enum layout { LAYOUT_TABS, LAYOUT_SPLIT, LAYOUT_TOO_SMALL };

/* Per-pane state lives in the panes' own files; the core keeps only
 * what several panes share. */
struct tui {
    /* course and learner */
    struct course *course;
    struct workspace *ws;
    struct progress *prog;
    int current;            /* index into course->items */
    /* the last grade of the current exercise (owned; status valid when
     * has_result) */
    struct grade_result result;
    bool has_result;
    time_t result_time;
    /* the REPL's Lua state, also used for `r` runs and code blocks; its
     * viz plots feed the Plots pane */
    struct lua_State *L;
    /* terminal */
    int rows, cols;
    enum layout layout;
    enum pane_id focus;
    enum pane_id middle;  /* Read or Exercise: the one the split shows */
    bool zoomed;
    bool ascii, color, mouse, light;
    int colors; /* 0 mono, 8, 16, 256 */
    WINDOW *pane_win[PANE_COUNT];
    bool pane_visible[PANE_COUNT];
    int pane_rect[PANE_COUNT][4]; /* y, x, h, w of each visible pane */
    bool auto_check;              /* check when the learner saves */
    /* message line */
    char message[256];
    enum role message_role;
    /* overlays */
    bool help_open, welcome_open;
    int help_scroll;
    /* confirmation prompt: a question and the action run on 'y' */
    char confirm[200];
    void (*confirm_action)(struct tui *t);
    bool quit;
    bool relayout; /* windows must be rebuilt before the next draw */
    bool headless;
    const char *dump_dir;
    /* long runs */
    bool running;     /* Lua code is executing */
    int failed_checks; /* consecutive, for the "stuck?" hint */
};

extern const struct pane_ops lessons_pane, reader_pane, exercise_pane,
    plots_pane, repl_pane;
const struct pane_ops *tui_pane_ops(enum pane_id id);

/* ---- core services (tui.c) ---------------------------------------------- */
void tui_message(struct tui *t, enum role r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Asks "question (y/N)"; `yes` runs on y. */
void tui_confirm(struct tui *t, const char *question,
                 void (*yes)(struct tui *t));
void tui_focus(struct tui *t, enum pane_id p);
/* The current item, and whether it is an exercise. */
const struct course_item *tui_item(const struct tui *t);
void tui_open_item(struct tui *t, int index); /* focuses Read or Exercise */
/* Redraws everything now (used by long runs to stay responsive). */
void tui_redraw(struct tui *t);
/* Polls input during a long Lua run: handles Ctrl-C (interrupt), resize
 * and redraws at most 10 times a second.  Called from the Lua hook. */
void tui_pump(struct tui *t);
int tui_attr(const struct tui *t, enum role r);
/* Glyph for a status, Unicode or ASCII: "✓"/"[x]" ... */
const char *tui_glyph(const struct tui *t, const char *unicode,
                      const char *ascii);
/* Draws UTF-8 text at (y, x) clipped to `width` columns; returns the
 * columns used.  (ASCII mode transliterates.) */
int tui_put(const struct tui *t, WINDOW *w, int y, int x, int width,
            const char *utf8, int attr);
/* Display width of UTF-8 text. */
int tui_width(const char *utf8);

/* ---- shared actions (exercise.c) ----------------------------------------- */
/* Grades the current exercise with the same function as `seqlab check`,
 * updates progress and the result shown in the Exercise pane. */
void tui_check_current(struct tui *t);
/* Polls the learner file's mtime (auto-check on save). */
void exercise_poll(struct tui *t);

/* ---- REPL and runs (repl_pane.c) ------------------------------------------ */
/* Runs a chunk in the REPL state as if typed (code blocks, `r` runs);
 * output lands in the REPL scrollback, plots in the Plots pane. */
void repl_run_chunk(struct tui *t, const char *chunk, const char *name);
/* Puts text into the REPL's input line (Read pane's `y`). */
void repl_insert(struct tui *t, const char *text);
void repl_init(struct tui *t);
void repl_shutdown(struct tui *t);

/* ---- entry point ------------------------------------------------------------- */
int seqlab_cmd_tui(int argc, char **argv);

#endif
