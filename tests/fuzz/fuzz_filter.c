/* libFuzzer target for the filter language.
 *
 * Input: the expression text (up to the first NUL). It is compiled against
 * a fixed table of fields (strings, numbers, booleans; names with dots and
 * dashes) and aliases (nested, a cycle, a broken one). A compiled filter is
 * evaluated on two fixed records (values present / all absent), and
 * NOT (input) must then give the opposite answer. A failed compile must
 * produce a well-formed three-line message, also in a tiny buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

static const snb_filter_field_t fields[] = {
    {"state", SNB_FT_STRING, 0},      {"from", SNB_FT_STRING, 1},
    {"user-agent", SNB_FT_STRING, 2}, {"pdd", SNB_FT_NUMBER, 3},
    {"rtp.mos", SNB_FT_NUMBER, 4},    {"rtp.jitter-ms", SNB_FT_NUMBER, 5},
    {"one_way", SNB_FT_BOOL, 6},      {"nat_mismatch", SNB_FT_BOOL, 7},
};

static const snb_filter_alias_t aliases[] = {
    {"failed", "state == 'Failed'", ""},
    {"slow-setup", "pdd > 3000", ""},
    {"bad-audio", "rtp.mos < 3.5 OR one_way OR user-agent =~ '(?i)bad'", ""},
    {"problems", "failed OR slow-setup OR bad-audio", ""},
    {"loop-a", "loop-b AND one_way", ""},
    {"loop-b", "NOT loop-a", ""},
    {"broken", "pdd == 'x'", ""},
};

#define N_FIELDS (sizeof fields / sizeof fields[0])
#define N_ALIASES (sizeof aliases / sizeof aliases[0])

static void value(void *ud, int id, snb_filter_value_t *out)
{
    if (!ud) return; /* the all-absent record */
    static const char *const strs[] = {"Failed", "alice", "Yealink SIP-T46S"};
    static const double nums[] = {2500, 3.9, 12.5};
    if (id < 3) {
        out->present = true;
        out->str = strs[id];
        out->len = strlen(strs[id]);
    } else if (id < 6) {
        out->present = true;
        out->num = nums[id - 3];
    } else {
        out->present = true;
        out->b = id == 7;
    }
}

static void check_err(const char *err, size_t errlen)
{
    size_t n = strnlen(err, errlen);
    if (n >= errlen) abort(); /* not terminated */
    if (errlen > 64) {
        if (strncmp(err, "column ", 7) != 0) abort();
        const char *l2 = strchr(err, '\n');
        if (!l2 || !strchr(l2 + 1, '\n')) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * SNB_FILTER_MAX_LEN) return 0;
    char *expr = malloc(size + 1);
    char *wrapped = malloc(size + 16);
    if (!expr || !wrapped) abort();
    memcpy(expr, data, size);
    expr[size] = '\0';

    char err[512];
    snb_filter_t *f =
        snb_filter_compile(expr, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err);
    if (!f) {
        check_err(err, sizeof err);
        char small[1 + 13];
        size_t small_len = 1 + size % 13;
        if (snb_filter_compile(expr, fields, N_FIELDS, aliases, N_ALIASES, small, small_len))
            abort(); /* same input, same answer */
        check_err(small, small_len);
    } else {
        bool a = snb_filter_eval(f, value, (void *)1);
        bool b = snb_filter_eval(f, value, NULL);
        snb_filter_free(f);
        /* Negation must hold whenever the wrapped form is within limits. */
        size_t len = strlen(expr);
        memcpy(wrapped, "NOT (", 5);
        memcpy(wrapped + 5, expr, len);
        memcpy(wrapped + 5 + len, ")", 2);
        snb_filter_t *g =
            snb_filter_compile(wrapped, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err);
        if (g) {
            if (snb_filter_eval(g, value, (void *)1) == a) abort();
            if (snb_filter_eval(g, value, NULL) == b) abort();
            snb_filter_free(g);
        }
    }
    free(wrapped);
    free(expr);
    return 0;
}
