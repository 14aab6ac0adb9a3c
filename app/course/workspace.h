/* workspace.h — where a learner's work lives: copies of the starters (one
 * folder per week) and a plain-text progress file, written atomically so a
 * crash never loses progress.  A missing or corrupt progress file is
 * rebuilt from a `check --all`, never an error. */
#ifndef SEQLAB_WORKSPACE_H
#define SEQLAB_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "course/course.h"

struct workspace {
    char *dir; /* absolute */
};

/* --workspace DIR, $SEQLAB_WORKSPACE, $XDG_DATA_HOME/seqlab or
 * ~/.local/share/seqlab; created if missing.  -1 with err on failure. */
int workspace_open(struct workspace *w, const char *dir, char *err,
                   size_t n);
void workspace_close(struct workspace *w);
/* <dir>/<week id>/<name>.lua (malloc'd). */
char *workspace_file(const struct workspace *w, const struct course_item *ex);
/* Copies the starter in if the learner has no copy yet.  1 if copied,
 * 0 if it was there, -1 with err on failure. */
int workspace_ensure(const struct workspace *w, const struct course_item *ex,
                     char *err, size_t n);
/* Restores the starter; an existing copy is kept as <file>.bak. */
int workspace_reset(const struct workspace *w, const struct course_item *ex,
                    char *err, size_t n);
/* Writes data to path through a temporary file and a rename. */
int write_atomic(const char *path, const char *data, size_t len);
int copy_file(const char *from, const char *to);

/* ---- progress ------------------------------------------------------------ */
enum ex_status { EX_TODO, EX_PASS, EX_FAIL, EX_ERROR };

struct progress_rec {
    char *id;
    enum ex_status status; /* of the last check */
    double best, max;      /* best score seen */
    int hints;             /* highest hint level shown */
    bool solution_viewed;
};

struct progress {
    int n, cap;
    struct progress_rec *recs;
};

/* Reads <dir>/.seqlab/progress; unreadable lines are skipped. */
void progress_load(struct progress *p, const struct workspace *w);
int progress_save(const struct progress *p, const struct workspace *w);
void progress_free(struct progress *p);
/* The record for id, created (EX_TODO) if missing; NULL only on OOM. */
struct progress_rec *progress_get(struct progress *p, const char *id);
const char *ex_status_name(enum ex_status s);

#endif
