/* Session criteria: parsing, normalization and matching (criteria.h). */
#include "criteria.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum crit_key { K_FROM, K_TO, K_TENANT, K_DOMAIN, K_PROVIDER_IP, K_TEXT, K_CALL_ID, K_METHOD, K_N };

static const char *const key_names[K_N] = {"from",        "to",   "tenant",  "domain",
                                           "provider_ip", "text", "call_id", "method"};

struct snb_criteria {
    char *val[K_N];   /* normalized values; NULL when not given */
    size_t len[K_N];  /* their lengths */
    char *lower[K_N]; /* lowercase copies for the case-insensitive searches */
    snb_crit_ip_t ip; /* provider_ip, parsed */
    unsigned prefix;  /* its prefix length */
};

/* printf-checked, so clang's -Wformat-nonliteral (fuzz builds) accepts the vsnprintf. */
__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
                                                          ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Visual separators ignored in from/to (and a leading '+'). */
static bool is_separator(char c)
{
    return c == '-' || c == '.' || c == ' ' || c == '(' || c == ')';
}

/* from/to normalized: separators and leading '+' dropped, lowercase. */
static size_t normalize_party(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (is_separator(c)) continue;
        if (c == '+' && o == 0) continue;
        out[o++] = lower_ascii(c);
    }
    return o;
}

bool snb_crit_contains_ci(const char *hay, size_t hlen, const char *needle_lower, size_t nlen)
{
    if (nlen == 0) return true;
    if (!hay || hlen < nlen) return false;
    char first = needle_lower[0];
    char first_up = (first >= 'a' && first <= 'z') ? (char)(first - ('a' - 'A')) : first;
    size_t last = hlen - nlen;
    for (size_t i = 0; i <= last; i++) {
        if (hay[i] != first && hay[i] != first_up) continue;
        size_t j = 1;
        while (j < nlen && lower_ascii(hay[i + j]) == needle_lower[j])
            j++;
        if (j == nlen) return true;
    }
    return false;
}

static bool ieq(const char *a, size_t alen, const char *b_lower, size_t blen)
{
    if (alen != blen) return false;
    for (size_t i = 0; i < alen; i++)
        if (lower_ascii(a[i]) != b_lower[i]) return false;
    return true;
}

bool snb_crit_parse_prefix(const char *text, snb_crit_ip_t *addr, unsigned *prefix_len)
{
    char buf[64];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, text, n + 1);
    char *slash = strchr(buf, '/');
    long plen = -1;
    if (slash) {
        *slash = '\0';
        const char *d = slash + 1;
        if (*d == '\0' || strlen(d) > 3) return false;
        plen = 0;
        for (; *d; d++) {
            if (*d < '0' || *d > '9') return false;
            plen = plen * 10 + (*d - '0');
        }
    }
    memset(addr, 0, sizeof *addr);
    if (inet_pton(AF_INET, buf, addr->a) == 1) {
        addr->family = 4;
        if (plen < 0) plen = 32;
        if (plen > 32) return false;
    } else if (inet_pton(AF_INET6, buf, addr->a) == 1) {
        addr->family = 6;
        if (plen < 0) plen = 128;
        if (plen > 128) return false;
    } else {
        return false;
    }
    /* Host bits cleared so the normalized form is the network. */
    unsigned total = addr->family == 4 ? 32 : 128;
    for (unsigned bit = (unsigned)plen; bit < total; bit++)
        addr->a[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    *prefix_len = (unsigned)plen;
    return true;
}

static bool prefix_contains(const snb_crit_ip_t *net, unsigned plen, const snb_crit_ip_t *ip)
{
    const uint8_t *a = ip->a;
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ip->family == 0) return false;
    if (net->family == 4 && ip->family == 6) {
        if (memcmp(ip->a, v4mapped, 12) != 0) return false;
        a = ip->a + 12; /* ::ffff:a.b.c.d compares as a.b.c.d */
    } else if (net->family != ip->family) {
        return false;
    }
    unsigned full = plen / 8, rest = plen % 8;
    if (memcmp(net->a, a, full) != 0) return false;
    if (rest == 0) return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (net->a[full] & mask) == (a[full] & mask);
}

