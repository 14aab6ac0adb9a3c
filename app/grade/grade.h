/* grade.h — grading one exercise: the learner's file and the exercise's
 * tests run in a fresh sandboxed Lua state under time and memory limits,
 * and the outcome comes back as plain structs.  The TUI, `seqlab check`
 * and `seqlab dev verify` all call grade_run with the same limits. */
#ifndef SEQLAB_GRADE_H
#define SEQLAB_GRADE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum grade_status {
    GRADE_PASS,
    GRADE_FAIL,
    GRADE_ERROR,
    GRADE_TIMEOUT,
    GRADE_OOM,
};

enum test_status { TEST_PASS, TEST_FAIL, TEST_ERROR, TEST_NOT_RUN };

struct grade_test {
    char *name;
    enum test_status status;
    double points, max_points;
    bool hidden;
    char *message; /* NULL when it passed */
    char *check;   /* "exists", "type", "shape", "values", ... */
    char *expected, *got, *index;
    double max_diff; /* NAN when not a values check */
    char *output;    /* what the test printed */
};

struct grade_result {
    char *exercise; /* id */
    char *file;     /* the file that was graded */
    enum grade_status status;
    char *message;  /* top-level message for error/timeout/oom */
    double score, max_score;
    int ntests;
    struct grade_test *tests;
    char *output;   /* printed while loading the module */
    double duration_ms;
};

struct grade_request {
    const char *exercise;    /* id, for reports */
    const char *learner;     /* the Lua file to grade */
    const char *tests;       /* the exercise's test file */
    const char *lesson_dir;  /* for test_data() */
    const char *course_root; /* readable */
    const char *workspace;   /* readable (NULL: the learner file's folder) */
    double timeout;          /* seconds; 0 = 10 */
    int64_t lua_bytes;       /* 0 = 512 MiB */
    int64_t tensor_bytes;    /* 0 = 1 GiB */
};

/* Never fails in a way the learner can cause: every outcome, including a
 * crash-prone submission, is a status in r.  Returns -1 only when the
 * sandbox itself cannot be created (out of memory). */
int grade_run(struct grade_result *r, const struct grade_request *q);
void grade_result_free(struct grade_result *r);

const char *grade_status_name(enum grade_status s);
const char *test_status_name(enum test_status s);

/* report.c */
struct grade_meta {
    int hints_used;
    bool viewed_solution;
};
/* Human-readable report; colour uses ANSI SGR. */
void grade_write_text(FILE *f, const struct grade_result *r, bool color);
/* One JSON object (exercism's results.json with points and our fields). */
void grade_write_json(FILE *f, const struct grade_result *r,
                      const struct grade_meta *meta);
/* JUnit XML for CI systems: one testsuite per exercise. */
int grade_write_junit(const char *path, const struct grade_result *rs, int n);
/* JSON string escaping (quotes included). */
void json_write_string(FILE *f, const char *s);

#endif
