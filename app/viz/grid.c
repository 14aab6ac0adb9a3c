/* grid.c — the cell grid plots draw into, and the UTF-8 decoding and
 * column widths that placing text on it needs.  No terminal output here:
 * see ansi.c. */
#include "viz/grid.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SIDE      4096
#define REPLACEMENT   0xFFFDu
#define RETURN_SYMBOL 0x23CEu /* ⏎, how a newline token shows */
#define ELLIPSIS      0x2026u

struct viz_grid *viz_grid_new(int w, int h, struct viz_mode mode)
{
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE)
        return NULL;
    struct viz_grid *g = malloc(sizeof *g);
    if (!g)
        return NULL;
    g->cells = malloc((size_t)w * (size_t)h * sizeof *g->cells);
    if (!g->cells) {
        free(g);
        return NULL;
    }
    g->w = w;
    g->h = h;
    g->mode = mode;
    viz_grid_clear(g);
    return g;
}

void viz_grid_free(struct viz_grid *g)
{
    if (!g)
        return;
    free(g->cells);
    free(g);
}

void viz_grid_clear(struct viz_grid *g)
{
    const struct viz_cell blank = {' ', VIZ_NO_COLOUR, VIZ_NO_COLOUR, 0};
    for (size_t i = 0; i < (size_t)g->w * (size_t)g->h; i++)
        g->cells[i] = blank;
}

struct viz_cell *viz_grid_at(const struct viz_grid *g, int x, int y)
{
    if (x < 0 || y < 0 || x >= g->w || y >= g->h)
        return NULL;
    return &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
}

static void set_cell(struct viz_cell *c, uint32_t ch, struct viz_pen pen)
{
    c->ch = ch;
    c->fg = pen.fg;
    c->bg = pen.bg;
    c->attr = pen.attr;
}

void viz_grid_put(struct viz_grid *g, int x, int y, uint32_t ch,
                  struct viz_pen pen)
{
    struct viz_cell *c = viz_grid_at(g, x, y);
    if (!c)
        return;
    /* Overwriting half of a wide glyph leaves the other half as a space. */
    if (c->ch == VIZ_WIDE_TAIL && x > 0)
        c[-1].ch = ' ';
    if (x + 1 < g->w && c[1].ch == VIZ_WIDE_TAIL)
        c[1].ch = ' ';
    if (viz_char_width(ch) == 2) {
        if (x + 1 >= g->w) {
            set_cell(c, ' ', pen);
            return;
        }
        if (x + 2 < g->w && c[2].ch == VIZ_WIDE_TAIL)
            c[2].ch = ' ';
        set_cell(c, ch, pen);
        set_cell(c + 1, VIZ_WIDE_TAIL, pen);
        return;
    }
    set_cell(c, ch, pen);
}

void viz_grid_fill(struct viz_grid *g, int x, int y, int n, uint32_t ch,
                   struct viz_pen pen)
{
    for (int i = 0; i < n; i++)
        viz_grid_put(g, x + i, y, ch, pen);
}

/* ---- UTF-8 ----------------------------------------------------------------
 */

int viz_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[0];
    int len;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        *cp = REPLACEMENT;
        return 1;
    }
    if ((size_t)len > n) {
        *cp = REPLACEMENT;
        return 1;
    }
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = REPLACEMENT;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are invalid */
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = REPLACEMENT;
        return 1;
    }
    *cp = c;
    return len;
}

int viz_utf8_encode(uint32_t cp, char out[4])
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = REPLACEMENT;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- widths ----------------------------------------------------------------
 * A compact version of the tables behind wcwidth(3) (Unicode 15 East Asian
 * Width W/F and general category Mn/Me), so that widths do not depend on
 * the process's locale. */

struct range {
    uint32_t lo, hi;
};

static const struct range zero_width[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},
    {0x05C1, 0x05C2},   {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A},
    {0x064B, 0x065F},   {0x0670, 0x0670}, {0x06D6, 0x06DC}, {0x06DF, 0x06E4},
    {0x06E7, 0x06E8},   {0x06EA, 0x06ED}, {0x0900, 0x0902}, {0x093A, 0x093A},
    {0x093C, 0x093C},   {0x0941, 0x0948}, {0x094D, 0x094D}, {0x0951, 0x0957},
    {0x0E31, 0x0E31},   {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF},   {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},
    {0x20D0, 0x20FF},   {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
    {0xE0100, 0xE01EF},
};

static const struct range double_width[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},
    {0x23E9, 0x23EC},   {0x23F0, 0x23F0},   {0x23F3, 0x23F3},
    {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},
    {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},
    {0x26F2, 0x26F3},   {0x26F5, 0x26F5},   {0x26FA, 0x26FA},
    {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},
    {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F2FF}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF},
    {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static bool in_ranges(uint32_t cp, const struct range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int viz_char_width(uint32_t cp)
{
    if (cp < 0x300)
        return 1;
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof *zero_width))
        return 0;
    if (in_ranges(cp, double_width, sizeof double_width / sizeof *double_width))
        return 2;
    return 1;
}

/* U+00C0..U+00FF without their accents ('?' where there is no letter). */
static const char latin1_base[] = "AAAAAAACEEEEIIII"
                                  "DNOOOOOxOUUUUYPs"
                                  "aaaaaaaceeeeiiii"
                                  "dnooooo/ouuuuypy";

uint32_t viz_glyph_for(uint32_t cp, enum viz_charset cs)
{
    if (cp == '\n')
        return cs == VIZ_ASCII ? '$' : RETURN_SYMBOL;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        return '?';
    if (viz_char_width(cp) == 0)
        return 0;
    if (cs == VIZ_UNICODE || cp < 0x80)
        return cp;
    if (cp >= 0xC0 && cp <= 0xFF)
        return (uint32_t)latin1_base[cp - 0xC0];
    if (cp == 0xA0)
        return ' ';
    return '?';
}

static int glyph_width(uint32_t glyph)
{
    return glyph ? viz_char_width(glyph) : 0;
}

int viz_str_width(const char *s, enum viz_charset cs)
{
    int w = 0;
    size_t n = strlen(s);
    while (n > 0) {
        uint32_t cp;
        int k = viz_utf8_decode(s, n, &cp);
        w += glyph_width(viz_glyph_for(cp, cs));
        s += k;
        n -= (size_t)k;
    }
    return w;
}

int viz_grid_put_str(struct viz_grid *g, int x, int y, const char *s, int maxw,
                     struct viz_pen pen)
{
    enum viz_charset cs = g->mode.charset;
    if (maxw < 0 || maxw > g->w - x)
        maxw = g->w - x;
    if (maxw <= 0 || y < 0 || y >= g->h)
        return 0;
    bool cut = viz_str_width(s, cs) > maxw;
    uint32_t ellipsis = cs == VIZ_ASCII ? '~' : ELLIPSIS;
    int room = cut ? maxw - 1 : maxw; /* columns left for the text itself */
    int col = 0;
    size_t n = strlen(s);
    while (n > 0) {
        uint32_t cp;
        int k = viz_utf8_decode(s, n, &cp);
        s += k;
        n -= (size_t)k;
        uint32_t glyph = viz_glyph_for(cp, cs);
        int cw = glyph_width(glyph);
        if (cw == 0)
            continue;
        if (col + cw > room)
            break;
        if (x + col >= 0)
            viz_grid_put(g, x + col, y, glyph, pen);
        col += cw;
    }
    if (cut) {
        viz_grid_put(g, x + col, y, ellipsis, pen);
        col++;
    }
    return col;
}
