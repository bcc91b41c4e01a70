/* The filter compiler: a recursive-descent parser over the tokens that
 * emits the evaluator's program directly (comparisons, NOT, and the
 * short-circuit jumps of AND/OR). Aliases are expanded in place by parsing
 * their text where they are used, so the program is flat and eval never
 * recurses; the node limit bounds the expansion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter_internal.h"

typedef struct parser {
    const snb_filter_field_t *fields;
    size_t n_fields;
    const snb_filter_alias_t *aliases;
    size_t n_aliases;

    /* The text being parsed: the expression, or an alias's while expanding it. */
    snb_flex_t lx;
    snb_ftok_t tok, prev;
    const char *alias; /* name of the alias being expanded, NULL at top level */
    size_t active[SNB_FILTER_MAX_DEPTH + 1]; /* aliases being expanded, outermost first */
    size_t n_active;
    int depth;

    snb_finsn_t code[SNB_FILTER_MAX_NODES];
    size_t n_code;
    /* Literal bytes, and where code[i]'s literal starts in them: lit moves
     * while it grows, so code[].str is set only at the end. */
    size_t lit_off[SNB_FILTER_MAX_NODES];
    char *lit;
    size_t lit_len, lit_cap;
    snb_fregex_t **re;
    size_t n_re, re_cap;

    char *err;
    size_t errlen;
} parser_t;

__attribute__((format(printf, 3, 4))) static int fail(parser_t *p, size_t pos, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->alias) {
        size_t n = strlen(msg);
        snprintf(msg + n, sizeof msg - n, " (in alias '%.40s')", p->alias);
    }
    snb_ferr_format(p->err, p->errlen, p->lx.src, p->lx.len, pos, "%s", msg);
    return -1;
}

static void next(parser_t *p)
{
    p->prev = p->tok;
    p->tok = snb_flex_next(&p->lx);
}

/* A token as quoted in messages, shortened. */
static const char *describe(const parser_t *p, const snb_ftok_t *t, char *buf, size_t n)
{
    if (t->kind == TK_EOF) return "end of input";
    int len = t->len > 24 ? 24 : (int)t->len;
    const char *more = t->len > 24 ? "..." : "";
    if (t->kind == TK_STRING)
        snprintf(buf, n, "string %.*s%s", len, p->lx.src + t->pos, more);
    else
        snprintf(buf, n, "'%.*s%s'", len, p->lx.src + t->pos, more);
    return buf;
}

static int lex_error(parser_t *p)
{
    const snb_ftok_t *t = &p->tok;
    if (t->err) return fail(p, t->pos, "%s", t->err);
    unsigned char c = (unsigned char)p->lx.src[t->pos];
    if (c > 0x20 && c < 0x7f) return fail(p, t->pos, "unexpected character '%c'", c);
    return fail(p, t->pos, "unexpected byte 0x%02x", c);
}

static int emit(parser_t *p, size_t pos, snb_finsn_t in)
{
    if (p->n_code >= SNB_FILTER_MAX_NODES)
        return fail(p, pos, "expression too complex (more than %d nodes)", SNB_FILTER_MAX_NODES);
    p->code[p->n_code++] = in;
    return 0;
}

static int enter(parser_t *p, size_t pos)
{
    if (p->depth >= SNB_FILTER_MAX_DEPTH)
        return fail(p, pos, "nesting deeper than %d levels", SNB_FILTER_MAX_DEPTH);
    p->depth++;
    return 0;
}

static const snb_filter_field_t *find_field(const parser_t *p, const char *s, size_t n)
{
    for (size_t i = 0; i < p->n_fields; i++) {
        const char *name = p->fields[i].name;
        if (name && strncasecmp(name, s, n) == 0 && name[n] == '\0') return &p->fields[i];
    }
    return NULL;
}

/* Index of the alias, or n_aliases if none. */
static size_t find_alias(const parser_t *p, const char *s, size_t n)
{
    for (size_t i = 0; i < p->n_aliases; i++) {
        const char *name = p->aliases[i].name;
        if (name && strncasecmp(name, s, n) == 0 && name[n] == '\0') return i;
    }
    return p->n_aliases;
}

