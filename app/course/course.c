/* course.c — loads and validates a course manifest.  The manifest is run in
 * a bare Lua state (base, string, table and math libraries, no file, OS or
 * loading functions, an instruction budget), then copied into plain C
 * structs so nothing else needs Lua to walk the course. */
#include "course/course.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (cap - n - 1 == 0) {
            char *b2 = cap > ((size_t)1 << 30) ? NULL : realloc(buf, cap * 2);
            if (!b2) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = b2;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return NULL;
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char *join_path(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* ---- loading ------------------------------------------------------------ */

struct loader {
    lua_State *L;
    const char *file; /* for messages */
    char *err;
    size_t errlen;
    char where[256];
};

static int fail(struct loader *ld, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ld->err, ld->errlen, "%s: %s%s%s", ld->file, ld->where,
             ld->where[0] ? ": " : "", msg);
    return -1;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

/* Reads string field `key` of the table on top; required or optional. */
static int get_string(struct loader *ld, const char *key, bool required,
                      char **out)
{
    int t = lua_getfield(ld->L, -1, key);
    *out = NULL;
    if (t == LUA_TNIL) {
        lua_pop(ld->L, 1);
        return required ? fail(ld, "missing '%s'", key) : 0;
    }
    if (t != LUA_TSTRING) {
        lua_pop(ld->L, 1);
        return fail(ld, "'%s' must be a string, not a %s", key,
                    lua_typename(ld->L, t));
    }
    *out = strdup(lua_tostring(ld->L, -1));
    lua_pop(ld->L, 1);
    return *out ? 0 : fail(ld, "out of memory");
}

static int list_len(struct loader *ld, const char *key, int *n)
{
    int t = lua_getfield(ld->L, -1, key);
    if (t != LUA_TTABLE) {
        lua_pop(ld->L, 1);
        return fail(ld, "'%s' must be a list, not %s", key,
                    t == LUA_TNIL ? "missing" : lua_typename(ld->L, t));
    }
    lua_Integer len = luaL_len(ld->L, -1);
    if (len > 10000) {
        lua_pop(ld->L, 1);
        return fail(ld, "'%s' is too long", key);
    }
    *n = (int)len;
    return 0; /* the list stays on the stack */
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int load_item(struct loader *ld, struct course *c,
                     struct course_week *w, struct course_lesson *l,
                     struct course_item *it)
{
    char *page = NULL, *ex = NULL;
    if (!lua_istable(ld->L, -1))
        return fail(ld, "an item must be a table");
    if (get_string(ld, "page", false, &page) ||
        get_string(ld, "exercise", false, &ex))
        goto bad;
    if (!page == !ex) {
        fail(ld, page ? "an item is either a 'page' or an 'exercise', not "
                        "both"
                      : "an item needs 'page' or 'exercise'");
        goto bad;
    }
    it->is_exercise = ex != NULL;
    it->name = page ? page : ex;
    page = ex = NULL;
    if (!valid_name(it->name))
        return fail(ld, "'%s' is not a valid name (letters, digits, _ and -)",
                    it->name);
    if (get_string(ld, "title", true, &it->title))
        return -1;
    it->timeout = 10;
    if (lua_getfield(ld->L, -1, "timeout") != LUA_TNIL) {
        if (!lua_isnumber(ld->L, -1) || lua_tonumber(ld->L, -1) <= 0 ||
            lua_tonumber(ld->L, -1) > 3600) {
            lua_pop(ld->L, 1);
            return fail(ld, "'timeout' must be a number of seconds (0 to "
                            "3600)");
        }
        it->timeout = lua_tonumber(ld->L, -1);
    }
    lua_pop(ld->L, 1);
    size_t n = strlen(w->id) + strlen(it->name) + 2;
    it->id = malloc(n);
    if (!it->id)
        return fail(ld, "out of memory");
    snprintf(it->id, n, "%s.%s", w->id, it->name);
    it->lesson = l;
    it->week = w;
    for (int i = 0; i < c->nitems; i++)
        if (&c->items[i] != it && c->items[i].id &&
            !strcmp(c->items[i].id, it->id))
            return fail(ld, "duplicate id '%s'", it->id);
    /* the files must exist */
    enum course_file need[] = {COURSE_STARTER, COURSE_SOLUTION, COURSE_TESTS};
    if (!it->is_exercise) {
        char *p = course_path(it, COURSE_PAGE);
        bool ok = p && file_exists(p);
        int r = ok ? 0 : fail(ld, "page file %s is missing", p ? p : "?");
        free(p);
        return r;
    }
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        char *p = course_path(it, need[k]);
        bool ok = p && file_exists(p);
        int r = ok ? 0 : fail(ld, "exercise file %s is missing", p ? p : "?");
        free(p);
        if (r)
            return r;
    }
    return 0;
bad:
    free(page);
    free(ex);
    return -1;
}

static int load_lesson(struct loader *ld, struct course *c,
                       struct course_week *w, struct course_lesson *l,
                       int *next_item)
{
    char *dir = NULL;
    char base[256];
    if (!lua_istable(ld->L, -1))
        return fail(ld, "a lesson must be a table");
    if (get_string(ld, "id", true, &l->id) ||
        get_string(ld, "title", true, &l->title) ||
        get_string(ld, "dir", true, &dir))
        return -1;
    if (!valid_name(l->id)) {
        free(dir);
        return fail(ld, "lesson id '%s' is not a valid name", l->id);
    }
    if (strstr(dir, "..") || dir[0] == '/') {
        int r = fail(ld, "'dir' must be a folder inside the course (got "
                         "'%s')",
                     dir);
        free(dir);
        return r;
    }
    l->dir = join_path(c->root, dir);
    free(dir);
    l->week = w;
    if (!l->dir)
        return fail(ld, "out of memory");
    int n;
    if (list_len(ld, "items", &n))
        return -1;
    if (n == 0) {
        lua_pop(ld->L, 1);
        return fail(ld, "lesson '%s' has no items", l->id);
    }
    l->items = calloc((size_t)n, sizeof *l->items);
    if (!l->items) {
        lua_pop(ld->L, 1);
        return fail(ld, "out of memory");
    }
    memcpy(base, ld->where, sizeof base);
    for (int i = 1; i <= n; i++) {
        snprintf(ld->where, sizeof ld->where, "%.150s.items[%d]", base, i);
        lua_geti(ld->L, -1, i);
        struct course_item *it = &c->items[(*next_item)++];
        l->items[l->nitems++] = it;
        int r = load_item(ld, c, w, l, it);
        lua_pop(ld->L, 1);
        if (r) {
            lua_pop(ld->L, 1);
            return r;
        }
    }
    memcpy(ld->where, base, sizeof base);
    lua_pop(ld->L, 1);
    return 0;
}

/* Counts the items of every lesson (for one allocation of c->items);
 * structural errors are reported by the full pass. */
static int count_items(lua_State *L)
{
    int total = 0;
    if (lua_getfield(L, -1, "weeks") != LUA_TTABLE) {
        lua_pop(L, 1);
        return 0;
    }
    for (lua_Integer wi = 1; lua_geti(L, -1, wi) == LUA_TTABLE; wi++) {
        if (lua_getfield(L, -1, "lessons") == LUA_TTABLE)
            for (lua_Integer li = 1; lua_geti(L, -1, li) == LUA_TTABLE;
                 li++) {
                if (lua_getfield(L, -1, "items") == LUA_TTABLE)
                    total += (int)lua_rawlen(L, -1);
                lua_pop(L, 2);
            }
        lua_pop(L, 3);
    }
    lua_pop(L, 2);
    return total;
}

static int load_course(struct loader *ld, struct course *c)
{
    if (!lua_istable(ld->L, -1))
        return fail(ld, "the manifest must return a table");
    if (get_string(ld, "title", true, &c->title))
        return -1;
    int total = count_items(ld->L);
    c->items = calloc((size_t)(total ? total : 1), sizeof *c->items);
    if (!c->items)
        return fail(ld, "out of memory");
    c->nitems = total;
    int nweeks, next_item = 0;
    if (list_len(ld, "weeks", &nweeks))
        return -1;
    if (nweeks == 0) {
        lua_pop(ld->L, 1);
        return fail(ld, "the course has no weeks");
    }
    c->weeks = calloc((size_t)nweeks, sizeof *c->weeks);
    if (!c->weeks) {
        lua_pop(ld->L, 1);
        return fail(ld, "out of memory");
    }
    for (int wi = 1; wi <= nweeks; wi++) {
        struct course_week *w = &c->weeks[c->nweeks++];
        snprintf(ld->where, sizeof ld->where, "weeks[%d]", wi);
        if (lua_geti(ld->L, -1, wi) != LUA_TTABLE) {
            lua_pop(ld->L, 2);
            return fail(ld, "a week must be a table");
        }
        w->number = wi;
        int r = get_string(ld, "id", false, &w->id);
        if (!r && !w->id) {
            char id[16];
            snprintf(id, sizeof id, "w%d", wi);
            w->id = strdup(id);
        }
        if (!r && !valid_name(w->id))
            r = fail(ld, "week id '%s' is not a valid name", w->id);
        if (!r)
            r = get_string(ld, "title", true, &w->title);
        int nl = 0;
        if (!r)
            r = list_len(ld, "lessons", &nl);
        if (!r) {
            w->lessons = calloc((size_t)(nl ? nl : 1), sizeof *w->lessons);
            if (!w->lessons)
                r = fail(ld, "out of memory");
            for (int li = 1; !r && li <= nl; li++) {
                snprintf(ld->where, sizeof ld->where, "weeks[%d].lessons[%d]",
                         wi, li);
                lua_geti(ld->L, -1, li);
                struct course_lesson *l = &w->lessons[w->nlessons++];
                r = load_lesson(ld, c, w, l, &next_item);
                lua_pop(ld->L, 1);
            }
            lua_pop(ld->L, 1);
        }
        lua_pop(ld->L, 1);
        if (r) {
            lua_pop(ld->L, 1);
            return r;
        }
    }
    lua_pop(ld->L, 1);
    c->nitems = next_item;
    return 0;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    luaL_error(L, "the manifest ran too long");
}

/* A Lua allocator with a cap, so a hostile manifest cannot eat memory. */
struct capped {
    size_t used, cap;
};

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct capped *c = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        c->used -= old;
        return NULL;
    }
    if (nsize > old && c->used + (nsize - old) > c->cap)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        c->used = c->used - old + nsize;
    return p;
}

