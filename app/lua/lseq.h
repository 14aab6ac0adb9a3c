/* lseq.h — what the Lua binding files share: the seq.Tensor userdata, how
 * results are pushed without leaking on a Lua error, engine errors turned
 * into Lua errors, and creating a Lua state with seqlab's modules (plain or
 * sandboxed).
 *
 * Conventions (after Lua's own liolib/lstrlib):
 *  - one metatable per userdata type, checked with luaL_checkudata;
 *  - the userdata box is pushed *before* the engine object exists
 *    (lseq_newslot), so a Lua error can never leak it; __gc and __close
 *    share one idempotent release;
 *  - argument errors read "bad argument #2 to 'matmul' (seq.Tensor expected,
 *    got number)"; engine failures raise the engine's message as is;
 *  - dimensions and indices are 1-based in Lua, converted here once. */
#ifndef LSEQ_H
#define LSEQ_H

#include <stdbool.h>
#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "seq/tensor.h"

#define LSEQ_TENSOR "seq.Tensor"

struct lseq_box {
    struct seq_tensor *t; /* NULL once freed */
};

/* ---- tensors ------------------------------------------------------------ */
/* The tensor at idx; raises a standard argument error otherwise, and
 * "attempt to use a freed tensor" for a released one. */
struct seq_tensor *lseq_checktensor(lua_State *L, int idx);
/* The tensor at idx, or NULL if the value is not a live tensor. */
struct seq_tensor *lseq_totensor(lua_State *L, int idx);
/* Pushes a new, empty seq.Tensor userdata and returns the slot the engine
 * writes its result into.  If the op fails, the empty box is garbage. */
struct seq_tensor **lseq_newslot(lua_State *L);
/* Pushes t, taking over the caller's reference (t may be NULL: pushes nil).
 * Only for tensors that already exist; ops should use lseq_newslot. */
void lseq_pushtensor(lua_State *L, struct seq_tensor *t);
/* Raises the engine's message as a Lua error unless status is SEQ_OK. */
int lseq_check(lua_State *L, int status);
/* A tensor argument that may also be a number or a nested table of numbers:
 * numbers and tables become new tensors (of `like`'s dtype when given),
 * anchored on the stack so they are freed by the GC. */
struct seq_tensor *lseq_checktensorish(lua_State *L, int idx,
                                       const struct seq_tensor *like);
/* A 1-based dimension argument (negative counts from the end) converted to
 * the engine's 0-based one. */
int lseq_checkdim(lua_State *L, int idx, const struct seq_tensor *t);
/* Reads a shape from varargs starting at idx (`3, 10`) or a table at idx
 * (`{3, 10}`).  Returns the number of dims. */
int lseq_checkshape(lua_State *L, int idx, int64_t *shape);

/* ---- states ------------------------------------------------------------- */
struct lseq_limits {
    double seconds;        /* wall-clock limit for a run, 0 = none */
    int64_t lua_bytes;     /* cap on the Lua heap, 0 = none */
    int64_t tensor_bytes;  /* cap on tensor memory, 0 = none */
    /* Sandbox file access: NULL-terminated lists of folders (NULL = none).
     * Files under read_dirs or write_dirs may be read; files under
     * write_dirs may be written. */
    const char *const *read_dirs;
    const char *const *write_dirs;
    size_t max_output;     /* default cap of lseq_capture_begin, 0 = 64 KiB */
};
/* Registers the seqlab modules (seq, np, nn, optim, viz and the Lua-side
 * library) in package.preload and, when `globals`, sets them as globals. */
void lseq_openlibs(lua_State *L, bool globals);

/* A Lua state whose heap is capped at lim->lua_bytes (an allocation beyond
 * it fails: "not enough memory" inside Lua), with the standard libraries
 * (sandbox: no debug, os.execute/exit/remove/rename/tmpname/getenv,
 * io.popen, package.loadlib or C searchers, __gc on tables; text chunks
 * only; files only under lim->read_dirs / write_dirs; require only of
 * preloaded modules and .lua files under read_dirs) and the seqlab modules
 * as globals.  lim may be
 * NULL (no limits); it is copied.  NULL if the state cannot be created. */
