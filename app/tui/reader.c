/* reader.c — the Read pane: the current item's page laid out by md_layout
 * for the pane's width and drawn line by line, with link selection and a
 * back stack, code blocks copied to or run in the REPL, and search within
 * the page.  The navigation logic works on a struct reader and needs no
 * terminal (tests/app/test_reader.c drives it directly); only the drawing
 * and the actions at the end touch curses and the core. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui/tui.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "course/markdown.h"
#include "tui/panes.h"
#include "viz/grid.h"
#include "viz/plot.h"

#define READER_BACK_MAX  64
#define READER_MAX_WIDTH 100 /* longer lines are hard to read */
#define READER_PAT_MAX   128
#define READER_HSTEP     8 /* columns per Left/Right */

/* Where the reader was, for the back stack. */
struct reader_mark {
    int item, top, link, code;
};

/* One layout of the page; two are kept so that zooming in and out (two
 * widths) does not lay the page out again each time. */
struct reader_layout {
    struct md_doc doc;
    int width;
    unsigned flags;
    bool valid;
    unsigned used; /* for least-recently-used replacement */
};

struct reader {
    int item;  /* the course item shown, -1 for none */
    char *src; /* its page source (or a generated summary), owned */
    size_t len;
    char label[128]; /* the status line's name for it: "rnn-cell.md" */
    struct reader_layout cache[2];
    const struct md_doc *doc; /* the active layout, NULL before one */
    unsigned clock;
    /* the view */
    int top, left; /* first line and column shown */
    int height;    /* text lines in the view at the last draw */
    int textw;     /* layout width at the last draw, 0 before */
    int vieww;     /* columns of the text area (>= textw) */
    int gutter;    /* columns left of the text (the code block mark) */
    int link;      /* selected link, -1 for none */
    int code;      /* code block chosen with ]/[, -1 for none */
    /* per-item scroll positions, kept when leaving a page */
    int *tops;
    int ntops;
    struct reader_mark back[READER_BACK_MAX];
    int nback;
    /* search */
    bool prompt;                  /* typing a pattern */
    char pat[READER_PAT_MAX];     /* the pattern ("" for none) */
    char old_pat[READER_PAT_MAX]; /* restored when the prompt is cancelled */
    int prompt_top;               /* the view when the prompt opened */
    int mline, mbyte;             /* the current match, mline -1 for none */
};

static struct reader rd = {
    .item = -1, .height = 20, .link = -1, .code = -1, .mline = -1};

/* ---- the page and its layouts ------------------------------------------- */

static int rd_nlines(const struct reader *r)
{
    return r->doc ? r->doc->nlines : 0;
}

static int rd_nlinks(const struct reader *r)
{
    return r->doc ? r->doc->nlinks : 0;
}

static int rd_ncodes(const struct reader *r)
{
    return r->doc ? r->doc->ncodes : 0;
}

static void rd_drop_layouts(struct reader *r)
{
    for (int i = 0; i < 2; i++) {
        md_doc_free(&r->cache[i].doc);
        r->cache[i].valid = false;
    }
    r->doc = NULL;
}

/* Shows a new page: src (malloc'd) is taken over.  The view starts at
 * `top`; selections, the match and the horizontal offset are reset. */
static void rd_set_source(struct reader *r, int item, char *src, size_t len,
                          const char *label, int top)
{
    rd_drop_layouts(r);
    free(r->src);
    r->item = item;
    r->src = src;
    r->len = src ? len : 0;
    snprintf(r->label, sizeof r->label, "%s", label ? label : "");
    r->top = top > 0 ? top : 0;
    r->left = 0;
    r->link = r->code = -1;
    r->mline = -1;
}

static void rd_clamp(struct reader *r)
{
    int max = rd_nlines(r) - r->height;
    if (r->top > max)
        r->top = max;
    if (r->top < 0)
        r->top = 0;
    if (r->left < 0)
        r->left = 0;
}

static bool rd_visible(const struct reader *r, int line)
{
    return line >= r->top && line < r->top + r->height;
}

static bool rd_code_visible(const struct reader *r, int c)
{
    const struct md_code *k = &r->doc->codes[c];
    return k->first_line < r->top + r->height &&
           k->first_line + k->nlines > r->top;
}

/* Selections that left the view are dropped: Tab and ] then start again
 * from what the reader sees, and Enter never follows an unseen link. */
static void rd_drop_hidden(struct reader *r)
{
    if (r->link >= 0 && (r->link >= rd_nlinks(r) ||
                         !rd_visible(r, r->doc->links[r->link].line)))
        r->link = -1;
    if (r->code >= 0 &&
        (r->code >= rd_ncodes(r) || !rd_code_visible(r, r->code)))
        r->code = -1;
}

/* Makes lines [line, line + span) visible; when they are not, puts `line`
 * `ctx` lines below the top of the view. */