static int key_index(const char *k)
{
    for (int i = 0; i < K_N; i++)
        if (strcmp(k, key_names[i]) == 0) return i;
    return -1;
}

static bool is_method_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("-.!%*_+`'~", c) != NULL;
}

/* Validates and normalizes one value into c->val[k]; false with err set. */
static bool set_value(snb_criteria_t *c, int k, const char *v, size_t n, char *err, size_t errlen)
{
    const char *name = key_names[k];
    if (n > SNB_CRITERIA_MAX_VALUE) {
        set_err(err, errlen, "criteria.%s: longer than %d bytes", name, SNB_CRITERIA_MAX_VALUE);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f) {
            set_err(err, errlen, "criteria.%s: control character at byte %zu", name, i);
            return false;
        }
    }
    char *out = malloc(n + 1);
    if (!out) {
        set_err(err, errlen, "criteria.%s: out of memory", name);
        return false;
    }
    size_t o = n;
    switch (k) {
    case K_FROM:
    case K_TO:
        o = normalize_party(v, n, out);
        if (o == 0) {
            free(out);
            set_err(err, errlen, "criteria.%s: no digits or text besides separators", name);
            return false;
        }
        break;
    case K_DOMAIN:
    case K_TENANT:
        for (size_t i = 0; i < n; i++) {
            if (v[i] == ' ' || v[i] == '@') {
                free(out);
                set_err(err, errlen, "criteria.%s: '%c' is not allowed", name, v[i]);
                return false;
            }
            out[i] = lower_ascii(v[i]);
        }
        /* "example.com." and ".example.com" name the same domain. */
        if (k == K_DOMAIN) {
            size_t s = 0;
            while (s < o && out[s] == '.')
                s++;
            while (o > s && out[o - 1] == '.')
                o--;
            memmove(out, out + s, o - s);
            o -= s;
            if (o == 0) {
                free(out);
                set_err(err, errlen, "criteria.domain: empty domain");
                return false;
            }
        }
        break;
    case K_PROVIDER_IP: {
        char tmp[SNB_CRITERIA_MAX_VALUE + 1];
        memcpy(tmp, v, n);
        tmp[n] = '\0';
        if (!snb_crit_parse_prefix(tmp, &c->ip, &c->prefix)) {
            free(out);
            set_err(err, errlen, "criteria.provider_ip: '%s' is not an IP address or CIDR prefix",
                    tmp);
            return false;
        }
        char addr[INET6_ADDRSTRLEN];
        inet_ntop(c->ip.family == 4 ? AF_INET : AF_INET6, c->ip.a, addr, sizeof addr);
        unsigned full = c->ip.family == 4 ? 32 : 128;
        free(out);
        out = malloc(INET6_ADDRSTRLEN + 5);
        if (!out) {
            set_err(err, errlen, "criteria.provider_ip: out of memory");
            return false;
        }
        if (c->prefix == full)
            o = (size_t)snprintf(out, INET6_ADDRSTRLEN + 5, "%s", addr);
        else
            o = (size_t)snprintf(out, INET6_ADDRSTRLEN + 5, "%s/%u", addr, c->prefix);
        break;
    }
    case K_METHOD:
        for (size_t i = 0; i < n; i++) {
            if (!is_method_char(v[i])) {
                free(out);
                set_err(err, errlen, "criteria.method: not a SIP method token");
                return false;
            }
            out[i] = (v[i] >= 'a' && v[i] <= 'z') ? (char)(v[i] - ('a' - 'A')) : v[i];
        }
        break;
    default: /* text and call_id as given */
        memcpy(out, v, n);
        break;
    }
    out[o] = '\0';
    c->val[k] = out;
    c->len[k] = o;
    c->lower[k] = malloc(o + 1);
    if (!c->lower[k]) {
        set_err(err, errlen, "criteria.%s: out of memory", name);
        return false;
    }
    for (size_t i = 0; i <= o; i++)
        c->lower[k][i] = lower_ascii(out[i]);
    return true;
}

