/* l_rnn.c — the recurrent kernels and sampling in the `seq` module:
 * seq.rnn, seq.lstm, seq.gru (engine/src/rnn.c), seq.sample and
 * seq.greedy (engine/src/sample.c) and the seq.Generator userdata that
 * sampling draws from.  luaopen_seq calls lseq_register_rnn with the
 * module table on top of the stack.
 *
 * Class indices come back 1-based, as every index does in seqlab's Lua.
 * Layers (several of them, two directions, batch_first) are nn.RNN/LSTM/
 * GRU in lib/nn/rnn.lua; this file only binds one call of a kernel. */
#include "lseq.h"

#include <string.h>

#include "seq/rng.h"
#include "seq/rnn.h"
#include "seq/sample.h"

#define LSEQ_GENERATOR "seq.Generator"

void lseq_register_rnn(lua_State *L);

/* ---- options ------------------------------------------------------------- */

/* Raises an error for any key of the options table at idx that is not in
 * `known` (NULL-terminated), so a misspelt option does not pass silently. */
static void check_option_names(lua_State *L, int idx, const char *fname,
                               const char *const *known)
{
    if (lua_isnoneornil(L, idx))
        return;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *k =
            lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool ok = false;
        for (int i = 0; k && known[i]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (!ok) {
            const char *name = luaL_tolstring(L, -1, NULL);
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int i = 0; known[i]; i++) {
                if (i)
                    luaL_addstring(&b, ", ");
                luaL_addstring(&b, known[i]);
            }
            luaL_pushresult(&b);
            luaL_error(L, "%s: unknown option '%s' (expected %s)", fname, name,
                       lua_tostring(L, -1));
        }
    }
}

/* Pushes opts[key] (nil when there is no options table). */
static int get_option(lua_State *L, int idx, const char *key)
{
    if (lua_isnoneornil(L, idx)) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    return lua_getfield(L, idx, key);
}

