/* l_tensor.c — the seq.Tensor userdata: argument helpers shared by every
 * binding, the methods and operators of a tensor, and printing.
 *
 * Lua conventions hold at this boundary: dimensions and indices are
 * 1-based (index tensors too: argmax returns 1-based positions and
 * index_select/gather take them), negative ones count from the end, and
 * engine failures surface as Lua errors carrying the engine's message. */
#include "lseq.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "seq/error.h"
#include "seq/rng.h"
#include "seq/safetensors.h"

/* ---- the box ------------------------------------------------------------ */

/* Lua's GC cannot see tensor bytes.  Before each new result we look at the
 * engine's live bytes and run a full collection once they have doubled
 * since the last one (and passed 64 MiB), so loops that drop tensors do not
 * grow without bound.  The threshold doubling keeps this amortised O(1). */
static int64_t gc_threshold = (int64_t)64 << 20;

static void maybe_collect(lua_State *L)
{
    struct seq_memstats m;
    seq_memory(&m);
    if (m.live_bytes > gc_threshold) {
        lua_gc(L, LUA_GCCOLLECT);
        seq_memory(&m);
        gc_threshold = 2 * m.live_bytes;
        if (gc_threshold < ((int64_t)64 << 20))
            gc_threshold = (int64_t)64 << 20;
    }
}

struct seq_tensor **lseq_newslot(lua_State *L)
{
    maybe_collect(L);
    struct lseq_box *b = lua_newuserdatauv(L, sizeof *b, 1);
    b->t = NULL;
    luaL_setmetatable(L, LSEQ_TENSOR);
    return &b->t;
}

void lseq_pushtensor(lua_State *L, struct seq_tensor *t)
{
    if (!t) {
        lua_pushnil(L);
        return;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    *slot = t;
}

int lseq_check(lua_State *L, int status)
{
    if (status != SEQ_OK)
        return luaL_error(L, "%s", seq_error());
    return 0;
}

struct seq_tensor *lseq_totensor(lua_State *L, int idx)
{
    struct lseq_box *b = luaL_testudata(L, idx, LSEQ_TENSOR);
    return b ? b->t : NULL;
}

struct seq_tensor *lseq_checktensor(lua_State *L, int idx)
{
    struct lseq_box *b = luaL_testudata(L, idx, LSEQ_TENSOR);
    if (!b)
        luaL_typeerror(L, idx, LSEQ_TENSOR);
    if (!b->t)
        luaL_argerror(L, idx, "attempt to use a freed tensor");
    return b->t;
}

static int box_release(lua_State *L)
{
    struct lseq_box *b = luaL_checkudata(L, 1, LSEQ_TENSOR);
    seq_release(b->t);
    b->t = NULL;
    return 0;
}

/* ---- reading Lua values into tensors ------------------------------------ */

/* Shape of a nested table of numbers: walks the first element at each
 * depth, then checks every element while copying. */
static int table_shape(lua_State *L, int idx, int64_t *shape, bool *all_int)
{
    int nd = 0;
    lua_pushvalue(L, idx);
    while (lua_type(L, -1) == LUA_TTABLE) {
        if (nd == SEQ_MAX_DIMS)
            luaL_error(L, "seq.tensor: more than %d nested levels",
                       SEQ_MAX_DIMS);
        shape[nd++] = (int64_t)luaL_len(L, -1);
        lua_geti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
    *all_int = true;
    return nd;
}

static void table_fill(lua_State *L, int idx, int depth, int nd,
                       const int64_t *shape, double *out, int64_t *pos,
                       bool *all_int)
{
    int64_t n = (int64_t)luaL_len(L, idx);
    if (n != shape[depth])
        luaL_error(L,
                   "seq.tensor: ragged nested table (a row at depth %d has "
                   "%I elements, expected %I)",
                   depth + 1, (lua_Integer)n, (lua_Integer)shape[depth]);
    for (int64_t i = 1; i <= n; i++) {
        int tp = lua_geti(L, idx, i);
        if (depth + 1 < nd) {
            if (tp != LUA_TTABLE)
                luaL_error(L, "seq.tensor: expected a table at depth %d, "
                              "got %s",
                           depth + 2, luaL_typename(L, -1));
            table_fill(L, lua_gettop(L), depth + 1, nd, shape, out, pos,
                       all_int);
        } else if (tp == LUA_TNUMBER) {
            if (!lua_isinteger(L, -1))
                *all_int = false;
            out[(*pos)++] = lua_tonumber(L, -1);
        } else if (tp == LUA_TBOOLEAN) {
            out[(*pos)++] = lua_toboolean(L, -1);
        } else {
            luaL_error(L, "seq.tensor: expected a number, got %s",
                       luaL_typename(L, -1));
        }
        lua_pop(L, 1);
    }
}

/* Pushes a tensor made from the nested table at idx.  has_dt: use dt,
 * otherwise int64 when every entry is an integer, else float32. */
static void push_from_table(lua_State *L, int idx, bool has_dt,
                            enum seq_dtype dt)
{
    int64_t shape[SEQ_MAX_DIMS], numel;
    bool all_int;
    idx = lua_absindex(L, idx);
    int nd = table_shape(L, idx, shape, &all_int);
    numel = 1;
    for (int i = 0; i < nd; i++) {
        numel *= shape[i];
        if (numel > ((int64_t)1 << 40))
            luaL_error(L, "seq.tensor: the table is too large");
    }
    double *buf = lua_newuserdatauv(L, sizeof(double) * (size_t)(numel + 1),
                                    0);
    int64_t pos = 0;
    if (nd > 0)
        table_fill(L, idx, 0, nd, shape, buf, &pos, &all_int);
    struct seq_tensor **slot = lseq_newslot(L);
    struct seq_tensor *tmp = NULL;
    lseq_check(L, seq_from_buffer(&tmp, SEQ_FLOAT64, nd, shape, buf));
    enum seq_dtype want = has_dt ? dt : all_int ? SEQ_INT64 : SEQ_FLOAT32;
    int st = seq_to(slot, tmp, want);
    seq_release(tmp);
    lseq_check(L, st);
    lua_remove(L, -2); /* the buffer */
}

struct seq_tensor *lseq_checktensorish(lua_State *L, int idx,
                                       const struct seq_tensor *like)
{
    idx = lua_absindex(L, idx);
    struct seq_tensor *t = lseq_totensor(L, idx);
    if (t)
        return t;
    if (lua_isnumber(L, idx)) {
        double v = lua_tonumber(L, idx);
        enum seq_dtype dt = like ? like->dtype
                            : lua_isinteger(L, idx) ? SEQ_INT64
                                                    : SEQ_FLOAT32;
        if (dt == SEQ_INT64 && v != floor(v))
            dt = SEQ_FLOAT32;
        struct seq_tensor **slot = lseq_newslot(L);
        lseq_check(L, seq_scalar(slot, dt, v));
    } else if (lua_istable(L, idx)) {
        push_from_table(L, idx, like != NULL, like ? like->dtype : 0);
    } else {
        lseq_checktensor(L, idx); /* raises the standard message */
    }
    lua_replace(L, idx); /* anchor the new tensor in the argument slot */
    return lseq_totensor(L, idx);
}

int lseq_checkdim(lua_State *L, int idx, const struct seq_tensor *t)
{
    lua_Integer d = luaL_checkinteger(L, idx);
    int nd = t->ndim ? t->ndim : 1;
    if (d == 0 || d > nd || d < -nd)
        luaL_argerror(L, idx,
                      lua_pushfstring(L,
                                      "dimension %d out of range for a %d-d "
                                      "tensor (expected 1 to %d, or -1 to "
                                      "-%d)",
                                      (int)d, t->ndim, nd, nd));
    return d > 0 ? (int)d - 1 : (int)d;
}

/* Like lseq_checkdim, for dimensions of a result with one more dim. */
static int checkdim_plus1(lua_State *L, int idx, const struct seq_tensor *t)
{
    lua_Integer d = luaL_checkinteger(L, idx);
    int nd = t->ndim + 1;
    if (d == 0 || d > nd || d < -nd)
        luaL_argerror(L, idx,
                      lua_pushfstring(L, "dimension %d out of range (expected "
                                         "1 to %d, or -1 to -%d)",
                                      (int)d, nd, nd));
    return d > 0 ? (int)d - 1 : (int)d;
}

int lseq_checkshape(lua_State *L, int idx, int64_t *shape)
{
    int nd = 0;
    if (lua_istable(L, idx)) {
        lua_Integer n = luaL_len(L, idx);
        if (n > SEQ_MAX_DIMS)
            luaL_argerror(L, idx, "too many dimensions");
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, idx, i);
            if (!lua_isinteger(L, -1))
                luaL_argerror(L, idx, "sizes must be integers");
            shape[nd++] = lua_tointeger(L, -1);
            lua_pop(L, 1);
        }
        return nd;
    }
    int top = lua_gettop(L);
    for (int i = idx; i <= top && lua_type(L, i) == LUA_TNUMBER; i++) {
        if (nd == SEQ_MAX_DIMS)
            luaL_argerror(L, i, "too many dimensions");
        if (!lua_isinteger(L, i))
            luaL_argerror(L, i, "sizes must be integers");
        shape[nd++] = lua_tointeger(L, i);
    }
    return nd;
}

