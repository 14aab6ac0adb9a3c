/* test_markdown.c — the page renderer (app/course/markdown.c): plain text
 * of small pages compared with expected text written out by hand, wrapping
 * at several widths, wide and Greek characters, the ASCII fallback, tables
 * at narrow widths, link and code-block extraction, list nesting, malformed
 * input, and a bounded deterministic fuzz checking the layout's invariants
 * (run under ASan by `make asan`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "course/markdown.h"

/* ---- helpers ------------------------------------------------------------- */

/* Everything written to f since it was opened, NUL-terminated. */
static char *slurp_stream(FILE *f)
{
    long n = ftell(f);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    return s;
}

/* The layout as plain text (md_layout + md_doc_write_plain). */
static char *layout_text(const char *src, int width, unsigned flags)
{
    struct md_doc doc;
    assert_int_equal(md_layout(&doc, src, strlen(src), width, flags), 0);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(md_doc_write_plain(f, &doc), 0);
    char *s = slurp_stream(f);
    fclose(f);
    md_doc_free(&doc);
    return s;
}

static void expect_layout(const char *src, int width, unsigned flags,
                          const char *want)
{
    char *got = layout_text(src, width, flags);
    if (strcmp(got, want) != 0)
        print_error("width %d, flags %u\n--- want\n%s--- got\n%s---\n", width,
                    flags, want, got);
    assert_string_equal(got, want);
    free(got);
}

static char *render(const char *src, size_t len, int width, bool ascii,
                    bool ansi)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int rc = ansi ? md_render_ansi(f, src, len, width, ascii)
                  : md_render_plain(f, src, len, width, ascii);
    assert_int_equal(rc, 0);
    char *s = slurp_stream(f);
    fclose(f);
    return s;
}

/* Columns of a UTF-8 string as the tests count them: 2 for the CJK ideographs
 * used here, 1 for anything else that starts a character. */
static int cols(const char *s, int len)
{
    int w = 0;
    for (int i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;
        w += c == 0xE4 || c == 0xE5 || c == 0xE6 || c == 0xE7 || c == 0xE8 ||
                     c == 0xE9
                 ? 2
                 : 1;
    }
    return w;
}

/* The invariants every layout keeps, whatever the input: runs follow each
 * other without gaps, blank lines are empty, no control bytes reach the
 * text, links and code blocks point at lines that show them, and ASCII
 * layouts are 7-bit. */
static void check_doc(const struct md_doc *d, bool ascii)
{
    for (int i = 0; i < d->nlines; i++) {
        const struct md_line *l = &d->lines[i];
        assert_true(l->nruns >= 0);
        if (l->nruns == 0) {
            assert_int_equal(l->indent, 0);
            assert_int_equal(l->width, 0);
            continue;
        }
        int col = l->indent;
        for (int k = 0; k < l->nruns; k++) {
            const struct md_run *r = &l->runs[k];
            assert_int_equal(r->col, col);
            assert_true(r->len > 0);
            assert_true(r->width >= 0);
            assert_true(r->link >= -1 && r->link < d->nlinks);
            for (int j = 0; j < r->len; j++) {
                unsigned char c = (unsigned char)r->text[j];
                assert_true(c >= 0x20 && c != 0x7F);
                if (ascii)
                    assert_true(c < 0x80);
            }
            col += r->width;
        }
        assert_int_equal(l->width, col);
        assert_true(l->code >= -1 && l->code < d->ncodes);
    }
    for (int i = 0; i < d->nlinks; i++) {
        const struct md_link *k = &d->links[i];
        assert_true(k->line >= 0 && k->line < d->nlines);
        bool found = false;
        const struct md_line *l = &d->lines[k->line];
        for (int j = 0; j < l->nruns; j++)
            if (l->runs[j].link == i && l->runs[j].col == k->col)
                found = true;
        assert_true(found);
        assert_non_null(k->target);
        assert_non_null(k->text);
    }
    for (int i = 0; i < d->ncodes; i++) {
        const struct md_code *c = &d->codes[i];
        assert_non_null(c->lang);
        assert_non_null(c->text);
        assert_true(c->first_line >= 0 && c->nlines >= 0);
        assert_true(c->first_line + c->nlines <= d->nlines);
        for (int k = 0; k < c->nlines; k++)
            assert_int_equal(d->lines[c->first_line + k].code, i);
    }
}

/* ---- paragraphs and wrapping --------------------------------------------- */

static const char *fox = "The quick brown fox jumps over the lazy dog and "
                         "keeps running far away.\n";

static void test_paragraph_wraps_at_forty_columns(void **state)
{
    expect_layout(fox, 40, 0,
                  "The quick brown fox jumps over the lazy\n"
                  "dog and keeps running far away.\n");
}

