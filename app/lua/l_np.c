/* l_np.c — `np.random`: numpy's legacy RandomState for Lua, bit for bit, so
 * course exercises reproduce the course's printed numbers.  Results follow
 * numpy, not Lua: values drawn from a range are 0-based like numpy's
 * (randint, choice(n), permutation(n)), scalars come back as Lua numbers
 * when no size is given, and arrays are float64 (int64 for integers).
 * The rest of `np` (zeros, clip, dot, ...) is thin Lua in lib/np.lua. */
#include "lseq.h"

#include <string.h>
#include <time.h>

#include "seq/nprandom.h"

#define NP_STATE "seq.np.RandomState"

/* One generator per Lua state, kept in the registry, so each sandboxed
 * grading run starts from its own state. */
static struct seq_nprandom *np_state(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, NP_STATE) == LUA_TUSERDATA) {
        struct seq_nprandom *st = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return st;
    }
    lua_pop(L, 1);
    struct seq_nprandom *st = lua_newuserdatauv(L, sizeof *st, 0);
    seq_nprandom_seed(st, (uint32_t)time(NULL) ^ (uint32_t)clock());
    lua_setfield(L, LUA_REGISTRYINDEX, NP_STATE);
    return st;
}

static int np_seed(lua_State *L)
{
    lua_Integer s = luaL_checkinteger(L, 1);
    if (s < 0 || s > 4294967295LL)
        return luaL_argerror(L, 1, "seed must be between 0 and 2^32 - 1");
    seq_nprandom_seed(np_state(L), (uint32_t)s);
    return 0;
}

/* A size argument: none (scalar result), varargs of integers or a table. */
static int opt_size(lua_State *L, int idx, int64_t *shape, bool *scalar)
{
    *scalar = lua_isnoneornil(L, idx);
    if (*scalar)
        return 0;
    if (lua_isinteger(L, idx) && lua_isnoneornil(L, idx + 1) &&
        !lua_istable(L, idx)) {
        shape[0] = lua_tointeger(L, idx);
        return 1;
    }
    return lseq_checkshape(L, idx, shape);
}

/* np.random.rand(d1, d2, ...) / random_sample(size) */
static int np_rand(lua_State *L)
{
    int64_t shape[SEQ_MAX_DIMS];
    int nd = lseq_checkshape(L, 1, shape);
    if (nd == 0 && lua_isnoneornil(L, 1)) {
        lua_pushnumber(L, seq_nprandom_double(np_state(L)));
        return 1;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_nprandom_rand_tensor(slot, np_state(L), nd, shape));
    return 1;
}

static int np_randn(lua_State *L)
{
    int64_t shape[SEQ_MAX_DIMS];
    int nd = lseq_checkshape(L, 1, shape);
    if (nd == 0 && lua_isnoneornil(L, 1)) {
        lua_pushnumber(L, seq_nprandom_gauss(np_state(L)));
        return 1;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_nprandom_randn_tensor(slot, np_state(L), nd, shape));
    return 1;
}

/* np.random.uniform([low=0, high=1, size]) */
static int np_uniform(lua_State *L)
{
    double lo = luaL_optnumber(L, 1, 0.0), hi = luaL_optnumber(L, 2, 1.0);
    int64_t shape[SEQ_MAX_DIMS];
    bool scalar;
    int nd = opt_size(L, 3, shape, &scalar);
    if (scalar) {
        double v;
        lseq_check(L, seq_nprandom_uniform(&v, np_state(L), lo, hi));
        lua_pushnumber(L, v);
        return 1;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_nprandom_uniform_tensor(slot, np_state(L), nd, shape,
                                              lo, hi));
    return 1;
}

/* np.random.normal([loc=0, scale=1, size]) */
static int np_normal(lua_State *L)
{
    double loc = luaL_optnumber(L, 1, 0.0), sc = luaL_optnumber(L, 2, 1.0);
    int64_t shape[SEQ_MAX_DIMS];
    bool scalar;
    int nd = opt_size(L, 3, shape, &scalar);
    if (scalar) {
        double v;
        lseq_check(L, seq_nprandom_normal(&v, np_state(L), loc, sc));
        lua_pushnumber(L, v);
        return 1;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_nprandom_normal_tensor(slot, np_state(L), nd, shape,
                                             loc, sc));
    return 1;
}

