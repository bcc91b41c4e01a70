/* The dialog state machine: states, timing, the SDP timeline and the
 * message summaries of one Call-ID. Driven only by parsed messages and their
 * capture timestamps; the store (sip_store.c) owns the dialogs. The rules are
 * documented, with a table, in docs/modules/sip-dialogs.md. */
#include "sip_dialog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sipnab/format.h"

static const char *const state_names[SIP_DS_COUNT] = {
    [SIP_DS_TRYING] = "Trying",         [SIP_DS_RINGING] = "Ringing",
    [SIP_DS_INCALL] = "InCall",         [SIP_DS_COMPLETED] = "Completed",
    [SIP_DS_FAILED] = "Failed",         [SIP_DS_CANCELLED] = "Cancelled",
    [SIP_DS_REGISTERED] = "Registered", [SIP_DS_EXPIRED] = "Expired",
    [SIP_DS_PENDING] = "Pending",       [SIP_DS_ACTIVE] = "Active",
    [SIP_DS_TERMINATED] = "Terminated", [SIP_DS_TRANSFERRING] = "Transferring",
};

const char *sip_dialog_state_name(sip_dialog_state_t s)
{
    return (unsigned)s < SIP_DS_COUNT ? state_names[s] : "Unknown";
}

int sip_dialog_state_from(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < SIP_DS_COUNT; i++)
        if (snb_str_ieq(snb_str(name, strlen(name)), state_names[i])) return i;
    return -1;
}

const char *sip_transport_name(sip_transport_t t)
{
    switch (t) {
    case SIP_TRANSPORT_UDP:
        return "UDP";
    case SIP_TRANSPORT_TCP:
        return "TCP";
    case SIP_TRANSPORT_SCTP:
        return "SCTP";
    case SIP_TRANSPORT_WS:
        return "WS";
    case SIP_TRANSPORT_TLS:
        return "TLS";
    }
    return "UDP";
}

/* ---- small helpers ---------------------------------------------------- */

