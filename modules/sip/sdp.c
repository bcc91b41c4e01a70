/* SDP parser: one pass over the lines, slices into the body, bounded by
 * SDP_MAX_MEDIA / SDP_MAX_FORMATS. Key material (a=crypto, a=fingerprint)
 * is only noticed, never kept. */
#include <stddef.h>
#include <string.h>

#include "sdp.h"

static const char *const dir_names[] = {"sendrecv", "sendrecv", "sendonly", "recvonly", "inactive"};

const char *sdp_direction_name(sdp_direction_t d)
{
    return (unsigned)d < sizeof dir_names / sizeof dir_names[0] ? dir_names[d] : dir_names[0];
}

typedef struct static_pt {
    const char *name;
    uint32_t clock;
} static_pt_t;

/* RFC 3551 tables 4 and 5 */
static const static_pt_t static_pts[35] = {
    [0] = {"PCMU", 8000},   [3] = {"GSM", 8000},    [4] = {"G723", 8000},   [5] = {"DVI4", 8000},
    [6] = {"DVI4", 16000},  [7] = {"LPC", 8000},    [8] = {"PCMA", 8000},   [9] = {"G722", 8000},
    [10] = {"L16", 44100},  [11] = {"L16", 44100},  [12] = {"QCELP", 8000}, [13] = {"CN", 8000},
    [14] = {"MPA", 90000},  [15] = {"G728", 8000},  [16] = {"DVI4", 11025}, [17] = {"DVI4", 22050},
    [18] = {"G729", 8000},  [25] = {"CelB", 90000}, [26] = {"JPEG", 90000}, [28] = {"nv", 90000},
    [31] = {"H261", 90000}, [32] = {"MPV", 90000},  [33] = {"MP2T", 90000}, [34] = {"H263", 90000},
};

snb_str_t sdp_format_name(const sdp_format_t *f)
{
    if (f->encoding.len) return f->encoding;
    if (f->pt < 35 && static_pts[f->pt].name)
        return snb_str(static_pts[f->pt].name, strlen(static_pts[f->pt].name));
    return snb_str("", 0);
}

uint32_t sdp_format_clock(const sdp_format_t *f)
{
    if (f->clock_rate) return f->clock_rate;
    if (f->pt < 35) return static_pts[f->pt].clock;
    return 0;
}

/* Cursor over the space-separated fields of a line. */
typedef struct fields {
    const char *p, *e;
} fields_t;

static snb_str_t next_field(fields_t *f, char sep)
{
    while (f->p < f->e && *f->p == sep)
        f->p++;
    const char *s = f->p;
    while (f->p < f->e && *f->p != sep)
        f->p++;
    return snb_str(s, (size_t)(f->p - s));
}

/* Leading decimal digits of s; false if none or over max. */
static bool to_u32(snb_str_t s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    uint32_t i = 0;
    for (; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > max) return false;
    }
    if (i == 0) return false;
    *out = (uint32_t)v;
    return true;
}

static bool all_digits(snb_str_t s)
{
    if (!s.len) return false;
    for (uint32_t i = 0; i < s.len; i++)
        if (s.p[i] < '0' || s.p[i] > '9') return false;
    return true;
}

/* "IN IP4 192.0.2.1/127" */
static void parse_conn(const char *p, const char *e, snb_str_t *addr, uint8_t *family)
{
    fields_t f = {p, e};
    snb_str_t net = next_field(&f, ' ');
    snb_str_t at = next_field(&f, ' ');
    snb_str_t a = next_field(&f, ' ');
    if (!snb_str_ieq(net, "IN") || !a.len) return;
    const char *slash = memchr(a.p, '/', a.len);
    if (slash) a.len = (uint32_t)(slash - a.p);
    if (snb_str_ieq(at, "IP4"))
        *family = 4;
    else if (snb_str_ieq(at, "IP6"))
        *family = 6;
    else
        return;
    *addr = a;
}

static sdp_format_t *find_format(sdp_media_t *m, uint32_t pt)
{
    for (unsigned i = 0; i < m->n_formats; i++)
        if (m->formats[i].pt == pt) return &m->formats[i];
    return NULL;
}