/* np.random.randint(low [, high] [, size]): numpy's one-argument form
 * draws from [0, low). */
static int np_randint(lua_State *L)
{
    lua_Integer lo = luaL_checkinteger(L, 1), hi;
    int size_idx = 3;
    if (lua_isnoneornil(L, 2)) {
        hi = lo;
        lo = 0;
    } else {
        hi = luaL_checkinteger(L, 2);
    }
    int64_t shape[SEQ_MAX_DIMS];
    bool scalar;
    int nd = opt_size(L, size_idx, shape, &scalar);
    if (scalar) {
        int64_t v;
        lseq_check(L, seq_nprandom_randint(&v, np_state(L), lo, hi));
        lua_pushinteger(L, v);
        return 1;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_nprandom_randint_tensor(slot, np_state(L), nd, shape,
                                              lo, hi));
    return 1;
}

/* Reads probabilities (table or tensor) of length n into a buffer on the
 * stack. */
static double *read_probs(lua_State *L, int idx, int64_t n)
{
    struct seq_tensor *t = lseq_totensor(L, idx);
    int64_t len = t ? seq_numel(t) : (int64_t)luaL_len(L, idx);
    if (len != n)
        luaL_error(L, "choice: p has %d entries for a population of %d",
                   (int)len, (int)n);
    double *p = lua_newuserdatauv(L, sizeof(double) * (size_t)(n + 1), 0);
    if (t) {
        lseq_check(L, seq_copy_out(p, SEQ_FLOAT64, t));
    } else {
        for (int64_t i = 0; i < n; i++) {
            lua_geti(L, idx, i + 1);
            if (!lua_isnumber(L, -1))
                luaL_error(L, "choice: p[%d] is not a number", (int)i + 1);
            p[i] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    }
    return p;
}

/* np.random.choice(n_or_list [, {p=, replace=true, size=}]).  A number n
 * draws from 0..n-1 like numpy; a Lua list draws its elements. */
static int np_choice(lua_State *L)
{
    bool from_list = lua_istable(L, 1) && !lseq_totensor(L, 1);
    struct seq_tensor *pop = lseq_totensor(L, 1);
    int64_t n;
    if (from_list)
        n = (int64_t)luaL_len(L, 1);
    else if (pop)
        n = pop->ndim == 1 ? pop->shape[0] : -1;
    else
        n = luaL_checkinteger(L, 1);
    if (n < 0)
        return luaL_argerror(L, 1, "expected a count, a list or a 1-d "
                                   "tensor");
    bool replace = true, scalar = true;
    int64_t size = 1;
    double *p = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        if (lua_getfield(L, 2, "replace") != LUA_TNIL)
            replace = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (lua_getfield(L, 2, "size") != LUA_TNIL) {
            size = luaL_checkinteger(L, -1);
            scalar = false;
        }
        lua_pop(L, 1);
        if (lua_getfield(L, 2, "p") != LUA_TNIL)
            p = read_probs(L, lua_gettop(L), n);
        else
            lua_pop(L, 1);
    }
    if (size < 0)
        return luaL_argerror(L, 2, "size must be non-negative");
    if (n == 0 && size > 0)
        return luaL_error(L, "choice: cannot choose from an empty "
                             "population");
    int64_t *out = lua_newuserdatauv(
        L, sizeof(int64_t) * (size_t)(size + 1), 0);
    lseq_check(L, seq_nprandom_choice(out, np_state(L), n, size, replace, p));
    if (from_list) {
        if (scalar) {
            lua_geti(L, 1, out[0] + 1);
            return 1;
        }
        lua_createtable(L, (int)size, 0);
        for (int64_t i = 0; i < size; i++) {
            lua_geti(L, 1, out[i] + 1);
            lua_rawseti(L, -2, i + 1);
        }
        return 1;
    }
    if (pop) {
        struct seq_tensor *ix = NULL, **slot;
        lseq_check(L, seq_from_buffer(&ix, SEQ_INT64, 1, &size, out));
        slot = lseq_newslot(L);
        int st = seq_index_select(slot, pop, 0, ix);
        seq_release(ix);
        lseq_check(L, st);
        if (scalar) {
            double v;
            lseq_check(L, seq_item(&v, *slot));
            lua_pushnumber(L, v);
        }
        return 1;
    }
    if (scalar) {
        lua_pushinteger(L, out[0]);
        return 1;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_from_buffer(slot, SEQ_INT64, 1, &size, out));
    return 1;
}