static void rd_show(struct reader *r, int line, int span, int ctx)
{
    if (line >= r->top && line + span <= r->top + r->height)
        return;
    if (line >= r->top && line < r->top + r->height && span > r->height)
        return; /* a long block already starting in view */
    r->top = line - ctx;
    rd_clamp(r);
}

/* Lays the page out `width` columns wide (from the cache when it can).
 * The view keeps its relative position; a selected link stays in view.
 * Returns 0, or -1 when out of memory (the page is then empty). */
static int rd_layout(struct reader *r, int width, unsigned flags)
{
    if (width < 1)
        width = 1;
    struct reader_layout *slot = NULL;
    for (int i = 0; i < 2; i++)
        if (r->cache[i].valid && r->cache[i].width == width &&
            r->cache[i].flags == flags)
            slot = &r->cache[i];
    if (slot && &slot->doc == r->doc) {
        slot->used = ++r->clock;
        return 0;
    }
    int old_n = rd_nlines(r);
    bool had = r->doc != NULL;
    int rc = 0;
    if (!slot) {
        slot = !r->cache[0].valid                     ? &r->cache[0]
               : !r->cache[1].valid                   ? &r->cache[1]
               : r->cache[0].used <= r->cache[1].used ? &r->cache[0]
                                                      : &r->cache[1];
        if (&slot->doc == r->doc)
            r->doc = NULL;
        md_doc_free(&slot->doc);
        rc = md_layout(&slot->doc, r->src ? r->src : "", r->len, width, flags);
        slot->width = width;
        slot->flags = flags;
        slot->valid = rc == 0;
    }
    slot->used = ++r->clock;
    r->doc = &slot->doc;
    int n = rd_nlines(r);
    if (had && old_n > 0 && n != old_n)
        r->top = (int)((long long)r->top * n / old_n);
    if (r->link >= rd_nlinks(r))
        r->link = -1;
    if (r->code >= rd_ncodes(r))
        r->code = -1;
    r->mline = -1; /* line numbers changed; the pattern stays */
    rd_clamp(r);
    if (r->link >= 0)
        rd_show(r, r->doc->links[r->link].line, 1, r->height / 3);
    return rc;
}

static void rd_set_height(struct reader *r, int height)
{
    r->height = height > 0 ? height : 1;
    rd_clamp(r);
}

static void rd_scroll(struct reader *r, int delta)
{
    r->top += delta;
    rd_clamp(r);
    rd_drop_hidden(r);
}

/* The widest line, for horizontal scrolling of code blocks. */
static int rd_max_width(const struct reader *r)
{
    int w = 0;
    for (int i = 0; i < rd_nlines(r); i++)
        if (r->doc->lines[i].width > w)
            w = r->doc->lines[i].width;
    return w;
}

static void rd_hscroll(struct reader *r, int delta)
{
    int max = rd_max_width(r) - r->vieww;
    r->left += delta;
    if (r->left > max)
        r->left = max;
    rd_clamp(r);
}

/* ---- links ----------------------------------------------------------------
 */

/* Selects the next (dir > 0) or previous link: after the selected one, or
 * from the view when none is selected, wrapping around the page.  Scrolls
 * it into view.  Returns the link, or -1 when the page has none; *wrapped
 * says whether the search went round. */
static int rd_step_link(struct reader *r, int dir, bool *wrapped)
{
    int n = rd_nlinks(r);
    *wrapped = false;
    if (n == 0)
        return -1;
    int next;
    if (r->link >= 0) {
        next = r->link + dir;
    } else if (dir > 0) {
        for (next = 0; next < n && r->doc->links[next].line < r->top; next++)
            ;
    } else {
        for (next = n - 1;
             next >= 0 && r->doc->links[next].line >= r->top + r->height;
             next--)
            ;
    }
    if (next >= n || next < 0) {
        next = next >= n ? 0 : n - 1;
        *wrapped = r->link >= 0;
    }
    r->link = next;
    rd_show(r, r->doc->links[next].line, 1, r->height / 3);
    if (r->code >= 0 && !rd_code_visible(r, r->code))
        r->code = -1;
    return next;
}

/* The course item a link target names, or -1: an item id, optionally
 * after "lesson:", "exercise:", "page:" or "item:", or a page file
 * ("rnn-cell.md", "../week1/overview.md") by its name.  An anchor
 * ("#...") is ignored. */
static int rd_resolve(const struct course *c, const char *target)
{
    static const char *const prefixes[] = {
        "lesson:", "exercise:", "page:", "item:"};
    if (!c || !target)
        return -1;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t k = strlen(prefixes[i]);
        if (!strncmp(target, prefixes[i], k)) {
            target += k;
            break;
        }
    }
    char id[256];
    size_t n = strcspn(target, "#?");
    if (n == 0 || n >= sizeof id)
        return -1;
    memcpy(id, target, n);
    id[n] = '\0';
    const char *name = id;
    if (n > 3 && !strcmp(id + n - 3, ".md")) {
        id[n - 3] = '\0';
        const char *slash = strrchr(id, '/');
        if (slash)
            name = slash + 1;
    }
    const struct course_item *it = course_find(c, name);
    return it ? (int)(it - c->items) : -1;
}

