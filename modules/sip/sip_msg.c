/* SIP message parser: start line, header index, the key headers, body
 * delimitation. One pass over the header block (a line's end and its
 * control bytes found by the same scan); no allocation. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sip_msg_int.h"

static const char *const method_names[SIP_METHOD_COUNT] = {
    "UNKNOWN",   "INVITE", "ACK",     "BYE",  "CANCEL", "REGISTER", "OPTIONS", "PRACK",
    "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER",  "MESSAGE",  "UPDATE",
};

const char *sip_method_name(sip_method_t m)
{
    return (unsigned)m < SIP_METHOD_COUNT ? method_names[m] : method_names[0];
}

static const uint8_t method_lens[SIP_METHOD_COUNT] = {7, 6, 3, 3, 6, 8, 7, 5, 9, 6, 7, 4, 5, 7, 6};

sip_method_t sip_method_from(snb_str_t t)
{
    if (!t.p || t.len < 3 || t.len > 9) return SIP_METHOD_UNKNOWN;
    for (int i = 1; i < SIP_METHOD_COUNT; i++) {
        const char *n = method_names[i];
        if (n[0] == t.p[0] && method_lens[i] == t.len && memcmp(n, t.p, t.len) == 0)
            return (sip_method_t)i;
    }
    return SIP_METHOD_UNKNOWN;
}

static const char *const mal_reasons[] = {
    "missing Call-ID",
    "missing CSeq",
    "missing From",
    "missing To",
    "missing Via",
    "bad CSeq",
    "CSeq method differs from the request method",
    "bad Content-Length",
    "body shorter than Content-Length",
    "control bytes in headers",
    "bad start line",
    "too many headers",
    "header line too long",
    "no end of headers",
    "bad header line",
};

const char *sip_malformed_reason(uint32_t flags)
{
    for (unsigned i = 0; i < sizeof mal_reasons / sizeof mal_reasons[0]; i++)
        if (flags & (1u << i)) return mal_reasons[i];
    return "";
}

static inline __attribute__((always_inline)) bool ieq_prefix(const char *p, size_t n,
                                                             const char *lit)
{
    size_t l = strlen(lit);
    if (n < l) return false;
    for (size_t i = 0; i < l; i++)
        if (snb_ascii_lower(p[i]) != snb_ascii_lower(lit[i])) return false;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Start line [p, p+n) without its line end. Returns false when it is not
 * SIP at all; SIP-looking but broken lines set SIP_MAL_BAD_START_LINE. */
static bool parse_start_line(sip_msg_t *m, const char *p, size_t n)
{
    if (ieq_prefix(p, n, "SIP/2.0") && (n == 7 || p[7] == ' ')) {
        m->is_request = false;
        if (n >= 11 && p[7] == ' ' && is_digit(p[8]) && is_digit(p[9]) && is_digit(p[10]) &&
            (n == 11 || p[11] == ' ')) {
            m->status_code = (uint16_t)((p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0'));
            m->reason = n > 12 ? sip_trim(p + 12, p + n) : snb_str(p + n, 0);
            if (m->status_code < 100) m->malformed |= SIP_MAL_BAD_START_LINE;
        } else {
            m->malformed |= SIP_MAL_BAD_START_LINE;
        }
        return true;
    }
    size_t t = 0;
    while (t < n && sip_is_token(p[t]))
        t++;
    if (t == 0 || t >= n || p[t] != ' ') return false;
    snb_str_t method = snb_str(p, t);
    bool ends_with_ver = n >= t + 8 && ieq_prefix(p + n - 8, 8, " SIP/2.0");
    sip_method_t meth = sip_method_from(method);
    if (!ends_with_ver && meth == SIP_METHOD_UNKNOWN) return false;
    m->is_request = true;
    m->method = meth;
    m->method_name = method;
    const char *u = p + t + 1;
    const char *ue = memchr(u, ' ', n - t - 1);
    if (ends_with_ver && ue == p + n - 8 && ue > u) {
        m->request_uri = snb_str(u, (size_t)(ue - u));
        return true;
    }
    /* Known method with a broken remainder, or extra spaces */
    m->malformed |= SIP_MAL_BAD_START_LINE;
    const char *re = ends_with_ver ? p + n - 8 : (ue ? ue : p + n);
    m->request_uri = sip_trim(u, re > u ? re : u);
    return true;
}

/* Could [p, p+n) (no line end yet) still become a start line? For stream
 * input: decides INCOMPLETE versus NOT_SIP. */
static bool start_line_prefix(const char *p, size_t n)
{
    if (n > SIP_MAX_LINE) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && !(c == '\r' && i + 1 == n)) || c == 0x7f) return false;
    }
    static const char ver[] = "SIP/2.0 ";
    size_t k = n < 8 ? n : 8;
    bool ver_prefix = true;
    for (size_t i = 0; i < k; i++)
        if (snb_ascii_lower(p[i]) != snb_ascii_lower(ver[i])) ver_prefix = false;
    if (ver_prefix) return true;
    size_t t = 0;
    while (t < n && sip_is_token(p[t]))
        t++;
    return t == n || (t > 0 && p[t] == ' ');
}

