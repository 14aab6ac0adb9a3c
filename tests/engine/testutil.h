/* testutil.h — shared helpers for the engine's cmocka suites.
 *
 * Each tests/engine/test_<area>.c is its own binary (the Makefile finds them
 * by name) linked with the engine and every non-test_ .c file in this folder.
 * Tests read as sentences: test_matmul_rejects_mismatched_inner_dims. */
#ifndef SEQ_TESTUTIL_H
#define SEQ_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "seq/tensor.h"

/* Fails the test with the engine's message when `expr` is not SEQ_OK. */
#define assert_ok(expr)                                                       \
    do {                                                                      \
        int st_ = (expr);                                                     \
        if (st_ != SEQ_OK)                                                    \
            fail_msg("%s -> %s: %s", #expr, seq_status_name(st_),             \
                     seq_error());                                            \
    } while (0)

/* Asserts that `expr` fails with `status` and that the message contains
 * `needle`. */
#define assert_fails(expr, status, needle)                                    \
    do {                                                                      \
        int st_ = (expr);                                                     \
        if (st_ != (status))                                                  \
            fail_msg("%s returned %s, expected %s (msg: %s)", #expr,          \
                     seq_status_name(st_), seq_status_name(status),           \
                     seq_error());                                            \
        if (!strstr(seq_error(), (needle)))                                   \
            fail_msg("%s: message \"%s\" lacks \"%s\"", #expr, seq_error(),   \
                     (needle));                                               \
    } while (0)

/* Literal shapes and values: SHAPE(2, 3), VALUES(1.5, -2, ...). */
#define SHAPE(...)  ((const int64_t[]){__VA_ARGS__})
#define VALUES(...) ((const double[]){__VA_ARGS__})
#define NVALUES(...)                                                          \
    ((int64_t)(sizeof((const double[]){__VA_ARGS__}) / sizeof(double)))
/* Exact (assert_values) or relative (assert_values_near) comparisons of a
 * tensor with literal values in C order. */
#define assert_values(t, ...)                                                 \
    assert_tensor_close((t), VALUES(__VA_ARGS__), NVALUES(__VA_ARGS__), 0, 0)
#define assert_values_near(t, rtol, ...)                                      \
    assert_tensor_close((t), VALUES(__VA_ARGS__), NVALUES(__VA_ARGS__),       \
                        (rtol), 0)

/* A setup/teardown pair that fails a test which leaves engine memory
 * allocated: cmocka_unit_test_setup_teardown(f, note_memory,
 * check_no_leak). */
int note_memory(void **state);
int check_no_leak(void **state);

/* Asserts |got - want| <= atol + rtol * |want| for every element of t
 * (compared in float64, C order) and names the first bad index. */
void assert_tensor_close(const struct seq_tensor *t, const double *want,
                         int64_t n, double rtol, double atol);
/* Asserts t's shape equals the given one. */
void assert_shape(const struct seq_tensor *t, int ndim, const int64_t *shape);
/* A tensor from a list of doubles: tensor_of(SEQ_FLOAT64, 2, (int64_t[]){2,3},
 * (double[]){...}). */
struct seq_tensor *tensor_of(enum seq_dtype dt, int ndim,
                             const int64_t *shape, const double *values);

#endif
