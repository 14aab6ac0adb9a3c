/* state.c — Lua states with limits: a capped allocator, the sandbox's
 * restricted libraries, protected calls under a deadline and an interrupt
 * flag, and redirection/capture of print output.
 *
 * It knows nothing of terminals or grading; the REPL, `seqlab run` and the
 * grader build on it.  Limits are checked by a count hook (Lua code) and the
 * engine's cancel callback (long C loops); nothing here exits or aborts on
 * anything a script can do. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <lualib.h>

#include "lseq.h"
#include "seq/error.h"

#define HOOK_COUNT         10000
#define PUMP_INTERVAL      0.03 /* seconds between calls of the pump */
#define DEFAULT_MAX_OUTPUT (64 * 1024)
static const char truncated_note[] = "... [output truncated]\n";

/* Everything a state carries besides Lua's own data; it is the allocator's
 * user data, so any lua_State (coroutines included) finds it. */
struct lstate {
    /* heap */
    size_t used, cap;
    int relaxed;  /* >0: host code is running, the cap is not enforced */
    bool mem_hit; /* the cap refused a request during this run */
    /* limits */
    double seconds;
    int64_t tensor_bytes;
    size_t max_output;
    char **read_dirs, **write_dirs; /* realpath'd, NULL-terminated */
    bool sandbox;
    /* the current run */
    int depth;       /* nesting of lseq_pcall */
    double deadline; /* monotonic seconds, 0 = none */
    int stop;        /* enum lseq_stop */
    int64_t saved_tensor_limit;
    /* output */
    lseq_write_fn out_fn;
    void *out_ud;
    lseq_write_fn cap_prev_fn;
    void *cap_prev_ud;
    char *cap_buf;
    size_t cap_len, cap_max;
    bool cap_cut;
    bool warn_on;
    /* the host's pump (lseq_set_pump) */
    void (*pump_fn)(void *ud);
    void *pump_ud;
    double pump_next; /* monotonic seconds of the earliest next call */
    bool in_pump;
};

static volatile sig_atomic_t interrupt_flag;
static volatile sig_atomic_t active_runs;

/* ---- allocator ---------------------------------------------------------- */

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct lstate *S = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        S->used -= old;
        return NULL;
    }
    if (S->cap && !S->relaxed && nsize > old &&
        nsize - old > (S->cap > S->used ? S->cap - S->used : 0)) {
        S->mem_hit = true;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p)
        S->used = S->used - old + nsize;
    return p;
}

/* The state's data, or NULL for a state not made by lseq_newstate. */
static struct lstate *state_of(lua_State *L)
{
    void *ud = NULL;
    return lua_getallocf(L, &ud) == capped_alloc ? ud : NULL;
}

static int on_panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "seqlab: unprotected Lua error: %s\n",
            msg ? msg : "(not a string)");
    return 0; /* Lua aborts */
}

/* Lua's default warning behaviour: off until "@on", pieces joined. */
static void on_warn(void *ud, const char *msg, int tocont)
{
    static bool continuing;
    struct lstate *S = ud;
    if (!continuing && *msg == '@') {
        if (!strcmp(msg, "@on"))
            S->warn_on = true;
        else if (!strcmp(msg, "@off"))
            S->warn_on = false;
        return;
    }
    if (S->warn_on) {
        if (!continuing)
            fputs("Lua warning: ", stderr);
        fputs(msg, stderr);
        if (!tocont)
            fputc('\n', stderr);
    }
    continuing = tocont;
}

/* ---- limits ------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Decides whether the current run must stop, remembering why. */
static bool must_stop(struct lstate *S)
{
    if (S->depth == 0)
        return false;
    if (S->stop == LSEQ_STOP_NONE) {
        if (interrupt_flag)
            S->stop = LSEQ_STOP_INTERRUPT;
        else if (S->deadline > 0 && now() > S->deadline)
            S->stop = LSEQ_STOP_TIME;
    }
    return S->stop != LSEQ_STOP_NONE;
}

