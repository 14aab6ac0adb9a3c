/* test_viz.c — the viz renderers: the cell grid and UTF-8 widths, ANSI and
 * plain output, output-mode detection, nice ticks and labels, and each kind
 * of plot (golden ASCII text worked out by hand in the comments, geometry,
 * degenerate data, every small size without writing outside the grid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/ansi.h"
#include "viz/grid.h"
#include "viz/plot.h"

/* ---- helpers ---------------------------------------------------------------
 */

static char *render(const struct viz_plot *p, int w, int h,
                    struct viz_mode mode)
{
    char *text = viz_plot_to_text(p, w, h, mode, NULL);
    assert_non_null(text);
    return text;
}

static void assert_text(const struct viz_plot *p, int w, int h,
                        const char *want)
{
    char *got = render(p, w, h, VIZ_MODE_ASCII);
    if (strcmp(got, want))
        fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
    assert_string_equal(got, want);
    free(got);
}

/* Display columns of one line of text, skipping SGR escapes. */
static int line_width(const char *s, size_t n)
{
    int w = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] == '\x1b') {
            while (i < n && s[i] != 'm')
                i++;
            i++;
            continue;
        }
        uint32_t cp;
        i += (size_t)viz_utf8_decode(s + i, n - i, &cp);
        w += viz_char_width(cp);
    }
    return w;
}

/* Every line of text fits in w columns and there are exactly h lines. */
static void assert_fits(const char *text, int w, int h)
{
    int lines = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(line_width(p, (size_t)(nl - p)) <= w);
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, h);
}

static const struct viz_mode mode_16 = {VIZ_UNICODE, VIZ_16};
static const struct viz_mode mode_uni_mono = {VIZ_UNICODE, VIZ_MONO};

/* ---- UTF-8 and widths -----------------------------------------------------
 */

