/* Bounded client regexes (see api_regex.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "api_regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

struct api_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    unsigned limit_hits;
};

api_regex_t *api_regex_compile(const char *pattern, char *err, size_t errlen)
{
    api_regex_t *re = calloc(1, sizeof *re);
    if (!re) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int code;
    PCRE2_SIZE erroff;
    re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &erroff, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", code);
        snprintf(err, errlen, "at offset %zu: %s", (size_t)erroff, (const char *)msg);
        api_regex_free(re);
        return NULL;
    }
    re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
    re->mc = pcre2_match_context_create(NULL);
    if (!re->md || !re->mc) {
        snprintf(err, errlen, "out of memory");
        api_regex_free(re);
        return NULL;
    }
    pcre2_set_match_limit(re->mc, API_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mc, API_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(re->mc, API_REGEX_HEAP_LIMIT_KIB);
    return re;
}

bool api_regex_match(api_regex_t *re, const char *subject, size_t len)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, re->md, re->mc);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
        re->limit_hits++;
    return rc >= 0;
}

bool api_regex_too_expensive(const api_regex_t *re)
{
    return re->limit_hits > API_REGEX_LIMIT_HITS_MAX;
}

void api_regex_free(api_regex_t *re)
{
    if (!re) return;
    pcre2_match_context_free(re->mc);
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    free(re);
}
