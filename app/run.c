/* run.c — `seqlab run SCRIPT.lua [args...]`: runs a Lua script with the
 * seqlab modules loaded, `arg` set as the standalone lua does, and the
 * usual limits; errors print a traceback with file:line and exit 1, Ctrl-C
 * stops the script cleanly with exit status 130. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "lseq.h"
#include "seq/rng.h"
#include "viz/ansi.h"

static const char run_usage[] =
    "usage: seqlab run [options] SCRIPT.lua [args...]\n"
    "\n"
    "options:\n"
    "  --seed N       seed np.random and the engine's generator\n"
    "  --threads N    BLAS threads (default: OpenBLAS's choice)\n"
    "  --timeout S    stop the script after S seconds\n"
    "  --ascii        plots in plain ASCII\n";

static int parse_num(const char *opt, const char *s, double lo, double hi,
                     double *out)
{
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || *end || v < lo || v > hi) {
        fprintf(stderr, "seqlab run: %s expects a number from %g to %g\n",
                opt, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* Sets `arg`, extends package.path with the script's folder (so scripts
 * can require their neighbours) and seeds the generators.  Runs protected:
 * lightuserdata 1 = argv, integers 2, 3 = argc and the script's index,
 * number 4 = seed (negative: none). */
static int setup_state(lua_State *L)
{
    char **argv = lua_touserdata(L, 1);
    int argc = (int)lua_tointeger(L, 2), i = (int)lua_tointeger(L, 3);
    double seed = lua_tonumber(L, 4);
    const char *script = argv[i];
    /* arg[0] is the script, arg[1..] its arguments, arg[-1] the program */
    lua_createtable(L, argc - i, i + 1);
    for (int k = 0; k < argc; k++) {
        lua_pushstring(L, argv[k]);
        lua_rawseti(L, -2, k - i);
    }
    lua_setglobal(L, "arg");
    if (lua_getglobal(L, "package") == LUA_TTABLE) {
        const char *slash = strrchr(script, '/');
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        if (slash)
            luaL_addlstring(&b, script, (size_t)(slash - script));
        else
            luaL_addchar(&b, '.');
        luaL_addstring(&b, "/?.lua;");
        lua_getfield(L, -2, "path");
        luaL_addvalue(&b);
        luaL_pushresult(&b);
        lua_setfield(L, -2, "path");
    }
    lua_pop(L, 1);
    if (seed >= 0) {
        seq_rng_manual_seed((uint64_t)seed);
        lua_getglobal(L, "np");
        lua_getfield(L, -1, "random");
        lua_getfield(L, -1, "seed");
        lua_pushinteger(L, (lua_Integer)seed);
        lua_call(L, 1, 0);
    }
    return 0;
}

int seqlab_cmd_run(int argc, char **argv)
{
    struct lseq_limits lim = {0};
    double seed = -1, threads = 0, v;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *o = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--")) {
            i++;
            break;
        } else if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(run_usage, stdout);
            return 0;
        } else if (!strcmp(o, "--seed")) {
            if (parse_num(o, val, 0, 4294967295.0, &seed))
                return 64;
            i++;
        } else if (!strcmp(o, "--threads")) {
            if (parse_num(o, val, 1, 256, &threads))
                return 64;
            i++;
        } else if (!strcmp(o, "--timeout")) {
            if (parse_num(o, val, 0, 1e9, &v))
                return 64;
            lim.seconds = v;
            i++;
        } else if (!strcmp(o, "--ascii")) {
            viz_set_output(VIZ_OUTPUT_ASCII);
        } else {
            fprintf(stderr, "seqlab run: unknown option '%s'\n\n%s", o,
                    run_usage);
            return 64;
        }
    }
    if (i >= argc) {
        fputs(run_usage, stderr);
        return 64;
    }
    if (threads > 0)
        seq_set_num_threads((int)threads);
    lua_State *L = lseq_newstate(&lim, false);
    if (!L) {
        fprintf(stderr, "seqlab run: cannot create a Lua state\n");
        return 1;
    }
    lua_pushcfunction(L, setup_state);
    lua_pushlightuserdata(L, argv);
    lua_pushinteger(L, argc);
    lua_pushinteger(L, i);
    lua_pushnumber(L, seed);
    int status = lua_pcall(L, 4, 0, 0);
    if (status == LUA_OK)
        status = luaL_loadfilex(L, argv[i], "t");
    if (status == LUA_OK) {
        int nargs = argc - i - 1;
        if (!lua_checkstack(L, nargs + 1)) {
            fprintf(stderr, "seqlab run: too many arguments\n");
            lseq_closestate(L);
            return 64;
        }
        for (int k = i + 1; k < argc; k++)
            lua_pushstring(L, argv[k]);
        lseq_catch_sigint();
        status = lseq_pcall(L, nargs, 0);
    }
    int rc = 0;
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fflush(stdout);
        fprintf(stderr, "seqlab: %s\n",
                msg ? msg : "(error object is not a string)");
        rc = lseq_last_stop(L) == LSEQ_STOP_INTERRUPT ? 130 : 1;
    }
    fflush(stdout);
    lseq_closestate(L);
    return rc;
}
