/* autograd.c — the define-by-run tape: recording nodes, running backward in
 * reverse topological order, accumulating .grad on leaves and retained
 * intermediates, and freeing the graph afterwards.  The per-op backward
 * functions live next to their forwards in the op files. */
#include "internal.h"

static _Thread_local bool grad_disabled;

bool seq_grad_enabled(void)
{
    return !grad_disabled;
}

bool seq_set_grad_enabled(bool on)
{
    bool prev = !grad_disabled;
    grad_disabled = !on;
    return prev;
}

bool seq_should_record(int n, struct seq_tensor *const *inputs)
{
    if (grad_disabled)
        return false;
    for (int i = 0; i < n; i++)
        if (inputs[i] && inputs[i]->requires_grad)
            return true;
    return false;
}

int seq_record(struct seq_tensor *out, const char *name, seq_backward_fn bw,
               int n, struct seq_tensor *const *inputs,
               struct seq_node **node)
{
    struct seq_node *nd = calloc(1, sizeof *nd);
    struct seq_tensor **in = calloc((size_t)(n > 0 ? n : 1), sizeof *in);
    if (!nd || !in) {
        free(nd);
        free(in);
        return seq_fail(SEQ_ENOMEM, "%s: out of memory recording the graph",
                        name);
    }
    for (int i = 0; i < n; i++)
        in[i] = inputs[i] && inputs[i]->requires_grad ? seq_retain(inputs[i])
                                                      : NULL;
    for (int i = 0; i < n && i < 2; i++)
        if (inputs[i]) {
            nd->in_ndim[i] = inputs[i]->ndim;
            memcpy(nd->in_shape[i], inputs[i]->shape,
                   sizeof(int64_t) * (size_t)inputs[i]->ndim);
        }
    nd->name = name;
    nd->refcount = 1;
    nd->ninputs = n;
    nd->inputs = in;
    nd->backward = bw;
    nd->out = out;
    out->grad_fn = nd;
    out->requires_grad = true;
    if (node)
        *node = nd;
    return SEQ_OK;
}

int seq_node_save(struct seq_node *n, struct seq_tensor *t)
{
    if (n->nsaved >= SEQ_NODE_SAVED)
        return seq_fail(SEQ_EGRAD, "%s: too many saved tensors", n->name);
    struct seq_tensor *d = NULL;
    if (t) {
        int st = seq_detach(&d, t);
        if (st)
            return st;
        n->saved_version[n->nsaved] = t->storage->version;
    }
    n->saved[n->nsaved++] = d;
    return SEQ_OK;
}

static void node_drop_graph(struct seq_node *n)
{
    for (int i = 0; i < n->nsaved; i++) {
        seq_release(n->saved[i]);
        n->saved[i] = NULL;
    }
    for (int i = 0; i < n->ninputs; i++) {
        seq_release(n->inputs[i]);
        n->inputs[i] = NULL;
    }
    n->freed = true;
}

void seq_node_release(struct seq_node *n)
{
    if (!n || --n->refcount > 0)
        return;
    node_drop_graph(n);
    seq_release(n->gacc);
    free(n->inputs);
    free(n);
}

const char *seq_grad_fn_name(const struct seq_tensor *t)
{
    return t->grad_fn ? t->grad_fn->name : NULL;
}

int seq_set_requires_grad(struct seq_tensor *t, bool on)
{
    if (on && !seq_dtype_is_float(t->dtype))
        return seq_fail(SEQ_EDTYPE,
                        "requires_grad: only floating-point tensors can "
                        "require grad (got %s)",
                        seq_dtype_name(t->dtype));
    if (t->grad_fn) {
        if (on)
            return SEQ_OK;
        return seq_fail(SEQ_EGRAD,
                        "requires_grad: this tensor was computed by %s; only "
                        "a leaf can stop requiring grad (use detach)",
                        t->grad_fn->name);
    }
    t->requires_grad = on;
    return SEQ_OK;
}

int seq_retain_grad(struct seq_tensor *t)
{
    if (!t->requires_grad)
        return seq_fail(SEQ_EGRAD,
                        "retain_grad: the tensor does not require grad");
    if (t->grad_fn)
        t->retains_grad = true;
    return SEQ_OK;
}