static void fmt_size(char *buf, size_t n, size_t b)
{
    const size_t k = 1024, m = k * k, g = m * k;
    if (b >= g && b % g == 0)
        snprintf(buf, n, "%zu GiB", b / g);
    else if (b >= m && b % m == 0)
        snprintf(buf, n, "%zu MiB", b / m);
    else if (b >= m)
        snprintf(buf, n, "%.1f MiB", (double)b / (double)m);
    else if (b >= k && b % k == 0)
        snprintf(buf, n, "%zu KiB", b / k);
    else
        snprintf(buf, n, "%zu bytes", b);
}

static const char *push_stop_message(lua_State *L, struct lstate *S, int stop)
{
    char num[32];
    switch (stop) {
    case LSEQ_STOP_TIME:
        snprintf(num, sizeof num, "%g", S->seconds);
        return lua_pushfstring(L, "time limit exceeded (%s s)", num);
    case LSEQ_STOP_MEMORY:
        fmt_size(num, sizeof num, S->cap);
        return lua_pushfstring(L, "memory limit exceeded (%s of Lua heap)",
                               num);
    default:
        return lua_pushliteral(L, "interrupted");
    }
}

/* Calls the host's pump when PUMP_INTERVAL has passed since the run began
 * or since the last call; never outside a run, never recursively.  The
 * clock is read only here, i.e. every HOOK_COUNT instructions or at the
 * engine's cancel polls. */
static void run_pump(struct lstate *S)
{
    if (!S->pump_fn || S->in_pump || S->depth == 0)
        return;
    double t = now();
    if (t < S->pump_next)
        return;
    S->pump_next = t + PUMP_INTERVAL;
    S->in_pump = true;
    S->relaxed++; /* what the host allocates is not the script's */
    S->pump_fn(S->pump_ud);
    S->relaxed--;
    S->in_pump = false;
}

void lseq_set_pump(lua_State *L, void (*fn)(void *ud), void *ud)
{
    struct lstate *S = state_of(L);
    if (!S)
        return;
    S->pump_fn = fn;
    S->pump_ud = ud;
    S->pump_next = now() + PUMP_INTERVAL;
}

/* Raised from the hook: once a run must stop, the hook fires on every
 * instruction so that a script catching the error with pcall cannot go on.
 * The host's pump runs first, so an interrupt it asks for stops the run
 * at once. */
static void limit_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct lstate *S = state_of(L);
    if (!S)
        return;
    run_pump(S);
    if (!must_stop(S))
        return;
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1);
    push_stop_message(L, S, S->stop);
    lua_error(L);
}

/* seq_poll_cancel in long C loops: the pump must not raise here (it runs
 * inside engine code), only set flags such as the interrupt. */
static int engine_cancel(void *ud)
{
    run_pump(ud);
    return must_stop(ud);
}

void lseq_interrupt(void)
{
    interrupt_flag = 1;
}

void lseq_clear_interrupt(void)
{
    interrupt_flag = 0;
}

bool lseq_interrupted(void)
{
    return interrupt_flag != 0;
}

static void on_sigint(int sig)
{
    if (interrupt_flag && active_runs) {
        /* the first request was not heeded: stuck outside Lua and the
         * engine's polling; let the default action end the process */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupt_flag = 1;
}

void lseq_catch_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns early */
    sigaction(SIGINT, &sa, NULL);
}

/* ---- protected calls ---------------------------------------------------- */

/* lua.c's message handler: a string (or __tostring) plus a traceback, less
 * the last "[C]: in ?" frame, which is the host calling in. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    size_t len;
    const char *tb = lua_tolstring(L, -1, &len);
    static const char host[] = "\n\t[C]: in ?";
    size_t hl = sizeof host - 1;
    if (len >= hl && !memcmp(tb + len - hl, host, hl))
        lua_pushlstring(L, tb, len - hl);
    return 1;
}

/* Replaces the first line of the error message at the top with the
 * message of the limit that stopped the run, keeping the traceback. */
static void rewrite_message(lua_State *L, struct lstate *S, int stop)
{
    const char *msg = lua_tostring(L, -1);
    const char *rest = msg ? strchr(msg, '\n') : NULL;
    push_stop_message(L, S, stop);
    lua_pushstring(L, rest ? rest : "");
    lua_concat(L, 2);
    lua_replace(L, -2);
}

