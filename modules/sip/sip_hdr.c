/* Header-level helpers: names and compact forms, on-demand lookup with
 * comma-list splitting, unfolding, name-addr and parameter parsing. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sip_msg_int.h"

#define T1(c) [(unsigned char)(c)] = 1
const uint8_t sip_token_tab[256] = {
    T1('-'), T1('.'), T1('!'), T1('%'), T1('*'), T1('_'), T1('+'), T1('`'), T1('\''),
    T1('~'), T1('0'), T1('1'), T1('2'), T1('3'), T1('4'), T1('5'), T1('6'), T1('7'),
    T1('8'), T1('9'), T1('A'), T1('B'), T1('C'), T1('D'), T1('E'), T1('F'), T1('G'),
    T1('H'), T1('I'), T1('J'), T1('K'), T1('L'), T1('M'), T1('N'), T1('O'), T1('P'),
    T1('Q'), T1('R'), T1('S'), T1('T'), T1('U'), T1('V'), T1('W'), T1('X'), T1('Y'),
    T1('Z'), T1('a'), T1('b'), T1('c'), T1('d'), T1('e'), T1('f'), T1('g'), T1('h'),
    T1('i'), T1('j'), T1('k'), T1('l'), T1('m'), T1('n'), T1('o'), T1('p'), T1('q'),
    T1('r'), T1('s'), T1('t'), T1('u'), T1('v'), T1('w'), T1('x'), T1('y'), T1('z'),
};
#undef T1

typedef struct hdr_def {
    const char *name;
    char compact;
    uint8_t len;
    bool list; /* its grammar is a comma-separated list (list_headers below) */
} hdr_def_t;

#define HD(s, c, l)                                                                                \
    {                                                                                              \
        s, c, (uint8_t)(sizeof(s) - 1), l                                                          \
    }

/* Indexed by sip_hdr_id_t. Compact forms: RFC 3261 20, RFC 3515/3892/3841,
 * RFC 4028, RFC 8224. check_sip_hdr checks the list flags against
 * list_headers and the two tables below against this one. */
static const hdr_def_t hdr_defs[SIP_H_COUNT_KNOWN] = {
    [SIP_H_OTHER] = HD("", 0, false),
    [SIP_H_CALL_ID] = HD("call-id", 'i', false),
    [SIP_H_FROM] = HD("from", 'f', false),
    [SIP_H_TO] = HD("to", 't', false),
    [SIP_H_VIA] = HD("via", 'v', true),
    [SIP_H_CSEQ] = HD("cseq", 0, false),
    [SIP_H_CONTENT_LENGTH] = HD("content-length", 'l', false),
    [SIP_H_CONTENT_TYPE] = HD("content-type", 'c', false),
    [SIP_H_CONTACT] = HD("contact", 'm', true),
    [SIP_H_SUPPORTED] = HD("supported", 'k', true),
    [SIP_H_SUBJECT] = HD("subject", 's', false),
    [SIP_H_CONTENT_ENCODING] = HD("content-encoding", 'e', true),
    [SIP_H_EVENT] = HD("event", 'o', false),
    [SIP_H_REFER_TO] = HD("refer-to", 'r', false),
    [SIP_H_ALLOW_EVENTS] = HD("allow-events", 'u', true),
    [SIP_H_REFERRED_BY] = HD("referred-by", 'b', false),
    [SIP_H_SESSION_EXPIRES] = HD("session-expires", 'x', false),
    [SIP_H_IDENTITY] = HD("identity", 'y', false),
    [SIP_H_ACCEPT_CONTACT] = HD("accept-contact", 'a', true),
    [SIP_H_REJECT_CONTACT] = HD("reject-contact", 'j', true),
    [SIP_H_REQUEST_DISPOSITION] = HD("request-disposition", 'd', true),
    [SIP_H_USER_AGENT] = HD("user-agent", 0, false),
    [SIP_H_SERVER] = HD("server", 0, false),
};

/* The known names by length (at most three share one), and the compact
 * forms by letter: a lookup classifies its name with one or two compares
 * instead of a walk of hdr_defs. */
