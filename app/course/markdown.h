/* markdown.h — course pages (the Markdown subset of docs/course-format.md)
 * laid out for a given width as lines of styled runs, with the links and
 * code blocks they hold; plain and ANSI writers for `seqlab read`.  The
 * TUI's Read pane draws the same lines itself.  No curses, no Lua here.
 *
 * The subset: #/##/### headings (#### and deeper read as ###), paragraphs,
 * "-", "*", "+" and "1." lists nested by indentation (8 levels), fenced code
 * blocks (``` or ~~~, with a language tag), pipe tables, horizontal rules,
 * `code`, **bold**, *italic*, [text](target) and backslash escapes.
 * Underscores never emphasise (pages are full of snake_case names). */
#ifndef COURSE_MARKDOWN_H
#define COURSE_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a run is; a run may carry several bits (bold text inside a link in a
 * heading is MD_BOLD | MD_LINK | MD_HEADING2). */
enum md_style {
    MD_PLAIN = 0,
    MD_BOLD = 1u << 0,
    MD_ITALIC = 1u << 1,
    MD_CODE = 1u << 2,        /* `inline code` */
    MD_LINK = 1u << 3,        /* the text of a link */
    MD_LINK_TARGET = 1u << 4, /* the " [target]" shown after a link's text */
    MD_HEADING1 = 1u << 5,
    MD_HEADING2 = 1u << 6,
    MD_HEADING3 = 1u << 7,
    MD_CODEBLOCK = 1u << 8,    /* a line of a fenced code block */
    MD_TABLE_BORDER = 1u << 9, /* box-drawing (or +-|) characters */
    MD_TABLE_HEADER = 1u << 10,
    MD_BULLET = 1u << 11, /* a list marker: "• ", "- ", "12. " */
    MD_RULE = 1u << 12,   /* a horizontal rule, or a heading's underline
                             (then with its MD_HEADINGn bit) */
};

/* Layout options for md_layout. */
enum md_flags {
    MD_ASCII = 1u << 0, /* 7-bit output: maths and symbols transliterated,
                           +-| tables, "-" bullets, = - ~ underlines */
    MD_HIDE_ITEM_TARGETS = 1u << 1, /* no " [target]" after links to course
                                       items (the TUI follows them instead) */
    MD_NO_UNDERLINE = 1u << 2,      /* no line under headings */
};

/* A piece of a line in one style.  `text` is UTF-8 (ASCII under MD_ASCII),
 * free of control characters, not NUL-terminated, owned by the doc. */
struct md_run {
    const char *text;
    int len;        /* bytes */
    int col;        /* first display column, counted from the line's start */
    int width;      /* display columns */
    unsigned style; /* enum md_style bits */
    int link;       /* index into md_doc.links, or -1 */
};

struct md_line {
    const struct md_run *runs;
    int nruns;  /* 0 for a blank line */
    int indent; /* blank columns before the first run (= runs[0].col) */
    int width;  /* display columns, indent included; trailing blanks trimmed */
    int code;   /* index into md_doc.codes for a code block's line, else -1 */
};

/* A link as it appears in the laid-out text, in document order.  Links whose
 * text is not shown at all (a table cell cut to nothing) are left out. */
struct md_link {
    const char *target; /* NUL-terminated, as written in the page */
    const char *text;   /* NUL-terminated, markup removed, as written */
    int line, col;      /* where its first run starts (0-based) */
    bool is_item;       /* the target looks like a course item id */
};

/* A fenced code block, for copying into the REPL or running it. */
struct md_code {
    const char *lang; /* the fence's language tag, "" when none */
    const char *text; /* the block's source lines joined by "\n", with the
                         fence's indentation removed; NUL-terminated */
    int first_line;   /* its first line in md_doc.lines */
    int nlines;
};

struct md_doc {
    struct md_line *lines;
    int nlines;
    struct md_link *links;
    int nlinks;
    struct md_code *codes;
    int ncodes;
    /* storage behind the pointers above */
    struct md_run *runs;
    int nruns;
    char *text;
};

/* Lays out `len` bytes of page source (UTF-8; any bytes are accepted:
 * invalid sequences show as U+FFFD, or '?' under MD_ASCII, and control
 * characters as '?') for a terminal `width` columns wide (clamped to
 * 1..4096).  Text wraps at spaces and between wide characters; a word wider
 * than the line is cut.  Code blocks are never wrapped, so their lines may
 * be wider; so may lists nested deeper than the width allows and tables
 * with more columns than fit.  Returns 0, or -1 when out of memory (the doc
 * is then empty).  Free the doc with md_doc_free. */
int md_layout(struct md_doc *doc, const char *src, size_t len, int width,
              unsigned flags);
void md_doc_free(struct md_doc *doc); /* leaves an empty doc; NULL-safe */

/* The doc's lines as text: plain, or with ANSI SGR escapes (bold, italic,
 * underline, colours) around styled runs, every escape closed on its own
 * line.  Return 0, or -1 on a write error. */
int md_doc_write_plain(FILE *out, const struct md_doc *doc);
int md_doc_write_ansi(FILE *out, const struct md_doc *doc);

/* md_layout + a writer, with links' targets always shown: for
 * `seqlab read --plain` (and pipes) and for a terminal.  Return 0, or -1
 * when out of memory or on a write error. */
int md_render_plain(FILE *out, const char *src, size_t len, int width,
                    bool ascii);
int md_render_ansi(FILE *out, const char *src, size_t len, int width,
                   bool ascii);

/* Whether a link target names a course item: "w1.rnn_cell_forward",
 * optionally after "lesson:", "exercise:", "page:" or "item:" — two names
 * of letters, digits, '_' and '-' joined by one '.', the second not a file
 * extension such as "md" or "lua". */
bool md_target_is_item(const char *target, size_t len);

/* The ASCII rendering of one code point as used under MD_ASCII ("alpha",
 * "_2", "<=", "?" ...), NUL-terminated into out; returns its length (0 for
 * a dropped zero-width character).  Inside a text, consecutive subscripts
 * share one '_' (Wₐₐ -> W_aa) and superscripts one '^'. */
int md_ascii_for(uint32_t cp, char out[16]);

#endif