static uint64_t str_hash(snb_str_t s)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < s.len; i++) {
        h ^= (unsigned char)s.p[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1; /* 0 means "none" */
}

/* Leading decimal digits (after blanks); -1 if none. Capped, never overflows. */
static int64_t parse_num(snb_str_t s)
{
    uint32_t i = 0;
    while (i < s.len && (s.p[i] == ' ' || s.p[i] == '\t'))
        i++;
    if (i >= s.len || s.p[i] < '0' || s.p[i] > '9') return -1;
    int64_t v = 0;
    for (; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++)
        if (v < 100000000000ll) v = v * 10 + (s.p[i] - '0');
    return v;
}

/* The token of a header value before its parameters: "refer;id=3" -> "refer". */
static snb_str_t first_token(snb_str_t v)
{
    uint32_t b = 0, e;
    while (b < v.len && (v.p[b] == ' ' || v.p[b] == '\t'))
        b++;
    e = b;
    while (e < v.len && v.p[e] != ';' && v.p[e] != ' ' && v.p[e] != '\t' && v.p[e] != ',')
        e++;
    return snb_str(v.p ? v.p + b : NULL, e - b);
}

static void copy_str(char *dst, size_t size, snb_str_t s)
{
    if (s.p)
        snb_str_copy(s, dst, size);
    else
        dst[0] = '\0';
}

/* "<code> <reason>", cut to fit: what snprintf("%u %.*s") wrote, without
 * its cost on every response. */
static void response_label(char *out, size_t size, unsigned code, snb_str_t reason)
{
    char digits[12], *end = digits + sizeof digits;
    size_t at = 0;
    for (const char *p = snb_format_uint(code, end); p < end && at + 1 < size; p++)
        out[at++] = *p;
    if (at + 1 < size) out[at++] = ' ';
    size_t n = reason.p ? reason.len : 0;
    if (n > size - 1 - at) n = size - 1 - at;
    /* %.*s stops at a NUL inside the reason */
    const char *nul = n ? memchr(reason.p, '\0', n) : NULL;
    if (nul) n = (size_t)(nul - reason.p);
    if (n) memcpy(out + at, reason.p, n);
    out[at + n] = '\0';
}

/* Both parties from a request's From and To (or a response's), and the To
 * tag given. */
static void set_parties(sip_dialog_t *d, const sip_msg_t *msg, snb_str_t to_tag)
{
    snb_str_t v[SIP_DN_COUNT] = {
        [SIP_DN_FROM_USER] = msg->from.user,       [SIP_DN_TO_USER] = msg->to.user,
        [SIP_DN_FROM_DISPLAY] = msg->from.display, [SIP_DN_TO_DISPLAY] = msg->to.display,
        [SIP_DN_FROM_TAG] = msg->from.tag,         [SIP_DN_TO_TAG] = to_tag,
    };
    sip_names_set(&d->names, ~(1u << SIP_DN_UA), v);
}

/* The user agent, folded lines joined as the header reads. */
static void set_ua(sip_dialog_t *d, snb_str_t header)
{
    char buf[SIP_DN_UA_MAX + 1];
    sip_msg_header_unfold(header, buf, sizeof buf);
    sip_names_set_one(&d->names, SIP_DN_UA, snb_str(buf, strlen(buf)));
}

static bool tag_eq(snb_str_t t, const char *tag)
{
    size_t n = strlen(tag);
    return n && t.len == n && memcmp(t.p, tag, n) == 0;
}

static bool is_finished_state(uint8_t s)
{
    return s == SIP_DS_COMPLETED || s == SIP_DS_FAILED || s == SIP_DS_CANCELLED ||
           s == SIP_DS_EXPIRED || s == SIP_DS_TERMINATED;
}

static bool addr_eq(const snb_addr_t *a, const snb_addr_t *b)
{
    return a->family == b->family && memcmp(a->a, b->a, a->family == 6 ? 16 : 4) == 0;
}

/* Was the message sent by the side that sent the initial request? Tags
 * first (they survive NAT and proxies), addresses as a fallback. */
static bool sent_by_caller(const sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    if (sip_dialog_from_tag(d)[0] && msg->from.tag.len) {
        bool caller_from = tag_eq(msg->from.tag, sip_dialog_from_tag(d));
        return msg->is_request ? caller_from : !caller_from;
    }
    return addr_eq(&meta->src, &d->src) && meta->sport == d->sport;
}

static int64_t elapsed(uint64_t later, uint64_t earlier)
{
    return earlier && later >= earlier ? (int64_t)(later - earlier) : -1;
}

/* ---- init / release --------------------------------------------------- */

void sip_dialog_init(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    d->method = (uint8_t)(msg->is_request ? msg->method : msg->cseq_method);
    d->state = d->prev_state = SIP_DS_TRYING;
    d->timing.pdd_us = d->timing.setup_us = d->timing.ring_us = -1;
    d->timing.trying_delay_us = d->timing.teardown_us = -1;
    d->first_us = d->last_us = meta->ts_us;
    if (msg->is_request) {
        d->src = meta->src;
        d->dst = meta->dst;
        d->sport = meta->sport;
        d->dport = meta->dport;
    } else { /* capture started after the request: the requester is the receiver */
        d->src = meta->dst;
        d->dst = meta->src;
        d->sport = meta->dport;
        d->dport = meta->sport;
    }
    d->transport = meta->transport;
    set_parties(d, msg, msg->to.tag);
    p->init_cseq = msg->cseq;
    p->req_expires = -1;
}

void sip_dialog_release(sip_dialog_t *d)
{
    free(d->msgs);
    free(d->sdp);
    free(d->refer_to);
    free(d->refer_replaces);
    free(d->text);
    sip_field_arena_free(&d->fields);
    sip_names_free(&d->names);
    d->msgs = NULL;
    d->sdp = NULL;
    d->refer_to = NULL;
    d->refer_replaces = NULL;
    d->text = NULL;
    d->n_msgs = d->cap_msgs = d->n_sdp = d->cap_sdp = 0;
    d->text_len = d->text_cap = 0;
    if (d->engine) sip_resend_free(&sip_dialog_priv(d)->rt);
}

size_t sip_dialog_owned_bytes(const sip_dialog_t *d)
{
    size_t n = (size_t)d->cap_msgs * sizeof *d->msgs + (size_t)d->cap_sdp * sizeof *d->sdp +
               d->text_cap + d->fields.cap;
    if (d->refer_to) n += strlen(d->refer_to) + 1;
    if (d->refer_replaces) n += strlen(d->refer_replaces) + 1;
    if (d->engine) n += sip_resend_bytes(&sip_dialog_priv(d)->rt);
    return n;
}

/* ---- message summaries ----------------------------------------------- */

static void keep_summary(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta,
                         bool retransmit, bool has_sdp, uint32_t max)
{
    if (d->n_msgs >= max) return;
    if (d->n_msgs == d->cap_msgs) {
        /* 2, 4, 8, then half again: an OPTIONS or REGISTER dialog keeps 2
         * to 4 messages, a call about 10; each slot is 168 bytes. */
        uint32_t cap = d->cap_msgs < 2   ? 2
                       : d->cap_msgs < 8 ? d->cap_msgs * 2
                                         : d->cap_msgs / 2 * 3;
        if (cap > max) cap = max;
        sip_msg_summary_t *nm = realloc(d->msgs, cap * sizeof *nm);
        if (!nm) return;
        d->msgs = nm;
        d->cap_msgs = cap;
    }
    sip_msg_summary_t *s = &d->msgs[d->n_msgs++];
    memset(s, 0, sizeof *s);
    s->ts_us = meta->ts_us;
    s->src = meta->src;
    s->dst = meta->dst;
    s->sport = meta->sport;
    s->dport = meta->dport;
    s->transport = meta->transport;
    s->is_request = msg->is_request;
    s->retransmit = retransmit;
    s->has_sdp = has_sdp;
    s->method = (uint8_t)(msg->is_request ? msg->method : SIP_METHOD_UNKNOWN);
    s->cseq_method = (uint8_t)msg->cseq_method;
    s->status = msg->is_request ? 0 : msg->status_code;
    s->cseq = msg->cseq;
    s->malformed = msg->malformed;
    s->size = msg->len;
    if (msg->is_request)
        copy_str(s->label, sizeof s->label, msg->method_name);
    else
        response_label(s->label, sizeof s->label, msg->status_code, msg->reason);
    s->sdp_present = sip_msg_sdp(msg).p != NULL;
    sip_msg_fields_t f;
    sip_msg_fields_of(msg, &f);
    const sip_msg_summary_t *prev = d->n_msgs > 1 ? &d->msgs[d->n_msgs - 2] : NULL;
    s->fields_kept =
        sip_fields_keep(&d->fields, prev && prev->fields_kept ? prev->fields : NULL, &f, s->fields);
}

/* ---- SDP timeline ----------------------------------------------------- */

static bool entry_held(const sip_sdp_entry_t *e)
{
    return e->mode == SDP_DIR_SENDONLY || e->mode == SDP_DIR_RECVONLY ||
           e->mode == SDP_DIR_INACTIVE || strcmp(e->media_addr, "0.0.0.0") == 0 ||
           strcmp(e->media_addr, "::") == 0;
}

static bool entry_t38(const sip_sdp_entry_t *e)
{
    return e->n_codecs == 1 && strcmp(e->codecs[0], "t38") == 0;
}

static bool hold_addr(const char *a)
{
    return !strcmp(a, "0.0.0.0") || !strcmp(a, "::");
}

/* Fill e from the SDP; false when the body is not SDP. */
static bool sdp_fill(const snb_str_t body, sip_sdp_entry_t *e)
{
    sdp_t sdp;
    if (sdp_parse(body.p, body.len, &sdp) != 0) return false;
    int audio = -1, audio_live = -1, image = -1;
    for (int i = 0; i < sdp.n_media; i++) {
        const sdp_media_t *m = &sdp.media[i];
        if (snb_str_ieq(m->type, "audio")) {
            if (audio < 0) audio = i;
            if (m->port && audio_live < 0) audio_live = i;
        } else if (snb_str_ieq(m->type, "image") && m->port && image < 0) {
            image = i;
        }
    }
    /* T.38 switch: the fax stream is live and no audio stream is */
    int pick = (image >= 0 && audio_live < 0) ? image
               : audio_live >= 0              ? audio_live
               : audio >= 0                   ? audio
               : sdp.n_media                  ? 0
                                              : -1;
    sdp_direction_t dir = sdp.direction;
    snb_str_t addr = sdp.conn_addr;
    uint8_t fam = sdp.conn_family;
    if (pick >= 0) {
        const sdp_media_t *m = &sdp.media[pick];
        dir = m->direction;
        addr = m->conn_addr;
        fam = m->conn_family;
        e->media_port = m->port;
        if (pick == image) {
            e->n_codecs = 1;
            snprintf(e->codecs[0], sizeof e->codecs[0], "t38");
        } else {
            for (uint8_t i = 0; i < m->n_formats && e->n_codecs < SIP_SDP_MAX_CODECS; i++) {
                const sdp_format_t *f = &m->formats[i];
                snb_str_t name = sdp_format_name(f);
                char *c = e->codecs[e->n_codecs];
                if (name.len)
                    snb_str_copy(name, c, sizeof e->codecs[0]);
                else
                    snprintf(c, sizeof e->codecs[0], "%u", (unsigned)f->pt);
                e->payload_types[e->n_codecs++] = f->pt;
            }
        }
    }
    e->mode = (uint8_t)(dir == SDP_DIR_NONE ? SDP_DIR_SENDRECV : dir);
    e->media_family = fam;
    copy_str(e->media_addr, sizeof e->media_addr, addr);
    for (int i = 0; i < sdp.n_media; i++)
        if (sdp.media[i].has_crypto) e->has_crypto = true;
    return true;
}

static uint32_t sdp_changes(const sip_dialog_t *d, const sip_sdp_entry_t *e)
{
    const sip_sdp_entry_t *same = NULL, *prev = d->n_sdp ? &d->sdp[d->n_sdp - 1] : NULL;
    for (uint32_t i = d->n_sdp; i-- > 0;)
        if (d->sdp[i].from_caller == e->from_caller) {
            same = &d->sdp[i];
            break;
        }
    uint32_t c = 0;
    /* hold/resume, codec and address: against the same side's last SDP */
    if (same) {
        bool h = entry_held(e), hs = entry_held(same);
        if (h && !hs) c |= SIP_SDP_HOLD;
        if (!h && hs) c |= SIP_SDP_RESUME;
        if (e->n_codecs != same->n_codecs ||
            (e->n_codecs && strcmp(e->codecs[0], same->codecs[0]) != 0))
            c |= SIP_SDP_CODEC_CHANGE;
        if (!hold_addr(e->media_addr) && !hold_addr(same->media_addr) &&
            (e->media_port != same->media_port || strcmp(e->media_addr, same->media_addr) != 0))
            c |= SIP_SDP_ADDR_CHANGE;
    }
    /* T.38: the session switched, whoever sent the previous SDP */
    if (prev && entry_t38(e) && !entry_t38(prev)) c |= SIP_SDP_T38;
    return c;
}

static void add_sdp(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta,
                    snb_str_t body, const sip_store_limits_t *lim)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    sip_sdp_entry_t e;
    memset(&e, 0, sizeof e);
    if (!sdp_fill(body, &e)) return;
    /* offer or answer (RFC 3264): a request offers unless it answers a
     * late offer (ACK/PRACK after an SDP-carrying response); a response
     * answers the request that carried SDP, else it is the late offer */
    if (msg->is_request) {
        if ((msg->method == SIP_ACK || msg->method == SIP_PRACK) && p->late_offer) {
            e.offer = false;
            p->late_offer = false;
        } else {
            e.offer = true;
            p->req_sdp = true;
            p->req_sdp_cseq = msg->cseq;
            p->req_sdp_method = (uint8_t)msg->method;
        }
    } else if (p->req_sdp && p->req_sdp_cseq == msg->cseq &&
               p->req_sdp_method == (uint8_t)msg->cseq_method) {
        e.offer = false;
    } else {
        e.offer = true;
        p->late_offer = true;
    }
    e.ts_us = meta->ts_us;
    e.cseq = msg->cseq;
    e.from_caller = sent_by_caller(d, msg, meta);
    if (d->n_sdp >= lim->max_sdp) {
        p->sdp_dropped++;
        return;
    }
    e.changes = sdp_changes(d, &e);
    if (d->n_sdp == d->cap_sdp) {
        uint32_t cap = d->cap_sdp ? d->cap_sdp * 2 : 2;
        if (cap > lim->max_sdp) cap = lim->max_sdp;
        sip_sdp_entry_t *ns = realloc(d->sdp, cap * sizeof *ns);
        if (!ns) return;
        d->sdp = ns;
        d->cap_sdp = cap;
    }
    d->sdp[d->n_sdp++] = e;
}

