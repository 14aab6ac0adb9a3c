/* markdown.c — course pages parsed line by line and laid out straight into
 * lines of styled runs (see markdown.h): blocks are recognised in one pass
 * over the source lines, inline markup is resolved per block, then the
 * block is wrapped, fitted or drawn for the width.  Every read is bounded by
 * the source length; nothing here writes to a terminal except the writers
 * at the end, and only md_doc_write_ansi emits escapes. */
#include "course/markdown.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "viz/grid.h"

#define MAX_DEPTH    8    /* list levels; deeper items join the last level */
#define MAX_COLS     64   /* table columns; cells past these are dropped */
#define MAX_DEST     2048 /* bytes a link target may have */
#define TAB_STOP     4    /* in code blocks and indentation */
#define MAX_WIDTH    4096
#define MAX_ELEMENTS ((size_t)INT_MAX / 2)

/* ---- growing arrays ------------------------------------------------------ */

struct vec {
    void *data;
    size_t n, cap, size;
};

#define AT(v, type) ((type *)(v).data)

/* What a layout is being built from: the output (text arena, runs, lines,
 * links, code blocks) and scratch space reused by every block.  Out of
 * memory is sticky: once `oom` is set every append does nothing and
 * md_layout reports the failure at the end. */
struct builder {
    unsigned flags;
    bool ascii;
    int width;
    bool oom;
    struct vec text;  /* char: display text, link targets and texts, code */
    struct vec runs;  /* struct brun */
    struct vec lines; /* struct bline */
    struct vec links; /* struct blink */
    struct vec codes; /* struct bcode */
    int col;          /* display column reached on the last line */
    int last_block;   /* enum blk of the last block laid out */
    /* scratch */
    struct vec spans, atoms, toks, stack, cells, fits, tmp, para, code_src;
};

/* Room for `extra` more elements (false, with oom set, when there is none) */
static bool vec_reserve(struct builder *b, struct vec *v, size_t extra)
{
    if (b->oom)
        return false;
    if (extra <= v->cap - v->n)
        return true;
    if (extra > MAX_ELEMENTS - v->n) {
        b->oom = true;
        return false;
    }
    size_t cap = v->cap ? v->cap : 16;
    while (cap - v->n < extra)
        cap *= 2;
    void *d = realloc(v->data, cap * v->size);
    if (!d) {
        b->oom = true;
        return false;
    }
    v->data = d;
    v->cap = cap;
    return true;
}

/* A new zeroed element at the end, or NULL when out of memory. */
static void *vec_push(struct builder *b, struct vec *v)
{
    if (!vec_reserve(b, v, 1))
        return NULL;
    void *p = (char *)v->data + v->n++ * v->size;
    memset(p, 0, v->size);
    return p;
}

static void vec_bytes(struct builder *b, struct vec *v, const void *s, size_t n)
{
    if (n && vec_reserve(b, v, n)) {
        memcpy((char *)v->data + v->n, s, n);
        v->n += n;
    }
}

/* Appends bytes to the text arena; returns where they start. */
static size_t text_put(struct builder *b, const char *s, size_t n)
{
    size_t off = b->text.n;
    vec_bytes(b, &b->text, s, n);
    return off;
}

/* The same, NUL-terminated. */
static size_t text_put_str(struct builder *b, const char *s, size_t n)
{
    size_t off = text_put(b, s, n);
    text_put(b, "", 1);
    return off;
}

/* ---- characters ---------------------------------------------------------- */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static bool is_punct(unsigned char c)
{
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) ||
           (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

static bool is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Combining marks are kept (they draw over the previous glyph); other
 * zero-width characters (joiners, direction marks, BOM) are dropped. */
static bool is_combining(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* ---- the ASCII fallback -------------------------------------------------- */

enum { PLAIN_FORM = 0, SUB_FORM, SUP_FORM };

struct translit {
    uint32_t cp;
    unsigned char kind; /* PLAIN_FORM, SUB_FORM or SUP_FORM */
    const char *s;
};

/* Sorted by code point (binary search).  Greek, spaces and box drawing are
 * handled by ranges in ascii_form. */
static const struct translit translits[] = {
    {0x00A0, 0, " "},      {0x00A9, 0, "(c)"},      {0x00AB, 0, "<<"},
    {0x00AC, 0, "not "},   {0x00AE, 0, "(R)"},      {0x00B0, 0, "deg"},
    {0x00B1, 0, "+-"},     {0x00B2, 2, "2"},        {0x00B3, 2, "3"},
    {0x00B5, 0, "mu"},     {0x00B7, 0, "*"},        {0x00B9, 2, "1"},
    {0x00BB, 0, ">>"},     {0x00BC, 0, "1/4"},      {0x00BD, 0, "1/2"},
    {0x00BE, 0, "3/4"},    {0x00D7, 0, "x"},        {0x00F7, 0, "/"},
    {0x0176, 0, "Y^"},     {0x0177, 0, "y^"},       {0x02B0, 2, "h"},
    {0x02B2, 2, "j"},      {0x02B3, 2, "r"},        {0x02B7, 2, "w"},
    {0x02B8, 2, "y"},      {0x02C6, 0, "^"},        {0x02DC, 0, "~"},
    {0x02E1, 2, "l"},      {0x02E2, 2, "s"},        {0x02E3, 2, "x"},
    {0x0302, 0, "^"},      {0x0303, 0, "~"},        {0x0304, 0, "bar"},
    {0x03D1, 0, "theta"},  {0x03D5, 0, "phi"},      {0x03D6, 0, "pi"},
    {0x03F1, 0, "rho"},    {0x03F5, 0, "epsilon"},  {0x1D2C, 2, "A"},
    {0x1D2E, 2, "B"},      {0x1D30, 2, "D"},        {0x1D31, 2, "E"},
    {0x1D33, 2, "G"},      {0x1D34, 2, "H"},        {0x1D35, 2, "I"},
    {0x1D36, 2, "J"},      {0x1D37, 2, "K"},        {0x1D38, 2, "L"},
    {0x1D39, 2, "M"},      {0x1D3A, 2, "N"},        {0x1D3C, 2, "O"},
    {0x1D3E, 2, "P"},      {0x1D3F, 2, "R"},        {0x1D40, 2, "T"},
    {0x1D41, 2, "U"},      {0x1D42, 2, "W"},        {0x1D43, 2, "a"},
    {0x1D47, 2, "b"},      {0x1D48, 2, "d"},        {0x1D49, 2, "e"},
    {0x1D4D, 2, "g"},      {0x1D4F, 2, "k"},        {0x1D50, 2, "m"},
    {0x1D52, 2, "o"},      {0x1D56, 2, "p"},        {0x1D57, 2, "t"},
    {0x1D58, 2, "u"},      {0x1D5B, 2, "v"},        {0x1D5D, 2, "beta"},
    {0x1D5E, 2, "gamma"},  {0x1D5F, 2, "delta"},    {0x1D60, 2, "phi"},
    {0x1D61, 2, "chi"},    {0x1D62, 1, "i"},        {0x1D63, 1, "r"},
    {0x1D64, 1, "u"},      {0x1D65, 1, "v"},        {0x1D66, 1, "beta"},
    {0x1D67, 1, "gamma"},  {0x1D68, 1, "rho"},      {0x1D69, 1, "phi"},
    {0x1D6A, 1, "chi"},    {0x1D9C, 2, "c"},        {0x1DA0, 2, "f"},
    {0x1DBB, 2, "z"},      {0x1DBF, 2, "theta"},    {0x2010, 0, "-"},
    {0x2011, 0, "-"},      {0x2012, 0, "-"},        {0x2013, 0, "-"},
    {0x2014, 0, "--"},     {0x2015, 0, "--"},       {0x2016, 0, "||"},
    {0x2018, 0, "'"},      {0x2019, 0, "'"},        {0x201A, 0, ","},
    {0x201C, 0, "\""},     {0x201D, 0, "\""},       {0x201E, 0, "\""},
    {0x2020, 0, "+"},      {0x2022, 0, "*"},        {0x2026, 0, "..."},
    {0x2032, 0, "'"},      {0x2033, 0, "''"},       {0x2039, 0, "<"},
    {0x203A, 0, ">"},      {0x2044, 0, "/"},        {0x2070, 2, "0"},
    {0x2071, 2, "i"},      {0x2074, 2, "4"},        {0x2075, 2, "5"},
    {0x2076, 2, "6"},      {0x2077, 2, "7"},        {0x2078, 2, "8"},
    {0x2079, 2, "9"},      {0x207A, 2, "+"},        {0x207B, 2, "-"},
    {0x207C, 2, "="},      {0x207D, 2, "("},        {0x207E, 2, ")"},
    {0x207F, 2, "n"},      {0x2080, 1, "0"},        {0x2081, 1, "1"},
    {0x2082, 1, "2"},      {0x2083, 1, "3"},        {0x2084, 1, "4"},
    {0x2085, 1, "5"},      {0x2086, 1, "6"},        {0x2087, 1, "7"},
    {0x2088, 1, "8"},      {0x2089, 1, "9"},        {0x208A, 1, "+"},
    {0x208B, 1, "-"},      {0x208C, 1, "="},        {0x208D, 1, "("},
    {0x208E, 1, ")"},      {0x2090, 1, "a"},        {0x2091, 1, "e"},
    {0x2092, 1, "o"},      {0x2093, 1, "x"},        {0x2094, 1, "e"},
    {0x2095, 1, "h"},      {0x2096, 1, "k"},        {0x2097, 1, "l"},
    {0x2098, 1, "m"},      {0x2099, 1, "n"},        {0x209A, 1, "p"},
    {0x209B, 1, "s"},      {0x209C, 1, "t"},        {0x20AC, 0, "EUR"},
    {0x2102, 0, "C"},      {0x2113, 0, "l"},        {0x2115, 0, "N"},
    {0x211A, 0, "Q"},      {0x211D, 0, "R"},        {0x2124, 0, "Z"},
    {0x2190, 0, "<-"},     {0x2191, 0, "^"},        {0x2192, 0, "->"},
    {0x2193, 0, "v"},      {0x2194, 0, "<->"},      {0x21A6, 0, "|->"},
    {0x21D0, 0, "<="},     {0x21D2, 0, "=>"},       {0x21D4, 0, "<=>"},
    {0x2200, 0, "forall"}, {0x2202, 0, "d"},        {0x2203, 0, "exists"},
    {0x2205, 0, "{}"},     {0x2207, 0, "nabla"},    {0x2208, 0, "in"},
    {0x2209, 0, "notin"},  {0x220F, 0, "prod"},     {0x2211, 0, "sum"},
    {0x2212, 0, "-"},      {0x2213, 0, "-+"},       {0x2215, 0, "/"},
    {0x2217, 0, "*"},      {0x2218, 0, "o"},        {0x2219, 0, "*"},
    {0x221A, 0, "sqrt"},   {0x221D, 0, "~"},        {0x221E, 0, "inf"},
    {0x2223, 0, "|"},      {0x2225, 0, "||"},       {0x2227, 0, "and"},
    {0x2228, 0, "or"},     {0x2229, 0, "cap"},      {0x222A, 0, "cup"},
    {0x222B, 0, "int"},    {0x223C, 0, "~"},        {0x2248, 0, "~="},
    {0x2260, 0, "!="},     {0x2261, 0, "=="},       {0x2264, 0, "<="},
    {0x2265, 0, ">="},     {0x226A, 0, "<<"},       {0x226B, 0, ">>"},
    {0x2282, 0, "subset"}, {0x2286, 0, "subseteq"}, {0x2295, 0, "(+)"},
    {0x2297, 0, "(x)"},    {0x2299, 0, "(.)"},      {0x22C5, 0, "*"},
    {0x22EF, 0, "..."},    {0x2308, 0, "ceil("},    {0x2309, 0, ")"},
    {0x230A, 0, "floor("}, {0x230B, 0, ")"},        {0x2329, 0, "<"},
    {0x232A, 0, ">"},      {0x25A0, 0, "#"},        {0x25AA, 0, "*"},
    {0x25CB, 0, "o"},      {0x25CF, 0, "*"},        {0x25E6, 0, "o"},
    {0x2713, 0, "v"},      {0x2714, 0, "v"},        {0x2717, 0, "x"},
    {0x2718, 0, "x"},      {0x27E8, 0, "<"},        {0x27E9, 0, ">"},
    {0x2C7C, 1, "j"},      {0xFFFD, 0, "?"},
};

/* U+0391..U+03A9 and U+03B1..U+03C9 (U+03A2 is unassigned; U+03C2, the
 * final sigma, reads as sigma).  Capital sigma and pi are read as the
 * operators pages use them for. */
static const char *const greek_upper[] = {
    "Alpha",   "Beta", "Gamma", "Delta",  "Epsilon", "Zeta", "Eta",
    "Theta",   "Iota", "Kappa", "Lambda", "Mu",      "Nu",   "Xi",
    "Omicron", "prod", "Rho",   NULL,     "sum",     "Tau",  "Upsilon",
    "Phi",     "Chi",  "Psi",   "Omega",
};
static const char *const greek_lower[] = {
    "alpha",   "beta", "gamma", "delta",  "epsilon", "zeta", "eta",
    "theta",   "iota", "kappa", "lambda", "mu",      "nu",   "xi",
    "omicron", "pi",   "rho",   "sigma",  "sigma",   "tau",  "upsilon",
    "phi",     "chi",  "psi",   "omega",
};

static const struct translit *translit_find(uint32_t cp)
{
    size_t lo = 0, hi = sizeof translits / sizeof *translits;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < translits[mid].cp)
            hi = mid;
        else if (cp > translits[mid].cp)
            lo = mid + 1;
        else
            return &translits[mid];
    }
    return NULL;
}