#define BY_LEN_MAX 19
static const uint8_t by_len[BY_LEN_MAX + 1][3] = {
    [2] = {SIP_H_TO},
    [3] = {SIP_H_VIA},
    [4] = {SIP_H_FROM, SIP_H_CSEQ},
    [5] = {SIP_H_EVENT},
    [6] = {SIP_H_SERVER},
    [7] = {SIP_H_CALL_ID, SIP_H_CONTACT, SIP_H_SUBJECT},
    [8] = {SIP_H_REFER_TO, SIP_H_IDENTITY},
    [9] = {SIP_H_SUPPORTED},
    [10] = {SIP_H_USER_AGENT},
    [11] = {SIP_H_REFERRED_BY},
    [12] = {SIP_H_CONTENT_TYPE, SIP_H_ALLOW_EVENTS},
    [14] = {SIP_H_CONTENT_LENGTH, SIP_H_ACCEPT_CONTACT, SIP_H_REJECT_CONTACT},
    [15] = {SIP_H_SESSION_EXPIRES},
    [16] = {SIP_H_CONTENT_ENCODING},
    [19] = {SIP_H_REQUEST_DISPOSITION},
};

static const uint8_t by_compact[26] = {
    ['a' - 'a'] = SIP_H_ACCEPT_CONTACT,
    ['b' - 'a'] = SIP_H_REFERRED_BY,
    ['c' - 'a'] = SIP_H_CONTENT_TYPE,
    ['d' - 'a'] = SIP_H_REQUEST_DISPOSITION,
    ['e' - 'a'] = SIP_H_CONTENT_ENCODING,
    ['f' - 'a'] = SIP_H_FROM,
    ['i' - 'a'] = SIP_H_CALL_ID,
    ['j' - 'a'] = SIP_H_REJECT_CONTACT,
    ['k' - 'a'] = SIP_H_SUPPORTED,
    ['l' - 'a'] = SIP_H_CONTENT_LENGTH,
    ['m' - 'a'] = SIP_H_CONTACT,
    ['o' - 'a'] = SIP_H_EVENT,
    ['r' - 'a'] = SIP_H_REFER_TO,
    ['s' - 'a'] = SIP_H_SUBJECT,
    ['t' - 'a'] = SIP_H_TO,
    ['u' - 'a'] = SIP_H_ALLOW_EVENTS,
    ['v' - 'a'] = SIP_H_VIA,
    ['x' - 'a'] = SIP_H_SESSION_EXPIRES,
    ['y' - 'a'] = SIP_H_IDENTITY,
};

static bool ieq_n(const char *a, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (snb_ascii_lower(a[i]) != lit[i]) return false;
    return true;
}

sip_hdr_id_t sip_hdr_classify(const char *name, size_t len)
{
    if (len == 1) {
        char c = snb_ascii_lower(name[0]);
        return c >= 'a' && c <= 'z' ? (sip_hdr_id_t)by_compact[c - 'a'] : SIP_H_OTHER;
    }
    if (len > BY_LEN_MAX) return SIP_H_OTHER;
    for (int i = 0; i < 3 && by_len[len][i]; i++)
        if (ieq_n(name, hdr_defs[by_len[len][i]].name, len)) return (sip_hdr_id_t)by_len[len][i];
    return SIP_H_OTHER;
}

sip_hdr_id_t sip_hdr_compact_id(char lower)
{
    return lower >= 'a' && lower <= 'z' ? (sip_hdr_id_t)by_compact[lower - 'a'] : SIP_H_OTHER;
}

const char *sip_hdr_name(sip_hdr_id_t id)
{
    return id > SIP_H_OTHER && id < SIP_H_COUNT_KNOWN ? hdr_defs[id].name : NULL;
}

char sip_hdr_compact(sip_hdr_id_t id)
{
    return id > SIP_H_OTHER && id < SIP_H_COUNT_KNOWN ? hdr_defs[id].compact : 0;
}

bool sip_hdr_is_list(sip_hdr_id_t id)
{
    return id > SIP_H_OTHER && id < SIP_H_COUNT_KNOWN && hdr_defs[id].list;
}

/* Headers whose grammar is a comma-separated list (RFC 3261 7.3.1 and the
 * extensions SIP analysers meet). Authorization-style headers and Date are
 * not: their values contain commas. */
typedef struct list_hdr {
    const char *name;
    uint8_t len;
} list_hdr_t;

#define LH(s)                                                                                      \
    {                                                                                              \
        s, (uint8_t)(sizeof(s) - 1)                                                                \
    }
