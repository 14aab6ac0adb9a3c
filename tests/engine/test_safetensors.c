/* test_safetensors.c — the safetensors reader and writer.
 *
 * Round trips through our own writer, files built byte by byte here (so the
 * reader is checked against the format, not against our writer), the
 * reference implementation's published byte layouts, a file written from
 * PyTorch tensors (tests/golden/gen/safetensors_torch.py), a table of
 * corrupt headers, and a deterministic fuzz that mutates valid files. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp, opendir */
#endif

#include "testutil.h"

#include <dirent.h>
#include <float.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "golden.h"
#include "seq/safetensors.h"

static char tmpdir[256];

/* ---- helpers ------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    unsigned char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static void write_all(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* A file image: little-endian header length, the header text, the data. */
static unsigned char *st_image(const char *header, size_t hlen,
                               const void *data, size_t dlen, size_t *len)
{
    unsigned char *buf = malloc(8 + hlen + dlen + 1);
    assert_non_null(buf);
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
    memcpy(buf + 8, header, hlen);
    if (dlen)
        memcpy(buf + 8 + hlen, data, dlen);
    *len = 8 + hlen + dlen;
    return buf;
}

/* Loads header + data from memory under the name "case.st". */
static int load_text(struct seq_st_file *f, const char *header,
                     const void *data, size_t dlen)
{
    size_t len;
    unsigned char *buf = st_image(header, strlen(header), data, dlen, &len);
    int st = seq_st_load_buffer(f, buf, len, "case.st");
    free(buf);
    return st;
}

static struct seq_tensor *i64_tensor(int ndim, const int64_t *shape,
                                     const int64_t *values)
{
    struct seq_tensor *t = NULL;
    assert_ok(seq_from_buffer(&t, SEQ_INT64, ndim, shape, values));
    return t;
}

/* Same dtype, shape and bits (so NaN, -0.0 and denormals count). */
static void assert_same_tensor(const struct seq_tensor *got,
                               const struct seq_tensor *want)
{
    assert_int_equal(got->dtype, want->dtype);
    assert_shape(got, want->ndim, want->shape);
    size_t n = (size_t)seq_numel(want) * seq_dtype_size(want->dtype);
    unsigned char *a = malloc(n + 1), *b = malloc(n + 1);
    assert_non_null(a);
    assert_non_null(b);
    assert_ok(seq_copy_out(a, got->dtype, got));
    assert_ok(seq_copy_out(b, want->dtype, want));
    assert_memory_equal(a, b, n);
    free(a);
    free(b);
}

static struct seq_tensor *must_find(const struct seq_st_file *f,
                                    const char *name)
{
    struct seq_tensor *t = seq_st_find(f, name);
    if (!t)
        fail_msg("tensor '%s' not in the loaded file", name);
    return t;
}

static int64_t live_bytes(void)
{
    struct seq_memstats m;
    seq_memory(&m);
    return m.live_bytes;
}

/* The IEEE half value of bits h by arithmetic, independent of the bit
 * shuffling in the loader. */
static double half_value(unsigned h)
{
    int sign = h >> 15 ? -1 : 1;
    unsigned exp = (h >> 10) & 31, mant = h & 1023;
    if (exp == 31)
        return mant ? NAN : sign * INFINITY;
    if (exp == 0)
        return sign * ldexp(mant, -24);
    return sign * ldexp(1024 + mant, (int)exp - 25);
}

/* ---- fixture ------------------------------------------------------------- */

static int make_tmpdir(void **state)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/seqlab-st-XXXXXX",
             base && base[0] ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            const char *p = tmp_path(e->d_name);
            if (remove(p) != 0)
                rmdir(p);
        }
    }
    closedir(d);
    return rmdir(tmpdir);
}

/* ---- round trips --------------------------------------------------------- */

static void test_save_then_load_keeps_every_dtype_shape_and_bit(void **state)
{
    const int64_t big[] = {INT64_MIN,       -1,  0, 1, INT64_MAX,
                           1234567890123LL, -42, 7};
    struct seq_tensor *ts[6];
    const char *names[6] = {"w", "b", "idx", "scalar", "empty", "one"};
    ts[0] = tensor_of(SEQ_FLOAT32, 2, (int64_t[]){2, 3},
                      (double[]){0.1, -0.0, FLT_MIN / 4, 1e30, NAN, -7.25});
    ts[1] = tensor_of(SEQ_FLOAT64, 1, (int64_t[]){4},
                      (double[]){0.1, 1e-310, -INFINITY, 3.141592653589793});
    ts[2] = i64_tensor(3, (int64_t[]){2, 2, 2}, big);
    ts[3] = tensor_of(SEQ_FLOAT64, 0, (int64_t[]){1}, (double[]){2.5});
    ts[4] = tensor_of(SEQ_FLOAT32, 2, (int64_t[]){0, 3}, (double[]){0});
    ts[5] = i64_tensor(1, (int64_t[]){1}, (int64_t[]){-5});
    const char *path = tmp_path("round.safetensors");
    assert_ok(seq_st_save(path, 6, names, ts, 0, NULL, NULL));

    struct seq_st_file f;
    assert_ok(seq_st_load(&f, path));
    assert_int_equal(f.n, 6);
    assert_int_equal(f.nmeta, 0);
    /* Entries come back sorted by name. */
    const char *sorted[] = {"b", "empty", "idx", "one", "scalar", "w"};
    for (int i = 0; i < 6; i++)
        assert_string_equal(f.entries[i].name, sorted[i]);
    for (int i = 0; i < 6; i++)
        assert_same_tensor(must_find(&f, names[i]), ts[i]);
    assert_string_equal(f.entries[0].file_dtype, "F64");
    assert_string_equal(f.entries[2].file_dtype, "I64");
    assert_string_equal(f.entries[5].file_dtype, "F32");
    assert_null(seq_st_find(&f, "missing"));
    assert_null(seq_st_find(&f, "a"));
    assert_null(seq_st_find(&f, "z"));
    seq_st_file_free(&f);
    seq_st_file_free(&f); /* a second free is harmless */
    assert_int_equal(f.n, 0);
    seq_st_file_free(NULL);
    for (int i = 0; i < 6; i++)
        seq_release(ts[i]);
}