/* ---- the back stack --------------------------------------------------------
 */

/* Remembers where the reader is; the oldest mark goes when it is full. */
static void rd_push(struct reader *r)
{
    if (r->item < 0)
        return;
    if (r->nback == READER_BACK_MAX) {
        memmove(r->back, r->back + 1,
                sizeof r->back[0] * (READER_BACK_MAX - 1));
        r->nback--;
    }
    r->back[r->nback++] =
        (struct reader_mark){r->item, r->top, r->link, r->code};
}

static bool rd_pop(struct reader *r, struct reader_mark *m)
{
    if (r->nback == 0)
        return false;
    *m = r->back[--r->nback];
    return true;
}

/* ---- code blocks ----------------------------------------------------------
 */

/* The block y and R act on: the chosen one while it is in view, else the
 * first one in view; -1 when none is. */
static int rd_current_code(const struct reader *r)
{
    if (r->code >= 0 && r->code < rd_ncodes(r) && rd_code_visible(r, r->code))
        return r->code;
    for (int c = 0; c < rd_ncodes(r); c++)
        if (rd_code_visible(r, c))
            return c;
    return -1;
}

/* Chooses the next (dir > 0) or previous code block, from the current one
 * or, when none is in view, from the view; wraps around.  Scrolls it into
 * view with a line of context above.  Returns it, or -1 if there is none. */
static int rd_step_code(struct reader *r, int dir, bool *wrapped)
{
    int n = rd_ncodes(r);
    *wrapped = false;
    if (n == 0)
        return -1;
    int cur = rd_current_code(r), next;
    if (cur >= 0) {
        next = cur + dir;
    } else if (dir > 0) {
        for (next = 0; next < n && r->doc->codes[next].first_line < r->top;
             next++)
            ;
    } else {
        for (next = n - 1;
             next >= 0 && r->doc->codes[next].first_line >= r->top; next--)
            ;
    }
    if (next >= n || next < 0) {
        next = next >= n ? 0 : n - 1;
        *wrapped = true;
    }
    r->code = next;
    const struct md_code *k = &r->doc->codes[next];
    rd_show(r, k->first_line, k->nlines, 1);
    if (r->link >= 0 && !rd_visible(r, r->doc->links[r->link].line))
        r->link = -1;
    return next;
}

static bool rd_code_is_lua(const struct md_code *k)
{
    const char *l = k->lang;
    return (l[0] == 'l' || l[0] == 'L') && (l[1] == 'u' || l[1] == 'U') &&
           (l[2] == 'a' || l[2] == 'A') && l[3] == '\0';
}

/* ---- search -------------------------------------------------------------- */

/* A laid-out line as text: its runs at their columns, gaps as spaces. */
struct linebuf {
    char *s;
    size_t n, cap;
};

static bool lb_add(struct linebuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return false;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return true;
}

static const char *rd_line_text(const struct md_line *l, struct linebuf *b)
{
    b->n = 0;
    if (!lb_add(b, "", 0))
        return "";
    int col = 0;
    for (int i = 0; i < l->nruns; i++) {
        const struct md_run *run = &l->runs[i];
        for (; col < run->col; col++)
            lb_add(b, " ", 1);
        lb_add(b, run->text, (size_t)run->len);
        col = run->col + run->width;
    }
    return b->s;
}

/* Display columns of the first n bytes of s. */
static int rd_text_width(const char *s, size_t n)
{
    int w = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int k = viz_utf8_decode(s + i, n - i, &cp);
        w += viz_char_width(cp);
        i += (size_t)k;
    }
    return w;
}

/* Smart case: a pattern with a capital letter matches case exactly. */
static bool rd_pat_folds(const char *pat)
{
    for (; *pat; pat++)
        if (*pat >= 'A' && *pat <= 'Z')
            return false;
    return true;
}

static int fold(int c, bool on)
{
    return on && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The byte offset of the first match of pat in s at or after `from`, or
 * -1. */
static int rd_match(const char *s, const char *pat, int from, bool folds)
{
    size_t n = strlen(s), m = strlen(pat);
    if (m == 0 || from < 0)
        return -1;
    for (size_t i = (size_t)from; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && fold((unsigned char)s[i + k], folds) ==
                            fold((unsigned char)pat[k], folds))
            k++;
        if (k == m)
            return (int)i;
    }
    return -1;
}

/* Finds the next (dir > 0) or previous match of r->pat: from the current
 * match (or, when `inclusive`, at it), else from the top of the view;
 * wraps around the page.  Scrolls it into view.  Returns false when there
 * is none. */