static int unknown_name(parser_t *p)
{
    const char *s = p->lx.src + p->tok.pos;
    size_t n = p->tok.len;
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < p->n_fields + p->n_aliases; i++) {
        const char *name = i < p->n_fields ? p->fields[i].name : p->aliases[i - p->n_fields].name;
        if (!name) continue;
        size_t d = snb_ferr_distance(s, n, name, strlen(name), 2);
        /* d < n: don't offer "to" for "x". */
        if (d < best_d && d < n) {
            best = name;
            best_d = d;
        }
    }
    int len = n > 40 ? 40 : (int)n;
    const char *more = n > 40 ? "..." : "";
    if (best)
        return fail(p, p->tok.pos, "unknown field or alias '%.*s%s' (did you mean '%s'?)", len, s,
                    more, best);
    return fail(p, p->tok.pos, "unknown field or alias '%.*s%s'", len, s, more);
}

static int add_literal(parser_t *p, const snb_ftok_t *t, size_t *off, size_t *len)
{
    size_t n = t->len - 2;
    /* Allocate even for '' so lit is never NULL + offset. */
    if (!p->lit || p->lit_len + n > p->lit_cap) {
        size_t cap = p->lit_cap ? p->lit_cap * 2 : 256;
        while (cap < p->lit_len + n)
            cap *= 2;
        char *nb = realloc(p->lit, cap);
        if (!nb) return fail(p, t->pos, "out of memory");
        p->lit = nb;
        p->lit_cap = cap;
    }
    *off = p->lit_len;
    *len = snb_flex_unescape(p->lx.src + t->pos + 1, n, p->lit + p->lit_len);
    p->lit_len += *len;
    return 0;
}

/* One compiled regex per distinct pattern, shared by every use. */
static int add_regex(parser_t *p, const snb_ftok_t *t, size_t off, size_t len, snb_fregex_t **out)
{
    for (size_t i = 0; i < p->n_code; i++) {
        const snb_finsn_t *c = &p->code[i];
        if (c->re && c->len == len && memcmp(p->lit + p->lit_off[i], p->lit + off, len) == 0) {
            *out = c->re;
            return 0;
        }
    }
    if (p->n_re == p->re_cap) {
        size_t cap = p->re_cap ? p->re_cap * 2 : 4;
        snb_fregex_t **nr = realloc(p->re, cap * sizeof *nr);
        if (!nr) return fail(p, t->pos, "out of memory");
        p->re = nr;
        p->re_cap = cap;
    }
    char why[200];
    size_t eo = 0;
    snb_fregex_t *re = snb_fregex_compile(p->lit + off, len, why, sizeof why, &eo);
    if (!re)
        return fail(p, t->pos, "bad regular expression: %s (at offset %zu of the pattern)", why,
                    eo);
    p->re[p->n_re++] = re;
    *out = re;
    return 0;
}

static const char *type_name(snb_filter_type_t t)
{
    return t == SNB_FT_STRING ? "string" : t == SNB_FT_NUMBER ? "number" : "boolean";
}