static const list_hdr_t list_headers[] = {
    LH("via"),
    LH("route"),
    LH("record-route"),
    LH("contact"),
    LH("path"),
    LH("service-route"),
    LH("allow"),
    LH("supported"),
    LH("require"),
    LH("proxy-require"),
    LH("unsupported"),
    LH("accept"),
    LH("accept-encoding"),
    LH("accept-language"),
    LH("allow-events"),
    LH("p-asserted-identity"),
    LH("p-preferred-identity"),
    LH("history-info"),
    LH("diversion"),
    LH("reason"),
    LH("security-client"),
    LH("security-server"),
    LH("security-verify"),
    LH("content-encoding"),
    LH("content-language"),
    LH("in-reply-to"),
    LH("alert-info"),
    LH("call-info"),
    LH("error-info"),
    LH("accept-contact"),
    LH("reject-contact"),
    LH("request-disposition"),
    LH("warning"),
};

bool sip_hdr_name_is_list(const char *canon, size_t len)
{
    for (size_t i = 0; i < sizeof list_headers / sizeof list_headers[0]; i++)
        if (list_headers[i].len == len && ieq_n(canon, list_headers[i].name, len)) return true;
    return false;
}

/* Bytes that matter to the list and parameter scanners outside quotes:
 * '"' '<' '>' ',' ';' (bit 1), and inside quotes '"' '\\' (bit 2). Every
 * other byte is skipped with one table load. */
static const uint8_t scan_tab[256] = {
    ['"'] = 3, ['<'] = 1, ['>'] = 1, [','] = 1, [';'] = 1, ['\\'] = 2,
};

#if defined(__SSE2__)
static inline unsigned special_mask(const char *p)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                               _mm_cmpeq_epi8(x, _mm_set1_epi8('<'))),
                                  _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('>')),
                                               _mm_cmpeq_epi8(x, _mm_set1_epi8(',')))),
                     _mm_cmpeq_epi8(x, _mm_set1_epi8(';')));
    return (unsigned)_mm_movemask_epi8(hit);
}

static inline unsigned either_mask(const char *p, char a, char b)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(a)), _mm_cmpeq_epi8(x, _mm_set1_epi8(b))));
}

/* The tail of a scan that started at least 16 bytes before e: the last 16
 * bytes [e - 16, e) in one compare (m). Those before p were scanned already
 * and hold no hit, so the first hit is at or after p. */
static inline const char *tail_hit(const char *e, unsigned m)
{
    return m ? e - 16 + __builtin_ctz(m) : e;
}
#endif

/* First byte at or after p that is one of '"' '<' '>' ',' ';' (scan_tab
 * bit 1), or e. */
static inline const char *scan_special(const char *p, const char *e)
{
#if defined(__SSE2__)
    const char *start = p;
    while (e - p >= 16) {
        unsigned m = special_mask(p);
        if (m) return p + __builtin_ctz(m);
        p += 16;
    }
    if (p < e && e - start >= 16) return tail_hit(e, special_mask(e - 16));
#endif
    while (p < e && !(scan_tab[(unsigned char)*p] & 1))
        p++;
    return p;
}

/* First byte at or after p equal to a or b, or e. */
static inline const char *scan_either(const char *p, const char *e, char a, char b)
{
#if defined(__SSE2__)
    const char *start = p;
    while (e - p >= 16) {
        unsigned m = either_mask(p, a, b);
        if (m) return p + __builtin_ctz(m);
        p += 16;
    }
    if (p < e && e - start >= 16) return tail_hit(e, either_mask(e - 16, a, b));
#endif
    while (p < e && *p != a && *p != b)
        p++;
    return p;
}

/* Advance over one list element starting at p; returns the position of the
 * separating comma or e. Quotes (with escapes) and <...> hide commas. */
static const char *list_elem_end(const char *p, const char *e)
{
    int angle = 0;
    for (;;) {
        p = scan_special(p, e);
        if (p >= e) return e;
        char c = *p;
        if (c == '"') {
            p++;
            while (p < e && *p != '"') {
                if (*p == '\\' && p + 1 < e) p++;
                p++;
            }
            if (p >= e) return e;
        } else if (c == '<') {
            angle++;
        } else if (c == '>') {
            if (angle) angle--;
        } else if (c == ',' && angle == 0) {
            return p;
        }
        p++;
    }
}

unsigned sip_list_count(snb_str_t value, snb_str_t *first)
{
    const char *p = value.p, *e = value.p + value.len;
    unsigned n = 0;
    if (first) *first = SNB_STR_NULL;
    if (!p) return 0;
    while (p <= e) {
        const char *ce = list_elem_end(p, e);
        snb_str_t el = sip_trim(p, ce);
        if (el.len) {
            if (n == 0 && first) *first = el;
            n++;
        }
        if (ce >= e) break;
        p = ce + 1;
    }
    return n;
}

/* The parser classified every header (h->id): a known name matches by id,
 * in any case or compact form; only other names are compared. */