static bool rd_find(struct reader *r, int dir, bool inclusive, bool *wrapped)
{
    int n = rd_nlines(r);
    *wrapped = false;
    if (n == 0 || !r->pat[0])
        return false;
    bool folds = rd_pat_folds(r->pat);
    int sl, sb;
    if (r->mline >= 0 && r->mline < n) {
        sl = r->mline;
        sb = r->mbyte;
    } else {
        sl = r->top < n ? r->top : n - 1;
        sb = 0;
        inclusive = dir > 0;
    }
    struct linebuf b = {0};
    bool found = false;
    for (int k = 0; k <= n && !found; k++) {
        int line = ((sl + dir * k) % n + n) % n;
        const char *s = rd_line_text(&r->doc->lines[line], &b);
        int hit = -1;
        for (int at = rd_match(s, r->pat, 0, folds); at >= 0;
             at = rd_match(s, r->pat, at + 1, folds)) {
            if (k == 0 && (dir > 0 ? (inclusive ? at < sb : at <= sb)
                                   : (inclusive ? at > sb : at >= sb)))
                continue;
            hit = at;
            if (dir > 0)
                break;
        }
        if (hit >= 0) {
            found = true;
            *wrapped = k == n || (dir > 0 ? line < sl : line > sl);
            r->mline = line;
            r->mbyte = hit;
        }
    }
    free(b.s);
    if (found) {
        rd_show(r, r->mline, 1, r->height / 3);
        rd_drop_hidden(r);
    }
    return found;
}

/* ---- the page of an item
 * ----------------------------------------------------- */

/* Markdown-escapes s into out (n bytes). */
static void md_escape(char *out, size_t n, const char *s)
{
    size_t k = 0;
    for (; *s && k + 2 < n; s++) {
        if (strchr("\\`*[]#|", *s))
            out[k++] = '\\';
        out[k++] = *s;
    }
    out[k] = '\0';
}

/* The page shown for an exercise that has none: what to do, the
 * learner's file and the reading before it. */
static char *rd_exercise_summary(const struct tui *t,
                                 const struct course_item *it, size_t *len)
{
    char title[256], name[256], read[600] = "";
    md_escape(title, sizeof title, it->title ? it->title : it->name);
    md_escape(name, sizeof name, it->name);
    char *file = t->ws ? workspace_file(t->ws, it) : NULL;
    /* the nearest page before it in its lesson */
    const struct course_lesson *ls = it->lesson;
    for (int i = 0; ls && i < ls->nitems && ls->items[i] != it; i++)
        if (!ls->items[i]->is_exercise) {
            char pt[256];
            md_escape(pt, sizeof pt,
                      ls->items[i]->title ? ls->items[i]->title
                                          : ls->items[i]->name);
            snprintf(read, sizeof read, "Read first: [%s](%s)\n\n", pt,
                     ls->items[i]->id);
        }
    const char *fmt = "# %s\n\n"
                      "An exercise: write `%s` in your copy of the starter, "
                      "then check it.\n\n"
                      "Your file: `%s`\n\n"
                      "%s"
                      "Press **3** for the exercise (e edits, c checks, "
                      "r runs).\n";
    const char *f = file ? file : "(no workspace)";
    int n = snprintf(NULL, 0, fmt, title, name, f, read);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        snprintf(s, (size_t)n + 1, fmt, title, name, f, read);
    free(file);
    *len = s ? (size_t)n : 0;
    return s;
}

/* The source shown for an item: its page file; for an exercise without
 * one a summary; for a missing page a note naming the file. */
static char *rd_item_source(const struct tui *t, const struct course_item *it,
                            size_t *len, char *label, size_t nlabel)
{
    char *path = course_path(it, COURSE_PAGE);
    char *src = path ? slurp(path, len) : NULL;
    const char *base = path ? strrchr(path, '/') : NULL;
    snprintf(label, nlabel, "%s", base ? base + 1 : it->name);
    if (!src && it->is_exercise) {
        snprintf(label, nlabel, "exercise %s", it->name);
        src = rd_exercise_summary(t, it, len);
    } else if (!src) {
        char title[256];
        md_escape(title, sizeof title, it->title ? it->title : it->name);
        const char *fmt = "# %s\n\nThis page's file is missing: `%s`\n";
        const char *p = path ? path : it->name;
        int n = snprintf(NULL, 0, fmt, title, p);
        src = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (src)
            snprintf(src, (size_t)n + 1, fmt, title, p);
        *len = src ? (size_t)n : 0;
    }
    free(path);
    return src;
}

static unsigned rd_flags(const struct tui *t)
{
    return MD_HIDE_ITEM_TARGETS | (t->ascii ? MD_ASCII : 0);
}

/* Loads the current item's page when it changed, remembering where the
 * reader was on the old one. */
static void reader_sync(struct tui *t)
{
    struct reader *r = &rd;
    int cur = tui_item(t) ? t->current : -1;
    if (cur != r->item) {
        int n = t->course ? t->course->nitems : 0;
        if (r->ntops < n) {
            int *p = realloc(r->tops, sizeof *p * (size_t)n);
            if (p) {
                for (int i = r->ntops; i < n; i++)
                    p[i] = 0;
                r->tops = p;
                r->ntops = n;
            }
        }
        if (r->item >= 0 && r->item < r->ntops)
            r->tops[r->item] = r->top;
        r->prompt = false;
        if (cur < 0) {
            rd_set_source(r, -1, NULL, 0, "", 0);
        } else {
            char label[128];
            size_t len = 0;
            char *src = rd_item_source(t, &t->course->items[cur], &len, label,
                                       sizeof label);
            rd_set_source(r, cur, src, len, label,
                          cur < r->ntops ? r->tops[cur] : 0);
        }
    }
    if (r->textw > 0)
        rd_layout(r, r->textw, rd_flags(t));
}