/* Number of leading size arguments consumed by lseq_checkshape at idx. */
static int shape_args(lua_State *L, int idx)
{
    if (lua_istable(L, idx))
        return 1;
    int n = 0, top = lua_gettop(L);
    for (int i = idx; i <= top && lua_type(L, i) == LUA_TNUMBER; i++)
        n++;
    return n;
}

static enum seq_dtype checkdtype(lua_State *L, int idx, enum seq_dtype def)
{
    if (lua_isnoneornil(L, idx))
        return def;
    enum seq_dtype dt;
    if (seq_dtype_parse(&dt, luaL_checkstring(L, idx)) != SEQ_OK)
        luaL_argerror(L, idx, seq_error());
    return dt;
}

/* ---- tostring ------------------------------------------------------------ */

struct fmt {
    bool is_int, sci;
    int prec, width;
};

static int decimals_needed(double v, int maxprec)
{
    for (int d = 0; d < maxprec; d++) {
        double s = pow(10.0, d);
        if (fabs(round(v * s) / s - v) <= fabs(v) * 1e-15 + 0.5e-8)
            return d;
    }
    return maxprec;
}

/* One element as numpy prints it: integers plainly; floats with `prec`
 * decimals whose trailing zeros are replaced by spaces ("1. " next to
 * "2.5"), or in scientific notation. */