static bool is_memory_error(lua_State *L, int status)
{
    if (status == LUA_ERRMEM || status == LUA_ERRERR)
        return true; /* ERRERR: the traceback itself found no memory */
    const char *msg = lua_tostring(L, -1);
    const char *nl = msg ? strchr(msg, '\n') : NULL;
    const char *hit = msg ? strstr(msg, "not enough memory") : NULL;
    return hit && (!nl || hit < nl);
}

static void run_begin(lua_State *L, struct lstate *S)
{
    if (S->depth++ > 0)
        return;
    active_runs++;
    S->stop = LSEQ_STOP_NONE;
    S->mem_hit = false;
    S->deadline = S->seconds > 0 ? now() + S->seconds : 0;
    S->pump_next = now() + PUMP_INTERVAL; /* short runs never pump */
    struct seq_memstats ms;
    seq_memory(&ms);
    S->saved_tensor_limit = ms.limit_bytes;
    if (S->tensor_bytes > 0)
        seq_set_memory_limit(S->tensor_bytes);
    seq_set_cancel_fn(engine_cancel, S);
    /* reinstalled every run: a script may have replaced it */
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, HOOK_COUNT);
}

static void run_end(lua_State *L, struct lstate *S)
{
    if (--S->depth > 0)
        return;
    active_runs--;
    seq_set_memory_limit(S->saved_tensor_limit);
    seq_set_cancel_fn(NULL, NULL);
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, HOOK_COUNT);
    S->deadline = 0;
    interrupt_flag = 0;
}

int lseq_pcall(lua_State *L, int nargs, int nresults)
{
    struct lstate *S = state_of(L);
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    if (S)
        run_begin(L, S);
    int status = lua_pcall(L, nargs, nresults, base);
    if (S) {
        S->relaxed++; /* the host's own pushes below must not fail */
        if (status != LUA_OK) {
            if (!lua_isstring(L, -1)) {
                lua_pushfstring(L, "(error object is a %s value)",
                                luaL_typename(L, -1));
                lua_replace(L, -2);
            }
            if (S->stop != LSEQ_STOP_NONE)
                rewrite_message(L, S, S->stop);
            else if (S->cap && S->mem_hit && is_memory_error(L, status)) {
                S->stop = LSEQ_STOP_MEMORY;
                rewrite_message(L, S, S->stop);
            }
        } else if (S->depth == 1) {
            S->stop = LSEQ_STOP_NONE;
        }
        if (S->mem_hit && S->depth == 1)
            lua_gc(L, LUA_GCCOLLECT);
        S->relaxed--;
        run_end(L, S);
    }
    lua_remove(L, base);
    return status;
}

int lseq_last_stop(lua_State *L)
{
    struct lstate *S = state_of(L);
    return S ? S->stop : LSEQ_STOP_NONE;
}

/* ---- output ------------------------------------------------------------- */

static void out_write(struct lstate *S, const char *s, size_t n)
{
    if (S && S->out_fn)
        S->out_fn(S->out_ud, s, n);
    else
        fwrite(s, 1, n, stdout);
}

static int l_print(lua_State *L)
{
    struct lstate *S = state_of(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1)
            out_write(S, "\t", 1);
        out_write(S, s, len);
        lua_pop(L, 1);
    }
    out_write(S, "\n", 1);
    if (!S || !S->out_fn)
        fflush(stdout);
    return 0;
}

/* io.write's formatting of its arguments, into the redirection. */
static void write_args(lua_State *L, struct lstate *S, int first)
{
    int n = lua_gettop(L);
    for (int i = first; i <= n; i++) {
        char num[64];
        if (lua_type(L, i) == LUA_TNUMBER) {
            int len = lua_isinteger(L, i)
                          ? snprintf(num, sizeof num, LUA_INTEGER_FMT,
                                     (LUAI_UACINT)lua_tointeger(L, i))
                          : snprintf(num, sizeof num, LUA_NUMBER_FMT,
                                     (LUAI_UACNUMBER)lua_tonumber(L, i));
            out_write(S, num, (size_t)len);
        } else {
            size_t len;
            const char *s = luaL_checklstring(L, i, &len);
            out_write(S, s, len);
        }
    }
}

static bool is_stdout(lua_State *L, int idx)
{
    luaL_Stream *p = luaL_testudata(L, idx, LUA_FILEHANDLE);
    return p && p->closef && p->f == stdout;
}

/* The tail of every wrapper: calls upvalue 1 (the function wrapped) with
 * all the arguments and returns all its results. */
