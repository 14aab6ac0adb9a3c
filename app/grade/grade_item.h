/* grade_item.h — grade a course exercise (workspace copy or a given file)
 * and record the result; shared by `seqlab check`, the TUI and tests. */
#ifndef SEQLAB_GRADE_ITEM_H
#define SEQLAB_GRADE_ITEM_H

#include <stddef.h>

#include "course/course.h"
#include "course/workspace.h"
#include "grade/grade.h"

/* file == NULL: the learner's workspace copy.  -1 with err when grading
 * could not start (a missing file, out of memory). */
int grade_item(struct grade_result *r, const struct course *c,
               const struct workspace *ws, const struct course_item *ex,
               const char *file, char *err, size_t n);
/* Updates the exercise's progress record (status, best score). */
void progress_record(struct progress *p, const struct grade_result *r);

#endif