static int format_value(char *buf, size_t n, double v, const struct fmt *f)
{
    if (f->is_int)
        return snprintf(buf, n, "%lld", (long long)v);
    if (!isfinite(v))
        return snprintf(buf, n, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    if (f->sci)
        return snprintf(buf, n, "%.*e", f->prec, v);
    int w = snprintf(buf, n, "%.*f", f->prec, v);
    if (w <= 0 || (size_t)w >= n)
        return w;
    if (f->prec == 0) {
        buf[w++] = '.';
        buf[w] = '\0';
        return w;
    }
    int end = w;
    while (end > 0 && buf[end - 1] == '0')
        end--;
    for (int i = end; i < w; i++)
        buf[i] = ' ';
    return w;
}

/* numpy's choice: scientific notation when the largest magnitude is >= 1e8
 * or the smallest non-zero one is < 1e-4 with a large spread; otherwise
 * fixed with as many decimals as the most demanding element needs, up to
 * 8, and all columns the same width. */
static void choose_format(const double *v, int64_t n, bool is_int,
                          struct fmt *f)
{
    char buf[64];
    f->is_int = is_int;
    f->sci = false;
    f->prec = 0;
    double maxa = 0, mina = INFINITY;
    for (int64_t i = 0; i < n; i++) {
        double a = fabs(v[i]);
        if (!isfinite(a))
            continue;
        if (a > maxa)
            maxa = a;
        if (a > 0 && a < mina)
            mina = a;
    }
    if (!is_int) {
        if (maxa >= 1e8 || (mina < 1e-4 && maxa / mina > 1e3))
            f->sci = true;
        for (int64_t i = 0; i < n && !f->sci; i++)
            if (isfinite(v[i])) {
                int d = decimals_needed(v[i], 8);
                if (d > f->prec)
                    f->prec = d;
            }
        if (f->sci)
            f->prec = 8;
    }
    f->width = 0;
    for (int64_t i = 0; i < n; i++) {
        int w = format_value(buf, sizeof buf, v[i], f);
        if (w > f->width)
            f->width = w;
    }
}

static void add_number(luaL_Buffer *b, double v, const struct fmt *f)
{
    char buf[64];
    int w = format_value(buf, sizeof buf, v, f);
    for (int i = w; i < f->width; i++)
        luaL_addchar(b, ' ');
    luaL_addlstring(b, buf, (size_t)w);
}

#define SUMMARY_THRESHOLD 1000
#define EDGE 3

static void add_level(luaL_Buffer *b, const struct seq_tensor *t,
                      const double *v, int dim, int64_t base, int indent,
                      const struct fmt *f, bool summarise)
{
    if (t->ndim == 0) {
        add_number(b, v[0], f);
        return;
    }
    int64_t n = t->shape[dim], stride = 1;
    for (int i = dim + 1; i < t->ndim; i++)
        stride *= t->shape[i];
    luaL_addchar(b, '[');
    for (int64_t i = 0; i < n; i++) {
        if (summarise && n > 2 * EDGE && i == EDGE) {
            luaL_addstring(b, "...");
            i = n - EDGE - 1;
            if (dim == t->ndim - 1) {
                luaL_addstring(b, ", ");
            } else {
                luaL_addstring(b, ",\n");
                for (int k = 0; k < indent + 1; k++)
                    luaL_addchar(b, ' ');
            }
            continue;
        }
        if (dim == t->ndim - 1)
            add_number(b, v[base + i], f);
        else
            add_level(b, t, v, dim + 1, base + i * stride, indent + 1, f,
                      summarise);
        if (i + 1 < n) {
            luaL_addchar(b, ',');
            if (dim == t->ndim - 1) {
                luaL_addchar(b, ' ');
            } else {
                for (int k = dim; k < t->ndim - 1; k++)
                    luaL_addchar(b, '\n');
                for (int k = 0; k < indent + 1; k++)
                    luaL_addchar(b, ' ');
            }
        }
    }
    luaL_addchar(b, ']');
}

static int t_tostring(lua_State *L)
{
    struct lseq_box *box = luaL_checkudata(L, 1, LSEQ_TENSOR);
    if (!box->t) {
        lua_pushliteral(L, "tensor(<freed>)");
        return 1;
    }
    struct seq_tensor *t = box->t;
    int64_t n = seq_numel(t);
    double *v = lua_newuserdatauv(L, sizeof(double) * (size_t)(n + 1), 0);
    lseq_check(L, seq_copy_out(v, SEQ_FLOAT64, t));
    bool summarise = n > SUMMARY_THRESHOLD;
    struct fmt f;
    /* the format is chosen from the elements that will be shown */
    choose_format(v, n, t->dtype == SEQ_INT64, &f);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "tensor(");
    if (n == 0 && t->ndim > 0) {
        char sb[SEQ_SHAPE_BUF];
        luaL_addstring(&b, "[], size=");
        luaL_addstring(&b, seq_shape_str(sb, sizeof sb, t->ndim, t->shape));
    } else {
        add_level(&b, t, v, 0, 0, 7, &f, summarise);
    }
    if (t->dtype != SEQ_FLOAT32) {
        luaL_addstring(&b, ", dtype=");
        luaL_addstring(&b, seq_dtype_name(t->dtype));
    }
    if (t->grad_fn) {
        luaL_addstring(&b, ", grad_fn=");
        luaL_addstring(&b, seq_grad_fn_name(t));
    } else if (t->requires_grad) {
        luaL_addstring(&b, ", requires_grad=true");
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    return 1;
}

/* ---- inspection ----------------------------------------------------------- */

static int t_shape(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    lua_createtable(L, t->ndim, 0);
    for (int i = 0; i < t->ndim; i++) {
        lua_pushinteger(L, t->shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int t_size(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    if (lua_isnoneornil(L, 2))
        return t_shape(L);
    int d = lseq_checkdim(L, 2, t);
    if (t->ndim == 0)
        return luaL_argerror(L, 2, "a 0-d tensor has no dimensions");
    lua_pushinteger(L, t->shape[d < 0 ? d + t->ndim : d]);
    return 1;
}

static int t_dim(lua_State *L)
{
    lua_pushinteger(L, lseq_checktensor(L, 1)->ndim);
    return 1;
}

static int t_numel(lua_State *L)
{
    lua_pushinteger(L, seq_numel(lseq_checktensor(L, 1)));
    return 1;
}

static int t_dtype(lua_State *L)
{
    lua_pushstring(L, seq_dtype_name(lseq_checktensor(L, 1)->dtype));
    return 1;
}

static void push_number(lua_State *L, double v, enum seq_dtype dt)
{
    if (dt == SEQ_INT64)
        lua_pushinteger(L, (lua_Integer)v);
    else
        lua_pushnumber(L, v);
}

static int t_item(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    double v;
    lseq_check(L, seq_item(&v, t));
    if (t->dtype == SEQ_INT64)
        lua_pushinteger(L, *(const int64_t *)seq_data(t));
    else
        lua_pushnumber(L, v);
    return 1;
}

static void push_table_level(lua_State *L, const struct seq_tensor *t,
                             const double *v, int dim, int64_t *pos)
{
    if (dim == t->ndim) {
        push_number(L, v[(*pos)++], t->dtype);
        return;
    }
    lua_createtable(L, (int)t->shape[dim], 0);
    for (int64_t i = 0; i < t->shape[dim]; i++) {
        push_table_level(L, t, v, dim + 1, pos);
        lua_rawseti(L, -2, i + 1);
    }
}

static int t_totable(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int64_t n = seq_numel(t), pos = 0;
    double *v = lua_newuserdatauv(L, sizeof(double) * (size_t)(n + 1), 0);
    lseq_check(L, seq_copy_out(v, SEQ_FLOAT64, t));
    luaL_checkstack(L, t->ndim + 4, "totable");
    push_table_level(L, t, v, 0, &pos);
    return 1;
}

static int t_is_contiguous(lua_State *L)
{
    lua_pushboolean(L, seq_is_contiguous(lseq_checktensor(L, 1)));
    return 1;
}

/* Reads a full 1-based index from args start..start+ndim-1. */
static void check_index(lua_State *L, int start, const struct seq_tensor *t,
                        int64_t *ix)
{
    for (int i = 0; i < t->ndim; i++) {
        lua_Integer v = luaL_checkinteger(L, start + i);
        if (v == 0 || v > t->shape[i] || v < -t->shape[i])
            luaL_argerror(L, start + i,
                          lua_pushfstring(L,
                                          "index %d out of range for "
                                          "dimension %d of size %d",
                                          (int)v, i + 1, (int)t->shape[i]));
        ix[i] = v > 0 ? v - 1 : v;
    }
}

static int t_get(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int64_t ix[SEQ_MAX_DIMS];
    if (lua_gettop(L) - 1 != t->ndim)
        return luaL_error(L, "get: a %d-d tensor needs %d indices, got %d",
                          t->ndim, t->ndim, lua_gettop(L) - 1);
    check_index(L, 2, t, ix);
    double v;
    lseq_check(L, seq_get(&v, t, ix));
    push_number(L, v, t->dtype);
    return 1;
}

static int t_set(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int64_t ix[SEQ_MAX_DIMS];
    if (lua_gettop(L) - 2 != t->ndim)
        return luaL_error(L,
                          "set: a %d-d tensor needs %d indices and a value, "
                          "got %d arguments",
                          t->ndim, t->ndim, lua_gettop(L) - 1);
    check_index(L, 2, t, ix);
    double v = luaL_checknumber(L, t->ndim + 2);
    lseq_check(L, seq_set(t, ix, v));
    lua_settop(L, 1);
    return 1;
}

/* ---- creation functions (seq.*) ---------------------------------------- */

/* Parses the trailing "dtype" string or {dtype=, requires_grad=} table
 * after a shape; returns the dtype and whether grad is requested. */
static enum seq_dtype trailing_opts(lua_State *L, int idx, enum seq_dtype def,
                                    bool *req)
{
    *req = false;
    if (lua_type(L, idx) == LUA_TSTRING)
        return checkdtype(L, idx, def);
    if (lua_type(L, idx) == LUA_TTABLE) {
        enum seq_dtype dt = def;
        if (lua_getfield(L, idx, "dtype") != LUA_TNIL)
            dt = checkdtype(L, -1, def);
        lua_pop(L, 1);
        lua_getfield(L, idx, "requires_grad");
        *req = lua_toboolean(L, -1);
        lua_pop(L, 1);
        return dt;
    }
    if (!lua_isnoneornil(L, idx))
        luaL_argerror(L, idx, "expected a dtype string or an options table");
    return def;
}

static void finish_creation(lua_State *L, bool req)
{
    if (req)
        lseq_check(L, seq_set_requires_grad(lseq_checktensor(L, -1), true));
}

enum fill_kind { FILL_ZEROS, FILL_ONES, FILL_RANDN, FILL_RAND };

static int create_filled(lua_State *L, enum fill_kind kind)
{
    int64_t shape[SEQ_MAX_DIMS];
    int nd = lseq_checkshape(L, 1, shape);
    bool req;
    enum seq_dtype dt = trailing_opts(L, 1 + shape_args(L, 1), SEQ_FLOAT32,
                                      &req);
    struct seq_tensor **slot = lseq_newslot(L);
    int st;
    switch (kind) {
    case FILL_ZEROS: st = seq_zeros(slot, dt, nd, shape); break;
    case FILL_ONES: st = seq_ones(slot, dt, nd, shape); break;
    case FILL_RANDN:
        st = seq_rng_normal_tensor(slot, NULL, dt, nd, shape, 0.0, 1.0);
        break;
    default:
        st = seq_rng_uniform_tensor(slot, NULL, dt, nd, shape, 0.0, 1.0);
        break;
    }
    lseq_check(L, st);
    finish_creation(L, req);
    return 1;
}

static int l_zeros(lua_State *L)
{
    return create_filled(L, FILL_ZEROS);
}

static int l_ones(lua_State *L)
{
    return create_filled(L, FILL_ONES);
}

static int l_randn(lua_State *L)
{
    return create_filled(L, FILL_RANDN);
}

static int l_rand(lua_State *L)
{
    return create_filled(L, FILL_RAND);
}

/* seq.full({2, 3}, 7 [, dtype]) */
static int l_full(lua_State *L)
{
    int64_t shape[SEQ_MAX_DIMS];
    luaL_checktype(L, 1, LUA_TTABLE);
    int nd = lseq_checkshape(L, 1, shape);
    double v = luaL_checknumber(L, 2);
    bool req;
    enum seq_dtype def = lua_isinteger(L, 2) ? SEQ_INT64 : SEQ_FLOAT32;
    enum seq_dtype dt = trailing_opts(L, 3, def, &req);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_full(slot, dt, nd, shape, v));
    finish_creation(L, req);
    return 1;
}

/* A detached copy with its own storage, converted to dt. */
static int copy_as(struct seq_tensor **out, struct seq_tensor *src,
                   enum seq_dtype dt)
{
    struct seq_tensor *d = NULL, *c = NULL;
    int st = seq_detach(&d, src);
    if (st == SEQ_OK)
        st = seq_clone(&c, d);
    if (st == SEQ_OK)
        st = seq_to(out, c, dt);
    seq_release(d);
    seq_release(c);
    return st;
}

/* seq.tensor(nested_table_or_number [, dtype | opts]) */
static int l_tensor(lua_State *L)
{
    bool req;
    bool has_dt = !lua_isnoneornil(L, 2);
    enum seq_dtype dt = trailing_opts(L, 2, SEQ_FLOAT32, &req);
    if (lua_istable(L, 2)) {
        lua_getfield(L, 2, "dtype");
        has_dt = !lua_isnil(L, -1);
        lua_pop(L, 1);
    }
    if (lua_isnumber(L, 1)) {
        enum seq_dtype d = has_dt ? dt
                           : lua_isinteger(L, 1) ? SEQ_INT64
                                                 : SEQ_FLOAT32;
        struct seq_tensor **slot = lseq_newslot(L);
        lseq_check(L, seq_scalar(slot, d, lua_tonumber(L, 1)));
    } else if (lseq_totensor(L, 1)) {
        struct seq_tensor *src = lseq_totensor(L, 1);
        struct seq_tensor **slot = lseq_newslot(L);
        lseq_check(L, copy_as(slot, src, has_dt ? dt : src->dtype));
    } else {
        luaL_checktype(L, 1, LUA_TTABLE);
        push_from_table(L, 1, has_dt, dt);
    }
    finish_creation(L, req);
    return 1;
}

/* seq.arange([start,] end [, step] [, dtype]): int64 when every bound is
 * an integer, as in PyTorch. */
static int l_arange(lua_State *L)
{
    int nnum = 0;
    while (nnum < 3 && lua_type(L, nnum + 1) == LUA_TNUMBER)
        nnum++;
    if (nnum == 0)
        return luaL_argerror(L, 1, "number expected");
    double start = 0, end, step = 1;
    bool ints = true;
    for (int i = 1; i <= nnum; i++)
        ints = ints && lua_isinteger(L, i);
    if (nnum == 1) {
        end = lua_tonumber(L, 1);
    } else {
        start = lua_tonumber(L, 1);
        end = lua_tonumber(L, 2);
        if (nnum == 3)
            step = lua_tonumber(L, 3);
    }
    bool req;
    enum seq_dtype dt = trailing_opts(L, nnum + 1,
                                      ints ? SEQ_INT64 : SEQ_FLOAT32, &req);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_arange(slot, dt, start, end, step));
    finish_creation(L, req);
    return 1;
}

static int l_linspace(lua_State *L)
{
    double a = luaL_checknumber(L, 1), b = luaL_checknumber(L, 2);
    lua_Integer n = luaL_checkinteger(L, 3);
    bool req;
    enum seq_dtype dt = trailing_opts(L, 4, SEQ_FLOAT32, &req);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_linspace(slot, dt, a, b, n));
    finish_creation(L, req);
    return 1;
}

static int l_eye(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    lua_Integer m = lua_isinteger(L, 2) ? lua_tointeger(L, 2) : n;
    bool req;
    enum seq_dtype dt = trailing_opts(L, lua_isinteger(L, 2) ? 3 : 2,
                                      SEQ_FLOAT32, &req);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_eye(slot, dt, n, m));
    finish_creation(L, req);
    return 1;
}