/* ---- drawing ---------------------------------------------------------------
 */

static int run_attr(const struct tui *t, const struct md_run *run, int link)
{
    unsigned s = run->style;
    int a;
    if (s & MD_LINK)
        a = tui_attr(t,
                     run->link >= 0 && run->link == link ? R_LINK_ON : R_LINK);
    else if (s & (MD_HEADING1 | MD_HEADING2 | MD_HEADING3))
        a = tui_attr(t, R_HEADING) & (s & MD_RULE ? ~(int)A_UNDERLINE : ~0);
    else if (s & (MD_CODEBLOCK | MD_CODE))
        a = tui_attr(t, R_CODE);
    else if (s & (MD_TABLE_BORDER | MD_RULE))
        a = tui_attr(t, R_BORDER);
    else if (s & MD_LINK_TARGET)
        a = tui_attr(t, R_DIM);
    else
        a = tui_attr(t, R_NORMAL);
    if (s & (MD_BOLD | MD_TABLE_HEADER))
        a |= A_BOLD;
    if (s & MD_ITALIC)
        a |= A_ITALIC;
    return a;
}

/* Draws one run at view column (run->col - left) of a text area starting
 * at x0, `textw` columns wide: the part left of the view is cut, a wide
 * character cut in half becomes a space. */
static void draw_run(const struct tui *t, WINDOW *w, int y, int x0, int textw,
                     int left, const struct md_run *run, int attr,
                     struct linebuf *b)
{
    int c0 = run->col - left;
    if (c0 >= textw || run->col + run->width <= left)
        return;
    const char *s = run->text;
    size_t len = (size_t)run->len, i = 0;
    if (c0 < 0) {
        int used = 0;
        while (i < len && used < -c0) {
            uint32_t cp;
            int k = viz_utf8_decode(s + i, len - i, &cp);
            used += viz_char_width(cp);
            i += (size_t)k;
        }
        c0 = used + c0; /* 1 when a wide character was cut */
        for (int k = 0; k < c0; k++)
            mvwaddch(w, y, x0 + k, ' ' | (chtype)attr);
    }
    b->n = 0;
    if (!lb_add(b, s + i, len - i))
        return;
    tui_put(t, w, y, x0 + c0, textw - c0, b->s, attr);
}

/* Highlights every match of the pattern on a drawn line. */
static void draw_matches(const struct tui *t, WINDOW *w, int y, int x0,
                         int textw, int line, struct linebuf *b)
{
    const struct reader *r = &rd;
    const char *s = rd_line_text(&r->doc->lines[line], b);
    bool folds = rd_pat_folds(r->pat);
    int plen = (int)strlen(r->pat);
    for (int at = rd_match(s, r->pat, 0, folds); at >= 0;
         at = rd_match(s, r->pat, at + plen, folds)) {
        int c = rd_text_width(s, (size_t)at) - r->left;
        int wd = rd_text_width(s + at, (size_t)plen);
        if (c < 0) {
            wd += c;
            c = 0;
        }
        if (c + wd > textw)
            wd = textw - c;
        if (wd <= 0)
            continue;
        bool cur = line == r->mline && at == r->mbyte;
        int a = cur ? tui_attr(t, R_WARN) | (int)(A_REVERSE | A_BOLD)
                    : tui_attr(t, R_SELECT);
        mvwchgat(w, y, x0 + c, wd, (attr_t)(a & ~A_COLOR),
                 (short)PAIR_NUMBER(a), NULL);
    }
}

/* "Top", "Bot", "All" or "42%", as in less and vim. */
static void rd_position(const struct reader *r, char *buf, size_t n)
{
    int total = rd_nlines(r);
    if (total <= r->height)
        snprintf(buf, n, "All");
    else if (r->top == 0)
        snprintf(buf, n, "Top");
    else if (r->top + r->height >= total)
        snprintf(buf, n, "Bot");
    else
        snprintf(buf, n, "%d%%", (int)(100LL * r->top / (total - r->height)));
}