int course_load(struct course *c, const char *root, char *err, size_t n)
{
    memset(c, 0, sizeof *c);
    char real[PATH_MAX];
    if (!realpath(root, real)) {
        snprintf(err, n, "%s: %s", root, strerror(errno));
        return -1;
    }
    c->root = strdup(real);
    char *file = join_path(real, "course.lua");
    struct capped cap = {0, (size_t)64 << 20};
    lua_State *L = c->root && file ? lua_newstate(capped_alloc, &cap) : NULL;
    if (!L) {
        snprintf(err, n, "%s: out of memory", root);
        free(file);
        course_free(c);
        return -1;
    }
    luaL_requiref(L, "_G", luaopen_base, 1);
    luaL_requiref(L, "string", luaopen_string, 1);
    luaL_requiref(L, "table", luaopen_table, 1);
    luaL_requiref(L, "math", luaopen_math, 1);
    lua_pop(L, 4);
    static const char *const unsafe[] = {"dofile", "loadfile", "load",
                                         "require", "collectgarbage"};
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, unsafe[i]);
    }
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 50000000);
    struct loader ld = {L, file, err, n, ""};
    int r;
    if (luaL_loadfilex(L, file, "t") != LUA_OK ||
        lua_pcall(L, 0, 1, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        if (!msg || !strcmp(msg, "not enough memory"))
            msg = "the manifest uses too much memory";
        if (strstr(msg, "course.lua"))
            snprintf(err, n, "%s", msg);
        else
            snprintf(err, n, "%s: %s", file, msg);
        r = -1;
    } else {
        lua_sethook(L, NULL, 0, 0);
        r = load_course(&ld, c);
    }
    lua_close(L);
    free(file);
    if (r)
        course_free(c);
    return r;
}

