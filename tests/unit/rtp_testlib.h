/* Helpers for the check_rtp_{calls,table,diag} tests (header-only):
 * a minimal SIP/SDP text reader that fills snb_sip_message_event_t the way
 * the SIP module does (enough for the RTP tests: start line, Call-ID, From
 * tag, CSeq, c=/m=/a=rtpmap/a=ptime/a=<direction>), and an RTP/RTCP packet
 * builder. */
#ifndef SNB_RTP_TESTLIB_H
#define SNB_RTP_TESTLIB_H

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rtp_stream.h"
#include "sipnab/packet.h"
#include "sipnab/sip.h"
#include "support.h"

typedef struct tl_msg {
    snb_sip_message_event_t ev;
    char raw[4096];
} tl_msg_t;

static inline uint8_t tl_method(const char *p, size_t n)
{
    static const char *const names[] = {"",         "INVITE",  "ACK",   "BYE",       "CANCEL",
                                        "REGISTER", "OPTIONS", "PRACK", "SUBSCRIBE", "NOTIFY",
                                        "PUBLISH",  "INFO",    "REFER", "MESSAGE",   "UPDATE"};
    for (uint8_t i = 1; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], p, n) == 0) return i;
    return 0;
}

/* Header value (after "Name:" and blanks) of the first header called name
 * or its compact form, up to the end of line; NULL if absent. */
static inline const char *tl_header(const char *raw, const char *name, const char *compact,
                                    size_t *len)
{
    const char *p = strchr(raw, '\n');
    while (p && p[1] && p[1] != '\r' && p[1] != '\n') {
        p++;
        const char *colon = strchr(p, ':');
        const char *eol = strchr(p, '\n');
        if (!colon || !eol) return NULL;
        size_t n = (size_t)(colon - p);
        while (n && p[n - 1] == ' ')
            n--;
        if ((strlen(name) == n && strncasecmp(p, name, n) == 0) ||
            (compact && strlen(compact) == n && strncasecmp(p, compact, n) == 0)) {
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            const char *e = eol;
            if (e > v && e[-1] == '\r') e--;
            *len = (size_t)(e - v);
            return v;
        }
        p = eol;
    }
    return NULL;
}

static inline void tl_sdp(snb_sip_message_event_t *ev, const char *body)
{
    snb_addr_t session_addr;
    memset(&session_addr, 0, sizeof session_addr);
    snb_sip_media_t *m = NULL;
    char line[512];
    for (const char *p = body; *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        if (n && p[n - 1] == '\r') n--;
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        p = eol ? eol + 1 : p + n;
        char ip[64];
        unsigned port, pt, rate, v;
        char enc[32];
        if (sscanf(line, "c=IN IP%*u %63s", ip) == 1) {
            if (m)
                m->addr = snb_test_addr(ip);
            else
                session_addr = snb_test_addr(ip);
        } else if (strncmp(line, "m=", 2) == 0 && ev->n_media < SNB_SIP_MAX_MEDIA) {
            m = &ev->media[ev->n_media++];
            memset(m, 0, sizeof *m);
            int off = 0;
            sscanf(line, "m=%11s %u %*s%n", m->type, &port, &off);
            m->port = (uint16_t)port;
            m->addr = session_addr;
            m->direction = 1;
            m->telephone_event_pt = -1;
            for (char *q = line + off; m->n_formats < SNB_SIP_MAX_FORMATS;) {
                int used = 0;
                if (sscanf(q, " %u%n", &pt, &used) != 1) break;
                q += used;
                m->formats[m->n_formats].pt = (uint8_t)pt;
                const char *sn = rtp_static_pt_name((uint8_t)pt);
                snprintf(m->formats[m->n_formats].encoding, 16, "%s", sn ? sn : "");
                m->formats[m->n_formats].clock_rate = rtp_static_pt_clock((uint8_t)pt);
                m->n_formats++;
            }
        } else if (m && sscanf(line, "a=rtpmap:%u %31[^/]/%u", &pt, enc, &rate) == 3) {
            for (unsigned i = 0; i < m->n_formats; i++)
                if (m->formats[i].pt == pt) {
                    snprintf(m->formats[i].encoding, 16, "%.15s", enc);
                    m->formats[i].clock_rate = rate;
                }
            if (strcasecmp(enc, "telephone-event") == 0) m->telephone_event_pt = (int16_t)pt;
        } else if (m && sscanf(line, "a=ptime:%u", &v) == 1) {
            m->ptime = v;
        } else if (m && strcmp(line, "a=sendrecv") == 0) {
            m->direction = 1;
        } else if (m && strcmp(line, "a=sendonly") == 0) {
            m->direction = 2;
        } else if (m && strcmp(line, "a=recvonly") == 0) {
            m->direction = 3;
        } else if (m && strcmp(line, "a=inactive") == 0) {
            m->direction = 4;
        }
    }
}