/* ---- header readings -------------------------------------------------- */

static snb_str_t hdr(const sip_msg_t *m, const char *name)
{
    return sip_msg_header(m, name, 0);
}

/* Expiry a REGISTER/SUBSCRIBE asks for: first Contact's ;expires=, else
 * Expires; -1 if neither. Also the first Contact's URI hash. */
static int64_t request_expiry(const sip_msg_t *m, uint64_t *contact_hash)
{
    int64_t v = -1;
    *contact_hash = 0;
    snb_str_t c = sip_msg_header(m, "Contact", 0);
    if (c.p) {
        sip_nameaddr_t na;
        sip_parse_nameaddr(c, &na);
        *contact_hash = str_hash(na.uri.len ? na.uri : first_token(c));
        v = parse_num(sip_param(c, "expires"));
    }
    if (v < 0) v = parse_num(hdr(m, "Expires"));
    return v;
}

/* Expiry granted by a 2xx to REGISTER: the binding of the request's Contact
 * (the registrar lists every binding of the AOR), else 0 if the request
 * removed it, else the first Contact's or the Expires header, else what the
 * request asked, else RFC 3261's default of 3600 s. */
static int64_t granted_expiry(const sip_msg_t *m, const sip_dialog_priv_t *p)
{
    unsigned n = sip_msg_header_count(m, "Contact");
    for (unsigned i = 0; p->contact_hash && i < n && i < 64; i++) {
        snb_str_t c = sip_msg_header(m, "Contact", i);
        sip_nameaddr_t na;
        sip_parse_nameaddr(c, &na);
        if (str_hash(na.uri.len ? na.uri : first_token(c)) == p->contact_hash) {
            int64_t v = parse_num(sip_param(c, "expires"));
            if (v >= 0) return v;
            break;
        }
    }
    if (p->req_expires == 0) return 0;
    if (!p->contact_hash && n) {
        int64_t v = parse_num(sip_param(sip_msg_header(m, "Contact", 0), "expires"));
        if (v >= 0) return v;
    }
    int64_t v = parse_num(hdr(m, "Expires"));
    if (v >= 0) return v;
    return p->req_expires >= 0 ? p->req_expires : 3600;
}

