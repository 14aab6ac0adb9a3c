/* cmd_verify.c — `seqlab dev verify`: checks a course the way CI should.
 * The manifest loads (every file it names exists), links between pages
 * point at real items, every starter loads and fails its tests, and every
 * reference solution passes all of them, hidden tests included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "course/course.h"
#include "grade/grade.h"

/* Every "](target)" in a page whose target looks like an item id (no
 * scheme, no slash, contains a '.') must name an item. */
static int check_links(const struct course *c, const struct course_item *it)
{
    char *path = course_path(it, COURSE_PAGE);
    char *text = path ? slurp(path, NULL) : NULL;
    int bad = 0;
    for (char *p = text; p && (p = strstr(p, "](")) != NULL; p += 2) {
        char *end = strchr(p + 2, ')');
        if (!end)
            break;
        size_t len = (size_t)(end - (p + 2));
        char target[256];
        if (len == 0 || len >= sizeof target)
            continue;
        memcpy(target, p + 2, len);
        target[len] = '\0';
        if (strstr(target, "://") || strchr(target, '/') ||
            target[0] == '#' || !strchr(target, '.') ||
            strstr(target, ".md"))
            continue;
        if (!course_find(c, target)) {
            printf("  FAIL %-32s broken link to '%s'\n", it->id, target);
            bad++;
        }
    }
    free(text);
    free(path);
    return bad;
}

static int grade_file(const struct course *c, const struct course_item *ex,
                      enum course_file which, struct grade_result *r)
{
    char *learner = course_path(ex, which);
    char *tests = course_path(ex, COURSE_TESTS);
    struct grade_request q = {
        .exercise = ex->id,
        .learner = learner,
        .tests = tests,
        .lesson_dir = ex->lesson->dir,
        .course_root = c->root,
        .timeout = ex->timeout,
    };
    int st = learner && tests ? grade_run(r, &q) : -1;
    free(learner);
    free(tests);
    return st;
}

static const char *first_problem(const struct grade_result *r)
{
    if (r->message)
        return r->message;
    for (int i = 0; i < r->ntests; i++)
        if (r->tests[i].status != TEST_PASS)
            return r->tests[i].message ? r->tests[i].message
                                       : r->tests[i].name;
    return "";
}

int seqlab_cmd_dev(int argc, char **argv)
{
    const char *dir = NULL;
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        fprintf(stderr, "usage: seqlab dev verify [--course DIR]\n");
        return 64;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--course") && i + 1 < argc)
            dir = argv[++i];
        else if (!strncmp(argv[i], "--course=", 9))
            dir = argv[i] + 9;
        else {
            fprintf(stderr, "usage: seqlab dev verify [--course DIR]\n");
            return 64;
        }
    }
    char *root = course_locate(dir);
    if (!root) {
        fprintf(stderr, "seqlab: cannot find the course (give --course "
                        "DIR)\n");
        return 2;
    }
    struct course c;
    char err[512];
    if (course_load(&c, root, err, sizeof err) != 0) {
        printf("  FAIL manifest: %s\nverify: the manifest does not load\n",
               err);
        free(root);
        return 1;
    }
    free(root);
    int nex = 0, npages = 0, problems = 0;
    printf("course: %s (%s)\n", c.title, c.root);
    for (int i = 0; i < c.nitems; i++) {
        const struct course_item *it = &c.items[i];
        if (!it->is_exercise) {
            npages++;
            problems += check_links(&c, it);
            continue;
        }
        nex++;
        struct grade_result s, sol;
        if (grade_file(&c, it, COURSE_STARTER, &s) != 0 ||
            grade_file(&c, it, COURSE_SOLUTION, &sol) != 0) {
            printf("  FAIL %-32s cannot run the grader\n", it->id);
            problems++;
            continue;
        }
        bool starter_ok = s.status == GRADE_FAIL;
        bool solution_ok = sol.status == GRADE_PASS &&
                           sol.score == sol.max_score && sol.ntests > 0;
        if (starter_ok && solution_ok) {
            printf("  ok   %-32s starter fails (%g/%g), solution passes "
                   "(%g/%g, %d tests)\n",
                   it->id, s.score, s.max_score, sol.score, sol.max_score,
                   sol.ntests);
        } else {
            if (!starter_ok)
                printf("  FAIL %-32s starter %s: %s\n", it->id,
                       s.status == GRADE_PASS ? "passes its tests"
                                              : grade_status_name(s.status),
                       s.status == GRADE_PASS ? "(it must fail)"
                                              : first_problem(&s));
            if (!solution_ok) {
                printf("  FAIL %-32s solution %s (%g/%g): %s\n", it->id,
                       grade_status_name(sol.status), sol.score,
                       sol.max_score, first_problem(&sol));
                for (int k = 0; k < sol.ntests; k++)
                    if (sol.tests[k].status != TEST_PASS && k > 0)
                        printf("       also: %s\n", sol.tests[k].name);
            }
            problems += !starter_ok + !solution_ok;
        }
        grade_result_free(&s);
        grade_result_free(&sol);
    }
    printf("verify: %d pages, %d exercises, %d problem%s\n", npages, nex,
           problems, problems == 1 ? "" : "s");
    course_free(&c);
    return problems ? 1 : 0;
}
