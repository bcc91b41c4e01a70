/* SIP and tel URIs (RFC 3261 19.1, RFC 3966) split into their parts, their
 * parameters and percent-decoded headers. Zero-copy: every part is a slice
 * of the text given. */
#include <string.h>

#include "sip_msg_int.h"

static bool scheme_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '-' || c == '.';
}

bool sip_uri_parse(snb_str_t text, snb_sip_uri_t *out)
{
    memset(out, 0, sizeof *out);
    if (!text.p || !text.len) return false;
    snb_str_t t = sip_trim(text.p, text.p + text.len);
    const char *p = t.p, *e = t.p + t.len;
    const char *colon = memchr(p, ':', t.len);
    if (!colon || colon == p) return false;
    for (const char *s = p; s < colon; s++)
        if (!scheme_char(*s) || (s == p && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))))
            return false;
    out->scheme = snb_str(p, (size_t)(colon - p));
    p = colon + 1;
    /* ';' starts the parameters and '?' the headers, but a user part may
     * hold ';' (sip:alice;day=tue@host): parameters only start after '@'. */
    const char *at = NULL;
    for (const char *s = p; s < e && *s != '?'; s++)
        if (*s == '@') at = s;
    bool tel = snb_str_ieq(out->scheme, "tel");
    const char *h = p;
    if (at && !tel) {
        const char *ue = memchr(p, ':', (size_t)(at - p));
        out->user = snb_str(p, (size_t)((ue ? ue : at) - p));
        if (ue) out->password = snb_str(ue + 1, (size_t)(at - ue - 1));
        h = at + 1;
    }
    const char *stop = h;
    bool bracket = false;
    while (stop < e && (bracket || (*stop != ';' && *stop != '?'))) {
        if (*stop == '[') bracket = true;
        if (*stop == ']') bracket = false;
        stop++;
    }
    if (tel) {
        out->user = snb_str(h, (size_t)(stop - h)); /* the number */
    } else if (h < stop && *h == '[') {
        const char *rb = memchr(h, ']', (size_t)(stop - h));
        const char *he = rb ? rb : stop;
        out->host = snb_str(h + 1, (size_t)(he - h - 1));
        if (rb && rb + 1 < stop && rb[1] == ':')
            h = rb + 1; /* port follows */
        else
            h = stop;
    } else {
        const char *pc = memchr(h, ':', (size_t)(stop - h));
        out->host = snb_str(h, (size_t)((pc ? pc : stop) - h));
        h = pc ? pc : stop;
    }
    if (!tel && h < stop && *h == ':') {
        unsigned port = 0;
        const char *d = h + 1;
        while (d < stop && *d >= '0' && *d <= '9' && port <= 65535)
            port = port * 10 + (unsigned)(*d++ - '0');
        out->port = port <= 65535 ? (uint16_t)port : 0;
    }
    const char *q = stop;
    while (q < e && *q != '?')
        q++;
    if (stop < e && *stop == ';') out->params = snb_str(stop, (size_t)(q - stop));
    if (q < e) out->headers = snb_str(q + 1, (size_t)(e - q - 1));
    return true;
}

snb_str_t sip_uri_param(const snb_sip_uri_t *uri, const char *name)
{
    /* URI parameters have the header-parameter shape: ";name[=value]". */
    return uri->params.p ? sip_param(uri->params, name) : SNB_STR_NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long sip_uri_header(const snb_sip_uri_t *uri, const char *name, char *out, size_t size)
{
    if (!uri->headers.p || !size) return -1;
    const char *p = uri->headers.p, *e = p + uri->headers.len;
    size_t nlen = strlen(name);
    while (p < e) {
        const char *amp = memchr(p, '&', (size_t)(e - p));
        const char *he = amp ? amp : e;
        const char *eq = memchr(p, '=', (size_t)(he - p));
        const char *ne = eq ? eq : he;
        if ((size_t)(ne - p) == nlen && snb_str_ieq(snb_str(p, nlen), name)) {
            size_t o = 0;
            for (const char *v = eq ? eq + 1 : he; v < he && o + 1 < size; v++) {
                int hi, lo;
                if (*v == '%' && he - v >= 3 && (hi = hexval(v[1])) >= 0 &&
                    (lo = hexval(v[2])) >= 0) {
                    out[o++] = (char)(hi << 4 | lo);
                    v += 2;
                } else {
                    out[o++] = *v;
                }
            }
            out[o] = '\0';
            return (long)o;
        }
        p = he + 1;
    }
    return -1;
}

bool sip_nameaddr_full(snb_str_t value, snb_sip_nameaddr_t *out)
{
    memset(out, 0, sizeof *out);
    sip_nameaddr_t na;
    sip_parse_nameaddr(value, &na);
    if (!na.uri.p || !na.uri.len) return false;
    out->display = na.display;
    out->uri = na.uri;
    out->tag = na.tag;
    sip_uri_parse(na.uri, &out->parts);
    /* Header parameters: after '>' for a name-addr, after the URI for an
     * addr-spec (RFC 3261 20.10), up to the next list element. */
    const char *e = value.p + value.len;
    const char *after = na.uri.p + na.uri.len;
    if (after < e && *after == '>') after++;
    const char *s = after;
    while (s < e && *s != ';' && *s != ',')
        s++;
    if (s < e && *s == ';') {
        const char *pe = s;
        bool q = false;
        while (pe < e && (q || *pe != ',')) {
            if (*pe == '"') q = !q;
            pe++;
        }
        out->params = sip_trim(s, pe);
    }
    return true;
}
