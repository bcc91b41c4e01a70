#define PCRE2_CODE_UNIT_WIDTH 8
#include "sec_ua.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "sipnab/str.h"

/* Tools seen in the wild scanning or cracking SIP. PortSIP and VaxSIP are
 * SDK names that attack tools ship with unchanged. */
const char sec_ua_builtin[] = "friendly-scanner|sipvicious|sipcli|sundayddr|iwar|sip-scan|sipscan|"
                              "sipsak|vaxsipuseragent|pplsip|portsip|smap|sivus|sip ?army ?knife|"
                              "sip-?ptk|voipsniff|warvox";

enum { UA_MAX_SUBJECT = 256, UA_MATCH_LIMIT = 10000, UA_DEPTH_LIMIT = 1000 };

struct sec_ua {
    pcre2_code *re;
    pcre2_match_data *md;
    pcre2_match_context *mc;
};

sec_ua_t *sec_ua_new(const char *extra, bool builtin, char *err, size_t err_len)
{
    sec_ua_t *u = calloc(1, sizeof *u);
    if (!u) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    size_t n = sizeof sec_ua_builtin + (extra ? strlen(extra) : 0) + 16;
    char *pattern = malloc(n);
    if (!pattern) {
        free(u);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    size_t prefix = 0; /* where the operator's pattern starts, for error offsets */
    if (extra && *extra && builtin) {
        snprintf(pattern, n, "(?:%s)|(?:%s)", sec_ua_builtin, extra);
        prefix = sizeof sec_ua_builtin - 1 + 8; /* "(?:" and ")|(?:" */
    } else if (extra && *extra) {
        snprintf(pattern, n, "%s", extra);
    } else if (builtin) {
        snprintf(pattern, n, "%s", sec_ua_builtin);
    } else {
        snprintf(pattern, n, "(*FAIL)");
    }
    int code;
    PCRE2_SIZE off;
    u->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &code, &off,
                          NULL);
    free(pattern);
    if (!u->re) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(code, msg, sizeof msg);
        /* The offset is within our combined pattern; report it in the user's. */
        size_t at = off >= prefix ? (size_t)off - prefix : 0;
        size_t extra_len = extra ? strlen(extra) : 0;
        if (at > extra_len) at = extra_len; /* past our closing parenthesis */
        snprintf(err, err_len, "bad --kill-ua regex at offset %zu: %s", at, (const char *)msg);
        free(u);
        return NULL;
    }
    u->md = pcre2_match_data_create_from_pattern(u->re, NULL);
    u->mc = pcre2_match_context_create(NULL);
    if (!u->md || !u->mc) {
        snprintf(err, err_len, "out of memory");
        sec_ua_free(u);
        return NULL;
    }
    pcre2_set_match_limit(u->mc, UA_MATCH_LIMIT);
    pcre2_set_depth_limit(u->mc, UA_DEPTH_LIMIT);
    return u;
}

void sec_ua_free(sec_ua_t *u)
{
    if (!u) return;
    pcre2_match_context_free(u->mc);
    pcre2_match_data_free(u->md);
    pcre2_code_free(u->re);
    free(u);
}

bool sec_ua_match(sec_ua_t *u, const char *ua, size_t len)
{
    if (!u || !ua || !len) return false;
    if (len > UA_MAX_SUBJECT) len = UA_MAX_SUBJECT;
    /* A limit hit (PCRE2_ERROR_MATCHLIMIT) counts as no match. */
    return pcre2_match(u->re, (PCRE2_SPTR)ua, len, 0, 0, u->md, u->mc) >= 0;
}