/* Box drawing: the horizontal ones as '-', the vertical ones as '|', the
 * joints and corners as '+'. */
static const char *box_ascii(uint32_t cp)
{
    switch (cp) {
    case 0x2500:
    case 0x2501:
    case 0x2504:
    case 0x2505:
    case 0x2508:
    case 0x2509:
    case 0x254C:
    case 0x254D:
    case 0x2550:
        return "-";
    case 0x2502:
    case 0x2503:
    case 0x2506:
    case 0x2507:
    case 0x250A:
    case 0x250B:
    case 0x254E:
    case 0x254F:
    case 0x2551:
        return "|";
    default:
        return "+";
    }
}

/* The ASCII form of a non-ASCII code point into out (NUL-terminated); its
 * kind in *kind.  A subscript or superscript following one of its own kind
 * (prev_kind) does not repeat the '_' or '^'. */
static int ascii_form(uint32_t cp, char out[16], int prev_kind, int *kind)
{
    const char *s = NULL;
    *kind = PLAIN_FORM;
    if (cp >= 0x391 && cp <= 0x3A9)
        s = greek_upper[cp - 0x391];
    else if (cp >= 0x3B1 && cp <= 0x3C9)
        s = greek_lower[cp - 0x3B1];
    else if ((cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F)
        s = " ";
    else if (cp >= 0x2500 && cp <= 0x257F)
        s = box_ascii(cp);
    else {
        const struct translit *t = translit_find(cp);
        if (t) {
            s = t->s;
            *kind = t->kind;
        }
    }
    if (!s) {
        /* Latin-1 letters lose their accents; the rest is '?' or, for
         * zero-width characters, nothing */
        uint32_t g = viz_glyph_for(cp, VIZ_ASCII);
        int n = g && g < 0x80 ? 1 : 0;
        out[0] = (char)g;
        out[n] = '\0';
        return n;
    }
    int n = 0;
    if (*kind != PLAIN_FORM && *kind != prev_kind)
        out[n++] = *kind == SUB_FORM ? '_' : '^';
    size_t l = strlen(s);
    memcpy(out + n, s, l);
    n += (int)l;
    out[n] = '\0';
    return n;
}

int md_ascii_for(uint32_t cp, char out[16])
{
    int kind;
    if (cp < 0x20 || cp == 0x7F) {
        out[0] = '?';
        out[1] = '\0';
        return 1;
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        out[1] = '\0';
        return 1;
    }
    return ascii_form(cp, out, PLAIN_FORM, &kind);
}

/* Appends the display form of s[0..n) to the text arena: control
 * characters as '?', invalid UTF-8 as U+FFFD, the ASCII fallback under
 * MD_ASCII.  Tabs become spaces: one, or up to the next tab stop (counted
 * from the start of s) when expand_tabs.  Returns the display width. */
static int put_display(struct builder *b, const char *s, size_t n,
                       bool expand_tabs)
{
    int col = 0, prev_kind = PLAIN_FORM;
    size_t i = 0;
    while (i < n && !b->oom) {
        uint32_t cp;
        char buf[16];
        int len, w, kind = PLAIN_FORM;
        i += (size_t)viz_utf8_decode(s + i, n - i, &cp);
        if (cp == '\t' && expand_tabs) {
            int k = TAB_STOP - col % TAB_STOP;
            for (int j = 0; j < k; j++)
                text_put(b, " ", 1);
            col += k;
            prev_kind = PLAIN_FORM;
            continue;
        }
        if (cp == '\t' || cp == 0x2028 || cp == 0x2029)
            cp = ' ';
        else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            cp = '?';
        if (cp < 0x80) {
            buf[0] = (char)cp;
            len = w = 1;
        } else if (b->ascii) {
            len = w = ascii_form(cp, buf, prev_kind, &kind);
        } else {
            w = viz_char_width(cp);
            len = w == 0 && !is_combining(cp) ? 0 : viz_utf8_encode(cp, buf);
        }
        prev_kind = kind;
        text_put(b, buf, (size_t)len);
        col += w;
    }
    return col;
}

/* ---- lines and runs ------------------------------------------------------ */

/* Runs and lines while building: text is an offset into the arena, which
 * may still move. */
struct brun {
    size_t off;
    int len, col, width;
    unsigned style;
    int link;
};

struct bline {
    size_t first_run;
    int nruns, indent, width, code;
};

struct blink {
    size_t target, text; /* offsets of NUL-terminated strings */
    int line, col;       /* -1 until its first run is placed */
    bool is_item;
};

struct bcode {
    size_t lang, text;
    int first_line, nlines;
};

static struct bline *last_line(struct builder *b)
{
    return b->lines.n ? &AT(b->lines, struct bline)[b->lines.n - 1] : NULL;
}

static void line_begin(struct builder *b, int indent)
{
    struct bline *l = vec_push(b, &b->lines);
    if (!l)
        return;
    l->first_run = b->runs.n;
    l->indent = l->width = indent;
    l->code = -1;
    b->col = indent;
}

/* Closes the last line: trailing blanks go, and a line without runs is a
 * blank line of width 0. */
static void line_end(struct builder *b)
{
    struct bline *l = last_line(b);
    if (b->oom || !l)
        return;
    const char *text = b->text.data;
    while (l->nruns > 0) {
        struct brun *r = &AT(b->runs, struct brun)[b->runs.n - 1];
        while (r->len > 0 && text[r->off + (size_t)r->len - 1] == ' ') {
            r->len--;
            r->width--;
        }
        if (r->len > 0)
            break;
        l->nruns--;
        b->runs.n--;
    }
    if (l->nruns == 0) {
        l->indent = l->width = 0;
    } else {
        const struct brun *r = &AT(b->runs, struct brun)[b->runs.n - 1];
        l->width = r->col + r->width;
    }
}

/* Adds text already in the arena to the last line, joining it to the
 * previous run when the style, link and arena position continue it. */
static void put_run(struct builder *b, size_t off, int len, int width,
                    unsigned style, int link)
{
    struct bline *l = last_line(b);
    if (b->oom || !l || len <= 0)
        return;
    if (link >= 0) {
        struct blink *k = &AT(b->links, struct blink)[link];
        if (k->line < 0) {
            k->line = (int)b->lines.n - 1;
            k->col = b->col;
        }
    }
    struct brun *prev =
        l->nruns ? &AT(b->runs, struct brun)[b->runs.n - 1] : NULL;
    if (prev && prev->style == style && prev->link == link &&
        prev->off + (size_t)prev->len == off) {
        prev->len += len;
        prev->width += width;
    } else {
        struct brun *r = vec_push(b, &b->runs);
        if (!r)
            return;
        *r = (struct brun){off, len, b->col, width, style, link};
        l->nruns++;
    }
    b->col += width;
    l->width = b->col;
}

/* A literal (ASCII or a glyph of ours) repeated `count` times, one run. */
static void put_repeat(struct builder *b, const char *glyph, int count,
                       unsigned style)
{
    size_t off = b->text.n, gl = strlen(glyph);
    for (int i = 0; i < count; i++)
        text_put(b, glyph, gl);
    put_run(b, off, (int)(b->text.n - off), count, style, -1);
}

static void put_spaces(struct builder *b, int count)
{
    put_repeat(b, " ", count, MD_PLAIN);
}

static void put_glyph(struct builder *b, const char *glyph, unsigned style)
{
    put_repeat(b, glyph, 1, style);
}

/* ---- blocks -------------------------------------------------------------- */

enum blk {
    BLK_NONE,
    BLK_PARA,
    BLK_ITEM,
    BLK_HEADING,
    BLK_CODE,
    BLK_TABLE,
    BLK_RULE
};

/* One blank line between blocks, none between list items. */
static void block_start(struct builder *b, enum blk kind)
{
    if (b->last_block != BLK_NONE &&
        !(b->last_block == BLK_ITEM && kind == BLK_ITEM)) {
        line_begin(b, 0);
        line_end(b);
    }
    b->last_block = kind;
}

/* ---- inline markup ------------------------------------------------------- *
 * A block's text becomes tokens (text, code spans, runs of '*', '[' and
 * "](target)"), links are paired like brackets, '*' runs are matched on a
 * stack (links act as barriers: emphasis does not cross a link's edge),
 * then the tokens are walked once to produce display spans. */

enum { TK_TEXT, TK_CODE, TK_DELIM, TK_OPEN, TK_CLOSE };

struct tok {
    int kind;
    size_t off, len;   /* TEXT: the text; CODE: the content; DELIM: the run;
                          OPEN: "["; CLOSE: "](target)" */
    size_t toff, tlen; /* CLOSE: the target */
    int count;         /* DELIM: stars not matched */
    bool can_open, can_close;
    int open_b, open_i, close_b, close_i; /* DELIM: emphasis it starts/ends */
    int link; /* OPEN, CLOSE: the link they delimit, or -1 */
};

/* A piece of display text in the arena, in one style. */
struct span {
    size_t off, len;
    unsigned style;
    int link;
};

static void push_tok(struct builder *b, int kind, size_t off, size_t len)
{
    struct tok *t = vec_push(b, &b->toks);
    if (t) {
        t->kind = kind;
        t->off = off;
        t->len = len;
        t->link = -1;
    }
}

static void flush_text(struct builder *b, size_t start, size_t end)
{
    if (end > start)
        push_tok(b, TK_TEXT, start, end - start);
}

/* Where the run of exactly r backticks closing a code span opened before
 * `from` starts, or SIZE_MAX.  fail[r] remembers a search that found none:
 * a later search for the same length, over a suffix, finds none either. */
#define TICK_CACHE 16
static size_t find_ticks(const char *t, size_t n, size_t from, size_t r,
                         size_t fail[TICK_CACHE])
{
    if (r < TICK_CACHE && fail[r] && from >= fail[r] - 1)
        return SIZE_MAX;
    size_t j = from;
    while (j < n) {
        if (t[j] != '`') {
            j++;
            continue;
        }
        size_t k = j;
        while (k < n && t[k] == '`')
            k++;
        if (k - j == r)
            return j;
        j = k;
    }
    if (r < TICK_CACHE)
        fail[r] = from + 1;
    return SIZE_MAX;
}

/* A link destination after "](": up to MAX_DEST bytes without spaces and
 * with balanced parentheses, then optional spaces and ')'.  On success the
 * target is t[*dst, *dst + *dlen) and *end is just past the ')'. */
static bool parse_dest(const char *t, size_t n, size_t p, size_t *dst,
                       size_t *dlen, size_t *end)
{
    while (p < n && is_space((unsigned char)t[p]))
        p++;
    size_t q = p, limit = n - p > MAX_DEST ? p + MAX_DEST : n;
    int depth = 0;
    while (q < limit) {
        unsigned char c = (unsigned char)t[q];
        if (c == ')' && depth == 0)
            break;
        if (is_space(c))
            break;
        if (c == '(')
            depth++;
        else if (c == ')')
            depth--;
        else if (c == '\\' && q + 1 < limit)
            q++;
        q++;
    }
    size_t e = q;
    while (e < n && is_space((unsigned char)t[e]))
        e++;
    if (e >= n || t[e] != ')' || depth != 0)
        return false;
    *dst = p;
    *dlen = q - p;
    *end = e + 1;
    return true;
}

static void tokenize(struct builder *b, const char *t, size_t n)
{
    size_t fail[TICK_CACHE] = {0};
    size_t i = 0, start = 0;
    b->toks.n = 0;
    while (i < n && !b->oom) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\\' && i + 1 < n && is_punct((unsigned char)t[i + 1])) {
            flush_text(b, start, i);
            push_tok(b, TK_TEXT, i + 1, 1);
            start = i += 2;
        } else if (c == '`') {
            size_t r = 1;
            while (i + r < n && t[i + r] == '`')
                r++;
            size_t close = find_ticks(t, n, i + r, r, fail);
            if (close == SIZE_MAX) {
                i += r; /* no partner: the backticks are text */
                continue;
            }
            size_t a = i + r, z = close;
            /* one space on each side is padding, unless all is space */
            if (z - a >= 2 && t[a] == ' ' && t[z - 1] == ' ') {
                size_t k = a;
                while (k < z && t[k] == ' ')
                    k++;
                if (k < z)
                    a++, z--;
            }
            flush_text(b, start, i);
            push_tok(b, TK_CODE, a, z - a);
            start = i = close + r;
        } else if (c == '*') {
            size_t r = 1;
            while (i + r < n && t[i + r] == '*')
                r++;
            unsigned char prev = i ? (unsigned char)t[i - 1] : ' ';
            unsigned char next = i + r < n ? (unsigned char)t[i + r] : ' ';
            bool pw = is_space(prev), nw = is_space(next);
            bool pp = is_punct(prev), np = is_punct(next);
            flush_text(b, start, i);
            push_tok(b, TK_DELIM, i, r);
            struct tok *d =
                b->oom ? NULL : &AT(b->toks, struct tok)[b->toks.n - 1];
            if (d) {
                d->count = r > INT_MAX ? INT_MAX : (int)r;
                d->can_open = !nw && (!np || pw || pp);
                d->can_close = !pw && (!pp || nw || np);
            }
            start = i += r;
        } else if (c == '[') {
            flush_text(b, start, i);
            push_tok(b, TK_OPEN, i, 1);
            start = ++i;
        } else if (c == ']' && i + 1 < n && t[i + 1] == '(') {
            size_t dst, dlen, end;
            if (!parse_dest(t, n, i + 2, &dst, &dlen, &end)) {
                i++;
                continue;
            }
            flush_text(b, start, i);
            push_tok(b, TK_CLOSE, i, end - i);
            if (!b->oom) {
                struct tok *k = &AT(b->toks, struct tok)[b->toks.n - 1];
                k->toff = dst;
                k->tlen = dlen;
            }
            start = i = end;
        } else {
            i++;
        }
    }
    flush_text(b, start, n);
}