static bool parse_u32(snb_str_t s, uint64_t limit, uint64_t *out)
{
    if (!s.len || s.len > 19) return false;
    uint64_t v = 0;
    for (uint32_t i = 0; i < s.len; i++) {
        if (!is_digit(s.p[i])) return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    if (v > limit) return false;
    *out = v;
    return true;
}

static void parse_cseq(sip_msg_t *m, snb_str_t v)
{
    const char *p = v.p, *e = v.p + v.len;
    const char *ne = p;
    while (ne < e && is_digit(*ne))
        ne++;
    uint64_t n = 0;
    bool ok = parse_u32(snb_str(p, (size_t)(ne - p)), 0x7fffffffu, &n);
    const char *mp = ne;
    while (mp < e && sip_is_lws(*mp))
        mp++;
    const char *me = mp;
    while (me < e && sip_is_token(*me))
        me++;
    if (!ok || mp == ne || me == mp || me != e) m->malformed |= SIP_MAL_BAD_CSEQ;
    if (ok) m->cseq = (uint32_t)n;
    if (me > mp) {
        m->cseq_method_name = snb_str(mp, (size_t)(me - mp));
        m->cseq_method = sip_method_from(m->cseq_method_name);
    }
}

static void parse_via(sip_msg_t *m, snb_str_t top)
{
    /* SIP / 2.0 / UDP SP sent-by *(; params) */
    const char *p = top.p, *e = top.p + top.len;
    int slashes = 0;
    while (p < e && slashes < 2) {
        if (*p == '/') slashes++;
        p++;
    }
    if (slashes < 2) return;
    while (p < e && sip_is_lws(*p))
        p++;
    const char *te = p;
    while (te < e && sip_is_token(*te))
        te++;
    m->via_transport = snb_str(p, (size_t)(te - p));
    p = te;
    while (p < e && sip_is_lws(*p))
        p++;
    const char *se = p;
    while (se < e && *se != ';' && *se != ',' && !sip_is_lws(*se))
        se++;
    m->via_sent_by = snb_str(p, (size_t)(se - p));
    m->via_branch = sip_param_n(top, "branch", 6);
}

typedef struct cur_hdr {
    const char *name, *v, *ve;
    uint32_t nlen;
    bool active;
} cur_hdr_t;

/* Case-insensitive match of a token (already checked to be token
 * characters) with a lower-case literal of letters and '-': for token bytes
 * c | 0x20 equals such a literal byte only for that letter in either case
 * or '-' itself. */
static inline __attribute__((always_inline)) bool tok_ieq(const char *n, const char *lit,
                                                          uint32_t len)
{
    /* Eight bytes at a time (the last eight overlapping): with a constant
     * len every memcpy below is one load, and GCC does not vectorise the
     * byte loop this replaces (it exits early). */
    const uint64_t lower = 0x2020202020202020ULL;
    uint64_t a, b;
    if (len < 8) {
        uint32_t k = len & 7; /* == len; says so to GCC's overflow check */
        uint64_t mask = 0;
        a = b = 0;
        memcpy(&a, n, k);
        memcpy(&b, lit, k);
        memcpy(&mask, &lower, k);
        return (a | mask) == b;
    }
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&a, n + i, 8);
        memcpy(&b, lit + i, 8);
        if ((a | lower) != b) return false;
    }
    if (i == len) return true;
    memcpy(&a, n + len - 8, 8);
    memcpy(&b, lit + len - 8, 8);
    return (a | lower) == b;
}