void seq_zero_grad(struct seq_tensor *t)
{
    seq_release(t->grad);
    t->grad = NULL;
}

/* ---- backward ---------------------------------------------------------- */

/* .grad gets its own storage the first time (the incoming gradient may be a
 * view of something else), then accumulates in place as in PyTorch. */
static int accumulate_grad(struct seq_tensor *t, struct seq_tensor *g)
{
    if (!t->grad) {
        struct seq_tensor *c = NULL;
        int st = seq_clone(&c, g);
        if (st)
            return st;
        t->grad = c;
        return SEQ_OK;
    }
    return seq_add_(t->grad, g, 1.0);
}

static int accumulate_node(struct seq_node *n, struct seq_tensor *g)
{
    if (!n->gacc) {
        n->gacc = seq_retain(g);
        return SEQ_OK;
    }
    struct seq_tensor *sum = NULL;
    int st = seq_add(&sum, n->gacc, g);
    if (st)
        return st;
    seq_release(n->gacc);
    n->gacc = sum;
    return SEQ_OK;
}

static uint64_t traversal_gen;

/* Post-order DFS from root: every node appears after all nodes that consume
 * its output, reversed.  Each listed node is retained by the list. */
static int topo_sort(struct seq_node *root, struct seq_node ***order,
                     size_t *count)
{
    size_t cap = 64, len = 0, scap = 64, sp = 0;
    struct seq_node **list = malloc(cap * sizeof *list);
    struct {
        struct seq_node *n;
        int next;
    } *stack = malloc(scap * sizeof *stack);
    if (!list || !stack)
        goto oom;
    uint64_t gen = ++traversal_gen;
    root->mark = gen;
    stack[sp].n = root;
    stack[sp++].next = 0;
    while (sp) {
        struct seq_node *n = stack[sp - 1].n;
        int i = stack[sp - 1].next++;
        if (i < n->ninputs) {
            struct seq_tensor *in = n->inputs[i];
            struct seq_node *c = in ? in->grad_fn : NULL;
            if (c && c->mark != gen) {
                c->mark = gen;
                if (sp == scap) {
                    scap *= 2;
                    void *s2 = realloc(stack, scap * sizeof *stack);
                    if (!s2)
                        goto oom;
                    stack = s2;
                }
                stack[sp].n = c;
                stack[sp++].next = 0;
            }
            continue;
        }
        sp--;
        if (len == cap) {
            cap *= 2;
            void *l2 = realloc(list, cap * sizeof *list);
            if (!l2)
                goto oom;
            list = l2;
        }
        n->refcount++;
        list[len++] = n;
    }
    free(stack);
    *order = list;
    *count = len;
    return SEQ_OK;
oom:
    for (size_t i = 0; i < len; i++)
        seq_node_release(list[i]);
    free(list);
    free(stack);
    return seq_fail(SEQ_ENOMEM, "backward: out of memory sorting the graph");
}

static int check_saved(struct seq_node *n)
{
    if (n->freed)
        return seq_fail(SEQ_EGRAD,
                        "backward: trying to go through %s a second time, "
                        "but its saved values were freed by the first "
                        "backward (pass retain_graph to keep them)",
                        n->name);
    for (int i = 0; i < n->nsaved; i++)
        if (n->saved[i] &&
            n->saved[i]->storage->version != n->saved_version[i])
            return seq_fail(SEQ_EGRAD,
                            "backward: a tensor that %s needs was modified "
                            "in place after it was used",
                            n->name);
    return SEQ_OK;
}

static int route_grad(struct seq_node *n, int i, struct seq_tensor *g)
{
    struct seq_tensor *in = n->inputs[i], *conv = NULL;
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    int st;
    if (!seq_same_shape(in, g))
        return seq_fail(SEQ_EGRAD,
                        "backward: %s produced a gradient of shape %s for "
                        "input %d of shape %s",
                        n->name, seq_shape_str(b1, sizeof b1, g->ndim, g->shape),
                        i, seq_shape_str(b2, sizeof b2, in->ndim, in->shape));
    if ((st = seq_to_nograd(&conv, g, in->dtype)))
        return st;
    if (in->grad_fn)
        st = accumulate_node(in->grad_fn, conv);
    else
        st = accumulate_grad(in, conv);
    seq_release(conv);
    return st;
}