/* message/sipfrag status of a NOTIFY for REFER ("SIP/2.0 200 OK"); 0 if none. */
static unsigned sipfrag_status(const sip_msg_t *m)
{
    snb_str_t b = m->body;
    if (!b.p || b.len < 11 || memcmp(b.p, "SIP/2.0 ", 8) != 0) return 0;
    int64_t v = parse_num(snb_str(b.p + 8, 3));
    return v >= 100 && v <= 699 ? (unsigned)v : 0;
}

static bool event_is_refer(const sip_msg_t *m)
{
    return snb_str_ieq(first_token(hdr(m, "Event")), "refer");
}

/* Subscription-State: the state it moves a subscription to, or -1. */
static int subscription_state(const sip_msg_t *m)
{
    snb_str_t t = first_token(hdr(m, "Subscription-State"));
    if (snb_str_ieq(t, "active")) return SIP_DS_ACTIVE;
    if (snb_str_ieq(t, "pending")) return SIP_DS_PENDING;
    if (snb_str_ieq(t, "terminated")) return SIP_DS_TERMINATED;
    return -1;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The value of the Replaces header in a URI's ?headers (RFC 3891 section
 * 6.1: "?Replaces=call-id%3Bto-tag%3Dx%3Bfrom-tag%3Dy"), %-decoded into a
 * new string; NULL if there is none. */
