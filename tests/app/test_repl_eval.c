/* test_repl_eval.c — one REPL step without a terminal (app/lua/repl_eval.c):
 * expressions print their values, "=expr", unfinished statements ask for
 * more, errors are reported with a trimmed traceback, print goes through
 * the state's output; and completion candidates for globals, dotted fields
 * and methods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lseq.h"

struct sink {
    char out[4096], err[4096];
    size_t nout, nerr;
};

static void append(char *buf, size_t *n, const char *s, size_t len)
{
    if (*n + len >= 4096)
        len = 4095 - *n;
    memcpy(buf + *n, s, len);
    *n += len;
    buf[*n] = '\0';
}

static void to_out(void *ud, const char *s, size_t n)
{
    struct sink *k = ud;
    append(k->out, &k->nout, s, n);
}

static void to_err(void *ud, const char *s, size_t n)
{
    struct sink *k = ud;
    append(k->err, &k->nerr, s, n);
}

struct ctx {
    lua_State *L;
    struct sink sink;
    struct lseq_repl_io io;
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->L = lseq_newstate(NULL, false);
    if (!c->L)
        return -1;
    c->io = (struct lseq_repl_io){to_out, to_err, &c->sink};
    /* print goes where the REPL's results go, as in the TUI pane */
    lseq_redirect_output(c->L, to_out, &c->sink);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    lseq_closestate(c->L);
    free(c);
    return 0;
}

static void dostring(lua_State *L, const char *code)
{
    if (luaL_dostring(L, code) != LUA_OK)
        fail_msg("%s: %s", code, lua_tostring(L, -1));
}

static int eval(struct ctx *c, const char *chunk)
{
    c->sink.nout = c->sink.nerr = 0;
    c->sink.out[0] = c->sink.err[0] = '\0';
    return lseq_repl_eval(c->L, chunk, false, &c->io);
}

static void test_expression_prints_its_values_tab_separated(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "1 + 1"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.out, "2\n");
    assert_int_equal(eval(c, "'a', nil, 2.5, true"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.out, "a\tnil\t2.5\ttrue\n");
    assert_string_equal(c->sink.err, "");
}

static void test_equals_prefix_means_return(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "=10 // 3"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.out, "3\n");
}

static void test_statement_prints_nothing_but_its_output(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "x = 5"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.out, "");
    assert_int_equal(eval(c, "print(x * 2)"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.out, "10\n");
}

static void test_unfinished_statement_asks_for_more_then_runs(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "function f(a)"), LSEQ_REPL_INCOMPLETE);
    assert_int_equal(eval(c, "function f(a)\n  return a * 3"),
                     LSEQ_REPL_INCOMPLETE);
    assert_string_equal(c->sink.err, "");
    assert_int_equal(eval(c, "function f(a)\n  return a * 3\nend"),
                     LSEQ_REPL_DONE);
    assert_int_equal(eval(c, "f(14)"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.out, "42\n");
}

static void test_unfinished_statement_at_eof_is_a_syntax_error(void **state)
{
    struct ctx *c = *state;
    c->sink.nerr = 0;
    assert_int_equal(lseq_repl_eval(c->L, "for i = 1, 2 do", true, &c->io),
                     LSEQ_REPL_ERROR);
    assert_string_equal(c->sink.err,
                        "error: repl:1: 'end' expected near <eof>\n");
}

static void test_syntax_error_is_reported_not_continued(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "x = = 1"), LSEQ_REPL_ERROR);
    assert_string_equal(c->sink.err,
                        "error: repl:1: unexpected symbol near '='\n");
}

static void
test_runtime_error_shows_a_traceback_without_host_frames(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "error('boom')"), LSEQ_REPL_ERROR);
    assert_string_equal(c->sink.err, "error: repl:1: boom\n"
                                     "stack traceback:\n"
                                     "\t[C]: in function 'error'\n"
                                     "\trepl:1: in main chunk\n");
    /* the state carries on */
    assert_int_equal(eval(c, "'still here'"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.out, "still here\n");
}

static void test_failing_tostring_is_reported(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "setmetatable({}, {__tostring = function() "
                             "error('no') end})"),
                     LSEQ_REPL_ERROR);
    assert_non_null(strstr(c->sink.err, "error calling 'tostring'"));
}

static void test_local_statement_warns_that_it_will_not_survive(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "local y = 1"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.err, "warning: locals do not survive across "
                                     "lines in interactive mode\n");
    assert_int_equal(eval(c, "localvar = 1"), LSEQ_REPL_DONE);
    assert_string_equal(c->sink.err, "");
}

static void test_tensor_results_print_with_tostring(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(eval(c, "seq.zeros(2, 2)"), LSEQ_REPL_DONE);
    assert_non_null(strstr(c->sink.out, "0."));
    lua_State *L = c->L;
    dostring(L, "return tostring(seq.zeros(2, 2)) .. '\\n'");
    assert_string_equal(c->sink.out, lua_tostring(L, -1));
    lua_pop(L, 1);
}

/* ---- completion --------------------------------------------------------- */