/* The permutation numpy's shuffle applies to n items: new[i] = old[p[i]]. */
static int64_t *shuffle_order(lua_State *L, int64_t n)
{
    int64_t *p = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n + 1), 0);
    for (int64_t i = 0; i < n; i++)
        p[i] = i;
    seq_nprandom_shuffle(np_state(L), p, (size_t)n, sizeof *p);
    return p;
}

/* Rows of t reordered by p (0-based), as a new tensor on the stack. */
static struct seq_tensor *take_rows(lua_State *L, struct seq_tensor *t,
                                    const int64_t *p, int64_t n)
{
    struct seq_tensor *ix = NULL, **slot;
    lseq_check(L, seq_from_buffer(&ix, SEQ_INT64, 1, &n, p));
    slot = lseq_newslot(L);
    int st = seq_index_select(slot, t, 0, ix);
    seq_release(ix);
    lseq_check(L, st);
    return *slot;
}

/* np.random.shuffle(list_or_tensor): in place, in numpy's order (a tensor
 * is shuffled along its first dimension). */
static int np_shuffle(lua_State *L)
{
    struct seq_tensor *t = lseq_totensor(L, 1);
    if (t) {
        if (t->ndim == 0)
            return luaL_argerror(L, 1, "cannot shuffle a 0-d tensor");
        int64_t n = t->shape[0];
        int64_t *p = shuffle_order(L, n);
        struct seq_tensor *r = take_rows(L, t, p, n);
        lseq_check(L, seq_copy_(t, r));
        return 0;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    int64_t n = (int64_t)luaL_len(L, 1);
    int64_t *p = shuffle_order(L, n);
    lua_createtable(L, (int)n, 0);
    for (int64_t i = 0; i < n; i++) {
        lua_geti(L, 1, p[i] + 1);
        lua_rawseti(L, -2, i + 1);
    }
    for (int64_t i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        lua_seti(L, 1, i);
    }
    return 0;
}

/* np.random.permutation(n | list | tensor) */
static int np_permutation(lua_State *L)
{
    if (lua_isinteger(L, 1)) {
        int64_t n = lua_tointeger(L, 1);
        if (n < 0)
            return luaL_argerror(L, 1, "must be non-negative");
        int64_t *p = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n + 1),
                                       0);
        seq_nprandom_permutation(np_state(L), p, (size_t)n);
        struct seq_tensor **slot = lseq_newslot(L);
        lseq_check(L, seq_from_buffer(slot, SEQ_INT64, 1, &n, p));
        return 1;
    }
    struct seq_tensor *t = lseq_totensor(L, 1);
    if (t) {
        if (t->ndim == 0)
            return luaL_argerror(L, 1, "cannot permute a 0-d tensor");
        int64_t *p = shuffle_order(L, t->shape[0]);
        take_rows(L, t, p, t->shape[0]);
        return 1;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    int64_t n = (int64_t)luaL_len(L, 1);
    int64_t *p = shuffle_order(L, n);
    lua_createtable(L, (int)n, 0);
    for (int64_t i = 0; i < n; i++) {
        lua_geti(L, 1, p[i] + 1);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static const luaL_Reg random_funcs[] = {
    {"seed", np_seed},
    {"rand", np_rand},
    {"random_sample", np_rand},
    {"random", np_rand},
    {"randn", np_randn},
    {"standard_normal", np_randn},
    {"uniform", np_uniform},
    {"normal", np_normal},
    {"randint", np_randint},
    {"choice", np_choice},
    {"shuffle", np_shuffle},
    {"permutation", np_permutation},
    {NULL, NULL},
};

/* The C part of np: a table with `random`.  lib/np.lua builds the rest. */
int luaopen_np_core(lua_State *L)
{
    lua_newtable(L);
    luaL_newlib(L, random_funcs);
    lua_setfield(L, -2, "random");
    return 1;
}
