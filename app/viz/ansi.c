/* ansi.c — writes a grid as text: SGR colour escapes or plain text, and
 * decides which of the two a stream should get.  The only file in viz/ that
 * knows about escape sequences or terminals. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* fileno, isatty, struct winsize */
#endif
#include "viz/ansi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---- choosing the mode ------------------------------------------------- */

static enum viz_output output_override = VIZ_OUTPUT_AUTO;

void viz_set_output(enum viz_output o)
{
    output_override = o;
}

enum viz_output viz_get_output(void)
{
    return output_override;
}

static const char *const output_names[] = {"auto", "ansi", "ascii"};

const char *viz_output_name(enum viz_output o)
{
    return (unsigned)o < 3 ? output_names[o] : "auto";
}

bool viz_output_parse(const char *s, enum viz_output *o)
{
    for (int i = 0; i < 3; i++) {
        if (!strcmp(s, output_names[i])) {
            *o = (enum viz_output)i;
            return true;
        }
    }
    return false;
}

static bool term_is_plain(const char *term)
{
    static const char *const plain[] = {"dumb",  "vt52",  "vt100",
                                        "vt102", "vt220", "unknown"};
    if (!term || !*term)
        return true;
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if (!strcmp(term, plain[i]))
            return true;
    return false;
}

struct viz_mode viz_mode_for(bool is_tty, const char *term,
                             const char *no_color, const char *colorterm)
{
    if (output_override == VIZ_OUTPUT_ANSI)
        return VIZ_MODE_ANSI;
    if (output_override == VIZ_OUTPUT_ASCII)
        return VIZ_MODE_ASCII;
    if (!is_tty || (no_color && *no_color) || term_is_plain(term))
        return VIZ_MODE_ASCII;
    if (strstr(term, "256color") ||
        (colorterm &&
         (!strcmp(colorterm, "truecolor") || !strcmp(colorterm, "24bit"))))
        return VIZ_MODE_ANSI;
    if (!strcmp(term, "linux"))
        return (struct viz_mode){VIZ_UNICODE, VIZ_8};
    return (struct viz_mode){VIZ_UNICODE, VIZ_16};
}

struct viz_mode viz_detect_output(FILE *f)
{
    return viz_mode_for(isatty(fileno(f)), getenv("TERM"), getenv("NO_COLOR"),
                        getenv("COLORTERM"));
}

int viz_terminal_width(FILE *f)
{
    struct winsize ws;
    if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    if (cols) {
        char *end;
        long n = strtol(cols, &end, 10);
        if (end != cols && !*end && n > 0 && n <= 4096)
            return (int)n;
    }
    return 80;
}

/* ---- colours ----------------------------------------------------------- */

/* xterm's default values for the 16 system colours. */
static const unsigned char system_rgb[16][3] = {
    {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
    {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
    {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
    {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
};

static void palette_rgb(int idx, int rgb[3])
{
    static const int cube[6] = {0, 95, 135, 175, 215, 255};
    if (idx < 16) {
        for (int i = 0; i < 3; i++)
            rgb[i] = system_rgb[idx][i];
    } else if (idx < 232) {
        idx -= 16;
        rgb[0] = cube[idx / 36];
        rgb[1] = cube[idx / 6 % 6];
        rgb[2] = cube[idx % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (idx - 232);
    }
}

int viz_colour_reduce(int idx, int n)
{
    if (idx < 0 || idx > 255)
        return VIZ_NO_COLOUR;
    if (idx < n)
        return idx;
    if (idx < 16) /* a bright colour on an 8-colour terminal */
        return idx - 8;
    int rgb[3], best = 0;
    long best_d = -1;
    palette_rgb(idx, rgb);
    for (int i = 0; i < n; i++) {
        long d = 0;
        for (int k = 0; k < 3; k++) {
            long e = rgb[k] - system_rgb[i][k];
            d += e * e;
        }
        if (best_d < 0 || d < best_d)
            best_d = d, best = i;
    }
    return best;
}

/* ---- text ---------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap && cap <= SIZE_MAX / 2)
            cap *= 2;
        char *p = b->len + n + 1 <= cap ? realloc(b->p, cap) : NULL;
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

static void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Appends ";38;5;N" / ";3N" / ";9N" (or the 48/4x/10x forms for bg). */
static void sgr_colour(struct buf *b, int idx, enum viz_colours level, bool bg)
{
    char tmp[32];
    if (idx < 0)
        return;
    if (level == VIZ_256) {
        snprintf(tmp, sizeof tmp, ";%d;5;%d", bg ? 48 : 38, idx);
    } else {
        idx = viz_colour_reduce(idx, level);
        int base = idx < 8 ? (bg ? 40 : 30) : (bg ? 100 : 90);
        snprintf(tmp, sizeof tmp, ";%d", base + idx % 8);
    }
    buf_str(b, tmp);
}

static void sgr(struct buf *b, const struct viz_cell *c, enum viz_colours level)
{
    buf_str(b, "\x1b[0");
    if (c->attr & VIZ_ATTR_BOLD)
        buf_str(b, ";1");
    if (c->attr & VIZ_ATTR_DIM)
        buf_str(b, ";2");
    if (c->attr & VIZ_ATTR_UNDERLINE)
        buf_str(b, ";4");
    if (c->attr & VIZ_ATTR_REVERSE)
        buf_str(b, ";7");
    sgr_colour(b, c->fg, level, false);
    sgr_colour(b, c->bg, level, true);
    buf_str(b, "m");
}

/* A cell that looks the same as the terminal's own background. */
static bool is_blank(const struct viz_cell *c, bool colour)
{
    if (c->ch != ' ')
        return false;
    if (!colour)
        return true;
    return c->bg < 0 && !(c->attr & (VIZ_ATTR_REVERSE | VIZ_ATTR_UNDERLINE));
}

static bool same_pen(const struct viz_cell *a, const struct viz_cell *b)
{
    return a->fg == b->fg && a->bg == b->bg && a->attr == b->attr;
}

char *viz_grid_to_text(const struct viz_grid *g, size_t *len)
{
    struct buf b = {0};
    bool colour = g->mode.colours != VIZ_MONO;
    bool ascii = g->mode.charset == VIZ_ASCII;
    const struct viz_cell plain = {' ', VIZ_NO_COLOUR, VIZ_NO_COLOUR, 0};
    buf_add(&b, "", 0);
    for (int y = 0; y < g->h; y++) {
        const struct viz_cell *row = viz_grid_at(g, 0, y);
        int end = g->w;
        while (end > 0 && is_blank(&row[end - 1], colour))
            end--;
        const struct viz_cell *pen = &plain;
        for (int x = 0; x < end; x++) {
            const struct viz_cell *c = &row[x];
            if (c->ch == VIZ_WIDE_TAIL)
                continue;
            if (colour && !same_pen(c, pen)) {
                sgr(&b, c, g->mode.colours);
                pen = c;
            }
            char utf8[4];
            uint32_t ch = ascii && c->ch > 0x7E ? '?' : c->ch;
            buf_add(&b, utf8, (size_t)viz_utf8_encode(ch, utf8));
        }
        if (pen != &plain && !same_pen(pen, &plain))
            buf_str(&b, "\x1b[0m");
        buf_str(&b, "\n");
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.p;
}

int viz_grid_write(const struct viz_grid *g, FILE *f)
{
    size_t len;
    char *text = viz_grid_to_text(g, &len);
    if (!text)
        return -1;
    size_t put = fwrite(text, 1, len, f);
    free(text);
    return put == len ? 0 : -1;
}