static int comparison(parser_t *p, const snb_filter_field_t *f)
{
    snb_ftok_t op = p->tok;
    snb_fcmp_t cmp = op.cmp;
    const char *opname = snb_fcmp_name(cmp);
    bool regex = cmp == CMP_MATCH || cmp == CMP_NMATCH;
    if (regex && f->type != SNB_FT_STRING)
        return fail(p, op.pos, "'%s' needs a string field; '%s' is a %s", opname, f->name,
                    type_name(f->type));
    if (f->type == SNB_FT_BOOL && cmp != CMP_EQ && cmp != CMP_NE)
        return fail(p, op.pos, "'%s' does not apply to boolean field '%s' (use == or !=)", opname,
                    f->name);
    next(p);
    snb_ftok_t v = p->tok;
    if (v.kind == TK_ERROR) return lex_error(p);
    if (regex && v.kind != TK_STRING)
        return fail(p, v.pos, "expected a quoted pattern after '%s'", opname);
    if (v.kind == TK_IDENT)
        return fail(p, v.pos, "expected a value after '%s' (quote strings: '%.*s')", opname,
                    v.len > 40 ? 40 : (int)v.len, p->lx.src + v.pos);
    if (v.kind != TK_STRING && v.kind != TK_NUMBER && v.kind != TK_TRUE && v.kind != TK_FALSE)
        return fail(p, v.pos, "expected a value after '%s'", opname);

    snb_filter_type_t vt = v.kind == TK_STRING   ? SNB_FT_STRING
                           : v.kind == TK_NUMBER ? SNB_FT_NUMBER
                                                 : SNB_FT_BOOL;
    if (vt != f->type) {
        static const char *const want[] = {"a quoted string", "a number", "true or false"};
        return fail(p, v.pos, "type mismatch: '%s' is a %s field, compare it with %s", f->name,
                    type_name(f->type), want[f->type]);
    }
    snb_finsn_t in = {
        .op = OP_TEST, .cmp = (unsigned char)cmp, .type = (unsigned char)f->type, .field = f->id};
    if (vt == SNB_FT_STRING) {
        size_t off = 0, len = 0;
        if (add_literal(p, &v, &off, &len)) return -1;
        if (p->n_code < SNB_FILTER_MAX_NODES) p->lit_off[p->n_code] = off;
        in.len = len;
        if (regex && add_regex(p, &v, off, len, &in.re)) return -1;
    } else if (vt == SNB_FT_NUMBER) {
        in.num = v.num;
    } else {
        in.b = v.kind == TK_TRUE;
    }
    if (emit(p, op.pos, in)) return -1;
    next(p);
    return 0;
}

static int parse_or(parser_t *p);

/* After a whole expression: anything left over is an error. */
static int trailing(parser_t *p)
{
    char d[64];
    switch (p->tok.kind) {
    case TK_EOF:
        return 0;
    case TK_ERROR:
        return lex_error(p);
    case TK_RPAREN:
        return fail(p, p->tok.pos, "unexpected ')' without a matching '('");
    default:
        return fail(p, p->tok.pos, "unexpected %s (missing AND or OR?)",
                    describe(p, &p->tok, d, sizeof d));
    }
}

static int expand_alias(parser_t *p, size_t ai)
{
    snb_ftok_t at = p->tok;
    const snb_filter_alias_t *a = &p->aliases[ai];
    for (size_t i = 0; i < p->n_active; i++) {
        if (p->active[i] != ai) continue;
        char path[256];
        size_t n = 0;
        path[0] = '\0';
        for (size_t j = i; j < p->n_active && n < sizeof path; j++)
            n += (size_t)snprintf(path + n, sizeof path - n, "%s -> ",
                                  p->aliases[p->active[j]].name);
        if (n < sizeof path) snprintf(path + n, sizeof path - n, "%s", a->name);
        return fail(p, at.pos, "alias cycle: %s", path);
    }
    if (enter(p, at.pos)) return -1;

    snb_flex_t saved_lx = p->lx;
    snb_ftok_t saved_prev = p->prev;
    const char *saved_alias = p->alias;
    const char *text = a->expression ? a->expression : "";
    size_t len = strnlen(text, SNB_FILTER_MAX_LEN + 1);
    p->lx = (snb_flex_t){.src = text, .len = len};
    p->alias = a->name;
    p->active[p->n_active++] = ai;
    p->prev = (snb_ftok_t){.kind = TK_EOF};
    if (len > SNB_FILTER_MAX_LEN)
        return fail(p, SNB_FILTER_MAX_LEN, "expression longer than %d characters",
                    SNB_FILTER_MAX_LEN);
    next(p);
    if (parse_or(p) || trailing(p)) return -1;
    p->n_active--;
    p->alias = saved_alias;
    p->lx = saved_lx;
    p->prev = saved_prev;
    p->tok = at;
    p->depth--;
    next(p);
    return 0;
}