snb_criteria_t *snb_criteria_parse(const json_t *criteria, char *err, size_t errlen)
{
    if (!criteria || !json_is_object(criteria)) {
        set_err(err, errlen, "criteria: must be a JSON object");
        return NULL;
    }
    snb_criteria_t *c = calloc(1, sizeof *c);
    if (!c) {
        set_err(err, errlen, "criteria: out of memory");
        return NULL;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)criteria, key, value)
    {
        int k = key_index(key);
        if (k < 0) {
            /* The key is the client's text: printable bytes only, so the
             * reason stays one line. */
            char shown[65];
            size_t i = 0;
            for (; key[i] && i < sizeof shown - 1; i++)
                shown[i] = ((unsigned char)key[i] < 0x20 || key[i] == 0x7f) ? '?' : key[i];
            shown[i] = '\0';
            set_err(err, errlen, "criteria: unknown key '%s'", shown);
            goto fail;
        }
        if (json_is_null(value)) continue;
        if (!json_is_string(value)) {
            set_err(err, errlen, "criteria.%s: must be a string", key);
            goto fail;
        }
        size_t n = json_string_length(value);
        if (n == 0) continue;
        if (!set_value(c, k, json_string_value(value), n, err, errlen)) goto fail;
    }
    for (int k = 0; k < K_N; k++)
        if (k != K_METHOD && c->val[k]) return c;
    set_err(err, errlen,
            c->val[K_METHOD] ? "criteria: method only narrows; give from, to, tenant, domain, "
                               "provider_ip, text or call_id as well"
                             : "criteria: at least one of from, to, tenant, domain, provider_ip, "
                               "text, call_id is required");
fail:
    snb_criteria_free(c);
    return NULL;
}

json_t *snb_criteria_json(const snb_criteria_t *c)
{
    json_t *o = json_object();
    if (!o || !c) return o;
    for (int k = 0; k < K_N; k++)
        if (c->val[k]) json_object_set_new(o, key_names[k], json_stringn(c->val[k], c->len[k]));
    return o;
}

void snb_criteria_free(snb_criteria_t *c)
{
    if (!c) return;
    for (int k = 0; k < K_N; k++) {
        free(c->val[k]);
        free(c->lower[k]);
    }
    free(c);
}

const char *snb_criteria_get(const snb_criteria_t *c, const char *key)
{
    int k = c ? key_index(key) : -1;
    return k < 0 ? NULL : c->val[k];
}

/* A from/to field contains the (normalized) needle, separators ignored.
 * Fields are short (user parts, display names): normalized on the stack,
 * truncated at 512 bytes, beyond any real number or name. */
static bool party_contains(snb_crit_str_t field, const char *needle, size_t nlen)
{
    if (!field.p || field.len == 0) return false;
    char buf[512];
    size_t n = field.len < sizeof buf ? field.len : sizeof buf;
    size_t o = normalize_party(field.p, n, buf);
    return snb_crit_contains_ci(buf, o, needle, nlen);
}

static bool host_is_domain(snb_crit_str_t h, const char *dom, size_t dlen)
{
    if (!h.p || h.len < dlen) return false;
    if (ieq(h.p + (h.len - dlen), dlen, dom, dlen))
        return h.len == dlen || h.p[h.len - dlen - 1] == '.';
    return false;
}

static bool host_has_tenant(snb_crit_str_t h, const char *t, size_t tlen)
{
    return h.p && h.len > tlen && h.p[tlen] == '.' && ieq(h.p, tlen, t, tlen);
}