static void parse_media_line(sdp_t *s, sdp_media_t *m, const char *p, const char *e)
{
    fields_t f = {p, e};
    m->type = next_field(&f, ' ');
    snb_str_t port = next_field(&f, ' ');
    uint32_t v;
    const char *slash = memchr(port.p, '/', port.len);
    snb_str_t pnum = slash ? snb_str(port.p, (size_t)(slash - port.p)) : port;
    if (to_u32(pnum, 65535, &v)) m->port = (uint16_t)v;
    m->port_count = 1;
    if (slash && to_u32(snb_str(slash + 1, (size_t)(port.p + port.len - slash - 1)), 65535, &v) &&
        v > 0)
        m->port_count = (uint16_t)v;
    m->proto = next_field(&f, ' ');
    m->telephone_event_pt = -1;
    for (;;) {
        snb_str_t fmt = next_field(&f, ' ');
        if (!fmt.len) break;
        /* non-RTP formats (t38, webrtc-datachannel, *) are not payload types */
        if (!all_digits(fmt) || !to_u32(fmt, 127, &v)) continue;
        if (m->n_formats == SDP_MAX_FORMATS) {
            s->truncated = true;
            break;
        }
        sdp_format_t *fm = &m->formats[m->n_formats++];
        memset(fm, 0, sizeof *fm);
        fm->pt = (uint8_t)v;
        fm->channels = v == 10 ? 2 : 1; /* RFC 3551: 10 is L16 stereo */
    }
}

/* a=rtpmap:<pt> <enc>/<clock>[/<channels>] */
static void parse_rtpmap(sdp_media_t *m, const char *p, const char *e)
{
    fields_t f = {p, e};
    snb_str_t pt = next_field(&f, ' ');
    uint32_t v;
    if (!to_u32(pt, 127, &v)) return;
    sdp_format_t *fm = find_format(m, v);
    if (!fm) return;
    while (f.p < f.e && *f.p == ' ')
        f.p++;
    fields_t g = {f.p, f.e};
    snb_str_t enc = next_field(&g, '/');
    snb_str_t clock = next_field(&g, '/');
    snb_str_t ch = next_field(&g, '/');
    while (enc.len && (enc.p[enc.len - 1] == ' ' || enc.p[enc.len - 1] == '\t'))
        enc.len--;
    fm->encoding = enc;
    if (to_u32(clock, 0xffffffffu, &v)) fm->clock_rate = v;
    if (to_u32(ch, 255, &v) && v) fm->channels = (uint8_t)v;
    if (snb_str_ieq(enc, "telephone-event")) m->telephone_event_pt = fm->pt;
}

static bool attr_is(snb_str_t name, const char *lit)
{
    return snb_str_ieq(name, lit);
}

/* Which attribute names can match at all, by length: most a= lines are
 * rejected with one switch instead of a dozen compares. */
static bool attr_len_known(uint32_t len)
{
    switch (len) {
    case 4:  /* fmtp */
    case 5:  /* ptime label */
    case 6:  /* crypto rtpmap */
    case 8:  /* sendrecv sendonly recvonly inactive maxptime rtcp-mux */
    case 11: /* fingerprint */
        return true;
    default:
        return false;
    }
}

static void parse_attr(sdp_t *s, sdp_media_t *m, bool *sess_crypto, const char *p, const char *e)
{
    const char *colon = memchr(p, ':', (size_t)(e - p));
    snb_str_t name = snb_str(p, (size_t)((colon ? colon : e) - p));
    const char *v = colon ? colon + 1 : e;
    if (!attr_len_known(name.len)) return;
    sdp_direction_t dir = SDP_DIR_NONE;
    if (attr_is(name, "sendrecv"))
        dir = SDP_DIR_SENDRECV;
    else if (attr_is(name, "sendonly"))
        dir = SDP_DIR_SENDONLY;
    else if (attr_is(name, "recvonly"))
        dir = SDP_DIR_RECVONLY;
    else if (attr_is(name, "inactive"))
        dir = SDP_DIR_INACTIVE;
    if (dir != SDP_DIR_NONE) {
        if (m)
            m->direction = dir;
        else
            s->direction = dir;
        return;
    }
    if (attr_is(name, "crypto") || attr_is(name, "fingerprint")) {
        if (m)
            m->has_crypto = true;
        else
            *sess_crypto = true; /* session-level fingerprint covers every m= */
        return;
    }
    if (!m) return; /* the rest are media-level attributes */
    uint32_t n;
    if (attr_is(name, "rtpmap")) {
        parse_rtpmap(m, v, e);
    } else if (attr_is(name, "fmtp")) {
        fields_t f = {v, e};
        snb_str_t pt = next_field(&f, ' ');
        sdp_format_t *fm = to_u32(pt, 127, &n) ? find_format(m, n) : NULL;
        while (f.p < f.e && *f.p == ' ')
            f.p++;
        if (fm) fm->fmtp = snb_str(f.p, (size_t)(f.e - f.p));
    } else if (attr_is(name, "ptime")) {
        if (to_u32(snb_str(v, (size_t)(e - v)), 100000, &n)) m->ptime = n;
    } else if (attr_is(name, "maxptime")) {
        if (to_u32(snb_str(v, (size_t)(e - v)), 100000, &n)) m->maxptime = n;
    } else if (attr_is(name, "label")) {
        m->label = snb_str(v, (size_t)(e - v));
    } else if (attr_is(name, "rtcp-mux")) {
        m->rtcp_mux = true;
    }
}

