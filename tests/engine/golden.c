/* golden.c — loader for the reference-value files in tests/golden/.
 *
 * Parses the whole file once into named float64 arrays (float32 and int64
 * values are exact in float64) and builds engine tensors from them on
 * request.  It only reads; the files are written by tests/golden/gen/. */
#include "golden.h"

#include <errno.h>
#include <stdlib.h>

#include "testutil.h"

#define GOLDEN_TOKEN_MAX 256
#define GOLDEN_PATH_MAX  4096

struct golden_entry {
    char *name;
    enum seq_dtype dtype;
    int ndim;
    int64_t shape[SEQ_MAX_DIMS];
    int64_t n;
    double *values; /* (n) */
};

struct golden {
    char path[GOLDEN_PATH_MAX];
    struct golden_entry *entries;
    int nentries, cap_entries;
    struct seq_tensor **kept;
    int nkept, cap_kept;
};

/* ---- reading the file ---------------------------------------------------- */

/* The whole of `path` as a NUL-terminated string, or NULL. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* Finds `file` (see golden.h) and reads it; writes the path used, or the
 * places tried, into g->path. */
static char *find_and_read(struct golden *g, const char *file)
{
    static const char *const roots[] = {".", "..", "../..", "../../.."};
    const char *env = getenv("SEQLAB_GOLDEN_DIR");

    if (file[0] == '/' || (env && env[0])) {
        if (file[0] == '/')
            snprintf(g->path, sizeof g->path, "%s", file);
        else
            snprintf(g->path, sizeof g->path, "%s/%s", env, file);
        return read_text(g->path);
    }
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        snprintf(g->path, sizeof g->path, "%s/tests/golden/%s", roots[i], file);
        char *text = read_text(g->path);
        if (text)
            return text;
    }
    snprintf(g->path, sizeof g->path,
             "tests/golden/%s under . and its 3 parents (run from the repo "
             "root or set SEQLAB_GOLDEN_DIR)",
             file);
    return NULL;
}

/* ---- tokens -------------------------------------------------------------- */

struct cursor {
    const char *p;
    int line;
};

/* Copies the next whitespace-separated token into tok, skipping lines that
 * start with '#'.  Returns 0 at the end of the text or for an overlong
 * token (tok is then "" or truncated). */
static int next_token(struct cursor *c, char tok[GOLDEN_TOKEN_MAX])
{
    for (;;) {
        while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' ||
               *c->p == '\n') {
            if (*c->p == '\n')
                c->line++;
            c->p++;
        }
        if (*c->p != '#')
            break;
        while (*c->p && *c->p != '\n')
            c->p++;
    }
    size_t len = 0;
    while (*c->p && *c->p != ' ' && *c->p != '\t' && *c->p != '\r' &&
           *c->p != '\n') {
        if (len + 1 >= GOLDEN_TOKEN_MAX) {
            tok[len] = '\0';
            return 0;
        }
        tok[len++] = *c->p++;
    }
    tok[len] = '\0';
    return len > 0;
}

static int parse_int(const char *tok, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(tok, &end, 10);
    if (errno || end == tok || *end)
        return 0;
    *out = (int64_t)v;
    return 1;
}

static int parse_value(const char *tok, enum seq_dtype dt, double *out)
{
    if (dt == SEQ_INT64) {
        int64_t v;
        /* Kept as float64, so only integers that float64 holds exactly. */
        if (!parse_int(tok, &v) || v > (INT64_C(1) << 53) ||
            v < -(INT64_C(1) << 53))
            return 0;
        *out = (double)v;
        return 1;
    }
    char *end;
    *out = strtod(tok, &end);
    return end != tok && !*end;
}

/* ---- parsing ------------------------------------------------------------- */

static struct golden_entry *find_entry(struct golden *g, const char *name)
{
    for (int i = 0; i < g->nentries; i++)
        if (strcmp(g->entries[i].name, name) == 0)
            return &g->entries[i];
    return NULL;
}