static char *uri_replaces(snb_str_t headers)
{
    static const char name[] = "replaces=";
    const size_t nlen = sizeof name - 1;
    for (uint32_t i = 0; i < headers.len;) {
        uint32_t end = i;
        while (end < headers.len && headers.p[end] != '&')
            end++;
        if (end - i >= nlen && strncasecmp(headers.p + i, name, nlen) == 0) {
            char *out = malloc(end - i - nlen + 1);
            if (!out) return NULL;
            size_t n = 0;
            for (uint32_t k = i + (uint32_t)nlen; k < end; k++) {
                int hi, lo;
                if (headers.p[k] == '%' && k + 2 < end && (hi = hex_digit(headers.p[k + 1])) >= 0 &&
                    (lo = hex_digit(headers.p[k + 2])) >= 0) {
                    out[n++] = (char)(hi << 4 | lo);
                    k += 2;
                } else {
                    out[n++] = headers.p[k];
                }
            }
            out[n] = '\0';
            return out;
        }
        i = end + 1;
    }
    return NULL;
}

/* refer_to: the Refer-To URI without display name, angle brackets or
 * ?headers; refer_replaces: its Replaces header, decoded (attended
 * transfer). */
static void set_refer_to(sip_dialog_t *d, const sip_msg_t *m)
{
    snb_str_t r = hdr(m, "Refer-To");
    if (!r.p) return;
    char buf[512];
    sip_msg_header_unfold(r, buf, sizeof buf);
    sip_nameaddr_t na;
    sip_parse_nameaddr(snb_str(buf, strlen(buf)), &na);
    snb_str_t uri = na.uri.len ? na.uri : snb_str(buf, strlen(buf));
    const char *q = memchr(uri.p, '?', uri.len);
    snb_str_t headers = q ? snb_str(q + 1, (uint32_t)(uri.p + uri.len - q - 1)) : snb_str(NULL, 0);
    if (q) uri.len = (uint32_t)(q - uri.p);
    char *copy = strndup(uri.p, uri.len);
    if (!copy) return;
    free(d->refer_to);
    d->refer_to = copy;
    free(d->refer_replaces);
    d->refer_replaces = uri_replaces(headers);
}

/* A new attempt of the creating request (after a challenge or failure). */
static void new_attempt(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    p->init_cseq = msg->cseq;
    p->invite_us = meta->ts_us;
    p->ring_us = 0;
    p->challenged = false;
    p->cancel_seen = false;
    d->timing.pdd_us = d->timing.setup_us = d->timing.ring_us = -1;
    d->timing.trying_delay_us = -1;
    d->final_code = 0;
    d->ended_us = 0;
    d->state = SIP_DS_TRYING;
}