static void draw_status(struct tui *t, WINDOW *w, int y, int width)
{
    struct reader *r = &rd;
    const char *dot = tui_glyph(t, " · ", " - ");
    char right[160], pos[16];
    rd_position(r, pos, sizeof pos);
    int k = 0;
    right[0] = '\0';
    if (r->link >= 0)
        k += snprintf(right + k, sizeof right - (size_t)k, "link %d/%d%s",
                      r->link + 1, rd_nlinks(r), dot);
    else if (rd_nlinks(r))
        k += snprintf(right + k, sizeof right - (size_t)k, "%d link%s%s",
                      rd_nlinks(r), rd_nlinks(r) == 1 ? "" : "s", dot);
    int c = rd_current_code(r);
    if (c >= 0)
        k += snprintf(right + k, sizeof right - (size_t)k, "code %d/%d%s",
                      c + 1, rd_ncodes(r), dot);
    if (r->left > 0)
        k += snprintf(right + k, sizeof right - (size_t)k, "col %d%s",
                      r->left + 1, dot);
    snprintf(right + k, sizeof right - (size_t)k, "%s ", pos);
    int rw = tui_width(right);
    if (r->prompt) {
        int used = tui_put(t, w, y, 1, width - 2, "/", tui_attr(t, R_KEY));
        used += tui_put(t, w, y, 1 + used, width - 3, r->pat,
                        tui_attr(t, R_NORMAL));
        if (1 + used < width)
            mvwaddch(w, y, 1 + used, ' ' | A_REVERSE);
        return;
    }
    char left[READER_PAT_MAX + 160];
    if (r->pat[0])
        snprintf(left, sizeof left, "%.120s%s/%.127s", r->label, dot, r->pat);
    else
        snprintf(left, sizeof left, "%.127s", r->label);
    int lw = width - rw - 2;
    if (lw > 0)
        tui_put(t, w, y, 1, lw, left, tui_attr(t, R_DIM));
    if (rw < width)
        tui_put(t, w, y, width - rw, rw, right, tui_attr(t, R_DIM));
}

static void reader_draw(struct tui *t, WINDOW *w, bool focused)
{
    struct reader *r = &rd;
    int h, wd;
    getmaxyx(w, h, wd);
    if (h < 1 || wd < 1)
        return;
    if (!tui_item(t)) {
        tui_put(t, w, 0, 1, wd - 1, "No page: choose an item in Lessons (1).",
                tui_attr(t, R_DIM));
        return;
    }
    bool status = h >= 6;
    int gutter = wd >= 12 ? 2 : 0; /* a margin, with the code block mark */
    int textw = wd - gutter - (wd >= 12 ? 1 : 0);
    r->gutter = gutter;
    r->vieww = textw;
    int layw = textw < READER_MAX_WIDTH ? textw : READER_MAX_WIDTH;
    rd_set_height(r, h - status);
    r->textw = layw;
    reader_sync(t);
    rd_set_height(r, h - status);

    struct linebuf b = {0};
    int code = rd_current_code(r);
    const char *mark = tui_glyph(t, "▌", "|");
    for (int y = 0; y < r->height && r->top + y < rd_nlines(r); y++) {
        int line = r->top + y;
        const struct md_line *l = &r->doc->lines[line];
        for (int i = 0; i < l->nruns; i++)
            draw_run(t, w, y, gutter, textw, r->left, &l->runs[i],
                     run_attr(t, &l->runs[i], r->link), &b);
        if (gutter && code >= 0 && l->code == code)
            tui_put(t, w, y, 0, 1, mark, tui_attr(t, focused ? R_KEY : R_DIM));
        if (r->pat[0])
            draw_matches(t, w, y, gutter, textw, line, &b);
    }
    free(b.s);
    if (status)
        draw_status(t, w, h - 1, wd);
}

/* ---- actions ---------------------------------------------------------------
 */

void reader_scroll(struct tui *t, int lines)
{
    reader_sync(t);
    rd_scroll(&rd, lines);
}

void reader_down(struct tui *t)
{
    reader_scroll(t, 1);
}

void reader_up(struct tui *t)
{
    reader_scroll(t, -1);
}

void reader_page_down(struct tui *t)
{
    reader_scroll(t, rd.height > 2 ? rd.height - 2 : 1);
}

void reader_page_up(struct tui *t)
{
    reader_scroll(t, -(rd.height > 2 ? rd.height - 2 : 1));
}

void reader_half_down(struct tui *t)
{
    reader_scroll(t, rd.height > 1 ? rd.height / 2 : 1);
}

void reader_half_up(struct tui *t)
{
    reader_scroll(t, -(rd.height > 1 ? rd.height / 2 : 1));
}

void reader_top(struct tui *t)
{
    reader_scroll(t, -rd_nlines(&rd) - 1);
}

void reader_bottom(struct tui *t)
{
    reader_scroll(t, rd_nlines(&rd) + 1);
}

void reader_left(struct tui *t)
{
    reader_sync(t);
    rd_hscroll(&rd, -READER_HSTEP);
}

void reader_right(struct tui *t)
{
    reader_sync(t);
    rd_hscroll(&rd, READER_HSTEP);
}