static void free_list(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static bool has(char **v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

static void test_completes_globals_and_keywords(void **state)
{
    struct ctx *c = *state;
    char **v = lseq_repl_completions(c->L, "pri");
    assert_non_null(v);
    assert_string_equal(v[0], "print");
    assert_null(v[1]);
    free_list(v);
    v = lseq_repl_completions(c->L, "fun");
    assert_true(has(v, "function"));
    free_list(v);
}

static void test_completes_fields_along_a_dotted_path(void **state)
{
    struct ctx *c = *state;
    dostring(c->L, "mod = {sub = {alpha = 1, alps = 2, beta = 3}}");
    char **v = lseq_repl_completions(c->L, "mod.sub.al");
    assert_non_null(v);
    assert_string_equal(v[0], "mod.sub.alpha");
    assert_string_equal(v[1], "mod.sub.alps");
    assert_null(v[2]);
    free_list(v);
    v = lseq_repl_completions(c->L, "string.up");
    assert_non_null(v);
    assert_string_equal(v[0], "string.upper");
    free_list(v);
}

static void test_completes_seq_module_functions(void **state)
{
    struct ctx *c = *state;
    char **v = lseq_repl_completions(c->L, "seq.ze");
    assert_true(has(v, "seq.zeros"));
    free_list(v);
}

static void test_completes_methods_from_the_metatable_index(void **state)
{
    struct ctx *c = *state;
    dostring(c->L, "local M = {} M.__index = M "
                   "function M.forward() end function M.fit() end "
                   "obj = setmetatable({field = 1}, M) s = 'text'");
    char **v = lseq_repl_completions(c->L, "obj:f");
    assert_non_null(v);
    assert_string_equal(v[0], "obj:fit");
    assert_string_equal(v[1], "obj:forward");
    assert_null(v[2]); /* `field` is no method */
    free_list(v);
    v = lseq_repl_completions(c->L, "s:up");
    assert_non_null(v);
    assert_string_equal(v[0], "s:upper");
    free_list(v);
}

static void test_completes_tensor_methods(void **state)
{
    struct ctx *c = *state;
    dostring(c->L, "x = seq.zeros(2, 3)");
    char **v = lseq_repl_completions(c->L, "x:nu");
    assert_true(has(v, "x:numel"));
    free_list(v);
}

static void test_completion_never_calls_index_functions(void **state)
{
    struct ctx *c = *state;
    dostring(c->L, "called = false "
                   "lazy = setmetatable({}, {__index = function() "
                   "called = true end})");
    assert_null(lseq_repl_completions(c->L, "lazy.some.th"));
    dostring(c->L, "return called");
    assert_false(lua_toboolean(c->L, -1));
    lua_pop(c->L, 1);
}

static void test_completes_through_class_chains_and_nn_modules(void **state)
{
    struct ctx *c = *state;
    /* __index tables chained over three levels, and a cycle of them */
    dostring(c->L, "local Base = {} Base.__index = Base "
                   "function Base.base_m() end "
                   "local Mid = setmetatable({}, Base) Mid.__index = Mid "
                   "function Mid.mid_m() end "
                   "obj = setmetatable({}, Mid) "
                   "cyc_a, cyc_b = {}, {deep = 1} "
                   "setmetatable(cyc_a, {__index = cyc_b}) "
                   "setmetatable(cyc_b, {__index = cyc_a})");
    char **v = lseq_repl_completions(c->L, "obj:");
    assert_true(has(v, "obj:base_m"));
    assert_true(has(v, "obj:mid_m"));
    free_list(v);
    v = lseq_repl_completions(c->L, "cyc_a.de");
    assert_non_null(v);
    assert_string_equal(v[0], "cyc_a.deep");
    assert_null(v[1]);
    free_list(v);
    /* nn: instance -> class (an __index *function*) -> parent class, and
     * the registered parameters and submodules, without calling __index */
    dostring(c->L, "m = nn.Linear(3, 2) "
                   "local Net = nn.Module:extend('Net') "
                   "function Net:init() self.fc = nn.Linear(3, 2) end "
                   "net = Net() "
                   "local mt = getmetatable(m) local f = mt.__index "
                   "index_calls = 0 "
                   "mt.__index = function(...) index_calls = index_calls + 1 "
                   "return f(...) end");
    v = lseq_repl_completions(c->L, "m:forw");
    assert_non_null(v);
    assert_string_equal(v[0], "m:forward"); /* Linear's own */
    free_list(v);
    v = lseq_repl_completions(c->L, "m:param");
    assert_true(has(v, "m:parameters")); /* from nn.Module */
    free_list(v);
    v = lseq_repl_completions(c->L, "m.we");
    assert_non_null(v);
    assert_string_equal(v[0], "m.weight");
    free_list(v);
    v = lseq_repl_completions(c->L, "m.weight:nu");
    assert_true(has(v, "m.weight:numel"));
    free_list(v);
    v = lseq_repl_completions(c->L, "net.fc.bi");
    assert_non_null(v);
    assert_string_equal(v[0], "net.fc.bias");
    free_list(v);
    dostring(c->L, "return index_calls");
    assert_int_equal(lua_tointeger(c->L, -1), 0);
    lua_pop(c->L, 1);
}

static void test_completion_of_unknown_paths_is_empty(void **state)
{
    struct ctx *c = *state;
    assert_null(lseq_repl_completions(c->L, "nosuch.th"));
    assert_null(lseq_repl_completions(c->L, "a:b.c"));
    assert_null(lseq_repl_completions(c->L, "zzzqqq"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_expression_prints_its_values_tab_separated),
        T(test_equals_prefix_means_return),
        T(test_statement_prints_nothing_but_its_output),
        T(test_unfinished_statement_asks_for_more_then_runs),
        T(test_unfinished_statement_at_eof_is_a_syntax_error),
        T(test_syntax_error_is_reported_not_continued),
        T(test_runtime_error_shows_a_traceback_without_host_frames),
        T(test_failing_tostring_is_reported),
        T(test_local_statement_warns_that_it_will_not_survive),
        T(test_tensor_results_print_with_tostring),
        T(test_completes_globals_and_keywords),
        T(test_completes_fields_along_a_dotted_path),
        T(test_completes_seq_module_functions),
        T(test_completes_methods_from_the_metatable_index),
        T(test_completes_tensor_methods),
        T(test_completion_never_calls_index_functions),
        T(test_completes_through_class_chains_and_nn_modules),
        T(test_completion_of_unknown_paths_is_empty),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
