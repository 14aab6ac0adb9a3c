/* test_sandbox.c — Lua states with limits (app/lua/state.c): the heap cap,
 * the wall-clock limit, interrupts, the sandbox's missing and fenced
 * functions, the engine's tensor limit and cancel hook, print capture, and
 * error messages with tracebacks.  After every limit hit the same state
 * must run the next chunk normally. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lseq.h"
#include "seq/error.h"

#define MiB (1024 * 1024)

/* A temporary tree: root/read (readable), root/write (writable),
 * root/outside (neither), each with a file. */
struct fixture {
    char root[64];
    char read[PATH_MAX], write[PATH_MAX], outside[PATH_MAX];
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->root, "/tmp/seqlab-sandbox-XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    snprintf(fx->read, sizeof fx->read, "%s/read", fx->root);
    snprintf(fx->write, sizeof fx->write, "%s/write", fx->root);
    snprintf(fx->outside, sizeof fx->outside, "%s/outside", fx->root);
    if (mkdir(fx->read, 0700) || mkdir(fx->write, 0700) ||
        mkdir(fx->outside, 0700))
        return -1;
    write_file(fx->read, "data.txt", "hello from read\n");
    write_file(fx->read, "mymod.lua", "return {answer = 42}\n");
    write_file(fx->read, "script.lua", "return 6 * 7\n");
    write_file(fx->outside, "secret.txt", "secret\n");
    write_file(fx->outside, "evil.lua", "return 'evil'\n");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->root);
    int rc = system(cmd);
    free(fx);
    seq_set_memory_limit(0);
    return rc == 0 ? 0 : -1;
}

static lua_State *new_sandbox(struct fixture *fx, struct lseq_limits lim)
{
    const char *reads[] = {fx->read, NULL};
    const char *writes[] = {fx->write, NULL};
    lim.read_dirs = reads;
    lim.write_dirs = writes;
    lua_State *L = lseq_newstate(&lim, true);
    assert_non_null(L);
    return L;
}

/* Runs code under lseq_pcall; returns the status, leaving the first
 * result or the error message on the stack. */
static int run(lua_State *L, const char *code)
{
    int st = luaL_loadbuffer(L, code, strlen(code), "=chunk");
    if (st != LUA_OK)
        return st;
    return lseq_pcall(L, 0, 1);
}

static void assert_runs_to(lua_State *L, const char *code, const char *want)
{
    int st = run(L, code);
    const char *got = lua_tostring(L, -1);
    if (st != LUA_OK)
        fail_msg("%s: failed: %s", code, got ? got : "(nil)");
    assert_non_null(got);
    assert_string_equal(got, want);
    lua_pop(L, 1);
}

static const char *error_of(lua_State *L, const char *code)
{
    int st = run(L, code);
    if (st == LUA_OK)
        fail_msg("%s: succeeded but should fail", code);
    const char *msg = lua_tostring(L, -1);
    assert_non_null(msg);
    return msg;
}

static void assert_contains(const char *s, const char *part)
{
    if (!strstr(s, part))
        fail_msg("expected \"%s\" in \"%s\"", part, s);
}

static void assert_starts_with(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)))
        fail_msg("expected \"%s\" to start with \"%s\"", s, prefix);
}

/* ---- Lua heap ----------------------------------------------------------- */

static void
test_heap_cap_stops_a_growing_table_with_a_clear_message(void **state)
{
    lua_State *L =
        new_sandbox(*state, (struct lseq_limits){.lua_bytes = 8 * MiB});
    const char *msg =
        error_of(L, "local t = {} for i = 1, 1e8 do t[i] = {i} end");
    assert_starts_with(msg, "memory limit exceeded (8 MiB of Lua heap)");
    assert_int_equal(lseq_last_stop(L), LSEQ_STOP_MEMORY);
    lseq_closestate(L);
}