static int l_zeros_like(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    enum seq_dtype dt = checkdtype(L, 2, t->dtype);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_zeros(slot, dt, t->ndim, t->shape));
    return 1;
}

static int l_ones_like(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    enum seq_dtype dt = checkdtype(L, 2, t->dtype);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_ones(slot, dt, t->ndim, t->shape));
    return 1;
}

static int l_randn_like(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_rng_normal_tensor(slot, NULL, t->dtype, t->ndim,
                                        t->shape, 0.0, 1.0));
    return 1;
}

static int l_manual_seed(lua_State *L)
{
    seq_rng_manual_seed((uint64_t)luaL_checkinteger(L, 1));
    return 0;
}

/* ---- elementwise ---------------------------------------------------------- */

/* Binary ops accept tensors, numbers and nested tables on either side, so
 * they serve as metamethods (`2 * x`) and as methods (`x:add(y)`). */
static int binop(lua_State *L, enum seq_binop op)
{
    struct seq_tensor *a = lseq_totensor(L, 1), *b = lseq_totensor(L, 2);
    struct seq_tensor **slot;
    if (a && !b && lua_type(L, 2) == LUA_TNUMBER) {
        double s = lua_tonumber(L, 2);
        slot = lseq_newslot(L);
        lseq_check(L, seq_binary_scalar(slot, op, a, s, false));
        return 1;
    }
    if (b && !a && lua_type(L, 1) == LUA_TNUMBER) {
        double s = lua_tonumber(L, 1);
        slot = lseq_newslot(L);
        lseq_check(L, seq_binary_scalar(slot, op, b, s, true));
        return 1;
    }
    if (!a)
        a = lseq_checktensorish(L, 1, b);
    if (!b)
        b = lseq_checktensorish(L, 2, a);
    slot = lseq_newslot(L);
    lseq_check(L, seq_binary(slot, op, a, b));
    return 1;
}

#define BINARY(NAME, OP)                                                      \
    static int NAME(lua_State *L)                                             \
    {                                                                         \
        return binop(L, OP);                                                  \
    }
BINARY(t_add, SEQ_OP_ADD)
BINARY(t_sub, SEQ_OP_SUB)
BINARY(t_mul, SEQ_OP_MUL)
BINARY(t_div, SEQ_OP_DIV)
BINARY(t_pow, SEQ_OP_POW)
BINARY(t_maximum, SEQ_OP_MAXIMUM)
BINARY(t_minimum, SEQ_OP_MINIMUM)
BINARY(t_eq, SEQ_OP_EQ)
BINARY(t_ne, SEQ_OP_NE)
BINARY(t_lt, SEQ_OP_LT)
BINARY(t_le, SEQ_OP_LE)
BINARY(t_gt, SEQ_OP_GT)
BINARY(t_ge, SEQ_OP_GE)

static int unop(lua_State *L, enum seq_unop op)
{
    struct seq_tensor *a = lseq_checktensorish(L, 1, NULL);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_unary(slot, op, a));
    return 1;
}

#define UNARY(NAME, OP)                                                       \
    static int NAME(lua_State *L)                                             \
    {                                                                         \
        return unop(L, OP);                                                   \
    }
UNARY(t_neg, SEQ_OP_NEG)
UNARY(t_exp, SEQ_OP_EXP)
UNARY(t_log, SEQ_OP_LOG)
UNARY(t_sqrt, SEQ_OP_SQRT)
UNARY(t_abs, SEQ_OP_ABS)
UNARY(t_tanh, SEQ_OP_TANH)
UNARY(t_sigmoid, SEQ_OP_SIGMOID)
UNARY(t_relu, SEQ_OP_RELU)
UNARY(t_sign, SEQ_OP_SIGN)
UNARY(t_square, SEQ_OP_SQUARE)

/* x:clamp(lo, hi): nil for an open side. */
static int t_clamp(lua_State *L)
{
    struct seq_tensor *a = lseq_checktensorish(L, 1, NULL);
    double lo = luaL_optnumber(L, 2, NAN), hi = luaL_optnumber(L, 3, NAN);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_clamp(slot, a, lo, hi));
    return 1;
}

/* ---- reductions ------------------------------------------------------------ */

/* Optional dim at idx: nil means all dims. */
static int optdim(lua_State *L, int idx, const struct seq_tensor *t)
{
    return lua_isnoneornil(L, idx) ? SEQ_DIM_ALL : lseq_checkdim(L, idx, t);
}

typedef int (*reduce_fn)(struct seq_tensor **, struct seq_tensor *, int,
                         bool);

static int reduce_op(lua_State *L, reduce_fn fn)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = optdim(L, 2, t);
    bool keep = lua_toboolean(L, 3);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, fn(slot, t, d, keep));
    return 1;
}

static int t_sum(lua_State *L)
{
    return reduce_op(L, seq_sum);
}

static int t_mean(lua_State *L)
{
    return reduce_op(L, seq_mean);
}

static int t_logsumexp(lua_State *L)
{
    return reduce_op(L, seq_logsumexp);
}

