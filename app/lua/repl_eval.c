/* repl_eval.c — one step of a Lua REPL and its completion candidates, with
 * no terminal in sight: the CLI REPL (app/repl.c) and the TUI's REPL pane
 * feed it the statement typed so far and show what it writes.
 *
 * The rules are lua.c's (5.4): "=expr" means "return expr"; a line is first
 * tried as an expression whose values are printed; a statement whose syntax
 * error ends at "<eof>" waits for more lines.  Chunks are named "=repl". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lseq.h"

#define CHUNKNAME "=repl"
#define EOFMARK   "<eof>"

static void emit(const struct lseq_repl_io *io, lseq_write_fn fn, const char *s,
                 size_t n)
{
    if (fn)
        fn(io->ud, s, n);
}

static void emit_error(lua_State *L, const struct lseq_repl_io *io)
{
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    if (!msg) {
        msg = "(error object is not a string)";
        len = strlen(msg);
    }
    emit(io, io->err, "error: ", 7);
    emit(io, io->err, msg, len);
    emit(io, io->err, "\n", 1);
}

static bool is_incomplete(lua_State *L, int status)
{
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    size_t ml = sizeof EOFMARK - 1;
    return status == LUA_ERRSYNTAX && msg && len >= ml &&
           !strcmp(msg + len - ml, EOFMARK);
}

/* Lua 5.5's warning for a statement starting with `local`. */
static bool starts_with_local(const char *s)
{
    s += strspn(s, " \t");
    return !strncmp(s, "local", 5) && (s[5] == ' ' || s[5] == '\t');
}

/* The results of a chunk (the arguments), tostring'd and tab-separated, as
 * one line; run protected because __tostring may fail. */
static int format_results(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    return 1;
}

int lseq_repl_eval(lua_State *L, const char *chunk, bool at_eof,
                   const struct lseq_repl_io *io)
{
    int top = lua_gettop(L);
    const char *code = chunk;
    if (*chunk == '=') /* lua.c 5.4: "for compatibility with 5.2" */
        code = lua_pushfstring(L, "return %s", chunk + 1);
    const char *expr = lua_pushfstring(L, "return %s;", code);
    int status = luaL_loadbuffer(L, expr, strlen(expr), CHUNKNAME);
    if (status != LUA_OK) {
        lua_pop(L, 1);
        status = luaL_loadbuffer(L, code, strlen(code), CHUNKNAME);
        if (status != LUA_OK) {
            int result = LSEQ_REPL_ERROR;
            if (!at_eof && is_incomplete(L, status))
                result = LSEQ_REPL_INCOMPLETE;
            else
                emit_error(L, io);
            lua_settop(L, top);
            return result;
        }
        if (starts_with_local(code)) {
            static const char warn[] = "warning: locals do not survive "
                                       "across lines in interactive mode\n";
            emit(io, io->err, warn, sizeof warn - 1);
        }
    }
    int base = lua_gettop(L); /* the chunk */
    status = lseq_pcall(L, 0, LUA_MULTRET);
    if (status == LUA_OK && lua_gettop(L) >= base) {
        int nres = lua_gettop(L) - base + 1;
        lua_pushcfunction(L, format_results);
        lua_insert(L, base);
        status = lseq_pcall(L, nres, 1);
        if (status == LUA_OK) {
            size_t len;
            const char *s = lua_tolstring(L, -1, &len);
            emit(io, io->out, s, len);
        } else {
            lua_pushfstring(L, "error calling 'tostring' (%s)",
                            lua_tostring(L, -1));
        }
    }
    int result = LSEQ_REPL_DONE;
    if (status != LUA_OK) {
        emit_error(L, io);
        result = LSEQ_REPL_ERROR;
    }
    lua_settop(L, top);
    return result;
}

/* ---- completion --------------------------------------------------------- */

struct names {
    char **v;
    size_t n, cap;
    bool oom;
};

static void add_name(struct names *ns, const char *prefix, size_t plen,
                     const char *name)
{
    if (ns->oom)
        return;
    if (ns->n + 2 > ns->cap) {
        size_t cap = ns->cap ? 2 * ns->cap : 32;
        char **v = realloc(ns->v, cap * sizeof *v);
        if (!v) {
            ns->oom = true;
            return;
        }
        ns->v = v;
        ns->cap = cap;
    }
    size_t nl = strlen(name);
    char *s = malloc(plen + nl + 1);
    if (!s) {
        ns->oom = true;
        return;
    }
    memcpy(s, prefix, plen);
    memcpy(s + plen, name, nl + 1);
    ns->v[ns->n++] = s;
}