static void test_paragraph_wraps_at_twenty_and_ten_columns(void **state)
{
    expect_layout(fox, 20, 0,
                  "The quick brown fox\n"
                  "jumps over the lazy\n"
                  "dog and keeps\n"
                  "running far away.\n");
    expect_layout(fox, 10, 0,
                  "The quick\n"
                  "brown fox\n"
                  "jumps over\n"
                  "the lazy\n"
                  "dog and\n"
                  "keeps\n"
                  "running\n"
                  "far away.\n");
}

static void test_wrapped_lines_never_exceed_the_width(void **state)
{
    for (int w = 9; w <= 70; w++) {
        struct md_doc d;
        assert_int_equal(md_layout(&d, fox, strlen(fox), w, 0), 0);
        check_doc(&d, false);
        for (int i = 0; i < d.nlines; i++)
            assert_true(d.lines[i].width <= w);
        md_doc_free(&d);
    }
}

static void test_source_line_breaks_join_and_spaces_collapse(void **state)
{
    expect_layout("one   two\nthree\t four\n", 80, 0, "one two three four\n");
}

static void test_word_wider_than_the_line_is_cut(void **state)
{
    expect_layout("abc supercalifragilistic xy\n", 8, 0,
                  "abc\nsupercal\nifragili\nstic xy\n");
    expect_layout("abc\n", 1, 0, "a\nb\nc\n");
}

static void test_blank_line_between_blocks_but_not_list_items(void **state)
{
    expect_layout("one\n\n\n\ntwo\n\n- a\n- b\n\nthree\n", 80, 0,
                  "one\n\ntwo\n\n\u2022 a\n\u2022 b\n\nthree\n");
}

static void test_crlf_line_endings_are_read_like_lf(void **state)
{
    expect_layout("# T\r\n\r\nx\r\ny\r\n", 80, 0, "T\n\u2550\n\nx y\n");
}

/* ---- headings and rules -------------------------------------------------- */

static void test_headings_are_underlined_by_level(void **state)
{
    const char *src = "# Title\n\n## Sub section\n\n### Third\n\nText.\n";
    expect_layout(src, 80, 0,
                  "Title\n\u2550\u2550\u2550\u2550\u2550\n\n"
                  "Sub section\n"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
                  "\u2500\u2500\n\n"
                  "Third\n\u2504\u2504\u2504\u2504\u2504\n\nText.\n");
    expect_layout(src, 80, MD_ASCII,
                  "Title\n=====\n\nSub section\n-----------\n\n"
                  "Third\n~~~~~\n\nText.\n");
    expect_layout(src, 80, MD_NO_UNDERLINE | MD_ASCII,
                  "Title\n\nSub section\n\nThird\n\nText.\n");
}

static void test_heading_markers_closing_hashes_and_deep_levels(void **state)
{
    expect_layout("## Closed ##\n#### Deep\n#NoSpace\n", 80, MD_ASCII,
                  "Closed\n------\n\nDeep\n~~~~\n\n#NoSpace\n");
}

static void test_horizontal_rule_spans_the_width(void **state)
{
    expect_layout("above\n\n---\n\nbelow\n", 10, MD_ASCII,
                  "above\n\n----------\n\nbelow\n");
    expect_layout("* * *\n", 4, 0, "\u2500\u2500\u2500\u2500\n");
}

/* ---- lists --------------------------------------------------------------- */

static void test_bullet_items_hang_under_their_text(void **state)
{
    const char *src = "- first item that is long enough to wrap\n- second\n";
    expect_layout(src, 20, 0,
                  "\u2022 first item that is\n  long enough to\n  wrap\n"
                  "\u2022 second\n");
    expect_layout(src, 20, MD_ASCII,
                  "- first item that is\n  long enough to\n  wrap\n"
                  "- second\n");
}

static void test_numbered_items_are_renumbered_and_hang(void **state)
{
    expect_layout("1. one\n1. two\n1. three\n", 80, 0,
                  "1. one\n2. two\n3. three\n");
    expect_layout("3. a\n4. b\n", 80, 0, "3. a\n4. b\n");
    expect_layout("1. alpha beta gamma delta\n", 14, 0,
                  "1. alpha beta\n   gamma delta\n");
}

static void test_nested_lists_indent_by_level(void **state)
{
    const char *src = "- a\n  - b\n    - c\n  - d\n- e\n";
    expect_layout(src, 80, 0,
                  "\u2022 a\n  \u25e6 b\n    \u25aa c\n  \u25e6 d\n\u2022 e\n");
    expect_layout(src, 80, MD_ASCII, "- a\n  - b\n    - c\n  - d\n- e\n");
    expect_layout("- fruits\n  1. apple\n  2. pear\n- veg\n", 80, MD_ASCII,
                  "- fruits\n  1. apple\n  2. pear\n- veg\n");
}

static void test_nested_item_wraps_under_its_own_text(void **state)
{
    expect_layout("- top\n  - nested words that wrap here\n", 16, MD_ASCII,
                  "- top\n  - nested words\n    that wrap\n    here\n");
}