static void test_save_writes_strided_views_in_c_order(void **state)
{
    struct seq_tensor *a = tensor_of(SEQ_FLOAT64, 2, (int64_t[]){2, 3},
                                     (double[]){1, 2, 3, 4, 5, 6});
    struct seq_tensor *at = NULL, *row = NULL, *r = NULL, *wide = NULL;
    assert_ok(seq_transpose(&at, a, 0, 1));
    assert_false(seq_is_contiguous(at));
    assert_ok(seq_select(&row, a, 0, 1)); /* a view at an offset */
    struct seq_tensor *r13 =
        tensor_of(SEQ_FLOAT32, 2, (int64_t[]){1, 3}, (double[]){7, 8, 9});
    assert_ok(seq_expand(&wide, r13, 2, (int64_t[]){2, 3})); /* stride 0 */
    const char *names[] = {"t", "row", "wide"};
    struct seq_tensor *ts[] = {at, row, wide};
    const char *path = tmp_path("views.safetensors");
    assert_ok(seq_st_save(path, 3, names, ts, 0, NULL, NULL));

    struct seq_st_file f;
    assert_ok(seq_st_load(&f, path));
    struct seq_tensor *t = must_find(&f, "t");
    assert_shape(t, 2, (int64_t[]){3, 2});
    assert_tensor_close(t, (double[]){1, 4, 2, 5, 3, 6}, 6, 0, 0);
    assert_shape(r = must_find(&f, "row"), 1, (int64_t[]){3});
    assert_tensor_close(r, (double[]){4, 5, 6}, 3, 0, 0);
    t = must_find(&f, "wide");
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    assert_shape(t, 2, (int64_t[]){2, 3});
    assert_tensor_close(t, (double[]){7, 8, 9, 7, 8, 9}, 6, 0, 0);
    seq_st_file_free(&f);
    seq_release(a);
    seq_release(at);
    seq_release(row);
    seq_release(r13);
    seq_release(wide);
}

static void test_metadata_round_trips_sorted_by_key(void **state)
{
    const char *keys[] = {"zeta", "format", "note"};
    const char *values[] = {"last", "pt", "caf\xc3\xa9 \"quoted\"\nline 2"};
    const char *path = tmp_path("meta.safetensors");
    assert_ok(seq_st_save(path, 0, NULL, NULL, 3, keys, values));

    struct seq_st_file f;
    assert_ok(seq_st_load(&f, path));
    assert_int_equal(f.n, 0);
    assert_int_equal(f.nmeta, 3);
    assert_string_equal(f.meta_keys[0], "format");
    assert_string_equal(f.meta_keys[1], "note");
    assert_string_equal(f.meta_keys[2], "zeta");
    assert_string_equal(seq_st_meta(&f, "note"), values[2]);
    assert_string_equal(seq_st_meta(&f, "format"), "pt");
    assert_string_equal(seq_st_meta(&f, "zeta"), "last");
    assert_null(seq_st_meta(&f, "absent"));
    seq_st_file_free(&f);
}

static void test_names_with_quotes_controls_and_unicode_round_trip(void **state)
{
    const char *names[] = {"a\"b\\c", "tab\there\x01", "\xc3\xa9t\xc3\xa9",
                           "\xf0\x9f\x98\x80"};
    struct seq_tensor *ts[4];
    for (int i = 0; i < 4; i++)
        ts[i] = tensor_of(SEQ_FLOAT32, 1, (int64_t[]){1}, (double[]){i});
    const char *path = tmp_path("names.safetensors");
    assert_ok(seq_st_save(path, 4, names, ts, 0, NULL, NULL));
    size_t len;
    unsigned char *bytes = read_all(path, &len);
    char *text = strndup((const char *)bytes + 8, len - 8);
    /* The escapes JSON requires, written the way serde_json writes them. */
    assert_non_null(strstr(text, "\"a\\\"b\\\\c\""));
    assert_non_null(strstr(text, "\"tab\\there\\u0001\""));
    assert_non_null(strstr(text, "\"\xc3\xa9t\xc3\xa9\""));
    free(text);
    free(bytes);

    struct seq_st_file f;
    assert_ok(seq_st_load(&f, path));
    for (int i = 0; i < 4; i++)
        assert_tensor_close(must_find(&f, names[i]), (double[]){i}, 1, 0, 0);
    seq_st_file_free(&f);
    for (int i = 0; i < 4; i++)
        seq_release(ts[i]);
}

/* ---- the writer against the reference implementation's layouts ----------- */

static void test_save_matches_reference_bytes_for_one_f32_tensor(void **state)
{
    /* The byte layout the reference (Rust) implementation's own tests
     * expect for attn.0 = arange(6) as F32 of shape (1,2,3). */
    static const char header[] = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":"
                                 "[1,2,3],\"data_offsets\":[0,24]}}";
    static const unsigned char data[24] = {0, 0, 0,    0,    0, 0, 0x80, 0x3f,
                                           0, 0, 0,    0x40, 0, 0, 0x40, 0x40,
                                           0, 0, 0x80, 0x40, 0, 0, 0xa0, 0x40};
    assert_int_equal(sizeof header - 1, 64);
    size_t wlen, glen;
    unsigned char *want = st_image(header, 64, data, 24, &wlen);

    struct seq_tensor *t = tensor_of(SEQ_FLOAT32, 3, (int64_t[]){1, 2, 3},
                                     (double[]){0, 1, 2, 3, 4, 5});
    const char *path = tmp_path("attn.safetensors");
    assert_ok(
        seq_st_save(path, 1, (const char *[]){"attn.0"}, &t, 0, NULL, NULL));
    unsigned char *got = read_all(path, &glen);
    assert_int_equal(glen, wlen);
    assert_memory_equal(got, want, wlen);
    free(got);
    free(want);
    seq_release(t);
}