static void fail(sip_dialog_t *d, uint16_t code, uint64_t ts, uint8_t state)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    p->challenged = code == 401 || code == 407;
    /* A call that fails before any 18x: its post-dial delay runs to the
     * failure (RFC 6076 SRD of a failed setup), as the REST spec's own
     * example of a Failed dialog shows. Not for a CANCEL (487). */
    if (d->method == SIP_INVITE && state == SIP_DS_FAILED && d->timing.pdd_us < 0 && p->invite_us)
        d->timing.pdd_us = elapsed(ts, p->invite_us);
    d->final_code = code;
    d->state = state;
    d->ended_us = ts;
}

/* ---- INVITE dialogs ----------------------------------------------------- */

static void leave_transfer(sip_dialog_t *d)
{
    if (d->state == SIP_DS_TRANSFERRING) d->state = d->prev_state;
}

static void invite_request(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    uint64_t ts = meta->ts_us;
    switch (msg->method) {
    case SIP_INVITE:
        if (msg->cseq == p->init_cseq) {
            if (!p->invite_us) p->invite_us = ts; /* retransmissions keep the first */
        } else if (msg->cseq > p->init_cseq && !msg->to.tag.len &&
                   (d->state == SIP_DS_TRYING || d->state == SIP_DS_RINGING ||
                    d->state == SIP_DS_FAILED)) {
            /* the same call retried out of dialog: answered challenge, 3xx, ... */
            new_attempt(d, msg, meta);
        } /* else a re-INVITE: state unchanged, SDP recorded by the caller */
        break;
    case SIP_CANCEL:
        p->cancel_seen = true;
        break;
    case SIP_BYE:
        if (!p->bye_us) {
            p->bye_us = ts;
            p->bye_cseq = msg->cseq;
        }
        if (d->state != SIP_DS_FAILED && d->state != SIP_DS_CANCELLED &&
            d->state != SIP_DS_COMPLETED) {
            d->state = SIP_DS_COMPLETED;
            d->ended_us = ts;
        }
        break;
    case SIP_REFER:
        set_refer_to(d, msg);
        if (d->state == SIP_DS_INCALL) {
            d->prev_state = d->state;
            d->state = SIP_DS_TRANSFERRING;
            p->refer_cseq = msg->cseq;
        }
        break;
    case SIP_NOTIFY:
        if (d->state == SIP_DS_TRANSFERRING && event_is_refer(msg) &&
            (sipfrag_status(msg) >= 200 || subscription_state(msg) == SIP_DS_TERMINATED))
            leave_transfer(d);
        break;
    default:
        break;
    }
}

static void invite_response(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    uint64_t ts = meta->ts_us;
    uint16_t code = msg->status_code;
    if (msg->cseq_method == SIP_INVITE) {
        if (msg->cseq != p->init_cseq) return; /* a re-INVITE's answer */
        if (code < 200) {
            if (code == 100 && d->timing.trying_delay_us < 0)
                d->timing.trying_delay_us = elapsed(ts, p->invite_us);
            if ((code == 180 || code == 183) && !p->ring_us &&
                (d->state == SIP_DS_TRYING || d->state == SIP_DS_RINGING)) {
                p->ring_us = ts;
                d->timing.pdd_us = elapsed(ts, p->invite_us);
                d->state = SIP_DS_RINGING;
            }
        } else if (code < 300) {
            /* also after CANCEL (the race is won by the 2xx) or a forked failure */
            if (d->state == SIP_DS_TRYING || d->state == SIP_DS_RINGING ||
                d->state == SIP_DS_FAILED || d->state == SIP_DS_CANCELLED) {
                d->state = SIP_DS_INCALL;
                d->final_code = code;
                d->answered_us = ts;
                d->ended_us = 0;
                d->timing.setup_us = elapsed(ts, p->invite_us);
                d->timing.ring_us = elapsed(ts, p->ring_us);
            }
        } else if (d->state == SIP_DS_TRYING || d->state == SIP_DS_RINGING) {
            fail(d, code, ts, code == 487 ? SIP_DS_CANCELLED : SIP_DS_FAILED);
        }
    } else if (msg->cseq_method == SIP_BYE) {
        if (code >= 200 && p->bye_us && msg->cseq == p->bye_cseq && d->timing.teardown_us < 0 &&
            code < 300)
            d->timing.teardown_us = elapsed(ts, p->bye_us);
        if (code >= 200 && d->state != SIP_DS_FAILED && d->state != SIP_DS_CANCELLED &&
            d->state != SIP_DS_COMPLETED) {
            d->state = SIP_DS_COMPLETED;
            d->ended_us = ts;
        }
    } else if (msg->cseq_method == SIP_REFER) {
        if (code >= 300 && msg->cseq == p->refer_cseq) leave_transfer(d);
    }
}