static void test_state_runs_normally_after_the_heap_cap_was_hit(void **state)
{
    lua_State *L =
        new_sandbox(*state, (struct lseq_limits){.lua_bytes = 8 * MiB});
    error_of(L, "local t = {} for i = 1, 1e8 do t[i] = {i} end");
    lua_pop(L, 1);
    /* the table was garbage once the error unwound: the heap is back */
    assert_true(lua_gc(L, LUA_GCCOUNT) < 4 * 1024);
    assert_runs_to(L,
                   "local t = {} for i = 1, 1000 do t[i] = i end "
                   "return tostring(#t)",
                   "1000");
    assert_int_equal(lseq_last_stop(L), LSEQ_STOP_NONE);
    lseq_closestate(L);
}

static void test_huge_string_rep_is_a_memory_error_not_a_crash(void **state)
{
    lua_State *L =
        new_sandbox(*state, (struct lseq_limits){.lua_bytes = 16 * MiB});
    const char *msg = error_of(L, "return string.rep('x', 1e9)");
    assert_starts_with(msg, "memory limit exceeded (16 MiB of Lua heap)");
    lua_pop(L, 1);
    assert_runs_to(L, "return string.rep('ab', 3)", "ababab");
    lseq_closestate(L);
}

static void
test_memory_error_caught_by_pcall_lets_the_script_go_on(void **state)
{
    lua_State *L =
        new_sandbox(*state, (struct lseq_limits){.lua_bytes = 16 * MiB});
    assert_runs_to(L,
                   "local ok, e = pcall(string.rep, 'x', 1e9) "
                   "return tostring(ok) .. ' ' .. e",
                   "false not enough memory");
    lseq_closestate(L);
}

/* ---- time limit --------------------------------------------------------- */

static void test_time_limit_stops_an_endless_loop_on_time(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){.seconds = 0.5});
    double t0 = now();
    const char *msg = error_of(L, "while true do end");
    double dt = now() - t0;
    assert_starts_with(msg, "time limit exceeded (0.5 s)");
    assert_int_equal(lseq_last_stop(L), LSEQ_STOP_TIME);
    assert_true(dt >= 0.45);
    assert_true(dt < 1.0);
    lseq_closestate(L);
}

static void test_time_limit_cannot_be_caught_with_pcall(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){.seconds = 0.3});
    double t0 = now();
    const char *msg = error_of(L, "while true do "
                                  "  pcall(function() while true do end end) "
                                  "end");
    assert_starts_with(msg, "time limit exceeded (0.3 s)");
    assert_true(now() - t0 < 0.8);
    lseq_closestate(L);
}

static void test_each_run_gets_a_fresh_deadline(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){.seconds = 0.3});
    error_of(L, "while true do end");
    lua_pop(L, 1);
    /* a run after the limit hit gets its own 0.3 s: 0.15 s of work passes */
    assert_runs_to(L,
                   "local t = os.clock() while os.clock() - t < 0.15 do end "
                   "return 'done'",
                   "done");
    lseq_closestate(L);
}

static void test_time_limit_reaches_loops_inside_coroutines(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){.seconds = 0.3});
    double t0 = now();
    const char *msg = error_of(L, "local co = coroutine.wrap(function() "
                                  "while true do end end) co()");
    assert_starts_with(msg, "time limit exceeded (0.3 s)");
    assert_true(now() - t0 < 0.8);
    lseq_closestate(L);
}

/* ---- interrupts --------------------------------------------------------- */

static int l_trigger(lua_State *L)
{
    (void)L;
    lseq_interrupt();
    return 0;
}

static void test_interrupt_flag_stops_the_run_with_interrupted(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    lua_register(L, "trigger", l_trigger);
    const char *msg = error_of(L, "trigger() while true do end");
    assert_starts_with(msg, "interrupted");
    assert_int_equal(lseq_last_stop(L), LSEQ_STOP_INTERRUPT);
    lua_pop(L, 1);
    /* the flag is consumed: the next run is not interrupted */
    assert_false(lseq_interrupted());
    assert_runs_to(L, "return 'next'", "next");
    lseq_closestate(L);
}

static void on_alarm(int sig)
{
    (void)sig;
    lseq_interrupt();
}

