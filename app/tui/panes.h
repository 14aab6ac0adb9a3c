/* panes.h — the Read and Plots panes' actions and predicates, for the key
 * table (keys.c).  Each action takes the TUI and acts on the pane's own
 * state; each predicate says whether a binding applies now (its `when`). */
#ifndef SEQLAB_TUI_PANES_H
#define SEQLAB_TUI_PANES_H

#include <stdbool.h>

struct tui;

/* ---- Read (reader.c) ------------------------------------------------------
 * The current code block is the one chosen with ]/[ while it stays in
 * view, else the first code block in view; it is marked in the left
 * margin, and y/R act on it.  A selected link that scrolls out of view is
 * unselected, so Tab starts again from the view. */
void reader_scroll(struct tui *t, int lines); /* + down, - up, clamped */
void reader_down(struct tui *t);              /* j, Down: one line */
void reader_up(struct tui *t);                /* k, Up */
void reader_page_down(struct tui *t);         /* PgDn, Space */
void reader_page_up(struct tui *t);           /* PgUp, b */
void reader_half_down(struct tui *t);         /* Ctrl-D */
void reader_half_up(struct tui *t);           /* Ctrl-U */
void reader_top(struct tui *t);               /* g, Home */
void reader_bottom(struct tui *t);            /* G, End */
void reader_left(struct tui *t);              /* Left, h: wide code */
void reader_right(struct tui *t);             /* Right, l */
void reader_next_link(struct tui *t);         /* Tab */
void reader_prev_link(struct tui *t);         /* Shift-Tab */
void reader_follow(struct tui *t);            /* Enter: open the link */
void reader_back(struct tui *t);              /* Backspace, Ctrl-O */
void reader_next_code(struct tui *t);         /* ] */
void reader_prev_code(struct tui *t);         /* [ */
void reader_copy_block(struct tui *t);        /* y: into the REPL input */
void reader_run_block(struct tui *t);         /* R: run in the REPL */
void reader_search(struct tui *t);            /* /: opens the prompt */
void reader_search_next(struct tui *t);       /* n */
void reader_search_prev(struct tui *t);       /* N */

bool reader_has_links(struct tui *t);     /* the page has links (Tab) */
bool reader_on_link(struct tui *t);       /* a link is selected (Enter) */
bool reader_can_go_back(struct tui *t);   /* the back stack is not empty */
bool reader_has_code(struct tui *t);      /* the page has code blocks */
bool reader_on_code_block(struct tui *t); /* a current code block (y) */
bool reader_on_lua_block(struct tui *t);  /* ... and it is ```lua (R) */
bool reader_has_search(struct tui *t);    /* a pattern to repeat (n N) */
bool reader_is_wide(struct tui *t);       /* lines wider than the view */

/* ---- Plots (plots.c) -------------------------------------------------------
 * The pane shows one plot of the REPL state's list (viz_plot_get), the
 * newest by default and again whenever a new plot is made. */
void plots_prev(struct tui *t);   /* [ */
void plots_next(struct tui *t);   /* ] */
void plots_first(struct tui *t);  /* g, Home */
void plots_newest(struct tui *t); /* G, End */
/* Moves the heatmap cursor by (dy, dx) matrix cells, clamped. */
void plots_cursor(struct tui *t, int dy, int dx);
void plots_cursor_up(struct tui *t);    /* Up, k */
void plots_cursor_down(struct tui *t);  /* Down, j */
void plots_cursor_left(struct tui *t);  /* Left, h */
void plots_cursor_right(struct tui *t); /* Right, l */
void plots_toggle_ascii(struct tui *t); /* A: this pane only */
void plots_toggle_log(struct tui *t);   /* L: log/linear y (line plots) */
void plots_cells_block(struct tui *t);  /* +: 2x1 cells (heatmaps) */
void plots_cells_half(struct tui *t);   /* -: half blocks (heatmaps) */

bool plots_has_plots(struct tui *t);
bool plots_has_several(struct tui *t); /* [ ] make sense */
bool plots_on_heatmap(struct tui *t);
bool plots_on_line(struct tui *t);

#endif