static void push_int(struct builder *b, struct vec *v, int x)
{
    int *p = vec_push(b, v);
    if (p)
        *p = x;
}

/* Pairs '[' with "](target)" like brackets; the innermost pair wins and
 * the '[' before it can no longer open a link (links do not nest). */
static void pair_links(struct builder *b, const char *t)
{
    struct tok *tk = b->toks.data;
    b->stack.n = 0;
    for (size_t k = 0; k < b->toks.n && !b->oom; k++) {
        if (tk[k].kind == TK_OPEN) {
            push_int(b, &b->stack, (int)k);
        } else if (tk[k].kind == TK_CLOSE && b->stack.n > 0) {
            int o = AT(b->stack, int)[b->stack.n - 1];
            b->stack.n = 0;
            struct blink *l = vec_push(b, &b->links);
            if (!l)
                return;
            l->target = text_put_str(b, t + tk[k].toff, tk[k].tlen);
            l->line = l->col = -1;
            l->is_item = md_target_is_item(t + tk[k].toff, tk[k].tlen);
            tk[o].link = tk[k].link = (int)b->links.n - 1;
        }
    }
}

/* Matches runs of '*': a closer takes the nearest opener with stars left,
 * two stars at a time (bold) when both have two, else one (italic). */
static void match_emphasis(struct builder *b)
{
    struct tok *tk = b->toks.data;
    b->stack.n = 0;
    for (size_t k = 0; k < b->toks.n && !b->oom; k++) {
        struct tok *d = &tk[k];
        if (d->kind == TK_OPEN && d->link >= 0) {
            push_int(b, &b->stack, -1); /* a barrier */
            continue;
        }
        if (d->kind == TK_CLOSE && d->link >= 0) {
            while (b->stack.n > 0 && AT(b->stack, int)[--b->stack.n] >= 0)
                ;
            continue;
        }
        if (d->kind != TK_DELIM)
            continue;
        while (d->can_close && d->count > 0 && b->stack.n > 0) {
            int o = AT(b->stack, int)[b->stack.n - 1];
            if (o < 0)
                break;
            struct tok *op = &tk[o];
            int m = op->count >= 2 && d->count >= 2 ? 2 : 1;
            op->count -= m;
            d->count -= m;
            if (m == 2)
                op->open_b++, d->close_b++;
            else
                op->open_i++, d->close_i++;
            if (op->count == 0)
                b->stack.n--;
        }
        if (d->can_open && d->count > 0)
            push_int(b, &b->stack, (int)k);
    }
}