static struct golden_entry *add_entry(struct golden *g)
{
    if (g->nentries == g->cap_entries) {
        int cap = g->cap_entries ? 2 * g->cap_entries : 64;
        void *bigger = realloc(g->entries, sizeof *g->entries * (size_t)cap);
        if (!bigger)
            return NULL;
        g->entries = bigger;
        g->cap_entries = cap;
    }
    struct golden_entry *e = &g->entries[g->nentries++];
    memset(e, 0, sizeof *e);
    return e;
}

/* Reads one `tensor NAME DTYPE NDIM D...` block and its values.  Returns
 * NULL on success, otherwise what went wrong (cursor at the bad place). */
static const char *parse_block(struct golden *g, struct cursor *c,
                               const char *keyword)
{
    char tok[GOLDEN_TOKEN_MAX];
    int64_t ndim;

    if (strcmp(keyword, "tensor") != 0)
        return "expected 'tensor' at the start of a block";
    if (!next_token(c, tok))
        return "missing tensor name";
    if (find_entry(g, tok))
        return "tensor name used twice";
    struct golden_entry *e = add_entry(g);
    if (!e)
        return "out of memory";
    size_t nlen = strlen(tok) + 1;
    e->name = malloc(nlen);
    if (!e->name)
        return "out of memory";
    memcpy(e->name, tok, nlen);

    if (!next_token(c, tok))
        return "missing dtype";
    if (strcmp(tok, "float64") == 0)
        e->dtype = SEQ_FLOAT64;
    else if (strcmp(tok, "float32") == 0)
        e->dtype = SEQ_FLOAT32;
    else if (strcmp(tok, "int64") == 0)
        e->dtype = SEQ_INT64;
    else
        return "dtype is not float64, float32 or int64";

    if (!next_token(c, tok) || !parse_int(tok, &ndim) || ndim < 0 ||
        ndim > SEQ_MAX_DIMS)
        return "bad NDIM";
    e->ndim = (int)ndim;
    e->n = 1;
    for (int d = 0; d < e->ndim; d++) {
        if (!next_token(c, tok) || !parse_int(tok, &e->shape[d]) ||
            e->shape[d] < 0 || e->shape[d] > (1 << 24))
            return "bad dimension size";
        e->n *= e->shape[d];
    }
    if (e->n > (1 << 24))
        return "tensor too large";

    e->values = malloc(sizeof(double) * (size_t)(e->n ? e->n : 1));
    if (!e->values)
        return "out of memory";
    for (int64_t i = 0; i < e->n; i++) {
        if (!next_token(c, tok))
            return "file ends before all of the tensor's values";
        if (!parse_value(tok, e->dtype, &e->values[i]))
            return e->dtype == SEQ_INT64
                       ? "bad integer, or beyond 2^53 (or too few values "
                         "before the next block)"
                       : "bad number (or too few values before the next "
                         "block)";
    }
    return NULL;
}

/* Parses text into g (whose path names the text).  Returns g, or NULL
 * after printing what went wrong and where and freeing g. */
static struct golden *parse_into(struct golden *g, const char *text)
{
    struct cursor c = {text, 1};
    char tok[GOLDEN_TOKEN_MAX];
    const char *why = NULL;
    while (!why && next_token(&c, tok))
        why = parse_block(g, &c, tok);
    if (!why && *c.p)
        why = "token too long";
    if (!why)
        return g;
    print_error("# golden: %s:%d: %s\n", g->path, c.line, why);
    golden_free(g);
    return NULL;
}

struct golden *golden_parse(const char *text, const char *origin)
{
    struct golden *g = calloc(1, sizeof *g);
    if (!g) {
        print_error("# golden_parse(%s): out of memory\n", origin);
        return NULL;
    }
    snprintf(g->path, sizeof g->path, "%s", origin);
    return parse_into(g, text);
}

struct golden *golden_load(const char *file)
{
    struct golden *g = calloc(1, sizeof *g);
    if (!g) {
        print_error("# golden_load(%s): out of memory\n", file);
        return NULL;
    }
    char *text = find_and_read(g, file);
    if (!text) {
        print_error("# golden_load: cannot read %s\n", g->path);
        free(g);
        return NULL;
    }
    g = parse_into(g, text);
    free(text);
    return g;
}

/* ---- access -------------------------------------------------------------- */