static int primary(parser_t *p)
{
    snb_ftok_t t = p->tok;
    char d[64];
    switch (t.kind) {
    case TK_LPAREN: {
        if (enter(p, t.pos)) return -1;
        next(p);
        if (parse_or(p)) return -1;
        if (p->tok.kind == TK_EOF) return fail(p, t.pos, "unclosed '('");
        if (p->tok.kind == TK_ERROR) return lex_error(p);
        if (p->tok.kind != TK_RPAREN)
            return fail(p, p->tok.pos, "expected AND, OR or ')' before %s",
                        describe(p, &p->tok, d, sizeof d));
        p->depth--;
        next(p);
        return 0;
    }
    case TK_TRUE:
    case TK_FALSE: {
        snb_finsn_t in = {.op = OP_CONST, .b = t.kind == TK_TRUE};
        if (emit(p, t.pos, in)) return -1;
        next(p);
        return 0;
    }
    case TK_IDENT: {
        const char *s = p->lx.src + t.pos;
        const snb_filter_field_t *f = find_field(p, s, t.len);
        if (f) {
            next(p);
            if (p->tok.kind == TK_CMP) return comparison(p, f);
            if (p->tok.kind == TK_ERROR) return lex_error(p);
            if (f->type != SNB_FT_BOOL)
                return fail(p, t.pos, "'%s' is a %s field: compare it, e.g. %s %s", f->name,
                            type_name(f->type), f->name,
                            f->type == SNB_FT_STRING ? "== 'text'" : "> 0");
            /* A bare boolean field means field == true. */
            snb_finsn_t in = {
                .op = OP_TEST, .cmp = CMP_EQ, .type = SNB_FT_BOOL, .b = true, .field = f->id};
            return emit(p, t.pos, in);
        }
        size_t ai = find_alias(p, s, t.len);
        if (ai == p->n_aliases) return unknown_name(p);
        snb_flex_t peek = p->lx;
        snb_ftok_t after = snb_flex_next(&peek);
        if (after.kind == TK_CMP)
            return fail(p, after.pos,
                        "'%s' is an alias for a whole condition; it cannot be compared",
                        p->aliases[ai].name);
        return expand_alias(p, ai);
    }
    case TK_ERROR:
        return lex_error(p);
    case TK_EOF:
        if (p->prev.kind == TK_EOF) return fail(p, t.pos, "empty expression");
        return fail(p, t.pos, "expected a condition after '%.*s'", (int)p->prev.len,
                    p->lx.src + p->prev.pos);
    case TK_STRING:
    case TK_NUMBER:
        return fail(p, t.pos, "expected a field before %s (write: field == value)",
                    describe(p, &t, d, sizeof d));
    case TK_CMP:
        return fail(p, t.pos, "expected a field before '%s'", snb_fcmp_name(t.cmp));
    default:
        return fail(p, t.pos, "expected a condition, got %s", describe(p, &t, d, sizeof d));
    }
}

static int parse_not(parser_t *p)
{
    if (p->tok.kind != TK_NOT) return primary(p);
    size_t pos = p->tok.pos;
    if (enter(p, pos)) return -1;
    next(p);
    if (parse_not(p)) return -1;
    p->depth--;
    return emit(p, pos, (snb_finsn_t){.op = OP_NOT});
}

/* Jumps of one AND/OR chain wait in a list threaded through their jump
 * fields until the chain's end is known. */
static void patch(parser_t *p, int pending)
{
    while (pending >= 0) {
        int nx = p->code[pending].jump;
        p->code[pending].jump = (int)p->n_code;
        pending = nx;
    }
}