/* Converts a 0-based int64 index tensor at the top of the stack to
 * 1-based, replacing it. */
static void to_one_based(lua_State *L)
{
    struct seq_tensor *ix = lseq_checktensor(L, -1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_binary_scalar(slot, SEQ_OP_ADD, ix, 1, false));
    lua_remove(L, -2);
}

typedef int (*extremum_fn)(struct seq_tensor **, struct seq_tensor **,
                           struct seq_tensor *, int, bool);

/* x:max() -> 0-d value; x:max(dim [, keepdim]) -> values, indices (1-based) */
static int extremum_op(lua_State *L, extremum_fn fn)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    if (lseq_totensor(L, 2) || lua_type(L, 2) == LUA_TTABLE)
        return luaL_argerror(L, 2,
                             "a dimension expected (use seq.maximum for the "
                             "elementwise larger of two tensors)");
    int d = optdim(L, 2, t);
    bool keep = lua_toboolean(L, 3);
    struct seq_tensor **vals = lseq_newslot(L);
    if (d == SEQ_DIM_ALL) {
        lseq_check(L, fn(vals, NULL, t, d, keep));
        return 1;
    }
    struct seq_tensor **idx = lseq_newslot(L);
    lseq_check(L, fn(vals, idx, t, d, keep));
    to_one_based(L);
    return 2;
}

static int t_max(lua_State *L)
{
    return extremum_op(L, seq_max);
}

static int t_min(lua_State *L)
{
    return extremum_op(L, seq_min);
}

static int arg_op(lua_State *L, reduce_fn fn)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = optdim(L, 2, t);
    bool keep = lua_toboolean(L, 3);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, fn(slot, t, d, keep));
    to_one_based(L);
    return 1;
}

static int t_argmax(lua_State *L)
{
    return arg_op(L, seq_argmax);
}

static int t_argmin(lua_State *L)
{
    return arg_op(L, seq_argmin);
}

/* x:var([dim] [, keepdim] [, correction = 1]) */
static int var_std(lua_State *L, bool is_std)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = optdim(L, 2, t);
    bool keep = lua_toboolean(L, 3);
    lua_Integer c = luaL_optinteger(L, 4, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, (is_std ? seq_std : seq_var)(slot, t, d, (int)c, keep));
    return 1;
}

static int t_var(lua_State *L)
{
    return var_std(L, false);
}

static int t_std(lua_State *L)
{
    return var_std(L, true);
}

/* x:norm([p = 2] [, dim] [, keepdim]); p may be math.huge or "inf" */
static int t_norm(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    double p = 2;
    if (lua_type(L, 2) == LUA_TSTRING) {
        if (strcmp(lua_tostring(L, 2), "inf") != 0)
            return luaL_argerror(L, 2, "expected a number or \"inf\"");
        p = INFINITY;
    } else {
        p = luaL_optnumber(L, 2, 2);
    }
    int d = optdim(L, 3, t);
    bool keep = lua_toboolean(L, 4);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_norm(slot, t, p, d, keep));
    return 1;
}

typedef int (*dim_fn)(struct seq_tensor **, struct seq_tensor *, int);

static int dim_op(lua_State *L, dim_fn fn)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = lseq_checkdim(L, 2, t);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, fn(slot, t, d));
    return 1;
}

static int t_cumsum(lua_State *L)
{
    return dim_op(L, seq_cumsum);
}

static int t_softmax(lua_State *L)
{
    return dim_op(L, seq_softmax);
}

static int t_log_softmax(lua_State *L)
{
    return dim_op(L, seq_log_softmax);
}

/* ---- linear algebra -------------------------------------------------------- */

static int t_matmul(lua_State *L)
{
    struct seq_tensor *a = lseq_checktensorish(L, 1, NULL);
    struct seq_tensor *b = lseq_checktensorish(L, 2, a);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_matmul(slot, a, b));
    return 1;
}

static int t_dot(lua_State *L)
{
    struct seq_tensor *a = lseq_checktensor(L, 1), *b = lseq_checktensor(L, 2);
    if (a->ndim != 1 || b->ndim != 1)
        return luaL_error(L, "dot: expected two 1-d tensors (use matmul)");
    return t_matmul(L);
}

static int t_outer(lua_State *L)
{
    struct seq_tensor *a = lseq_checktensor(L, 1), *b = lseq_checktensor(L, 2);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_outer(slot, a, b));
    return 1;
}

/* ---- views ------------------------------------------------------------------ */

typedef int (*shape_fn)(struct seq_tensor **, struct seq_tensor *, int,
                        const int64_t *);

static int shape_op(lua_State *L, shape_fn fn)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int64_t shape[SEQ_MAX_DIMS];
    int nd = lseq_checkshape(L, 2, shape);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, fn(slot, t, nd, shape));
    return 1;
}

static int t_view(lua_State *L)
{
    return shape_op(L, seq_view);
}

static int t_reshape(lua_State *L)
{
    return shape_op(L, seq_reshape);
}

static int t_expand(lua_State *L)
{
    return shape_op(L, seq_expand);
}

static int t_expand_as(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1), *o = lseq_checktensor(L, 2);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_expand(slot, t, o->ndim, o->shape));
    return 1;
}

static int t_flatten(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_flatten(slot, t));
    return 1;
}

static int t_transpose(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int a = lseq_checkdim(L, 2, t), b = lseq_checkdim(L, 3, t);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_transpose(slot, t, a, b));
    return 1;
}

/* x:t(): the transpose of a matrix (a 0-d or 1-d tensor is returned as a
 * view of itself, as in PyTorch). */
static int t_t(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    if (t->ndim > 2)
        return luaL_error(L, "t: expects a tensor with at most 2 dimensions, "
                             "got %d (use transpose)",
                          t->ndim);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, t->ndim == 2 ? seq_transpose(slot, t, 0, 1)
                               : seq_view(slot, t, t->ndim, t->shape));
    return 1;
}

static int t_permute(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int perm[SEQ_MAX_DIMS];
    int64_t dims[SEQ_MAX_DIMS];
    int n = lseq_checkshape(L, 2, dims);
    if (n != t->ndim)
        return luaL_error(L, "permute: %d dimensions given for a %d-d "
                             "tensor",
                          n, t->ndim);
    for (int i = 0; i < n; i++) {
        if (dims[i] == 0 || dims[i] > n || dims[i] < -n)
            return luaL_error(L, "permute: dimension %d out of range",
                              (int)dims[i]);
        perm[i] = dims[i] > 0 ? (int)dims[i] - 1 : (int)dims[i];
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_permute(slot, t, perm));
    return 1;
}

/* x:slice(dim, from, to [, step]): inclusive 1-based bounds, negative ones
 * count from the end; `to` defaults to the end. */
static int t_slice(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = lseq_checkdim(L, 2, t);
    if (t->ndim == 0)
        return luaL_error(L, "slice: cannot slice a 0-d tensor");
    int64_t size = t->shape[d < 0 ? d + t->ndim : d];
    lua_Integer from = luaL_optinteger(L, 3, 1), to = luaL_optinteger(L, 4, -1);
    lua_Integer step = luaL_optinteger(L, 5, 1);
    if (from < 0)
        from += size + 1;
    if (to < 0)
        to += size + 1;
    if (from < 1)
        from = 1;
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_slice(slot, t, d, from - 1, to < from ? from - 1 : to,
                            step));
    return 1;
}

static int t_narrow(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = lseq_checkdim(L, 2, t);
    lua_Integer start = luaL_checkinteger(L, 3), len = luaL_checkinteger(L, 4);
    if (start == 0)
        return luaL_argerror(L, 3, "start is 1-based");
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_narrow(slot, t, d, start > 0 ? start - 1 : start, len));
    return 1;
}

static void check_pos(lua_State *L, int arg, const struct seq_tensor *t,
                      int d, lua_Integer *i)
{
    int64_t size = t->shape[d < 0 ? d + t->ndim : d];
    if (*i == 0 || *i > size || *i < -size)
        luaL_argerror(L, arg,
                      lua_pushfstring(L, "index %d out of range for size %d",
                                      (int)*i, (int)size));
    *i = *i > 0 ? *i - 1 : *i;
}