static bool hdr_match(const sip_header_t *h, sip_hdr_id_t id, const char *name, size_t nlen)
{
    if (id != SIP_H_OTHER) return h->id == id;
    if (h->id != SIP_H_OTHER || h->name.len != nlen) return false;
    for (size_t i = 0; i < nlen; i++)
        if (snb_ascii_lower(h->name.p[i]) != snb_ascii_lower(name[i])) return false;
    return true;
}

/* Shared walk of sip_msg_header / sip_msg_header_count: returns the nth
 * occurrence (or SNB_STR_NULL) and the total through *count. */
static snb_str_t header_walk(const sip_msg_t *msg, const char *name, unsigned nth, unsigned *count)
{
    size_t nlen = strlen(name);
    sip_hdr_id_t id = sip_hdr_classify(name, nlen);
    bool list = id != SIP_H_OTHER ? hdr_defs[id].list : sip_hdr_name_is_list(name, nlen);
    unsigned seen = 0;
    snb_str_t found = SNB_STR_NULL;
    for (unsigned i = 0; i < msg->n_headers; i++) {
        const sip_header_t *h = &msg->headers[i];
        if (!hdr_match(h, id, name, nlen)) continue;
        if (!list) {
            if (seen == nth) found = h->value;
            seen++;
            continue;
        }
        const char *p = h->value.p, *e = h->value.p + h->value.len;
        while (p && p <= e) {
            const char *ce = list_elem_end(p, e);
            snb_str_t el = sip_trim(p, ce);
            if (el.len) {
                if (seen == nth) found = el;
                seen++;
            }
            if (ce >= e) break;
            p = ce + 1;
        }
        if (found.p && !count) break;
    }
    if (count) *count = seen;
    return found;
}

snb_str_t sip_msg_header(const sip_msg_t *msg, const char *name, unsigned nth)
{
    return header_walk(msg, name, nth, NULL);
}

unsigned sip_msg_header_count(const sip_msg_t *msg, const char *name)
{
    unsigned n = 0;
    header_walk(msg, name, 0, &n);
    return n;
}

