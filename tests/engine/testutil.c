/* testutil.c — helpers shared by the engine's cmocka suites. */
#include "testutil.h"

#include <stdlib.h>

void assert_tensor_close(const struct seq_tensor *t, const double *want,
                         int64_t n, double rtol, double atol)
{
    char sb[SEQ_SHAPE_BUF];
    int64_t numel = seq_numel(t);
    if (numel != n)
        fail_msg("tensor %s has %lld elements, expected %lld",
                 seq_shape_str(sb, sizeof sb, t->ndim, t->shape),
                 (long long)numel, (long long)n);
    double *got = malloc(sizeof(double) * (size_t)(n ? n : 1));
    assert_non_null(got);
    assert_ok(seq_copy_out(got, SEQ_FLOAT64, t));
    for (int64_t i = 0; i < n; i++) {
        double d = fabs(got[i] - want[i]);
        if (!(d <= atol + rtol * fabs(want[i])) &&
            !(isnan(got[i]) && isnan(want[i])) &&
            !(isinf(got[i]) && got[i] == want[i])) {
            double g = got[i];
            free(got);
            fail_msg("element %lld: got %.17g, expected %.17g (|diff| %.3g, "
                     "rtol %g, atol %g)",
                     (long long)i, g, want[i], d, rtol, atol);
        }
    }
    free(got);
}

void assert_shape(const struct seq_tensor *t, int ndim, const int64_t *shape)
{
    char a[SEQ_SHAPE_BUF], b[SEQ_SHAPE_BUF];
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == shape[i];
    if (!same)
        fail_msg("shape %s, expected %s",
                 seq_shape_str(a, sizeof a, t->ndim, t->shape),
                 seq_shape_str(b, sizeof b, ndim, shape));
}

struct seq_tensor *tensor_of(enum seq_dtype dt, int ndim,
                             const int64_t *shape, const double *values)
{
    struct seq_tensor *t = NULL, *d = NULL;
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    assert_ok(seq_from_buffer(&d, SEQ_FLOAT64, ndim, shape, values));
    (void)n;
    if (dt == SEQ_FLOAT64)
        return d;
    assert_ok(seq_to(&t, d, dt));
    seq_release(d);
    return t;
}

static struct seq_memstats at_start;

int note_memory(void **state)
{
    (void)state;
    seq_memory(&at_start);
    return 0;
}

int check_no_leak(void **state)
{
    (void)state;
    struct seq_memstats now;
    seq_memory(&now);
    if (now.live_blocks != at_start.live_blocks) {
        print_error("leak: %lld blocks live before the test, %lld after\n",
                    (long long)at_start.live_blocks,
                    (long long)now.live_blocks);
        return -1;
    }
    return 0;
}