static int call_original(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* file:write — upvalue 1 is liolib's method */
static int l_file_write(lua_State *L)
{
    struct lstate *S = state_of(L);
    if (S && S->out_fn && is_stdout(L, 1)) {
        write_args(L, S, 2);
        lua_settop(L, 1);
        return 1;
    }
    return call_original(L);
}

/* io.write — upvalues: liolib's io.write and io.output */
static int l_io_write(lua_State *L)
{
    struct lstate *S = state_of(L);
    if (S && S->out_fn) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_call(L, 0, 1);
        if (is_stdout(L, -1)) {
            lua_insert(L, 1);
            write_args(L, S, 2);
            lua_settop(L, 1);
            return 1;
        }
        lua_pop(L, 1);
    }
    return call_original(L);
}

/* Routes print, io.write and io.stdout:write through out_write. */
static void wrap_output(lua_State *L)
{
    lua_pushcfunction(L, l_print);
    lua_setglobal(L, "print");
    if (lua_getglobal(L, "io") == LUA_TTABLE) {
        lua_getfield(L, -1, "write");
        lua_getfield(L, -2, "output");
        lua_pushcclosure(L, l_io_write, 2);
        lua_setfield(L, -2, "write");
    }
    lua_pop(L, 1);
    if (luaL_getmetatable(L, LUA_FILEHANDLE) == LUA_TTABLE &&
        lua_getfield(L, -1, "__index") == LUA_TTABLE) {
        lua_getfield(L, -1, "write");
        lua_pushcclosure(L, l_file_write, 1);
        lua_setfield(L, -2, "write");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void lseq_redirect_output(lua_State *L, lseq_write_fn fn, void *ud)
{
    struct lstate *S = state_of(L);
    if (!S)
        return;
    if (!fn)
        fflush(stdout);
    S->out_fn = fn;
    S->out_ud = ud;
}

static void capture_write(void *ud, const char *s, size_t n)
{
    struct lstate *S = ud;
    if (S->cap_cut)
        return;
    size_t room = S->cap_max - S->cap_len;
    if (n > room) {
        n = room;
        S->cap_cut = true;
    }
    memcpy(S->cap_buf + S->cap_len, s, n);
    S->cap_len += n;
}

void lseq_capture_begin(lua_State *L, size_t cap)
{
    struct lstate *S = state_of(L);
    if (!S)
        return;
    if (cap == 0)
        cap = S->max_output ? S->max_output : DEFAULT_MAX_OUTPUT;
    free(S->cap_buf);
    /* room for the note and a newline before it */
    S->cap_buf = malloc(cap + sizeof truncated_note + 1);
    S->cap_max = S->cap_buf ? cap : 0;
    S->cap_len = 0;
    S->cap_cut = false;
    if (S->out_fn != capture_write) {
        S->cap_prev_fn = S->out_fn;
        S->cap_prev_ud = S->out_ud;
    }
    S->out_fn = capture_write;
    S->out_ud = S;
}

const char *lseq_capture_end(lua_State *L, size_t *len)
{
    struct lstate *S = state_of(L);
    if (len)
        *len = 0;
    if (!S || S->out_fn != capture_write)
        return "";
    S->out_fn = S->cap_prev_fn;
    S->out_ud = S->cap_prev_ud;
    if (!S->cap_buf)
        return "";
    if (S->cap_cut) {
        if (S->cap_len > 0 && S->cap_buf[S->cap_len - 1] != '\n')
            S->cap_buf[S->cap_len++] = '\n';
        memcpy(S->cap_buf + S->cap_len, truncated_note,
               sizeof truncated_note - 1);
        S->cap_len += sizeof truncated_note - 1;
    }
    S->cap_buf[S->cap_len] = '\0';
    if (len)
        *len = S->cap_len;
    return S->cap_buf;
}

/* ---- sandbox: files ----------------------------------------------------- */

static char **copy_dirs(const char *const *dirs)
{
    size_t n = 0;
    while (dirs && dirs[n])
        n++;
    char **out = calloc(n + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char *real = realpath(dirs[i], NULL); /* missing folders drop out */
        if (real)
            out[k++] = real;
    }
    return out;
}

static void free_dirs(char **dirs)
{
    for (size_t i = 0; dirs && dirs[i]; i++)
        free(dirs[i]);
    free(dirs);
}

/* The absolute, symlink-free name of path (whose last component may not
 * exist yet) in out; false if it cannot be resolved. */
static bool resolve_path(const char *path, char *out)
{
    if (realpath(path, out))
        return true;
    struct stat st;
    if (errno != ENOENT || lstat(path, &st) == 0)
        return false; /* includes dangling symlinks */
    char dir[PATH_MAX];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof dir)
        return false;
    memcpy(dir, path, len + 1);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : dir;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return false;
    char real[PATH_MAX];
    if (slash == dir)
        strcpy(real, "/");
    else {
        if (slash)
            *slash = '\0';
        if (!realpath(slash ? dir : ".", real))
            return false;
    }
    size_t rl = strlen(real), bl = strlen(base);
    if (real[rl - 1] != '/')
        real[rl++] = '/';
    if (rl + bl + 1 > PATH_MAX)
        return false;
    memcpy(out, real, rl);
    memcpy(out + rl, base, bl + 1);
    return true;
}

static bool under(char *const *dirs, const char *real)
{
    for (size_t i = 0; dirs && dirs[i]; i++) {
        size_t n = strlen(dirs[i]);
        if (!strncmp(real, dirs[i], n) &&
            (real[n] == '/' || real[n] == '\0' || dirs[i][n - 1] == '/'))
            return true;
    }
    return false;
}

static bool file_allowed(struct lstate *S, const char *path, bool write)
{
    char real[PATH_MAX];
    if (!resolve_path(path, real))
        return false;
    return under(S->write_dirs, real) || (!write && under(S->read_dirs, real));
}

/* Pushes "PATH: not allowed in the sandbox (...)". */
static const char *push_denied(lua_State *L, struct lstate *S, const char *path,
                               bool write)
{
    char *const *lists[2] = {write ? S->write_dirs : S->read_dirs,
                             write ? NULL : S->write_dirs};
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int n = 0;
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; lists[l] && lists[l][i]; i++) {
            luaL_addstring(&b, n++ ? ", " : "");
            luaL_addstring(&b, lists[l][i]);
        }
    luaL_pushresult(&b);
    const char *where = lua_tostring(L, -1);
    const char *msg =
        n ? lua_pushfstring(L,
                            "%s: not allowed in the sandbox (files may be "
                            "%s only under %s)",
                            path, write ? "written" : "read", where)
          : lua_pushfstring(L,
                            "%s: not allowed in the sandbox (no file "
                            "access)",
                            path);
    lua_remove(L, -2);
    return msg;
}