static void test_list_item_paragraphs_and_lazy_lines(void **state)
{
    expect_layout("- item one\n\n  more about one\n\n- item two\n", 80, 0,
                  "\u2022 item one\n\n  more about one\n\n\u2022 item two\n");
    expect_layout("- item\ncontinued here\n", 80, 0,
                  "\u2022 item continued here\n");
    expect_layout("- a\n\nText\n", 80, 0, "\u2022 a\n\nText\n");
}

static void test_ordered_list_only_interrupts_a_paragraph_at_one(void **state)
{
    expect_layout("In\n2019. was a year\n", 80, 0, "In 2019. was a year\n");
    expect_layout("In\n1. first\n", 80, 0, "In\n\n1. first\n");
}

static void test_deep_nesting_is_capped_not_crashed(void **state)
{
    char src[1024] = "";
    for (int i = 0; i < 12; i++) {
        char line[64];
        snprintf(line, sizeof line, "%*s- level %d\n", 2 * i, "", i);
        strcat(src, line);
    }
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, strlen(src), 80, MD_ASCII), 0);
    check_doc(&d, true);
    assert_int_equal(d.nlines, 12);
    for (int i = 0; i < 12; i++)
        assert_int_equal(d.lines[i].indent, 2 * (i < 8 ? i : 7));
    md_doc_free(&d);
}

/* ---- code blocks --------------------------------------------------------- */

static void test_code_block_is_indented_and_never_wrapped(void **state)
{
    const char *src = "Intro:\n\n```lua\nlocal x = 1\n\tif x then "
                      "print(\"a line longer than the width\") end\n```\n";
    expect_layout(src, 20, 0,
                  "Intro:\n\n  local x = 1\n      if x then "
                  "print(\"a line longer than the width\") end\n");
}

static void test_code_block_keeps_its_source_and_language(void **state)
{
    const char *src = "Intro:\n\n```lua\nlocal x = 1\n\tif x then "
                      "print(\"a line longer than the width\") end\n```\n"
                      "\n~~~\nplain\n~~~\n";
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, strlen(src), 20, 0), 0);
    check_doc(&d, false);
    assert_int_equal(d.ncodes, 2);
    assert_string_equal(d.codes[0].lang, "lua");
    assert_string_equal(d.codes[0].text, "local x = 1\n\tif x then "
                                         "print(\"a line longer than the "
                                         "width\") end");
    assert_int_equal(d.codes[0].first_line, 2);
    assert_int_equal(d.codes[0].nlines, 2);
    assert_int_equal(d.lines[0].code, -1);
    assert_int_equal(d.lines[2].code, 0);
    assert_int_equal(d.lines[3].code, 0);
    assert_int_equal(d.lines[2].runs[0].style, MD_CODEBLOCK);
    assert_string_equal(d.codes[1].lang, "");
    assert_string_equal(d.codes[1].text, "plain");
    assert_int_equal(d.codes[1].first_line, 5);
    md_doc_free(&d);
}

static void test_code_block_in_a_list_item_follows_its_text(void **state)
{
    expect_layout("- step one:\n\n  ```\n  run()\n    nested()\n  ```\n"
                  "- step two\n",
                  80, 0,
                  "\u2022 step one:\n\n    run()\n      nested()\n\n"
                  "\u2022 step two\n");
}

static void test_unclosed_fence_runs_to_the_end(void **state)
{
    const char *src = "```\ncode *not* emphasis\n\n# not a heading\n";
    expect_layout(src, 80, 0, "  code *not* emphasis\n\n  # not a heading\n");
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, strlen(src), 80, 0), 0);
    assert_int_equal(d.ncodes, 1);
    assert_int_equal(d.codes[0].nlines, 3);
    assert_string_equal(d.codes[0].text,
                        "code *not* emphasis\n\n# not a heading");
    md_doc_free(&d);
}

/* ---- inline markup ------------------------------------------------------- */

static void test_inline_styles_become_runs(void **state)
{
    const char *src = "Some **bold**, *it* and `code` here.";
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, strlen(src), 80, 0), 0);
    check_doc(&d, false);
    assert_int_equal(d.nlines, 1);
    const struct md_line *l = &d.lines[0];
    static const struct {
        const char *text;
        int col;
        unsigned style;
    } want[] = {{"Some ", 0, MD_PLAIN},  {"bold", 5, MD_BOLD},
                {", ", 9, MD_PLAIN},     {"it", 11, MD_ITALIC},
                {" and ", 13, MD_PLAIN}, {"code", 18, MD_CODE},
                {" here.", 22, MD_PLAIN}};
    assert_int_equal(l->nruns, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(l->runs[i].len, (int)strlen(want[i].text));
        assert_memory_equal(l->runs[i].text, want[i].text,
                            strlen(want[i].text));
        assert_int_equal(l->runs[i].col, want[i].col);
        assert_int_equal(l->runs[i].style, want[i].style);
        assert_int_equal(l->runs[i].link, -1);
    }
    md_doc_free(&d);
}