static void test_save_matches_reference_bytes_without_tensors(void **state)
{
    /* Also from the reference's tests: an empty file is "{}" padded to 8,
     * and metadata alone is {"__metadata__":{"framework":"pt"}} + 5. */
    size_t len;
    const char *path = tmp_path("empty.safetensors");
    assert_ok(seq_st_save(path, 0, NULL, NULL, 0, NULL, NULL));
    unsigned char *got = read_all(path, &len);
    assert_int_equal(len, 16);
    assert_memory_equal(got, "\x08\0\0\0\0\0\0\0{}      ", 16);
    free(got);

    assert_ok(seq_st_save(path, 0, NULL, NULL, 1, (const char *[]){"framework"},
                          (const char *[]){"pt"}));
    got = read_all(path, &len);
    assert_int_equal(len, 48);
    assert_memory_equal(got,
                        "\x28\0\0\0\0\0\0\0{\"__metadata__\":{\"framework\":"
                        "\"pt\"}}     ",
                        48);
    free(got);
}

static void test_save_orders_by_dtype_then_name_and_aligns_data(void **state)
{
    const char *names[] = {"b", "a", "c", "d"};
    struct seq_tensor *ts[] = {
        tensor_of(SEQ_FLOAT32, 1, (int64_t[]){1}, (double[]){1}),
        tensor_of(SEQ_FLOAT32, 1, (int64_t[]){1}, (double[]){2}),
        i64_tensor(1, (int64_t[]){1}, (int64_t[]){3}),
        tensor_of(SEQ_FLOAT64, 1, (int64_t[]){2}, (double[]){4, 5}),
    };
    static const char want[] =
        "{\"c\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
        "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]},"
        "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]},"
        "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[28,32]}}";
    const char *path = tmp_path("order.safetensors");
    assert_ok(seq_st_save(path, 4, names, ts, 0, NULL, NULL));
    size_t len;
    unsigned char *got = read_all(path, &len);
    size_t hlen = sizeof want - 1, padded = (hlen + 7) / 8 * 8;
    assert_int_equal(len, 8 + padded + 32);
    assert_int_equal(got[0] | got[1] << 8, padded);
    assert_memory_equal(got + 8, want, hlen);
    for (size_t i = 8 + hlen; i < 8 + padded; i++)
        assert_int_equal(got[i], ' ');
    /* c (int64 3) comes first in the data. */
    assert_memory_equal(got + 8 + padded, "\x03\0\0\0\0\0\0\0", 8);
    free(got);
    for (int i = 0; i < 4; i++)
        seq_release(ts[i]);
}

/* ---- files built by hand ------------------------------------------------- */

static void test_load_reads_hand_built_file(void **state)
{
    /* Keys out of order, fields out of order, whitespace, an unknown field
     * with nested values, escaped names; data laid out I64, F64, F32. */
    static const char header[] =
        "{\n"
        "  \"__metadata__\": {\"origin\": \"by \\\"hand\\\"\"},\n"
        "  \"\\u00e9t\\u00e9\\ud83d\\ude00\": {\"shape\": [2],\n"
        "      \"data_offsets\": [24, 32], \"dtype\": \"F32\"},\n"
        "  \"vec\": {\"dtype\": \"F64\", \"data_offsets\": [8, 24],\n"
        "      \"shape\": [2], \"extra\": {\"nested\": [1, -2.5e3, true,\n"
        "      false, null, \"s\\n\\u0041\", {}, []]}},\n"
        "  \"count\": {\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
        "\r\n\t\"none\":{\"dtype\":\"F32\",\"shape\":[3,0],"
        "\"data_offsets\":[32,32]}\n"
        "}   ";
    static const unsigned char data[32] = {
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* I64 -2 */
        0,    0,    0,    0,    0,    0,    0xe0, 0x3f, /* F64 0.5 */
        0,    0,    0,    0,    0,    0,    0x08, 0xc0, /* F64 -3 */
        0,    0,    0x80, 0x3f, 0,    0,    0x20, 0xc0, /* F32 1, -2.5 */
    };
    struct seq_st_file f;
    assert_ok(load_text(&f, header, data, sizeof data));
    assert_int_equal(f.n, 4);
    assert_string_equal(f.entries[0].name, "count");
    assert_string_equal(f.entries[1].name, "none");
    assert_string_equal(f.entries[2].name, "vec");
    assert_string_equal(f.entries[3].name, "\xc3\xa9t\xc3\xa9\xf0\x9f\x98\x80");

    struct seq_tensor *t = f.entries[0].tensor;
    assert_int_equal(t->dtype, SEQ_INT64);
    assert_int_equal(t->ndim, 0);
    assert_int_equal(*(int64_t *)seq_data(t), -2);
    t = f.entries[1].tensor;
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    assert_shape(t, 2, (int64_t[]){3, 0});
    t = f.entries[2].tensor;
    assert_int_equal(t->dtype, SEQ_FLOAT64);
    assert_tensor_close(t, (double[]){0.5, -3}, 2, 0, 0);
    t = f.entries[3].tensor;
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    assert_tensor_close(t, (double[]){1, -2.5}, 2, 0, 0);
    assert_int_equal(f.nmeta, 1);
    assert_string_equal(seq_st_meta(&f, "origin"), "by \"hand\"");
    seq_st_file_free(&f);
}

