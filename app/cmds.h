/* cmds.h — the subcommands of the seqlab program; main.c dispatches. */
#ifndef SEQLAB_CMDS_H
#define SEQLAB_CMDS_H

int seqlab_cmd_run(int argc, char **argv);  /* run.c */
int seqlab_cmd_repl(int argc, char **argv); /* repl.c */
/* repl.c: $XDG_STATE_HOME/seqlab/history (folders created), shared by the
 * CLI REPL and the TUI's REPL pane; malloc'd, NULL if there is no home. */
char *seqlab_history_path(void);
/* cmd_course.c: each takes argv[0] = the command's own name */
int seqlab_cmd_list(int argc, char **argv);
int seqlab_cmd_read(int argc, char **argv);
int seqlab_cmd_check(int argc, char **argv);
int seqlab_cmd_hint(int argc, char **argv);
int seqlab_cmd_solution(int argc, char **argv);
int seqlab_cmd_reset(int argc, char **argv);
int seqlab_cmd_dev(int argc, char **argv); /* cmd_verify.c */
int seqlab_cmd_tui(int argc, char **argv); /* tui/tui.c */

#endif