static int sdp_parse_text(const char *data, size_t len, sdp_t *out)
{
    /* Only what is used is cleared: the session fields here, each media
     * section when its m= line comes, each format when it is added (readers
     * stop at n_media / n_formats). Clearing all of sdp_t (7 KB) cost more
     * than the parse. */
    memset(out, 0, offsetof(sdp_t, media));
    out->truncated = false;
    if (!data) return -1;
    const char *p = data, *end = data + len;
    bool seen_v = false, skip_media = false, sess_crypto = false;
    sdp_media_t *m = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r') le--;
        if (le - p < 2 || p[1] != '=') { /* blank or not "x=": skipped */
            if (!seen_v && le > p) return -1;
            p = next;
            continue;
        }
        char t = p[0];
        const char *v = p + 2;
        if (!seen_v) {
            if (t != 'v') return -1;
            seen_v = true;
            p = next;
            continue;
        }
        if (t == 'm') {
            if (out->n_media == SDP_MAX_MEDIA) {
                out->truncated = true;
                skip_media = true;
                m = NULL;
            } else {
                skip_media = false;
                m = &out->media[out->n_media++];
                memset(m, 0, offsetof(sdp_media_t, formats));
                parse_media_line(out, m, v, le);
            }
        } else if (skip_media) {
            /* attributes of a media section over the limit */
        } else if (t == 'c') {
            if (m)
                parse_conn(v, le, &m->conn_addr, &m->conn_family);
            else
                parse_conn(v, le, &out->conn_addr, &out->conn_family);
        } else if (t == 'a') {
            parse_attr(out, m, &sess_crypto, v, le);
        } else if (t == 'o' && !m) {
            fields_t f = {v, le};
            out->origin_user = next_field(&f, ' ');
            out->origin_session_id = next_field(&f, ' ');
            out->origin_version = next_field(&f, ' ');
            next_field(&f, ' '); /* nettype */
            next_field(&f, ' '); /* addrtype */
            out->origin_addr = next_field(&f, ' ');
        } else if (t == 's' && !m) {
            out->session_name = snb_str(v, (size_t)(le - v));
        }
        p = next;
    }
    if (!seen_v) return -1;
    for (unsigned i = 0; i < out->n_media; i++) {
        sdp_media_t *md = &out->media[i];
        if (!md->conn_addr.p) {
            md->conn_addr = out->conn_addr;
            md->conn_family = out->conn_family;
        }
        if (md->direction == SDP_DIR_NONE) md->direction = out->direction;
        if (sess_crypto) md->has_crypto = true;
    }
    return 0;
}

/* What a parse wrote and readers read: the session fields, the media
 * sections up to n_media and their formats up to n_formats. */
static void sdp_copy_used(sdp_t *dst, const sdp_t *src)
{
    memcpy(dst, src, offsetof(sdp_t, media));
    dst->truncated = src->truncated;
    for (unsigned i = 0; i < src->n_media; i++)
        memcpy(&dst->media[i], &src->media[i],
               offsetof(sdp_media_t, formats) +
                   (size_t)src->media[i].n_formats * sizeof(sdp_format_t));
}

/* The SIP module reads one message's SDP twice (the dialog's media, then
 * the message event): a second call with the same bytes at the same address
 * copies the first result instead of parsing again. The key is the address,
 * the length and the bytes themselves (kept here), so a buffer reused for
 * other text never hits, and the slices of the copy are exactly those a
 * parse would give. Per thread; bodies over SDP_MEMO_MAX are not kept. */
#define SDP_MEMO_MAX 2048

static _Thread_local struct sdp_memo {
    const char *data;
    size_t len;
    int rc;
    char text[SDP_MEMO_MAX];
    sdp_t sdp;
} memo;

int sdp_parse(const char *data, size_t len, sdp_t *out)
{
    struct sdp_memo *mm = &memo;
    bool keep = data && len <= SDP_MEMO_MAX;
    if (keep && mm->data == data && mm->len == len && memcmp(mm->text, data, len) == 0) {
        sdp_copy_used(out, &mm->sdp);
        return mm->rc;
    }
    int rc = sdp_parse_text(data, len, out);
    if (keep) {
        mm->data = data;
        mm->len = len;
        mm->rc = rc;
        memcpy(mm->text, data, len);
        sdp_copy_used(&mm->sdp, out);
    }
    return rc;
}