static void test_load_widens_half_and_narrow_integer_dtypes(void **state)
{
    static const char header[] =
        "{\"f16\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]},"
        "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]},"
        "\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[22,30]},"
        "\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[30,34]},"
        "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[34,36]},"
        "\"u16\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[36,38]},"
        "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[38,40]},"
        "\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[40,41]},"
        "\"flag\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[41,44]}"
        "}";
    static const unsigned char data[44] = {
        0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, /* 1 -2 65504 2^-24 */
        0x00, 0x80, 0x00, 0x7c, 0x00, 0xfc, 0x00, 0x7e, /* -0 inf -inf nan */
        0x80, 0x3f, 0xa0, 0xc0, 0x01, 0x00,             /* bf16 1 -5 2^-133 */
        0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f, /* i32 min, max */
        0xff, 0xff, 0xff, 0xff,                         /* u32 max */
        0x00, 0x80, 0xff, 0xff,                         /* i16 min, u16 max */
        0x80, 0x7f, 0xff,                               /* i8 -128 127, u8 */
        0x00, 0x01, 0x02,                               /* bool */
    };
    struct seq_st_file f;
    assert_ok(load_text(&f, header, data, sizeof data));

    struct seq_tensor *t = must_find(&f, "f16");
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    assert_tensor_close(
        t, (double[]){1, -2, 65504, ldexp(1, -24), 0, INFINITY, -INFINITY, NAN},
        8, 0, 0);
    assert_true(signbit(((float *)seq_data(t))[4]));
    t = must_find(&f, "bf16");
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    assert_tensor_close(t, (double[]){1, -5, ldexp(1, -133)}, 3, 0, 0);
    assert_tensor_close(must_find(&f, "i32"),
                        (double[]){-2147483648.0, 2147483647.0}, 2, 0, 0);
    assert_tensor_close(must_find(&f, "u32"), (double[]){4294967295.0}, 1, 0,
                        0);
    assert_tensor_close(must_find(&f, "i16"), (double[]){-32768}, 1, 0, 0);
    assert_tensor_close(must_find(&f, "u16"), (double[]){65535}, 1, 0, 0);
    assert_tensor_close(must_find(&f, "i8"), (double[]){-128, 127}, 2, 0, 0);
    assert_tensor_close(must_find(&f, "u8"), (double[]){255}, 1, 0, 0);
    t = must_find(&f, "flag");
    assert_int_equal(t->dtype, SEQ_INT64);
    assert_tensor_close(t, (double[]){0, 1, 1}, 3, 0, 0);
    const char *stored[] = {"BF16", "F16", "BOOL", "I16", "I32",
                            "I8",   "U16", "U32",  "U8"};
    for (int i = 0; i < f.n; i++)
        assert_string_equal(f.entries[i].file_dtype, stored[i]);
    seq_st_file_free(&f);
}

static void test_load_from_file_widens_large_f16_tensor_in_chunks(void **state)
{
    /* 50000 halves = 100000 bytes, more than one conversion chunk. */
    enum { N = 50000 };
    char header[128];
    snprintf(header, sizeof header,
             "{\"h\":{\"dtype\":\"F16\",\"shape\":[%d],"
             "\"data_offsets\":[0,%d]}}",
             N, 2 * N);
    unsigned char *data = malloc(2 * N);
    double *want = malloc(N * sizeof *want);
    assert_non_null(data);
    assert_non_null(want);
    for (int i = 0; i < N; i++) {
        unsigned h = (unsigned)(i * 7919) % 0x7c00; /* finite, positive */
        if (i % 3 == 0)
            h |= 0x8000;
        data[2 * i] = (unsigned char)h;
        data[2 * i + 1] = (unsigned char)(h >> 8);
        want[i] = half_value(h);
    }
    size_t len;
    unsigned char *img = st_image(header, strlen(header), data, 2 * N, &len);
    const char *path = tmp_path("big_f16.safetensors");
    write_all(path, img, len);

    struct seq_st_file ff, fb;
    assert_ok(seq_st_load(&ff, path));
    assert_ok(seq_st_load_buffer(&fb, img, len, "big"));
    assert_tensor_close(must_find(&ff, "h"), want, N, 0, 0);
    assert_same_tensor(must_find(&fb, "h"), must_find(&ff, "h"));
    seq_st_file_free(&ff);
    seq_st_file_free(&fb);
    free(img);
    free(data);
    free(want);
}

/* Finds a file of tests/golden the way golden.c does. */
static const char *golden_path(const char *file)
{
    static char buf[1024];
    static const char *const roots[] = {".", "..", "../..", "../../.."};
    const char *env = getenv("SEQLAB_GOLDEN_DIR");
    if (env && env[0]) {
        snprintf(buf, sizeof buf, "%s/%s", env, file);
        return buf;
    }
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        snprintf(buf, sizeof buf, "%s/tests/golden/%s", roots[i], file);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return file;
}

static void test_load_reads_file_written_from_torch(void **state)
{
    static const struct {
        const char *name, *stored;
    } want[] = {
        {"bhalf", "BF16"}, {"embed.weight", "F32"},  {"empty", "F32"},
        {"half", "F16"},   {"i16", "I16"},           {"i32", "I32"},
        {"i8", "I8"},      {"ids", "I64"},           {"lstm.bias", "F64"},
        {"mask", "BOOL"},  {"proj.weight_t", "F32"}, {"scale", "F64"},
        {"u8", "U8"},
    };
    struct golden *g = golden_load("torch_tensors.txt");
    assert_non_null(g);
    struct seq_st_file f;
    assert_ok(seq_st_load(&f, golden_path("torch_tensors.safetensors")));
    assert_int_equal(f.n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < f.n; i++) {
        assert_string_equal(f.entries[i].name, want[i].name);
        assert_string_equal(f.entries[i].file_dtype, want[i].stored);
        struct seq_tensor *ref = golden_get(g, want[i].name);
        assert_int_equal(f.entries[i].tensor->dtype, ref->dtype);
        golden_assert_close(g, f.entries[i].tensor, want[i].name, 0, 0);
    }
    /* Written by the generator's METADATA. */
    assert_string_equal(seq_st_meta(&f, "format"), "pt");
    seq_st_file_free(&f);
    golden_free(g);
}

