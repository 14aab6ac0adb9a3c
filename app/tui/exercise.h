/* exercise.h — the Exercise pane's actions, for the key table. */
#ifndef SEQLAB_TUI_EXERCISE_H
#define SEQLAB_TUI_EXERCISE_H

#include <stdbool.h>

struct tui;
void exercise_check(struct tui *t);
void exercise_edit(struct tui *t);
void exercise_run(struct tui *t);
void exercise_hint(struct tui *t);
void exercise_solution(struct tui *t);
void exercise_reset(struct tui *t);
void exercise_next(struct tui *t);
void exercise_prev(struct tui *t);
void exercise_toggle_auto(struct tui *t);
void exercise_scroll_down(struct tui *t);
void exercise_scroll_up(struct tui *t);
bool exercise_is_open(struct tui *t);
bool exercise_passed(struct tui *t);
bool exercise_has_hints(struct tui *t);

#endif
