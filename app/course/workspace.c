/* workspace.c — the learner's folder and progress file. */
#include "course/workspace.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int workspace_open(struct workspace *w, const char *dir, char *err, size_t n)
{
    char path[PATH_MAX];
    const char *env = getenv("SEQLAB_WORKSPACE");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    w->dir = NULL;
    if (dir && *dir)
        snprintf(path, sizeof path, "%s", dir);
    else if (env && *env)
        snprintf(path, sizeof path, "%s", env);
    else if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/seqlab", xdg);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.local/share/seqlab", home);
    else {
        snprintf(err, n, "no workspace: set --workspace, SEQLAB_WORKSPACE "
                         "or HOME");
        return -1;
    }
    char real[PATH_MAX];
    if (mkdir_p(path) != 0 || !realpath(path, real)) {
        snprintf(err, n, "cannot create the workspace %s: %s", path,
                 strerror(errno));
        return -1;
    }
    w->dir = strdup(real);
    if (!w->dir) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    return 0;
}

void workspace_close(struct workspace *w)
{
    free(w->dir);
    w->dir = NULL;
}

char *workspace_file(const struct workspace *w, const struct course_item *ex)
{
    size_t n = strlen(w->dir) + strlen(ex->week->id) + strlen(ex->name) + 8;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s/%s.lua", w->dir, ex->week->id, ex->name);
    return p;
}

int write_atomic(const char *path, const char *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
        (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    bool ok = fwrite(data, 1, len, f) == len && fflush(f) == 0 &&
              fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

int copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = slurp(from, &len);
    if (!data)
        return -1;
    int r = write_atomic(to, data, len);
    free(data);
    return r;
}

static int ensure_parent(const char *file)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    return mkdir_p(dir);
}

int workspace_ensure(const struct workspace *w, const struct course_item *ex,
                     char *err, size_t n)
{
    char *file = workspace_file(w, ex);
    char *starter = course_path(ex, COURSE_STARTER);
    int r = 0;
    struct stat st;
    if (!file || !starter) {
        snprintf(err, n, "out of memory");
        r = -1;
    } else if (stat(file, &st) != 0) {
        if (ensure_parent(file) != 0 || copy_file(starter, file) != 0) {
            snprintf(err, n, "cannot copy %s to %s: %s", starter, file,
                     strerror(errno));
            r = -1;
        } else {
            r = 1;
        }
    }
    free(file);
    free(starter);
    return r;
}

int workspace_reset(const struct workspace *w, const struct course_item *ex,
                    char *err, size_t n)
{
    char *file = workspace_file(w, ex);
    char *starter = course_path(ex, COURSE_STARTER);
    char bak[PATH_MAX];
    int r = 0;
    struct stat st;
    if (!file || !starter) {
        snprintf(err, n, "out of memory");
        r = -1;
        goto done;
    }
    if (stat(file, &st) == 0) {
        snprintf(bak, sizeof bak, "%s.bak", file);
        if (rename(file, bak) != 0) {
            snprintf(err, n, "cannot keep a backup of %s: %s", file,
                     strerror(errno));
            r = -1;
            goto done;
        }
    }
    if (ensure_parent(file) != 0 || copy_file(starter, file) != 0) {
        snprintf(err, n, "cannot restore %s: %s", file, strerror(errno));
        r = -1;
    }
done:
    free(file);
    free(starter);
    return r;
}

/* ---- progress ------------------------------------------------------------ */

const char *ex_status_name(enum ex_status s)
{
    static const char *const n[] = {"todo", "pass", "fail", "error"};
    return (unsigned)s < 4 ? n[s] : "todo";
}

static char *progress_path(const struct workspace *w)
{
    size_t n = strlen(w->dir) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/.seqlab/progress", w->dir);
    return p;
}

struct progress_rec *progress_get(struct progress *p, const char *id)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->recs[i].id, id))
            return &p->recs[i];
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 32;
        struct progress_rec *r = realloc(p->recs, sizeof *r * (size_t)cap);
        if (!r)
            return NULL;
        p->recs = r;
        p->cap = cap;
    }
    struct progress_rec *r = &p->recs[p->n];
    memset(r, 0, sizeof *r);
    r->id = strdup(id);
    if (!r->id)
        return NULL;
    p->n++;
    return r;
}

/* One record per line: id, status, best, max, hints, solution viewed
 * (0/1), tab separated.  Lines starting with # are comments. */
void progress_load(struct progress *p, const struct workspace *w)
{
    memset(p, 0, sizeof *p);
    char *path = progress_path(w);
    char *text = path ? slurp(path, NULL) : NULL;
    free(path);
    if (!text)
        return;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char id[256], status[16];
        double best, max;
        int hints, sol;
        if (line[0] == '#' ||
            sscanf(line, "%255[^\t]\t%15[^\t]\t%lf\t%lf\t%d\t%d", id, status,
                   &best, &max, &hints, &sol) != 6)
            continue;
        struct progress_rec *r = progress_get(p, id);
        if (!r)
            break;
        r->status = EX_TODO;
        for (int s = 0; s < 4; s++)
            if (!strcmp(status, ex_status_name((enum ex_status)s)))
                r->status = (enum ex_status)s;
        r->best = best;
        r->max = max;
        r->hints = hints < 0 ? 0 : hints > 3 ? 3 : hints;
        r->solution_viewed = sol != 0;
    }
    free(text);
}

int progress_save(const struct progress *p, const struct workspace *w)
{
    size_t cap = 128, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    len += (size_t)snprintf(buf, cap,
                            "# seqlab progress: id status best max hints "
                            "solution_viewed\n");
    for (int i = 0; i < p->n; i++) {
        const struct progress_rec *r = &p->recs[i];
        size_t need = strlen(r->id) + 96;
        if (len + need > cap) {
            while (len + need > cap)
                cap *= 2;
            char *b2 = realloc(buf, cap);
            if (!b2) {
                free(buf);
                return -1;
            }
            buf = b2;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s\t%s\t%g\t%g\t%d\t%d\n",
                                r->id, ex_status_name(r->status), r->best,
                                r->max, r->hints, r->solution_viewed);
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/.seqlab", w->dir);
    char *path = progress_path(w);
    int rc = (mkdir_p(dir) == 0 && path) ? write_atomic(path, buf, len) : -1;
    free(path);
    free(buf);
    return rc;
}

void progress_free(struct progress *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->recs[i].id);
    free(p->recs);
    memset(p, 0, sizeof *p);
}