/* Classify a header name (a token) as sip_hdr_classify does, for every
 * header of every message: by length, then compares with constant literals
 * the compiler unrolls into a few word compares. check_sip_parse's
 * test_header_ids parses every known name and compact form. */
static sip_hdr_id_t key_header(const char *n, uint32_t len)
{
#define IS(lit) tok_ieq(n, lit, sizeof(lit) - 1)
    switch (len) {
    case 1: {
        char c = (char)(n[0] | 0x20);
        return c >= 'a' && c <= 'z' ? sip_hdr_compact_id(c) : SIP_H_OTHER;
    }
    case 2:
        return IS("to") ? SIP_H_TO : SIP_H_OTHER;
    case 3:
        return IS("via") ? SIP_H_VIA : SIP_H_OTHER;
    case 4:
        return IS("from") ? SIP_H_FROM : IS("cseq") ? SIP_H_CSEQ : SIP_H_OTHER;
    case 5:
        return IS("event") ? SIP_H_EVENT : SIP_H_OTHER;
    case 6:
        return IS("server") ? SIP_H_SERVER : SIP_H_OTHER;
    case 7:
        return IS("call-id")   ? SIP_H_CALL_ID
               : IS("contact") ? SIP_H_CONTACT
               : IS("subject") ? SIP_H_SUBJECT
                               : SIP_H_OTHER;
    case 8:
        return IS("refer-to") ? SIP_H_REFER_TO : IS("identity") ? SIP_H_IDENTITY : SIP_H_OTHER;
    case 9:
        return IS("supported") ? SIP_H_SUPPORTED : SIP_H_OTHER;
    case 10:
        return IS("user-agent") ? SIP_H_USER_AGENT : SIP_H_OTHER;
    case 11:
        return IS("referred-by") ? SIP_H_REFERRED_BY : SIP_H_OTHER;
    case 12:
        return IS("content-type")   ? SIP_H_CONTENT_TYPE
               : IS("allow-events") ? SIP_H_ALLOW_EVENTS
                                    : SIP_H_OTHER;
    case 14:
        return IS("content-length")   ? SIP_H_CONTENT_LENGTH
               : IS("accept-contact") ? SIP_H_ACCEPT_CONTACT
               : IS("reject-contact") ? SIP_H_REJECT_CONTACT
                                      : SIP_H_OTHER;
    case 15:
        return IS("session-expires") ? SIP_H_SESSION_EXPIRES : SIP_H_OTHER;
    case 16:
        return IS("content-encoding") ? SIP_H_CONTENT_ENCODING : SIP_H_OTHER;
    case 19:
        return IS("request-disposition") ? SIP_H_REQUEST_DISPOSITION : SIP_H_OTHER;
    default:
        return SIP_H_OTHER;
    }
#undef IS
}

