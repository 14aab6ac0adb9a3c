/* course.h — the course as data: the manifest (course.lua) loaded into
 * weeks -> lessons -> items (pages and exercises), and where each item's
 * files live.  See docs/course-format.md. */
#ifndef SEQLAB_COURSE_H
#define SEQLAB_COURSE_H

#include <stdbool.h>
#include <stddef.h>

struct course_week;
struct course_lesson;

struct course_item {
    char *id;     /* "w1.rnn_cell_forward" */
    char *name;   /* "rnn_cell_forward" (page or exercise name) */
    char *title;
    bool is_exercise;
    double timeout; /* seconds, exercises only */
    struct course_lesson *lesson;
    struct course_week *week;
};

struct course_lesson {
    char *id, *title;
    char *dir; /* absolute */
    int nitems;
    struct course_item **items; /* into course.items */
    struct course_week *week;
};

struct course_week {
    char *id, *title;
    int number; /* 1-based */
    int nlessons;
    struct course_lesson *lessons;
};

struct course {
    char *root; /* absolute path of the course folder */
    char *title;
    int nweeks;
    struct course_week *weeks;
    int nitems;
    struct course_item *items; /* every item, in course order */
};

enum course_file {
    COURSE_PAGE,     /* dir/<name>.md */
    COURSE_STARTER,  /* dir/exercises/<name>.lua */
    COURSE_SOLUTION, /* dir/solutions/<name>.lua */
    COURSE_TESTS,    /* dir/tests/<name>.lua */
    COURSE_HINTS,    /* dir/hints/<name>.md */
};

/* Loads root/course.lua in a sandbox.  On failure returns -1 with a
 * message naming the file, the entry and the problem in err. */
int course_load(struct course *c, const char *root, char *err, size_t n);
void course_free(struct course *c);
/* By full id ("w1.rnn_cell_forward") or, when unambiguous, by name. */
const struct course_item *course_find(const struct course *c,
                                      const char *id);
/* A malloc'd path of one of the item's files. */
char *course_path(const struct course_item *it, enum course_file kind);
/* The bundled course: --course, $SEQLAB_COURSE, next to the executable
 * (lessons/, ../lessons/, ../share/seqlab/lessons/), or ./lessons.
 * Returns a malloc'd absolute path or NULL. */
char *course_locate(const char *explicit_dir);

/* Hints: up to three, split at "## " headings of hints/<name>.md.  Returns
 * the number found (0 if the file is missing); each *out[i] is malloc'd. */
int course_hints(const struct course_item *it, char **out, int max);

/* Reads a whole file into a malloc'd NUL-terminated buffer (NULL on
 * failure, errno set). */
char *slurp(const char *path, size_t *len);

#endif