/* ---- REGISTER ----------------------------------------------------------- */

static void register_msg(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    uint64_t ts = meta->ts_us;
    if (msg->is_request) {
        if (msg->method != SIP_REGISTER) return;
        p->req_expires = request_expiry(msg, &p->contact_hash);
        if (msg->cseq != p->init_cseq || d->msg_count == 1) {
            p->init_cseq = msg->cseq;
            /* a refresh keeps the binding registered until it is answered */
            if (d->state != SIP_DS_REGISTERED) {
                d->state = SIP_DS_TRYING;
                d->final_code = 0;
                d->ended_us = 0;
                p->challenged = false;
            }
        }
        return;
    }
    if (msg->cseq_method != SIP_REGISTER || msg->cseq != p->init_cseq) return;
    uint16_t code = msg->status_code;
    if (code < 200) return;
    if (code < 300) {
        int64_t exp = granted_expiry(msg, p);
        d->final_code = code;
        p->challenged = false;
        if (exp > 0) {
            d->state = SIP_DS_REGISTERED;
            d->expires_at_us = (int64_t)ts + exp * 1000000;
            d->ended_us = 0;
        } else {
            d->state = SIP_DS_EXPIRED; /* unregistered */
            d->expires_at_us = (int64_t)ts;
            d->ended_us = ts;
        }
    } else if (d->state != SIP_DS_REGISTERED) {
        /* a rejected refresh leaves the binding until it expires */
        fail(d, code, ts, SIP_DS_FAILED);
    }
}

/* ---- SUBSCRIBE / NOTIFY / REFER outside a call --------------------------- */

static void subscription_msg(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    uint64_t ts = meta->ts_us;
    uint16_t code = msg->status_code;
    if (msg->is_request) {
        if (msg->method == SIP_NOTIFY) {
            int st = subscription_state(msg);
            if (st < 0 && d->method == SIP_REFER && sipfrag_status(msg) >= 200)
                st = SIP_DS_TERMINATED;
            if (st >= 0 && d->state != SIP_DS_TERMINATED) {
                d->state = (uint8_t)st;
                if (st == SIP_DS_TERMINATED) d->ended_us = ts;
            }
        } else if (msg->method == d->method) {
            uint64_t unused;
            p->req_expires = request_expiry(msg, &unused);
            if (msg->method == SIP_REFER) set_refer_to(d, msg);
            if (msg->cseq > p->init_cseq && !msg->to.tag.len &&
                (d->state == SIP_DS_TRYING || d->state == SIP_DS_FAILED))
                new_attempt(d, msg, meta);
        }
        return;
    }
    if (msg->cseq_method != d->method || code < 200) return;
    if (d->method == SIP_NOTIFY) { /* a NOTIFY seen alone: like OPTIONS */
        if (d->state == SIP_DS_TRYING) {
            if (code < 300) {
                d->final_code = code;
                d->state = SIP_DS_COMPLETED;
                d->ended_us = ts;
            } else {
                fail(d, code, ts, SIP_DS_FAILED);
            }
        }
        return;
    }
    bool initial = msg->cseq == p->init_cseq;
    if (code < 300) {
        int64_t exp = parse_num(hdr(msg, "Expires"));
        if (exp < 0) exp = p->req_expires;
        if (initial && !d->final_code) d->final_code = code;
        if (exp == 0) {
            d->state = SIP_DS_TERMINATED;
            d->ended_us = ts;
        } else if (d->state == SIP_DS_TRYING) {
            d->state = SIP_DS_PENDING; /* NOTIFY tells pending or active */
        }
    } else if (initial && (d->state == SIP_DS_TRYING)) {
        fail(d, code, ts, SIP_DS_FAILED);
    } else if (code != 401 && code != 407 && !is_finished_state(d->state)) {
        d->state = SIP_DS_TERMINATED; /* a refresh refused ends the subscription */
        d->ended_us = ts;
    }
}

/* ---- OPTIONS, MESSAGE, INFO, PUBLISH and the rest ------------------------ */

static void simple_msg(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    if (msg->is_request) {
        if (msg->method == d->method && msg->cseq > p->init_cseq && !msg->to.tag.len &&
            d->state == SIP_DS_FAILED && p->challenged)
            new_attempt(d, msg, meta);
        return;
    }
    if (msg->cseq_method != d->method || msg->cseq != p->init_cseq) return;
    uint16_t code = msg->status_code;
    if (code < 200 || d->state != SIP_DS_TRYING) return;
    if (code < 300) {
        d->final_code = code;
        d->state = SIP_DS_COMPLETED;
        d->ended_us = meta->ts_us;
    } else {
        fail(d, code, meta->ts_us, SIP_DS_FAILED);
    }
}

