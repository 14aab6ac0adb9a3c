/* error.c — the last-error buffer, memory accounting and cancellation.
 * Nothing here prints: messages are stored for the caller to show. */
#include "seq/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_ERRBUF 512

static _Thread_local char errbuf[SEQ_ERRBUF];

const char *seq_error(void)
{
    return errbuf;
}

const char *seq_status_name(int status)
{
    static const char *const names[] = {
        "OK",     "EINVAL",  "ESHAPE", "EDTYPE", "EINDEX",
        "ENOMEM", "EIO",     "EFORMAT", "EGRAD", "ECANCELED",
    };
    if (status < 0 || status >= (int)(sizeof names / sizeof names[0]))
        return "EUNKNOWN";
    return names[status];
}

int seq_vfail(int status, const char *fmt, va_list ap)
{
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    return status;
}

int seq_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    seq_vfail(status, fmt, ap);
    va_end(ap);
    return status;
}

int seq_error_prefix(int status, const char *prefix)
{
    char tmp[2 * SEQ_ERRBUF];
    snprintf(tmp, sizeof tmp, "%s: %s", prefix, errbuf);
    snprintf(errbuf, sizeof errbuf, "%.*s", SEQ_ERRBUF - 1, tmp);
    return status;
}

void seq_clear_error(void)
{
    errbuf[0] = '\0';
}

/* ---- memory ------------------------------------------------------------ */

static _Atomic int64_t mem_live, mem_peak, mem_limit, mem_blocks;

void seq_memory(struct seq_memstats *out)
{
    out->live_bytes = mem_live;
    out->peak_bytes = mem_peak;
    out->limit_bytes = mem_limit;
    out->live_blocks = mem_blocks;
}

void seq_set_memory_limit(int64_t bytes)
{
    mem_limit = bytes > 0 ? bytes : 0;
}

void seq_reset_peak(void)
{
    mem_peak = mem_live;
}

static void fmt_bytes(char *buf, size_t n, int64_t b)
{
    if (b >= (int64_t)1 << 30)
        snprintf(buf, n, "%.1f GiB", (double)b / (1 << 30));
    else if (b >= 1 << 20)
        snprintf(buf, n, "%.1f MiB", (double)b / (1 << 20));
    else if (b >= 1 << 10)
        snprintf(buf, n, "%.1f KiB", (double)b / (1 << 10));
    else
        snprintf(buf, n, "%lld bytes", (long long)b);
}

void *seq_alloc(int64_t nbytes, const char *what)
{
    char want[32], have[32];
    if (nbytes < 0) {
        seq_fail(SEQ_EINVAL, "%s: negative allocation size", what);
        return NULL;
    }
    int64_t limit = mem_limit;
    if (limit && nbytes > limit - mem_live) {
        fmt_bytes(want, sizeof want, nbytes);
        fmt_bytes(have, sizeof have, mem_live);
        seq_fail(SEQ_ENOMEM,
                 "%s: out of memory: %s requested with %s in use "
                 "(limit %lld bytes)",
                 what, want, have, (long long)limit);
        return NULL;
    }
    /* Round up to the alignment; keep at least one byte so that empty
     * tensors still own a distinct block. */
    size_t sz = ((size_t)nbytes + 63) & ~(size_t)63;
    if (sz == 0)
        sz = 64;
    void *p = NULL;
    if ((uint64_t)nbytes > ((uint64_t)1 << 46) ||
        posix_memalign(&p, 64, sz) != 0 || !p) {
        fmt_bytes(want, sizeof want, nbytes);
        seq_fail(SEQ_ENOMEM, "%s: cannot allocate %s", what, want);
        return NULL;
    }
    memset(p, 0, sz);
    mem_live += nbytes;
    int64_t live = mem_live;
    mem_blocks++;
    if (live > mem_peak)
        mem_peak = live;
    return p;
}

void seq_free(void *p, int64_t nbytes)
{
    if (!p)
        return;
    free(p);
    mem_live -= nbytes;
    mem_blocks--;
}

/* ---- cancellation ------------------------------------------------------ */

static _Thread_local seq_cancel_fn cancel_fn;
static _Thread_local void *cancel_ud;

void seq_set_cancel_fn(seq_cancel_fn fn, void *ud)
{
    cancel_fn = fn;
    cancel_ud = ud;
}

int seq_poll_cancel(void)
{
    if (cancel_fn && cancel_fn(cancel_ud))
        return seq_fail(SEQ_ECANCELED, "interrupted");
    return SEQ_OK;
}
