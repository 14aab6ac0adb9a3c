/* safetensors.c — load and save the safetensors format (see
 * seq/safetensors.h), with a small strict JSON reader for the header.
 *
 * A file is untrusted: every length, offset and shape is checked before it
 * is used, all reads stay inside the file, and all failures are statuses
 * with messages.  The writer never leaves a half-written file behind. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fseeko, fstat, fsync, fileno */
#endif

#include "seq/safetensors.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Bytes converted per step when a dtype must be widened while reading from
 * a file: a multiple of every element size. */
#define ST_CHUNK (64 * 1024)
/* Longest name or path shown in a message, so the message keeps its end. */
#define ST_SHOWN 64

/* ---- dtypes -------------------------------------------------------------- */

enum st_code {
    ST_F32,
    ST_F64,
    ST_I64,
    ST_F16,
    ST_BF16,
    ST_I32,
    ST_U32,
    ST_I16,
    ST_U16,
    ST_I8,
    ST_U8,
    ST_BOOL,
    ST_UNSUPPORTED,
};

struct st_dtype {
    const char *name;
    unsigned size; /* bytes per element in the file */
    enum st_code code;
    enum seq_dtype to; /* what it loads as */
};

static const struct st_dtype st_dtypes[] = {
    {"F32", 4, ST_F32, SEQ_FLOAT32},
    {"F64", 8, ST_F64, SEQ_FLOAT64},
    {"I64", 8, ST_I64, SEQ_INT64},
    {"F16", 2, ST_F16, SEQ_FLOAT32},
    {"BF16", 2, ST_BF16, SEQ_FLOAT32},
    {"I32", 4, ST_I32, SEQ_INT64},
    {"U32", 4, ST_U32, SEQ_INT64},
    {"I16", 2, ST_I16, SEQ_INT64},
    {"U16", 2, ST_U16, SEQ_INT64},
    {"I8", 1, ST_I8, SEQ_INT64},
    {"U8", 1, ST_U8, SEQ_INT64},
    {"BOOL", 1, ST_BOOL, SEQ_INT64},
    /* Part of the format, but with no exact seqlab dtype to hold them. */
    {"U64", 8, ST_UNSUPPORTED, SEQ_INT64},
    {"F8_E5M2", 1, ST_UNSUPPORTED, SEQ_FLOAT32},
    {"F8_E4M3", 1, ST_UNSUPPORTED, SEQ_FLOAT32},
};

static const struct st_dtype *st_dtype_find(const char *name)
{
    for (size_t i = 0; i < sizeof st_dtypes / sizeof st_dtypes[0]; i++)
        if (strcmp(st_dtypes[i].name, name) == 0)
            return &st_dtypes[i];
    return NULL;
}

/* ---- byte order ---------------------------------------------------------- */

static bool host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* The file is little-endian whatever the host is; assembling values from
 * bytes keeps the loader correct on any host and any alignment. */