static int t_select(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    if (t->ndim == 0)
        return luaL_error(L, "select: cannot index a 0-d tensor");
    int d = lseq_checkdim(L, 2, t);
    lua_Integer i = luaL_checkinteger(L, 3);
    check_pos(L, 3, t, d, &i);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_select(slot, t, d, i));
    return 1;
}

static int t_squeeze(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = optdim(L, 2, t);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_squeeze(slot, t, d));
    return 1;
}

static int t_unsqueeze(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = checkdim_plus1(L, 2, t);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_unsqueeze(slot, t, d));
    return 1;
}

/* Returns pieces as a Lua list. */
static int pieces(lua_State *L, bool by_count)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    lua_Integer k = luaL_checkinteger(L, 2);
    int d = lua_isnoneornil(L, 3) ? 0 : lseq_checkdim(L, 3, t);
    if (t->ndim == 0)
        return luaL_error(L, "%s: cannot split a 0-d tensor",
                          by_count ? "chunk" : "split");
    int64_t size = t->shape[d < 0 ? d + t->ndim : d];
    if (k < 1)
        return luaL_argerror(L, 2, "must be positive");
    int64_t maxn = by_count ? k : (size + k - 1) / k;
    if (maxn < 1)
        maxn = 1;
    if (maxn > 1000000)
        return luaL_argerror(L, 2, "too many pieces");
    struct seq_tensor **outs = lua_newuserdatauv(
        L, sizeof(struct seq_tensor *) * (size_t)maxn, 0);
    int n = 0;
    int st = by_count ? seq_chunk(outs, (int)maxn, &n, t, k, d)
                      : seq_split(outs, (int)maxn, &n, t, k, d);
    lseq_check(L, st);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lseq_pushtensor(L, outs[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int t_split(lua_State *L)
{
    return pieces(L, false);
}

static int t_chunk(lua_State *L)
{
    return pieces(L, true);
}

/* ---- indexing ---------------------------------------------------------------- */

/* An index argument (tensor or table of 1-based integers) converted to a
 * 0-based int64 tensor left on the stack.  Every value is checked against
 * [1, size] (negative values count from the end when allow_neg). */
static struct seq_tensor *index_arg(lua_State *L, int arg, int64_t size,
                                    const char *fname)
{
    struct seq_tensor *ix = lseq_checktensorish(L, arg, NULL);
    if (ix->dtype != SEQ_INT64)
        luaL_argerror(L, arg,
                      lua_pushfstring(L, "%s: indices must be integers "
                                         "(int64), got %s",
                                      fname, seq_dtype_name(ix->dtype)));
    int64_t n = seq_numel(ix);
    int64_t *v = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n + 1), 0);
    lseq_check(L, seq_copy_out(v, SEQ_INT64, ix));
    for (int64_t i = 0; i < n; i++) {
        if (v[i] < 1 || v[i] > size)
            luaL_error(L,
                       "%s: index %d out of range (valid indices are 1 to %d)",
                       fname, (int)v[i], (int)size);
        v[i] -= 1;
    }
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_from_buffer(slot, SEQ_INT64, ix->ndim, ix->shape, v));
    lua_remove(L, -2);
    return *slot;
}

static int64_t dim_size(const struct seq_tensor *t, int d)
{
    return t->ndim ? t->shape[d < 0 ? d + t->ndim : d] : 1;
}

static int t_index_select(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = lseq_checkdim(L, 2, t);
    struct seq_tensor *ix = index_arg(L, 3, dim_size(t, d), "index_select");
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_index_select(slot, t, d, ix));
    return 1;
}

static int t_gather(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = lseq_checkdim(L, 2, t);
    struct seq_tensor *ix = index_arg(L, 3, dim_size(t, d), "gather");
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_gather(slot, t, d, ix));
    return 1;
}

static int t_scatter_add(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    int d = lseq_checkdim(L, 2, t);
    struct seq_tensor *ix = index_arg(L, 3, dim_size(t, d), "scatter_add");
    struct seq_tensor *src = lseq_checktensorish(L, 4, t);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_scatter_add(slot, t, d, ix, src));
    return 1;
}

static int t_masked_fill(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor *m = lseq_checktensorish(L, 2, NULL);
    double v = luaL_checknumber(L, 3);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_masked_fill(slot, t, m, v));
    return 1;
}

/* seq.one_hot(indices, n [, dtype]): indices 1..n; the result has one more
 * trailing dim of size n (float32 by default, so it feeds matmul). */
static int l_one_hot(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 2);
    if (n < 1)
        return luaL_argerror(L, 2, "number of classes must be positive");
    enum seq_dtype dt = checkdtype(L, 3, SEQ_FLOAT32); /* before pushes */
    lua_settop(L, 1);
    struct seq_tensor *ix = index_arg(L, 1, n, "one_hot");
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_one_hot(slot, ix, n, dt));
    return 1;
}

static int l_where(lua_State *L)
{
    struct seq_tensor *c = lseq_checktensorish(L, 1, NULL);
    struct seq_tensor *a = lseq_totensor(L, 2), *b = lseq_totensor(L, 3);
    a = lseq_checktensorish(L, 2, b);
    b = lseq_checktensorish(L, 3, a);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_where(slot, c, a, b));
    return 1;
}

/* seq.cat({a, b, ...} [, dim = 1]) and seq.stack */
static int join(lua_State *L, bool stack)
{
    lua_settop(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 1);
    if (n < 1)
        return luaL_argerror(L, 1, "expected a non-empty list of tensors");
    if (n > 100000)
        return luaL_argerror(L, 1, "too many tensors");
    struct seq_tensor **ts = lua_newuserdatauv(
        L, sizeof(struct seq_tensor *) * (size_t)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        ts[i - 1] = lseq_totensor(L, -1);
        if (!ts[i - 1])
            return luaL_error(L, "%s: element %d is not a tensor (%s)",
                              stack ? "stack" : "cat", (int)i,
                              luaL_typename(L, -1));
        lua_pop(L, 1); /* still referenced by the list */
    }
    int d = 0;
    if (!lua_isnoneornil(L, 2))
        d = stack ? checkdim_plus1(L, 2, ts[0]) : lseq_checkdim(L, 2, ts[0]);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, stack ? seq_stack(slot, (int)n, ts, d)
                        : seq_cat(slot, (int)n, ts, d));
    return 1;
}

static int l_cat(lua_State *L)
{
    return join(L, false);
}

static int l_stack(lua_State *L)
{
    return join(L, true);
}

/* ---- losses ------------------------------------------------------------------ */

/* seq.cross_entropy(logits, target [, {ignore_index=, reduction=}]) with
 * 1-based class targets; nll_loss likewise on log-probabilities. */
static int loss_op(lua_State *L, bool ce)
{
    struct seq_tensor *x = lseq_checktensor(L, 1);
    int64_t ncls = x->ndim ? x->shape[x->ndim - 1] : 1;
    lua_Integer ignore = -100;
    enum seq_reduction red = SEQ_REDUCE_MEAN;
    if (lua_istable(L, 3)) {
        if (lua_getfield(L, 3, "ignore_index") != LUA_TNIL)
            ignore = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
        if (lua_getfield(L, 3, "reduction") != LUA_TNIL) {
            static const char *const names[] = {"mean", "sum", "none", NULL};
            red = (enum seq_reduction)luaL_checkoption(L, -1, NULL, names);
        }
        lua_pop(L, 1);
    }
    /* Targets are 1-based; the ignored value passes through unchecked. */
    struct seq_tensor *tg = lseq_checktensorish(L, 2, NULL);
    if (tg->dtype != SEQ_INT64)
        return luaL_argerror(L, 2, "targets must be integer class indices");
    int64_t n = seq_numel(tg);
    int64_t *v = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n + 1), 0);
    lseq_check(L, seq_copy_out(v, SEQ_INT64, tg));
    for (int64_t i = 0; i < n; i++) {
        if (v[i] == ignore) {
            v[i] -= 1; /* the engine is passed ignore - 1 below */
            continue;
        }
        if (v[i] < 1 || v[i] > ncls)
            return luaL_error(L,
                              "%s: target %d out of range for %d classes "
                              "(classes are 1 to %d)",
                              ce ? "cross_entropy" : "nll_loss", (int)v[i],
                              (int)ncls, (int)ncls);
        v[i] -= 1;
    }
    struct seq_tensor **tslot = lseq_newslot(L);
    lseq_check(L, seq_from_buffer(tslot, SEQ_INT64, tg->ndim, tg->shape, v));
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, (ce ? seq_cross_entropy : seq_nll_loss)(
                      slot, x, *tslot, ignore - 1, red));
    return 1;
}