static int parse_chain(parser_t *p, snb_ftok_kind_t kw, snb_fop_t jump, int (*sub)(parser_t *))
{
    if (sub(p)) return -1;
    int pending = -1;
    while (p->tok.kind == kw) {
        size_t pos = p->tok.pos;
        if (emit(p, pos, (snb_finsn_t){.op = (unsigned char)jump, .jump = pending})) return -1;
        pending = (int)p->n_code - 1;
        next(p);
        if (sub(p)) return -1;
    }
    patch(p, pending);
    return 0;
}

static int parse_and(parser_t *p)
{
    return parse_chain(p, TK_AND, OP_JF, parse_not);
}

static int parse_or(parser_t *p)
{
    return parse_chain(p, TK_OR, OP_JT, parse_and);
}

/* A jump that lands on another jump can go straight to where that one
 * ends up, since acc is unchanged by jumps. */
static void thread_jumps(snb_finsn_t *code, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (code[i].op != OP_JF && code[i].op != OP_JT) continue;
        size_t t = (size_t)code[i].jump;
        while (t < n && (code[t].op == OP_JF || code[t].op == OP_JT))
            t = code[t].op == code[i].op ? (size_t)code[t].jump : t + 1;
        code[i].jump = (int)t;
    }
}

static snb_filter_t *finish(parser_t *p)
{
    thread_jumps(p->code, p->n_code);
    size_t code_bytes = p->n_code * sizeof(snb_finsn_t);
    snb_filter_t *f = malloc(sizeof *f + code_bytes + p->lit_len + 1);
    if (!f) {
        fail(p, 0, "out of memory");
        return NULL;
    }
    f->n_code = p->n_code;
    f->code = (snb_finsn_t *)(f + 1);
    char *lit = (char *)f->code + code_bytes;
    memcpy(f->code, p->code, code_bytes);
    if (p->lit_len) memcpy(lit, p->lit, p->lit_len);
    lit[p->lit_len] = '\0';
    for (size_t i = 0; i < f->n_code; i++)
        if (f->code[i].op == OP_TEST && f->code[i].type == SNB_FT_STRING)
            f->code[i].str = lit + p->lit_off[i];
    f->n_re = p->n_re;
    f->re = p->re;
    p->re = NULL;
    p->n_re = 0;
    return f;
}

snb_filter_t *snb_filter_compile(const char *expr, const snb_filter_field_t *fields,
                                 size_t n_fields, const snb_filter_alias_t *aliases,
                                 size_t n_aliases, char *err, size_t errlen)
{
    parser_t *p = calloc(1, sizeof *p);
    if (!p) {
        if (err && errlen) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->fields = fields;
    p->n_fields = fields ? n_fields : 0;
    p->aliases = aliases;
    p->n_aliases = aliases ? n_aliases : 0;
    p->err = err;
    p->errlen = errlen;
    if (err && errlen) err[0] = '\0';
    if (!expr) expr = "";
    size_t len = strnlen(expr, SNB_FILTER_MAX_LEN + 1);
    p->lx = (snb_flex_t){.src = expr, .len = len};
    p->prev.kind = TK_EOF;

    snb_filter_t *f = NULL;
    if (len > SNB_FILTER_MAX_LEN) {
        fail(p, SNB_FILTER_MAX_LEN, "expression longer than %d characters", SNB_FILTER_MAX_LEN);
    } else {
        next(p);
        if (parse_or(p) == 0 && trailing(p) == 0) f = finish(p);
    }
    for (size_t i = 0; i < p->n_re; i++)
        snb_fregex_free(p->re[i]);
    free(p->re);
    free(p->lit);
    free(p);
    return f;
}

int snb_filter_check_aliases(const snb_filter_field_t *fields, size_t n_fields,
                             const snb_filter_alias_t *aliases, size_t n_aliases, char *err,
                             size_t errlen)
{
    for (size_t i = 0; i < n_aliases; i++) {
        if (!aliases[i].name) continue;
        snb_filter_t *f =
            snb_filter_compile(aliases[i].name, fields, n_fields, aliases, n_aliases, err, errlen);
        if (!f) return -1;
        snb_filter_free(f);
    }
    return 0;
}