static struct golden_entry *must_find(struct golden *g, const char *name)
{
    struct golden_entry *e = find_entry(g, name);
    if (!e)
        fail_msg("golden: no tensor named \"%s\" in %s (rerun the "
                 "generator in tests/golden/gen/?)",
                 name, g->path);
    return e;
}

struct seq_tensor *golden_get(struct golden *g, const char *name)
{
    struct golden_entry *e = must_find(g, name);
    struct seq_tensor *t = NULL;
    void *buf = malloc(sizeof(double) * (size_t)(e->n ? e->n : 1));
    assert_non_null(buf);
    for (int64_t i = 0; i < e->n; i++) {
        /* Every stored value is exact in its dtype: no rounding here. */
        if (e->dtype == SEQ_FLOAT64)
            ((double *)buf)[i] = e->values[i];
        else if (e->dtype == SEQ_FLOAT32)
            ((float *)buf)[i] = (float)e->values[i];
        else
            ((int64_t *)buf)[i] = (int64_t)e->values[i];
    }
    int st = seq_from_buffer(&t, e->dtype, e->ndim, e->shape, buf);
    free(buf);
    if (st != SEQ_OK)
        fail_msg("golden_get(%s): seq_from_buffer -> %s: %s", name,
                 seq_status_name(st), seq_error());
    return golden_keep(g, t);
}

const double *golden_values(struct golden *g, const char *name, int64_t *n)
{
    struct golden_entry *e = must_find(g, name);
    *n = e->n;
    return e->values;
}

/* Whether t matches e in shape and, within the tolerance, in values. */
static bool close_to_entry(const struct seq_tensor *t,
                           const struct golden_entry *e, double rtol,
                           double atol)
{
    if (t->ndim != e->ndim || seq_numel(t) != e->n)
        return false;
    for (int d = 0; d < e->ndim; d++)
        if (t->shape[d] != e->shape[d])
            return false;
    double *got = malloc(sizeof(double) * (size_t)(e->n ? e->n : 1));
    bool ok = got && seq_copy_out(got, SEQ_FLOAT64, t) == SEQ_OK;
    for (int64_t i = 0; ok && i < e->n; i++)
        ok = fabs(got[i] - e->values[i]) <= atol + rtol * fabs(e->values[i]) ||
             (isnan(got[i]) && isnan(e->values[i])) || got[i] == e->values[i];
    free(got);
    return ok;
}

void golden_assert_close(struct golden *g, const struct seq_tensor *t,
                         const char *name, double rtol, double atol)
{
    struct golden_entry *e = must_find(g, name);
    if (!t)
        fail_msg("%s: the engine's tensor is NULL (no gradient reached "
                 "it?)",
                 name);
    if (t->dtype != e->dtype)
        fail_msg("%s: the engine's result is %s, PyTorch's is %s", e->name,
                 seq_dtype_name(t->dtype), seq_dtype_name(e->dtype));
    /* Say which tensor before testutil's message about the element. */
    if (!close_to_entry(t, e, rtol, atol))
        print_error("# golden: %s differs from %s (rtol %g, atol %g)\n",
                    e->name, g->path, rtol, atol);
    assert_shape(t, e->ndim, e->shape);
    assert_tensor_close(t, e->values, e->n, rtol, atol);
}

struct seq_tensor *golden_keep(struct golden *g, struct seq_tensor *t)
{
    if (!t)
        return NULL;
    if (g->nkept == g->cap_kept) {
        int cap = g->cap_kept ? 2 * g->cap_kept : 32;
        void *bigger = realloc(g->kept, sizeof *g->kept * (size_t)cap);
        if (!bigger) {
            seq_release(t);
            fail_msg("golden_keep: out of memory");
        }
        g->kept = bigger;
        g->cap_kept = cap;
    }
    g->kept[g->nkept++] = t;
    return t;
}

void golden_free(struct golden *g)
{
    if (!g)
        return;
    /* Newest first: results go before the inputs they were made from. */
    for (int i = g->nkept - 1; i >= 0; i--)
        seq_release(g->kept[i]);
    for (int i = 0; i < g->nentries; i++) {
        free(g->entries[i].name);
        free(g->entries[i].values);
    }
    free(g->kept);
    free(g->entries);
    free(g);
}