static bool option_bool(lua_State *L, int idx, const char *fname,
                        const char *key, bool def)
{
    int tp = get_option(L, idx, key);
    bool v = def;
    if (tp == LUA_TBOOLEAN)
        v = lua_toboolean(L, -1);
    else if (tp != LUA_TNIL)
        luaL_error(L, "%s: option '%s' must be a boolean, got %s", fname, key,
                   luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

static double option_number(lua_State *L, int idx, const char *fname,
                            const char *key, double def)
{
    int tp = get_option(L, idx, key);
    double v = def;
    if (tp == LUA_TNUMBER)
        v = lua_tonumber(L, -1);
    else if (tp != LUA_TNIL)
        luaL_error(L, "%s: option '%s' must be a number, got %s", fname, key,
                   luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

static lua_Integer option_integer(lua_State *L, int idx, const char *fname,
                                  const char *key, lua_Integer def)
{
    int tp = get_option(L, idx, key);
    lua_Integer v = def;
    if (tp == LUA_TNUMBER && lua_isinteger(L, -1))
        v = lua_tointeger(L, -1);
    else if (tp != LUA_TNIL)
        luaL_error(L, "%s: option '%s' must be an integer, got %s", fname, key,
                   lua_type(L, -1) == LUA_TNUMBER ? "a float"
                                                  : luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

/* A tensor argument that may be nil (NULL). */
static struct seq_tensor *opt_tensor(lua_State *L, int idx)
{
    return lua_isnoneornil(L, idx) ? NULL : lseq_checktensor(L, idx);
}

/* ---- seq.Generator ------------------------------------------------------- */

struct generator {
    struct seq_rng rng;
    lua_Integer seed;
};

static struct generator *check_generator(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, LSEQ_GENERATOR);
}

/* seq.Generator([seed]): an independent xoshiro256** stream. */
static int l_generator(lua_State *L)
{
    lua_Integer seed = luaL_optinteger(L, 1, (lua_Integer)SEQ_RNG_DEFAULT_SEED);
    struct generator *g = lua_newuserdatauv(L, sizeof *g, 0);
    luaL_setmetatable(L, LSEQ_GENERATOR);
    g->seed = seed;
    seq_rng_seed(&g->rng, (uint64_t)seed);
    return 1;
}

/* g:manual_seed(seed) -> g: restarts the stream. */
static int gen_manual_seed(lua_State *L)
{
    struct generator *g = check_generator(L, 1);
    g->seed = luaL_checkinteger(L, 2);
    seq_rng_seed(&g->rng, (uint64_t)g->seed);
    lua_settop(L, 1);
    return 1;
}

/* g:initial_seed() -> the seed of the last (re)seeding. */
static int gen_initial_seed(lua_State *L)
{
    lua_pushinteger(L, check_generator(L, 1)->seed);
    return 1;
}

/* g:random() -> a float uniform on [0, 1). */
static int gen_random(lua_State *L)
{
    lua_pushnumber(L, seq_rng_double(&check_generator(L, 1)->rng));
    return 1;
}

static int gen_tostring(lua_State *L)
{
    lua_pushfstring(L, "seq.Generator(seed=%I)", check_generator(L, 1)->seed);
    return 1;
}

static const luaL_Reg generator_methods[] = {
    {"manual_seed", gen_manual_seed},
    {"initial_seed", gen_initial_seed},
    {"random", gen_random},
    {NULL, NULL},
};

/* ---- sampling ------------------------------------------------------------ */

/* The int64 result at the top of the stack, made 1-based: a Lua integer
 * for a 0-d result (1-d input), the tensor itself otherwise. */
static int push_indices(lua_State *L)
{
    struct seq_tensor *r = lseq_checktensor(L, -1);
    int64_t *v = seq_data(r), n = seq_numel(r);
    if (r->ndim == 0) {
        lua_Integer i = (lua_Integer)v[0] + 1;
        lua_pop(L, 1);
        lua_pushinteger(L, i);
        return 1;
    }
    for (int64_t k = 0; k < n; k++)
        v[k] += 1;
    return 1;
}

/* seq.sample(p [, {temperature = 1, top_k = 0, logits = false,
 *                  rng = generator}]) -> index (1-d p) or int64 tensor */
static int l_sample(lua_State *L)
{
    static const char *const known[] = {"temperature", "top_k",     "logits",
                                        "rng",         "generator", NULL};
    struct seq_tensor *p = lseq_checktensor(L, 1);
    check_option_names(L, 2, "sample", known);
    struct seq_sample_opts o = SEQ_SAMPLE_DEFAULTS;
    o.temperature = option_number(L, 2, "sample", "temperature", 1.0);
    o.top_k = option_integer(L, 2, "sample", "top_k", 0);
    o.logits = option_bool(L, 2, "sample", "logits", false);
    struct seq_rng *rng = NULL;
    for (int i = 0; i < 2 && !rng; i++) {
        const char *key = i ? "generator" : "rng";
        if (get_option(L, 2, key) != LUA_TNIL) {
            struct generator *g = luaL_testudata(L, -1, LSEQ_GENERATOR);
            if (!g)
                return luaL_error(L,
                                  "sample: option '%s' must be a "
                                  "seq.Generator, got %s",
                                  key, luaL_typename(L, -1));
            rng = &g->rng; /* the options table keeps it alive */
        }
        lua_pop(L, 1);
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_sample(slot, p, &o, rng));
    return push_indices(L);
}

/* seq.greedy(p) -> the index of the largest entry (per row), 1-based. */
static int l_greedy(lua_State *L)
{
    struct seq_tensor *p = lseq_checktensor(L, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_sample_greedy(slot, p));
    return push_indices(L);
}

/* ---- recurrent kernels --------------------------------------------------- */

/* seq.rnn(x, h0, w_ih, w_hh, b_ih, b_hh [, {nonlinearity = "tanh",
 *         reverse = false}]) -> y, h_n */
static int l_rnn(lua_State *L)
{
    static const char *const known[] = {"nonlinearity", "reverse", NULL};
    static const char *const nls[] = {"tanh", "relu", NULL};
    struct seq_tensor *x = lseq_checktensor(L, 1), *h0 = opt_tensor(L, 2);
    struct seq_tensor *wih = lseq_checktensor(L, 3);
    struct seq_tensor *whh = lseq_checktensor(L, 4);
    struct seq_tensor *bih = opt_tensor(L, 5), *bhh = opt_tensor(L, 6);
    check_option_names(L, 7, "rnn", known);
    int nl = 0;
    if (get_option(L, 7, "nonlinearity") != LUA_TNIL) {
        const char *s = lua_tostring(L, -1);
        while (s && nls[nl] && strcmp(s, nls[nl]) != 0)
            nl++;
        if (!s || !nls[nl])
            return luaL_error(L,
                              "rnn: option 'nonlinearity' must be "
                              "\"tanh\" or \"relu\", got %s",
                              luaL_tolstring(L, -1, NULL));
    }
    lua_pop(L, 1);
    bool reverse = option_bool(L, 7, "rnn", "reverse", false);
    struct seq_tensor **y = lseq_newslot(L), **h = lseq_newslot(L);
    lseq_check(L, seq_rnn(y, h, x, h0, wih, whh, bih, bhh,
                          nl ? SEQ_RNN_RELU : SEQ_RNN_TANH, reverse));
    return 2;
}

/* seq.lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh [, {reverse = false}])
 *   -> y, h_n, c_n */
static int l_lstm(lua_State *L)
{
    static const char *const known[] = {"reverse", NULL};
    struct seq_tensor *x = lseq_checktensor(L, 1), *h0 = opt_tensor(L, 2);
    struct seq_tensor *c0 = opt_tensor(L, 3);
    struct seq_tensor *wih = lseq_checktensor(L, 4);
    struct seq_tensor *whh = lseq_checktensor(L, 5);
    struct seq_tensor *bih = opt_tensor(L, 6), *bhh = opt_tensor(L, 7);
    check_option_names(L, 8, "lstm", known);
    bool reverse = option_bool(L, 8, "lstm", "reverse", false);
    struct seq_tensor **y = lseq_newslot(L), **h = lseq_newslot(L),
                      **c = lseq_newslot(L);
    lseq_check(L, seq_lstm(y, h, c, x, h0, c0, wih, whh, bih, bhh, reverse));
    return 3;
}

/* seq.gru(x, h0, w_ih, w_hh, b_ih, b_hh [, {reverse = false}]) -> y, h_n */
static int l_gru(lua_State *L)
{
    static const char *const known[] = {"reverse", NULL};
    struct seq_tensor *x = lseq_checktensor(L, 1), *h0 = opt_tensor(L, 2);
    struct seq_tensor *wih = lseq_checktensor(L, 3);
    struct seq_tensor *whh = lseq_checktensor(L, 4);
    struct seq_tensor *bih = opt_tensor(L, 5), *bhh = opt_tensor(L, 6);
    check_option_names(L, 7, "gru", known);
    bool reverse = option_bool(L, 7, "gru", "reverse", false);
    struct seq_tensor **y = lseq_newslot(L), **h = lseq_newslot(L);
    lseq_check(L, seq_gru(y, h, x, h0, wih, whh, bih, bhh, reverse));
    return 2;
}

static const luaL_Reg rnn_funcs[] = {
    {"rnn", l_rnn},       {"lstm", l_lstm},     {"gru", l_gru},
    {"sample", l_sample}, {"greedy", l_greedy}, {"Generator", l_generator},
    {NULL, NULL},
};

void lseq_register_rnn(lua_State *L)
{
    if (luaL_newmetatable(L, LSEQ_GENERATOR)) {
        luaL_newlib(L, generator_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, gen_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, rnn_funcs, 0);
}
