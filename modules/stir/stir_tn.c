/* See stir_tn.h. */
#include "stir_tn.h"

#include <string.h>
#include <strings.h>

bool stir_tn_canon(const char *tn, size_t len, char out[STIR_TN_MAX])
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        char c = tn[i];
        if (c == ';') break;
        if (c == '+' || c == '-' || c == '.' || c == '(' || c == ')') continue;
        if (c < '0' || c > '9' || n + 1 >= STIR_TN_MAX) {
            out[0] = '\0';
            return false;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n > 0;
}

/* The number part of a URI: a tel: URI's text after the scheme, or a SIP
 * URI's userinfo (up to '@'), both still with their ';' parameters. */
static bool number_part(const char *uri, size_t len, const char **p, size_t *n)
{
    const char *colon = memchr(uri, ':', len);
    if (!colon) return false;
    size_t scheme = (size_t)(colon - uri);
    const char *rest = colon + 1;
    size_t rest_len = len - scheme - 1;
    if (scheme == 3 && !strncasecmp(uri, "tel", 3)) {
        const char *end = memchr(rest, '?', rest_len);
        *p = rest;
        *n = end ? (size_t)(end - rest) : rest_len;
        return true;
    }
    if ((scheme == 3 && !strncasecmp(uri, "sip", 3)) ||
        (scheme == 4 && !strncasecmp(uri, "sips", 4))) {
        const char *at = memchr(rest, '@', rest_len);
        if (!at) return false;
        size_t user = (size_t)(at - rest);
        const char *pw = memchr(rest, ':', user); /* user:password@ */
        *p = rest;
        *n = pw ? (size_t)(pw - rest) : user;
        return true;
    }
    return false;
}

bool stir_tn_of_uri(const char *uri, size_t len, char out[STIR_TN_MAX])
{
    const char *p;
    size_t n;
    out[0] = '\0';
    if (!uri || !number_part(uri, len, &p, &n)) return false;
    return stir_tn_canon(p, n, out);
}

bool stir_tn_verstat(const char *uri, size_t len, char *out, size_t size)
{
    const char *p;
    size_t n;
    if (size) out[0] = '\0';
    if (!uri || !size || !number_part(uri, len, &p, &n)) return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ';') continue;
        const char *name = p + i + 1;
        size_t left = n - i - 1;
        if (left > 8 && !strncasecmp(name, "verstat=", 8)) {
            const char *v = name + 8;
            size_t vl = 0;
            while (vl < left - 8 && v[vl] != ';')
                vl++;
            if (vl >= size) vl = size - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return vl > 0;
        }
    }
    return false;
}