int seq_backward(struct seq_tensor *root, struct seq_tensor *grad,
                 bool retain_graph)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    struct seq_tensor *g = NULL;
    struct seq_node **order = NULL;
    size_t count = 0;
    int st = SEQ_OK;

    if (!root->requires_grad)
        return seq_fail(SEQ_EGRAD,
                        "backward: the tensor does not require grad and has "
                        "no grad_fn (did you call requires_grad on the "
                        "inputs?)");
    if (!grad) {
        if (seq_numel(root) != 1)
            return seq_fail(SEQ_EGRAD,
                            "backward: a gradient can only be created "
                            "implicitly for a one-element output (shape %s); "
                            "pass one of the same shape",
                            seq_shape_str(b1, sizeof b1, root->ndim,
                                          root->shape));
        if ((st = seq_ones_like(&g, root)))
            return st;
    } else {
        if (!seq_same_shape(grad, root))
            return seq_fail(SEQ_ESHAPE,
                            "backward: gradient of shape %s for an output of "
                            "shape %s",
                            seq_shape_str(b1, sizeof b1, grad->ndim,
                                          grad->shape),
                            seq_shape_str(b2, sizeof b2, root->ndim,
                                          root->shape));
        if ((st = seq_to_nograd(&g, grad, root->dtype)))
            return st;
    }

    SEQ_NO_GRAD_BEGIN;
    if (!root->grad_fn) {
        st = accumulate_grad(root, g);
        goto done;
    }
    if ((st = check_saved(root->grad_fn)))
        goto done;
    if ((st = topo_sort(root->grad_fn, &order, &count)))
        goto done;
    if ((st = accumulate_node(root->grad_fn, g)))
        goto done;

    for (size_t k = count; k-- > 0;) {
        struct seq_node *n = order[k];
        struct seq_tensor *gout = n->gacc;
        if (!gout)
            continue; /* no gradient flowed here */
        n->gacc = NULL;
        if ((st = check_saved(n))) {
            seq_release(gout);
            goto done;
        }
        if (n->out && n->out->retains_grad &&
            (st = accumulate_grad(n->out, gout))) {
            seq_release(gout);
            goto done;
        }
        struct seq_tensor **gin = calloc((size_t)n->ninputs + 1, sizeof *gin);
        if (!gin) {
            seq_release(gout);
            st = seq_fail(SEQ_ENOMEM, "backward: out of memory");
            goto done;
        }
        st = n->backward(n, gout, gin);
        if (st)
            seq_error_prefix(st, n->name);
        for (int i = 0; st == SEQ_OK && i < n->ninputs; i++)
            if (n->inputs[i] && gin[i])
                st = route_grad(n, i, gin[i]);
        for (int i = 0; i < n->ninputs; i++)
            seq_release(gin[i]);
        free(gin);
        seq_release(gout);
        if (st)
            goto done;
        if (!retain_graph)
            node_drop_graph(n);
    }
done:
    for (size_t k = 0; k < count; k++) {
        if (st) {
            seq_release(order[k]->gacc);
            order[k]->gacc = NULL;
        }
        seq_node_release(order[k]);
    }
    free(order);
    seq_release(g);
    SEQ_NO_GRAD_END;
    return st;
}

/* ---- reducing a broadcast gradient ------------------------------------- */

int seq_sum_to_shape(struct seq_tensor **out, struct seq_tensor *g,
                     int ndim, const int64_t *shape)
{
    struct seq_tensor *cur = seq_retain(g), *next = NULL;
    int st = SEQ_OK;
    /* Leading dims that broadcasting added. */
    while (cur->ndim > ndim) {
        if ((st = seq_sum(&next, cur, 0, false)))
            goto fail;
        seq_release(cur);
        cur = next;
    }
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 1 && cur->shape[i] != 1) {
            if ((st = seq_sum(&next, cur, i, true)))
                goto fail;
            seq_release(cur);
            cur = next;
        }
    *out = cur;
    return SEQ_OK;
fail:
    seq_release(cur);
    return st;
}