/* Display text for s[0..n) as one span. */
static void emit_span(struct builder *b, const char *s, size_t n,
                      unsigned style, int link)
{
    size_t off = b->text.n;
    put_display(b, s, n, false);
    if (b->text.n == off)
        return;
    struct span *sp = vec_push(b, &b->spans);
    if (sp)
        *sp = (struct span){off, b->text.n - off, style, link};
}

/* The text of a link (markup removed) collects in b->tmp. */
static void link_text(struct builder *b, int link, const char *s, size_t n)
{
    if (link >= 0)
        vec_bytes(b, &b->tmp, s, n);
}

/* After a link's text: record it, and show the target unless it says the
 * same or it is an item link the TUI follows instead. */
static void close_link(struct builder *b, int link, unsigned base)
{
    struct blink *l = &AT(b->links, struct blink)[link];
    l->text = text_put_str(b, b->tmp.data, b->tmp.n);
    if (b->oom)
        return;
    const char *target = (const char *)b->text.data + l->target;
    size_t tlen = strlen(target);
    bool same =
        tlen == b->tmp.n && (tlen == 0 || !memcmp(target, b->tmp.data, tlen));
    if (same || (l->is_item && (b->flags & MD_HIDE_ITEM_TARGETS)))
        return;
    /* the target is copied out first: the arena may move while it grows */
    size_t mark = b->tmp.n;
    vec_bytes(b, &b->tmp, " [", 2);
    vec_bytes(b, &b->tmp, (const char *)b->text.data + l->target, tlen);
    vec_bytes(b, &b->tmp, "]", 1);
    if (!b->oom)
        emit_span(b, (const char *)b->tmp.data + mark, b->tmp.n - mark,
                  base | MD_LINK_TARGET, link);
}

/* The block text t[0..n) as display spans in b->spans, every span with
 * the `base` style bits added. */
static void inline_spans(struct builder *b, const char *t, size_t n,
                         unsigned base)
{
    b->spans.n = 0;
    tokenize(b, t, n);
    pair_links(b, t);
    match_emphasis(b);
    int bold = 0, ital = 0, link = -1;
    for (size_t k = 0; k < b->toks.n && !b->oom; k++) {
        const struct tok tk = AT(b->toks, struct tok)[k];
        unsigned st = base | (link >= 0 ? MD_LINK : 0);
        switch (tk.kind) {
        case TK_TEXT:
        case TK_CODE:
            if (bold > 0)
                st |= MD_BOLD;
            if (ital > 0)
                st |= MD_ITALIC;
            emit_span(b, t + tk.off, tk.len,
                      st | (tk.kind == TK_CODE ? MD_CODE : 0), link);
            link_text(b, link, t + tk.off, tk.len);
            break;
        case TK_DELIM:
            bold -= tk.close_b;
            ital -= tk.close_i;
            if (tk.count > 0) { /* unmatched stars are text */
                if (bold > 0)
                    st |= MD_BOLD;
                if (ital > 0)
                    st |= MD_ITALIC;
                emit_span(b, t + tk.off, (size_t)tk.count, st, link);
                link_text(b, link, t + tk.off, (size_t)tk.count);
            }
            bold += tk.open_b;
            ital += tk.open_i;
            break;
        case TK_OPEN:
            if (tk.link >= 0) {
                link = tk.link;
                b->tmp.n = 0;
            } else {
                emit_span(b, "[", 1, st, link);
                link_text(b, link, "[", 1);
            }
            break;
        case TK_CLOSE:
            if (tk.link >= 0) {
                close_link(b, tk.link, base);
                link = -1;
            } else {
                emit_span(b, t + tk.off, tk.len, st, link);
                link_text(b, link, t + tk.off, tk.len);
            }
            break;
        }
    }
    /* a link left open cannot happen: OPEN only links when CLOSE does */
}

/* ---- wrapping ------------------------------------------------------------ */

enum { A_TEXT, A_SPACE, A_WIDE };

/* One display character of a span. */
struct atom {
    size_t off;
    int len, width;
    unsigned style;
    int link;
    int kind;
};

/* The spans as characters appended to b->atoms (not reset: a table keeps
 * every cell's atoms).  Runs of spaces outside code collapse to one.
 * Returns the total width. */