bool snb_criteria_match(const snb_criteria_t *c, const snb_criteria_msg_t *m)
{
    if (!c || !m) return false;
    if (c->val[K_CALL_ID]) {
        if (!m->call_id.p || m->call_id.len != c->len[K_CALL_ID] ||
            memcmp(m->call_id.p, c->val[K_CALL_ID], m->call_id.len) != 0)
            return false;
    }
    if (c->val[K_METHOD]) {
        snb_crit_str_t meth = m->is_request ? m->method : m->cseq_method;
        if (!meth.p || !ieq(meth.p, meth.len, c->lower[K_METHOD], c->len[K_METHOD])) return false;
    }
    if (c->val[K_FROM]) {
        const char *n = c->lower[K_FROM];
        size_t l = c->len[K_FROM];
        if (!party_contains(m->from_user, n, l) && !party_contains(m->from_display, n, l))
            return false;
    }
    if (c->val[K_TO]) {
        const char *n = c->lower[K_TO];
        size_t l = c->len[K_TO];
        if (!party_contains(m->to_user, n, l) && !party_contains(m->to_display, n, l) &&
            !party_contains(m->ruri_user, n, l))
            return false;
    }
    if (c->val[K_DOMAIN]) {
        const char *d = c->lower[K_DOMAIN];
        size_t l = c->len[K_DOMAIN];
        if (!host_is_domain(m->ruri_host, d, l) && !host_is_domain(m->from_host, d, l) &&
            !host_is_domain(m->to_host, d, l))
            return false;
    }
    if (c->val[K_TENANT]) {
        const char *t = c->lower[K_TENANT];
        size_t l = c->len[K_TENANT];
        bool hit = host_has_tenant(m->ruri_host, t, l) || host_has_tenant(m->from_host, t, l) ||
                   host_has_tenant(m->to_host, t, l);
        for (size_t i = 0; !hit && i < m->n_tenant_values; i++) {
            snb_crit_str_t v = m->tenant_values[i];
            hit = v.p && ieq(v.p, v.len, t, l);
        }
        if (!hit) return false;
    }
    if (c->val[K_PROVIDER_IP]) {
        if (!prefix_contains(&c->ip, c->prefix, &m->src) &&
            !prefix_contains(&c->ip, c->prefix, &m->dst))
            return false;
    }
    if (c->val[K_TEXT]) {
        if (!snb_crit_contains_ci(m->text.p, m->text.len, c->lower[K_TEXT], c->len[K_TEXT]))
            return false;
    }
    return true;
}

unsigned snb_criteria_needs(const snb_criteria_t *c)
{
    unsigned n = 0;
    if (!c) return 0;
    if (c->val[K_FROM]) n |= SNB_CRIT_NEED_FROM;
    if (c->val[K_TO]) n |= SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI;
    if (c->val[K_DOMAIN]) n |= SNB_CRIT_NEED_FROM | SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI;
    if (c->val[K_TENANT])
        n |= SNB_CRIT_NEED_FROM | SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI | SNB_CRIT_NEED_TENANT;
    if (c->val[K_METHOD]) n |= SNB_CRIT_NEED_CSEQ;
    return n;
}

bool snb_criteria_prefilter(const snb_criteria_t *c, const snb_criteria_msg_t *m)
{
    if (!c || !m) return false;
    if (c->val[K_CALL_ID] && (!m->call_id.p || m->call_id.len != c->len[K_CALL_ID] ||
                              memcmp(m->call_id.p, c->val[K_CALL_ID], m->call_id.len) != 0))
        return false;
    if (c->val[K_METHOD] && m->is_request &&
        (!m->method.p || !ieq(m->method.p, m->method.len, c->lower[K_METHOD], c->len[K_METHOD])))
        return false;
    if (c->val[K_PROVIDER_IP] && !prefix_contains(&c->ip, c->prefix, &m->src) &&
        !prefix_contains(&c->ip, c->prefix, &m->dst))
        return false;
    return true;
}

bool snb_criteria_match_line(const snb_criteria_t *c, const char *line, size_t len)
{
    if (!c || !line) return false;
    if (c->val[K_TEXT] && snb_crit_contains_ci(line, len, c->lower[K_TEXT], c->len[K_TEXT]))
        return true;
    if (c->val[K_CALL_ID] && len >= c->len[K_CALL_ID]) {
        const char *id = c->val[K_CALL_ID];
        size_t n = c->len[K_CALL_ID];
        for (size_t i = 0; i + n <= len; i++)
            if (line[i] == id[0] && memcmp(line + i, id, n) == 0) return true;
    }
    return false;
}
