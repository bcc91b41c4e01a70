/* PCRE2 behind the filter's =~ and !~: compiled (and JIT-compiled when
 * available) once with the filter, with its match data and limits, so a
 * match allocates nothing and a hostile pattern can't run away. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "filter_internal.h"

/* Backtracking budget per match: ample for header-sized subjects, small
 * enough that a catastrophic pattern costs milliseconds, not minutes. */
#define MATCH_LIMIT 100000
#define HEAP_LIMIT_KIB 1024

struct snb_fregex {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

snb_fregex_t *snb_fregex_compile(const char *pat, size_t len, char *msg, size_t msglen,
                                 size_t *offset)
{
    int ec = 0;
    PCRE2_SIZE eo = 0;
    /* Byte semantics (no UTF): subjects come off the wire and may not be
     * valid UTF-8. */
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len, 0, &ec, &eo, NULL);
    if (!code) {
        PCRE2_UCHAR buf[160];
        if (pcre2_get_error_message(ec, buf, sizeof buf) < 0)
            snprintf((char *)buf, sizeof buf, "error %d", ec);
        snprintf(msg, msglen, "%s", (const char *)buf);
        *offset = eo;
        return NULL;
    }
    snb_fregex_t *re = calloc(1, sizeof *re);
    if (re) {
        re->code = code;
        re->md = pcre2_match_data_create_from_pattern(code, NULL);
        re->mctx = pcre2_match_context_create(NULL);
    }
    if (!re || !re->md || !re->mctx) {
        snb_fregex_free(re);
        if (!re) pcre2_code_free(code);
        snprintf(msg, msglen, "out of memory");
        *offset = 0;
        return NULL;
    }
    pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
    pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
    /* Optional: without JIT, pcre2_match interprets the same pattern. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return re;
}

bool snb_fregex_match(snb_fregex_t *re, const char *s, size_t len)
{
    if (!s) s = "", len = 0;
    /* Errors (match limit hit) count as no match. */
    return pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, re->mctx) >= 0;
}

void snb_fregex_free(snb_fregex_t *re)
{
    if (!re) return;
    pcre2_match_context_free(re->mctx);
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    free(re);
}