static int atomize(struct builder *b)
{
    int total = 0;
    bool prev_space = false;
    for (size_t s = 0; s < b->spans.n && !b->oom; s++) {
        const struct span sp = AT(b->spans, struct span)[s];
        const char *text = (const char *)b->text.data + sp.off;
        size_t i = 0;
        while (i < sp.len) {
            uint32_t cp;
            int k = viz_utf8_decode(text + i, sp.len - i, &cp);
            int w = cp < 0x80 || b->ascii ? 1 : viz_char_width(cp);
            int kind = cp == ' ' ? A_SPACE : w == 2 ? A_WIDE : A_TEXT;
            bool skip = kind == A_SPACE && prev_space && !(sp.style & MD_CODE);
            prev_space = kind == A_SPACE;
            if (!skip) {
                struct atom *a = vec_push(b, &b->atoms);
                if (!a)
                    return total;
                *a = (struct atom){sp.off + i, k, w, sp.style, sp.link, kind};
                total += w;
            }
            i += (size_t)k;
        }
    }
    return total;
}

static void put_atom(struct builder *b, const struct atom *a)
{
    put_run(b, a->off, a->len, a->width, a->style, a->link);
}

/* Greedy word wrap of b->atoms onto the current line and new ones indented
 * by `indent`.  Breaks at spaces (dropped at the break) and on either side
 * of a wide character; a word wider than the line is cut where it must be.
 * Every pass places at least one character, so any width terminates. */
static void wrap_atoms(struct builder *b, int indent)
{
    const struct atom *a = b->atoms.data;
    size_t n = b->atoms.n, i = 0, gap = 0, ngap = 0;
    int gapw = 0;
    bool content = false;
    while (i < n && !b->oom) {
        if (a[i].kind == A_SPACE) {
            gap = i;
            gapw = 0;
            while (i < n && a[i].kind == A_SPACE)
                gapw += a[i++].width;
            ngap = i - gap;
            continue;
        }
        size_t j = i + 1;
        int ww = a[i].width;
        if (a[i].kind == A_TEXT)
            for (; j < n && a[j].kind == A_TEXT; j++)
                ww += a[j].width;
        if (content && b->col + gapw + ww > b->width) {
            line_end(b);
            line_begin(b, indent);
            content = false;
        }
        if (content)
            for (size_t g = gap; g < gap + ngap; g++)
                put_atom(b, &a[g]);
        ngap = 0;
        gapw = 0;
        if (b->col + ww <= b->width) {
            for (; i < j; i++)
                put_atom(b, &a[i]);
        } else {
            for (; i < j; i++) {
                if (content && b->col + a[i].width > b->width) {
                    line_end(b);
                    line_begin(b, indent);
                }
                put_atom(b, &a[i]);
                content = true;
            }
        }
        content = true;
    }
}

/* A paragraph, list item or heading: `marker` (a list item's bullet or
 * number, may be empty) at column col, the text wrapped after it with a
 * hanging indent. */
static void layout_text(struct builder *b, enum blk kind, const char *t,
                        size_t n, int col, const char *marker, int marker_w,
                        unsigned base)
{
    block_start(b, kind);
    inline_spans(b, t, n, base);
    b->atoms.n = 0;
    atomize(b);
    line_begin(b, col);
    if (marker_w > 0) {
        size_t ml = strlen(marker), off = text_put(b, marker, ml);
        put_run(b, off, (int)ml, marker_w, MD_BULLET, -1);
    }
    wrap_atoms(b, col + marker_w);
    line_end(b);
}

static void layout_heading(struct builder *b, int level, const char *t,
                           size_t n)
{
    static const unsigned style[] = {MD_HEADING1, MD_HEADING2, MD_HEADING3};
    unsigned st = style[level - 1];
    size_t first = b->lines.n;
    layout_text(b, BLK_HEADING, t, n, 0, "", 0, st);
    if ((b->flags & MD_NO_UNDERLINE) || b->oom)
        return;
    int w = 0;
    for (size_t i = first; i < b->lines.n; i++) {
        const struct bline *l = &AT(b->lines, struct bline)[i];
        if (l->width > w)
            w = l->width;
    }
    static const char *const unicode[] = {"\u2550", "\u2500", "\u2504"};
    static const char *const ascii[] = {"=", "-", "~"};
    const char *glyph = b->ascii ? ascii[level - 1] : unicode[level - 1];
    line_begin(b, 0);
    put_repeat(b, glyph, w > 0 ? w : 1, MD_RULE | st);
    line_end(b);
}

static void layout_rule(struct builder *b, int col)
{
    block_start(b, BLK_RULE);
    line_begin(b, col);
    int w = b->width - col;
    put_repeat(b, b->ascii ? "-" : "\u2500", w > 0 ? w : 1, MD_RULE);
    line_end(b);
}

/* ---- tables -------------------------------------------------------------- */

enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

struct cellref {
    const char *s;
    size_t n;
};

/* A cell's atoms in b->atoms and its natural width. */
struct fit {
    size_t first, n;
    int width;
};