const char *lseq_file_denied(lua_State *L, const char *path, bool write)
{
    struct lstate *S = state_of(L);
    if (!S || !S->sandbox || file_allowed(S, path, write))
        return NULL;
    return push_denied(L, S, path, write);
}

static bool mode_writes(const char *mode)
{
    return strpbrk(mode, "wa+") != NULL;
}

/* io.open(name, mode) — upvalue 1: liolib's io.open */
static int sb_io_open(lua_State *L)
{
    struct lstate *S = state_of(L);
    const char *path = luaL_checkstring(L, 1);
    const char *mode = luaL_optstring(L, 2, "r");
    bool write = mode_writes(mode);
    if (!file_allowed(S, path, write)) {
        luaL_pushfail(L);
        push_denied(L, S, path, write);
        lua_pushinteger(L, EACCES);
        return 3;
    }
    return call_original(L);
}

static void check_file_arg(lua_State *L, struct lstate *S, int idx, bool write)
{
    const char *path = lua_tostring(L, idx);
    if (path && !file_allowed(S, path, write)) {
        push_denied(L, S, path, write);
        lua_error(L);
    }
}

/* io.lines(name, ...), io.input(name), io.output(name): a file name
 * argument is checked, for writing when upvalue 2 is true; no argument or
 * a file handle goes through. */
static int sb_checked(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TSTRING)
        check_file_arg(L, state_of(L), 1,
                       lua_toboolean(L, lua_upvalueindex(2)));
    return call_original(L);
}

/* load(chunk, name, mode, env) with the mode forced to "t" — upvalue 1:
 * the base library's load.  `env` must stay absent when it was absent. */