static void finish_header(sip_msg_t *m, cur_hdr_t *c, bool *have_cl)
{
    if (!c->active) return;
    c->active = false;
    snb_str_t v = sip_trim(c->v, c->ve);
    if (!v.p) v = snb_str(c->v, 0);
    /* Every header is classified once here, so lookups compare ids. */
    sip_hdr_id_t id = key_header(c->name, c->nlen);
    bool indexed = m->n_headers < SIP_MAX_HEADERS;
    if (indexed) {
        sip_header_t *h = &m->headers[m->n_headers++];
        h->name = snb_str(c->name, c->nlen);
        h->value = v;
        h->id = (uint8_t)id;
    } else {
        m->malformed |= SIP_MAL_TOO_MANY_HEADERS;
    }
    switch (id) {
    case SIP_H_CALL_ID:
        if (!m->call_id.p && v.len) m->call_id = v;
        break;
    case SIP_H_FROM:
        if (!m->from.uri.p) sip_parse_nameaddr(v, &m->from);
        break;
    case SIP_H_TO:
        if (!m->to.uri.p) sip_parse_nameaddr(v, &m->to);
        break;
    case SIP_H_VIA: {
        snb_str_t first;
        unsigned n = sip_list_count(v, &first);
        if (m->via_count == 0 && n) parse_via(m, first);
        m->via_count = (uint16_t)(m->via_count + n > 0xffff ? 0xffff : m->via_count + n);
        break;
    }
    case SIP_H_CSEQ:
        if (!m->cseq_method_name.p && !(m->malformed & SIP_MAL_BAD_CSEQ)) parse_cseq(m, v);
        break;
    case SIP_H_CONTENT_LENGTH: {
        uint64_t n;
        if (!parse_u32(v, 0x7fffffffu, &n)) {
            m->malformed |= SIP_MAL_BAD_CONTENT_LENGTH;
        } else if (*have_cl && m->content_length != (int64_t)n) {
            m->malformed |= SIP_MAL_BAD_CONTENT_LENGTH;
        } else {
            m->content_length = (int64_t)n;
        }
        *have_cl = true;
        break;
    }
    case SIP_H_USER_AGENT:
        if (indexed && !m->user_agent.p) m->user_agent = v;
        break;
    case SIP_H_SERVER:
        if (indexed && !m->server.p) m->server = v;
        break;
    case SIP_H_CONTENT_TYPE:
        if (!m->content_type.p) {
            const char *se = memchr(v.p, ';', v.len);
            m->content_type = sip_trim(v.p, se ? se : v.p + v.len);
        }
        break;
    default:
        break;
    }
}

/* Control bytes other than HTAB (CR inside a line, NUL, DEL...). */
static bool has_ctl_bytes(const char *p, const char *e)
{
    unsigned bad = 0;
    for (; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        bad |= (unsigned)((c < 0x20) & (c != '\t')) | (unsigned)(c == 0x7f);
    }
    return bad != 0;
}

#if defined(__SSE2__)
/* 16 bytes at a time; a line of 16 bytes or more ends with one overlapping
 * load instead of a byte loop. */
static inline int ctl_mask16(const char *p)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i lt20 = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
    const __m128i tab = _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'));
    const __m128i del = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f));
    return _mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(tab, lt20), del));
}

static bool has_ctl(const char *p, const char *e, const char *readable_end)
{
    if (e - p < 16) { /* a short line: one load when the buffer goes on */
        if (readable_end - p < 16) return has_ctl_bytes(p, e);
        return (ctl_mask16(p) & ((1 << (e - p)) - 1)) != 0;
    }
    for (; e - p > 16; p += 16)
        if (ctl_mask16(p)) return true;
    return ctl_mask16(e - 16) != 0;
}
#else
/* Eight bytes at a time: a word with no byte below 0x20 and no DEL is
 * clean; a word with one (usually an HTAB) is checked byte by byte. The
 * word tests are exact as a yes/no (bit twiddling "has less than"). */
static bool has_ctl(const char *p, const char *e, const char *readable_end)
{
    (void)readable_end;
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    while (e - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t lt20 = (x - ones * 0x20) & ~x & highs;
        uint64_t d = x ^ (ones * 0x7f);
        uint64_t del = (d - ones) & ~d & highs;
        if ((lt20 | del) && has_ctl_bytes(p, p + 8)) return true;
        p += 8;
    }
    return has_ctl_bytes(p, e);
}
#endif

/* First control byte (below 0x20 but HTAB, or DEL) in [p, e), else e. The
 * header loop finds each line's end with it: the first control byte of a
 * clean line is its LF, or the CR of its CRLF. */