/* ---- corrupt input ------------------------------------------------------- */

#define ENTRY_A "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"
#define WITH_A(dtype, shape, offsets)                                          \
    "{\"a\":{\"dtype\":" dtype ",\"shape\":" shape                             \
    ",\"data_offsets\":" offsets "}}"

struct bad_case {
    const char *header;
    size_t dlen;
    const char *needle;
    bool names_a; /* the message must name tensor 'a' */
};

static const struct bad_case bad_cases[] = {
    /* not an object, or not JSON */
    {"", 0, "starting with '{'", false},
    {"[]", 0, "starting with '{'", false},
    {" {}", 0, "starting with '{'", false},
    {"{", 0, "not valid JSON", false},
    {"{" ENTRY_A "} x", 4, "trailing data", false},
    {"{" ENTRY_A "}}", 4, "trailing data", false},
    {"{" ENTRY_A ",}", 4, "expected a string", false},
    {"{\"a\" {}}", 0, "expected ':'", false},
    {"{\"a", 0, "unterminated string", false},
    {"{\"a\":1}", 0, "entry must be an object, got a number", true},
    {"{\"a\":null}", 0, "entry must be an object, got null", true},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
     "\"x\":tru}}",
     4, "expected a value", false},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
     "\"x\":1.}}",
     4, "invalid number", false},
    {WITH_A("\"F32\"", "[01]", "[0,4]"), 4, "expected ',' or ']'", false},
    {WITH_A("\"F32\"", "[-]", "[0,4]"), 4, "invalid number", false},
    /* strings */
    {"{\"a\\q\":1}", 0, "invalid escape", false},
    {"{\"\\ud800\":1}", 0, "unpaired surrogate", false},
    {"{\"\\ud800\\u0041\":1}", 0, "unpaired surrogate", false},
    {"{\"\\udc00\":1}", 0, "unpaired surrogate", false},
    {"{\"\\u12\":1}", 0, "bad \\u escape", false},
    {"{\"\\u00zz\":1}", 0, "bad \\u escape", false},
    {"{\"a\\u0000b\":1}", 0, "\\u0000 is not allowed", false},
    {"{\"a\x01\":1}", 0, "control character 0x01", false},
    {"{\"\xff\":1}", 0, "invalid UTF-8", false},
    {"{\"\xc0\xaf\":1}", 0, "invalid UTF-8", false},
    {"{\"\xed\xa0\x80\":1}", 0, "invalid UTF-8", false},
    {"{\"\xe2\x82\":1}", 0, "invalid UTF-8", false},
    {"{\"\xe0\x80\xaf\":1}", 0, "invalid UTF-8", false},
    {"{\"\xf4\x90\x80\x80\":1}", 0, "invalid UTF-8", false},
    /* fields */
    {"{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
     "missing field \"dtype\"", true},
    {"{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4,
     "missing field \"shape\"", true},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4,
     "missing field \"data_offsets\"", true},
    {"{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],"
     "\"data_offsets\":[0,4]}}",
     4, "field \"dtype\" appears twice", true},
    {WITH_A("32", "[1]", "[0,4]"), 4, "\"dtype\" must be a string", true},
    {WITH_A("\"F33\"", "[1]", "[0,4]"), 4, "unknown dtype \"F33\"", true},
    {WITH_A("\"f32\"", "[1]", "[0,4]"), 4, "unknown dtype \"f32\"", true},
    {WITH_A("\"U64\"", "[1]", "[0,8]"), 8, "dtype U64 is not supported", true},
    {WITH_A("\"F8_E4M3\"", "[1]", "[0,1]"), 1, "dtype F8_E4M3 is not supported",
     true},
    /* shapes */
    {WITH_A("\"F32\"", "\"1\"", "[0,4]"), 4, "\"shape\" must be an array",
     true},
    {WITH_A("\"F32\"", "[-1]", "[0,4]"), 4,
     "shape[0] must be a non-negative integer, got -1", true},
    {WITH_A("\"F32\"", "[1.0]", "[0,4]"), 4, "got 1.0", true},
    {WITH_A("\"F32\"", "[1e0]", "[0,4]"), 4, "got 1e0", true},
    {WITH_A("\"F32\"", "[1,\"1\"]", "[0,4]"), 4,
     "shape[1] must be a non-negative integer, got a string", true},
    {WITH_A("\"F32\"", "[99999999999999999999]", "[0,4]"), 4,
     "shape[0] is too large", true},
    {WITH_A("\"F32\"", "[9223372036854775808]", "[0,4]"), 4,
     "shape[0] is too large", true},
    {WITH_A("\"F32\"", "[1,1,1,1,1,1,1,1,1]", "[0,4]"), 4,
     "more than 8 dimensions", true},
    {WITH_A("\"F32\"", "[4294967296,4294967296]", "[0,0]"), 0,
     "too many elements", true},
    {WITH_A("\"F32\"", "[4611686018427387904,4,0]", "[0,0]"), 0,
     "too many elements", true},
    {WITH_A("\"F32\"", "[2305843009213693952]", "[0,0]"), 0,
     "too many elements", true},
    /* offsets */
    {WITH_A("\"F32\"", "[1]", "[4,0]"), 4, "end before they begin", true},
    {WITH_A("\"F32\"", "[1]", "[0]"), 4, "must be a pair", true},
    {WITH_A("\"F32\"", "[1]", "[0,4,4]"), 4, "must be a pair", true},
    {WITH_A("\"F32\"", "[1]", "\"0,4\""), 4, "must be a pair", true},
    {WITH_A("\"F32\"", "[1]", "[-4,0]"), 4,
     "data_offsets[0] must be a non-negative integer", true},
    {WITH_A("\"F32\"", "[1]", "[0,4.0]"), 4, "got 4.0", true},
    {WITH_A("\"F32\"", "[2]", "[0,8]"), 4,
     "run past the end of the data buffer (4 bytes)", true},
    {WITH_A("\"F32\"", "[1]", "[0,18446744073709551615]"), 4,
     "run past the end", true},
    {WITH_A("\"F32\"", "[1]", "[0,18446744073709551616]"), 4,
     "data_offsets[1] is too large", true},
    {WITH_A("\"F32\"", "[2]", "[0,4]"), 4, "size mismatch", true},
    {WITH_A("\"F64\"", "[1]", "[0,4]"), 4, "size mismatch", true},
    /* how the ranges tile the data buffer */
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
     12, "tensors 'a' and 'b' overlap", false},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
     "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}",
     8, "overlap", false},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
     12, "bytes [4, 8) of the data buffer belong to no tensor", false},
    {"{" ENTRY_A "}", 8, "bytes [4, 8) of the data buffer belong to no tensor",
     false},
    {"{}", 4, "bytes [0, 4) of the data buffer belong to no tensor", false},
    {"{" ENTRY_A "," ENTRY_A "}", 4, "duplicate tensor name", true},
    /* metadata */
    {"{\"__metadata__\":{},\"__metadata__\":{}}", 0,
     "__metadata__ appears twice", false},
    {"{\"__metadata__\":{\"k\":1}}", 0,
     "__metadata__ value of 'k' must be a string, got a number", false},
    {"{\"__metadata__\":[]}", 0, "__metadata__ must be an object, got an array",
     false},
    {"{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0,
     "duplicate __metadata__ key 'k'", false},
};