static void trim(const char **s, size_t *n)
{
    while (*n && is_space((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool has_pipe(const char *s, size_t n)
{
    return memchr(s, '|', n) != NULL;
}

/* Splits a row at '|' (not escaped, not inside a code span) into trimmed
 * cells appended to b->cells; an outer pipe on either side is optional.
 * Returns the number of cells. */
static int split_cells(struct builder *b, const char *s, size_t n)
{
    size_t fail[TICK_CACHE] = {0};
    trim(&s, &n);
    if (n && s[0] == '|')
        s++, n--;
    int count = 0;
    size_t start = 0, i = 0;
    bool closed = false; /* the row ended with a pipe */
    while (i < n) {
        if (s[i] == '\\' && i + 1 < n) {
            i += 2;
        } else if (s[i] == '`') {
            size_t r = 1;
            while (i + r < n && s[i + r] == '`')
                r++;
            size_t close = find_ticks(s, n, i + r, r, fail);
            i = close == SIZE_MAX ? i + r : close + r;
        } else if (s[i] == '|') {
            struct cellref *c = vec_push(b, &b->cells);
            if (c) {
                c->s = s + start;
                c->n = i - start;
                trim(&c->s, &c->n);
            }
            count++;
            start = ++i;
            closed = true;
            continue;
        } else {
            i++;
        }
        closed = false;
    }
    if (!closed || start < n) {
        const char *cs = s + start;
        size_t cn = n - start;
        trim(&cs, &cn);
        if (cn || !closed) {
            struct cellref *c = vec_push(b, &b->cells);
            if (c)
                *c = (struct cellref){cs, cn};
            count++;
        }
    }
    return count;
}

/* A delimiter row ("| --- | :-: | --: |"): alignments into aligns[0..max),
 * the number of cells into *count. */
static bool delim_row(const char *s, size_t n, int *aligns, int max, int *count)
{
    trim(&s, &n);
    if (!has_pipe(s, n))
        return false;
    if (n && s[0] == '|')
        s++, n--;
    if (n && s[n - 1] == '|')
        n--;
    int c = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        const char *cs = s + i;
        size_t cn = j - i;
        trim(&cs, &cn);
        bool left = cn && cs[0] == ':', right = cn && cs[cn - 1] == ':';
        size_t a = left, z = cn - (right && cn > (size_t)left);
        if (a >= z)
            return false;
        for (size_t k = a; k < z; k++)
            if (cs[k] != '-')
                return false;
        if (c < max)
            aligns[c] = left && right ? ALIGN_CENTER
                        : right       ? ALIGN_RIGHT
                                      : ALIGN_LEFT;
        c++;
        i = j + 1;
    }
    *count = c;
    return c > 0;
}

/* Column widths fitted into `budget` columns of content: when the natural
 * widths do not fit, every column is capped at the largest C that fits
 * (water-filling) and the columns that were cut share what is left. */
static void fit_columns(const int *natural, int *w, int ncols, int budget)
{
    long total = 0;
    int maxw = 1;
    for (int c = 0; c < ncols; c++) {
        w[c] = natural[c] > 0 ? natural[c] : 1;
        total += w[c];
        if (w[c] > maxw)
            maxw = w[c];
    }
    if (total <= budget)
        return;
    if (budget <= ncols) {
        for (int c = 0; c < ncols; c++)
            w[c] = 1;
        return;
    }
    int lo = 1, hi = maxw; /* the largest cap whose sum fits */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        long s = 0;
        for (int c = 0; c < ncols; c++)
            s += w[c] < mid ? w[c] : mid;
        if (s <= budget)
            lo = mid;
        else
            hi = mid - 1;
    }
    long used = 0;
    for (int c = 0; c < ncols; c++) {
        if (w[c] > lo)
            w[c] = lo;
        used += w[c];
    }
    for (int c = 0; c < ncols && used < budget; c++)
        if (natural[c] > w[c])
            w[c]++, used++;
}

/* One cell's content in exactly `w` columns: aligned, or cut with an
 * ellipsis when wider. */
static void put_cell(struct builder *b, const struct fit *f, int w, int align)
{
    const struct atom *a = AT(b->atoms, struct atom) + f->first;
    if (f->width <= w) {
        int pad = w - f->width;
        int left = align == ALIGN_RIGHT    ? pad
                   : align == ALIGN_CENTER ? pad / 2
                                           : 0;
        put_spaces(b, left);
        for (size_t i = 0; i < f->n; i++)
            put_atom(b, &a[i]);
        put_spaces(b, pad - left);
        return;
    }
    int used = 0;
    size_t k = 0;
    while (k < f->n && used + a[k].width <= w - 1)
        used += a[k++].width;
    while (k > 0 && a[k - 1].kind == A_SPACE) /* "word…", not "word …" */
        used -= a[--k].width;
    for (size_t i = 0; i < k; i++)
        put_atom(b, &a[i]);
    put_glyph(b, b->ascii ? "~" : "\u2026", MD_PLAIN);
    put_spaces(b, w - 1 - used);
}

/* Box-drawing pieces: left, middle and right joints for the top, the
 * separator and the bottom, then the horizontal and vertical lines. */
static const char *const box_unicode[] = {
    "\u250c", "\u252c", "\u2510", "\u251c", "\u253c", "\u2524",
    "\u2514", "\u2534", "\u2518", "\u2500", "\u2502"};
static const char *const box_plain[] = {"+", "+", "+", "+", "+", "+",
                                        "+", "+", "+", "-", "|"};

static void table_border(struct builder *b, int col, const int *w, int ncols,
                         int which)
{
    const char *const *box = b->ascii ? box_plain : box_unicode;
    line_begin(b, col);
    put_glyph(b, box[which * 3], MD_TABLE_BORDER);
    for (int c = 0; c < ncols; c++) {
        put_repeat(b, box[9], w[c] + 2, MD_TABLE_BORDER);
        put_glyph(b, box[which * 3 + (c + 1 < ncols ? 1 : 2)], MD_TABLE_BORDER);
    }
    line_end(b);
}

static void table_row(struct builder *b, int col, const struct fit *fits,
                      const int *w, const int *aligns, int ncols)
{
    const char *bar = b->ascii ? box_plain[10] : box_unicode[10];
    line_begin(b, col);
    for (int c = 0; c < ncols; c++) {
        put_glyph(b, bar, MD_TABLE_BORDER);
        put_spaces(b, 1);
        put_cell(b, &fits[c], w[c], aligns[c]);
        put_spaces(b, 1);
    }
    put_glyph(b, bar, MD_TABLE_BORDER);
    line_end(b);
}

/* A table from b->cells (nrows rows of ncols cells, the first the header)
 * drawn at column col. */
static void layout_table(struct builder *b, int col, int nrows, int ncols,
                         const int *aligns)
{
    int natural[MAX_COLS] = {0}, w[MAX_COLS];
    block_start(b, BLK_TABLE);
    b->atoms.n = 0;
    b->fits.n = 0;
    for (int r = 0; r < nrows && !b->oom; r++) {
        for (int c = 0; c < ncols; c++) {
            struct cellref cell =
                AT(b->cells, struct cellref)[(size_t)r * ncols + c];
            inline_spans(b, cell.s, cell.n, r == 0 ? MD_TABLE_HEADER : 0);
            size_t first = b->atoms.n;
            int width = atomize(b);
            struct fit *f = vec_push(b, &b->fits);
            if (!f)
                return;
            *f = (struct fit){first, b->atoms.n - first, width};
            if (width > natural[c])
                natural[c] = width;
        }
    }
    if (b->oom)
        return;
    fit_columns(natural, w, ncols, b->width - col - (3 * ncols + 1));
    const struct fit *fits = b->fits.data;
    table_border(b, col, w, ncols, 0);
    for (int r = 0; r < nrows; r++) {
        table_row(b, col, fits + (size_t)r * ncols, w, aligns, ncols);
        if (r == 0 && nrows > 1)
            table_border(b, col, w, ncols, 1);
    }
    table_border(b, col, w, ncols, 2);
}

/* ---- the block parser ---------------------------------------------------- */

struct srcline {
    const char *s;
    size_t n;
};

/* An open list level: source columns of its marker and content, and the
 * display columns they are drawn at. */
struct level {
    int marker_ind, content_ind;
    int col, content_col;
    bool ordered;
    long next; /* the number the next item shows */
};

struct parser {
    struct builder *b;
    const struct srcline *lines;
    size_t nlines;
    struct level stack[MAX_DEPTH];
    int depth;
    bool blank; /* the previous line was blank */
    /* the open paragraph or list item, its text in b->para */
    bool para;
    enum blk para_kind;
    int para_col;
    char marker[32];
    int marker_w;
    /* the open code block */
    bool code;
    char fence_ch;
    size_t fence_len;
    int code_strip, code_col, code_index;
};

/* Display column of the first non-blank character (tabs to stops of 4);
 * the bytes it takes in *bytes. */
static int indent_of(const char *s, size_t n, size_t *bytes)
{
    int col = 0;
    size_t i = 0;
    for (; i < n && is_space((unsigned char)s[i]); i++)
        col = s[i] == '\t' ? col + TAB_STOP - col % TAB_STOP : col + 1;
    *bytes = i;
    return col;
}

/* A line of three or more '-', '*' or '_' (spaces allowed between). */
static bool is_rule(const char *s, size_t n)
{
    int count = 0;
    char ch = n ? s[0] : 0;
    if (ch != '-' && ch != '*' && ch != '_')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ch)
            count++;
        else if (!is_space((unsigned char)s[i]))
            return false;
    }
    return count >= 3;
}

/* "```lang" or "~~~lang": the fence character and length, the tag. */
static bool parse_fence(const char *s, size_t n, char *ch, size_t *len,
                        const char **lang, size_t *lang_len)
{
    if (n < 3 || (s[0] != '`' && s[0] != '~'))
        return false;
    size_t k = 0;
    while (k < n && s[k] == s[0])
        k++;
    if (k < 3)
        return false;
    const char *info = s + k;
    size_t in = n - k;
    if (s[0] == '`' && memchr(info, '`', in))
        return false;
    trim(&info, &in);
    size_t w = 0;
    while (w < in && !is_space((unsigned char)info[w]))
        w++;
    *ch = s[0];
    *len = k;
    *lang = info;
    *lang_len = w;
    return true;
}

static bool closes_fence(const struct parser *p, const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && s[k] == p->fence_ch)
        k++;
    if (k < p->fence_len)
        return false;
    for (; k < n; k++)
        if (!is_space((unsigned char)s[k]))
            return false;
    return true;
}

/* "# text" .. "###### text": the level (1..3) and the text without the
 * markers or a closing run of '#'; 0 when the line is no heading. */
static int parse_heading(const char *s, size_t n, const char **text,
                         size_t *len)
{
    size_t k = 0;
    while (k < n && s[k] == '#')
        k++;
    if (k == 0 || k > 6 || (k < n && !is_space((unsigned char)s[k])))
        return 0;
    const char *t = s + k;
    size_t tn = n - k;
    trim(&t, &tn);
    size_t e = tn;
    while (e > 0 && t[e - 1] == '#')
        e--;
    if (e == 0 || is_space((unsigned char)t[e - 1])) {
        tn = e;
        trim(&t, &tn);
    }
    *text = t;
    *len = tn;
    return k > 3 ? 3 : (int)k;
}

struct marker {
    bool ordered;
    long number;
    int content_ind; /* source column where the item's text starts */
    const char *text;
    size_t len;
};

/* "- ", "* ", "+ " or "12. " / "12) " at source column ind. */
static bool parse_marker(const char *s, size_t n, int ind, struct marker *m)
{
    size_t k = 0;
    m->ordered = false;
    m->number = 0;
    if (n && (s[0] == '-' || s[0] == '*' || s[0] == '+')) {
        k = 1;
    } else {
        while (k < n && k < 9 && s[k] >= '0' && s[k] <= '9')
            m->number = m->number * 10 + (s[k++] - '0');
        if (k == 0 || k >= n || (s[k] != '.' && s[k] != ')'))
            return false;
        k++;
        m->ordered = true;
    }
    if (k < n && !is_space((unsigned char)s[k]))
        return false;
    size_t sb;
    int sp = indent_of(s + k, n - k, &sb);
    m->text = s + k + sb;
    m->len = n - k - sb;
    trim(&m->text, &m->len);
    /* more than four spaces after the marker: the text starts after one */
    m->content_ind = ind + (int)k + (m->len == 0 || sp > 4 ? 1 : sp);
    return true;
}