static void reader_link(struct tui *t, int dir)
{
    reader_sync(t);
    bool wrapped;
    int l = rd_step_link(&rd, dir, &wrapped);
    if (l < 0) {
        tui_message(t, R_DIM, "This page has no links.");
        return;
    }
    const struct md_link *k = &rd.doc->links[l];
    int item = k->is_item ? rd_resolve(t->course, k->target) : -1;
    const char *what = item >= 0 ? t->course->items[item].title : k->target;
    tui_message(t, R_DIM, "%s%s%s", wrapped ? "(wrapped) " : "",
                item >= 0 ? "Enter opens: " : "Link to ", what ? what : "");
}

void reader_next_link(struct tui *t)
{
    reader_link(t, 1);
}

void reader_prev_link(struct tui *t)
{
    reader_link(t, -1);
}

void reader_follow(struct tui *t)
{
    reader_sync(t);
    struct reader *r = &rd;
    if (r->link < 0 || r->link >= rd_nlinks(r)) {
        tui_message(t, R_DIM, "No link selected: Tab selects one.");
        return;
    }
    const char *target = r->doc->links[r->link].target;
    int item = rd_resolve(t->course, target);
    if (item < 0) {
        tui_message(t, R_WARN, "Not a page of this course: %s", target);
        return;
    }
    if (item == r->item) {
        reader_top(t);
        return;
    }
    rd_push(r);
    tui_open_item(t, item);
    reader_sync(t);
    if (t->course->items[item].is_exercise && t->focus == PANE_EXERCISE)
        tui_message(t, R_DIM,
                    "Opened the exercise; 2 shows its page, "
                    "Backspace in Read goes back.");
}

void reader_back(struct tui *t)
{
    struct reader *r = &rd;
    struct reader_mark m;
    if (!rd_pop(r, &m)) {
        tui_message(t, R_DIM, "Nothing to go back to.");
        return;
    }
    tui_open_item(t, m.item);
    tui_focus(t, PANE_READ);
    reader_sync(t);
    if (r->item == m.item) {
        r->top = m.top;
        r->link = m.link < rd_nlinks(r) ? m.link : -1;
        r->code = m.code < rd_ncodes(r) ? m.code : -1;
        rd_clamp(r);
    }
}

static void reader_code(struct tui *t, int dir)
{
    reader_sync(t);
    bool wrapped;
    int c = rd_step_code(&rd, dir, &wrapped);
    if (c < 0) {
        tui_message(t, R_DIM, "This page has no code blocks.");
        return;
    }
    const struct md_code *k = &rd.doc->codes[c];
    tui_message(t, R_DIM, "%sCode block %d/%d: y copies it to the REPL%s",
                wrapped ? "(wrapped) " : "", c + 1, rd_ncodes(&rd),
                rd_code_is_lua(k) ? ", R runs it" : "");
}

void reader_next_code(struct tui *t)
{
    reader_code(t, 1);
}

void reader_prev_code(struct tui *t)
{
    reader_code(t, -1);
}

static const struct md_code *current_block(struct tui *t)
{
    reader_sync(t);
    int c = rd_current_code(&rd);
    if (c < 0)
        tui_message(t, R_DIM, "No code block in view: ] finds the next.");
    return c >= 0 ? &rd.doc->codes[c] : NULL;
}

void reader_copy_block(struct tui *t)
{
    const struct md_code *k = current_block(t);
    if (!k)
        return;
    repl_insert(t, k->text);
    tui_focus(t, PANE_REPL);
    tui_message(t, R_DIM,
                "Copied %d line%s to the REPL input: Enter runs "
                "them.",
                k->nlines, k->nlines == 1 ? "" : "s");
}

void reader_run_block(struct tui *t)
{
    const struct md_code *k = current_block(t);
    if (!k)
        return;
    if (!rd_code_is_lua(k)) {
        tui_message(t, R_WARN,
                    "Only ```lua blocks run; y copies this one "
                    "to the REPL.");
        return;
    }
    int idx = (int)(k - rd.doc->codes) + 1;
    char name[160];
    snprintf(name, sizeof name, "%s:block %d", rd.label, idx);
    int before = t->L ? viz_plot_count(t->L) : 0;
    const struct viz_plot *newest =
        before > 0 ? viz_plot_get(t->L, before - 1) : NULL;
    repl_run_chunk(t, k->text, name);
    int after = t->L ? viz_plot_count(t->L) : 0;
    bool plotted = after != before ||
                   (after > 0 && viz_plot_get(t->L, after - 1) != newest);
    if (!t->message[0]) /* the REPL may have said something already */
        tui_message(t, R_PASS,
                    "Ran code block %d in the REPL: output in "
                    "REPL (5)%s.",
                    idx, plotted ? ", plots in Plots (4)" : "");
}

void reader_search(struct tui *t)
{
    reader_sync(t);
    struct reader *r = &rd;
    memcpy(r->old_pat, r->pat, sizeof r->pat);
    r->pat[0] = '\0';
    r->mline = -1;
    r->prompt = true;
    r->prompt_top = r->top;
}