static void test_load_rejects_each_corrupt_header(void **state)
{
    unsigned char zeros[16] = {0};
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        struct seq_st_file f;
        int st = load_text(&f, c->header, zeros, c->dlen);
        const char *msg = seq_error();
        if (st != SEQ_EFORMAT || strncmp(msg, "case.st: ", 9) != 0 ||
            !strstr(msg, c->needle) ||
            (c->names_a && !strstr(msg, "tensor 'a'")))
            fail_msg("case %zu <%s>: got %s \"%s\", expected EFORMAT with "
                     "\"%s\"%s",
                     i, c->header, seq_status_name(st), msg, c->needle,
                     c->names_a ? " naming tensor 'a'" : "");
        assert_int_equal(f.n, 0);
        assert_null(f.entries);
        assert_int_equal(f.nmeta, 0);
    }
}

static void test_load_rejects_json_nested_too_deep(void **state)
{
    char header[512];
    int k = snprintf(header, sizeof header, "{%s", ENTRY_A);
    k--; /* reopen the entry to add a field */
    k += snprintf(header + k, sizeof header - (size_t)k, ",\"x\":");
    for (int i = 0; i < 80; i++)
        header[k++] = '[';
    for (int i = 0; i < 80; i++)
        header[k++] = ']';
    snprintf(header + k, sizeof header - (size_t)k, "}}");
    struct seq_st_file f;
    assert_fails(load_text(&f, header, "\0\0\0\0", 4), SEQ_EFORMAT,
                 "nested more than 64 levels deep");

    /* 60 levels is deep but allowed, and skipped. */
    k = snprintf(header, sizeof header, "{%s", ENTRY_A) - 1;
    k += snprintf(header + k, sizeof header - (size_t)k, ",\"x\":");
    for (int i = 0; i < 60; i++)
        header[k++] = '[';
    for (int i = 0; i < 60; i++)
        header[k++] = ']';
    snprintf(header + k, sizeof header - (size_t)k, "}}");
    assert_ok(load_text(&f, header, "\0\0\0\0", 4));
    seq_st_file_free(&f);
}

static void test_load_rejects_bad_length_prefix(void **state)
{
    static const char hdr[] = "{" ENTRY_A "}";
    size_t hlen = sizeof hdr - 1, len;
    unsigned char *img = st_image(hdr, hlen, "\0\0\x80\x3f", 4, &len);
    struct seq_st_file f;
    assert_ok(seq_st_load_buffer(&f, img, len, "case.st"));
    assert_tensor_close(f.entries[0].tensor, (double[]){1}, 1, 0, 0);
    seq_st_file_free(&f);

    assert_fails(seq_st_load_buffer(&f, img, 0, "case.st"), SEQ_EFORMAT,
                 "case.st: file is too short (0 bytes)");
    assert_fails(seq_st_load_buffer(&f, NULL, 0, "case.st"), SEQ_EFORMAT,
                 "too short");
    assert_fails(seq_st_load_buffer(&f, img, 7, "case.st"), SEQ_EFORMAT,
                 "too short (7 bytes)");
    /* Truncated inside the header, and inside the data. */
    assert_fails(seq_st_load_buffer(&f, img, 8 + hlen - 1, "case.st"),
                 SEQ_EFORMAT, "runs past the end of the file");
    assert_fails(seq_st_load_buffer(&f, img, len - 1, "case.st"), SEQ_EFORMAT,
                 "run past the end of the data buffer");

    /* The length field lies: too long, absurd, or too short. */
    unsigned char *lie = malloc(len);
    memcpy(lie, img, len);
    lie[0] = (unsigned char)(hlen + 5);
    assert_fails(seq_st_load_buffer(&f, lie, len, "case.st"), SEQ_EFORMAT,
                 "runs past the end of the file");
    memset(lie, 0xff, 8);
    assert_fails(seq_st_load_buffer(&f, lie, len, "case.st"), SEQ_EFORMAT,
                 "header length 18446744073709551615 is over the 100000000 "
                 "byte limit");
    memcpy(lie, "\x01\xe1\xf5\x05\0\0\0\0", 8); /* 100000001 */
    assert_fails(seq_st_load_buffer(&f, lie, len, "case.st"), SEQ_EFORMAT,
                 "limit");
    memcpy(lie, img, 8);
    lie[0] = (unsigned char)(hlen - 1);
    assert_fails(seq_st_load_buffer(&f, lie, len, "case.st"), SEQ_EFORMAT,
                 "not valid JSON");
    lie[0] = (unsigned char)(hlen + 1); /* swallows a data byte */
    assert_fails(seq_st_load_buffer(&f, lie, len, "case.st"), SEQ_EFORMAT,
                 "trailing data after the header object");
    memcpy(lie, img, len);
    lie[8 + 3] = '\0'; /* a NUL inside the header */
    assert_fails(seq_st_load_buffer(&f, lie, len, "case.st"), SEQ_EFORMAT,
                 "not valid JSON");
    assert_int_equal(f.n, 0);
    free(lie);
    free(img);
}