void course_free(struct course *c)
{
    for (int i = 0; i < c->nitems; i++) {
        free(c->items[i].id);
        free(c->items[i].name);
        free(c->items[i].title);
    }
    for (int w = 0; w < c->nweeks; w++) {
        struct course_week *wk = &c->weeks[w];
        for (int l = 0; l < wk->nlessons; l++) {
            free(wk->lessons[l].id);
            free(wk->lessons[l].title);
            free(wk->lessons[l].dir);
            free(wk->lessons[l].items);
        }
        free(wk->lessons);
        free(wk->id);
        free(wk->title);
    }
    free(c->weeks);
    free(c->items);
    free(c->title);
    free(c->root);
    memset(c, 0, sizeof *c);
}

const struct course_item *course_find(const struct course *c, const char *id)
{
    const struct course_item *by_name = NULL;
    int named = 0;
    for (int i = 0; i < c->nitems; i++) {
        if (!strcmp(c->items[i].id, id))
            return &c->items[i];
        if (!strcmp(c->items[i].name, id)) {
            by_name = &c->items[i];
            named++;
        }
    }
    return named == 1 ? by_name : NULL;
}

char *course_path(const struct course_item *it, enum course_file kind)
{
    static const char *const fmt[] = {
        "%s/%s.md", "%s/exercises/%s.lua", "%s/solutions/%s.lua",
        "%s/tests/%s.lua", "%s/hints/%s.md",
    };
    size_t n = strlen(it->lesson->dir) + strlen(it->name) + 24;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, fmt[kind], it->lesson->dir, it->name);
    return p;
}