static void test_interrupt_from_a_signal_handler_stops_the_run(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, &old);
    struct itimerval it = {.it_value = {.tv_usec = 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    const char *msg = error_of(L, "local n = 0 while true do n = n + 1 end");
    sigaction(SIGALRM, &old, NULL);
    assert_starts_with(msg, "interrupted");
    lseq_closestate(L);
}

/* ---- the engine: tensor memory and cancellation ------------------------- */

static void test_tensor_memory_cap_makes_a_huge_tensor_an_error(void **state)
{
    lua_State *L =
        new_sandbox(*state, (struct lseq_limits){.tensor_bytes = 64 * MiB});
    const char *msg = error_of(L, "return seq.zeros(100000, 100000)");
    assert_contains(msg, "memory");
    lua_pop(L, 1);
    assert_runs_to(L, "return tostring(seq.zeros(2, 3):numel())", "6");
    lseq_closestate(L);
}

static void test_tensor_limit_of_the_host_is_restored_after_a_run(void **state)
{
    seq_set_memory_limit(123 * MiB);
    lua_State *L =
        new_sandbox(*state, (struct lseq_limits){.tensor_bytes = 64 * MiB});
    assert_runs_to(L, "return 'ok'", "ok");
    struct seq_memstats ms;
    seq_memory(&ms);
    assert_int_equal(ms.limit_bytes, 123 * MiB);
    seq_set_memory_limit(0);
    lseq_closestate(L);
}

/* Stands for a long engine loop: polls the cancel callback and raises the
 * engine's message, as the bindings do. */
static int l_engine_loop(lua_State *L)
{
    for (;;) {
        if (seq_poll_cancel() != SEQ_OK)
            return luaL_error(L, "%s", seq_error());
        usleep(1000);
    }
}

static void test_time_limit_reaches_long_engine_loops(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){.seconds = 0.3});
    lua_register(L, "engine_loop", l_engine_loop);
    double t0 = now();
    const char *msg = error_of(L, "engine_loop()");
    assert_starts_with(msg, "time limit exceeded (0.3 s)");
    assert_true(now() - t0 < 0.8);
    lseq_closestate(L);
}

static void test_cancel_callback_is_removed_after_the_run(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    lua_register(L, "trigger", l_trigger);
    error_of(L, "trigger() while true do end");
    lseq_interrupt(); /* outside any run: the engine must not see it */
    assert_int_equal(seq_poll_cancel(), SEQ_OK);
    lseq_clear_interrupt();
    lseq_closestate(L);
}

/* ---- the sandbox's libraries -------------------------------------------- */

static void test_sandbox_has_no_process_or_native_code_functions(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    /* each is a stand-in that explains itself when called */
    assert_runs_to(L,
                   "local n = 0 for _, f in ipairs{os.execute, io.popen, "
                   "package.loadlib, os.exit, os.remove, os.rename, "
                   "os.tmpname, os.getenv} do local ok, e = pcall(f, 'x') "
                   "if not ok and tostring(e):find('not available in the "
                   "sandbox', 1, true) then n = n + 1 end end "
                   "return tostring(n)",
                   "8");
    const char *msg = error_of(L, "os.execute('ls')");
    assert_contains(msg, "os.execute is not available in the sandbox");
    assert_runs_to(L, "return type(os.time) .. ' ' .. type(os.clock)",
                   "function function");
    lseq_closestate(L);
}

static void test_sandbox_has_no_debug_library_even_through_require(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    assert_runs_to(L, "return type(debug)", "nil");
    const char *msg = error_of(L, "return require('debug')");
    assert_contains(msg, "module 'debug' not found");
    lseq_closestate(L);
}

static void test_sandbox_refuses_finalizers_on_tables(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    const char *msg = error_of(L, "setmetatable({}, {__gc = function() "
                                  "while true do end end})");
    assert_contains(msg, "__gc metamethods are not allowed in the sandbox");
    lua_pop(L, 1);
    assert_runs_to(L,
                   "return getmetatable(setmetatable({}, {__index = {v = "
                   "'ok'}})).__index.v",
                   "ok");
    lseq_closestate(L);
}