static void test_load_reports_missing_and_non_regular_files(void **state)
{
    struct seq_st_file f;
    const char *missing = tmp_path("no-such.safetensors");
    assert_fails(seq_st_load(&f, missing), SEQ_EIO, "cannot open");
    assert_non_null(strstr(seq_error(), "no-such.safetensors"));
    assert_fails(seq_st_load(&f, tmpdir), SEQ_EIO, "not a regular file");

    /* A truncated file on disk fails like a truncated buffer. */
    struct seq_tensor *t =
        tensor_of(SEQ_FLOAT64, 1, (int64_t[]){3}, (double[]){1, 2, 3});
    const char *path = tmp_path("cut.safetensors");
    assert_ok(seq_st_save(path, 1, (const char *[]){"x"}, &t, 0, NULL, NULL));
    size_t len;
    unsigned char *img = read_all(path, &len);
    write_all(path, img, len - 5);
    assert_fails(seq_st_load(&f, path), SEQ_EFORMAT,
                 "run past the end of the data buffer");
    free(img);
    seq_release(t);
}

static int cancel_always(void *ud)
{
    return 1;
}

static void test_load_stops_when_cancelled(void **state)
{
    int64_t before = live_bytes();
    struct seq_st_file f;
    seq_set_cancel_fn(cancel_always, NULL);
    int st = load_text(&f, "{" ENTRY_A "}", "\0\0\0\0", 4);
    seq_set_cancel_fn(NULL, NULL);
    assert_int_equal(st, SEQ_ECANCELED);
    assert_int_equal(f.n, 0);
    assert_int_equal(live_bytes(), before);
}

/* ---- fuzz ---------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: deterministic across platforms. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* Mutates base `iters` times; every load must succeed or fail cleanly.
 * Each mutant sits in a buffer of exactly its size, so that a read past
 * the end shows up under AddressSanitizer. */
static void fuzz_file(const unsigned char *base, size_t len, uint64_t seed,
                      int iters, int *ok, int *bad)
{
    static const char interesting[] = "{}[]\",:0123456789-.eE \\u\x00\xff";
    size_t hend = 8 + (size_t)(base[0] | base[1] << 8 | base[2] << 16);
    for (int it = 0; it < iters; it++) {
        unsigned char *m = malloc(len);
        assert_non_null(m);
        memcpy(m, base, len);
        size_t n = len;
        uint64_t r = rng_next(&seed);
        int edits = 1 + (int)(r >> 8) % 3;
        for (int e = 0; e < edits; e++) {
            r = rng_next(&seed);
            /* Mostly the header, where the parser lives. */
            size_t at = (r >> 16) % 4 ? (r >> 24) % hend : (r >> 24) % len;
            switch (r % 5) {
            case 0:
                m[at] ^= (unsigned char)(1u << ((r >> 8) % 8));
                break;
            case 1:
                m[at] = (unsigned char)(r >> 40);
                break;
            case 2:
                m[at] = (unsigned char)
                    interesting[(r >> 40) % (sizeof interesting - 1)];
                break;
            case 3:
                n = (r >> 24) % (len + 1);
                break;
            case 4:
                m[(r >> 24) % 8] = (unsigned char)(r >> 40);
                break;
            }
        }
        unsigned char *exact = malloc(n ? n : 1);
        assert_non_null(exact);
        memcpy(exact, m, n);
        free(m);
        struct seq_st_file f;
        int st = seq_st_load_buffer(&f, exact, n, "fuzz.st");
        free(exact);
        if (st == SEQ_OK) {
            (*ok)++;
            for (int i = 0; i < f.n; i++) {
                assert_non_null(f.entries[i].name);
                assert_non_null(f.entries[i].tensor);
            }
            seq_st_file_free(&f);
            continue;
        }
        (*bad)++;
        /* ENOMEM: a shape the engine refuses to allocate (2^62 x 0). */
        if ((st != SEQ_EFORMAT && st != SEQ_ENOMEM) ||
            strncmp(seq_error(), "fuzz.st: ", 9) != 0)
            fail_msg("mutant %d: %s \"%s\"", it, seq_status_name(st),
                     seq_error());
        assert_int_equal(f.n, 0);
        assert_null(f.entries);
        assert_int_equal(f.nmeta, 0);
    }
}

