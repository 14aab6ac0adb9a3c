/* grade.c — runs seqlab.grader (app/lua/lib/seqlab/grader.lua) in a fresh
 * sandboxed state and turns its result table, or the limit that stopped
 * it, into a struct grade_result. */
#include "grade/grade.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lseq.h"
#include "viz/plot.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

const char *grade_status_name(enum grade_status s)
{
    static const char *const n[] = {"pass", "fail", "error", "timeout",
                                    "oom"};
    return (unsigned)s < 5 ? n[s] : "error";
}

const char *test_status_name(enum test_status s)
{
    static const char *const n[] = {"pass", "fail", "error", "not_run"};
    return (unsigned)s < 4 ? n[s] : "error";
}

/* ---- trusted helpers handed to the runner ------------------------------ */

static int h_traceback(lua_State *L)
{
    luaL_traceback(L, L, luaL_optstring(L, 1, ""),
                   (int)luaL_optinteger(L, 2, 1));
    return 1;
}

static int h_capture_begin(lua_State *L)
{
    lseq_capture_begin(L, 16384);
    return 0;
}

static int h_capture_end(lua_State *L)
{
    size_t len = 0;
    const char *s = lseq_capture_end(L, &len);
    lua_pushlstring(L, s ? s : "", s ? len : 0);
    return 1;
}

/* Protected body: require the runner and call R.run(args). */
static int run_grader(lua_State *L)
{
    const struct grade_request *q = lua_touserdata(L, 1);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "seqlab.grader");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "run");
    lua_createtable(L, 0, 8);
    lua_pushstring(L, q->learner);
    lua_setfield(L, -2, "learner");
    lua_pushstring(L, q->tests);
    lua_setfield(L, -2, "tests");
    lua_pushstring(L, q->lesson_dir);
    lua_setfield(L, -2, "dir");
    lua_pushcfunction(L, h_traceback);
    lua_setfield(L, -2, "traceback");
    lua_pushcfunction(L, h_capture_begin);
    lua_setfield(L, -2, "capture_begin");
    lua_pushcfunction(L, h_capture_end);
    lua_setfield(L, -2, "capture_end");
    lua_call(L, 1, 1);
    return 1;
}

/* ---- reading the result table ------------------------------------------ */

static char *field_str(lua_State *L, int idx, const char *key)
{
    char *s = NULL;
    if (lua_getfield(L, idx, key) == LUA_TSTRING ||
        lua_type(L, -1) == LUA_TNUMBER)
        s = dupstr(lua_tostring(L, -1));
    lua_pop(L, 1);
    return s;
}