static char *dir_if_course(const char *dir)
{
    char path[PATH_MAX], real[PATH_MAX];
    snprintf(path, sizeof path, "%s/course.lua", dir);
    if (!file_exists(path) || !realpath(dir, real))
        return NULL;
    return strdup(real);
}

char *course_locate(const char *explicit_dir)
{
    if (explicit_dir)
        return xstrdup(explicit_dir);
    const char *env = getenv("SEQLAB_COURSE");
    if (env && *env)
        return strdup(env);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {
                "lessons", "../lessons", "../share/seqlab/lessons"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                char cand[PATH_MAX + 32];
                snprintf(cand, sizeof cand, "%s/%s", exe, rel[i]);
                char *r = dir_if_course(cand);
                if (r)
                    return r;
            }
        }
    }
    return dir_if_course("lessons");
}

int course_hints(const struct course_item *it, char **out, int max)
{
    char *path = course_path(it, COURSE_HINTS);
    char *text = path ? slurp(path, NULL) : NULL;
    free(path);
    if (!text)
        return 0;
    int n = 0;
    char *p = text;
    /* each hint starts at a line beginning with "## " */
    while (n < max && (p = strstr(p, "## ")) != NULL) {
        if (p != text && p[-1] != '\n') {
            p += 3;
            continue;
        }
        char *body = strchr(p, '\n');
        body = body ? body + 1 : p + strlen(p);
        char *end = body;
        while ((end = strstr(end, "## ")) && end[-1] != '\n')
            end += 3;
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (p[len - 1] == '\n' || p[len - 1] == ' '))
            len--;
        out[n] = strndup(p, len);
        if (!out[n])
            break;
        n++;
        if (!end)
            break;
        p = end;
    }
    free(text);
    return n;
}
