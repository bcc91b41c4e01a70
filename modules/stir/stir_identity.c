/* See stir_identity.h. */
#include "stir_identity.h"

#include <string.h>
#include <strings.h>

static bool b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '=';
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static snb_str_t trim(const char *p, const char *end)
{
    while (p < end && space(*p))
        p++;
    while (end > p && space(end[-1]))
        end--;
    return snb_str(p, (size_t)(end - p));
}

/* ;name=value: value without surrounding quotes or angle brackets. */
static void take_param(stir_identity_t *out, snb_str_t name, snb_str_t value)
{
    if (value.len >= 2 && ((value.p[0] == '"' && value.p[value.len - 1] == '"') ||
                           (value.p[0] == '<' && value.p[value.len - 1] == '>')))
        value = snb_str(value.p + 1, value.len - 2);
    if (snb_str_ieq(name, "info"))
        out->info = value;
    else if (snb_str_ieq(name, "alg"))
        out->alg = value;
    else if (snb_str_ieq(name, "ppt"))
        out->ppt = value;
}

static void parse_params(stir_identity_t *out, const char *p, const char *end)
{
    while (p < end) {
        /* one parameter runs to the next ';' outside <...> and quotes */
        const char *start = p;
        bool quoted = false, angled = false;
        while (p < end && (quoted || angled || *p != ';')) {
            if (*p == '"' && !angled) quoted = !quoted;
            if (*p == '<' && !quoted) angled = true;
            if (*p == '>' && !quoted) angled = false;
            p++;
        }
        const char *eq = memchr(start, '=', (size_t)(p - start));
        if (eq) take_param(out, trim(start, eq), trim(eq + 1, p));
        if (p < end) p++;
    }
}

bool stir_identity_parse(snb_str_t value, stir_identity_t *out)
{
    memset(out, 0, sizeof *out);
    if (!value.p || value.len > STIR_IDENTITY_MAX_LEN) return false;
    const char *p = value.p, *end = value.p + value.len;
    while (p < end && space(*p))
        p++;
    /* RFC 8224 has no quotes or brackets around the token; some older
     * signers sent it in quotes. */
    bool quoted = p < end && *p == '"';
    if (quoted) p++;
    const char *tok = p;
    while (p < end && (b64url_char(*p) || *p == '.'))
        p++;
    const char *tok_end = p;
    if (quoted) {
        if (p >= end || *p != '"') return false;
        p++;
    }
    while (p < end && space(*p))
        p++;
    if (p < end && *p != ';') return false; /* junk in the token */
    const char *dot1 = memchr(tok, '.', (size_t)(tok_end - tok));
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(tok_end - dot1 - 1)) : NULL;
    if (!dot1 || !dot2 || memchr(dot2 + 1, '.', (size_t)(tok_end - dot2 - 1))) return false;
    out->header_b64 = snb_str(tok, (size_t)(dot1 - tok));
    out->claims_b64 = snb_str(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    out->sig_b64 = snb_str(dot2 + 1, (size_t)(tok_end - dot2 - 1));
    out->signing_input = snb_str(tok, (size_t)(dot2 - tok));
    out->compact = out->header_b64.len == 0 && out->claims_b64.len == 0;
    if (!out->compact && (!out->header_b64.len || !out->claims_b64.len)) return false;
    if (!out->sig_b64.len) return false;
    parse_params(out, p, end);
    return true;
}