static int l_cross_entropy(lua_State *L)
{
    return loss_op(L, true);
}

static int l_nll_loss(lua_State *L)
{
    return loss_op(L, false);
}

/* ---- conversion and copies ------------------------------------------------------ */

static int t_to(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    enum seq_dtype dt = checkdtype(L, 2, t->dtype);
    if (lua_isnoneornil(L, 2))
        return luaL_argerror(L, 2, "dtype expected");
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_to(slot, t, dt));
    return 1;
}

static int convert(lua_State *L, enum seq_dtype dt)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_to(slot, t, dt));
    return 1;
}

static int t_float(lua_State *L)
{
    return convert(L, SEQ_FLOAT32);
}

static int t_double(lua_State *L)
{
    return convert(L, SEQ_FLOAT64);
}

static int t_long(lua_State *L)
{
    return convert(L, SEQ_INT64);
}

static int t_clone(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_clone(slot, t));
    return 1;
}

static int t_contiguous(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_contiguous(slot, t));
    return 1;
}

static int t_detach(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor **slot = lseq_newslot(L);
    lseq_check(L, seq_detach(slot, t));
    return 1;
}

/* ---- in place ------------------------------------------------------------------- */

static int t_fill_(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    lseq_check(L, seq_fill_(t, luaL_checknumber(L, 2)));
    lua_settop(L, 1);
    return 1;
}

static int t_zero_(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    lseq_check(L, seq_fill_(t, 0));
    lua_settop(L, 1);
    return 1;
}

static int t_copy_(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor *s = lseq_checktensorish(L, 2, t);
    lseq_check(L, seq_copy_(t, s));
    lua_settop(L, 1);
    return 1;
}

/* x:add_(y [, alpha = 1]) : x += alpha * y */
static int t_add_(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor *s = lseq_checktensorish(L, 2, t);
    lseq_check(L, seq_add_(t, s, luaL_optnumber(L, 3, 1.0)));
    lua_settop(L, 1);
    return 1;
}

static int t_mul_(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    lseq_check(L, seq_mul_scalar_(t, luaL_checknumber(L, 2)));
    lua_settop(L, 1);
    return 1;
}

/* ---- autograd ------------------------------------------------------------------- */

static int t_requires_grad(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    bool on = lua_isnoneornil(L, 2) ? true : lua_toboolean(L, 2);
    lseq_check(L, seq_set_requires_grad(t, on));
    lua_settop(L, 1);
    return 1;
}

static int t_grad_required(lua_State *L)
{
    lua_pushboolean(L, lseq_checktensor(L, 1)->requires_grad);
    return 1;
}

static int t_is_leaf(lua_State *L)
{
    lua_pushboolean(L, lseq_checktensor(L, 1)->grad_fn == NULL);
    return 1;
}

/* y:backward([grad] [, retain_graph]) */
static int t_backward(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    struct seq_tensor *g = NULL;
    if (!lua_isnoneornil(L, 2) && lua_type(L, 2) != LUA_TBOOLEAN)
        g = lseq_checktensorish(L, 2, t);
    bool retain = lua_toboolean(L, lua_type(L, 2) == LUA_TBOOLEAN ? 2 : 3);
    lseq_check(L, seq_backward(t, g, retain));
    return 0;
}

static int t_zero_grad(lua_State *L)
{
    seq_zero_grad(lseq_checktensor(L, 1));
    return 0;
}

static int t_retain_grad(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    lseq_check(L, seq_retain_grad(t));
    lua_settop(L, 1);
    return 1;
}

/* x:free(): releases the tensor now (also what `<close>` does). */
static int t_free(lua_State *L)
{
    return box_release(L);
}

/* ---- metamethods ---------------------------------------------------------------- */

static int t_len(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    if (t->ndim == 0)
        return luaL_error(L, "# of a 0-d tensor (use item())");
    lua_pushinteger(L, t->shape[0]);
    return 1;
}

static int t_index(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TNUMBER) {
        struct seq_tensor *t = lseq_checktensor(L, 1);
        if (!lua_isinteger(L, 2))
            return luaL_error(L, "tensor index must be an integer");
        if (t->ndim == 0)
            return luaL_error(L, "cannot index a 0-d tensor (use item())");
        lua_Integer i = lua_tointeger(L, 2);
        check_pos(L, 2, t, 0, &i);
        struct seq_tensor **slot = lseq_newslot(L);
        lseq_check(L, seq_select(slot, t, 0, i));
        return 1;
    }
    const char *k = luaL_checkstring(L, 2);
    if (!strcmp(k, "grad")) {
        struct seq_tensor *t = lseq_checktensor(L, 1);
        lseq_pushtensor(L, seq_retain(t->grad));
        return 1;
    }
    if (!strcmp(k, "grad_fn")) {
        const char *n = seq_grad_fn_name(lseq_checktensor(L, 1));
        if (n)
            lua_pushstring(L, n);
        else
            lua_pushnil(L);
        return 1;
    }
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__methods");
    lua_getfield(L, -1, k);
    return 1;
}

/* x[i] = v writes v (a number or a broadcastable tensor) into row i. */
static int t_newindex(lua_State *L)
{
    struct seq_tensor *t = lseq_checktensor(L, 1);
    if (!lua_isinteger(L, 2))
        return luaL_error(L, "tensors have no writable field '%s' (only "
                             "integer rows can be assigned)",
                          luaL_tolstring(L, 2, NULL));
    if (t->ndim == 0)
        return luaL_error(L, "cannot index a 0-d tensor");
    lua_Integer i = lua_tointeger(L, 2);
    check_pos(L, 2, t, 0, &i);
    struct seq_tensor **row = lseq_newslot(L);
    lseq_check(L, seq_select(row, t, 0, i));
    struct seq_tensor *v = lseq_checktensorish(L, 3, t);
    lseq_check(L, seq_copy_(*row, v));
    return 0;
}

