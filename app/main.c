/* main.c — the seqlab command line: dispatches to the subcommands.  At this
 * stage the engine is complete and the commands that sit on the Lua layer,
 * the grader and the TUI arrive with their own modules. */
#include <stdio.h>
#include <string.h>

#include "seq/tensor.h"

static const char usage[] =
    "usage: seqlab [--help] [--version] <command> [args]\n"
    "\n"
    "seqlab is a terminal lab for sequence models: RNNs, LSTMs and GRUs,\n"
    "word embeddings, attention and Transformers, on a C engine.\n"
    "\n"
    "commands:\n"
    "  version       print the version, the BLAS build and thread count\n"
    "  help          show this text\n"
    "\n"
    "Run `make test` in the source tree to check the engine.\n";

static int cmd_version(void)
{
    printf("seqlab %s\n", SEQLAB_VERSION);
    printf("blas: %s (%d threads)\n", seq_blas_info(),
           seq_get_num_threads());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stdout);
        return 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version"))
        return cmd_version();
    fprintf(stderr, "seqlab: unknown command '%s'\n\n%s", cmd, usage);
    return 64;
}