lua_State *lseq_newstate(const struct lseq_limits *lim, bool sandbox);
void lseq_closestate(lua_State *L);
/* For bindings that open files themselves (seq.save, seq.load): NULL when
 * the state may read (or write) path; otherwise pushes and returns the
 * sandbox's "not allowed" message. */
const char *lseq_file_denied(lua_State *L, const char *path, bool write);
/* lua_pcall with a traceback message handler, under the state's limits:
 * wall-clock deadline (lim->seconds from the outermost call), the interrupt
 * flag, and lim->tensor_bytes as the engine's memory limit (the previous
 * limit is restored after).  On an error the message is a string on the
 * stack; limit hits read "time limit exceeded (10 s)", "memory limit
 * exceeded (256 MiB of Lua heap)" or "interrupted".  The interrupt flag is
 * cleared when the outermost call returns. */
int lseq_pcall(lua_State *L, int nargs, int nresults);
enum lseq_stop {
    LSEQ_STOP_NONE,
    LSEQ_STOP_TIME,
    LSEQ_STOP_MEMORY,
    LSEQ_STOP_INTERRUPT,
};
/* Which limit ended the last lseq_pcall (LSEQ_STOP_NONE if none did). */
int lseq_last_stop(lua_State *L);
/* Asks the running lseq_pcall to stop (async-signal-safe). */
void lseq_interrupt(void);
void lseq_clear_interrupt(void);
bool lseq_interrupted(void);
/* A host callback run during lseq_pcall at most every ~30 ms of wall time
 * (the clock is read by the count hook every few thousand instructions
 * and at the engine's seq_poll_cancel), so that a host can poll its input
 * and redraw during long runs; runs shorter than 30 ms never call it, nor
 * does code run outside lseq_pcall.  fn may call lseq_interrupt() to stop
 * the run ("interrupted"); it must not raise Lua errors (it may run inside
 * engine code) nor start another run on this state.  NULL removes it. */
void lseq_set_pump(lua_State *L, void (*fn)(void *ud), void *ud);
/* Installs a SIGINT handler calling lseq_interrupt; a second Ctrl-C while
 * a run has not yet stopped kills the process (as lua.c does). */
void lseq_catch_sigint(void);

/* Output of print, io.write and io.stdout:write goes to fn while set
 * (NULL: back to stdout).  Other files and stderr are not redirected. */
typedef void (*lseq_write_fn)(void *ud, const char *s, size_t n);
void lseq_redirect_output(lua_State *L, lseq_write_fn fn, void *ud);
/* Collects that output in a buffer of at most cap bytes (0: the limits'
 * max_output), ending with "... [output truncated]" when cut.  The string
 * returned by _end stays valid until the next _begin or closestate. */
void lseq_capture_begin(lua_State *L, size_t cap);
const char *lseq_capture_end(lua_State *L, size_t *len);

/* ---- REPL evaluation (app/lua/repl_eval.c) -------------------------------
 * One REPL step, without any terminal: the CLI REPL and the TUI's REPL pane
 * both feed it the statement typed so far (lines joined with "\n"). */
struct lseq_repl_io {
    lseq_write_fn out; /* values of expressions; print output goes where
                        * lseq_redirect_output sends it */
    lseq_write_fn err; /* "error: ..." and warnings */
    void *ud;
};
enum lseq_repl_status {
    LSEQ_REPL_DONE,       /* ran (results, if any, written to out) */
    LSEQ_REPL_INCOMPLETE, /* needs another line: prompt with ">> " */
    LSEQ_REPL_ERROR,      /* syntax or runtime error, written to err */
};
/* Like lua.c: "=expr" and expressions print their values (tostring, tab
 * separated); an unfinished statement is INCOMPLETE unless at_eof, when
 * its syntax error is reported.  Chunk name "=repl". */
int lseq_repl_eval(lua_State *L, const char *chunk, bool at_eof,
                   const struct lseq_repl_io *io);
/* Completion candidates for a word such as "seq.ze", "nn.functional.re" or
 * "x:ma" (globals, fields along the dotted path, methods from the value's
 * metatable: its __methods table and __index tables), sorted, as a malloc'd
 * NULL-terminated array of malloc'd strings; NULL if none.  Never runs Lua
 * code (__index functions are not called). */
char **lseq_repl_completions(lua_State *L, const char *word);

#endif
