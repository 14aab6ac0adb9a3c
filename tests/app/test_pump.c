/* test_pump.c — the host's pump (lseq_set_pump, app/lua/state.c): called
 * during long lseq_pcall runs at most every ~30 ms, never for short runs or
 * outside lseq_pcall, from Lua loops and from the engine's cancel polling;
 * an interrupt asked for inside it stops the run with "interrupted". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lseq.h"
#include "seq/error.h"

struct pump {
    int calls;
    int interrupt_at; /* call number that asks to stop, 0: never */
    double first, last, min_gap;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_pump(void *ud)
{
    struct pump *p = ud;
    double t = mono();
    if (p->calls == 0)
        p->first = t;
    else if (p->calls == 1 || t - p->last < p->min_gap)
        p->min_gap = t - p->last;
    p->last = t;
    p->calls++;
    if (p->interrupt_at && p->calls == p->interrupt_at)
        lseq_interrupt();
}

/* A C function spinning for `seconds`, polling the engine's cancel
 * callback as long engine loops do. */
static int busy_c(lua_State *L)
{
    double until = mono() + luaL_checknumber(L, 1);
    while (mono() < until)
        if (seq_poll_cancel() != SEQ_OK)
            return luaL_error(L, "%s", seq_error());
    return 0;
}

struct ctx {
    lua_State *L;
    struct pump pump;
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->L = lseq_newstate(NULL, false);
    if (!c->L)
        return -1;
    lua_register(c->L, "busy_c", busy_c);
    lseq_set_pump(c->L, on_pump, &c->pump);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    lseq_closestate(c->L);
    lseq_clear_interrupt();
    free(c);
    return 0;
}

/* Runs code under lseq_pcall; the status, with the message (if any) left
 * in *msg (valid until the next run). */
static int run(struct ctx *c, const char *code, const char **msg)
{
    lua_settop(c->L, 0);
    if (luaL_loadstring(c->L, code) != LUA_OK)
        fail_msg("%s: %s", code, lua_tostring(c->L, -1));
    int status = lseq_pcall(c->L, 0, 0);
    if (msg)
        *msg = status == LUA_OK ? NULL : lua_tostring(c->L, -1);
    return status;
}

/* ~0.25 s of pure Lua (wall clock through os.clock's CPU time is fine:
 * the loop never sleeps) */
static const char long_loop[] =
    "local t0 = os.clock() local x = 0 "
    "while os.clock() - t0 < 0.25 do x = x + 1 end";

static void test_pump_runs_during_a_long_lua_loop(void **state)
{
    struct ctx *c = *state;
    const char *msg;
    double t0 = mono();
    assert_int_equal(run(c, long_loop, &msg), LUA_OK);
    double took = mono() - t0;
    /* every ~30 ms: several calls, but not many more than took / 30 ms */
    assert_true(c->pump.calls >= 3);
    assert_true(c->pump.calls <= (int)(took / 0.03) + 2);
    assert_true(c->pump.min_gap >= 0.025);
    /* the first call comes ~30 ms into the run, not at its start */
    assert_true(c->pump.first - t0 >= 0.025);
}

static void test_pump_is_not_called_for_a_short_run(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(run(c, "local s = 0 for i = 1, 1000 do s = s + i end "
                            "x = s",
                         NULL),
                     LUA_OK);
    assert_int_equal(c->pump.calls, 0);
}

static void test_pump_is_not_called_outside_lseq_pcall(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(luaL_dostring(c->L, long_loop), LUA_OK);
    assert_int_equal(c->pump.calls, 0);
}

static void test_interrupt_from_the_pump_stops_the_run(void **state)
{
    struct ctx *c = *state;
    c->pump.interrupt_at = 2;
    const char *msg;
    /* a pcall inside the script cannot swallow the interrupt */
    assert_int_not_equal(run(c,
                             "while true do pcall(function() "
                             "while true do end end) end",
                             &msg),
                         LUA_OK);
    assert_non_null(msg);
    assert_int_equal(strncmp(msg, "interrupted", 11), 0);
    assert_int_equal(lseq_last_stop(c->L), LSEQ_STOP_INTERRUPT);
    assert_int_equal(c->pump.calls, 2);
    /* the flag is cleared when the run ends: the next run goes on */
    c->pump.interrupt_at = 0;
    assert_int_equal(run(c, "y = 1", NULL), LUA_OK);
}

static void test_pump_runs_from_the_engine_cancel_polling(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(run(c, "busy_c(0.2)", NULL), LUA_OK);
    assert_true(c->pump.calls >= 3);
    /* and an interrupt asked for there stops the C loop */
    c->pump.calls = 0;
    c->pump.interrupt_at = 1;
    const char *msg;
    double t0 = mono();
    assert_int_not_equal(run(c, "busy_c(5)", &msg), LUA_OK);
    assert_true(mono() - t0 < 1.0);
    assert_int_equal(strncmp(msg, "interrupted", 11), 0);
}

static void test_pump_can_be_removed(void **state)
{
    struct ctx *c = *state;
    lseq_set_pump(c->L, NULL, NULL);
    assert_int_equal(run(c, long_loop, NULL), LUA_OK);
    assert_int_equal(c->pump.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_pump_runs_during_a_long_lua_loop),
        T(test_pump_is_not_called_for_a_short_run),
        T(test_pump_is_not_called_outside_lseq_pcall),
        T(test_interrupt_from_the_pump_stops_the_run),
        T(test_pump_runs_from_the_engine_cancel_polling),
        T(test_pump_can_be_removed),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