static int sb_load(lua_State *L)
{
    if (lua_gettop(L) < 3)
        lua_settop(L, 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    return call_original(L);
}

/* loadfile(name, mode, env): a file name is required and checked */
static int sb_loadfile(lua_State *L)
{
    struct lstate *S = state_of(L);
    const char *path = luaL_checkstring(L, 1);
    if (!file_allowed(S, path, false)) {
        luaL_pushfail(L);
        push_denied(L, S, path, false);
        return 2;
    }
    if (lua_gettop(L) < 2)
        lua_settop(L, 2);
    lua_pushliteral(L, "t");
    lua_replace(L, 2);
    int env = lua_gettop(L) >= 3 ? 3 : 0;
    if (luaL_loadfilex(L, path, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

static int dofile_done(lua_State *L, int status, lua_KContext base)
{
    (void)status;
    return lua_gettop(L) - (int)base;
}

static int sb_dofile(lua_State *L)
{
    struct lstate *S = state_of(L);
    const char *path = luaL_checkstring(L, 1);
    if (!file_allowed(S, path, false)) {
        push_denied(L, S, path, false);
        return lua_error(L);
    }
    lua_settop(L, 1);
    if (luaL_loadfilex(L, path, "t") != LUA_OK)
        return lua_error(L);
    lua_callk(L, 0, LUA_MULTRET, 1, dofile_done);
    return dofile_done(L, LUA_OK, 1);
}

/* package.searchers[2] of the sandbox: NAME.lua or NAME/init.lua under a
 * readable folder, loaded as text. */
static int sb_searcher(lua_State *L)
{
    struct lstate *S = state_of(L);
    const char *name = luaL_checkstring(L, 1);
    const char *rel = luaL_gsub(L, name, ".", "/");
    static const char *const forms[] = {"%s/%s.lua", "%s/%s/init.lua"};
    luaL_Buffer miss;
    luaL_buffinit(L, &miss);
    int tried = 0;
    for (size_t i = 0; S->read_dirs && S->read_dirs[i]; i++)
        for (int f = 0; f < 2; f++) {
            const char *path =
                lua_pushfstring(L, forms[f], S->read_dirs[i], rel);
            FILE *fp;
            if (file_allowed(S, path, false) && (fp = fopen(path, "r"))) {
                fclose(fp);
                if (luaL_loadfilex(L, path, "t") != LUA_OK)
                    return luaL_error(L,
                                      "error loading module '%s' from "
                                      "file '%s':\n\t%s",
                                      name, path, lua_tostring(L, -1));
                lua_pushstring(L, path);
                return 2;
            }
            /* the buffer sits below `path`: move the name into it */
            lua_pushfstring(L, "%sno file '%s'", tried++ ? "\n\t" : "", path);
            lua_remove(L, -2);
            luaL_addvalue(&miss);
        }
    if (!tried)
        lua_pushliteral(L, "no readable folders in the sandbox");
    else
        luaL_pushresult(&miss);
    return 1;
}

/* setmetatable refusing __gc: a finalizer could run Lua code while the
 * host itself allocates, outside any run and its limits.  Upvalue 1: the
 * base library's setmetatable. */
static int sb_setmetatable(lua_State *L)
{
    if (lua_istable(L, 2)) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in the "
                                 "sandbox");
        lua_pop(L, 1);
    }
    return call_original(L);
}

/* Stands in for a removed function: calling it says why it is missing
 * instead of "attempt to call a nil value".  Upvalue 1: its full name. */
static int sb_unavailable(lua_State *L)
{
    return luaL_error(L, "%s is not available in the sandbox (graded code "
                         "cannot run programs or touch the system)",
                      lua_tostring(L, lua_upvalueindex(1)));
}

static void remove_fields(lua_State *L, const char *table,
                          const char *const *names)
{
    if (lua_getglobal(L, table) == LUA_TTABLE)
        for (; *names; names++) {
            lua_pushfstring(L, "%s.%s", table, *names);
            lua_pushcclosure(L, sb_unavailable, 1);
            lua_setfield(L, -2, *names);
        }
    lua_pop(L, 1);
}

/* Replaces t[name] (t at the top) by f with the old value as upvalue. */
static void wrap_field(lua_State *L, const char *name, lua_CFunction f)
{
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
}

static void restrict_libs(lua_State *L)
{
    static const char *const os_gone[] = {"execute",   "exit",    "remove",
                                          "rename",    "tmpname", "getenv",
                                          "setlocale", NULL};
    static const char *const io_gone[] = {"popen", "tmpfile", NULL};
    static const char *const pkg_gone[] = {"loadlib", "searchpath", NULL};
    remove_fields(L, "os", os_gone);
    remove_fields(L, "io", io_gone);
    remove_fields(L, "package", pkg_gone);

    lua_getglobal(L, "io");
    wrap_field(L, "open", sb_io_open);
    static const char *const checked[] = {"lines", "input", "output"};
    for (int i = 0; i < 3; i++) {
        lua_getfield(L, -1, checked[i]);
        lua_pushboolean(L, i == 2);
        lua_pushcclosure(L, sb_checked, 2);
        lua_setfield(L, -2, checked[i]);
    }
    lua_pop(L, 1);

    lua_pushglobaltable(L);
    wrap_field(L, "load", sb_load);
    wrap_field(L, "setmetatable", sb_setmetatable);
    lua_pushcfunction(L, sb_loadfile);
    lua_setfield(L, -2, "loadfile");
    lua_pushcfunction(L, sb_dofile);
    lua_setfield(L, -2, "dofile");
    lua_pop(L, 1);

    lua_getglobal(L, "package");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_createtable(L, 2, 0);
    lua_getfield(L, -2, "searchers");
    lua_rawgeti(L, -1, 1); /* the preload searcher */
    lua_rawseti(L, -3, 1);
    lua_pop(L, 1);
    lua_pushcfunction(L, sb_searcher);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "searchers");
    lua_pop(L, 1);
}

/* ---- states ------------------------------------------------------------- */

static const luaL_Reg sandbox_libs[] = {
    {LUA_GNAME, luaopen_base},          {LUA_LOADLIBNAME, luaopen_package},
    {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
    {LUA_IOLIBNAME, luaopen_io},        {LUA_OSLIBNAME, luaopen_os},
    {LUA_STRLIBNAME, luaopen_string},   {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8},    {NULL, NULL}};

static int open_all(lua_State *L)
{
    struct lstate *S = state_of(L);
    if (S->sandbox) {
        for (const luaL_Reg *lib = sandbox_libs; lib->func; lib++) {
            luaL_requiref(L, lib->name, lib->func, 1);
            lua_pop(L, 1);
        }
        restrict_libs(L);
    } else {
        luaL_openlibs(L);
    }
    wrap_output(L);
    lseq_openlibs(L, true);
    return 0;
}

static void free_lstate(struct lstate *S)
{
    if (!S)
        return;
    free_dirs(S->read_dirs);
    free_dirs(S->write_dirs);
    free(S->cap_buf);
    free(S);
}

lua_State *lseq_newstate(const struct lseq_limits *lim, bool sandbox)
{
    struct lstate *S = calloc(1, sizeof *S);
    if (!S)
        return NULL;
    S->sandbox = sandbox;
    if (lim) {
        S->cap = lim->lua_bytes > 0 ? (size_t)lim->lua_bytes : 0;
        S->seconds = lim->seconds > 0 ? lim->seconds : 0;
        S->tensor_bytes = lim->tensor_bytes;
        S->max_output = lim->max_output;
    }
    S->read_dirs = copy_dirs(lim ? lim->read_dirs : NULL);
    S->write_dirs = copy_dirs(lim ? lim->write_dirs : NULL);
    if (!S->read_dirs || !S->write_dirs) {
        free_lstate(S);
        return NULL;
    }
    lua_State *L = lua_newstate(capped_alloc, S);
    if (!L) {
        free_lstate(S);
        return NULL;
    }
    lua_atpanic(L, on_panic);
    lua_setwarnf(L, on_warn, S);
    lua_pushcfunction(L, open_all);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lseq_closestate(L);
        return NULL;
    }
    lua_sethook(L, limit_hook, LUA_MASKCOUNT, HOOK_COUNT);
    return L;
}

void lseq_closestate(lua_State *L)
{
    if (!L)
        return;
    struct lstate *S = state_of(L);
    if (S)
        S->relaxed++;
    lua_close(L);
    free_lstate(S);
}