static void test_sandbox_searches_only_preload_and_lua_files(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    assert_runs_to(L, "return #package.searchers .. ' ' .. package.cpath",
                   "2 ");
    lseq_closestate(L);
}

static void test_plain_state_keeps_the_full_libraries(void **state)
{
    (void)state;
    lua_State *L = lseq_newstate(NULL, false);
    assert_non_null(L);
    assert_runs_to(L, "return type(debug.traceback) .. type(os.getenv)",
                   "functionfunction");
    lseq_closestate(L);
}

static void test_binary_chunks_are_refused(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    assert_runs_to(L,
                   "local f, e = load(string.dump(function() return 1 end)) "
                   "return tostring(f) .. ': ' .. e",
                   "nil: attempt to load a binary chunk (mode is 't')");
    assert_runs_to(L,
                   "local f, e = load(string.dump(function() end), 'x', 'b')"
                   " return tostring(f)",
                   "nil");
    assert_runs_to(L, "return load('return 1 + 2')() .. ''", "3");
    assert_runs_to(L,
                   "local env = {v = 5} "
                   "return load('return v', 'c', 't', env)() .. ''",
                   "5");
    lseq_closestate(L);
}

/* ---- the sandbox's files ------------------------------------------------ */

static void test_io_open_outside_read_dirs_is_refused_clearly(void **state)
{
    struct fixture *fx = *state;
    lua_State *L = new_sandbox(fx, (struct lseq_limits){0});
    lua_pushstring(L, fx->outside);
    lua_setglobal(L, "OUT");
    assert_runs_to(L,
                   "local f, e = io.open(OUT .. '/secret.txt') "
                   "return tostring(f) .. ' ' .. e",
                   lua_pushfstring(L,
                                   "nil %s/secret.txt: not allowed in the "
                                   "sandbox (files may be read only under "
                                   "%s, %s)",
                                   fx->outside, fx->read, fx->write));
    const char *msg = error_of(L, "return assert(io.open('/etc/passwd'))");
    assert_contains(msg, "/etc/passwd: not allowed in the sandbox");
    lseq_closestate(L);
}

static void test_io_open_inside_read_dirs_reads_the_file(void **state)
{
    struct fixture *fx = *state;
    lua_State *L = new_sandbox(fx, (struct lseq_limits){0});
    lua_pushstring(L, fx->read);
    lua_setglobal(L, "IN");
    assert_runs_to(L,
                   "local f = assert(io.open(IN .. '/data.txt')) "
                   "local s = f:read('l') f:close() return s",
                   "hello from read");
    assert_runs_to(L,
                   "local n = 0 for l in io.lines(IN .. '/data.txt') do "
                   "n = n + 1 end return n .. ''",
                   "1");
    lseq_closestate(L);
}

static void test_writes_are_allowed_only_under_write_dirs(void **state)
{
    struct fixture *fx = *state;
    lua_State *L = new_sandbox(fx, (struct lseq_limits){0});
    lua_pushstring(L, fx->read);
    lua_setglobal(L, "IN");
    lua_pushstring(L, fx->write);
    lua_setglobal(L, "OUTDIR");
    assert_runs_to(L,
                   "local f, e = io.open(IN .. '/new.txt', 'w') "
                   "return tostring(f)",
                   "nil");
    assert_runs_to(L,
                   "local f = assert(io.open(OUTDIR .. '/new.txt', 'w')) "
                   "f:write('written') f:close() "
                   "return io.open(OUTDIR .. '/new.txt'):read('a')",
                   "written");
    const char *msg = error_of(L, "io.output(IN .. '/x.txt')");
    assert_contains(msg, "not allowed in the sandbox (files may be written "
                         "only under");
    lseq_closestate(L);
}

static void test_dotdot_and_symlinks_cannot_leave_the_read_dirs(void **state)
{
    struct fixture *fx = *state;
    char link[PATH_MAX * 2], target[PATH_MAX * 2];
    snprintf(link, sizeof link, "%s/link.txt", fx->read);
    snprintf(target, sizeof target, "%s/secret.txt", fx->outside);
    assert_int_equal(symlink(target, link), 0);
    lua_State *L = new_sandbox(fx, (struct lseq_limits){0});
    lua_pushstring(L, fx->read);
    lua_setglobal(L, "IN");
    assert_runs_to(L,
                   "return tostring(io.open(IN .. '/../outside/secret.txt')"
                   ") .. ' ' .. tostring(io.open(IN .. '/link.txt'))",
                   "nil nil");
    lseq_closestate(L);
}