static double field_num(lua_State *L, int idx, const char *key, double def)
{
    double v = def;
    if (lua_getfield(L, idx, key) == LUA_TNUMBER)
        v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static int parse_status(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

static void read_result(lua_State *L, struct grade_result *r)
{
    int t = lua_gettop(L);
    static const char *const gnames[] = {"pass", "fail", "error"};
    static const char *const tnames[] = {"pass", "fail", "error", "not_run"};
    char *st = field_str(L, t, "status");
    int s = parse_status(st, gnames, 3);
    free(st);
    r->status = s < 0 ? GRADE_ERROR : (enum grade_status)s;
    r->message = field_str(L, t, "message");
    r->output = field_str(L, t, "output");
    r->score = field_num(L, t, "score", 0);
    r->max_score = field_num(L, t, "max_score", 0);
    if (lua_getfield(L, t, "tests") == LUA_TTABLE) {
        int n = (int)lua_rawlen(L, -1);
        r->tests = calloc((size_t)(n ? n : 1), sizeof *r->tests);
        for (int i = 1; r->tests && i <= n; i++) {
            lua_rawgeti(L, -1, i);
            int e = lua_gettop(L);
            struct grade_test *gt = &r->tests[r->ntests++];
            gt->name = field_str(L, e, "name");
            char *ts = field_str(L, e, "status");
            int k = parse_status(ts, tnames, 4);
            free(ts);
            gt->status = k < 0 ? TEST_ERROR : (enum test_status)k;
            gt->points = field_num(L, e, "points", 0);
            gt->max_points = field_num(L, e, "max_points", 0);
            lua_getfield(L, e, "hidden");
            gt->hidden = lua_toboolean(L, -1);
            lua_pop(L, 1);
            gt->message = field_str(L, e, "message");
            gt->check = field_str(L, e, "check");
            gt->expected = field_str(L, e, "expected");
            gt->got = field_str(L, e, "got");
            gt->index = field_str(L, e, "index");
            gt->max_diff = field_num(L, e, "max_diff", NAN);
            gt->output = field_str(L, e, "output");
            if (gt->output && !*gt->output) {
                free(gt->output);
                gt->output = NULL;
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    if (r->output && !*r->output) {
        free(r->output);
        r->output = NULL;
    }
}

static void fmt_bytes(char *buf, size_t n, int64_t b)
{
    if (b >= (int64_t)1 << 30)
        snprintf(buf, n, "%.0f GiB", (double)b / (1 << 30));
    else
        snprintf(buf, n, "%.0f MiB", (double)b / (1 << 20));
}

int grade_run(struct grade_result *r, const struct grade_request *q)
{
    memset(r, 0, sizeof *r);
    double t0 = now_ms();
    r->exercise = dupstr(q->exercise);
    r->file = dupstr(q->learner);
    char *ws = NULL;
    if (!q->workspace) {
        ws = dupstr(q->learner);
        char *slash = ws ? strrchr(ws, '/') : NULL;
        if (slash)
            *slash = '\0';
    }
    const char *dirs[] = {q->course_root, q->workspace ? q->workspace : ws,
                          NULL};
    struct lseq_limits lim = {0};
    lim.seconds = q->timeout > 0 ? q->timeout : 10;
    lim.lua_bytes = q->lua_bytes > 0 ? q->lua_bytes : (int64_t)512 << 20;
    lim.tensor_bytes = q->tensor_bytes > 0 ? q->tensor_bytes
                                           : (int64_t)1 << 30;
    lim.read_dirs = dirs;
    lim.max_output = 16384;
    lua_State *L = lseq_newstate(&lim, true);
    if (!L) {
        free(ws);
        r->status = GRADE_ERROR;
        r->message = dupstr("cannot create the sandbox (out of memory)");
        return -1;
    }
    /* plots in captured output are plain text, whatever the terminal */
    struct viz_echo echo = {true, false, VIZ_MODE_ASCII, 80};
    viz_set_echo(L, &echo);
    lua_pushcfunction(L, run_grader);
    lua_pushlightuserdata(L, (void *)q);
    int st = lseq_pcall(L, 1, 1);
    if (st == LUA_OK) {
        read_result(L, r);
    } else {
        const char *msg = lua_tostring(L, -1);
        char buf[512], mem[32];
        switch (lseq_last_stop(L)) {
        case LSEQ_STOP_TIME:
            r->status = GRADE_TIMEOUT;
            snprintf(buf, sizeof buf,
                     "stopped after the time limit of %g s (is there a loop "
                     "that never ends?)",
                     lim.seconds);
            break;
        case LSEQ_STOP_MEMORY:
            r->status = GRADE_OOM;
            fmt_bytes(mem, sizeof mem, lim.lua_bytes);
            snprintf(buf, sizeof buf,
                     "stopped at the memory limit (%s of Lua memory)", mem);
            break;
        case LSEQ_STOP_INTERRUPT:
            r->status = GRADE_ERROR;
            snprintf(buf, sizeof buf, "interrupted");
            break;
        default:
            /* a tensor allocation over the cap arrives as an engine
             * error; anything else is the runner failing */
            if (msg && strstr(msg, "out of memory")) {
                r->status = GRADE_OOM;
                fmt_bytes(mem, sizeof mem, lim.tensor_bytes);
                snprintf(buf, sizeof buf,
                         "stopped at the memory limit (%s of tensors): %s",
                         mem, msg);
            } else {
                r->status = GRADE_ERROR;
                snprintf(buf, sizeof buf, "%s", msg ? msg : "unknown error");
            }
        }
        r->message = dupstr(buf);
    }
    lseq_closestate(L);
    free(ws);
    r->duration_ms = now_ms() - t0;
    return 0;
}

void grade_result_free(struct grade_result *r)
{
    for (int i = 0; i < r->ntests; i++) {
        struct grade_test *t = &r->tests[i];
        free(t->name);
        free(t->message);
        free(t->check);
        free(t->expected);
        free(t->got);
        free(t->index);
        free(t->output);
    }
    free(r->tests);
    free(r->exercise);
    free(r->file);
    free(r->message);
    free(r->output);
    memset(r, 0, sizeof *r);
}
