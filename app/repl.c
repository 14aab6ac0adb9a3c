/* repl.c — `seqlab repl`: an interactive Lua prompt with seqlab's modules.
 *
 * On a terminal it reads lines with GNU readline's callback interface
 * (history in the XDG state folder, completion of globals, fields and
 * methods, Ctrl-C clears the line or interrupts a running statement);
 * otherwise it reads stdin line by line, silently.  What a line means is
 * decided by lseq_repl_eval (app/lua/repl_eval.c), shared with the TUI. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmds.h"
#include "lseq.h"

#ifndef SEQLAB_VERSION
#define SEQLAB_VERSION "0.1.0"
#endif

#define HISTORY_MAX 1000

static const char repl_usage[] =
    "usage: seqlab repl [--no-history]\n"
    "\n"
    "An interactive Lua 5.4 prompt with seq, nn, optim, viz and np loaded.\n"
    "An expression prints its value; `=expr` works too.  Unfinished\n"
    "statements continue on a `>>` line.  Ctrl-C clears the line or stops\n"
    "a running statement, Ctrl-D quits.  With stdin not a terminal, lines\n"
    "are read without prompts.\n"
    "\n"
    "options:\n"
    "  --no-history   neither read nor save the history file\n";

/* ---- output ------------------------------------------------------------- */

static void write_stdout(void *ud, const char *s, size_t n)
{
    (void)ud;
    fwrite(s, 1, n, stdout);
    fflush(stdout);
}

static void write_stderr(void *ud, const char *s, size_t n)
{
    (void)ud;
    fflush(stdout);
    fwrite(s, 1, n, stderr);
}

static const struct lseq_repl_io repl_io = {write_stdout, write_stderr, NULL};

/* On a terminal, Ctrl-C during a run echoes "^C" where the cursor is; the
 * report of the interrupt then starts on a line of its own. */
static struct {
    lua_State *L;
    bool said;
} tty_err;

static void write_stderr_tty(void *ud, const char *s, size_t n)
{
    (void)ud;
    if (!tty_err.said && lseq_last_stop(tty_err.L) == LSEQ_STOP_INTERRUPT)
        write_stderr(NULL, "\n", 1);
    tty_err.said = true;
    write_stderr(NULL, s, n);
}

static const struct lseq_repl_io tty_io = {write_stdout, write_stderr_tty,
                                           NULL};

/* ---- the statement being typed ------------------------------------------ */

struct chunk {
    char *s;
    size_t len, cap;
};

static bool chunk_add_line(struct chunk *c, const char *line)
{
    size_t n = strlen(line);
    size_t need = c->len + (c->len ? 1 : 0) + n + 1;
    if (need > c->cap) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap < need)
            cap *= 2;
        char *s = realloc(c->s, cap);
        if (!s)
            return false;
        c->s = s;
        c->cap = cap;
    }
    if (c->len)
        c->s[c->len++] = '\n';
    memcpy(c->s + c->len, line, n + 1);
    c->len += n;
    return true;
}

static void chunk_clear(struct chunk *c)
{
    c->len = 0;
    if (c->s)
        c->s[0] = '\0';
}

/* ---- stdin is not a terminal -------------------------------------------- */

static int repl_pipe(lua_State *L)
{
    struct chunk c = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    lseq_catch_sigint();
    for (;;) {
        errno = 0;
        n = getline(&line, &cap, stdin);
        if (n < 0) {
            if (errno == EINTR && lseq_interrupted())
                rc = 130;
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!chunk_add_line(&c, line)) {
            fputs("seqlab repl: out of memory\n", stderr);
            rc = 1;
            break;
        }
        lseq_clear_interrupt();
        if (lseq_repl_eval(L, c.s, false, &repl_io) != LSEQ_REPL_INCOMPLETE)
            chunk_clear(&c);
    }
    if (rc == 0 && c.len)
        lseq_repl_eval(L, c.s, true, &repl_io);
    free(line);
    free(c.s);
    return rc;
}

/* ---- history ------------------------------------------------------------ */

/* $XDG_STATE_HOME/seqlab/history (default ~/.local/state/...), with its
 * folders created; NULL when there is no usable place. */
char *seqlab_history_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    const char *base, *rest;
    if (state && state[0] == '/') {
        base = state;
        rest = "/seqlab/history";
    } else if (home && home[0]) {
        base = home;
        rest = "/.local/state/seqlab/history";
    } else {
        return NULL;
    }
    size_t n = strlen(base) + strlen(rest) + 1;
    char *path = malloc(n);
    if (!path)
        return NULL;
    snprintf(path, n, "%s%s", base, rest);
    /* mkdir -p of every folder above the file */
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int bad = mkdir(path, 0700) != 0 && errno != EEXIST;
        *p = '/';
        if (bad) {
            free(path);
            return NULL;
        }
    }
    return path;
}

static void history_add(const char *entry)
{
    if (!entry[strspn(entry, " \t\n")])
        return;
    HIST_ENTRY *last = history_length > 0
                           ? history_get(history_base + history_length - 1)
                           : NULL;
    if (last && !strcmp(last->line, entry))
        return;
    add_history(entry);
}

/* ---- completion --------------------------------------------------------- */

static lua_State *complete_L;
static char **complete_list;
static size_t complete_next;

