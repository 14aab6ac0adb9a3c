/* seq/safetensors.h — reading and writing the safetensors format, so that
 * weights move between seqlab and PyTorch / HuggingFace tools.
 *
 * Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * mapping tensor names to {"dtype", "shape", "data_offsets": [begin, end]}
 * (plus an optional "__metadata__" object of strings), then the data buffer
 * (little-endian, C order, offsets relative to its first byte).
 *
 * Files are untrusted input: every field is checked, nothing is read outside
 * the file, and every problem is a SEQ_EFORMAT (or SEQ_EIO for the file
 * system) whose message names the file, the tensor and what is wrong.
 *
 * dtypes on load:
 *   F32, F64, I64                  -> float32, float64, int64 as stored
 *   F16, BF16                      -> float32 (exact)
 *   I32, U32, I16, U16, I8, U8     -> int64 (exact)
 *   BOOL                           -> int64 0/1
 *   U64, F8_*, and anything else   -> SEQ_EFORMAT naming tensor and dtype
 * The writer emits only F32, F64 and I64 (seqlab's own dtypes). */
#ifndef SEQ_SAFETENSORS_H
#define SEQ_SAFETENSORS_H

#include <stddef.h>

#include "seq/tensor.h"

/* Headers longer than this are refused, as the reference implementation
 * does: a length field from a corrupt file must not drive a huge malloc. */
#define SEQ_ST_MAX_HEADER 100000000
/* Deepest JSON nesting accepted (a well-formed header needs 3 levels). */
#define SEQ_ST_MAX_DEPTH 64

struct seq_st_entry {
    char *name;
    struct seq_tensor *tensor; /* owned: one reference */
    const char *file_dtype;    /* as stored in the file ("BF16"); static */
};

/* A loaded file.  Entries are sorted by name (strcmp order), metadata by
 * key, so lookups can bisect and listings are stable. */
struct seq_st_file {
    int n;
    struct seq_st_entry *entries;
    int nmeta;
    char **meta_keys;
    char **meta_values;
};

/* Reads a whole file.  On failure *out is left empty (safe to free). */
int seq_st_load(struct seq_st_file *out, const char *path);
/* The same from memory; `what` names the buffer in messages. */
int seq_st_load_buffer(struct seq_st_file *out, const void *buf, size_t len,
                       const char *what);
/* Releases the tensors and strings and empties *f.  NULL-safe, and safe to
 * call twice. */
void seq_st_file_free(struct seq_st_file *f);

/* Borrowed lookups: NULL when the name or key is absent. */
struct seq_tensor *seq_st_find(const struct seq_st_file *f, const char *name);
const char *seq_st_meta(const struct seq_st_file *f, const char *key);

/* Writes n named tensors and nmeta metadata pairs (either count may be 0,
 * and the arrays then NULL).  Any strided view is written in C order.
 * Layout follows the reference writer: int64, then float64, then float32
 * tensors, each group sorted by name, header padded with spaces to a
 * multiple of 8 bytes — so every tensor starts at an offset that is a
 * multiple of its element size.  The file is written to "<path>.tmp" and
 * renamed over `path`, so a failed save leaves any previous file intact.
 * Names and metadata must be valid UTF-8 without duplicates, and no tensor
 * may be called "__metadata__" (SEQ_EINVAL). */
int seq_st_save(const char *path, int n, const char *const *names,
                struct seq_tensor *const *tensors, int nmeta,
                const char *const *meta_keys, const char *const *meta_values);

#endif
