/* cmd_course.c — the course commands of the CLI: list, read, check (grade),
 * hint, solution, reset and dev verify.  They share option parsing, course
 * and workspace opening, and the exit codes: 0 all pass, 1 some fail, 2
 * error, 64 usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "course/course.h"
#include "course/markdown.h"
#include "course/workspace.h"
#include "grade/grade.h"
#include "grade/grade_item.h"

#define EXIT_USAGE 64

/* ---- shared setup ---------------------------------------------------------- */

struct ctx {
    struct course course;
    struct workspace ws;
    struct progress prog;
    bool have_course, have_ws;
    bool color;
};

/* Pulls "--course DIR" and "--workspace DIR" (also "--opt=DIR") out of
 * argv, compacting the rest.  Returns the new argc or -1. */
static int take_opt(int argc, char **argv, const char *name, const char **out)
{
    size_t nl = strlen(name);
    int j = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], name)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "seqlab: %s needs a value\n", name);
                return -1;
            }
            *out = argv[++i];
        } else if (!strncmp(argv[i], name, nl) && argv[i][nl] == '=') {
            *out = argv[i] + nl + 1;
        } else {
            argv[j++] = argv[i];
        }
    }
    return j;
}

static bool has_flag(int *argc, char **argv, const char *flag)
{
    for (int i = 0; i < *argc; i++)
        if (!strcmp(argv[i], flag)) {
            memmove(argv + i, argv + i + 1,
                    sizeof(char *) * (size_t)(*argc - i - 1));
            (*argc)--;
            return true;
        }
    return false;
}

static int open_ctx(struct ctx *c, int *argc, char **argv, bool need_ws)
{
    const char *course_dir = NULL, *ws_dir = NULL;
    char err[512];
    memset(c, 0, sizeof *c);
    c->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if ((*argc = take_opt(*argc, argv, "--course", &course_dir)) < 0 ||
        (*argc = take_opt(*argc, argv, "--workspace", &ws_dir)) < 0)
        return EXIT_USAGE;
    char *root = course_locate(course_dir);
    if (!root) {
        fprintf(stderr, "seqlab: cannot find the course (give --course DIR "
                        "or set SEQLAB_COURSE)\n");
        return 2;
    }
    if (course_load(&c->course, root, err, sizeof err) != 0) {
        fprintf(stderr, "seqlab: %s\n", err);
        free(root);
        return 2;
    }
    free(root);
    c->have_course = true;
    if (need_ws) {
        if (workspace_open(&c->ws, ws_dir, err, sizeof err) != 0) {
            fprintf(stderr, "seqlab: %s\n", err);
            return 2;
        }
        c->have_ws = true;
        progress_load(&c->prog, &c->ws);
    }
    return 0;
}

static void close_ctx(struct ctx *c)
{
    if (c->have_ws) {
        progress_free(&c->prog);
        workspace_close(&c->ws);
    }
    if (c->have_course)
        course_free(&c->course);
}

static const struct course_item *find_item(struct ctx *c, const char *id,
                                           bool want_exercise)
{
    const struct course_item *it = course_find(&c->course, id);
    if (!it) {
        fprintf(stderr,
                "seqlab: no %s '%s' in the course (`seqlab list` shows "
                "them)\n",
                want_exercise ? "exercise" : "page", id);
        return NULL;
    }
    if (want_exercise && !it->is_exercise) {
        fprintf(stderr, "seqlab: %s is a page, not an exercise\n", it->id);
        return NULL;
    }
    return it;
}

static bool unknown_options(int argc, char **argv, const char *cmd)
{
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "seqlab %s: unknown option '%s'\n", cmd, argv[i]);
            return true;
        }
    return false;
}

/* ---- list -------------------------------------------------------------------- */