/* Fill m->ev from a SIP message text (lines end in "\r\n" or "\n").
 * A body in a request other than ACK is an offer; in a response or ACK, an
 * answer. */
static inline void tl_sip(tl_msg_t *m, const char *text, uint64_t ts, const char *src,
                          uint16_t sport, const char *dst, uint16_t dport)
{
    memset(m, 0, sizeof *m);
    snprintf(m->raw, sizeof m->raw, "%s", text);
    snb_sip_message_event_t *ev = &m->ev;
    ev->ts_us = ts;
    ev->src = snb_test_addr(src);
    ev->dst = snb_test_addr(dst);
    ev->sport = sport;
    ev->dport = dport;
    ev->raw = m->raw;
    ev->raw_len = (uint32_t)strlen(m->raw);
    unsigned status;
    if (sscanf(m->raw, "SIP/2.0 %u", &status) == 1) {
        ev->status = (uint16_t)status;
    } else {
        ev->is_request = true;
        ev->method = tl_method(m->raw, strcspn(m->raw, " "));
    }
    size_t n;
    const char *v = tl_header(m->raw, "Call-ID", "i", &n);
    if (v) ev->call_id = snb_str(v, n);
    v = tl_header(m->raw, "From", "f", &n);
    const char *tag = v ? strstr(v, ";tag=") : NULL;
    if (tag && tag < v + n) {
        tag += 5;
        size_t tl = strcspn(tag, ";>\r\n ");
        ev->from_tag = snb_str(tag, tl);
    }
    v = tl_header(m->raw, "CSeq", NULL, &n);
    if (v) {
        unsigned cseq;
        char meth[32];
        if (sscanf(v, "%u %31[A-Z]", &cseq, meth) == 2) {
            ev->cseq = cseq;
            ev->cseq_method = tl_method(meth, strlen(meth));
        }
    }
    const char *body = strstr(m->raw, "\r\n\r\n");
    body = body ? body + 4 : (body = strstr(m->raw, "\n\n")) ? body + 2 : NULL;
    if (body && *body) {
        ev->body = snb_str(body, strlen(body));
        tl_sdp(ev, body);
        if (ev->n_media)
            ev->sdp_role = ev->is_request && ev->method != 2 ? SNB_SDP_OFFER : SNB_SDP_ANSWER;
    }
}

/* ---- packets ---------------------------------------------------------------- */

typedef struct tl_pkt {
    snb_packet_t pkt;
    uint8_t buf[1500];
} tl_pkt_t;

static inline void tl_udp(tl_pkt_t *p, uint64_t ts, const char *src, uint16_t sport,
                          const char *dst, uint16_t dport, size_t len)
{
    memset(&p->pkt, 0, sizeof p->pkt);
    p->pkt.ts_us = ts;
    p->pkt.src = snb_test_addr(src);
    p->pkt.dst = snb_test_addr(dst);
    p->pkt.sport = sport;
    p->pkt.dport = dport;
    p->pkt.transport = SNB_TRANSPORT_UDP;
    p->pkt.payload = p->buf;
    p->pkt.payload_len = (uint32_t)len;
}

static inline void tl_be16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static inline void tl_be32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* RTP v2 header + payload_len bytes of 0xd5 (A-law silence). */
static inline size_t tl_rtp_bytes(uint8_t *b, uint8_t pt, uint16_t seq, uint32_t rts, uint32_t ssrc,
                                  size_t payload_len)
{
    b[0] = 0x80;
    b[1] = pt & 0x7f;
    tl_be16(b + 2, seq);
    tl_be32(b + 4, rts);
    tl_be32(b + 8, ssrc);
    memset(b + 12, 0xd5, payload_len);
    return 12 + payload_len;
}

static inline void tl_rtp(tl_pkt_t *p, uint64_t ts, const char *src, uint16_t sport,
                          const char *dst, uint16_t dport, uint8_t pt, uint16_t seq, uint32_t rts,
                          uint32_t ssrc)
{
    size_t n = tl_rtp_bytes(p->buf, pt, seq, rts, ssrc, 160);
    tl_udp(p, ts, src, sport, dst, dport, n);
}

#endif