static void test_triple_stars_are_bold_and_italic(void **state)
{
    struct md_doc d;
    assert_int_equal(md_layout(&d, "***both***", 10, 80, 0), 0);
    assert_int_equal(d.nlines, 1);
    assert_int_equal(d.lines[0].nruns, 1);
    assert_int_equal(d.lines[0].runs[0].style, MD_BOLD | MD_ITALIC);
    assert_int_equal(d.lines[0].runs[0].len, 4);
    md_doc_free(&d);
}

static void test_stars_without_a_partner_stay_text(void **state)
{
    expect_layout("**a and b* c\n", 80, 0, "*a and b c\n");
    expect_layout("a * b\n", 80, 0, "a * b\n");
    expect_layout("**never closed\n", 80, 0, "**never closed\n");
    expect_layout("x *\n", 80, 0, "x *\n");
    /* alone on its line a star is an empty list item */
    expect_layout("*\n", 80, MD_ASCII, "-\n");
    /* emphasis does not reach into or out of a link */
    expect_layout("[a *b](u) c*\n", 80, 0, "a *b [u] c*\n");
}

static void test_code_spans_protect_markup(void **state)
{
    expect_layout("`**x**` and ``a ` b``\n", 80, 0, "**x** and a ` b\n");
    expect_layout("a `b c\n", 80, 0, "a `b c\n");
    expect_layout("`` `x` ``\n", 80, 0, "`x`\n");
}

static void test_backslash_escapes_make_markup_literal(void **state)
{
    expect_layout("\\*not\\* \\[x\\](y) \\\\ \\a\n", 80, 0,
                  "*not* [x](y) \\ \\a\n");
}

/* ---- links --------------------------------------------------------------- */

static void test_link_shows_its_target_unless_the_text_says_it(void **state)
{
    expect_layout("See [the RNN cell](w1.rnn_cell_forward), [w1.x](w1.x) or "
                  "[docs](https://example.com/a).\n",
                  200, 0,
                  "See the RNN cell [w1.rnn_cell_forward], w1.x or docs "
                  "[https://example.com/a].\n");
}

static void test_links_are_extracted_with_positions(void **state)
{
    const char *src = "# Head\n\nGo to [next page](w1.next) now, or read "
                      "[the guide](guide.md).\n";
    expect_layout(src, 30, 0,
                  "Head\n\u2550\u2550\u2550\u2550\n\n"
                  "Go to next page [w1.next] now,\n"
                  "or read the guide [guide.md].\n");
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, strlen(src), 30, 0), 0);
    check_doc(&d, false);
    assert_int_equal(d.nlinks, 2);
    assert_string_equal(d.links[0].target, "w1.next");
    assert_string_equal(d.links[0].text, "next page");
    assert_int_equal(d.links[0].line, 3);
    assert_int_equal(d.links[0].col, 6);
    assert_true(d.links[0].is_item);
    assert_string_equal(d.links[1].target, "guide.md");
    assert_string_equal(d.links[1].text, "the guide");
    assert_int_equal(d.links[1].line, 4);
    assert_int_equal(d.links[1].col, 8);
    assert_false(d.links[1].is_item);
    /* the link's text runs carry MD_LINK and its index */
    const struct md_run *r = &d.lines[3].runs[1];
    assert_int_equal(r->col, 6);
    assert_int_equal(r->link, 0);
    assert_true(r->style & MD_LINK);
    md_doc_free(&d);
}

static void test_tui_layout_hides_only_item_targets(void **state)
{
    expect_layout("Go to [next page](w1.next) or [the guide](guide.md).\n", 80,
                  MD_HIDE_ITEM_TARGETS,
                  "Go to next page or the guide [guide.md].\n");
}

static void test_link_text_keeps_markup_styles(void **state)
{
    const char *src = "**[bold link](x.y)** and [*it* `c`](u)";
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, strlen(src), 80, MD_HIDE_ITEM_TARGETS),
                     0);
    check_doc(&d, false);
    assert_int_equal(d.nlinks, 2);
    assert_string_equal(d.links[0].text, "bold link");
    assert_string_equal(d.links[1].text, "it c");
    const struct md_line *l = &d.lines[0];
    assert_int_equal(l->runs[0].style, MD_BOLD | MD_LINK);
    assert_int_equal(l->runs[0].len, 9);
    bool italic_link = false, code_link = false;
    for (int i = 0; i < l->nruns; i++) {
        if (l->runs[i].style == (MD_ITALIC | MD_LINK) && l->runs[i].link == 1)
            italic_link = true;
        if (l->runs[i].style == (MD_CODE | MD_LINK) && l->runs[i].link == 1)
            code_link = true;
    }
    assert_true(italic_link);
    assert_true(code_link);
    md_doc_free(&d);
}

