/* lessons.h — the Lessons pane's actions, for the key table. */
#ifndef SEQLAB_TUI_LESSONS_H
#define SEQLAB_TUI_LESSONS_H

#include <stdbool.h>

struct tui;
void lessons_down(struct tui *t);
void lessons_up(struct tui *t);
void lessons_top(struct tui *t);
void lessons_bottom(struct tui *t);
void lessons_page_down(struct tui *t);
void lessons_page_up(struct tui *t);
void lessons_open(struct tui *t);
void lessons_toggle(struct tui *t);
void lessons_continue_here(struct tui *t);
void lessons_filter_done(struct tui *t);
void lessons_filter_pending(struct tui *t);
void lessons_filter_all(struct tui *t);
void lessons_search(struct tui *t);
void lessons_search_next(struct tui *t);
bool lessons_has_query(struct tui *t);
bool lessons_on_exercise(struct tui *t);
int lessons_selected(struct tui *t);

#endif