static uint64_t ld_le(const unsigned char *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = size; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* Two's complement decode without implementation-defined casts. */
static int64_t sign_extend(uint64_t v, unsigned bits)
{
    uint64_t sign = (uint64_t)1 << (bits - 1);
    return (int64_t)(v ^ sign) - (int64_t)sign;
}

static float f32_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* IEEE half -> single is exact: rebias the exponent (15 -> 127) and widen
 * the mantissa; subnormal halves become normal floats (mant * 2^-24). */
static float f32_from_half(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    if (exp == 0x1f)
        return f32_from_bits(sign | 0x7f800000u | mant << 13);
    if (exp != 0)
        return f32_from_bits(sign | (exp + 112) << 23 | mant << 13);
    float mag = (float)mant * (1.0f / 16777216.0f);
    return sign ? -mag : mag;
}

/* Widens `count` file elements at src into dst (of dt->to). */
static void st_convert(void *dst, const unsigned char *src, size_t count,
                       const struct st_dtype *dt)
{
    float *f = dst;
    double *d = dst;
    int64_t *q = dst;
    unsigned sz = dt->size;
    for (size_t i = 0; i < count; i++) {
        uint64_t v = ld_le(src + i * sz, sz);
        uint64_t v64 = v;
        switch (dt->code) {
        case ST_F32:
            f[i] = f32_from_bits((uint32_t)v);
            break;
        case ST_F64:
            memcpy(&d[i], &v64, sizeof d[i]);
            break;
        case ST_I64:
            memcpy(&q[i], &v64, sizeof q[i]);
            break;
        case ST_F16:
            f[i] = f32_from_half((uint16_t)v);
            break;
        case ST_BF16:
            f[i] = f32_from_bits((uint32_t)v << 16);
            break;
        case ST_I32:
        case ST_I16:
        case ST_I8:
            q[i] = sign_extend(v, 8 * sz);
            break;
        case ST_U32:
        case ST_U16:
        case ST_U8:
            q[i] = (int64_t)v;
            break;
        case ST_BOOL:
            q[i] = v != 0;
            break;
        case ST_UNSUPPORTED:
            break; /* refused while parsing */
        }
    }
}

/* ---- messages ------------------------------------------------------------ */

/* A printable, bounded copy of text from the file for a message: control
 * bytes would garble a terminal, a huge name would crowd out the rest. */
static const char *shown(char *buf, const char *s)
{
    size_t n = strlen(s), keep = n;
    if (n >= ST_SHOWN) {
        keep = ST_SHOWN - 4;
        while (keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
            keep--; /* do not split a UTF-8 sequence */
    }
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    strcpy(buf + keep, keep < n ? "..." : "");
    return buf;
}

/* "<what>: tensor '<name>': <message>", or without the tensor part. */
static int st_fail(int status, const char *what, const char *tensor,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int st_fail(int status, const char *what, const char *tensor,
                   const char *fmt, ...)
{
    char msg[400], wb[ST_SHOWN + 4], nb[ST_SHOWN + 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (tensor)
        return seq_fail(status, "%s: tensor '%s': %s", shown(wb, what),
                        shown(nb, tensor), msg);
    return seq_fail(status, "%s: %s", shown(wb, what), msg);
}

/* ---- UTF-8 --------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0 if there is none. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0;
    if (c < 0xe0) {
        need = 2;
    } else if (c < 0xf0) {
        need = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c < 0xf5) {
        need = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (avail < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need;
}

static bool utf8_valid(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(s + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- JSON reader ---------------------------------------------------------
 * Schema-directed: the header code asks for the value it expects next, and
 * values it does not know are validated and skipped without being stored,
 * so memory stays proportional to the names and shapes actually kept. */

struct jp {
    const unsigned char *s;
    size_t n, pos;
    int depth;
    const char *what;
};

static int jp_fail(struct jp *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int jp_fail(struct jp *p, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Offsets are of the file, so they can be found with a hex dump. */
    return st_fail(SEQ_EFORMAT, p->what, NULL,
                   "header is not valid JSON at byte %zu: %s", p->pos + 8, msg);
}

static void jp_ws(struct jp *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                             p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int jp_peek(const struct jp *p)
{
    return p->pos < p->n ? p->s[p->pos] : -1;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* What the next value is, for "must be X, got Y" messages. */
static const char *jp_kind(const struct jp *p)
{
    int c = jp_peek(p);
    switch (c) {
    case '"':
        return "a string";
    case '{':
        return "an object";
    case '[':
        return "an array";
    case 't':
    case 'f':
        return "a boolean";
    case 'n':
        return "null";
    default:
        return c == '-' || is_digit(c) ? "a number" : "no value";
    }
}

static int jp_expect(struct jp *p, char c)
{
    jp_ws(p);
    if (jp_peek(p) != c)
        return jp_fail(p, "expected '%c'", c);
    p->pos++;
    return SEQ_OK;
}

static int jp_enter(struct jp *p)
{
    if (++p->depth > SEQ_ST_MAX_DEPTH)
        return jp_fail(p, "nested more than %d levels deep", SEQ_ST_MAX_DEPTH);
    p->pos++; /* the bracket */
    return SEQ_OK;
}

/* Steps to the next member of the array or object just entered, eating the
 * comma between members; *more turns false at the closing bracket. */
static int jp_next(struct jp *p, char close, int *count, bool *more)
{
    jp_ws(p);
    *more = false;
    if (jp_peek(p) == close) {
        p->pos++;
        p->depth--;
        return SEQ_OK;
    }
    if (*count > 0) {
        if (jp_peek(p) != ',')
            return jp_fail(p, "expected ',' or '%c'", close);
        p->pos++;
        jp_ws(p);
    }
    (*count)++;
    *more = true;
    return SEQ_OK;
}

static int jp_hex4(struct jp *p, size_t at, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = at; i < at + 4; i++) {
        int c = p->s[i];
        int d = is_digit(c)            ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            p->pos = at - 2;
            return jp_fail(p, "bad \\u escape");
        }
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return SEQ_OK;
}

/* Decodes the escape at p->pos (a backslash) whose string ends at `end`
 * into out; *len gets the bytes written. */
static int jp_escape(struct jp *p, size_t end, char *out, size_t *len)
{
    static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    int c = p->s[p->pos + 1];
    uint32_t cp, lo;
    for (const char *e = simple; *e; e += 2) {
        if (c == e[0]) {
            out[0] = e[1];
            *len = 1;
            p->pos += 2;
            return SEQ_OK;
        }
    }
    if (c != 'u')
        return jp_fail(p, "invalid escape in a string");
    if (p->pos + 6 > end)
        return jp_fail(p, "bad \\u escape");
    if (jp_hex4(p, p->pos + 2, &cp))
        return SEQ_EFORMAT;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        /* UTF-16 surrogate pair: \uD83D\uDE00 is one code point. */
        if (p->pos + 12 > end || p->s[p->pos + 6] != '\\' ||
            p->s[p->pos + 7] != 'u')
            return jp_fail(p, "unpaired surrogate in \\u escape");
        if (jp_hex4(p, p->pos + 8, &lo))
            return SEQ_EFORMAT;
        if (lo < 0xdc00 || lo > 0xdfff)
            return jp_fail(p, "unpaired surrogate in \\u escape");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        p->pos += 6;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return jp_fail(p, "unpaired surrogate in \\u escape");
    } else if (cp == 0) {
        /* Names become C strings; a NUL would silently cut them. */
        return jp_fail(p, "\\u0000 is not allowed in strings");
    }
    *len = utf8_put(out, cp);
    p->pos += 6;
    return SEQ_OK;
}

/* Reads the string at p->pos.  With out, stores a new NUL-terminated copy;
 * without, only validates. */
static int jp_string(struct jp *p, char **out)
{
    size_t end, k = 0;
    char *buf = NULL;
    int st = SEQ_OK;
    if (out)
        *out = NULL;
    if (jp_peek(p) != '"')
        return jp_fail(p, "expected a string");
    /* Find the closing quote first: the decoded text is never longer than
     * its escaped form, so that bounds the buffer. */
    for (end = p->pos + 1; end < p->n && p->s[end] != '"'; end++)
        if (p->s[end] == '\\')
            end++;
    if (end >= p->n)
        return jp_fail(p, "unterminated string");
    if (out && !(buf = malloc(end - p->pos))) {
        return st_fail(SEQ_ENOMEM, p->what, NULL,
                       "out of memory reading the header");
    }
    p->pos++;
    while (p->pos < end) {
        char tmp[4];
        const char *src = tmp;
        size_t len = 0;
        unsigned char c = p->s[p->pos];
        if (c == '\\') {
            if ((st = jp_escape(p, end, tmp, &len)))
                goto fail;
        } else if (c < 0x20) {
            st = jp_fail(p, "control character 0x%02x in a string", c);
            goto fail;
        } else {
            src = (const char *)p->s + p->pos;
            if (!(len = utf8_len(p->s + p->pos, end - p->pos))) {
                st = jp_fail(p, "invalid UTF-8 in a string");
                goto fail;
            }
            p->pos += len;
        }
        if (buf)
            memcpy(buf + k, src, len);
        k += len;
    }
    p->pos = end + 1;
    if (buf) {
        buf[k] = '\0';
        *out = buf;
    }
    return SEQ_OK;
fail:
    free(buf);
    return st;
}

/* Steps to the next member of the object just entered and reads its key
 * and colon; *key gets a new string (with key NULL, the key is only
 * validated).  *more turns false at the closing brace. */
static int jp_member(struct jp *p, int *count, char **key, bool *more)
{
    int st = jp_next(p, '}', count, more);
    if (st || !*more)
        return st;
    if ((st = jp_string(p, key)) || (st = jp_expect(p, ':')))
        return st;
    jp_ws(p);
    return SEQ_OK;
}

/* Scans a number; *plain is true for a non-negative integer written
 * without sign, fraction or exponent (all the header ever needs). */
static int jp_number(struct jp *p, bool *plain)
{
    const unsigned char *s = p->s;
    size_t i = p->pos, n = p->n;
    *plain = true;
    if (i < n && s[i] == '-') {
        i++;
        *plain = false;
    }
    if (i >= n || !is_digit(s[i]))
        return jp_fail(p, "invalid number");
    if (s[i] == '0')
        i++;
    else
        while (i < n && is_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        *plain = false;
        if (++i >= n || !is_digit(s[i]))
            return jp_fail(p, "invalid number");
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *plain = false;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return jp_fail(p, "invalid number");
        while (i < n && is_digit(s[i]))
            i++;
    }
    p->pos = i;
    return SEQ_OK;
}

static int jp_literal(struct jp *p, const char *word)
{
    size_t len = strlen(word);
    if (p->n - p->pos < len || memcmp(p->s + p->pos, word, len) != 0)
        return jp_fail(p, "expected a value");
    p->pos += len;
    return SEQ_OK;
}

/* Validates and skips any value. */
static int jp_skip(struct jp *p)
{
    int st, count = 0;
    bool more, plain;
    jp_ws(p);
    int c = jp_peek(p);
    if (c == '"')
        return jp_string(p, NULL);
    if (c == 't')
        return jp_literal(p, "true");
    if (c == 'f')
        return jp_literal(p, "false");
    if (c == 'n')
        return jp_literal(p, "null");
    if (c == '-' || is_digit(c))
        return jp_number(p, &plain);
    if (c != '[' && c != '{')
        return jp_fail(p, "expected a value");
    char close = c == '[' ? ']' : '}';
    if ((st = jp_enter(p)))
        return st;
    for (;;) {
        st = close == '}' ? jp_member(p, &count, NULL, &more)
                          : jp_next(p, ']', &count, &more);
        if (st || !more)
            return st;
        if ((st = jp_skip(p)))
            return st;
    }
}

/* ---- the header ---------------------------------------------------------- */

struct st_info {
    char *name;
    const struct st_dtype *dt;
    int ndim;
    int64_t shape[SEQ_MAX_DIMS];
    uint64_t begin, end;
};

struct st_pair {
    char *key, *value;
};

struct st_header {
    struct st_info *t;
    size_t n, cap;
    struct st_pair *meta;
    size_t nmeta, mcap;
};

static void header_free(struct st_header *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->t[i].name);
    for (size_t i = 0; i < h->nmeta; i++) {
        free(h->meta[i].key);
        free(h->meta[i].value);
    }
    free(h->t);
    free(h->meta);
}

/* Makes room for one more item in a growing array. */
static int grow(void **arr, size_t *cap, size_t n, size_t item,
                const char *what)
{
    if (n < *cap)
        return SEQ_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = ncap < SIZE_MAX / item ? realloc(*arr, ncap * item) : NULL;
    if (!p)
        return st_fail(SEQ_ENOMEM, what, NULL,
                       "out of memory reading the header");
    *arr = p;
    *cap = ncap;
    return SEQ_OK;
}

/* Reads an integer in [0, max] for the field `field` of tensor `name`. */
static int read_uint(struct jp *p, const char *name, const char *field,
                     uint64_t max, uint64_t *out)
{
    bool plain;
    int st;
    size_t start = p->pos;
    const char *kind = jp_kind(p);
    if (strcmp(kind, "a number") != 0) {
        if (strcmp(kind, "no value") == 0)
            return jp_fail(p, "expected a value");
        return st_fail(SEQ_EFORMAT, p->what, name,
                       "%s must be a non-negative integer, got %s", field,
                       kind);
    }
    if ((st = jp_number(p, &plain)))
        return st;
    int len = (int)(p->pos - start < 40 ? p->pos - start : 40);
    const char *text = (const char *)p->s + start;
    if (!plain)
        return st_fail(SEQ_EFORMAT, p->what, name,
                       "%s must be a non-negative integer, got %.*s", field,
                       len, text);
    uint64_t v = 0;
    for (size_t i = start; i < p->pos; i++) {
        unsigned d = p->s[i] - '0';
        if (v > (max - d) / 10)
            return st_fail(SEQ_EFORMAT, p->what, name, "%s is too large (%.*s)",
                           field, len, text);
        v = v * 10 + d;
    }
    *out = v;
    return SEQ_OK;
}

static int read_dtype(struct jp *p, struct st_info *info)
{
    char *s = NULL, sb[ST_SHOWN + 4];
    int st;
    if (jp_peek(p) != '"')
        return st_fail(SEQ_EFORMAT, p->what, info->name,
                       "\"dtype\" must be a string, got %s", jp_kind(p));
    if ((st = jp_string(p, &s)))
        return st;
    info->dt = st_dtype_find(s);
    if (!info->dt)
        st = st_fail(SEQ_EFORMAT, p->what, info->name, "unknown dtype \"%s\"",
                     shown(sb, s));
    else if (info->dt->code == ST_UNSUPPORTED)
        st = st_fail(SEQ_EFORMAT, p->what, info->name,
                     "dtype %s is not supported (seqlab reads F32, F64, "
                     "I64, F16, BF16, I32, U32, I16, U16, I8, U8, BOOL)",
                     info->dt->name);
    free(s);
    return st;
}

static int read_shape(struct jp *p, struct st_info *info)
{
    char field[32];
    int st, count = 0;
    bool more;
    uint64_t v;
    if (jp_peek(p) != '[')
        return st_fail(SEQ_EFORMAT, p->what, info->name,
                       "\"shape\" must be an array of integers, got %s",
                       jp_kind(p));
    if ((st = jp_enter(p)))
        return st;
    for (;;) {
        if ((st = jp_next(p, ']', &count, &more)) || !more)
            return st;
        if (info->ndim == SEQ_MAX_DIMS)
            return st_fail(SEQ_EFORMAT, p->what, info->name,
                           "shape has more than %d dimensions", SEQ_MAX_DIMS);
        snprintf(field, sizeof field, "shape[%d]", info->ndim);
        if ((st = read_uint(p, info->name, field, INT64_MAX, &v)))
            return st;
        info->shape[info->ndim++] = (int64_t)v;
    }
}

static int read_offsets(struct jp *p, struct st_info *info)
{
    static const char bad[] =
        "\"data_offsets\" must be a pair of integers [begin, end]";
    char field[32];
    int st, count = 0;
    bool more;
    uint64_t v[2];
    if (jp_peek(p) != '[')
        return st_fail(SEQ_EFORMAT, p->what, info->name, "%s, got %s", bad,
                       jp_kind(p));
    if ((st = jp_enter(p)))
        return st;
    for (;;) {
        if ((st = jp_next(p, ']', &count, &more)))
            return st;
        if (!more)
            break;
        if (count > 2)
            return st_fail(SEQ_EFORMAT, p->what, info->name, "%s", bad);
        snprintf(field, sizeof field, "data_offsets[%d]", count - 1);
        if ((st = read_uint(p, info->name, field, UINT64_MAX, &v[count - 1])))
            return st;
    }
    if (count != 2)
        return st_fail(SEQ_EFORMAT, p->what, info->name, "%s", bad);
    info->begin = v[0];
    info->end = v[1];
    return SEQ_OK;
}

/* One tensor's entry: {"dtype": .., "shape": [..], "data_offsets": [..]}.
 * Other fields are ignored, as the reference reader does. */
static int read_info(struct jp *p, struct st_info *info)
{
    static const char *const fields[] = {"dtype", "shape", "data_offsets"};
    bool seen[3] = {false, false, false}, more;
    char *key = NULL;
    int st, count = 0;
    jp_ws(p);
    if (jp_peek(p) != '{')
        return st_fail(SEQ_EFORMAT, p->what, info->name,
                       "entry must be an object, got %s", jp_kind(p));
    if ((st = jp_enter(p)))
        return st;
    for (;;) {
        if ((st = jp_member(p, &count, &key, &more)) || !more)
            break;
        int f = 0;
        while (f < 3 && strcmp(key, fields[f]) != 0)
            f++;
        if (f < 3 && seen[f]) {
            st = st_fail(SEQ_EFORMAT, p->what, info->name,
                         "field \"%s\" appears twice", fields[f]);
            break;
        }
        st = f == 0   ? read_dtype(p, info)
             : f == 1 ? read_shape(p, info)
             : f == 2 ? read_offsets(p, info)
                      : jp_skip(p);
        if (st)
            break;
        if (f < 3)
            seen[f] = true;
        free(key);
        key = NULL;
    }
    free(key);
    for (int f = 0; !st && f < 3; f++)
        if (!seen[f])
            st = st_fail(SEQ_EFORMAT, p->what, info->name,
                         "missing field \"%s\"", fields[f]);
    return st;
}

/* "__metadata__": an object of string -> string, or null. */
static int read_meta(struct jp *p, struct st_header *h)
{
    char *key = NULL, *value = NULL, kb[ST_SHOWN + 4];
    int st, count = 0;
    bool more;
    jp_ws(p);
    if (jp_peek(p) == 'n')
        return jp_literal(p, "null");
    if (jp_peek(p) != '{')
        return st_fail(SEQ_EFORMAT, p->what, NULL,
                       "__metadata__ must be an object, got %s", jp_kind(p));
    if ((st = jp_enter(p)))
        return st;
    for (;;) {
        if ((st = jp_member(p, &count, &key, &more)) || !more)
            break;
        if (jp_peek(p) != '"') {
            st = st_fail(SEQ_EFORMAT, p->what, NULL,
                         "__metadata__ value of '%s' must be a string, "
                         "got %s",
                         shown(kb, key), jp_kind(p));
            break;
        }
        if ((st = jp_string(p, &value)) ||
            (st = grow((void **)&h->meta, &h->mcap, h->nmeta, sizeof *h->meta,
                       p->what)))
            break;
        h->meta[h->nmeta].key = key;
        h->meta[h->nmeta++].value = value;
        key = value = NULL;
    }
    free(key);
    free(value);
    return st;
}

static int read_header(struct jp *p, struct st_header *h)
{
    char *key = NULL;
    bool seen_meta = false, more;
    int st, count = 0;
    /* The format requires the header to open with '{'. */
    if (p->n == 0 || p->s[0] != '{')
        return st_fail(SEQ_EFORMAT, p->what, NULL,
                       "header must be a JSON object starting with '{'");
    if ((st = jp_enter(p)))
        return st;
    for (;;) {
        if ((st = jp_member(p, &count, &key, &more)) || !more)
            break;
        if (strcmp(key, "__metadata__") == 0) {
            if (seen_meta) {
                st = st_fail(SEQ_EFORMAT, p->what, NULL,
                             "__metadata__ appears twice");
                break;
            }
            seen_meta = true;
            if ((st = read_meta(p, h)))
                break;
            free(key);
            key = NULL;
            continue;
        }
        if ((st = grow((void **)&h->t, &h->cap, h->n, sizeof *h->t, p->what)))
            break;
        struct st_info *info = &h->t[h->n++];
        memset(info, 0, sizeof *info);
        info->name = key; /* owned by h from here */
        key = NULL;
        if ((st = read_info(p, info)))
            break;
    }
    free(key);
    if (st)
        return st;
    jp_ws(p);
    if (p->pos != p->n)
        return jp_fail(p, "trailing data after the header object");
    return SEQ_OK;
}

/* ---- checks across the header -------------------------------------------- */

static int cmp_info_name(const void *a, const void *b)
{
    return strcmp(((const struct st_info *)a)->name,
                  ((const struct st_info *)b)->name);
}

static int cmp_info_range(const void *a, const void *b)
{
    const struct st_info *x = *(const struct st_info *const *)a;
    const struct st_info *y = *(const struct st_info *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

static int cmp_pair_key(const void *a, const void *b)
{
    return strcmp(((const struct st_pair *)a)->key,
                  ((const struct st_pair *)b)->key);
}

/* Shape, size and range of one entry. */
static int check_info(const char *what, const struct st_info *info,
                      uint64_t data_len)
{
    char sb[SEQ_SHAPE_BUF];
    unsigned long long b = info->begin, e = info->end;
    /* The element count must fit even ignoring zero dims, so that strides
     * computed from this shape cannot overflow either. */
    uint64_t bound = 1;
    bool zero = false;
    for (int i = 0; i < info->ndim; i++) {
        uint64_t d = (uint64_t)info->shape[i];
        if (d == 0) {
            zero = true;
        } else if (bound > (uint64_t)INT64_MAX / d) {
            return st_fail(
                SEQ_EFORMAT, what, info->name,
                "shape %s has too many elements (overflow)",
                seq_shape_str(sb, sizeof sb, info->ndim, info->shape));
        } else {
            bound *= d;
        }
    }
    uint64_t numel = zero ? 0 : bound;
    if (numel > (uint64_t)INT64_MAX / info->dt->size)
        return st_fail(SEQ_EFORMAT, what, info->name,
                       "shape %s has too many elements (overflow)",
                       seq_shape_str(sb, sizeof sb, info->ndim, info->shape));
    uint64_t nbytes = numel * info->dt->size;
    if (b > e)
        return st_fail(SEQ_EFORMAT, what, info->name,
                       "data_offsets [%llu, %llu] end before they begin", b, e);
    if (e > data_len)
        return st_fail(SEQ_EFORMAT, what, info->name,
                       "data_offsets [%llu, %llu] run past the end of the "
                       "data buffer (%llu bytes)",
                       b, e, (unsigned long long)data_len);
    if (e - b != nbytes)
        return st_fail(SEQ_EFORMAT, what, info->name,
                       "data_offsets [%llu, %llu] hold %llu bytes, but %s %s "
                       "needs %llu (size mismatch)",
                       b, e, e - b, info->dt->name,
                       seq_shape_str(sb, sizeof sb, info->ndim, info->shape),
                       (unsigned long long)nbytes);
    return SEQ_OK;
}

/* Sorts entries by name and metadata by key, refusing duplicates, checks
 * every entry, and requires the ranges to tile the data buffer exactly, as
 * the format demands: no overlaps (two tensors sharing bytes) and no holes
 * (bytes that a crafted file could use to hide other content). */
static int check_header(const char *what, struct st_header *h,
                        uint64_t data_len)
{
    char ab[ST_SHOWN + 4], bb[ST_SHOWN + 4];
    const struct st_info **byrange = NULL;
    int st = SEQ_OK;
    if (h->n > INT_MAX || h->nmeta > INT_MAX)
        return st_fail(SEQ_EFORMAT, what, NULL, "too many entries");
    if (h->n > 1) /* qsort wants a non-NULL base even for 0 items */
        qsort(h->t, h->n, sizeof *h->t, cmp_info_name);
    for (size_t i = 1; i < h->n; i++)
        if (strcmp(h->t[i - 1].name, h->t[i].name) == 0)
            return st_fail(SEQ_EFORMAT, what, h->t[i].name,
                           "duplicate tensor name");
    if (h->nmeta > 1)
        qsort(h->meta, h->nmeta, sizeof *h->meta, cmp_pair_key);
    for (size_t i = 1; i < h->nmeta; i++)
        if (strcmp(h->meta[i - 1].key, h->meta[i].key) == 0)
            return st_fail(SEQ_EFORMAT, what, NULL,
                           "duplicate __metadata__ key '%s'",
                           shown(ab, h->meta[i].key));
    for (size_t i = 0; i < h->n; i++)
        if ((st = check_info(what, &h->t[i], data_len)))
            return st;
    if (h->n && !(byrange = malloc(h->n * sizeof *byrange)))
        return st_fail(SEQ_ENOMEM, what, NULL, "out of memory");
    for (size_t i = 0; i < h->n; i++)
        byrange[i] = &h->t[i];
    if (h->n > 1)
        qsort(byrange, h->n, sizeof *byrange, cmp_info_range);
    uint64_t at = 0;
    for (size_t i = 0; i < h->n; i++) {
        const struct st_info *t = byrange[i];
        if (t->begin < at) {
            st = st_fail(SEQ_EFORMAT, what, NULL,
                         "tensors '%s' and '%s' overlap in the data buffer",
                         shown(ab, byrange[i - 1]->name), shown(bb, t->name));
            goto done;
        }
        if (t->begin > at)
            break;
        at = t->end;
    }
    if (at != data_len) {
        uint64_t stop = data_len;
        for (size_t i = 0; i < h->n; i++)
            if (byrange[i]->begin > at && byrange[i]->begin < stop)
                stop = byrange[i]->begin;
        st = st_fail(SEQ_EFORMAT, what, NULL,
                     "bytes [%llu, %llu) of the data buffer belong to no "
                     "tensor",
                     (unsigned long long)at, (unsigned long long)stop);
    }
done:
    free(byrange);
    return st;
}

/* ---- reading tensor data ------------------------------------------------- */

/* Where the data buffer is: in memory, or in an open file at `base`. */
struct st_src {
    const unsigned char *mem;
    FILE *fp;
    uint64_t base;
    const char *what;
};

static int src_read(const struct st_src *src, uint64_t off, void *dst, size_t n)
{
    if (n == 0)
        return SEQ_OK;
    if (src->mem) {
        memcpy(dst, src->mem + off, n);
        return SEQ_OK;
    }
    off_t at = (off_t)(src->base + off);
    if (at < 0 || (uint64_t)at != src->base + off)
        return st_fail(SEQ_EIO, src->what, NULL,
                       "file is too large to seek on this system");
    errno = 0;
    if (fseeko(src->fp, at, SEEK_SET) != 0 || fread(dst, 1, n, src->fp) != n)
        return st_fail(SEQ_EIO, src->what, NULL, "read failed: %s",
                       errno ? strerror(errno)
                             : "file ended early (truncated while loading?)");
    return SEQ_OK;
}

static int load_data(const struct st_src *src, const struct st_info *info,
                     struct seq_tensor *t)
{
    unsigned char *dst = seq_data(t), *chunk;
    uint64_t nbytes = info->end - info->begin;
    size_t esz = info->dt->size, tsz = seq_dtype_size(t->dtype);
    enum st_code c = info->dt->code;
    if (host_is_le() && (c == ST_F32 || c == ST_F64 || c == ST_I64))
        return src_read(src, info->begin, dst, (size_t)nbytes);
    if (src->mem) {
        st_convert(dst, src->mem + info->begin, nbytes / esz, info->dt);
        return SEQ_OK;
    }
    if (!(chunk = malloc(ST_CHUNK)))
        return st_fail(SEQ_ENOMEM, src->what, info->name, "out of memory");
    for (uint64_t done = 0; done < nbytes;) {
        size_t take = nbytes - done < ST_CHUNK ? nbytes - done : ST_CHUNK;
        int st = src_read(src, info->begin + done, chunk, take);
        if (st) {
            free(chunk);
            return st;
        }
        st_convert(dst + done / esz * tsz, chunk, take / esz, info->dt);
        done += take;
    }
    free(chunk);
    return SEQ_OK;
}

/* Parses and checks the header text, then builds every tensor.  *out must
 * be empty; it is emptied again on failure. */
static int load_parsed(struct seq_st_file *out, const void *text, size_t hlen,
                       uint64_t data_len, const struct st_src *src)
{
    struct st_header h = {0};
    struct jp p = {text, hlen, 0, 0, src->what};
    int st;
    if ((st = read_header(&p, &h)) ||
        (st = check_header(src->what, &h, data_len)))
        goto fail;
    if (h.n && !(out->entries = calloc(h.n, sizeof *out->entries))) {
        st = st_fail(SEQ_ENOMEM, src->what, NULL, "out of memory");
        goto fail;
    }
    out->n = (int)h.n;
    for (size_t i = 0; i < h.n; i++) {
        struct seq_st_entry *e = &out->entries[i];
        const struct st_info *info = &h.t[i];
        e->name = info->name;
        h.t[i].name = NULL; /* moved to out */
        e->file_dtype = info->dt->name;
        if ((st = seq_poll_cancel()))
            goto fail;
        if ((st = seq_empty(&e->tensor, info->dt->to, info->ndim,
                            info->shape))) {
            char prefix[2 * ST_SHOWN + 20], wb[ST_SHOWN + 4];
            char nb[ST_SHOWN + 4];
            snprintf(prefix, sizeof prefix, "%s: tensor '%s'",
                     shown(wb, src->what), shown(nb, e->name));
            seq_error_prefix(st, prefix);
            goto fail;
        }
        if ((st = load_data(src, info, e->tensor)))
            goto fail;
    }
    if (h.nmeta && (!(out->meta_keys = calloc(h.nmeta, sizeof(char *))) ||
                    !(out->meta_values = calloc(h.nmeta, sizeof(char *))))) {
        st = st_fail(SEQ_ENOMEM, src->what, NULL, "out of memory");
        goto fail;
    }
    out->nmeta = (int)h.nmeta;
    for (size_t i = 0; i < h.nmeta; i++) {
        out->meta_keys[i] = h.meta[i].key;
        out->meta_values[i] = h.meta[i].value;
        h.meta[i].key = h.meta[i].value = NULL;
    }
fail:
    header_free(&h);
    if (st)
        seq_st_file_free(out);
    return st;
}

/* The 8-byte length prefix, against the total size. */
static int check_prefix(const char *what, const unsigned char *first,
                        uint64_t len, uint64_t *hlen)
{
    if (len < 8)
        return st_fail(SEQ_EFORMAT, what, NULL,
                       "file is too short (%llu bytes) to be safetensors",
                       (unsigned long long)len);
    *hlen = ld_le(first, 8);
    if (*hlen > SEQ_ST_MAX_HEADER)
        return st_fail(SEQ_EFORMAT, what, NULL,
                       "header length %llu is over the %d byte limit",
                       (unsigned long long)*hlen, SEQ_ST_MAX_HEADER);
    if (*hlen > len - 8)
        return st_fail(SEQ_EFORMAT, what, NULL,
                       "header length %llu runs past the end of the file "
                       "(%llu bytes)",
                       (unsigned long long)*hlen, (unsigned long long)len);
    return SEQ_OK;
}

int seq_st_load_buffer(struct seq_st_file *out, const void *buf, size_t len,
                       const char *what)
{
    const unsigned char *b = buf;
    uint64_t hlen;
    int st;
    if (!out)
        return seq_fail(SEQ_EINVAL, "seq_st_load_buffer: out is NULL");
    memset(out, 0, sizeof *out);
    if (!what)
        what = "<buffer>";
    if (!buf && len)
        return st_fail(SEQ_EINVAL, what, NULL, "buffer is NULL");
    if ((st = check_prefix(what, b, len, &hlen)))
        return st;
    struct st_src src = {b + 8 + hlen, NULL, 8 + hlen, what};
    return load_parsed(out, b + 8, (size_t)hlen, len - 8 - hlen, &src);
}

int seq_st_load(struct seq_st_file *out, const char *path)
{
    unsigned char first[8] = {0}, *text = NULL;
    struct stat sb;
    struct st_src src = {NULL, NULL, 0, path};
    uint64_t hlen, size;
    FILE *fp = NULL;
    int st;
    if (!out || !path)
        return seq_fail(SEQ_EINVAL, "seq_st_load: NULL argument");
    memset(out, 0, sizeof *out);
    if (!(fp = fopen(path, "rb")))
        return st_fail(SEQ_EIO, path, NULL, "cannot open: %s", strerror(errno));
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = st_fail(SEQ_EIO, path, NULL, "not a regular file");
        goto done;
    }
    size = (uint64_t)sb.st_size;
    src.fp = fp;
    if ((st = src_read(&src, 0, first, size < 8 ? (size_t)size : 8)) ||
        (st = check_prefix(path, first, size, &hlen)))
        goto done;
    if (!(text = malloc(hlen ? (size_t)hlen : 1))) {
        st = st_fail(SEQ_ENOMEM, path, NULL, "out of memory for the header");
        goto done;
    }
    if ((st = src_read(&src, 8, text, (size_t)hlen)))
        goto done;
    src.base = 8 + hlen;
    st = load_parsed(out, text, (size_t)hlen, size - 8 - hlen, &src);
done:
    free(text);
    fclose(fp);
    return st;
}

void seq_st_file_free(struct seq_st_file *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++) {
        free(f->entries[i].name);
        seq_release(f->entries[i].tensor);
    }
    for (int i = 0; i < f->nmeta; i++) {
        free(f->meta_keys[i]);
        free(f->meta_values[i]);
    }
    free(f->entries);
    free(f->meta_keys);
    free(f->meta_values);
    memset(f, 0, sizeof *f);
}

/* Index of `key` among the n strcmp-sorted strings at(arr, i), or -1. */
static int bisect(const char *key, int n, const char *(*at)(const void *, int),
                  const void *arr)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(at(arr, mid), key);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const char *entry_name_at(const void *arr, int i)
{
    return ((const struct seq_st_entry *)arr)[i].name;
}

static const char *string_at(const void *arr, int i)
{
    return ((char *const *)arr)[i];
}

struct seq_tensor *seq_st_find(const struct seq_st_file *f, const char *name)
{
    if (!f || !name)
        return NULL;
    int i = bisect(name, f->n, entry_name_at, f->entries);
    return i < 0 ? NULL : f->entries[i].tensor;
}

const char *seq_st_meta(const struct seq_st_file *f, const char *key)
{
    if (!f || !key)
        return NULL;
    int i = bisect(key, f->nmeta, string_at, f->meta_keys);
    return i < 0 ? NULL : f->meta_values[i];
}

/* ---- writing ------------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1 && cap < SIZE_MAX / 2)
            cap *= 2;
        char *p = cap >= b->len + n + 1 ? realloc(b->p, cap) : NULL;
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_uint(struct sbuf *b, unsigned long long v)
{
    char num[24];
    sb_put(b, num, (size_t)snprintf(num, sizeof num, "%llu", v));
}

/* JSON string with the escapes serde_json writes: quote, backslash and
 * control bytes; other UTF-8 goes through as is. */
static void sb_json_string(struct sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        const char *named = c == '"'    ? "\\\""
                            : c == '\\' ? "\\\\"
                            : c == '\n' ? "\\n"
                            : c == '\r' ? "\\r"
                            : c == '\t' ? "\\t"
                            : c == '\b' ? "\\b"
                            : c == '\f' ? "\\f"
                                        : NULL;
        if (named) {
            sb_puts(b, named);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_puts(b, esc);
        } else {
            sb_put(b, s, 1);
        }
    }
    sb_put(b, "\"", 1);
}

struct st_out {
    const char *name;
    const struct seq_tensor *t;
    int rank; /* layout group: I64, F64, F32, the reference's order */
    const char *dtype;
    uint64_t nbytes;
};

static int cmp_out_name(const void *a, const void *b)
{
    return strcmp(((const struct st_out *)a)->name,
                  ((const struct st_out *)b)->name);
}

/* The reference writer's order: dtype (I64, F64, F32), then name. */
static int cmp_out_layout(const void *a, const void *b)
{
    const struct st_out *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    return strcmp(x->name, y->name);
}

struct st_mpair {
    const char *key, *value;
};

static int cmp_mpair(const void *a, const void *b)
{
    return strcmp(((const struct st_mpair *)a)->key,
                  ((const struct st_mpair *)b)->key);
}

static int write_all(FILE *fp, const void *p, size_t n, const char *tmp)
{
    if (n && fwrite(p, 1, n, fp) != n)
        return st_fail(SEQ_EIO, tmp, NULL, "write failed: %s", strerror(errno));
    return SEQ_OK;
}

/* A tensor's elements in C order, little-endian. */
static int write_tensor(FILE *fp, const struct st_out *o, const char *tmp)
{
    size_t esz = seq_dtype_size(o->t->dtype);
    unsigned char *buf;
    int st;
    if (o->nbytes == 0)
        return SEQ_OK;
    if (host_is_le() && seq_is_contiguous(o->t))
        return write_all(fp, seq_data(o->t), (size_t)o->nbytes, tmp);
    if (!(buf = seq_alloc((int64_t)o->nbytes, "safetensors save")))
        return seq_error_prefix(SEQ_ENOMEM, tmp);
    if (!(st = seq_copy_out(buf, o->t->dtype, o->t))) {
        if (!host_is_le()) {
            for (uint64_t i = 0; i < o->nbytes; i += esz)
                for (size_t k = 0; k < esz / 2; k++) {
                    unsigned char c = buf[i + k];
                    buf[i + k] = buf[i + esz - 1 - k];
                    buf[i + esz - 1 - k] = c;
                }
        }
        st = write_all(fp, buf, (size_t)o->nbytes, tmp);
    }
    seq_free(buf, (int64_t)o->nbytes);
    return st;
}

/* Checks the arguments and fills outs[] and meta[] in file order. */
static int save_plan(const char *path, int n, const char *const *names,
                     struct seq_tensor *const *tensors, int nmeta,
                     const char *const *meta_keys,
                     const char *const *meta_values, struct st_out *outs,
                     struct st_mpair *meta)
{
    static const char *const st_names[] = {"F32", "F64", "I64"};
    static const int ranks[] = {2, 1, 0};
    char nb[ST_SHOWN + 4];
    for (int i = 0; i < n; i++) {
        const struct seq_tensor *t = tensors[i];
        if (!names[i] || !t)
            return st_fail(SEQ_EINVAL, path, NULL,
                           "tensor %d has a NULL name or tensor", i);
        if (!utf8_valid(names[i]))
            return st_fail(SEQ_EINVAL, path, names[i],
                           "name is not valid UTF-8");
        if (strcmp(names[i], "__metadata__") == 0)
            return st_fail(SEQ_EINVAL, path, names[i],
                           "name is reserved for metadata");
        if ((unsigned)t->dtype > SEQ_INT64)
            return st_fail(SEQ_EINVAL, path, names[i], "unknown dtype");
        outs[i] =
            (struct st_out){names[i], t, ranks[t->dtype], st_names[t->dtype],
                            (uint64_t)seq_numel(t) * seq_dtype_size(t->dtype)};
    }
    qsort(outs, (size_t)n, sizeof *outs, cmp_out_name);
    for (int i = 1; i < n; i++)
        if (strcmp(outs[i - 1].name, outs[i].name) == 0)
            return st_fail(SEQ_EINVAL, path, outs[i].name,
                           "duplicate tensor name");
    qsort(outs, (size_t)n, sizeof *outs, cmp_out_layout);
    for (int i = 0; i < nmeta; i++) {
        if (!meta_keys[i] || !meta_values[i])
            return st_fail(SEQ_EINVAL, path, NULL,
                           "metadata pair %d has a NULL key or value", i);
        if (!utf8_valid(meta_keys[i]) || !utf8_valid(meta_values[i]))
            return st_fail(SEQ_EINVAL, path, NULL,
                           "metadata '%s' is not valid UTF-8",
                           shown(nb, meta_keys[i]));
        meta[i] = (struct st_mpair){meta_keys[i], meta_values[i]};
    }
    qsort(meta, (size_t)nmeta, sizeof *meta, cmp_mpair);
    for (int i = 1; i < nmeta; i++)
        if (strcmp(meta[i - 1].key, meta[i].key) == 0)
            return st_fail(SEQ_EINVAL, path, NULL,
                           "duplicate metadata key '%s'",
                           shown(nb, meta[i].key));
    return SEQ_OK;
}

static void build_header(struct sbuf *hb, int n, const struct st_out *outs,
                         int nmeta, const struct st_mpair *meta)
{
    uint64_t at = 0;
    sb_put(hb, "{", 1);
    if (nmeta > 0) {
        sb_puts(hb, "\"__metadata__\":{");
        for (int i = 0; i < nmeta; i++) {
            if (i)
                sb_put(hb, ",", 1);
            sb_json_string(hb, meta[i].key);
            sb_put(hb, ":", 1);
            sb_json_string(hb, meta[i].value);
        }
        sb_put(hb, "}", 1);
    }
    for (int i = 0; i < n; i++) {
        const struct seq_tensor *t = outs[i].t;
        if (i || nmeta > 0)
            sb_put(hb, ",", 1);
        sb_json_string(hb, outs[i].name);
        sb_puts(hb, ":{\"dtype\":\"");
        sb_puts(hb, outs[i].dtype);
        sb_puts(hb, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            if (d)
                sb_put(hb, ",", 1);
            sb_uint(hb, (unsigned long long)t->shape[d]);
        }
        sb_puts(hb, "],\"data_offsets\":[");
        sb_uint(hb, at);
        sb_put(hb, ",", 1);
        sb_uint(hb, at + outs[i].nbytes);
        sb_puts(hb, "]}");
        at += outs[i].nbytes;
    }
    sb_put(hb, "}", 1);
    /* Spaces up to a multiple of 8, so the data buffer starts aligned. */
    while (!hb->oom && hb->len % 8)
        sb_put(hb, " ", 1);
}

int seq_st_save(const char *path, int n, const char *const *names,
                struct seq_tensor *const *tensors, int nmeta,
                const char *const *meta_keys, const char *const *meta_values)
{
    struct st_out *outs = NULL;
    struct st_mpair *meta = NULL;
    struct sbuf hb = {0};
    char *tmp = NULL;
    FILE *fp = NULL;
    bool created = false;
    unsigned char len8[8];
    int st, rc;
    if (!path || n < 0 || nmeta < 0 || (n > 0 && (!names || !tensors)) ||
        (nmeta > 0 && (!meta_keys || !meta_values)))
        return seq_fail(SEQ_EINVAL, "seq_st_save: bad arguments");
    outs = malloc(((size_t)n + 1) * sizeof *outs);
    meta = malloc(((size_t)nmeta + 1) * sizeof *meta);
    tmp = malloc(strlen(path) + 5);
    if (!outs || !meta || !tmp) {
        st = st_fail(SEQ_ENOMEM, path, NULL, "out of memory");
        goto done;
    }
    if ((st = save_plan(path, n, names, tensors, nmeta, meta_keys, meta_values,
                        outs, meta)))
        goto done;
    build_header(&hb, n, outs, nmeta, meta);
    if (hb.oom) {
        st = st_fail(SEQ_ENOMEM, path, NULL, "out of memory for the header");
        goto done;
    }
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)hb.len >> (8 * i));
    /* Write beside the target and rename over it: readers see the old file
     * or the new one, never a torn mixture. */
    strcpy(tmp, path);
    strcat(tmp, ".tmp");
    if (!(fp = fopen(tmp, "wb"))) {
        st = st_fail(SEQ_EIO, tmp, NULL, "cannot create: %s", strerror(errno));
        goto done;
    }
    created = true;
    if ((st = write_all(fp, len8, 8, tmp)) ||
        (st = write_all(fp, hb.p, hb.len, tmp)))
        goto done;
    for (int i = 0; i < n; i++)
        if ((st = write_tensor(fp, &outs[i], tmp)))
            goto done;
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        st = st_fail(SEQ_EIO, tmp, NULL, "write failed: %s", strerror(errno));
        goto done;
    }
    rc = fclose(fp);
    fp = NULL;
    if (rc != 0) {
        st = st_fail(SEQ_EIO, tmp, NULL, "write failed: %s", strerror(errno));
        goto done;
    }
    if (rename(tmp, path) != 0) {
        st =
            st_fail(SEQ_EIO, path, NULL, "cannot replace: %s", strerror(errno));
        goto done;
    }
    created = false;
done:
    if (fp)
        fclose(fp);
    if (created)
        remove(tmp);
    free(hb.p);
    free(tmp);
    free(meta);
    free(outs);
    return st;
}