static bool is_identifier(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

/* Pushes where a lookup on the value at idx goes on, without running any
 * code: its metatable's __index when that is a table; when __index is a
 * function, the metatable itself (classes whose __index function falls
 * back on the class table, as nn modules do: instance -> class -> parent
 * class through `setmetatable(cls, {__index = parent})`).  Returns whether
 * it pushed. */
static bool push_index_table(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return false;
    lua_pushliteral(L, "__index");
    int type = lua_rawget(L, -2);
    if (type == LUA_TTABLE) {
        lua_remove(L, -2);
        return true;
    }
    lua_pop(L, 1);
    if (type == LUA_TFUNCTION)
        return true; /* the metatable */
    lua_pop(L, 1);
    return false;
}

/* nn modules keep parameters, submodules and buffers in registries that
 * their __index function reads: `_parameters`, `_modules`, `_buffers`
 * tables of the instance, whose class has __module_class set. */
static const char *const registries[] = {"_parameters", "_modules",
                                         "_buffers", NULL};

static bool is_module(lua_State *L, int idx)
{
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
        return false;
    lua_pushliteral(L, "__module_class");
    bool yes = lua_rawget(L, -2) == LUA_TBOOLEAN && lua_toboolean(L, -1);
    lua_pop(L, 2);
    return yes;
}

/* Pushes v[key] for the value v at the top, reading tables raw, then nn
 * registries, then going on as push_index_table says; pops v.  Nil when
 * not found. */
static void safe_get(lua_State *L, const char *key, size_t klen)
{
    for (int depth = 0; depth < 16; depth++) {
        if (lua_istable(L, -1)) {
            lua_pushlstring(L, key, klen);
            if (lua_rawget(L, -2) != LUA_TNIL) {
                lua_remove(L, -2);
                return;
            }
            lua_pop(L, 1);
        }
        if (is_module(L, -1))
            for (const char *const *r = registries; *r; r++) {
                lua_pushstring(L, *r);
                if (lua_rawget(L, -2) == LUA_TTABLE) {
                    lua_pushlstring(L, key, klen);
                    if (lua_rawget(L, -2) != LUA_TNIL) {
                        lua_remove(L, -2); /* the registry */
                        lua_remove(L, -2); /* v */
                        return;
                    }
                    lua_pop(L, 1);
                }
                lua_pop(L, 1);
            }
        if (!push_index_table(L, -1))
            break;
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
    lua_pushnil(L);
}

/* Adds the string keys of the table at the top that start with `part`
 * (functions only for methods; "__" names only when asked for). */
static void add_keys(lua_State *L, struct names *ns, const char *prefix,
                     size_t plen, const char *part, bool methods)
{
    size_t partlen = strlen(part);
    bool hidden_ok = part[0] == '_';
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING &&
            (!methods || lua_isfunction(L, -1))) {
            const char *k = lua_tostring(L, -2);
            if (!strncmp(k, part, partlen) && is_identifier(k) &&
                (hidden_ok || strncmp(k, "__", 2)))
                add_name(ns, prefix, plen, k);
        }
        lua_pop(L, 1);
    }
}

/* Adds the keys of the value at the top: a table's own keys, an nn
 * module's registered names, then those of its metatable's __methods table
 * (where seq.Tensor keeps its methods, behind an __index function) and of
 * where push_index_table goes on, repeatedly (at most 16 levels, so a
 * cycle of __index tables ends); pops it. */
static void collect(lua_State *L, struct names *ns, const char *prefix,
                    size_t plen, const char *part, bool methods)
{
    for (int depth = 0; depth < 16; depth++) {
        if (lua_istable(L, -1))
            add_keys(L, ns, prefix, plen, part, methods);
        if (is_module(L, -1))
            for (const char *const *r = registries; *r; r++) {
                lua_pushstring(L, *r);
                if (lua_rawget(L, -2) == LUA_TTABLE)
                    add_keys(L, ns, prefix, plen, part, methods);
                lua_pop(L, 1);
            }
        if (lua_getmetatable(L, -1)) {
            lua_pushliteral(L, "__methods");
            if (lua_rawget(L, -2) == LUA_TTABLE)
                add_keys(L, ns, prefix, plen, part, methods);
            lua_pop(L, 2);
        }
        if (!push_index_table(L, -1))
            break;
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **lseq_repl_completions(lua_State *L, const char *word)
{
    static const char *const keywords[] = {
        "and",      "break",  "do",   "else", "elseif", "end",   "false", "for",
        "function", "goto",   "if",   "in",   "local",  "nil",   "not",   "or",
        "repeat",   "return", "then", "true", "until",  "while", NULL};
    struct names ns = {0};
    int top = lua_gettop(L);
    const char *sep = word + strcspn(word, ".:");
    const char *last = strrchr(word, '.'), *colon = strrchr(word, ':');
    if (colon && (!last || colon > last))
        last = colon;
    lua_pushglobaltable(L);
    if (!*sep) {
        collect(L, &ns, "", 0, word, false);
        for (const char *const *k = keywords; *k; k++)
            if (!strncmp(*k, word, strlen(word)))
                add_name(&ns, "", 0, *k);
    } else {
        /* walk "a.b.c" up to the last separator; ':' may only be last */
        const char *p = word;
        while (p < last) {
            size_t n = strcspn(p, ".:");
            if (p + n < last && p[n] == ':')
                goto done;
            safe_get(L, p, n);
            p += n + 1;
        }
        if (!lua_isnil(L, -1))
            collect(L, &ns, word, (size_t)(last + 1 - word), last + 1,
                    *last == ':');
    }
done:
    lua_settop(L, top);
    if (ns.oom || ns.n == 0) {
        for (size_t i = 0; i < ns.n; i++)
            free(ns.v[i]);
        free(ns.v);
        return NULL;
    }
    qsort(ns.v, ns.n, sizeof *ns.v, cmp_names);
    size_t k = 1; /* drop duplicates (a key shadowing an __index key) */
    for (size_t i = 1; i < ns.n; i++) {
        if (strcmp(ns.v[i], ns.v[k - 1]))
            ns.v[k++] = ns.v[i];
        else
            free(ns.v[i]);
    }
    ns.v[k] = NULL;
    return ns.v;
}