static void test_mutated_files_load_or_fail_cleanly(void **state)
{
    int64_t before = live_bytes();
    struct seq_tensor *ts[] = {
        tensor_of(SEQ_FLOAT32, 2, (int64_t[]){2, 3},
                  (double[]){1, 2, 3, 4, 5, 6}),
        i64_tensor(1, (int64_t[]){2}, (int64_t[]){-1, 1}),
        tensor_of(SEQ_FLOAT64, 0, (int64_t[]){1}, (double[]){0.5}),
    };
    const char *path = tmp_path("fuzz.safetensors");
    assert_ok(seq_st_save(path, 3, (const char *[]){"w", "ids", "s"}, ts, 1,
                          (const char *[]){"k"}, (const char *[]){"v"}));
    size_t len1, len2;
    unsigned char *ours = read_all(path, &len1);
    unsigned char *torch =
        read_all(golden_path("torch_tensors.safetensors"), &len2);
    int ok = 0, bad = 0;
    fuzz_file(ours, len1, 0x5eed5eed5eedULL, 4000, &ok, &bad);
    fuzz_file(torch, len2, 0x123456789abcULL, 4000, &ok, &bad);
    /* Both outcomes must have been exercised for the fuzz to mean much. */
    assert_true(ok > 100);
    assert_true(bad > 1000);
    free(ours);
    free(torch);
    for (int i = 0; i < 3; i++)
        seq_release(ts[i]);
    assert_int_equal(live_bytes(), before);
}

/* ---- saving failures ----------------------------------------------------- */

static void test_failed_save_leaves_previous_file_intact(void **state)
{
    struct seq_tensor *t =
        tensor_of(SEQ_FLOAT64, 1, (int64_t[]){2}, (double[]){1, 2});
    const char *path = tmp_path("keep.safetensors");
    const char *tmp = tmp_path("keep.safetensors.tmp");
    assert_ok(seq_st_save(path, 1, (const char *[]){"x"}, &t, 0, NULL, NULL));
    struct seq_tensor *two[] = {t, t};
    assert_fails(
        seq_st_save(path, 2, (const char *[]){"x", "x"}, two, 0, NULL, NULL),
        SEQ_EINVAL, "duplicate tensor name");
    struct seq_st_file f;
    assert_ok(seq_st_load(&f, path));
    assert_tensor_close(must_find(&f, "x"), (double[]){1, 2}, 2, 0, 0);
    seq_st_file_free(&f);
    assert_int_not_equal(access(tmp, F_OK), 0);

    /* The rename fails (the target is a directory) after the temporary file
     * was written: it must be removed again. */
    const char *dir = tmp_path("adir");
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_fails(seq_st_save(dir, 1, (const char *[]){"x"}, &t, 0, NULL, NULL),
                 SEQ_EIO, "cannot replace");
    assert_int_not_equal(access(tmp_path("adir.tmp"), F_OK), 0);
    assert_int_equal(rmdir(dir), 0);

    assert_fails(seq_st_save(tmp_path("missing/dir/x.safetensors"), 1,
                             (const char *[]){"x"}, &t, 0, NULL, NULL),
                 SEQ_EIO, "cannot create");
    seq_release(t);
}

static void test_save_rejects_bad_names_and_arguments(void **state)
{
    struct seq_tensor *t =
        tensor_of(SEQ_FLOAT32, 1, (int64_t[]){1}, (double[]){1});
    const char *path = tmp_path("bad.safetensors");
    assert_fails(seq_st_save(path, 1, (const char *[]){"__metadata__"}, &t, 0,
                             NULL, NULL),
                 SEQ_EINVAL, "reserved for metadata");
    assert_fails(
        seq_st_save(path, 1, (const char *[]){"bad\xff"}, &t, 0, NULL, NULL),
        SEQ_EINVAL, "not valid UTF-8");
    assert_fails(
        seq_st_save(path, 1, (const char *[]){NULL}, &t, 0, NULL, NULL),
        SEQ_EINVAL, "NULL name or tensor");
    assert_fails(seq_st_save(path, 1, (const char *[]){"x"},
                             (struct seq_tensor *[]){NULL}, 0, NULL, NULL),
                 SEQ_EINVAL, "NULL name or tensor");
    assert_fails(seq_st_save(path, 0, NULL, NULL, 2, (const char *[]){"k", "k"},
                             (const char *[]){"1", "2"}),
                 SEQ_EINVAL, "duplicate metadata key 'k'");
    assert_fails(seq_st_save(path, 0, NULL, NULL, 1, (const char *[]){"k"},
                             (const char *[]){"\xc0\xaf"}),
                 SEQ_EINVAL, "not valid UTF-8");
    assert_fails(seq_st_save(path, -1, NULL, NULL, 0, NULL, NULL), SEQ_EINVAL,
                 "bad arguments");
    assert_fails(seq_st_save(NULL, 0, NULL, NULL, 0, NULL, NULL), SEQ_EINVAL,
                 "bad arguments");
    assert_int_not_equal(access(path, F_OK), 0);
    seq_release(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_then_load_keeps_every_dtype_shape_and_bit),
        cmocka_unit_test(test_save_writes_strided_views_in_c_order),
        cmocka_unit_test(test_metadata_round_trips_sorted_by_key),
        cmocka_unit_test(
            test_names_with_quotes_controls_and_unicode_round_trip),
        cmocka_unit_test(test_save_matches_reference_bytes_for_one_f32_tensor),
        cmocka_unit_test(test_save_matches_reference_bytes_without_tensors),
        cmocka_unit_test(test_save_orders_by_dtype_then_name_and_aligns_data),
        cmocka_unit_test(test_load_reads_hand_built_file),
        cmocka_unit_test(test_load_widens_half_and_narrow_integer_dtypes),
        cmocka_unit_test(test_load_from_file_widens_large_f16_tensor_in_chunks),
        cmocka_unit_test(test_load_reads_file_written_from_torch),
        cmocka_unit_test(test_load_rejects_each_corrupt_header),
        cmocka_unit_test(test_load_rejects_json_nested_too_deep),
        cmocka_unit_test(test_load_rejects_bad_length_prefix),
        cmocka_unit_test(test_load_reports_missing_and_non_regular_files),
        cmocka_unit_test(test_load_stops_when_cancelled),
        cmocka_unit_test(test_mutated_files_load_or_fail_cleanly),
        cmocka_unit_test(test_failed_save_leaves_previous_file_intact),
        cmocka_unit_test(test_save_rejects_bad_names_and_arguments),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