size_t sip_msg_header_unfold(snb_str_t value, char *out, size_t size)
{
    size_t o = 0;
    if (!size) return 0;
    for (uint32_t i = 0; i < value.len && o + 1 < size; i++) {
        char c = value.p[i];
        if (c == '\r' || c == '\n') {
            while (i + 1 < value.len && sip_is_lws(value.p[i + 1]))
                i++;
            if (o && out[o - 1] != ' ') out[o++] = ' ';
            continue;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

/* Find parameter `name` in ";p1=v1;p2" parameters of the first element of
 * value, skipping <...> (URI parameters) and quoted strings. */
static snb_str_t param_find(snb_str_t value, const char *name, size_t nlen, bool unquote)
{
    if (!value.p) return SNB_STR_NULL;
    const char *p = value.p, *e = value.p + value.len;
    int angle = 0;
    for (;; p++) {
        p = scan_special(p, e);
        if (p >= e) break;
        char c = *p;
        if (c == '"') {
            p++;
            while (p < e && *p != '"') {
                if (*p == '\\' && p + 1 < e) p++;
                p++;
            }
            if (p >= e) break;
        } else if (c == '<') {
            angle++;
        } else if (c == '>') {
            if (angle) angle--;
        } else if (angle) {
            /* ',' or ';' inside <...> */
        } else if (c == ',') {
            break;
        } else { /* ';' */
            const char *n = p + 1;
            while (n < e && sip_is_lws(*n))
                n++;
            /* The parameter's name is the token here: compared as it is
             * scanned, so another name stops at its first differing byte. */
            size_t i = 0;
            while (i < nlen && n + i < e && sip_is_token(n[i]) &&
                   snb_ascii_lower(n[i]) == snb_ascii_lower(name[i]))
                i++;
            if (i != nlen || (n + nlen < e && sip_is_token(n[nlen]))) continue;
            const char *ne = n + nlen;
            const char *v = ne;
            while (v < e && sip_is_lws(*v))
                v++;
            if (v >= e || *v != '=') return snb_str(ne, 0); /* present, no value */
            v++;
            while (v < e && sip_is_lws(*v))
                v++;
            const char *ve = v;
            if (unquote && ve < e && *ve == '"') {
                v++;
                ve = v;
                while (ve < e && *ve != '"')
                    ve++;
                return snb_str(v, (size_t)(ve - v));
            }
            ve = scan_either(ve, e, ';', ',');
            return sip_trim(v, ve);
        }
    }
    return SNB_STR_NULL;
}

snb_str_t sip_param_n(snb_str_t value, const char *name, size_t nlen)
{
    return param_find(value, name, nlen, false);
}

snb_str_t sip_param(snb_str_t value, const char *name)
{
    return param_find(value, name, strlen(name), false);
}

snb_str_t sip_param_unquoted(snb_str_t value, const char *name)
{
    return param_find(value, name, strlen(name), true);
}

/* user and host of a URI: scheme ":" [user[:password] "@"] host[:port] [;params][?headers] */
static void uri_split(snb_str_t uri, sip_nameaddr_t *out)
{
    const char *p = uri.p, *e = uri.p + uri.len;
    const char *colon = memchr(p, ':', uri.len);
    if (!colon) return;
    for (const char *s = p; s < colon; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '+' || *s == '-' ||
              *s == '.'))
            return; /* not a scheme */
    bool tel = (colon - p == 3) && ieq_n(p, "tel", 3);
    p = colon + 1;
    const char *stop = scan_either(p, e, ';', '?');
    if (tel) { /* tel:+1555... has no host; the number is the user */
        out->user = snb_str(p, (size_t)(stop - p));
        return;
    }
    const char *at = memchr(p, '@', (size_t)(stop - p));
    const char *h = p;
    if (at) {
        const char *ue = memchr(p, ':', (size_t)(at - p));
        out->user = snb_str(p, (size_t)((ue ? ue : at) - p));
        h = at + 1;
    }
    const char *he;
    if (h < stop && *h == '[') { /* IPv6 reference: host without brackets */
        const char *rb = memchr(h, ']', (size_t)(stop - h));
        if (rb) {
            out->host = snb_str(h + 1, (size_t)(rb - h - 1));
            return;
        }
    }
    he = memchr(h, ':', (size_t)(stop - h));
    out->host = snb_str(h, (size_t)((he ? he : stop) - h));
}

/* The tag= parameter of a From or To: param_find(s, "tag"), with the usual
 * case (";tag=" first, as nearly every UA writes it) taken without its
 * scan: param_find's first step would stop on that very ';', match the
 * name and return the same trimmed value up to the next ';' or ','. */
static snb_str_t tag_param(const char *s, const char *e)
{
    if (e - s > 4 && s[0] == ';' && (s[1] | 0x20) == 't' && (s[2] | 0x20) == 'a' &&
        (s[3] | 0x20) == 'g' && s[4] == '=') {
        const char *v = s + 5;
        while (v < e && sip_is_lws(*v))
            v++;
        return sip_trim(v, scan_either(v, e, ';', ','));
    }
    return param_find(snb_str(s, (size_t)(e - s)), "tag", 3, false);
}

void sip_parse_nameaddr(snb_str_t value, sip_nameaddr_t *out)
{
    memset(out, 0, sizeof *out);
    if (!value.p) return;
    snb_str_t v = sip_trim(value.p, value.p + value.len);
    const char *p = v.p, *e = v.p + v.len;
    const char *params;
    if (p < e && *p == '"') {
        const char *q = p + 1;
        for (;;) { /* to the closing quote; a backslash escapes the next byte */
            q = scan_either(q, e, '"', '\\');
            if (q >= e || *q == '"') break;
            if (q + 1 < e) q++;
            q++;
        }
        out->display = snb_str(p + 1, (size_t)(q - p - 1));
        p = q < e ? q + 1 : e;
    }
    const char *lt = memchr(p, '<', (size_t)(e - p));
    if (lt) {
        if (!out->display.p) {
            snb_str_t d = sip_trim(p, lt);
            out->display = d.len ? d : SNB_STR_NULL;
        }
        const char *gt = memchr(lt, '>', (size_t)(e - lt));
        const char *ue = gt ? gt : e;
        out->uri = sip_trim(lt + 1, ue);
        params = gt ? gt + 1 : e;
    } else {
        /* addr-spec: parameters after ';' belong to the header (RFC 3261 20.10) */
        while (p < e && sip_is_lws(*p))
            p++;
        const char *ue = p;
        while (ue < e && *ue != ';' && *ue != ',' && !sip_is_lws(*ue))
            ue++;
        out->uri = snb_str(p, (size_t)(ue - p));
        params = ue;
    }
    uri_split(out->uri, out);
    /* param_find wants the parameters to start with ';' */
    const char *s = scan_either(params, e, ';', ',');
    out->tag = tag_param(s, e);
}
