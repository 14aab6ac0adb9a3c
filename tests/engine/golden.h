/* golden.h — reads the reference-value files in tests/golden/ (written by
 * the generators in tests/golden/gen/) and hands their tensors to tests.
 *
 * The format is documented at the top of each file: blocks of
 * `tensor NAME DTYPE NDIM D0 D1 ...` followed by the values in C order.
 * A golden set also owns the tensors a test makes while comparing against
 * it (golden_keep), so that one golden_free in the teardown releases
 * everything, even after a failed assertion. */
#ifndef SEQ_TESTS_GOLDEN_H
#define SEQ_TESTS_GOLDEN_H

#include "seq/tensor.h"

struct golden;

/* Reads `file`.  A relative name is looked up in $SEQLAB_GOLDEN_DIR when
 * that is set, otherwise in tests/golden/ of the current directory (the
 * repo root, where the Makefile runs the tests) or of one of its three
 * nearest parents.  On failure prints why and returns NULL, so a cmocka
 * setup can return -1. */
struct golden *golden_load(const char *file);

/* Parses text in the same format (for testing the reader itself); origin
 * names it in messages.  NULL, after printing why, when malformed. */
struct golden *golden_parse(const char *text, const char *origin);

/* A new tensor holding the values stored under `name`, owned by g and
 * released by golden_free.  Each call makes a fresh copy, so a test may set
 * requires_grad on it.  Fails the current test when the name is missing. */
struct seq_tensor *golden_get(struct golden *g, const char *name);

/* The stored values of `name` as float64 in C order (owned by g); *n gets
 * their count.  Fails the current test when the name is missing. */
const double *golden_values(struct golden *g, const char *name, int64_t *n);

/* Asserts that t has the shape stored under `name` and that every element
 * is within atol + rtol * |want| of the stored value. */
void golden_assert_close(struct golden *g, const struct seq_tensor *t,
                         const char *name, double rtol, double atol);

/* Hands t (may be NULL) to g, which releases it in golden_free; returns t. */
struct seq_tensor *golden_keep(struct golden *g, struct seq_tensor *t);

/* Releases every tensor g handed out or kept, then g itself.  NULL-safe. */
void golden_free(struct golden *g);

#endif