static void reader_repeat(struct tui *t, int dir)
{
    reader_sync(t);
    bool wrapped;
    if (!rd.pat[0])
        tui_message(t, R_DIM, "No search: / starts one.");
    else if (!rd_find(&rd, dir, false, &wrapped))
        tui_message(t, R_WARN, "Not found: %s", rd.pat);
    else if (wrapped)
        tui_message(t, R_DIM, "Search wrapped around the page.");
}

void reader_search_next(struct tui *t)
{
    reader_repeat(t, 1);
}

void reader_search_prev(struct tui *t)
{
    reader_repeat(t, -1);
}

/* ---- predicates -------------------------------------------------------------
 */

bool reader_has_links(struct tui *t)
{
    reader_sync(t);
    return rd_nlinks(&rd) > 0;
}

bool reader_on_link(struct tui *t)
{
    reader_sync(t);
    return rd.link >= 0;
}

bool reader_can_go_back(struct tui *t)
{
    (void)t;
    return rd.nback > 0;
}

bool reader_has_code(struct tui *t)
{
    reader_sync(t);
    return rd_ncodes(&rd) > 0;
}

bool reader_on_code_block(struct tui *t)
{
    reader_sync(t);
    return rd_current_code(&rd) >= 0;
}

bool reader_on_lua_block(struct tui *t)
{
    reader_sync(t);
    int c = rd_current_code(&rd);
    return c >= 0 && rd_code_is_lua(&rd.doc->codes[c]);
}

bool reader_has_search(struct tui *t)
{
    (void)t;
    return rd.pat[0] != '\0';
}

bool reader_is_wide(struct tui *t)
{
    reader_sync(t);
    return rd.left > 0 || rd_max_width(&rd) > rd.vieww;
}

/* ---- the pane
 * ----------------------------------------------------------------- */

/* The search prompt: typing searches as you go from where the view was;
 * Enter keeps the match, Esc goes back.  Every key is taken meanwhile. */
static bool reader_key(struct tui *t, int ch, bool code)
{
    struct reader *r = &rd;
    if (!r->prompt)
        return false;
    size_t n = strlen(r->pat);
    bool changed = false;
    if (!code && (ch == '\r' || ch == '\n')) {
        r->prompt = false;
        if (r->pat[0] && r->mline < 0)
            tui_message(t, R_WARN, "Not found: %s", r->pat);
        return true;
    }
    if (code && ch == KEY_ENTER) {
        r->prompt = false;
        return true;
    }
    if (!code && (ch == 27 || ch == 3 || ch == 7)) { /* Esc, Ctrl-C/G */
        r->prompt = false;
        memcpy(r->pat, r->old_pat, sizeof r->pat);
        r->top = r->prompt_top;
        r->mline = -1;
        rd_clamp(r);
        return true;
    }
    if ((code && ch == KEY_BACKSPACE) || (!code && (ch == 127 || ch == 8))) {
        if (n == 0) {
            return reader_key(t, 27, false);
        }
        while (n > 0 && ((unsigned char)r->pat[n - 1] & 0xC0) == 0x80)
            n--; /* a UTF-8 continuation byte */
        r->pat[n > 0 ? n - 1 : 0] = '\0';
        changed = true;
    } else if (!code && ch == 21) { /* Ctrl-U */
        r->pat[0] = '\0';
        changed = true;
    } else if (!code && ch >= 32 && ch != 127) {
        char u[4];
        int k = viz_utf8_encode((uint32_t)ch, u);
        if (n + (size_t)k < sizeof r->pat) {
            memcpy(r->pat + n, u, (size_t)k);
            r->pat[n + (size_t)k] = '\0';
            changed = true;
        }
    }
    if (changed) {
        bool wrapped;
        r->top = r->prompt_top;
        r->mline = -1;
        rd_clamp(r);
        if (r->pat[0])
            rd_find(r, 1, true, &wrapped);
    }
    return true;
}

static bool reader_raw(struct tui *t)
{
    (void)t;
    return rd.prompt;
}

static void reader_focus(struct tui *t, bool on)
{
    if (!on && rd.prompt)
        reader_key(t, '\r', false);
}

/* The wheel scrolls; a click on a link follows it, on a code block
 * makes it current. */
static void reader_mouse(struct tui *t, int dir, int y, int x)
{
    struct reader *r = &rd;
    if (dir) {
        reader_scroll(t, 3 * dir);
        return;
    }
    reader_sync(t);
    int line = r->top + y;
    if (line < 0 || line >= rd_nlines(r) || y >= r->height)
        return;
    const struct md_line *l = &r->doc->lines[line];
    int col = x - r->gutter + r->left;
    for (int i = 0; i < l->nruns; i++) {
        const struct md_run *run = &l->runs[i];
        if (run->link >= 0 && col >= run->col && col < run->col + run->width) {
            r->link = run->link;
            reader_follow(t);
            return;
        }
    }
    if (l->code >= 0)
        r->code = l->code;
}

const struct pane_ops reader_pane = {
    .title = "Read",
    .draw = reader_draw,
    .key = reader_key,
    .focus = reader_focus,
    .mouse = reader_mouse,
    .raw = reader_raw,
};