static void test_utf8_decode_reads_one_to_four_byte_sequences(void **state)
{
    uint32_t cp;
    assert_int_equal(viz_utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(viz_utf8_decode("\xc3\xa9", 2, &cp), 2); /* é */
    assert_int_equal(cp, 0xE9);
    assert_int_equal(viz_utf8_decode("\xe2\x82\xac", 3, &cp), 3); /* € */
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(viz_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
}

static void test_utf8_decode_replaces_invalid_bytes_one_at_a_time(void **state)
{
    uint32_t cp;
    /* overlong '/', a lone continuation byte, a surrogate, a cut sequence */
    assert_int_equal(viz_utf8_decode("\xc0\xaf", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(viz_utf8_decode("\x80", 1, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(viz_utf8_decode("\xed\xa0\x80", 3, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(viz_utf8_decode("\xe2\x82", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
}

static void test_utf8_encode_round_trips_through_decode(void **state)
{
    static const uint32_t cps[] = {0x24,   0xA2,    0x939,  0x20AC,
                                   0xD55C, 0x10348, 0x2800, 0x28FF};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char buf[4];
        uint32_t back;
        int n = viz_utf8_encode(cps[i], buf);
        assert_int_equal(viz_utf8_decode(buf, (size_t)n, &back), n);
        assert_int_equal(back, cps[i]);
    }
    char buf[4];
    assert_int_equal(viz_utf8_encode(0xD800, buf), 3); /* becomes U+FFFD */
    assert_memory_equal(buf, "\xef\xbf\xbd", 3);
}

static void test_char_width_knows_wide_and_combining_characters(void **state)
{
    assert_int_equal(viz_char_width('a'), 1);
    assert_int_equal(viz_char_width(0xE9), 1);    /* é */
    assert_int_equal(viz_char_width(0x2800), 1);  /* braille blank */
    assert_int_equal(viz_char_width(0x65E5), 2);  /* 日 */
    assert_int_equal(viz_char_width(0xAC00), 2);  /* 가 */
    assert_int_equal(viz_char_width(0x1F600), 2); /* 😀 */
    assert_int_equal(viz_char_width(0xFF21), 2);  /* fullwidth A */
    assert_int_equal(viz_char_width(0x301), 0);   /* combining acute */
    assert_int_equal(viz_char_width(0x200B), 0);  /* zero width space */
}

static void test_str_width_depends_on_the_charset(void **state)
{
    assert_int_equal(viz_str_width("abc", VIZ_UNICODE), 3);
    assert_int_equal(viz_str_width("\xe6\x97\xa5\xe6\x9c\xac", VIZ_UNICODE),
                     4); /* 日本 */
    assert_int_equal(viz_str_width("\xe6\x97\xa5\xe6\x9c\xac", VIZ_ASCII),
                     2);                                          /* "??" */
    assert_int_equal(viz_str_width("e\xcc\x81", VIZ_UNICODE), 1); /* e + ́ */
    assert_int_equal(viz_str_width("", VIZ_UNICODE), 0);
}

/* ---- the grid
 * ------------------------------------------------------------------- */

static void test_grid_new_rejects_sizes_out_of_range(void **state)
{
    assert_null(viz_grid_new(0, 5, VIZ_MODE_ASCII));
    assert_null(viz_grid_new(5, -1, VIZ_MODE_ASCII));
    assert_null(viz_grid_new(5000, 5, VIZ_MODE_ASCII));
    struct viz_grid *g = viz_grid_new(3, 2, VIZ_MODE_ASCII);
    assert_non_null(g);
    assert_int_equal(viz_grid_at(g, 2, 1)->ch, ' ');
    assert_null(viz_grid_at(g, 3, 0));
    assert_null(viz_grid_at(g, 0, -1));
    viz_grid_free(g);
    viz_grid_free(NULL);
}

static void test_put_str_gives_a_wide_glyph_two_cells(void **state)
{
    struct viz_grid *g = viz_grid_new(6, 1, VIZ_MODE_ANSI);
    int n = viz_grid_put_str(g, 0, 0, "a\xe6\x97\xa5z", -1, VIZ_PEN_PLAIN);
    assert_int_equal(n, 4);
    assert_int_equal(viz_grid_at(g, 0, 0)->ch, 'a');
    assert_int_equal(viz_grid_at(g, 1, 0)->ch, 0x65E5);
    assert_int_equal(viz_grid_at(g, 2, 0)->ch, VIZ_WIDE_TAIL);
    assert_int_equal(viz_grid_at(g, 3, 0)->ch, 'z');
    char *text = viz_grid_to_text(g, NULL);
    assert_string_equal(text, "a\xe6\x97\xa5z\n");
    free(text);
    viz_grid_free(g);
}

static void test_put_str_cuts_long_text_with_an_ellipsis(void **state)
{
    struct viz_grid *u = viz_grid_new(10, 1, VIZ_MODE_ANSI);
    assert_int_equal(viz_grid_put_str(u, 0, 0, "attention", 5, VIZ_PEN_PLAIN),
                     5);
    assert_int_equal(viz_grid_at(u, 3, 0)->ch, 'e');
    assert_int_equal(viz_grid_at(u, 4, 0)->ch, 0x2026);
    assert_int_equal(viz_grid_at(u, 5, 0)->ch, ' ');
    struct viz_grid *a = viz_grid_new(10, 1, VIZ_MODE_ASCII);
    viz_grid_put_str(a, 0, 0, "attention", 5, VIZ_PEN_PLAIN);
    char *text = viz_grid_to_text(a, NULL);
    assert_string_equal(text, "atte~\n");
    free(text);
    /* a wide glyph that would straddle the limit is cut as a whole */
    viz_grid_clear(u);
    assert_int_equal(viz_grid_put_str(u, 0, 0, "a\xe6\x97\xa5\xe6\x9c\xac", 3,
                                      VIZ_PEN_PLAIN),
                     2);
    assert_int_equal(viz_grid_at(u, 1, 0)->ch, 0x2026);
    viz_grid_free(u);
    viz_grid_free(a);
}

static void test_ascii_grid_strips_accents_and_shows_newlines(void **state)
{
    struct viz_grid *g = viz_grid_new(20, 2, VIZ_MODE_ASCII);
    viz_grid_put_str(g, 0, 0, "\xc3\xa9tudiant \xe2\x82\xac", -1,
                     VIZ_PEN_PLAIN);
    viz_grid_put_str(g, 0, 1, "end\n\t", -1, VIZ_PEN_PLAIN);
    char *text = viz_grid_to_text(g, NULL);
    assert_string_equal(text, "etudiant ?\nend$?\n");
    free(text);
    viz_grid_free(g);
    struct viz_grid *u = viz_grid_new(4, 1, VIZ_MODE_ANSI);
    viz_grid_put_str(u, 0, 0, "\n", -1, VIZ_PEN_PLAIN);
    assert_int_equal(viz_grid_at(u, 0, 0)->ch, 0x23CE);
    viz_grid_free(u);
}

static void test_writes_outside_the_grid_are_ignored(void **state)
{
    struct viz_grid *g = viz_grid_new(4, 2, VIZ_MODE_ASCII);
    viz_grid_put(g, -1, 0, 'x', VIZ_PEN_PLAIN);
    viz_grid_put(g, 4, 0, 'x', VIZ_PEN_PLAIN);
    viz_grid_put(g, 0, 2, 'x', VIZ_PEN_PLAIN);
    viz_grid_fill(g, 2, 1, 10, '#', VIZ_PEN_PLAIN);
    assert_int_equal(viz_grid_put_str(g, -2, 0, "abcdef", -1, VIZ_PEN_PLAIN),
                     6);
    assert_int_equal(viz_grid_put_str(g, 0, 5, "abc", -1, VIZ_PEN_PLAIN), 0);
    char *text = viz_grid_to_text(g, NULL);
    assert_string_equal(text, "cdef\n  ##\n"); /* cut on the left only */
    free(text);
    viz_grid_free(g);
}

static void test_overwriting_half_a_wide_glyph_blanks_the_rest(void **state)
{
    struct viz_grid *g = viz_grid_new(4, 1, VIZ_MODE_ANSI);
    viz_grid_put_str(g, 0, 0, "\xe6\x97\xa5\xe6\x9c\xac", -1, VIZ_PEN_PLAIN);
    viz_grid_put(g, 1, 0, 'x', VIZ_PEN_PLAIN); /* the tail of 日 */
    viz_grid_put(g, 2, 0, 'y', VIZ_PEN_PLAIN); /* the head of 本 */
    char *text = viz_grid_to_text(g, NULL);
    assert_string_equal(text, " xy\n");
    free(text);
    /* a wide glyph in the last column does not fit */
    viz_grid_put(g, 3, 0, 0x65E5, VIZ_PEN_PLAIN);
    assert_int_equal(viz_grid_at(g, 3, 0)->ch, ' ');
    viz_grid_free(g);
}

/* ---- output
 * ----------------------------------------------------------------------- */

static void
test_plain_text_trims_trailing_blanks_and_has_no_escapes(void **state)
{
    struct viz_grid *g = viz_grid_new(8, 3, VIZ_MODE_ASCII);
    struct viz_pen red = {1, 4, VIZ_ATTR_BOLD};
    viz_grid_put_str(g, 1, 0, "hi", -1, red);
    viz_grid_put(g, 7, 2, '.', VIZ_PEN_PLAIN);
    size_t len;
    char *text = viz_grid_to_text(g, &len);
    assert_string_equal(text, " hi\n\n       .\n");
    assert_int_equal(len, strlen(text));
    assert_null(strchr(text, '\x1b'));
    free(text);
    viz_grid_free(g);
}

static void test_ansi_256_writes_38_5_and_48_5_and_resets(void **state)
{
    struct viz_grid *g = viz_grid_new(4, 1, VIZ_MODE_ANSI);
    struct viz_pen pen = {208, 53, VIZ_ATTR_BOLD};
    viz_grid_put(g, 0, 0, 'a', pen);
    viz_grid_put(g, 1, 0, 'b', pen);
    viz_grid_put(g, 2, 0, 'c', VIZ_PEN_PLAIN);
    char *text = viz_grid_to_text(g, NULL);
    assert_string_equal(text, "\x1b[0;1;38;5;208;48;5;53mab\x1b[0mc\n");
    free(text);
    viz_grid_free(g);
}

static void test_ansi_keeps_coloured_trailing_spaces(void **state)
{
    struct viz_grid *g = viz_grid_new(3, 1, VIZ_MODE_ANSI);
    struct viz_pen bg = {VIZ_NO_COLOUR, 220, 0};
    viz_grid_put(g, 1, 0, ' ', bg);
    char *text = viz_grid_to_text(g, NULL);
    assert_string_equal(text, " \x1b[0;48;5;220m \x1b[0m\n");
    free(text);
    viz_grid_free(g);
}

static void test_ansi_16_uses_30_to_37_and_90_to_97(void **state)
{
    struct viz_grid *g = viz_grid_new(3, 1, mode_16);
    viz_grid_put(g, 0, 0, 'a', (struct viz_pen){1, 4, 0});
    viz_grid_put(g, 1, 0, 'b', (struct viz_pen){9, 12, 0});
    viz_grid_put(g, 2, 0, 'c', (struct viz_pen){196, VIZ_NO_COLOUR, 0});
    char *text = viz_grid_to_text(g, NULL);
    /* 196 (#ff0000) is bright red, 9 */
    assert_string_equal(text, "\x1b[0;31;44ma\x1b[0;91;104mb\x1b[0;91mc"
                              "\x1b[0m\n");
    free(text);
    viz_grid_free(g);
}

static void test_colour_reduce_finds_the_nearest_system_colour(void **state)
{
    assert_int_equal(viz_colour_reduce(3, 16), 3);
    assert_int_equal(viz_colour_reduce(11, 8), 3);    /* bright -> normal */
    assert_int_equal(viz_colour_reduce(21, 16), 4);   /* #0000ff: 0,0,238 */
    assert_int_equal(viz_colour_reduce(231, 16), 15); /* white */
    assert_int_equal(viz_colour_reduce(232, 16), 0);  /* near black */
    assert_int_equal(viz_colour_reduce(231, 8), 7);
    assert_int_equal(viz_colour_reduce(-1, 8), VIZ_NO_COLOUR);
}

static void test_mode_follows_tty_no_color_and_term(void **state)
{
    viz_set_output(VIZ_OUTPUT_AUTO);
    struct viz_mode m = viz_mode_for(false, "xterm-256color", NULL, NULL);
    assert_int_equal(m.charset, VIZ_ASCII);
    assert_int_equal(m.colours, VIZ_MONO);
    m = viz_mode_for(true, "xterm-256color", NULL, NULL);
    assert_int_equal(m.charset, VIZ_UNICODE);
    assert_int_equal(m.colours, VIZ_256);
    m = viz_mode_for(true, "xterm-256color", "1", NULL);
    assert_int_equal(m.charset, VIZ_ASCII);
    m = viz_mode_for(true, "xterm-256color", "", NULL); /* empty: unset */
    assert_int_equal(m.colours, VIZ_256);
    m = viz_mode_for(true, "dumb", NULL, NULL);
    assert_int_equal(m.charset, VIZ_ASCII);
    m = viz_mode_for(true, NULL, NULL, NULL);
    assert_int_equal(m.charset, VIZ_ASCII);
    m = viz_mode_for(true, "xterm", NULL, NULL);
    assert_int_equal(m.colours, VIZ_16);
    m = viz_mode_for(true, "xterm", NULL, "truecolor");
    assert_int_equal(m.colours, VIZ_256);
    m = viz_mode_for(true, "linux", NULL, NULL);
    assert_int_equal(m.colours, VIZ_8);
}

static void test_output_override_wins_over_detection(void **state)
{
    viz_set_output(VIZ_OUTPUT_ASCII);
    struct viz_mode m = viz_mode_for(true, "xterm-256color", NULL, NULL);
    assert_int_equal(m.charset, VIZ_ASCII);
    viz_set_output(VIZ_OUTPUT_ANSI);
    m = viz_mode_for(false, "dumb", "1", NULL);
    assert_int_equal(m.charset, VIZ_UNICODE);
    assert_int_equal(m.colours, VIZ_256);
    enum viz_output o;
    assert_true(viz_output_parse("ascii", &o));
    assert_int_equal(o, VIZ_OUTPUT_ASCII);
    assert_false(viz_output_parse("colour", &o));
    assert_string_equal(viz_output_name(VIZ_OUTPUT_AUTO), "auto");
    viz_set_output(VIZ_OUTPUT_AUTO);
}

/* ---- ticks and labels
 * ----------------------------------------------------------- */

static void assert_ticks(double lo, double hi, int maxticks, const double *want,
                         int n)
{
    double t[16];
    assert_int_equal(viz_nice_ticks(lo, hi, maxticks, t), n);
    for (int i = 0; i < n; i++)
        assert_float_equal(t[i], want[i], 1e-12);
}

static void test_nice_ticks_for_known_ranges(void **state)
{
    assert_ticks(0, 10, 5, (double[]){0, 5, 10}, 3);
    assert_ticks(3, 7, 5, (double[]){3, 4, 5, 6, 7}, 5);
    assert_ticks(-1, 1, 5, (double[]){-1, -0.5, 0, 0.5, 1}, 5);
    assert_ticks(0.13, 0.87, 5, (double[]){0, 0.5, 1}, 3);
    assert_ticks(1, 3.2, 5, (double[]){1, 2, 3, 4}, 4);
    assert_ticks(0, 1000, 6, (double[]){0, 200, 400, 600, 800, 1000}, 6);
}

static void test_nice_ticks_widen_a_constant_range(void **state)
{
    assert_ticks(5, 5, 5, (double[]){4.5, 5, 5.5}, 3);
    assert_ticks(0, 0, 5, (double[]){-1, -0.5, 0, 0.5, 1}, 5);
    assert_ticks(-0.02, -0.02, 3, (double[]){-0.025, -0.02, -0.015}, 3);
}

/* Over many ranges: every step is 1, 2 or 5 x 10^k, the ticks are its
 * multiples, they enclose the range and there are at most maxticks of them:
 * at least 3 when 5 are allowed (the y axis's case), else at least 2. */
static void test_nice_ticks_are_multiples_of_1_2_5_steps(void **state)
{
    unsigned seed = 12345;
    for (int k = 0; k < 2000; k++) {
        seed = seed * 1103515245u + 12345u;
        double a = ((int)((seed >> 8) % 20001) - 10000) / 100.0;
        seed = seed * 1103515245u + 12345u;
        double span =
            pow(10, (double)((seed >> 8) % 13) - 6) * (1 + (seed >> 20) % 9);
        double t[16];
        int maxticks = 3 + k % 6;
        int n = viz_nice_ticks(a, a + span, maxticks, t);
        assert_true(n >= (maxticks >= 5 ? 3 : 2) && n <= maxticks);
        double step = t[1] - t[0]; /* up to rounding */
        double p10 = pow(10, floor(log10(step) + 1e-6));
        double mant = nearbyint(step / p10);
        assert_true(fabs(step / p10 - mant) < 1e-3);
        assert_true(mant == 1 || mant == 2 || mant == 5);
        step = mant * p10;
        for (int i = 0; i < n; i++) {
            double q = t[i] / step;
            assert_true(fabs(q - nearbyint(q)) < 1e-6 * fmax(1, fabs(q)));
        }
        assert_true(t[0] <= a + 1e-9 * fabs(a) &&
                    t[n - 1] >= a + span - 1e-9 * fabs(a + span));
    }
}

static void test_nice_ticks_inside_stay_within_the_range(void **state)
{
    double t[16], step, lo = 1, hi = 6;
    int n = viz_nice_ticks_inside(&lo, &hi, 3, t, &step);
    assert_int_equal(n, 3);
    assert_float_equal(t[0], 2, 1e-12);
    assert_float_equal(t[2], 6, 1e-12);
    assert_float_equal(step, 2, 1e-12);
    assert_float_equal(lo, 1, 0);
    assert_float_equal(hi, 6, 0);
}

static void test_tick_labels_use_the_decimals_of_the_step(void **state)
{
    char buf[32];
    viz_format_tick(buf, sizeof buf, 0.5, 0.5);
    assert_string_equal(buf, "0.5");
    viz_format_tick(buf, sizeof buf, 1, 0.5);
    assert_string_equal(buf, "1.0");
    viz_format_tick(buf, sizeof buf, 0.75, 0.25);
    assert_string_equal(buf, "0.75");
    viz_format_tick(buf, sizeof buf, 200, 100);
    assert_string_equal(buf, "200");
    viz_format_tick(buf, sizeof buf, -1e-17, 0.1); /* no "-0.0" */
    assert_string_equal(buf, "0.0");
    viz_format_tick(buf, sizeof buf, 2e-5, 1e-5);
    assert_string_equal(buf, "2e-5");
    viz_format_tick(buf, sizeof buf, 1.0 / 3, 1.0 / 3);
    assert_string_equal(buf, "0.333");
    viz_format_tick(buf, sizeof buf, 24.75, 24.75);
    assert_string_equal(buf, "24.75");
    /* a tiny step far from zero keeps the digits that differ */
    viz_format_tick(buf, sizeof buf, 2.302585, 5e-6);
    assert_string_equal(buf, "2.302585");
    viz_format_tick(buf, sizeof buf, 3e7, 1e7);
    assert_string_equal(buf, "3e7");
}

static void test_number_labels_are_compact(void **state)
{
    char buf[32];
    viz_format_num(buf, sizeof buf, 0.4312345);
    assert_string_equal(buf, "0.4312");
    viz_format_num(buf, sizeof buf, 1234);
    assert_string_equal(buf, "1234");
    viz_format_num(buf, sizeof buf, 1.5e-7);
    assert_string_equal(buf, "1.5e-7");
    viz_format_num(buf, sizeof buf, 12345.6);
    assert_string_equal(buf, "1.235e4");
    viz_format_num(buf, sizeof buf, NAN);
    assert_string_equal(buf, "nan");
    viz_format_num(buf, sizeof buf, -INFINITY);
    assert_string_equal(buf, "-inf");
    viz_format_num(buf, sizeof buf, -0.0);
    assert_string_equal(buf, "0");
}

/* ---- line plots
 * -------------------------------------------------------------------- */

/* y = 0, 1, 2, 3, 4 at x = 1..5 in 24x8, ASCII.  Rows: 6 for the plot, the
 * x axis, its labels.  y ticks (at most 6/2+1 = 4): step 2 -> 0, 2, 4, one
 * column of labels; the plot is columns 2..23 (22 dots).  x ticks inside
 * 1..5 (at most 22/10+1 = 3): 2, 4.  Dots: x -> round((x-1)/4 * 21) = 0, 5,
 * 11, 16, 21; y -> row 5 - round(y/4 * 5) = 5, 4, 2, 1, 0; Bresenham
 * between them.  Tick rows: 4 -> 0, 0 -> 5, 2 -> 5 - round(2.5) = 2; tick
 * columns 2 + round(5.25) = 7 and 2 + round(15.75) = 18. */
static void test_line_golden_ascii(void **state)
{
    double y[] = {0, 1, 2, 3, 4};
    struct viz_series se = {NULL, NULL, y, 5};
    struct viz_plot p = {.kind = VIZ_LINE,
                         .line = {NULL, NULL, NULL, false, 1, &se}};
    assert_text(&p, 24, 8,
                "4+                   ***\n"
                " |              *****\n"
                "2+          ****\n"
                " |       ***\n"
                " |   ****\n"
                "0+***\n"
                " +-----+----------+-----\n"
                "       2          4\n");
}

static void test_line_legend_and_title_and_labels(void **state)
{
    double a[] = {1, 2, 3}, b[] = {3, 2, 1};
    struct viz_series se[2] = {{"train", NULL, a, 3}, {"val", NULL, b, 3}};
    struct viz_plot p = {.kind = VIZ_LINE,
                         .line = {"loss", "step", "nll", false, 2, se}};
    char *text = render(&p, 40, 14, VIZ_MODE_ASCII);
    assert_fits(text, 40, 14);
    assert_non_null(strstr(text, "                  loss\n")); /* centred */
    assert_non_null(strstr(text, "\nnll\n"));
    assert_non_null(strstr(text, "step\n"));
    assert_non_null(strstr(text, "* train  + val\n"));
    assert_non_null(strchr(text, '+'));
    free(text);
    text = render(&p, 40, 14, VIZ_MODE_ANSI);
    /* the legend's swatches in the series colours */
    assert_non_null(strstr(text, "\x1b[0;38;5;33m\xe2\x96\xa0"));
    assert_non_null(strstr(text, "\x1b[0;38;5;208m\xe2\x96\xa0"));
    free(text);
}

/* Two points, (1, 0) and (2, 1): the first is the bottom-left dot of the
 * plot's bottom-left cell (bit 0x40), the last the top-right dot of its
 * top-right cell (bit 0x08); every plot glyph is a braille pattern. */
static void test_line_braille_dots_follow_the_drawille_bits(void **state)
{
    double ys[] = {0, 1};
    struct viz_series se = {NULL, NULL, ys, 2};
    struct viz_plot p = {.kind = VIZ_LINE,
                         .line = {NULL, NULL, NULL, false, 1, &se}};
    struct viz_grid *g = viz_grid_new(30, 10, VIZ_MODE_ANSI);
    assert_int_equal(viz_plot_render(&p, g), 0);
    /* y labels "0.0" .. "1.0" are 3 wide, the axis at column 3 */
    int x0 = 4, x1 = 29, y0 = 0, y1 = 7;
    assert_int_equal(viz_grid_at(g, 3, y1)->ch, 0x2524); /* ┤ at 0.0 */
    assert_true(viz_grid_at(g, x0, y1)->ch & 0x40);
    assert_true(viz_grid_at(g, x1, y0)->ch & 0x08);
    int dots = 0;
    for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
            uint32_t ch = viz_grid_at(g, x, y)->ch;
            assert_true(ch == ' ' || (ch >= 0x2800 && ch <= 0x28FF));
            dots += ch != ' ';
        }
    }
    assert_true(dots >= 26); /* a connected line crosses every column */
    viz_grid_free(g);
}

static void test_line_logy_labels_decades_and_skips_non_positive(void **state)
{
    double y[] = {1, 10, -5, 0, 100, 1000};
    struct viz_series se = {NULL, NULL, y, 6};
    struct viz_plot p = {.kind = VIZ_LINE,
                         .line = {NULL, NULL, NULL, true, 1, &se}};
    char *text = render(&p, 40, 12, VIZ_MODE_ASCII);
    assert_fits(text, 40, 12);
    assert_non_null(strstr(text, "1000+"));
    assert_non_null(strstr(text, "\n  10+"));
    assert_null(strstr(text, "inf"));
    assert_null(strstr(text, "nan"));
    free(text);
    /* tiny and huge values: exponent labels */
    double z[] = {1e-6, 1e-3, 1};
    se.y = z, se.n = 3;
    text = render(&p, 40, 12, VIZ_MODE_ASCII);
    assert_non_null(strstr(text, "1e-6"));
    free(text);
}

/* A NaN leaves a gap: with y = 1, 1, NaN, 1, 1 at x = 1..5 in a 25-wide
 * plot the dots at x = 3 (plot column 12) are missing. */
static void test_line_skips_nan_and_inf_as_gaps(void **state)
{
    double ys[] = {1, 1, NAN, 1, INFINITY, 1};
    struct viz_series se = {NULL, NULL, ys, 4};
    struct viz_plot p = {.kind = VIZ_LINE,
                         .line = {NULL, NULL, NULL, false, 1, &se}};
    struct viz_grid *g = viz_grid_new(30, 8, VIZ_MODE_ASCII);
    viz_plot_render(&p, g);
    /* constant 1: ticks 0.5, 1.0, 1.5 -> labels 3 wide, plot from col 4 */
    int row = -1;
    for (int y = 0; y < 6; y++)
        if (viz_grid_at(g, 4, y)->ch == '*')
            row = y;
    assert_true(row >= 0);
    assert_int_equal(viz_grid_at(g, 4 + 8, row)->ch, '*');  /* x = 2 */
    assert_int_equal(viz_grid_at(g, 4 + 12, row)->ch, ' '); /* x = 3 */
    assert_int_equal(viz_grid_at(g, 4 + 25, row)->ch, '*'); /* x = 4 */
    viz_grid_free(g);
    se.n = 6; /* the inf is skipped too */
    char *text = render(&p, 30, 8, VIZ_MODE_ASCII);
    assert_null(strstr(text, "inf"));
    free(text);
}

/* y = 5 four times in 20x7: the range widens to 4.5..5.5 (ticks 4.5, 5.0,
 * 5.5, labels 3 wide), the line on the middle row (round(0.5 * 4) = 2 of
 * 0..4 from the bottom); plot columns 4..19; x ticks inside 1..4 at most 3:
 * 2 and 4 at 4 + round(15/3) = 9 and 4 + 15 = 19. */
static void test_line_constant_series_is_a_flat_line_mid_axis(void **state)
{
    double y[] = {5, 5, 5, 5};
    struct viz_series se = {NULL, NULL, y, 4};
    struct viz_plot p = {.kind = VIZ_LINE,
                         .line = {NULL, NULL, NULL, false, 1, &se}};
    assert_text(&p, 20, 7,
                "5.5+\n"
                "   |\n"
                "5.0+****************\n"
                "   |\n"
                "4.5+\n"
                "   +-----+---------+\n"
                "         2         4\n");
}

static void test_line_single_point_and_no_data(void **state)
{
    double y[] = {2};
    struct viz_series se = {"one", NULL, y, 1};
    struct viz_plot p = {.kind = VIZ_LINE,
                         .line = {NULL, NULL, NULL, false, 1, &se}};
    char *text = render(&p, 30, 8, VIZ_MODE_ASCII);
    assert_fits(text, 30, 8);
    int stars = 0;
    for (char *c = text; *c; c++)
        stars += *c == '*';
    assert_int_equal(stars, 2); /* the point and the legend's marker */
    free(text);
    double none[] = {NAN, NAN};
    se.y = none, se.n = 2;
    text = render(&p, 30, 8, VIZ_MODE_ASCII);
    assert_non_null(strstr(text, "no data"));
    free(text);
    struct viz_plot empty = {.kind = VIZ_LINE,
                             .line = {"t", NULL, NULL, false, 0, NULL}};
    text = render(&empty, 30, 8, VIZ_MODE_ASCII);
    assert_non_null(strstr(text, "no data"));
    free(text);
}

/* ---- heatmaps
 * -------------------------------------------------------------------- */

static void palette_rgb(int idx, double rgb[3])
{
    /* xterm's 6x6x6 cube and grey ramp */
    static const int level[6] = {0, 95, 135, 175, 215, 255};
    if (idx >= 232) {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (idx - 232);
        return;
    }
    idx -= 16;
    rgb[0] = level[idx / 36];
    rgb[1] = level[(idx / 6) % 6];
    rgb[2] = level[idx % 6];
}

static double luminance(int idx)
{
    double c[3];
    palette_rgb(idx, c);
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

static void test_sequential_ramps_rise_in_luminance(void **state)
{
    enum viz_palette pals[] = {VIZ_PAL_VIRIDIS, VIZ_PAL_GREY};
    for (int p = 0; p < 2; p++) {
        int n = viz_ramp_levels(pals[p]);
        assert_true(n >= 8);
        double prev = -1;
        for (int i = 0; i < n; i++) {
            double l = luminance(viz_ramp_colour(pals[p], (i + 0.5) / n));
            assert_true(l > prev);
            prev = l;
        }
    }
    assert_int_equal(viz_ramp_colour(VIZ_PAL_VIRIDIS, 0), 53);
    assert_int_equal(viz_ramp_colour(VIZ_PAL_VIRIDIS, 1), 220);
    assert_int_equal(viz_ramp_colour(VIZ_PAL_VIRIDIS, NAN), VIZ_NO_COLOUR);
}

static void test_diverging_ramp_is_lightest_in_the_middle(void **state)
{
    int n = viz_ramp_levels(VIZ_PAL_DIVERGING);
    assert_int_equal(n % 2, 1);
    double mid = luminance(viz_ramp_colour(VIZ_PAL_DIVERGING, 0.5));
    for (int i = 0; i < n; i++)
        if (i != n / 2)
            assert_true(luminance(viz_ramp_colour(VIZ_PAL_DIVERGING,
                                                  (i + 0.5) / n)) < mid);
    assert_int_equal(viz_ramp_glyph(VIZ_ASCII, 0), ' ');
    assert_int_equal(viz_ramp_glyph(VIZ_ASCII, 1), '@');
    assert_int_equal(viz_ramp_glyph(VIZ_UNICODE, 1), 0x2588);
}

/* Rows 0 and 1 of a 2x1 matrix share one cell: ▀ in the colour of row 0
 * over the colour of row 1. */
static void test_heatmap_half_block_is_top_fg_over_bottom_bg(void **state)
{
    double v[] = {0, 1, 0.5};
    struct viz_plot p = {
        .kind = VIZ_HEATMAP,
        .heatmap = {
            .rows = 3, .cols = 1, .values = v, .cells = VIZ_CELLS_HALF}};
    struct viz_grid *g = viz_grid_new(20, 4, VIZ_MODE_ANSI);
    viz_plot_render(&p, g);
    struct viz_cell *c = viz_grid_at(g, 0, 0);
    assert_int_equal(c->ch, 0x2580);
    assert_int_equal(c->fg, 53);
    assert_int_equal(c->bg, 220);
    /* an odd last row has nothing below it */
    c = viz_grid_at(g, 0, 1);
    assert_int_equal(c->ch, 0x2580);
    assert_int_equal(c->fg, viz_ramp_colour(VIZ_PAL_VIRIDIS, 0.5));
    assert_int_equal(c->bg, VIZ_NO_COLOUR);
    /* and the colour bar follows */
    assert_int_equal(viz_grid_at(g, 0, 2)->ch, '0');
    viz_grid_free(g);
}

/* A 2x3 matrix with labels in 30x5 ASCII: no room for a title, labels "a",
 * "bb", "c" -> 3 columns per value; row labels right-aligned in 4; values
 * 0, .5, 1 / 1, .25, NaN on " .:-=+*#%@" -> ' ', '+', '@' / '@', ':', '?';
 * then the colour bar with the matrix's own min and max. */
static void test_heatmap_golden_ascii(void **state)
{
    double v[] = {0, 0.5, 1, 1, 0.25, NAN};
    char *xl[] = {"a", "bb", "c"}, *yl[] = {"r1", "row2"};
    struct viz_plot p = {.kind = VIZ_HEATMAP,
                         .heatmap = {NULL, 2, 3, v, xl, yl, false, 0, 0,
                                     VIZ_PAL_VIRIDIS, VIZ_CELLS_AUTO}};
    assert_text(&p, 30, 5,
                "     a  bb c\n"
                "  r1    +++@@@\n"
                "row2 @@@:::???\n"
                "     0 [ .:-=+*#%@] 1\n"
                "\n");
}

static void test_heatmap_cell_at_reads_back_rows_and_columns(void **state)
{
    double v[] = {0, 0.5, 1, 1, 0.25, NAN};
    char *xl[] = {"a", "bb", "c"}, *yl[] = {"r1", "row2"};
    struct viz_heatmap_spec s = {
        NULL, 2, 3, v, xl, yl, false, 0, 0, VIZ_PAL_VIRIDIS, VIZ_CELLS_AUTO};
    struct viz_grid *g = viz_grid_new(30, 5, VIZ_MODE_ASCII);
    int r = -1, c = -1;
    assert_true(viz_heatmap_cell_at(&s, g, 5, 1, &r, &c));
    assert_int_equal(r, 0);
    assert_int_equal(c, 0);
    assert_true(viz_heatmap_cell_at(&s, g, 7, 1, &r, &c)); /* same value */
    assert_int_equal(c, 0);
    assert_true(viz_heatmap_cell_at(&s, g, 13, 2, &r, &c));
    assert_int_equal(r, 1);
    assert_int_equal(c, 2);
    assert_false(viz_heatmap_cell_at(&s, g, 4, 1, &r, &c));  /* label */
    assert_false(viz_heatmap_cell_at(&s, g, 14, 1, &r, &c)); /* right */
    assert_false(viz_heatmap_cell_at(&s, g, 5, 3, &r, &c));  /* bar */
    assert_false(viz_heatmap_cell_at(&s, g, 5, 0, &r, &c));  /* labels */
    viz_grid_free(g);
}

static void test_heatmap_cell_pos_inverts_cell_at_in_half_blocks(void **state)
{
    double v[8] = {0};
    struct viz_heatmap_spec s = {
        .rows = 4, .cols = 2, .values = v, .cells = VIZ_CELLS_HALF};
    struct viz_grid *g = viz_grid_new(10, 5, VIZ_MODE_ANSI);
    int x, y, r, c;
    bool lower;
    assert_true(viz_heatmap_cell_pos(&s, g, 3, 1, &x, &y, &lower));
    assert_int_equal(x, 1);
    assert_int_equal(y, 1);
    assert_true(lower);
    assert_true(viz_heatmap_cell_at(&s, g, x, y, &r, &c));
    assert_int_equal(r, 2); /* the upper of the pair */
    assert_int_equal(c, 1);
    assert_false(viz_heatmap_cell_pos(&s, g, 4, 0, &x, &y, &lower));
    for (int row = 0; row < 4; row++) {
        for (int col = 0; col < 2; col++) {
            assert_true(viz_heatmap_cell_pos(&s, g, row, col, &x, &y, &lower));
            assert_true(viz_heatmap_cell_at(&s, g, x, y, &r, &c));
            assert_int_equal(r, row - lower);
            assert_int_equal(c, col);
        }
    }
    viz_grid_free(g);
}

static void test_heatmap_shrinks_a_large_matrix_to_fit(void **state)
{
    enum { R = 64, C = 128 };
    double *v = malloc(R * C * sizeof *v);
    for (int i = 0; i < R * C; i++)
        v[i] = sin(i * 0.01);
    struct viz_plot p = {
        .kind = VIZ_HEATMAP,
        .heatmap = {.title = "pe", .rows = R, .cols = C, .values = v}};
    struct viz_grid *g = viz_grid_new(60, 20, VIZ_MODE_ANSI);
    struct viz_heatmap_layout l;
    viz_heatmap_layout(&p.heatmap, g, &l);
    assert_true(l.half);
    assert_int_equal(l.npx, 60);
    assert_int_equal(l.npy, 36); /* 18 rows of two, after title and bar */
    int r, c;
    assert_true(viz_heatmap_cell_at(&p.heatmap, g, 59, 18, &r, &c));
    assert_int_equal(r, 34 * R / 36);
    assert_int_equal(c, 59 * C / 60);
    viz_grid_free(g);
    char *text = render(&p, 60, 20, VIZ_MODE_ANSI);
    assert_fits(text, 60, 20);
    free(text);
    free(v);
}

static void test_heatmap_fixed_scale_clamps_and_says_so(void **state)
{
    double v[] = {-1, 0.5, 2};
    struct viz_plot p = {.kind = VIZ_HEATMAP,
                         .heatmap = {.rows = 1,
                                     .cols = 3,
                                     .values = v,
                                     .fixed_range = true,
                                     .vmin = 0,
                                     .vmax = 1}};
    struct viz_grid *g = viz_grid_new(60, 3, VIZ_MODE_ANSI);
    viz_plot_render(&p, g);
    assert_int_equal(viz_grid_at(g, 0, 0)->bg, 53);  /* below: the bottom */
    assert_int_equal(viz_grid_at(g, 4, 0)->bg, 220); /* above: the top */
    viz_grid_free(g);
    char *text = render(&p, 60, 3, VIZ_MODE_ASCII);
    /* room for two cells per level */
    assert_non_null(strstr(text, "0 [  ..::--==++**##%%@@] 1 (fixed scale)\n"));
    free(text);
}

static void test_heatmap_lists_column_labels_that_do_not_fit(void **state)
{
    double v[12] = {0};
    char *xl[] = {"alpha", "beta", "gamma", "delta", "eps", "zeta"};
    struct viz_plot p = {
        .kind = VIZ_HEATMAP,
        .heatmap = {.rows = 2, .cols = 6, .values = v, .xlabels = xl}};
    char *text = render(&p, 12, 6, VIZ_MODE_ASCII);
    assert_fits(text, 12, 6);
    /* 2 columns per value: indices on top, a space apart */
    assert_true(strncmp(text, "1 2 3 4 5 6\n", 12) == 0);
    assert_non_null(strstr(text, "1:alpha")); /* and a key below */
    free(text);
}

/* ---- histograms, bars, tables
 * ---------------------------------------------------- */

static void test_hist_fill_counts_bins_and_skips_non_finite(void **state)
{
    double d[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, NAN, INFINITY};
    struct viz_hist_spec s = {0};
    assert_int_equal(viz_hist_fill(&s, d, 12, 5, 0, 0), 0);
    assert_int_equal(s.nbins, 5);
    assert_float_equal(s.edges[0], 0, 0);
    assert_float_equal(s.edges[5], 9, 0);
    for (int i = 0; i < 5; i++)
        assert_float_equal(s.counts[i], 2, 0); /* the max is in the last */
    assert_int_equal(s.skipped, 2);
    /* an explicit range: values outside are skipped, edges exact */
    assert_int_equal(viz_hist_fill(&s, d, 10, 2, 0, 1), 0);
    assert_float_equal(s.counts[0], 1, 0);
    assert_float_equal(s.counts[1], 1, 0); /* 1 is in the last bin */
    assert_int_equal(s.skipped, 8);
    /* all equal values get a bin of width 1 around them */
    double same[] = {3, 3, 3};
    assert_int_equal(viz_hist_fill(&s, same, 3, 1, 0, 0), 0);
    assert_float_equal(s.edges[0], 2.5, 0);
    assert_float_equal(s.counts[0], 3, 0);
    assert_int_equal(viz_hist_fill(&s, same, 3, 0, 0, 0), -1);
    free(s.edges);
    free(s.counts);
}

/* Data 0, .5, 1, 2.5, 3, 4, 9 x4 in 5 bins over [0, 9]: counts 3, 2, 1, 0,
 * 4.  Labels on a step of 1.8 -> one decimal.  Labels 10 wide, values 1
 * wide: bars from column 12, 26 columns for the largest (4): 3 -> 19.5 ->
 * 20, 2 -> 13, 1 -> 6.5 -> 7. */
static void test_hist_golden_ascii(void **state)
{
    double d[] = {0, 0.5, 1, 2.5, 3, 4, 9, 9, 9, 9, NAN};
    struct viz_plot p = {.kind = VIZ_HIST, .hist = {.title = "h"}};
    assert_int_equal(viz_hist_fill(&p.hist, d, 11, 5, 0, 0), 0);
    assert_text(&p, 40, 6,
                "h  (1 skipped)\n"
                "[0.0, 1.8) |####################       3\n"
                "[1.8, 3.6) |#############              2\n"
                "[3.6, 5.4) |#######                    1\n"
                "[5.4, 7.2) |                           0\n"
                "[7.2, 9.0] |########################## 4\n");
    free(p.hist.edges);
    free(p.hist.counts);
}

static void test_hist_merges_neighbour_bins_when_rows_are_few(void **state)
{
    double d[100];
    for (int i = 0; i < 100; i++)
        d[i] = i;
    struct viz_plot p = {.kind = VIZ_HIST};
    viz_hist_fill(&p.hist, d, 100, 10, 0, 0);
    /* 10 bins of 10 in 4 rows: groups of 3 -> 30, 30, 30, 10 */
    char *text = render(&p, 40, 4, VIZ_MODE_ASCII);
    assert_fits(text, 40, 4);
    assert_non_null(strstr(text, "[ 0.0, 29.7) |"));
    assert_non_null(strstr(text, " 30\n"));
    assert_non_null(strstr(text, "[89.1, 99.0] |"));
    assert_non_null(strstr(text, " 10\n"));
    free(text);
    free(p.hist.edges);
    free(p.hist.counts);
}

/* Values 2 and -1 in 20 columns: labels 4, values 2 -> 12 for the axis and
 * bars, 11 of them for bars at 11/3 columns per unit: the axis 4 columns
 * in (round(11/3)), 7 columns of bar for 2, 4 for -1. */
static void test_bar_golden_ascii_with_a_negative_value(void **state)
{
    char *lab[] = {"up", "down"};
    double v[] = {2, -1};
    struct viz_plot p = {.kind = VIZ_BAR, .bar = {NULL, 2, lab, v}};
    assert_text(&p, 20, 2,
                "up       |#######  2\n"
                "down ####|        -1\n");
}

static void test_bar_uses_eighth_blocks_in_unicode(void **state)
{
    char *lab[] = {"a", "b", "c"};
    double v[] = {8, 4, 1};
    struct viz_plot p = {.kind = VIZ_BAR, .bar = {NULL, 3, lab, v}};
    /* 13 columns: label 1, value 1 -> 9 for bars, 8 beside the axis: one
     * cell per unit, so 1 is one full block and 4 four */
    struct viz_grid *g = viz_grid_new(13, 3, mode_uni_mono);
    viz_plot_render(&p, g);
    assert_int_equal(viz_grid_at(g, 2, 0)->ch, 0x2502);
    assert_int_equal(viz_grid_at(g, 10, 0)->ch, 0x2588);
    assert_int_equal(viz_grid_at(g, 6, 1)->ch, 0x2588);
    assert_int_equal(viz_grid_at(g, 7, 1)->ch, ' ');
    assert_int_equal(viz_grid_at(g, 3, 2)->ch, 0x2588);
    viz_grid_free(g);
    /* values 4 wide ("0.25") in 16 columns: again one cell per unit; 4.5
     * ends in the half block ▌ and 0.25 is two eighths ▎ */
    double w[] = {8, 4.5, 0.25};
    p.bar.values = w;
    g = viz_grid_new(16, 3, mode_uni_mono);
    viz_plot_render(&p, g);
    assert_int_equal(viz_grid_at(g, 7, 1)->ch, 0x258C);
    assert_int_equal(viz_grid_at(g, 3, 2)->ch, 0x258E); /* 2/8 */
    viz_grid_free(g);
}

static void test_bar_shows_the_rest_as_a_count(void **state)
{
    double v[5] = {1, 2, 3, 4, 5};
    struct viz_plot p = {.kind = VIZ_BAR, .bar = {"t", 5, NULL, v}};
    char *text = render(&p, 30, 4, VIZ_MODE_ASCII);
    assert_fits(text, 30, 4);
    assert_non_null(strstr(text, "\n1 |"));
    assert_non_null(strstr(text, "\n... 3 more\n"));
    free(text);
}

/* Column widths 4, 4, 4 with gaps of 2; the number columns right-aligned
 * below the header. */
static void test_table_golden_ascii(void **state)
{
    char *cells[] = {"name", "size", "loss", "rnn", "64",
                     "1.5",  "lstm", "128",  "0.25"};
    struct viz_plot p = {.kind = VIZ_TABLE, .table = {NULL, 3, 3, cells, true}};
    assert_text(&p, 30, 4,
                "name  size  loss\n"
                "----  ----  ----\n"
                "rnn     64   1.5\n"
                "lstm   128  0.25\n");
}

static void test_table_shrinks_the_widest_column_first(void **state)
{
    char *cells[] = {"id", "description", "1", "a long piece of text"};
    struct viz_plot p = {.kind = VIZ_TABLE, .table = {NULL, 2, 2, cells, true}};
    /* natural 2 + 2 + 20 = 24 columns; in 14 the text gets 10 */
    assert_text(&p, 14, 3,
                "id  descripti~\n"
                "--  ----------\n"
                " 1  a long pi~\n");
}

static void test_table_counts_rows_that_do_not_fit(void **state)
{
    char *cells[] = {"n", "1", "2", "3", "4", "5"};
    struct viz_plot p = {.kind = VIZ_TABLE,
                         .table = {"nums", 6, 1, cells, true}};
    assert_text(&p, 20, 5,
                "nums\n"
                "n\n"
                "-\n"
                "1\n"
                "... 4 more rows\n");
}

/* ---- all plots
 * --------------------------------------------------------------------- */

static void test_plot_kind_names_titles_and_natural_sizes(void **state)
{
    assert_string_equal(viz_kind_name(VIZ_HEATMAP), "heatmap");
    assert_string_equal(viz_kind_name(VIZ_TABLE), "table");
    char *cells[] = {"a", "bb"};
    struct viz_plot t = {.kind = VIZ_TABLE, .table = {"T", 1, 2, cells, true}};
    assert_string_equal(viz_plot_title(&t), "T");
    int w, h;
    viz_plot_natural_size(&t, 80, &w, &h);
    assert_int_equal(w, 5);
    assert_int_equal(h, 3);
    double v[4] = {0};
    struct viz_plot hm = {.kind = VIZ_HEATMAP,
                          .heatmap = {.rows = 2, .cols = 2, .values = v}};
    assert_null(viz_plot_title(&hm));
    viz_plot_natural_size(&hm, 80, &w, &h);
    assert_int_equal(h, 3); /* two rows and the colour bar */
    struct viz_plot *owned = viz_plot_new(VIZ_LINE);
    assert_non_null(owned);
    owned->line.title = strdup("x");
    viz_plot_free(owned);
}

/* Every kind at every size from 1x1 to 26x9 in three modes: the text has
 * exactly h lines of at most w columns (and, under ASan, nothing is written
 * outside the grid). */
static void test_every_plot_fits_every_small_size(void **state)
{
    double y1[] = {1, 4, NAN, 2, 8, 0.5}, y2[] = {-3, 2, 1e6, 0, 0, 1};
    struct viz_series se[2] = {{"train", NULL, y1, 6}, {"val", NULL, y2, 6}};
    double m[] = {0, 1, 2, 3, 4, 5, NAN, 7, 8};
    char *xl[] = {"a", "\xe6\x97\xa5\xe6\x9c\xac", "longer label"};
    char *yl[] = {"row one", "two", "\xc3\xa9t\xc3\xa9"};
    double e[] = {0, 1, 2, 3}, c[] = {5, 0, 2};
    char *bl[] = {"x", NULL, "a rather long label"};
    double bv[] = {-2.5, 0, 1e9};
    char *tc[] = {"h1", "h2", "\xe6\x97\xa5", "1.5", "x", ""};
    struct viz_plot plots[] = {
        {.kind = VIZ_LINE, .line = {"title", "x", "y", false, 2, se}},
        {.kind = VIZ_LINE, .line = {"log", NULL, NULL, true, 2, se}},
        {.kind = VIZ_HEATMAP,
         .heatmap = {"attn", 3, 3, m, xl, yl, false, 0, 0, VIZ_PAL_DIVERGING,
                     VIZ_CELLS_AUTO}},
        {.kind = VIZ_HEATMAP,
         .heatmap = {NULL, 3, 3, m, NULL, yl, true, 0, 1, VIZ_PAL_GREY,
                     VIZ_CELLS_HALF}},
        {.kind = VIZ_HIST, .hist = {"hist", 3, e, c, 2}},
        {.kind = VIZ_BAR, .bar = {"bars", 3, bl, bv}},
        {.kind = VIZ_TABLE, .table = {"table", 3, 2, tc, true}},
    };
    struct viz_mode modes[] = {VIZ_MODE_ASCII, VIZ_MODE_ANSI, mode_16};
    for (size_t k = 0; k < sizeof plots / sizeof *plots; k++) {
        for (int md = 0; md < 3; md++) {
            for (int w = 1; w <= 26; w++) {
                for (int h = 1; h <= 9; h++) {
                    char *text = render(&plots[k], w, h, modes[md]);
                    assert_fits(text, w, h);
                    if (modes[md].colours == VIZ_MONO)
                        assert_null(strchr(text, '\x1b'));
                    free(text);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_decode_reads_one_to_four_byte_sequences),
        cmocka_unit_test(test_utf8_decode_replaces_invalid_bytes_one_at_a_time),
        cmocka_unit_test(test_utf8_encode_round_trips_through_decode),
        cmocka_unit_test(test_char_width_knows_wide_and_combining_characters),
        cmocka_unit_test(test_str_width_depends_on_the_charset),
        cmocka_unit_test(test_grid_new_rejects_sizes_out_of_range),
        cmocka_unit_test(test_put_str_gives_a_wide_glyph_two_cells),
        cmocka_unit_test(test_put_str_cuts_long_text_with_an_ellipsis),
        cmocka_unit_test(test_ascii_grid_strips_accents_and_shows_newlines),
        cmocka_unit_test(test_writes_outside_the_grid_are_ignored),
        cmocka_unit_test(test_overwriting_half_a_wide_glyph_blanks_the_rest),
        cmocka_unit_test(
            test_plain_text_trims_trailing_blanks_and_has_no_escapes),
        cmocka_unit_test(test_ansi_256_writes_38_5_and_48_5_and_resets),
        cmocka_unit_test(test_ansi_keeps_coloured_trailing_spaces),
        cmocka_unit_test(test_ansi_16_uses_30_to_37_and_90_to_97),
        cmocka_unit_test(test_colour_reduce_finds_the_nearest_system_colour),
        cmocka_unit_test(test_mode_follows_tty_no_color_and_term),
        cmocka_unit_test(test_output_override_wins_over_detection),
        cmocka_unit_test(test_nice_ticks_for_known_ranges),
        cmocka_unit_test(test_nice_ticks_widen_a_constant_range),
        cmocka_unit_test(test_nice_ticks_are_multiples_of_1_2_5_steps),
        cmocka_unit_test(test_nice_ticks_inside_stay_within_the_range),
        cmocka_unit_test(test_tick_labels_use_the_decimals_of_the_step),
        cmocka_unit_test(test_number_labels_are_compact),
        cmocka_unit_test(test_line_golden_ascii),
        cmocka_unit_test(test_line_legend_and_title_and_labels),
        cmocka_unit_test(test_line_braille_dots_follow_the_drawille_bits),
        cmocka_unit_test(test_line_logy_labels_decades_and_skips_non_positive),
        cmocka_unit_test(test_line_skips_nan_and_inf_as_gaps),
        cmocka_unit_test(test_line_constant_series_is_a_flat_line_mid_axis),
        cmocka_unit_test(test_line_single_point_and_no_data),
        cmocka_unit_test(test_sequential_ramps_rise_in_luminance),
        cmocka_unit_test(test_diverging_ramp_is_lightest_in_the_middle),
        cmocka_unit_test(test_heatmap_half_block_is_top_fg_over_bottom_bg),
        cmocka_unit_test(test_heatmap_golden_ascii),
        cmocka_unit_test(test_heatmap_cell_at_reads_back_rows_and_columns),
        cmocka_unit_test(test_heatmap_cell_pos_inverts_cell_at_in_half_blocks),
        cmocka_unit_test(test_heatmap_shrinks_a_large_matrix_to_fit),
        cmocka_unit_test(test_heatmap_fixed_scale_clamps_and_says_so),
        cmocka_unit_test(test_heatmap_lists_column_labels_that_do_not_fit),
        cmocka_unit_test(test_hist_fill_counts_bins_and_skips_non_finite),
        cmocka_unit_test(test_hist_golden_ascii),
        cmocka_unit_test(test_hist_merges_neighbour_bins_when_rows_are_few),
        cmocka_unit_test(test_bar_golden_ascii_with_a_negative_value),
        cmocka_unit_test(test_bar_uses_eighth_blocks_in_unicode),
        cmocka_unit_test(test_bar_shows_the_rest_as_a_count),
        cmocka_unit_test(test_table_golden_ascii),
        cmocka_unit_test(test_table_shrinks_the_widest_column_first),
        cmocka_unit_test(test_table_counts_rows_that_do_not_fit),
        cmocka_unit_test(test_plot_kind_names_titles_and_natural_sizes),
        cmocka_unit_test(test_every_plot_fits_every_small_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