/* ---- entry point -------------------------------------------------------- */

static void become_call(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta)
{
    d->method = SIP_INVITE;
    d->expires_at_us = 0;
    d->answered_us = 0;
    d->src = meta->src;
    d->dst = meta->dst;
    d->sport = meta->sport;
    d->dport = meta->dport;
    set_parties(d, msg, SNB_STR_NULL);
    d->timing.teardown_us = -1;
    new_attempt(d, msg, meta);
}

void sip_dialog_update(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta,
                       bool retransmit, const sip_store_limits_t *lim)
{
    sip_dialog_priv_t *p = sip_dialog_priv(d);
    d->msg_count++;
    if (msg->malformed) d->malformed_count++;
    if (meta->ts_us > d->last_us) d->last_us = meta->ts_us;
    if (retransmit) d->timing.retransmits++;
    if (!msg->is_request) d->responded = true;
    if (d->timeout) { /* given up on too early: the capture says it went on */
        d->state = d->timed_out_in;
        d->timeout = SIP_TIMEOUT_NONE;
        d->ended_us = 0;
    }

    if (msg->is_request && !p->ua_from_request) {
        snb_str_t ua = hdr(msg, "User-Agent");
        if (ua.p) {
            set_ua(d, ua);
            p->ua_from_request = true;
        }
    } else if (!msg->is_request && !sip_dialog_ua(d)[0]) {
        snb_str_t srv = hdr(msg, "Server");
        if (srv.p) set_ua(d, srv);
    }
    /* the To tag of our orientation (not of requests the callee sends) */
    if (!sip_dialog_to_tag(d)[0] && msg->to.tag.len &&
        tag_eq(msg->from.tag, sip_dialog_from_tag(d)))
        sip_names_set_one(&d->names, SIP_DN_TO_TAG, msg->to.tag);

    /* One Call-ID used for a REGISTER (or an OPTIONS, ...) and then for a
     * call, as SIPp scenarios and some phones do: the dialog follows the
     * call from its INVITE on (state, timing, parties, failure). */
    if (msg->is_request && msg->method == SIP_INVITE && d->method != SIP_INVITE && !msg->to.tag.len)
        become_call(d, msg, meta);

    snb_str_t sdp = sip_msg_sdp(msg);
    bool has_sdp = sdp.p && sdp.len;
    keep_summary(d, msg, meta, retransmit, has_sdp, lim->max_messages);
    /* a repeated message repeats its SDP: not a new timeline entry */
    if (has_sdp && !retransmit) add_sdp(d, msg, meta, sdp, lim);

    switch (d->method) {
    case SIP_INVITE:
        if (msg->is_request)
            invite_request(d, msg, meta);
        else
            invite_response(d, msg, meta);
        break;
    case SIP_REGISTER:
        register_msg(d, msg, meta);
        break;
    case SIP_SUBSCRIBE:
    case SIP_NOTIFY:
    case SIP_REFER:
        subscription_msg(d, msg, meta);
        break;
    default:
        simple_msg(d, msg, meta);
        break;
    }
    d->finished = is_finished_state(d->state);
}

void sip_dialog_expire(sip_dialog_t *d, uint64_t at_us)
{
    if (d->state != SIP_DS_REGISTERED) return;
    d->state = SIP_DS_EXPIRED;
    d->ended_us = at_us;
    d->finished = true;
}

void sip_dialog_time_out(sip_dialog_t *d, uint64_t at_us, uint8_t why)
{
    if (d->state != SIP_DS_TRYING && d->state != SIP_DS_RINGING) return;
    d->timed_out_in = d->state;
    d->state = SIP_DS_FAILED;
    d->timeout = why;
    d->ended_us = at_us;
    d->finished = true;
}

const char *sip_dialog_timeout_name(const sip_dialog_t *d)
{
    return d->timeout == SIP_TIMEOUT_NO_RESPONSE ? "no response"
           : d->timeout == SIP_TIMEOUT_NO_FINAL  ? "no final response"
                                                 : NULL;
}

double sip_dialog_duration_sec(const sip_dialog_t *d)
{
    if (!d->answered_us) return 0.0;
    uint64_t end = d->ended_us ? d->ended_us : d->last_us;
    return end > d->answered_us ? (double)(end - d->answered_us) / 1e6 : 0.0;
}