static int container_col(const struct parser *p)
{
    return p->depth ? p->stack[p->depth - 1].content_col : 0;
}

/* Lays out the open paragraph or list item, if any. */
static void flush(struct parser *p)
{
    struct builder *b = p->b;
    if (!p->para)
        return;
    p->para = false;
    const char *t = b->para.data ? b->para.data : "";
    layout_text(b, p->para_kind, t, b->para.n, p->para_col, p->marker,
                p->para_kind == BLK_ITEM ? p->marker_w : 0, MD_PLAIN);
    b->para.n = 0;
}

static void para_append(struct parser *p, const char *s, size_t n)
{
    trim(&s, &n);
    if (p->b->para.n && n)
        vec_bytes(p->b, &p->b->para, " ", 1);
    vec_bytes(p->b, &p->b->para, s, n);
}

/* Places a list item among the open levels and opens its paragraph. */
static void open_item(struct parser *p, int ind, const struct marker *m)
{
    int d = p->depth, k;
    /* close the levels it is not inside; a marker within a level's
     * marker..content columns is that level's sibling */
    while (d > 0 && ind < p->stack[d - 1].content_ind &&
           ind < p->stack[d - 1].marker_ind)
        d--;
    if (d > 0 && ind < p->stack[d - 1].content_ind)
        k = d - 1; /* a sibling */
    else if (d < MAX_DEPTH)
        k = d; /* a child */
    else
        k = MAX_DEPTH - 1;
    struct level *l = &p->stack[k];
    if (k == d || l->ordered != m->ordered) {
        l->ordered = m->ordered;
        l->next = m->number;
    }
    l->marker_ind = ind;
    l->content_ind = m->content_ind;
    l->col = k ? p->stack[k - 1].content_col : 0;
    p->depth = k + 1;
    if (m->ordered) {
        snprintf(p->marker, sizeof p->marker, "%ld. ", l->next);
        p->marker_w = (int)strlen(p->marker);
        if (l->next < 999999999L)
            l->next++;
    } else {
        static const char *const bullets[] = {"\u2022 ", "\u25e6 ", "\u25aa "};
        snprintf(p->marker, sizeof p->marker, "%s",
                 p->b->ascii ? "- " : bullets[k % 3]);
        p->marker_w = 2;
    }
    l->content_col = l->col + p->marker_w;
    p->para = true;
    p->para_kind = BLK_ITEM;
    p->para_col = l->col;
    para_append(p, m->text, m->len);
}

static void open_code(struct parser *p, int ind, char ch, size_t len,
                      const char *lang, size_t lang_len)
{
    struct builder *b = p->b;
    block_start(b, BLK_CODE);
    struct bcode *c = vec_push(b, &b->codes);
    if (!c)
        return;
    c->first_line = (int)b->lines.n;
    c->lang = text_put_str(b, lang, lang_len);
    p->code = true;
    p->fence_ch = ch;
    p->fence_len = len;
    p->code_strip = ind;
    p->code_col = container_col(p) + 2;
    p->code_index = (int)b->codes.n - 1;
    b->code_src.n = 0;
}

static void code_line(struct parser *p, const char *s, size_t n)
{
    struct builder *b = p->b;
    /* drop the fence's indentation */
    int col = 0;
    size_t i = 0;
    while (i < n && is_space((unsigned char)s[i])) {
        int next = s[i] == '\t' ? col + TAB_STOP - col % TAB_STOP : col + 1;
        if (next > p->code_strip)
            break;
        col = next;
        i++;
    }
    s += i, n -= i;
    if (b->lines.n >
        (size_t)AT(b->codes, struct bcode)[p->code_index].first_line)
        vec_bytes(b, &b->code_src, "\n", 1);
    vec_bytes(b, &b->code_src, s, n);
    line_begin(b, p->code_col);
    struct bline *l = last_line(b);
    if (!l)
        return;
    l->code = p->code_index;
    size_t off = b->text.n;
    int w = put_display(b, s, n, true);
    put_run(b, off, (int)(b->text.n - off), w, MD_CODEBLOCK, -1);
    line_end(b);
}

static void close_code(struct parser *p)
{
    struct builder *b = p->b;
    p->code = false;
    if (b->oom)
        return;
    size_t off = text_put_str(b, b->code_src.data ? b->code_src.data : "",
                              b->code_src.n);
    struct bcode *c = &AT(b->codes, struct bcode)[p->code_index];
    c->text = off;
    c->nlines = (int)b->lines.n - c->first_line;
}

/* A table whose header is line i: returns the index of its last line. */
static size_t open_table(struct parser *p, size_t i, int col)
{
    struct builder *b = p->b;
    int aligns[MAX_COLS] = {0}, ndelim = 0;
    const struct srcline *L = p->lines;
    delim_row(L[i + 1].s, L[i + 1].n, aligns, MAX_COLS, &ndelim);
    b->cells.n = 0;
    int ncols = split_cells(b, L[i].s, L[i].n);
    if (ncols > MAX_COLS) {
        b->cells.n = MAX_COLS;
        ncols = MAX_COLS;
    }
    size_t last = i + 1;
    int nrows = 1;
    for (size_t r = i + 2; r < p->nlines && !b->oom; r++) {
        size_t ib;
        indent_of(L[r].s, L[r].n, &ib);
        if (ib == L[r].n || !has_pipe(L[r].s, L[r].n))
            break;
        /* ragged rows: extra cells dropped, missing ones empty */
        size_t at = b->cells.n;
        int k = split_cells(b, L[r].s, L[r].n);
        if (k > ncols)
            b->cells.n = at + (size_t)ncols;
        for (; k < ncols; k++) {
            struct cellref *c = vec_push(b, &b->cells);
            if (c)
                *c = (struct cellref){"", 0};
        }
        nrows++;
        last = r;
    }
    if (!b->oom)
        layout_table(b, col, nrows, ncols, aligns);
    return last;
}

static void parse(struct builder *b, const char *src, size_t len)
{
    struct vec lines = {NULL, 0, 0, sizeof(struct srcline)};
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(src + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - src) : len;
        struct srcline *l = vec_push(b, &lines);
        if (!l)
            break;
        l->s = src + i;
        l->n = e - i;
        if (l->n && l->s[l->n - 1] == '\r')
            l->n--;
        i = e + 1;
    }
    struct parser p = {.b = b, .lines = lines.data, .nlines = lines.n};
    for (size_t i = 0; i < p.nlines && !b->oom; i++) {
        const char *s = p.lines[i].s;
        size_t n = p.lines[i].n, ib;
        int ind = indent_of(s, n, &ib);
        const char *r = s + ib;
        size_t rn = n - ib;
        if (p.code) {
            if (closes_fence(&p, r, rn))
                close_code(&p);
            else
                code_line(&p, s, n);
            continue;
        }
        if (rn == 0) {
            flush(&p);
            p.blank = true;
            continue;
        }
        bool after_blank = p.blank;
        p.blank = false;

        char fch = 0;
        size_t flen = 0, lang_len = 0, htext_len = 0;
        const char *lang = "", *htext = "";
        bool fence = parse_fence(r, rn, &fch, &flen, &lang, &lang_len);
        int heading = fence ? 0 : parse_heading(r, rn, &htext, &htext_len);
        bool rule = !fence && !heading && is_rule(r, rn);
        int ndelim, aligns[1];
        bool table =
            !fence && !heading && !rule && has_pipe(r, rn) &&
            i + 1 < p.nlines &&
            delim_row(p.lines[i + 1].s, p.lines[i + 1].n, aligns, 1, &ndelim);
        struct marker m;
        bool item = !fence && !heading && !rule && !table &&
                    parse_marker(r, rn, ind, &m);
        /* an ordered list interrupts a paragraph only when it starts at 1 */
        if (item && m.ordered && m.number != 1 && p.para && !after_blank &&
            p.depth == 0)
            item = false;
        if (item) {
            flush(&p);
            open_item(&p, ind, &m);
            continue;
        }
        if (p.para && !after_blank && !fence && !heading && !rule && !table) {
            para_append(&p, r, rn); /* continuation, lazy or not */
            continue;
        }
        flush(&p);
        while (p.depth > 0 && ind < p.stack[p.depth - 1].content_ind)
            p.depth--;
        if (fence) {
            open_code(&p, ind, fch, flen, lang, lang_len);
        } else if (heading) {
            layout_heading(b, heading, htext, htext_len);
        } else if (rule) {
            layout_rule(b, container_col(&p));
        } else if (table) {
            i = open_table(&p, i, container_col(&p));
        } else {
            p.para = true;
            p.para_kind = BLK_PARA;
            p.para_col = container_col(&p);
            para_append(&p, r, rn);
        }
    }
    if (p.code)
        close_code(&p); /* an unclosed fence runs to the end */
    flush(&p);
    free(lines.data);
}

