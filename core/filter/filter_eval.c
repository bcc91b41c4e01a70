/* Running a compiled filter: a flat loop over the program with one
 * accumulator. No allocation, no recursion; AND/OR short-circuit by
 * jumping over the rest of their chain. */
#include <stdlib.h>
#include <string.h>

#include "filter_internal.h"

static int str_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

static bool test(const snb_finsn_t *in, snb_filter_value_fn value, void *ud)
{
    snb_filter_value_t v = {0};
    if (value) value(ud, in->field, &v);
    bool neg = in->cmp == CMP_NE || in->cmp == CMP_NMATCH;
    /* Absent: nothing equals, orders or matches it, so only the negated
     * operators hold. */
    if (!v.present) return neg;
    switch ((snb_filter_type_t)in->type) {
    case SNB_FT_STRING: {
        const char *s = v.str ? v.str : "";
        size_t len = v.str ? v.len : 0;
        if (in->cmp == CMP_MATCH || in->cmp == CMP_NMATCH)
            return snb_fregex_match(in->re, s, len) != neg;
        if (in->cmp == CMP_EQ || in->cmp == CMP_NE)
            return (len == in->len && memcmp(s, in->str, len) == 0) != neg;
        int c = str_cmp(s, len, in->str, in->len);
        switch (in->cmp) {
        case CMP_LT:
            return c < 0;
        case CMP_GT:
            return c > 0;
        case CMP_LE:
            return c <= 0;
        case CMP_GE:
            return c >= 0;
        default:
            return false;
        }
    }
    case SNB_FT_NUMBER:
        switch (in->cmp) {
        case CMP_EQ:
            return v.num == in->num;
        case CMP_NE:
            return !(v.num == in->num); /* NaN != anything */
        case CMP_LT:
            return v.num < in->num;
        case CMP_GT:
            return v.num > in->num;
        case CMP_LE:
            return v.num <= in->num;
        case CMP_GE:
            return v.num >= in->num;
        default:
            return false;
        }
    case SNB_FT_BOOL:
        return (v.b == in->b) != neg;
    }
    return false;
}

bool snb_filter_eval(const snb_filter_t *f, snb_filter_value_fn value, void *ud)
{
    if (!f) return false;
    const snb_finsn_t *code = f->code;
    size_t n = f->n_code, pc = 0;
    bool acc = false;
    while (pc < n) {
        const snb_finsn_t *in = &code[pc];
        switch ((snb_fop_t)in->op) {
        case OP_TEST:
            acc = test(in, value, ud), pc++;
            break;
        case OP_CONST:
            acc = in->b, pc++;
            break;
        case OP_NOT:
            acc = !acc, pc++;
            break;
        case OP_JF:
            pc = acc ? pc + 1 : (size_t)in->jump;
            break;
        case OP_JT:
            pc = acc ? (size_t)in->jump : pc + 1;
            break;
        }
    }
    return acc;
}

void snb_filter_free(snb_filter_t *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n_re; i++)
        snb_fregex_free(f->re[i]);
    free(f->re);
    free(f);
}
