/* Builds SIP messages as text, parses them and feeds a dialog store: shared
 * by check_sip_dialog.c, check_sip_timing.c and check_sip_store.c.
 * Side A (10.0.0.1:5060) is the caller, side B (10.0.0.2:5060) the callee. */
#ifndef SIP_DIALOG_TESTLIB_H
#define SIP_DIALOG_TESTLIB_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_dialog.h"
#include "sip_msg.h"

enum { SIDE_A = 0, SIDE_B = 1 };

typedef struct tl_call {
    sip_store_t *st;
    const char *call_id;
    const char *method; /* for the From/To users */
    char from_tag[32], to_tag[32];
    uint8_t transport;
    bool last_rt; /* retransmit flag of the last message */
    char buf[8192];
} tl_call_t;

static inline sip_store_limits_t tl_limits(void)
{
    sip_store_limits_t l = {.max_dialogs = 1000, .max_messages = 64, .max_sdp = 16};
    return l;
}

static inline void tl_meta(sip_msg_meta_t *m, uint64_t ts_us, int side, uint8_t transport)
{
    memset(m, 0, sizeof *m);
    m->ts_us = ts_us;
    m->src.family = m->dst.family = 4;
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    memcpy(m->src.a, side == SIDE_A ? a : b, 4);
    memcpy(m->dst.a, side == SIDE_A ? b : a, 4);
    m->sport = m->dport = 5060;
    m->transport = transport;
}

/* Parse text (LF line ends are turned into CRLF) and feed it. */
static inline sip_dialog_t *tl_feed_text(sip_store_t *st, uint64_t ts_us, int side,
                                         uint8_t transport, const char *text, bool *rt)
{
    static char wire[16384];
    size_t n = 0;
    for (const char *p = text; *p && n + 2 < sizeof wire; p++) {
        if (*p == '\n') wire[n++] = '\r';
        wire[n++] = *p;
    }
    sip_msg_t msg;
    size_t used = 0;
    ck_assert_int_eq(sip_msg_parse(wire, n, 0, &msg, &used), SIP_PARSE_OK);
    sip_msg_meta_t meta;
    tl_meta(&meta, ts_us, side, transport);
    return sip_store_message(st, &msg, &meta, rt);
}

/* Headers and body: Content-Length and Content-Type (SDP unless extra says
 * otherwise) are added; the To tag once the test has set one. */
static inline sip_dialog_t *tl_send(tl_call_t *c, uint64_t ts_us, int side, const char *start,
                                    const char *cseq_method, uint32_t cseq, bool is_request,
                                    const char *extra, const char *body)
{
    char *b = c->buf;
    size_t sz = sizeof c->buf;
    /* requests from B and responses to B's requests swap From and To */
    bool b_originated = is_request ? side == SIDE_B : side == SIDE_A;
    const char *ftag = b_originated ? c->to_tag : c->from_tag;
    const char *ttag = b_originated ? c->from_tag : c->to_tag;
    const char *fuser = b_originated ? "bob" : "alice", *tuser = b_originated ? "alice" : "bob";
    char to_tag_param[48] = "";
    if (ttag[0]) snprintf(to_tag_param, sizeof to_tag_param, ";tag=%s", ttag);
    const char *ctype = "";
    if (body && body[0] && (!extra || !strstr(extra, "Content-Type")))
        ctype = "Content-Type: application/sdp\n";
    size_t body_len = 0; /* on the wire, each LF becomes CRLF */
    for (const char *p = body; p && *p; p++)
        body_len += *p == '\n' ? 2 : 1;
    snprintf(b, sz,
             "%s\n"
             "Via: SIP/2.0/UDP 10.0.0.%d:5060;branch=z9hG4bK%s%u\n"
             "From: \"%s\" <sip:%s@example.com>;tag=%s\n"
             "To: <sip:%s@example.com>%s\n"
             "Call-ID: %s\n"
             "CSeq: %u %s\n"
             "%s%s"
             "Content-Length: %zu\n"
             "\n"
             "%s",
             start, b_originated ? 2 : 1, cseq_method, cseq, fuser, fuser, ftag, tuser,
             to_tag_param, c->call_id, cseq, cseq_method, extra ? extra : "", ctype, body_len,
             body ? body : "");
    return tl_feed_text(c->st, ts_us, side, c->transport, b, &c->last_rt);
}

/* A request: method sent by side with cseq (with the To tag once known). */
static inline sip_dialog_t *tl_req(tl_call_t *c, uint64_t ts_us, int side, const char *method,
                                   uint32_t cseq, const char *extra, const char *body)
{
    char start[128];
    snprintf(start, sizeof start, "%s sip:%s@example.com SIP/2.0", method,
             side == SIDE_A ? "bob" : "alice");
    return tl_send(c, ts_us, side, start, method, cseq, true, extra, body);
}

/* An out-of-dialog request (no To tag), e.g. the INVITE retried after 407. */
static inline sip_dialog_t *tl_req_initial(tl_call_t *c, uint64_t ts_us, int side,
                                           const char *method, uint32_t cseq, const char *extra,
                                           const char *body)
{
    char saved[32];
    memcpy(saved, c->to_tag, sizeof saved);
    c->to_tag[0] = '\0';
    sip_dialog_t *d = tl_req(c, ts_us, side, method, cseq, extra, body);
    memcpy(c->to_tag, saved, sizeof saved);
    return d;
}

static inline sip_dialog_t *tl_resp(tl_call_t *c, uint64_t ts_us, int side, unsigned code,
                                    const char *reason, const char *cseq_method, uint32_t cseq,
                                    const char *extra, const char *body)
{
    char start[128];
    snprintf(start, sizeof start, "SIP/2.0 %u %s", code, reason);
    return tl_send(c, ts_us, side, start, cseq_method, cseq, false, extra, body);
}

static inline void tl_init(tl_call_t *c, sip_store_t *st, const char *call_id)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    c->call_id = call_id;
    snprintf(c->from_tag, sizeof c->from_tag, "ftag1");
    c->transport = SIP_TRANSPORT_UDP;
}

#define TL_MS(x) ((uint64_t)(x)*1000u)
#define TL_T0 1700000000000000ull /* a capture-time origin, microseconds */

static inline const char *tl_state(const sip_dialog_t *d)
{
    return sip_dialog_state_name((sip_dialog_state_t)d->state);
}

/* An SDP body: connection address, port, direction and payload types. */
static inline const char *tl_sdp(char *buf, size_t n, const char *addr, unsigned port,
                                 const char *dir, const char *fmts)
{
    snprintf(buf, n,
             "v=0\n"
             "o=- 1 1 IN IP4 %s\n"
             "s=-\n"
             "c=IN IP4 %s\n"
             "t=0 0\n"
             "m=audio %u RTP/AVP %s\n"
             "a=rtpmap:0 PCMU/8000\n"
             "a=rtpmap:8 PCMA/8000\n"
             "a=rtpmap:18 G729/8000\n"
             "a=rtpmap:101 telephone-event/8000\n"
             "a=%s\n",
             addr, addr, port, fmts, dir);
    return buf;
}

#endif