static const luaL_Reg tensor_methods[] = {
    {"shape", t_shape},
    {"size", t_size},
    {"dim", t_dim},
    {"numel", t_numel},
    {"dtype", t_dtype},
    {"item", t_item},
    {"totable", t_totable},
    {"is_contiguous", t_is_contiguous},
    {"get", t_get},
    {"set", t_set},
    {"add", t_add},
    {"sub", t_sub},
    {"mul", t_mul},
    {"div", t_div},
    {"pow", t_pow},
    {"maximum", t_maximum},
    {"minimum", t_minimum},
    {"eq", t_eq},
    {"ne", t_ne},
    {"lt", t_lt},
    {"le", t_le},
    {"gt", t_gt},
    {"ge", t_ge},
    {"neg", t_neg},
    {"exp", t_exp},
    {"log", t_log},
    {"sqrt", t_sqrt},
    {"abs", t_abs},
    {"tanh", t_tanh},
    {"sigmoid", t_sigmoid},
    {"relu", t_relu},
    {"sign", t_sign},
    {"square", t_square},
    {"clamp", t_clamp},
    {"clip", t_clamp},
    {"sum", t_sum},
    {"mean", t_mean},
    {"max", t_max},
    {"min", t_min},
    {"argmax", t_argmax},
    {"argmin", t_argmin},
    {"var", t_var},
    {"std", t_std},
    {"norm", t_norm},
    {"cumsum", t_cumsum},
    {"logsumexp", t_logsumexp},
    {"softmax", t_softmax},
    {"log_softmax", t_log_softmax},
    {"matmul", t_matmul},
    {"mm", t_matmul},
    {"dot", t_dot},
    {"outer", t_outer},
    {"view", t_view},
    {"reshape", t_reshape},
    {"flatten", t_flatten},
    {"t", t_t},
    {"transpose", t_transpose},
    {"permute", t_permute},
    {"slice", t_slice},
    {"narrow", t_narrow},
    {"select", t_select},
    {"squeeze", t_squeeze},
    {"unsqueeze", t_unsqueeze},
    {"expand", t_expand},
    {"expand_as", t_expand_as},
    {"split", t_split},
    {"chunk", t_chunk},
    {"index_select", t_index_select},
    {"gather", t_gather},
    {"scatter_add", t_scatter_add},
    {"masked_fill", t_masked_fill},
    {"to", t_to},
    {"float", t_float},
    {"double", t_double},
    {"long", t_long},
    {"clone", t_clone},
    {"contiguous", t_contiguous},
    {"detach", t_detach},
    {"fill_", t_fill_},
    {"zero_", t_zero_},
    {"copy_", t_copy_},
    {"add_", t_add_},
    {"mul_", t_mul_},
    {"requires_grad", t_requires_grad},
    {"grad_required", t_grad_required},
    {"is_leaf", t_is_leaf},
    {"backward", t_backward},
    {"zero_grad", t_zero_grad},
    {"retain_grad", t_retain_grad},
    {"free", t_free},
    {NULL, NULL},
};

static const luaL_Reg tensor_meta[] = {
    {"__index", t_index},
    {"__newindex", t_newindex},
    {"__tostring", t_tostring},
    {"__len", t_len},
    {"__add", t_add},
    {"__sub", t_sub},
    {"__mul", t_mul},
    {"__div", t_div},
    {"__pow", t_pow},
    {"__unm", t_neg},
    {"__gc", box_release},
    {"__close", box_release},
    {NULL, NULL},
};

/* ---- the seq module ---------------------------------------------------------------- */

static int l_no_grad(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    bool prev = seq_set_grad_enabled(false);
    int st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    seq_set_grad_enabled(prev);
    if (st != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

static int l_set_grad_enabled(lua_State *L)
{
    lua_pushboolean(L, seq_set_grad_enabled(lua_toboolean(L, 1)));
    return 1;
}

static int l_is_grad_enabled(lua_State *L)
{
    lua_pushboolean(L, seq_grad_enabled());
    return 1;
}

static int l_is_tensor(lua_State *L)
{
    lua_pushboolean(L, lseq_totensor(L, 1) != NULL);
    return 1;
}

static int l_memory(lua_State *L)
{
    struct seq_memstats m;
    seq_memory(&m);
    lua_pushinteger(L, m.live_bytes);
    lua_pushinteger(L, m.peak_bytes);
    return 2;
}

static int l_set_num_threads(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    if (n < 1 || n > 256)
        return luaL_argerror(L, 1, "expected 1 to 256 threads");
    seq_set_num_threads((int)n);
    return 0;
}

static int l_get_num_threads(lua_State *L)
{
    lua_pushinteger(L, seq_get_num_threads());
    return 1;
}

/* seq.save(path, {name = tensor, ...} [, metadata]) -> true | nil, msg */
static int l_save(lua_State *L)
{
    lua_settop(L, 3);
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        if (lua_type(L, -2) != LUA_TSTRING || !lseq_totensor(L, -1))
            return luaL_error(L, "save: expected a table of name = tensor "
                                 "(bad entry '%s')",
                              luaL_tolstring(L, -2, NULL));
        lua_pop(L, 1);
        n++;
    }
    const char **names = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1),
                                           0);
    struct seq_tensor **ts = lua_newuserdatauv(
        L, sizeof(struct seq_tensor *) * (size_t)(n + 1), 0);
    int i = 0, nmeta = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        names[i] = lua_tostring(L, -2);
        ts[i++] = lseq_totensor(L, -1);
        lua_pop(L, 1);
    }
    const char **mk = NULL, **mv = NULL;
    if (lua_istable(L, 3)) {
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            nmeta++;
            lua_pop(L, 1);
        }
        mk = lua_newuserdatauv(L, sizeof(char *) * (size_t)(nmeta + 1), 0);
        mv = lua_newuserdatauv(L, sizeof(char *) * (size_t)(nmeta + 1), 0);
        int j = 0;
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            if (lua_type(L, -2) != LUA_TSTRING ||
                lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "save: metadata must map strings to "
                                     "strings");
            mk[j] = lua_tostring(L, -2);
            mv[j++] = lua_tostring(L, -1);
            lua_pop(L, 1);
        }
    }
    if (lseq_file_denied(L, path, true)) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (seq_st_save(path, n, names, ts, nmeta, mk, mv) != SEQ_OK) {
        lua_pushnil(L);
        lua_pushstring(L, seq_error());
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* seq.load(path) -> {name = tensor, ...}, metadata | nil, msg */
static int l_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct seq_st_file f;
    if (lseq_file_denied(L, path, false)) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (seq_st_load(&f, path) != SEQ_OK) {
        lua_pushnil(L);
        lua_pushstring(L, seq_error());
        return 2;
    }
    lua_createtable(L, 0, f.n);
    for (int i = 0; i < f.n; i++) {
        lseq_pushtensor(L, seq_retain(f.entries[i].tensor));
        lua_setfield(L, -2, f.entries[i].name);
    }
    lua_createtable(L, 0, f.nmeta);
    for (int i = 0; i < f.nmeta; i++) {
        lua_pushstring(L, f.meta_values[i]);
        lua_setfield(L, -2, f.meta_keys[i]);
    }
    seq_st_file_free(&f);
    return 2;
}

static const luaL_Reg seq_funcs[] = {
    {"tensor", l_tensor},
    {"zeros", l_zeros},
    {"ones", l_ones},
    {"full", l_full},
    {"arange", l_arange},
    {"linspace", l_linspace},
    {"eye", l_eye},
    {"zeros_like", l_zeros_like},
    {"ones_like", l_ones_like},
    {"randn", l_randn},
    {"rand", l_rand},
    {"randn_like", l_randn_like},
    {"manual_seed", l_manual_seed},
    {"cat", l_cat},
    {"stack", l_stack},
    {"where", l_where},
    {"one_hot", l_one_hot},
    {"cross_entropy", l_cross_entropy},
    {"nll_loss", l_nll_loss},
    {"no_grad", l_no_grad},
    {"set_grad_enabled", l_set_grad_enabled},
    {"is_grad_enabled", l_is_grad_enabled},
    {"is_tensor", l_is_tensor},
    {"memory", l_memory},
    {"set_num_threads", l_set_num_threads},
    {"get_num_threads", l_get_num_threads},
    {"save", l_save},
    {"load", l_load},
    {NULL, NULL},
};

int luaopen_seq(lua_State *L)
{
    if (luaL_newmetatable(L, LSEQ_TENSOR)) {
        luaL_setfuncs(L, tensor_meta, 0);
        luaL_newlib(L, tensor_methods);
        lua_setfield(L, -2, "__methods");
        lua_pushliteral(L, LSEQ_TENSOR);
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
    luaL_newlib(L, seq_funcs);
    /* every method is also a function: seq.tanh(x) == x:tanh() */
    for (const luaL_Reg *r = tensor_methods; r->name; r++) {
        if (lua_getfield(L, -1, r->name) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_pushcfunction(L, r->func);
            lua_setfield(L, -2, r->name);
        } else {
            lua_pop(L, 1);
        }
    }
    void lseq_register_rnn(lua_State *L); /* l_rnn.c: rnn, lstm, sample */
    lseq_register_rnn(L);
    lua_pushliteral(L, SEQLAB_VERSION);
    lua_setfield(L, -2, "version");
    void lseq_register_music(lua_State *L); lseq_register_music(L);
    return 1;
}