static void test_dofile_and_loadfile_follow_the_read_dirs(void **state)
{
    struct fixture *fx = *state;
    lua_State *L = new_sandbox(fx, (struct lseq_limits){0});
    lua_pushstring(L, fx->read);
    lua_setglobal(L, "IN");
    lua_pushstring(L, fx->outside);
    lua_setglobal(L, "OUT");
    assert_runs_to(L, "return dofile(IN .. '/script.lua') .. ''", "42");
    assert_runs_to(L, "return loadfile(IN .. '/script.lua')() .. ''", "42");
    assert_runs_to(L,
                   "local f, e = loadfile(OUT .. '/evil.lua') "
                   "return tostring(f)",
                   "nil");
    const char *msg = error_of(L, "dofile(OUT .. '/evil.lua')");
    assert_contains(msg, "evil.lua: not allowed in the sandbox");
    lseq_closestate(L);
}

static void test_require_finds_lua_files_only_under_read_dirs(void **state)
{
    struct fixture *fx = *state;
    lua_State *L = new_sandbox(fx, (struct lseq_limits){0});
    assert_runs_to(L, "return require('mymod').answer .. ''", "42");
    lua_pushstring(L, fx->outside);
    lua_setglobal(L, "OUT");
    const char *msg = error_of(L, "package.path = OUT .. '/?.lua' "
                                  "return require('evil')");
    assert_contains(msg, "module 'evil' not found");
    lseq_closestate(L);
}

static void test_require_finds_seqlab_modules_in_the_sandbox(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    assert_runs_to(L, "return type(require('seq').zeros)", "function");
    assert_runs_to(L, "return type(seq) .. type(np) .. type(require('np'))",
                   "tabletabletable");
    lseq_closestate(L);
}

/* ---- output capture ----------------------------------------------------- */

static void test_capture_collects_print_and_writes_to_stdout(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    lseq_capture_begin(L, 1024);
    assert_runs_to(L,
                   "print('a', 1, nil) io.write('b', 2, ' ', 1.5, '\\n') "
                   "io.stdout:write('c\\n') return 'x'",
                   "x");
    size_t len;
    const char *out = lseq_capture_end(L, &len);
    assert_string_equal(out, "a\t1\tnil\nb2 1.5\nc\n");
    assert_int_equal(len, strlen(out));
    lseq_closestate(L);
}

static void test_capture_truncates_with_a_note(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    lseq_capture_begin(L, 10);
    assert_runs_to(L, "for i = 1, 100 do print('0123456789') end return ''",
                   "");
    size_t len;
    const char *out = lseq_capture_end(L, &len);
    assert_string_equal(out, "0123456789\n... [output truncated]\n");
    lseq_closestate(L);
}

static void test_capture_ends_and_output_is_no_longer_collected(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    lseq_capture_begin(L, 100);
    assert_runs_to(L, "io.write('one') return ''", "");
    size_t len;
    assert_string_equal(lseq_capture_end(L, &len), "one");
    /* a second capture starts empty */
    lseq_capture_begin(L, 100);
    assert_string_equal(lseq_capture_end(L, &len), "");
    assert_int_equal(len, 0);
    lseq_closestate(L);
}

/* ---- error messages ----------------------------------------------------- */

static void
test_runtime_error_has_a_traceback_naming_chunk_and_line(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    const char *code = "local function f(x)\n"
                       "  return x + nil\n"
                       "end\n"
                       "local y = f(1)\n"
                       "return y\n";
    assert_int_equal(luaL_loadbuffer(L, code, strlen(code), "=solution.lua"),
                     LUA_OK);
    assert_int_not_equal(lseq_pcall(L, 0, 1), LUA_OK);
    const char *msg = lua_tostring(L, -1);
    assert_starts_with(msg, "solution.lua:2: attempt to perform arithmetic");
    assert_contains(msg, "stack traceback:");
    assert_contains(msg, "solution.lua:4: in main chunk");
    /* the host's own frame is trimmed */
    assert_null(strstr(msg, "[C]: in ?"));
    lseq_closestate(L);
}