static char *complete_generator(const char *text, int state)
{
    (void)text;
    if (state == 0)
        complete_next = 0;
    if (!complete_list || !complete_list[complete_next])
        return NULL;
    return strdup(complete_list[complete_next++]);
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* no file names as a fallback */
    rl_completion_append_character = '\0';
    complete_list = lseq_repl_completions(complete_L, text);
    char **matches = rl_completion_matches(text, complete_generator);
    for (size_t i = 0; complete_list && complete_list[i]; i++)
        free(complete_list[i]);
    free(complete_list);
    complete_list = NULL;
    return matches;
}

/* ---- the terminal loop -------------------------------------------------- */

static volatile sig_atomic_t got_winch, got_quit;

static void on_winch(int sig)
{
    (void)sig;
    got_winch = 1;
}

static void on_quit(int sig)
{
    (void)sig;
    got_quit = 1;
    lseq_interrupt();
}

static struct {
    char *line;
    bool ready;
} input;

/* Removing the handler here keeps readline from showing a new prompt:
 * the loop installs one after the statement has run. */
static void on_line(char *line)
{
    input.line = line;
    input.ready = true;
    rl_callback_handler_remove();
}

/* _PROMPT / _PROMPT2 override the prompts, as in lua.c */
static const char *prompt(lua_State *L, bool more)
{
    static char buf[256];
    const char *dflt = more ? ">> " : "> ";
    lua_getglobal(L, more ? "_PROMPT2" : "_PROMPT");
    const char *p = lua_isstring(L, -1) ? lua_tostring(L, -1) : dflt;
    snprintf(buf, sizeof buf, "%s", p);
    lua_pop(L, 1);
    return buf;
}

static void set_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, NULL);
    sa.sa_handler = on_quit;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    lseq_catch_sigint();
}

/* Handles one line from readline (NULL: Ctrl-D).  Returns false to quit. */
static bool take_line(lua_State *L, struct chunk *c, char *line)
{
    if (!line) {
        fputc('\n', stdout);
        if (!c->len)
            return false;
        lseq_repl_eval(L, c->s, true, &repl_io); /* says what is missing */
        chunk_clear(c);
        return true;
    }
    bool ok = chunk_add_line(c, line);
    free(line);
    if (!ok) {
        fputs("seqlab repl: out of memory\n", stderr);
        chunk_clear(c);
        return true;
    }
    lseq_clear_interrupt();
    tty_err.L = L;
    tty_err.said = false;
    if (lseq_repl_eval(L, c->s, false, &tty_io) != LSEQ_REPL_INCOMPLETE) {
        history_add(c->s);
        chunk_clear(c);
    }
    return true;
}

static int repl_tty(lua_State *L, bool use_history)
{
    char *hist = use_history ? seqlab_history_path() : NULL;
    setlocale(LC_CTYPE, ""); /* multibyte input; numbers stay in "C" */
    rl_readline_name = "seqlab";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{}()[],+-*/%^#~";
    complete_L = L;
    using_history();
    stifle_history(HISTORY_MAX);
    /* timestamps let multi-line statements come back as one entry */
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    history_comment_char = '#';
    if (hist)
        read_history(hist);
    set_signals();
    printf("seqlab %s \u2014 Lua 5.4 REPL; seq, nn, optim, viz, np loaded; "
           "Ctrl-D to quit\n",
           SEQLAB_VERSION);
    fflush(stdout);

    struct chunk c = {0};
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGWINCH);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    rl_callback_handler_install(prompt(L, false), on_line);
    bool running = true;
    while (running) {
        /* signals are only taken inside pselect, so none is missed between
         * the checks below and the wait */
        sigprocmask(SIG_BLOCK, &block, &old);
        if (got_quit) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            break;
        }
        if (lseq_interrupted()) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            lseq_clear_interrupt();
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_replace_line("", 0);
            fputs("^C\n", rl_outstream);
            chunk_clear(&c);
            rl_callback_handler_remove();
            rl_callback_handler_install(prompt(L, false), on_line);
            continue;
        }
        if (got_winch) {
            got_winch = 0;
            sigprocmask(SIG_SETMASK, &old, NULL);
            rl_resize_terminal();
            continue;
        }
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(fileno(rl_instream), &fds);
        int r = pselect(fileno(rl_instream) + 1, &fds, NULL, NULL, NULL, &old);
        int err = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
            if (err == EINTR)
                continue;
            break;
        }
        rl_callback_read_char();
        if (!input.ready)
            continue;
        input.ready = false;
        /* the terminal is back to normal while the statement runs, so
         * Ctrl-C raises SIGINT and reaches the interrupt flag */
        running = take_line(L, &c, input.line);
        if (running && !got_quit)
            rl_callback_handler_install(prompt(L, c.len > 0), on_line);
        else
            running = false;
    }
    rl_callback_handler_remove();
    if (hist) {
        write_history(hist); /* failures are silent by design */
        free(hist);
    }
    free(c.s);
    return 0;
}

int seqlab_cmd_repl(int argc, char **argv)
{
    bool use_history = true;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-history")) {
            use_history = false;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(repl_usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "seqlab repl: unknown option '%s'\n\n%s", argv[i],
                    repl_usage);
            return 64;
        }
    }
    lua_State *L = lseq_newstate(NULL, false);
    if (!L) {
        fputs("seqlab repl: cannot create a Lua state\n", stderr);
        return 1;
    }
    int rc = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)
                 ? repl_tty(L, use_history)
                 : repl_pipe(L);
    fflush(stdout);
    lseq_closestate(L);
    return rc;
}
