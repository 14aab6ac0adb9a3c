/* grade_item.c — grading a course exercise the one way every front end
 * uses: the learner's workspace copy (created from the starter on first
 * use) or an explicit file, with the exercise's tests and time limit; and
 * recording the outcome in the progress file's record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"
#include "grade/grade_item.h"

int grade_item(struct grade_result *r, const struct course *c,
               const struct workspace *ws, const struct course_item *ex,
               const char *file, char *err, size_t n)
{
    char *learner = NULL;
    if (file) {
        learner = realpath(file, NULL);
        if (!learner) {
            snprintf(err, n, "%s: %s", file, strerror(errno));
            return -1;
        }
    } else {
        if (workspace_ensure(ws, ex, err, n) < 0)
            return -1;
        learner = workspace_file(ws, ex);
    }
    char *tests = course_path(ex, COURSE_TESTS);
    struct grade_request q = {
        .exercise = ex->id,
        .learner = learner,
        .tests = tests,
        .lesson_dir = ex->lesson->dir,
        .course_root = c->root,
        .workspace = file ? NULL : ws->dir,
        .timeout = ex->timeout,
    };
    int st = learner && tests ? grade_run(r, &q) : -1;
    if (st != 0)
        snprintf(err, n, "cannot grade %s (out of memory)", ex->id);
    free(learner);
    free(tests);
    return st;
}

void progress_record(struct progress *p, const struct grade_result *r)
{
    struct progress_rec *rec = progress_get(p, r->exercise);
    if (!rec)
        return;
    rec->status = r->status == GRADE_PASS   ? EX_PASS
                  : r->status == GRADE_FAIL ? EX_FAIL
                                            : EX_ERROR;
    if (rec->max != r->max_score) { /* the tests changed: start over */
        rec->best = r->score;
        rec->max = r->max_score;
    } else if (r->score > rec->best) {
        rec->best = r->score;
    }
}