/* ---- the public API ------------------------------------------------------ */

static void vec_init(struct vec *v, size_t size)
{
    v->data = NULL;
    v->n = v->cap = 0;
    v->size = size;
}

static void builder_init(struct builder *b, int width, unsigned flags)
{
    memset(b, 0, sizeof *b);
    b->flags = flags;
    b->ascii = (flags & MD_ASCII) != 0;
    b->width = width < 1 ? 1 : width > MAX_WIDTH ? MAX_WIDTH : width;
    b->last_block = BLK_NONE;
    vec_init(&b->text, 1);
    vec_init(&b->runs, sizeof(struct brun));
    vec_init(&b->lines, sizeof(struct bline));
    vec_init(&b->links, sizeof(struct blink));
    vec_init(&b->codes, sizeof(struct bcode));
    vec_init(&b->spans, sizeof(struct span));
    vec_init(&b->atoms, sizeof(struct atom));
    vec_init(&b->toks, sizeof(struct tok));
    vec_init(&b->stack, sizeof(int));
    vec_init(&b->cells, sizeof(struct cellref));
    vec_init(&b->fits, sizeof(struct fit));
    vec_init(&b->tmp, 1);
    vec_init(&b->para, 1);
    vec_init(&b->code_src, 1);
    /* offset 0 is "": the text of a link or tag that has none */
    text_put(b, "", 1);
}

static void builder_free(struct builder *b)
{
    struct vec *v[] = {&b->text,  &b->runs,  &b->lines, &b->links,   &b->codes,
                       &b->spans, &b->atoms, &b->toks,  &b->stack,   &b->cells,
                       &b->fits,  &b->tmp,   &b->para,  &b->code_src};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        free(v[i]->data);
}

/* Turns the built arrays into the doc: offsets become pointers, links that
 * were never shown are dropped and the runs' link indices follow. */
static int finish(struct builder *b, struct md_doc *doc)
{
    size_t nl = b->links.n, nr = b->runs.n, nli = b->lines.n, nc = b->codes.n;
    int *remap = malloc((nl ? nl : 1) * sizeof *remap);
    struct md_run *runs = malloc((nr ? nr : 1) * sizeof *runs);
    struct md_line *lines = malloc((nli ? nli : 1) * sizeof *lines);
    struct md_link *links = malloc((nl ? nl : 1) * sizeof *links);
    struct md_code *codes = malloc((nc ? nc : 1) * sizeof *codes);
    if (!remap || !runs || !lines || !links || !codes) {
        free(remap);
        free(runs);
        free(lines);
        free(links);
        free(codes);
        return -1;
    }
    const char *text = b->text.data;
    int k = 0;
    for (size_t i = 0; i < nl; i++) {
        const struct blink *l = &AT(b->links, struct blink)[i];
        remap[i] = l->line >= 0 ? k : -1;
        if (l->line >= 0)
            links[k++] = (struct md_link){text + l->target, text + l->text,
                                          l->line, l->col, l->is_item};
    }
    for (size_t i = 0; i < nr; i++) {
        const struct brun *r = &AT(b->runs, struct brun)[i];
        runs[i] = (struct md_run){
            text + r->off, r->len,   r->col,
            r->width,      r->style, r->link >= 0 ? remap[r->link] : -1};
    }
    for (size_t i = 0; i < nli; i++) {
        const struct bline *l = &AT(b->lines, struct bline)[i];
        lines[i] = (struct md_line){runs + l->first_run, l->nruns, l->indent,
                                    l->width, l->code};
    }
    for (size_t i = 0; i < nc; i++) {
        const struct bcode *c = &AT(b->codes, struct bcode)[i];
        codes[i] = (struct md_code){text + c->lang, text + c->text,
                                    c->first_line, c->nlines};
    }
    free(remap);
    *doc = (struct md_doc){lines,   (int)nli, links,   k,           codes,
                           (int)nc, runs,     (int)nr, b->text.data};
    b->text.data = NULL;
    return 0;
}

int md_layout(struct md_doc *doc, const char *src, size_t len, int width,
              unsigned flags)
{
    struct builder b;
    memset(doc, 0, sizeof *doc);
    builder_init(&b, width, flags);
    parse(&b, src ? src : "", src ? len : 0);
    int rc = b.oom ? -1 : finish(&b, doc);
    builder_free(&b);
    return rc;
}

void md_doc_free(struct md_doc *doc)
{
    if (!doc)
        return;
    free(doc->lines);
    free(doc->links);
    free(doc->codes);
    free(doc->runs);
    free(doc->text);
    memset(doc, 0, sizeof *doc);
}

bool md_target_is_item(const char *t, size_t n)
{
    static const char *const schemes[] = {
        "lesson:", "exercise:", "page:", "item:"};
    static const char *const extensions[] = {"md",  "lua",  "txt", "html",
                                             "htm", "pdf",  "png", "jpg",
                                             "svg", "json", "csv"};
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        size_t l = strlen(schemes[i]);
        if (n > l && !memcmp(t, schemes[i], l)) {
            t += l;
            n -= l;
            break;
        }
    }
    const char *dot = memchr(t, '.', n);
    if (!dot || dot == t || dot == t + n - 1)
        return false;
    for (size_t i = 0; i < n; i++)
        if (t + i != dot && !is_name_char((unsigned char)t[i]))
            return false;
    const char *ext = dot + 1;
    size_t el = n - (size_t)(ext - t);
    for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++) {
        if (strlen(extensions[i]) != el)
            continue;
        size_t k = 0;
        while (k < el && (ext[k] | 0x20) == extensions[i][k])
            k++;
        if (k == el)
            return false;
    }
    return true;
}

/* ---- writers ------------------------------------------------------------- */

/* The SGR parameters for a style ("1;35"), empty for plain text. */
static void sgr_for(unsigned st, char *buf, size_t cap)
{
    unsigned heading = st & (MD_HEADING1 | MD_HEADING2 | MD_HEADING3);
    const char *colour = st & MD_LINK        ? "34"
                         : st & MD_CODE      ? "33"
                         : st & MD_CODEBLOCK ? "32"
                         : st & MD_HEADING1  ? "35"
                         : st & MD_HEADING2  ? "36"
                                             : NULL;
    size_t n = 0;
    buf[0] = '\0';
#define ADD(p) n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ";" : "", p)
    if (st & MD_RULE) { /* an underline takes its heading's colour */
        if (!heading)
            ADD("2");
    } else {
        if ((st & (MD_BOLD | MD_TABLE_HEADER)) || heading)
            ADD("1");
        if (st & (MD_LINK_TARGET | MD_TABLE_BORDER))
            ADD("2");
        if (st & MD_ITALIC)
            ADD("3");
        if (st & MD_LINK)
            ADD("4");
    }
    if (colour)
        ADD(colour);
#undef ADD
}

static int write_doc(FILE *out, const struct md_doc *doc, bool ansi)
{
    for (int i = 0; i < doc->nlines; i++) {
        const struct md_line *l = &doc->lines[i];
        if (l->nruns)
            fprintf(out, "%*s", l->indent, "");
        for (int k = 0; k < l->nruns; k++) {
            const struct md_run *r = &l->runs[k];
            char sgr[32];
            sgr_for(r->style, sgr, sizeof sgr);
            if (ansi && sgr[0])
                fprintf(out, "\033[%sm", sgr);
            fwrite(r->text, 1, (size_t)r->len, out);
            if (ansi && sgr[0])
                fputs("\033[0m", out);
        }
        putc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int md_doc_write_plain(FILE *out, const struct md_doc *doc)
{
    return write_doc(out, doc, false);
}

int md_doc_write_ansi(FILE *out, const struct md_doc *doc)
{
    return write_doc(out, doc, true);
}

static int render(FILE *out, const char *src, size_t len, int width, bool ascii,
                  bool ansi)
{
    struct md_doc doc;
    if (md_layout(&doc, src, len, width, ascii ? MD_ASCII : 0))
        return -1;
    int rc = write_doc(out, &doc, ansi);
    md_doc_free(&doc);
    return rc;
}

int md_render_plain(FILE *out, const char *src, size_t len, int width,
                    bool ascii)
{
    return render(out, src, len, width, ascii, false);
}

int md_render_ansi(FILE *out, const char *src, size_t len, int width,
                   bool ascii)
{
    return render(out, src, len, width, ascii, true);
}