int seqlab_cmd_list(int argc, char **argv)
{
    struct ctx c;
    argc--, argv++;
    int rc = open_ctx(&c, &argc, argv, true);
    if (rc)
        goto out;
    bool json = has_flag(&argc, argv, "--json");
    bool pending = has_flag(&argc, argv, "--pending");
    bool done = has_flag(&argc, argv, "--done");
    int week = 0;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--week") && i + 1 < argc) {
            week = atoi(argv[i + 1]);
            memmove(argv + i, argv + i + 2,
                    sizeof(char *) * (size_t)(argc - i - 2));
            argc -= 2;
            break;
        }
    if (unknown_options(argc, argv, "list") || argc > 0) {
        fprintf(stderr, "usage: seqlab list [--week N] [--pending|--done] "
                        "[--json]\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (json)
        printf("{\"course\": ");
    if (json) {
        json_write_string(stdout, c.course.title);
        printf(", \"workspace\": ");
        json_write_string(stdout, c.ws.dir);
        printf(", \"items\": [");
    } else {
        printf("%s — workspace: %s\n", c.course.title, c.ws.dir);
    }
    int shown = 0;
    for (int i = 0; i < c.course.nitems; i++) {
        const struct course_item *it = &c.course.items[i];
        if (week && it->week->number != week)
            continue;
        struct progress_rec *r = it->is_exercise
                                     ? progress_get(&c.prog, it->id)
                                     : NULL;
        bool is_done = r && r->status == EX_PASS;
        if ((pending && (!it->is_exercise || is_done)) ||
            (done && !is_done))
            continue;
        if (json) {
            printf("%s{\"id\": ", shown ? ", " : "");
            json_write_string(stdout, it->id);
            printf(", \"kind\": \"%s\", \"week\": %d, \"lesson\": ",
                   it->is_exercise ? "exercise" : "page", it->week->number);
            json_write_string(stdout, it->lesson->id);
            printf(", \"title\": ");
            json_write_string(stdout, it->title);
            if (r)
                printf(", \"status\": \"%s\", \"best\": %g, \"max\": %g",
                       ex_status_name(r->status), r->best, r->max);
            printf("}");
        } else {
            if (i == 0 || c.course.items[i - 1].week != it->week)
                printf("\nWeek %d: %s\n", it->week->number, it->week->title);
            printf("  %-6s %-34s %s", r ? ex_status_name(r->status) : "page",
                   it->id, it->title);
            if (r && r->max > 0)
                printf("  (%g/%g)", r->best, r->max);
            printf("\n");
        }
        shown++;
    }
    if (json)
        printf("]}\n");
out:
    close_ctx(&c);
    return rc;
}

/* ---- read ---------------------------------------------------------------------- */

static int term_width(void)
{
    const char *cols = getenv("COLUMNS");
    int w = cols ? atoi(cols) : 0;
    return w >= 20 && w <= 1000 ? w : 80;
}

int seqlab_cmd_read(int argc, char **argv)
{
    struct ctx c;
    argc--, argv++;
    int rc = open_ctx(&c, &argc, argv, false);
    if (rc)
        goto out;
    bool plain = has_flag(&argc, argv, "--plain");
    bool ascii = has_flag(&argc, argv, "--ascii");
    if (unknown_options(argc, argv, "read") || argc != 1) {
        fprintf(stderr, "usage: seqlab read PAGE [--plain] [--ascii]\n");
        rc = EXIT_USAGE;
        goto out;
    }
    const struct course_item *it = find_item(&c, argv[0], false);
    if (!it) {
        rc = EXIT_USAGE;
        goto out;
    }
    /* an exercise reads as its starter file, whose comments explain it */
    char *path = course_path(it, it->is_exercise ? COURSE_STARTER
                                                 : COURSE_PAGE);
    size_t len = 0;
    char *text = path ? slurp(path, &len) : NULL;
    if (!text) {
        fprintf(stderr, "seqlab: cannot read %s: %s\n", path ? path : "?",
                strerror(errno));
        free(path);
        rc = 2;
        goto out;
    }
    free(path);
    if (it->is_exercise) {
        printf("%s (%s): exercise; `seqlab check %s` grades it\n\n", it->title,
               it->id, it->id);
        fwrite(text, 1, len, stdout);
    } else if (!plain && isatty(STDOUT_FILENO) && !getenv("NO_COLOR")) {
        md_render_ansi(stdout, text, len, term_width(), ascii);
    } else {
        md_render_plain(stdout, text, len, term_width(), ascii);
    }
    free(text);
out:
    close_ctx(&c);
    return rc;
}

/* ---- check -------------------------------------------------------------------- */

int seqlab_cmd_check(int argc, char **argv)
{
    struct ctx c;
    argc--, argv++;
    int rc = open_ctx(&c, &argc, argv, true);
    const char *file = NULL, *junit = NULL;
    struct grade_result *rs = NULL;
    int n = 0;
    if (rc)
        goto out;
    bool json = has_flag(&argc, argv, "--json");
    bool all = has_flag(&argc, argv, "--all");
    bool exit_zero = has_flag(&argc, argv, "--exit-zero");
    if ((argc = take_opt(argc, argv, "--file", &file)) < 0 ||
        (argc = take_opt(argc, argv, "--junit", &junit)) < 0 ||
        unknown_options(argc, argv, "check") || (all ? argc != 0 : argc != 1) ||
        (all && file)) {
        fprintf(stderr, "usage: seqlab check EXERCISE [--file PATH] [--json "
                        "| --junit FILE] [--exit-zero]\n"
                        "       seqlab check --all [--json | --junit FILE]\n");
        rc = EXIT_USAGE;
        goto out;
    }
    const struct course_item *one = NULL;
    if (!all && !(one = find_item(&c, argv[0], true))) {
        rc = EXIT_USAGE;
        goto out;
    }
    rs = calloc((size_t)c.course.nitems + 1, sizeof *rs);
    if (!rs) {
        rc = 2;
        goto out;
    }
    bool any_fail = false, any_error = false;
    double score = 0, max = 0;
    for (int i = 0; i < c.course.nitems; i++) {
        const struct course_item *ex = &c.course.items[i];
        if (!ex->is_exercise || (one && ex != one))
            continue;
        char err[512];
        if (grade_item(&rs[n], &c.course, &c.ws, ex, file, err,
                       sizeof err) != 0) {
            fprintf(stderr, "seqlab: %s\n", err);
            rc = 2;
            goto out;
        }
        const struct grade_result *r = &rs[n++];
        if (!file)
            progress_record(&c.prog, r);
        any_fail |= r->status == GRADE_FAIL;
        any_error |= r->status > GRADE_FAIL;
        score += r->score;
        max += r->max_score;
        if (!json)
            grade_write_text(stdout, r, c.color);
    }
    if (!file && progress_save(&c.prog, &c.ws) != 0)
        fprintf(stderr, "seqlab: warning: cannot save progress in %s: %s\n",
                c.ws.dir, strerror(errno));
    if (json) {
        if (!all) {
            struct progress_rec *p = progress_get(&c.prog, one->id);
            struct grade_meta meta = {p ? p->hints : 0,
                                      p && p->solution_viewed};
            grade_write_json(stdout, &rs[0], &meta);
            printf("\n");
        } else {
            printf("{\"version\": 3, \"status\": \"%s\", \"score\": %g, "
                   "\"max_score\": %g, \"workspace\": ",
                   any_error ? "error" : any_fail ? "fail" : "pass", score,
                   max);
            json_write_string(stdout, c.ws.dir);
            printf(", \"exercises\": [");
            for (int i = 0; i < n; i++) {
                struct progress_rec *p = progress_get(&c.prog, rs[i].exercise);
                struct grade_meta meta = {p ? p->hints : 0,
                                          p && p->solution_viewed};
                if (i)
                    printf(", ");
                grade_write_json(stdout, &rs[i], &meta);
            }
            printf("]}\n");
        }
    } else if (all) {
        printf("\n%g/%g points across %d exercises; workspace: %s\n", score,
               max, n, c.ws.dir);
    }
    if (junit && grade_write_junit(junit, rs, n) != 0) {
        fprintf(stderr, "seqlab: cannot write %s: %s\n", junit,
                strerror(errno));
        rc = 2;
        goto out;
    }
    rc = exit_zero ? 0 : any_error ? 2 : any_fail ? 1 : 0;
out:
    for (int i = 0; i < n; i++)
        grade_result_free(&rs[i]);
    free(rs);
    close_ctx(&c);
    return rc;
}

/* ---- hint, solution, reset -------------------------------------------------------- */

int seqlab_cmd_hint(int argc, char **argv)
{
    struct ctx c;
    argc--, argv++;
    int rc = open_ctx(&c, &argc, argv, true);
    const char *lv = NULL;
    if (rc)
        goto out;
    if ((argc = take_opt(argc, argv, "--level", &lv)) < 0 ||
        unknown_options(argc, argv, "hint") || argc != 1) {
        fprintf(stderr, "usage: seqlab hint EXERCISE [--level N]\n");
        rc = EXIT_USAGE;
        goto out;
    }
    const struct course_item *ex = find_item(&c, argv[0], true);
    if (!ex) {
        rc = EXIT_USAGE;
        goto out;
    }
    char *hints[3] = {NULL, NULL, NULL};
    int nh = course_hints(ex, hints, 3);
    struct progress_rec *p = progress_get(&c.prog, ex->id);
    if (nh == 0) {
        printf("%s has no hints.\n", ex->id);
        goto out;
    }
    /* without --level: the next hint not seen yet */
    int level = lv ? atoi(lv) : (p ? p->hints + 1 : 1);
    if (level < 1)
        level = 1;
    if (level > nh)
        level = nh;
    for (int i = 0; i < level; i++)
        printf("%s%s\n", i ? "\n" : "", hints[i]);
    if (level < nh)
        printf("\n(%d more: seqlab hint %s --level %d)\n", nh - level, ex->id,
               level + 1);
    if (p && level > p->hints) {
        p->hints = level;
        progress_save(&c.prog, &c.ws);
    }
    for (int i = 0; i < nh; i++)
        free(hints[i]);
out:
    close_ctx(&c);
    return rc;
}

int seqlab_cmd_solution(int argc, char **argv)
{
    struct ctx c;
    argc--, argv++;
    int rc = open_ctx(&c, &argc, argv, true);
    if (rc)
        goto out;
    bool force = has_flag(&argc, argv, "--force");
    if (unknown_options(argc, argv, "solution") || argc != 1) {
        fprintf(stderr, "usage: seqlab solution EXERCISE [--force]\n");
        rc = EXIT_USAGE;
        goto out;
    }
    const struct course_item *ex = find_item(&c, argv[0], true);
    if (!ex) {
        rc = EXIT_USAGE;
        goto out;
    }
    struct progress_rec *p = progress_get(&c.prog, ex->id);
    if (!force && !(p && p->status == EX_PASS)) {
        fprintf(stderr,
                "seqlab: the reference solution opens after your %s passes "
                "(`seqlab check %s`), or with --force (recorded in your "
                "progress)\n",
                ex->id, ex->id);
        rc = 1;
        goto out;
    }
    char *path = course_path(ex, COURSE_SOLUTION);
    size_t len = 0;
    char *text = path ? slurp(path, &len) : NULL;
    free(path);
    if (!text) {
        fprintf(stderr, "seqlab: cannot read the solution: %s\n",
                strerror(errno));
        rc = 2;
        goto out;
    }
    fwrite(text, 1, len, stdout);
    free(text);
    if (p && !p->solution_viewed) {
        p->solution_viewed = true;
        progress_save(&c.prog, &c.ws);
    }
out:
    close_ctx(&c);
    return rc;
}

int seqlab_cmd_reset(int argc, char **argv)
{
    struct ctx c;
    char err[512];
    argc--, argv++;
    int rc = open_ctx(&c, &argc, argv, true);
    if (rc)
        goto out;
    bool all = has_flag(&argc, argv, "--all");
    if (unknown_options(argc, argv, "reset") || (all ? argc != 0 : argc != 1)) {
        fprintf(stderr, "usage: seqlab reset EXERCISE | --all\n");
        rc = EXIT_USAGE;
        goto out;
    }
    const struct course_item *one = NULL;
    if (!all && !(one = find_item(&c, argv[0], true))) {
        rc = EXIT_USAGE;
        goto out;
    }
    for (int i = 0; i < c.course.nitems; i++) {
        const struct course_item *ex = &c.course.items[i];
        if (!ex->is_exercise || (one && ex != one))
            continue;
        if (workspace_reset(&c.ws, ex, err, sizeof err) != 0) {
            fprintf(stderr, "seqlab: %s\n", err);
            rc = 2;
            goto out;
        }
        char *f = workspace_file(&c.ws, ex);
        printf("reset %s (the previous version is in %s.bak)\n",
               f ? f : ex->id, f ? f : ex->id);
        free(f);
        struct progress_rec *p = progress_get(&c.prog, ex->id);
        if (p)
            p->status = EX_TODO;
    }
    progress_save(&c.prog, &c.ws);
out:
    close_ctx(&c);
    return rc;
}