static inline const char *first_ctl(const char *p, const char *e)
{
#if defined(__SSE2__)
    while (e - p >= 16) {
        int m = ctl_mask16(p);
        if (m) return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
#endif
    for (; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t') || c == 0x7f) return p;
    }
    return e;
}

static void reset_msg(sip_msg_t *m)
{
    /* Everything before the header index; the index itself is filled up to
     * n_headers and never read beyond it. */
    memset(m, 0, offsetof(sip_msg_t, headers));
    m->content_length = -1;
    m->n_headers = 0;
}

sip_parse_result_t sip_msg_parse(const char *data, size_t len, unsigned flags, sip_msg_t *m,
                                 size_t *consumed)
{
    return sip_msg_parse_judged(data, len, flags, m, consumed, NULL);
}

sip_parse_result_t sip_msg_parse_judged(const char *data, size_t len, unsigned flags, sip_msg_t *m,
                                        size_t *consumed, const sip_start_line_t *sl)
{
    const bool stream = flags & SIP_PARSE_STREAM;
    reset_msg(m);
    *consumed = 0;
    if (len > 0xffffffffu) len = 0xffffffffu; /* slices are 32-bit */
    if (!data || len == 0) return stream ? SIP_PARSE_INCOMPLETE : SIP_PARSE_NOT_SIP;

    const char *end = data + len;
    const char *lf;
    if (sl && sl->at == data && sl->lf && sl->lf < end) {
        /* judge_start_line accepted this line: parse_start_line returned
         * true without SIP_MAL_BAD_START_LINE (the only flag it sets) and
         * has_ctl found nothing, over the same bytes as below. */
        lf = sl->lf;
        m->is_request = sl->is_request;
        if (sl->is_request) { /* the fields parse_start_line writes */
            m->method = sl->method;
            m->method_name = sl->method_name;
            m->request_uri = sl->request_uri;
        } else {
            m->status_code = sl->status_code;
            m->reason = sl->reason;
        }
        const char *sl_end = (lf > data && lf[-1] == '\r') ? lf - 1 : lf;
        if ((size_t)(sl_end - data) > SIP_MAX_LINE) m->malformed |= SIP_MAL_LINE_TOO_LONG;
    } else {
        lf = memchr(data, '\n', len);
        const char *le = lf ? lf : end;
        if (!lf && stream)
            return start_line_prefix(data, len) ? SIP_PARSE_INCOMPLETE : SIP_PARSE_NOT_SIP;
        const char *sl_end = (le > data && le[-1] == '\r') ? le - 1 : le;
        if (!parse_start_line(m, data, (size_t)(sl_end - data))) return SIP_PARSE_NOT_SIP;
        if (has_ctl(data, sl_end, end)) m->malformed |= SIP_MAL_CONTROL_BYTES;
        if ((size_t)(sl_end - data) > SIP_MAX_LINE) m->malformed |= SIP_MAL_LINE_TOO_LONG;
    }

    const char *p = lf ? lf + 1 : end;
    const char *hdr_end = NULL;
    cur_hdr_t cur = {0};
    bool have_cl = false;
    while (p < end) {
        /* One scan gives the line end and whether the line holds control
         * bytes: memchr for the LF and a control-byte pass only after an
         * unexpected one. */
        const char *q = first_ctl(p, end);
        const char *nl, *lend;
        bool ctl = false;
        if (q < end && *q == '\n') {
            nl = lend = q;
        } else if (end - q >= 2 && q[0] == '\r' && q[1] == '\n') {
            nl = q + 1;
            lend = q;
        } else {
            nl = q < end ? memchr(q, '\n', (size_t)(end - q)) : NULL;
            lend = nl ? nl : end;
            if (lend > p && lend[-1] == '\r') lend--;
            ctl = q < lend;
        }
        if (!nl && stream) return SIP_PARSE_INCOMPLETE;
        const char *next = nl ? nl + 1 : end;
        if (lend == p) {
            if (nl) {
                hdr_end = next;
                break;
            }
            p = next; /* a lone CR at the very end */
            continue;
        }
        if ((size_t)(lend - p) > SIP_MAX_LINE) m->malformed |= SIP_MAL_LINE_TOO_LONG;
        if (ctl) m->malformed |= SIP_MAL_CONTROL_BYTES;
        if (sip_is_ws(*p)) { /* folded continuation of the previous value */
            if (cur.active)
                cur.ve = lend;
            else
                m->malformed |= SIP_MAL_BAD_HEADER;
            p = next;
            continue;
        }
        finish_header(m, &cur, &have_cl);
        /* name: token characters, optional SP/HTAB, then ':' (the same
         * lines as "the first ':' with only token bytes and trailing
         * whitespace before it", in one scan) */
        const char *ne = p;
        while (ne < lend && sip_is_token(*ne))
            ne++;
        const char *colon = ne;
        while (colon < lend && sip_is_ws(*colon))
            colon++;
        bool good = ne > p && colon < lend && *colon == ':';
        if (!good) {
            m->malformed |= SIP_MAL_BAD_HEADER;
        } else {
            cur.active = true;
            cur.name = p;
            cur.nlen = (uint32_t)(ne - p);
            cur.v = colon + 1;
            cur.ve = lend;
        }
        p = next;
    }
    finish_header(m, &cur, &have_cl);

    if (!m->call_id.p) m->malformed |= SIP_MAL_NO_CALL_ID;
    if (!m->cseq_method_name.p && !(m->malformed & SIP_MAL_BAD_CSEQ))
        m->malformed |= SIP_MAL_NO_CSEQ;
    if (!m->from.uri.p) m->malformed |= SIP_MAL_NO_FROM;
    if (!m->to.uri.p) m->malformed |= SIP_MAL_NO_TO;
    if (m->via_count == 0) m->malformed |= SIP_MAL_NO_VIA;
    if (m->is_request && m->cseq_method_name.p && !snb_str_eq(m->cseq_method_name, m->method_name))
        m->malformed |= SIP_MAL_CSEQ_METHOD_MISMATCH;
    if (m->malformed & SIP_MAL_BAD_CONTENT_LENGTH) m->content_length = -1;

    size_t total;
    if (!hdr_end) {
        if (stream) return SIP_PARSE_INCOMPLETE;
        m->malformed |= SIP_MAL_NO_HEADER_END;
        m->body = snb_str(end, 0);
        total = len;
    } else {
        size_t hlen = (size_t)(hdr_end - data);
        size_t avail = len - hlen;
        if (m->content_length >= 0) {
            size_t cl = (size_t)m->content_length;
            if (cl <= avail) {
                m->body = snb_str(hdr_end, cl);
                total = hlen + cl;
            } else if (stream) {
                *consumed = hlen + cl; /* what the message needs in all */
                return SIP_PARSE_INCOMPLETE;
            } else {
                m->malformed |= SIP_MAL_BODY_TRUNCATED;
                m->body = snb_str(hdr_end, avail);
                total = len;
            }
        } else if (stream) {
            m->body = snb_str(hdr_end, 0); /* RFC 3261 18.3: absent means 0 on streams */
            total = hlen;
        } else {
            m->body = snb_str(hdr_end, avail);
            total = len;
        }
    }
    m->buf = data;
    m->len = (uint32_t)total;
    *consumed = total;
    return SIP_PARSE_OK;
}

/* Strict start-line test: a complete, well-formed request or status line,
 * or (no line end yet) a known method / status prefix that is. */
static bool judge_start_line(const char *data, size_t len, sip_start_line_t *sl)
{
    if (!data || len < 8) return false;
    size_t lim = len < SIP_MAX_LINE + 2 ? len : SIP_MAX_LINE + 2;
    const char *lf = memchr(data, '\n', lim);
    const char *le = lf ? lf : data + lim;
    if (le > data && le[-1] == '\r') le--;
    sip_msg_t tmp; /* only the start-line fields are written; only malformed is read */
    sip_msg_t *m = &tmp;
    m->malformed = 0;
    if (!parse_start_line(m, data, (size_t)(le - data))) return false;
    if (m->malformed & SIP_MAL_BAD_START_LINE) return false;
    if (has_ctl(data, le, data + len)) return false;
    if (sl) {
        /* tmp holds only what parse_start_line wrote for this kind of line */
        bool req = m->is_request;
        *sl = (sip_start_line_t){.at = data,
                                 .lf = lf,
                                 .is_request = req,
                                 .method = req ? m->method : SIP_METHOD_UNKNOWN,
                                 .method_name = req ? m->method_name : SNB_STR_NULL,
                                 .request_uri = req ? m->request_uri : SNB_STR_NULL,
                                 .status_code = req ? 0 : m->status_code,
                                 .reason = req ? SNB_STR_NULL : m->reason};
    }
    return true;
}

bool sip_looks_like_sip(const char *data, size_t len)
{
    return judge_start_line(data, len, NULL);
}

/* Offset of the first start line at or after a line boundary or after
 * non-token bytes (junk), found by locating "SIP/2.0"; len if none. */
size_t sip_find_start_line(const char *d, size_t len)
{
    return sip_find_start_line_judged(d, len, NULL);
}

size_t sip_find_start_line_judged(const char *d, size_t len, sip_start_line_t *sl)
{
    if (sl) sl->at = NULL;
    size_t from = 0;
    while (from + 7 <= len) {
        /* A status line starts with it: no search (memmem's first hit). */
        const char *s = from == 0 && memcmp(d, "SIP/2.0", 7) == 0
                            ? d
                            : memmem(d + from, len - from, "SIP/2.0", 7);
        if (!s) return len;
        size_t pos = (size_t)(s - d);
        from = pos + 1;
        if (pos + 11 <= len && s[7] == ' ' && is_digit(s[8]) && is_digit(s[9]) &&
            is_digit(s[10])) { /* whatever precedes it (binary length bytes too) */
            if (judge_start_line(s, len - pos, sl)) return pos;
            continue;
        }
        if (pos < 2 || d[pos - 1] != ' ' || pos + 7 >= len || (s[7] != '\r' && s[7] != '\n'))
            continue;
        size_t u = pos - 1; /* back over the Request-URI */
        while (u > 0 && (unsigned char)d[u - 1] > ' ' && (unsigned char)d[u - 1] < 0x7f)
            u--;
        if (u == pos - 1 || u == 0 || d[u - 1] != ' ') continue;
        size_t mstart = u - 1;
        while (mstart > 0 && sip_is_token(d[mstart - 1]))
            mstart--;
        if (mstart == u - 1) continue;
        snb_str_t tok = snb_str(d + mstart, u - 1 - mstart);
        if ((mstart == 0 || d[mstart - 1] != '\n') && sip_method_from(tok) == SIP_METHOD_UNKNOWN) {
            /* junk glued to a known method (binary length bytes that happen
             * to be token characters): prefer the method suffix */
            for (int i = 1; i < SIP_METHOD_COUNT; i++) {
                size_t ml = strlen(method_names[i]);
                if (ml < tok.len && memcmp(tok.p + tok.len - ml, method_names[i], ml) == 0) {
                    mstart = u - 1 - ml;
                    break;
                }
            }
        }
        if (judge_start_line(d + mstart, len - mstart, sl)) return mstart;
    }
    return len;
}

/* ---- compact copies (events kept beyond the parse) ---- */

size_t sip_msg_copy_size(const sip_msg_t *msg)
{
    return offsetof(sip_msg_t, headers) + (size_t)msg->n_headers * sizeof(sip_header_t);
}

static snb_str_t moved(snb_str_t s, const char *from, const char *to)
{
    return s.p ? snb_str(to + (s.p - from), s.len) : s;
}

static void move_nameaddr(sip_nameaddr_t *na, const char *from, const char *to)
{
    na->display = moved(na->display, from, to);
    na->uri = moved(na->uri, from, to);
    na->user = moved(na->user, from, to);
    na->host = moved(na->host, from, to);
    na->tag = moved(na->tag, from, to);
}

void sip_msg_copy(const sip_msg_t *msg, sip_msg_t *dst, const char *text)
{
    memcpy(dst, msg, sip_msg_copy_size(msg));
    const char *from = msg->buf;
    dst->buf = text;
    dst->method_name = moved(msg->method_name, from, text);
    dst->request_uri = moved(msg->request_uri, from, text);
    dst->reason = moved(msg->reason, from, text);
    dst->call_id = moved(msg->call_id, from, text);
    move_nameaddr(&dst->from, from, text);
    move_nameaddr(&dst->to, from, text);
    dst->cseq_method_name = moved(msg->cseq_method_name, from, text);
    dst->via_branch = moved(msg->via_branch, from, text);
    dst->via_sent_by = moved(msg->via_sent_by, from, text);
    dst->via_transport = moved(msg->via_transport, from, text);
    dst->content_type = moved(msg->content_type, from, text);
    dst->body = moved(msg->body, from, text);
    dst->user_agent = moved(msg->user_agent, from, text);
    dst->server = moved(msg->server, from, text);
    for (unsigned i = 0; i < msg->n_headers; i++) {
        dst->headers[i].name = moved(msg->headers[i].name, from, text);
        dst->headers[i].value = moved(msg->headers[i].value, from, text);
    }
}
