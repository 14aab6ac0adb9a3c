/* main.c — the seqlab command line: dispatches to the subcommands.   */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "seq/tensor.h"

static const char usage[] =
    "usage: seqlab [--help] [--version] <command> [args]\n"
    "\n"
    "seqlab is a terminal lab for sequence models: RNNs, LSTMs and GRUs,\n"
    "word embeddings, attention and Transformers, on a C engine.\n"
    "\n"
    "With no command on a terminal, seqlab opens its interface on the\n"
    "bundled course (also: seqlab tui).\n"
    "\n"
    "commands:\n"
    "  list          the course's pages and exercises with your progress\n"
    "  read PAGE     print a reading page (--plain for pagers)\n"
    "  check EX      grade an exercise (--all, --json, --junit FILE)\n"
    "  grade EX      the same as check\n"
    "  hint EX       the next hint (--level N)\n"
    "  solution EX   the reference solution, after a pass (or --force)\n"
    "  reset EX      restore the starter (--all); keeps a .bak copy\n"
    "  run SCRIPT    run a Lua script (seqlab run --help for options)\n"
    "  repl          an interactive Lua prompt with seq, nn, optim, viz, np\n"
    "  dev verify    check the course: starters fail, solutions pass\n"
    "  version       print the version, the BLAS build and thread count\n"
    "  help          show this text\n"
    "\n"
    "options for the course commands:\n"
    "  --course DIR      the course folder (default: the bundled lessons/)\n"
    "  --workspace DIR   where your copies and progress live (default:\n"
    "                    $SEQLAB_WORKSPACE or $XDG_DATA_HOME/seqlab)\n"
    "\n"
    "exit status: 0 all pass, 1 some fail, 2 error, 64 usage\n";

static int cmd_version(void)
{
    printf("seqlab %s\n", SEQLAB_VERSION);
    printf("blas: %s (%d threads)\n", seq_blas_info(),
           seq_get_num_threads());
    return 0;
}

/* Global options may come before the command ("seqlab --workspace W
 * check x"); they are moved after it, where each command parses them. */
static void hoist_command(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        bool takes_value = !strcmp(argv[i], "--course") ||
                           !strcmp(argv[i], "--workspace");
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
            !strcmp(argv[i], "--version"))
            return;
        i += takes_value ? 2 : 1;
    }
    if (i == 1 || i >= argc)
        return;
    char *cmd = argv[i];
    memmove(argv + 2, argv + 1, sizeof(char *) * (size_t)(i - 1));
    argv[1] = cmd;
}

int main(int argc, char **argv)
{
    hoist_command(argc, argv);
    /* no command on a terminal: the TUI on the bundled course */
    if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") &&
                     strcmp(argv[1], "-h") && strcmp(argv[1], "--version"))) {
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
            return seqlab_cmd_tui(argc, argv);
        if (argc < 2) {
            fputs(usage, stdout);
            return 0;
        }
    }
    if (!strcmp(argv[1], "tui"))
        return seqlab_cmd_tui(argc - 1, argv + 1);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version"))
        return cmd_version();
    if (!strcmp(cmd, "run"))
        return seqlab_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "repl"))
        return seqlab_cmd_repl(argc - 1, argv + 1);
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"list", seqlab_cmd_list},         {"read", seqlab_cmd_read},
        {"check", seqlab_cmd_check},       {"grade", seqlab_cmd_check},
        {"hint", seqlab_cmd_hint},         {"solution", seqlab_cmd_solution},
        {"reset", seqlab_cmd_reset},       {"dev", seqlab_cmd_dev},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "seqlab: unknown command '%s'\n\n%s", cmd, usage);
    return 64;
}