static void test_non_string_error_objects_are_described(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    assert_starts_with(error_of(L, "error({})"),
                       "(error object is a table value)\nstack traceback:");
    lua_pop(L, 1);
    /* as in lua.c, __tostring's result is the whole message */
    assert_string_equal(
        error_of(L, "error(setmetatable({}, {__tostring = function() "
                    "return 'custom' end}))"),
        "custom");
    lseq_closestate(L);
}

static void test_lseq_pcall_leaves_the_stack_balanced(void **state)
{
    lua_State *L = new_sandbox(*state, (struct lseq_limits){0});
    int top = lua_gettop(L);
    luaL_loadstring(L, "return ...");
    lua_pushinteger(L, 7);
    lua_pushinteger(L, 8);
    assert_int_equal(lseq_pcall(L, 2, LUA_MULTRET), LUA_OK);
    assert_int_equal(lua_gettop(L), top + 2);
    assert_int_equal(lua_tointeger(L, -1), 8);
    lua_settop(L, top);
    luaL_loadstring(L, "error('x')");
    assert_int_not_equal(lseq_pcall(L, 0, 0), LUA_OK);
    assert_int_equal(lua_gettop(L), top + 1);
    lseq_closestate(L);
}

static void test_tiny_heap_cap_fails_state_creation_cleanly(void **state)
{
    (void)state;
    struct lseq_limits lim = {.lua_bytes = 4096};
    assert_null(lseq_newstate(&lim, true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_heap_cap_stops_a_growing_table_with_a_clear_message),
        T(test_state_runs_normally_after_the_heap_cap_was_hit),
        T(test_huge_string_rep_is_a_memory_error_not_a_crash),
        T(test_memory_error_caught_by_pcall_lets_the_script_go_on),
        T(test_time_limit_stops_an_endless_loop_on_time),
        T(test_time_limit_cannot_be_caught_with_pcall),
        T(test_each_run_gets_a_fresh_deadline),
        T(test_time_limit_reaches_loops_inside_coroutines),
        T(test_interrupt_flag_stops_the_run_with_interrupted),
        T(test_interrupt_from_a_signal_handler_stops_the_run),
        T(test_tensor_memory_cap_makes_a_huge_tensor_an_error),
        T(test_tensor_limit_of_the_host_is_restored_after_a_run),
        T(test_time_limit_reaches_long_engine_loops),
        T(test_cancel_callback_is_removed_after_the_run),
        T(test_sandbox_has_no_process_or_native_code_functions),
        T(test_sandbox_has_no_debug_library_even_through_require),
        T(test_sandbox_refuses_finalizers_on_tables),
        T(test_sandbox_searches_only_preload_and_lua_files),
        T(test_plain_state_keeps_the_full_libraries),
        T(test_binary_chunks_are_refused),
        T(test_io_open_outside_read_dirs_is_refused_clearly),
        T(test_io_open_inside_read_dirs_reads_the_file),
        T(test_writes_are_allowed_only_under_write_dirs),
        T(test_dotdot_and_symlinks_cannot_leave_the_read_dirs),
        T(test_dofile_and_loadfile_follow_the_read_dirs),
        T(test_require_finds_lua_files_only_under_read_dirs),
        T(test_require_finds_seqlab_modules_in_the_sandbox),
        T(test_capture_collects_print_and_writes_to_stdout),
        T(test_capture_truncates_with_a_note),
        T(test_capture_ends_and_output_is_no_longer_collected),
        T(test_runtime_error_has_a_traceback_naming_chunk_and_line),
        T(test_non_string_error_objects_are_described),
        T(test_lseq_pcall_leaves_the_stack_balanced),
        T(test_tiny_heap_cap_fails_state_creation_cleanly),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