static void test_brackets_that_are_not_links_stay_text(void **state)
{
    expect_layout("[a [b](x) c](y) and [not a link] and [x](y z)\n", 80, 0,
                  "[a b [x] c](y) and [not a link] and [x](y z)\n");
}

static void test_item_targets_are_recognised(void **state)
{
    static const char *const yes[] = {"w1.rnn_cell_forward", "w2.why-sequences",
                                      "lesson:w1.2", "exercise:w1.e3"};
    static const char *const no[] = {
        "guide.md", "https://example.com", "w1", ".x",      "x.",     "a.b.c",
        "w1.x y",   "GRADING.MD",          "",   "lesson:", "../w1.x"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(md_target_is_item(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(md_target_is_item(no[i], strlen(no[i])));
}

/* ---- tables -------------------------------------------------------------- */

static const char *aligned_table = "| name | value | note |\n"
                                   "| :--- | ----: | :--: |\n"
                                   "| a | 1 | x |\n"
                                   "| bbb | 22 | yy |\n";

static void test_table_draws_boxes_and_aligns_columns(void **state)
{
    expect_layout(aligned_table, 80, 0,
                  "\u250c\u2500\u2500\u2500\u2500\u2500\u2500\u252c\u2500"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u252c\u2500\u2500"
                  "\u2500\u2500\u2500\u2500\u2510\n"
                  "\u2502 name \u2502 value \u2502 note \u2502\n"
                  "\u251c\u2500\u2500\u2500\u2500\u2500\u2500\u253c\u2500"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u253c\u2500\u2500"
                  "\u2500\u2500\u2500\u2500\u2524\n"
                  "\u2502 a    \u2502     1 \u2502  x   \u2502\n"
                  "\u2502 bbb  \u2502    22 \u2502  yy  \u2502\n"
                  "\u2514\u2500\u2500\u2500\u2500\u2500\u2500\u2534\u2500"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2534\u2500\u2500"
                  "\u2500\u2500\u2500\u2500\u2518\n");
}

static void test_table_in_ascii_uses_plus_minus_bar(void **state)
{
    expect_layout(aligned_table, 80, MD_ASCII,
                  "+------+-------+------+\n"
                  "| name | value | note |\n"
                  "+------+-------+------+\n"
                  "| a    |     1 |  x   |\n"
                  "| bbb  |    22 |  yy  |\n"
                  "+------+-------+------+\n");
}

static const char *wide_table =
    "| key | description |\n"
    "| --- | --- |\n"
    "| alpha | the first letter of the Greek alphabet |\n";

static void test_table_cells_are_cut_to_fit_narrow_widths(void **state)
{
    expect_layout(wide_table, 30, 0,
                  "\u250c\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u252c"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
                  "\u2500\u2500\u2510\n"
                  "\u2502 key   \u2502 description        \u2502\n"
                  "\u251c\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u253c"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
                  "\u2500\u2500\u2524\n"
                  "\u2502 alpha \u2502 the first letter\u2026  \u2502\n"
                  "\u2514\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2534"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
                  "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
                  "\u2500\u2500\u2518\n");
    expect_layout(wide_table, 24, MD_ASCII,
                  "+-------+--------------+\n"
                  "| key   | description  |\n"
                  "+-------+--------------+\n"
                  "| alpha | the first l~ |\n"
                  "+-------+--------------+\n");
}

static void test_table_at_tiny_widths_still_draws(void **state)
{
    for (int w = -3; w <= 8; w++) {
        struct md_doc d;
        assert_int_equal(md_layout(&d, wide_table, strlen(wide_table), w, 0),
                         0);
        check_doc(&d, false);
        assert_int_equal(d.nlines, 5);
        md_doc_free(&d);
    }
    expect_layout(wide_table, 2, MD_ASCII,
                  "+---+---+\n| ~ | ~ |\n+---+---+\n| ~ | ~ |\n+---+---+\n");
}

static void test_table_rows_may_be_ragged(void **state)
{
    expect_layout("| a | b |\n|---|---|\n| 1 |\n| 2 | 3 | 4 |\n", 80, MD_ASCII,
                  "+---+---+\n| a | b |\n+---+---+\n| 1 |   |\n"
                  "| 2 | 3 |\n+---+---+\n");
}

static void test_table_pipes_in_code_spans_and_escapes(void **state)
{
    expect_layout("| f | checks |\n|---|---|\n| `a|b` | x \\| y |\n", 80,
                  MD_ASCII,
                  "+-----+--------+\n| f   | checks |\n+-----+--------+\n"
                  "| a|b | x | y  |\n+-----+--------+\n");
}

static void test_pipe_without_delimiter_row_is_text(void **state)
{
    expect_layout("a | b\nc | d\n", 80, 0, "a | b c | d\n");
}

/* ---- widths and the ASCII fallback --------------------------------------- */

static void test_cjk_characters_take_two_columns(void **state)
{
    expect_layout("\u4e2d\u6587\u5b57\u7b26\u6e2c\u8a66\u5f88\u597d\n", 10, 0,
                  "\u4e2d\u6587\u5b57\u7b26\u6e2c\n\u8a66\u5f88\u597d\n");
    const char *mixed = "abc \u4e2d\u6587 def\n";
    expect_layout(mixed, 7, 0, "abc \u4e2d\n\u6587 def\n");
    struct md_doc d;
    assert_int_equal(md_layout(&d, mixed, strlen(mixed), 7, 0), 0);
    check_doc(&d, false);
    assert_int_equal(d.lines[0].width, 6);
    assert_int_equal(d.lines[1].width, 6);
    for (int i = 0; i < d.nlines; i++) {
        const struct md_line *l = &d.lines[i];
        int w = l->indent;
        for (int k = 0; k < l->nruns; k++)
            w += cols(l->runs[k].text, l->runs[k].len);
        assert_int_equal(w, l->width);
    }
    md_doc_free(&d);
}

static void test_greek_and_maths_take_one_column(void **state)
{
    expect_layout(
        "\u03b1\u27e8t\u27e9 \u03b2\u27e8t\u27e9 \u03b3\u27e8t\u27e9\n", 9, 0,
        "\u03b1\u27e8t\u27e9 \u03b2\u27e8t\u27e9\n\u03b3\u27e8t\u27e9\n");
}

static void test_ascii_fallback_for_course_maths(void **state)
{
    expect_layout("a\u27e8t\u27e9 = tanh(W\u2090\u2090 a\u27e8t\u2212"
                  "1\u27e9 + W\u2090\u2093 x\u27e8t\u27e9 + b\u2090)\n",
                  80, MD_ASCII, "a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a)\n");
    expect_layout("\u03c3(z) \u2299 \u0177 \u00b7 x \u00d7 2 \u2264 3 \u2265 "
                  "1 \u2260 0 \u2248 \u2211 \u221a \u2016v\u2016 \u2202L "
                  "\u2192 \u201cq\u201d \u2018s\u2019 \u2014 \u2026 \u2022 "
                  "\u03b1\n",
                  200, MD_ASCII,
                  "sigma(z) (.) y^ * x x 2 <= 3 >= 1 != 0 ~= sum sqrt ||v|| "
                  "dL -> \"q\" 's' -- ... * alpha\n");
    expect_layout("x\u00b2 + 10\u207b\u00b3 + W\u1d40 + \u03a3\u1d62\n", 80,
                  MD_ASCII, "x^2 + 10^-3 + W^T + sum_i\n");
}

static void test_ascii_fallback_of_single_code_points(void **state)
{
    static const struct {
        uint32_t cp;
        const char *want;
    } cases[] = {
        {'a', "a"},        {0x1B, "?"},       {0x27E8, "<"},
        {0x27E9, ">"},     {0x2081, "_1"},    {0x00B2, "^2"},
        {0x1D40, "^T"},    {0x2099, "_n"},    {0x03B1, "alpha"},
        {0x03C3, "sigma"}, {0x03C2, "sigma"}, {0x0394, "Delta"},
        {0x2299, "(.)"},   {0x00B7, "*"},     {0x00D7, "x"},
        {0x2212, "-"},     {0x2192, "->"},    {0x2264, "<="},
        {0x2265, ">="},    {0x2260, "!="},    {0x2248, "~="},
        {0x2211, "sum"},   {0x221A, "sqrt"},  {0x2016, "||"},
        {0x2202, "d"},     {0x0177, "y^"},    {0x201C, "\""},
        {0x201D, "\""},    {0x2018, "'"},     {0x2019, "'"},
        {0x2014, "--"},    {0x2026, "..."},   {0x2022, "*"},
        {0x00E9, "e"},     {0x4E2D, "?"},     {0x1F600, "?"},
        {0x0416, "?"},     {0x2502, "|"},     {0x2500, "-"},
        {0x253C, "+"},     {0x200B, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[16];
        int n = md_ascii_for(cases[i].cp, out);
        if (strcmp(out, cases[i].want) != 0)
            print_error("U+%04X: want \"%s\", got \"%s\"\n",
                        (unsigned)cases[i].cp, cases[i].want, out);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(n, (int)strlen(cases[i].want));
    }
}

static void test_unknown_characters_become_question_marks(void **state)
{
    expect_layout("\u4e2d \xf0\x9f\x98\x80 \u00e9 \u00f1 \u0416\n", 80,
                  MD_ASCII, "? ? e n ?\n");
}

static void test_control_bytes_and_bad_utf8_are_replaced(void **state)
{
    const char src[] = "a\x1b[31mb\x07"
                       "c x\xffy z\0w";
    char *got = render(src, sizeof src - 1, 80, false, false);
    assert_string_equal(got, "a?[31mb?c x\xef\xbf\xbdy z?w\n");
    free(got);
    got = render(src, sizeof src - 1, 80, true, false);
    assert_string_equal(got, "a?[31mb?c x?y z?w\n");
    free(got);
}

/* ---- writers and the API ------------------------------------------------- */

static void test_ansi_output_wraps_styled_runs_in_sgr(void **state)
{
    char *got = render("a **b** c", 9, 80, false, true);
    assert_string_equal(got, "a \033[1mb\033[0m c\n");
    free(got);
    got = render("# H", 3, 80, false, true);
    assert_string_equal(got, "\033[1;35mH\033[0m\n\033[35m\u2550\033[0m\n");
    free(got);
    got = render("[x](y) `c`", 10, 80, true, true);
    assert_string_equal(got, "\033[4;34mx\033[0m\033[2m [y]\033[0m "
                             "\033[33mc\033[0m\n");
    free(got);
}

static void test_render_plain_matches_the_doc_writer(void **state)
{
    const char *src = "# T\n\n- a [b](w1.c)\n\n| x |\n|---|\n| 1 |\n";
    char *a = render(src, strlen(src), 30, false, false);
    char *b = layout_text(src, 30, 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_empty_and_null_sources_give_no_lines(void **state)
{
    struct md_doc d;
    assert_int_equal(md_layout(&d, "", 0, 80, 0), 0);
    assert_int_equal(d.nlines, 0);
    md_doc_free(&d);
    assert_int_equal(md_layout(&d, NULL, 5, 80, 0), 0);
    assert_int_equal(d.nlines, 0);
    md_doc_free(&d);
    md_doc_free(&d); /* twice is harmless */
    md_doc_free(NULL);
    char *got = render("\n\n   \n", 6, 80, false, false);
    assert_string_equal(got, "");
    free(got);
}

/* ---- robustness ---------------------------------------------------------- */

static const char *sample_page =
    "# The RNN cell\n\n"
    "A cell computes a\u27e8t\u27e9 = tanh(W\u2090\u2090 a\u27e8t\u22121\u27e9 "
    "+ \u2026) from **the previous state** and *the input*; see "
    "[the exercise](w1.rnn_cell_forward).\n\n"
    "- shapes: `(n_a, m)`\n  - nested \u4e2d\u6587 item with words\n"
    "1. numbered\n\n"
    "```lua\nlocal a_next = seq.tanh(Waa:matmul(a_prev))  -- long code\n```\n\n"
    "| a | b |\n| :-: | --: |\n| \u03b1 | `x|y` |\n\n---\n";

static void test_tiny_and_huge_widths_terminate(void **state)
{
    for (int w = -2; w <= 12; w++) {
        for (unsigned flags = 0; flags < 8; flags++) {
            struct md_doc d;
            assert_int_equal(
                md_layout(&d, sample_page, strlen(sample_page), w, flags), 0);
            check_doc(&d, flags & MD_ASCII);
            md_doc_free(&d);
        }
    }
    struct md_doc d;
    assert_int_equal(
        md_layout(&d, sample_page, strlen(sample_page), 1 << 30, 0), 0);
    check_doc(&d, false);
    md_doc_free(&d);
}

/* xorshift64*: a fixed sequence, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

static void layout_and_check(const char *src, size_t len)
{
    unsigned flags = rnd(8);
    int width = (int)rnd(100) - 2;
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, len, width, flags), 0);
    check_doc(&d, flags & MD_ASCII);
    md_doc_free(&d);
}

static void test_fuzz_random_bytes(void **state)
{
    char buf[512];
    rng_state = 0x9E3779B97F4A7C15ull;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = rnd(sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)rnd(256);
        layout_and_check(buf, len);
    }
}

static void test_fuzz_markdown_token_soup(void **state)
{
    static const char *const tokens[] = {
        "# ",
        "## ",
        "#### ",
        "- ",
        "* ",
        "1. ",
        "12) ",
        "  ",
        "    ",
        "\t",
        "\n",
        "\n\n",
        "\r\n",
        "```",
        "```lua\n",
        "~~~",
        "|",
        "| --- |",
        "|:-:|--:|",
        "---",
        "***",
        "*",
        "**",
        "`",
        "``",
        "[",
        "]",
        "](",
        ")",
        "](w1.x)",
        "(",
        "\\",
        "\\|",
        "word",
        "a b c",
        "\u03b1",
        "\u27e8t\u27e9",
        "\u4e2d\u6587",
        "\u00e9",
        "\xff",
        "\x1b",
        "\xe2\x82",
        "x\u2090",
        "> ",
        "!",
        "\xf0\x9f\x98\x80",
        "\u0302",
        " ",
    };
    char buf[4096];
    rng_state = 0xD1B54A32D192ED03ull;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0, ntok = 1 + rnd(60);
        for (size_t t = 0; t < ntok; t++) {
            const char *tok = tokens[rnd(sizeof tokens / sizeof *tokens)];
            size_t n = strlen(tok);
            if (len + n >= sizeof buf)
                break;
            memcpy(buf + len, tok, n);
            len += n;
        }
        layout_and_check(buf, len);
    }
}

static void test_pathological_markup_stays_fast_and_safe(void **state)
{
    /* many unmatched backtick runs, stars and link openers in one
     * paragraph: each is text, and the layout finishes */
    size_t n = 60000;
    char *src = malloc(n + 1);
    assert_non_null(src);
    static const char unit[] = "`` ` *** [ ](( ";
    for (size_t i = 0; i < n; i++)
        src[i] = unit[i % (sizeof unit - 1)];
    src[n] = '\0';
    struct md_doc d;
    assert_int_equal(md_layout(&d, src, n, 80, 0), 0);
    check_doc(&d, false);
    assert_true(d.nlines > 100);
    md_doc_free(&d);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraph_wraps_at_forty_columns),
        cmocka_unit_test(test_paragraph_wraps_at_twenty_and_ten_columns),
        cmocka_unit_test(test_wrapped_lines_never_exceed_the_width),
        cmocka_unit_test(test_source_line_breaks_join_and_spaces_collapse),
        cmocka_unit_test(test_word_wider_than_the_line_is_cut),
        cmocka_unit_test(test_blank_line_between_blocks_but_not_list_items),
        cmocka_unit_test(test_crlf_line_endings_are_read_like_lf),
        cmocka_unit_test(test_headings_are_underlined_by_level),
        cmocka_unit_test(test_heading_markers_closing_hashes_and_deep_levels),
        cmocka_unit_test(test_horizontal_rule_spans_the_width),
        cmocka_unit_test(test_bullet_items_hang_under_their_text),
        cmocka_unit_test(test_numbered_items_are_renumbered_and_hang),
        cmocka_unit_test(test_nested_lists_indent_by_level),
        cmocka_unit_test(test_nested_item_wraps_under_its_own_text),
        cmocka_unit_test(test_list_item_paragraphs_and_lazy_lines),
        cmocka_unit_test(test_ordered_list_only_interrupts_a_paragraph_at_one),
        cmocka_unit_test(test_deep_nesting_is_capped_not_crashed),
        cmocka_unit_test(test_code_block_is_indented_and_never_wrapped),
        cmocka_unit_test(test_code_block_keeps_its_source_and_language),
        cmocka_unit_test(test_code_block_in_a_list_item_follows_its_text),
        cmocka_unit_test(test_unclosed_fence_runs_to_the_end),
        cmocka_unit_test(test_inline_styles_become_runs),
        cmocka_unit_test(test_triple_stars_are_bold_and_italic),
        cmocka_unit_test(test_stars_without_a_partner_stay_text),
        cmocka_unit_test(test_code_spans_protect_markup),
        cmocka_unit_test(test_backslash_escapes_make_markup_literal),
        cmocka_unit_test(test_link_shows_its_target_unless_the_text_says_it),
        cmocka_unit_test(test_links_are_extracted_with_positions),
        cmocka_unit_test(test_tui_layout_hides_only_item_targets),
        cmocka_unit_test(test_link_text_keeps_markup_styles),
        cmocka_unit_test(test_brackets_that_are_not_links_stay_text),
        cmocka_unit_test(test_item_targets_are_recognised),
        cmocka_unit_test(test_table_draws_boxes_and_aligns_columns),
        cmocka_unit_test(test_table_in_ascii_uses_plus_minus_bar),
        cmocka_unit_test(test_table_cells_are_cut_to_fit_narrow_widths),
        cmocka_unit_test(test_table_at_tiny_widths_still_draws),
        cmocka_unit_test(test_table_rows_may_be_ragged),
        cmocka_unit_test(test_table_pipes_in_code_spans_and_escapes),
        cmocka_unit_test(test_pipe_without_delimiter_row_is_text),
        cmocka_unit_test(test_cjk_characters_take_two_columns),
        cmocka_unit_test(test_greek_and_maths_take_one_column),
        cmocka_unit_test(test_ascii_fallback_for_course_maths),
        cmocka_unit_test(test_ascii_fallback_of_single_code_points),
        cmocka_unit_test(test_unknown_characters_become_question_marks),
        cmocka_unit_test(test_control_bytes_and_bad_utf8_are_replaced),
        cmocka_unit_test(test_ansi_output_wraps_styled_runs_in_sgr),
        cmocka_unit_test(test_render_plain_matches_the_doc_writer),
        cmocka_unit_test(test_empty_and_null_sources_give_no_lines),
        cmocka_unit_test(test_tiny_and_huge_widths_terminate),
        cmocka_unit_test(test_fuzz_random_bytes),
        cmocka_unit_test(test_fuzz_markdown_token_soup),
        cmocka_unit_test(test_pathological_markup_stays_fast_and_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
