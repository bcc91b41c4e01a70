/* SIP framer: UDP datagrams, TCP stream framing and resynchronisation,
 * limits, WebSocket and SCTP. Packets are built directly as the decoder
 * would deliver them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_framer.h"
#include "sip_framer_int.h"

#define MAXREC 32

typedef struct rec {
    int n;
    sip_transport_t tr[MAXREC];
    char call_id[MAXREC][64];
    char body[MAXREC][512];
    uint16_t status[MAXREC];
    uint64_t ts[MAXREC];
    uint32_t malformed[MAXREC];
} rec_t;

static rec_t R;

static void on_msg(void *ud, const snb_packet_t *pkt, sip_transport_t t, const sip_msg_t *m)
{
    rec_t *r = ud;
    if (r->n < MAXREC) {
        r->tr[r->n] = t;
        snb_str_copy(m->call_id, r->call_id[r->n], 64);
        snb_str_copy(m->body, r->body[r->n], 512);
        r->status[r->n] = m->status_code;
        r->ts[r->n] = pkt->ts_us;
        r->malformed[r->n] = m->malformed;
    }
    r->n++;
}

static sip_framer_t *mk(uint32_t max_streams, uint32_t max_message, uint64_t idle)
{
    memset(&R, 0, sizeof R);
    sip_framer_limits_t l = {max_streams, max_message, idle};
    sip_framer_t *f = sip_framer_new(&l, on_msg, &R);
    ck_assert_ptr_nonnull(f);
    return f;
}

/* A complete request with Content-Length; returns its length. */
static size_t msg(char *buf, size_t cap, const char *callid, const char *body)
{
    return (size_t)snprintf(buf, cap,
                            "MESSAGE sip:b@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK%s\r\n"
                            "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: %s\r\n"
                            "CSeq: 1 MESSAGE\r\nContent-Length: %zu\r\n\r\n%s",
                            callid, callid, strlen(body), body);
}

static void feed(sip_framer_t *f, uint8_t transport, uint64_t sid, uint64_t off, uint32_t flags,
                 const void *data, size_t len, uint64_t ts)
{
    snb_packet_t p = {0};
    p.ts_us = ts;
    p.transport = transport;
    p.stream_id = sid;
    p.stream_offset = off;
    p.flags = flags | (transport == SNB_TRANSPORT_TCP ? SNB_PKT_TCP_STREAM : 0);
    p.payload = data;
    p.payload_len = (uint32_t)len;
    sip_framer_packet(f, &p);
}

#define TCP(f, sid, off, d, n, ts) feed(f, SNB_TRANSPORT_TCP, sid, off, 0, d, n, ts)

START_TEST(test_udp)
{
    sip_framer_t *f = mk(0, 0, 0);
    char a[600], b[600], two[1200];
    size_t na = msg(a, sizeof a, "u1", "hello");
    size_t nb = msg(b, sizeof b, "u2", "");
    memcpy(two, a, na);
    memcpy(two + na, b, nb);
    feed(f, SNB_TRANSPORT_UDP, 0, 0, 0, two, na + nb, 1);
    ck_assert_int_eq(R.n, 2);
    ck_assert_str_eq(R.call_id[0], "u1");
    ck_assert_str_eq(R.body[0], "hello");
    ck_assert_str_eq(R.call_id[1], "u2");
    ck_assert_int_eq(R.tr[0], SIP_TRANSPORT_UDP);
    /* junk before a request is skipped and counted */
    char j[700];
    memcpy(j, "\0\0\0\0", 4);
    memcpy(j + 4, a, na);
    feed(f, SNB_TRANSPORT_UDP, 0, 0, 0, j, na + 4, 2);
    ck_assert_int_eq(R.n, 3);
    ck_assert_uint_eq(sip_framer_stats(f)->skipped_bytes, 4);
    /* keepalives and RTP-like bytes: no SIP */
    feed(f, SNB_TRANSPORT_UDP, 0, 0, 0, "\r\n\r\n", 4, 3);
    feed(f, SNB_TRANSPORT_UDP, 0, 0, 0, "\x80\x08\x00\x01garbage", 11, 4);
    ck_assert_int_eq(R.n, 3);
    ck_assert_uint_eq(sip_framer_stats(f)->not_sip, 2);
    ck_assert_uint_eq(sip_framer_stats(f)->messages, 3);
    ck_assert_uint_eq(sip_framer_stats(f)->malformed, 0);
    /* a malformed message is delivered and counted */
    const char *bad = "OPTIONS sip:x SIP/2.0\r\nCall-ID: z\r\n\r\n";
    feed(f, SNB_TRANSPORT_UDP, 0, 0, 0, bad, strlen(bad), 5);
    ck_assert_int_eq(R.n, 4);
    ck_assert_uint_eq(sip_framer_stats(f)->malformed, 1);
    ck_assert(R.malformed[3] & SIP_MAL_NO_VIA);
    sip_framer_free(f);
}
END_TEST

START_TEST(test_tcp_several_in_one_segment)
{
    sip_framer_t *f = mk(0, 0, 0);
    char seg[2000];
    size_t n = 0;
    n += msg(seg + n, sizeof seg - n, "t1", "one");
    n += (size_t)snprintf(seg + n, sizeof seg - n, "\r\n\r\n"); /* RFC 5626 keepalive */
    n += msg(seg + n, sizeof seg - n, "t2", "");
    n += msg(seg + n, sizeof seg - n, "t3", "three");
    TCP(f, 7, 0, seg, n, 10);
    ck_assert_int_eq(R.n, 3);
    ck_assert_str_eq(R.call_id[0], "t1");
    ck_assert_str_eq(R.body[0], "one");
    ck_assert_str_eq(R.call_id[2], "t3");
    ck_assert_str_eq(R.body[2], "three");
    ck_assert_int_eq(R.tr[1], SIP_TRANSPORT_TCP);
    ck_assert_uint_eq(sip_framer_stats(f)->skipped_bytes, 0);
    sip_framer_flush(f);
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 0);
    sip_framer_free(f);
}
END_TEST

START_TEST(test_tcp_across_segments)
{
    sip_framer_t *f = mk(0, 0, 0);
    char m[800], m2[800];
    size_t n = msg(m, sizeof m, "x3", "0123456789abcdef");
    size_t n2 = msg(m2, sizeof m2, "x4", "next");
    /* split in the start line, in the body, and the last piece carries
     * the beginning of the next message */
    size_t c1 = 10, c2 = n - 5;
    TCP(f, 1, 0, m, c1, 100);
    TCP(f, 1, c1, m + c1, c2 - c1, 200);
    ck_assert_int_eq(R.n, 0);
    char last[900];
    memcpy(last, m + c2, n - c2);
    memcpy(last + (n - c2), m2, 30);
    TCP(f, 1, c2, last, n - c2 + 30, 300);
    ck_assert_int_eq(R.n, 1);
    ck_assert_str_eq(R.call_id[0], "x3");
    ck_assert_str_eq(R.body[0], "0123456789abcdef");
    ck_assert_uint_eq(R.ts[0], 300); /* the packet that completed it */
    TCP(f, 1, n + 30, m2 + 30, n2 - 30, 400);
    ck_assert_int_eq(R.n, 2);
    ck_assert_str_eq(R.body[1], "next");
    /* header block split right inside the empty line */
    size_t he = (size_t)(strstr(m, "\r\n\r\n") - m) + 3;
    TCP(f, 2, 0, m, he, 500);
    TCP(f, 2, he, m + he, n - he, 600);
    ck_assert_int_eq(R.n, 3);
    ck_assert_str_eq(R.body[2], "0123456789abcdef");
    /* byte by byte */
    for (size_t i = 0; i < n; i++)
        TCP(f, 3, i, m + i, 1, 700 + i);
    ck_assert_int_eq(R.n, 4);
    ck_assert_str_eq(R.body[3], "0123456789abcdef");
    ck_assert_uint_eq(R.ts[3], 700 + n - 1);
    sip_framer_flush(f);
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 0);
    ck_assert_uint_eq(sip_framer_stats(f)->skipped_bytes, 0);
    sip_framer_free(f);
}
END_TEST

START_TEST(test_tcp_garbage_then_message)
{
    sip_framer_t *f = mk(0, 0, 0);
    char seg[1000];
    const char *junk = "\x16\x03\x01 binary junk\r\nmore junk\r\n";
    size_t jn = strlen(junk);
    memcpy(seg, junk, jn);
    size_t n = jn + msg(seg + jn, sizeof seg - jn, "g1", "b");
    TCP(f, 4, 0, seg, n, 1);
    ck_assert_int_eq(R.n, 1);
    ck_assert_str_eq(R.call_id[0], "g1");
    ck_assert_uint_eq(sip_framer_stats(f)->skipped_bytes, jn);
    /* only garbage: not SIP */
    TCP(f, 5, 0, "hello there\r\nbye\r\n", 18, 2);
    ck_assert_uint_eq(sip_framer_stats(f)->not_sip, 1);
    /* garbage, then a start line split across two segments */
    char m[800];
    size_t mn = msg(m, sizeof m, "g2", "");
    char s1[900];
    memcpy(s1, "zzz\r\n", 5);
    memcpy(s1 + 5, m, 12);
    TCP(f, 6, 0, s1, 17, 3);
    TCP(f, 6, 17, m + 12, mn - 12, 4);
    ck_assert_int_eq(R.n, 2);
    ck_assert_str_eq(R.call_id[1], "g2");
    sip_framer_free(f);
}
END_TEST

START_TEST(test_tcp_gap_resync)
{
    sip_framer_t *f = mk(0, 0, 0);
    char m[800], m2[800];
    size_t n = msg(m, sizeof m, "gap1", "0123456789");
    size_t n2 = msg(m2, sizeof m2, "gap2", "ok");
    TCP(f, 9, 0, m, n - 6, 1); /* body incomplete */
    ck_assert_int_eq(R.n, 0);
    /* bytes lost: the next segment starts in the middle of a body */
    char seg[900];
    memcpy(seg, "6789", 4);
    memcpy(seg + 4, m2, n2);
    feed(f, SNB_TRANSPORT_TCP, 9, n + 100, SNB_PKT_TCP_GAP, seg, n2 + 4, 2);
    ck_assert_int_eq(R.n, 1);
    ck_assert_str_eq(R.call_id[0], "gap2");
    ck_assert_str_eq(R.body[0], "ok");
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 1);
    ck_assert_uint_eq(sip_framer_stats(f)->skipped_bytes, 4);
    /* an offset jump without the flag is a gap too */
    TCP(f, 10, 0, m, 20, 3);
    TCP(f, 10, 500, m2, n2, 4);
    ck_assert_int_eq(R.n, 2);
    ck_assert_str_eq(R.call_id[1], "gap2");
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 2);
    sip_framer_free(f);
}
END_TEST

START_TEST(test_tcp_oversize)
{
    sip_framer_t *f = mk(0, 400, 0);
    char big[2000], m2[800];
    char body[1200];
    memset(body, 'B', sizeof body - 1);
    body[sizeof body - 1] = 0;
    /* the body contains text that must not be taken for a message */
    memcpy(body + 100, "\r\nSIP/2.0 200 OK\r\n", 18);
    size_t n = msg(big, sizeof big, "big", body);
    size_t n2 = msg(m2, sizeof m2, "after", "x");
    TCP(f, 11, 0, big, 300, 1);
    ck_assert_uint_eq(sip_framer_stats(f)->oversize, 1);
    TCP(f, 11, 300, big + 300, 700, 2);
    char seg[2000];
    memcpy(seg, big + 1000, n - 1000);
    memcpy(seg + (n - 1000), m2, n2);
    TCP(f, 11, 1000, seg, n - 1000 + n2, 3);
    ck_assert_int_eq(R.n, 1);
    ck_assert_str_eq(R.call_id[0], "after");
    ck_assert_uint_eq(sip_framer_stats(f)->oversize, 1);
    /* a header block longer than max_message with no end: dropped, resync */
    char hdr[1500];
    size_t hn = (size_t)snprintf(hdr, sizeof hdr, "OPTIONS sip:x SIP/2.0\r\n");
    while (hn < 1000)
        hn += (size_t)snprintf(hdr + hn, sizeof hdr - hn, "X-Pad: aaaaaaaaaaaaaaaa\r\n");
    TCP(f, 12, 0, hdr, 200, 4);
    TCP(f, 12, 200, hdr + 200, hn - 200, 5);
    ck_assert_uint_eq(sip_framer_stats(f)->oversize, 2);
    TCP(f, 12, hn, "\r\n", 2, 6);
    TCP(f, 12, hn + 2, m2, n2, 7);
    ck_assert_int_eq(R.n, 2);
    ck_assert_str_eq(R.call_id[1], "after");
    sip_framer_free(f);
}
END_TEST

START_TEST(test_stream_cap_and_idle)
{
    sip_framer_t *f = mk(2, 0, 1000000);
    char m[800];
    size_t n = msg(m, sizeof m, "cap", "body");
    TCP(f, 21, 0, m, 20, 1);
    TCP(f, 22, 0, m, 20, 2);
    TCP(f, 23, 0, m, 20, 3); /* evicts 21, the least recently used */
    ck_assert_uint_eq(sip_framer_stats(f)->stream_evictions, 1);
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 1);
    TCP(f, 21, 20, m + 20, n - 20, 4); /* its beginning is gone */
    ck_assert_int_eq(R.n, 0);
    TCP(f, 22, 20, m + 20, n - 20, 5);
    ck_assert_int_eq(R.n, 1);
    /* idle timeout in capture time: 23 waits 1 s, then a packet 2 s later */
    TCP(f, 30, 0, "x", 0, 3 + 2000000); /* an empty packet only advances the clock */
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 2);
    TCP(f, 23, 20, m + 20, n - 20, 2000010);
    ck_assert_int_eq(R.n, 1);
    /* flush: partial messages are counted and dropped */
    TCP(f, 24, 0, m, 30, 2000020);
    sip_framer_flush(f);
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 3);
    TCP(f, 24, 30, m + 30, n - 30, 2000030);
    ck_assert_int_eq(R.n, 1);
    sip_framer_free(f);
}
END_TEST

/* ---- WebSocket ---- */

static size_t ws_frame(uint8_t *out, uint8_t b0, const void *payload, size_t n, bool mask,
                       int lenform)
{
    size_t h = 0;
    out[h++] = b0;
    uint8_t mb = mask ? 0x80 : 0;
    if (lenform == 7) {
        out[h++] = mb | (uint8_t)n;
    } else if (lenform == 16) {
        out[h++] = mb | 126;
        out[h++] = (uint8_t)(n >> 8);
        out[h++] = (uint8_t)n;
    } else {
        out[h++] = mb | 127;
        for (int i = 7; i >= 0; i--)
            out[h++] = (uint8_t)((uint64_t)n >> (8 * i));
    }
    static const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    if (mask) {
        memcpy(out + h, key, 4);
        h += 4;
    }
    for (size_t i = 0; i < n; i++)
        out[h + i] = ((const uint8_t *)payload)[i] ^ (mask ? key[i & 3] : 0);
    return h + n;
}

static const char GET[] = "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
static const char RESP[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n";

START_TEST(test_websocket)
{
    sip_framer_t *f = mk(0, 0, 0);
    static uint8_t buf[8192];
    char m[800], big[1200];
    size_t n = msg(m, sizeof m, "ws-small", "hi"); /* > 125: 16-bit length */
    char body[400];
    memset(body, 'w', sizeof body - 1);
    body[sizeof body - 1] = 0;
    size_t bn = msg(big, sizeof big, "ws-big", body);
    ck_assert_uint_gt(n, 125);

    /* client direction: handshake and a masked frame in one segment */
    size_t k = strlen(GET);
    memcpy(buf, GET, k);
    k += ws_frame(buf + k, 0x81, m, n, true, 16);
    TCP(f, 40, 0, buf, k, 1);
    ck_assert_int_eq(R.n, 1);
    ck_assert_int_eq(R.tr[0], SIP_TRANSPORT_WS);
    ck_assert_str_eq(R.call_id[0], "ws-small");
    ck_assert_str_eq(R.body[0], "hi");
    uint64_t off = k;

    /* server direction: 101 then an unmasked frame with a 64-bit length */
    size_t r = strlen(RESP);
    memcpy(buf, RESP, r);
    TCP(f, 41, 0, buf, r, 2);
    k = ws_frame(buf, 0x82, big, bn, false, 64);
    TCP(f, 41, r, buf, k, 3);
    ck_assert_int_eq(R.n, 2);
    ck_assert_str_eq(R.call_id[1], "ws-big");
    ck_assert_int_eq(R.tr[1], SIP_TRANSPORT_WS);

    /* fragmented: text (FIN=0) + ping + continuation (FIN=1), masked, split
     * across TCP segments in the middle of a frame header */
    size_t h1 = 50;
    k = ws_frame(buf, 0x01, m, h1, true, 7);
    k += ws_frame(buf + k, 0x89, "p", 1, true, 7);
    k += ws_frame(buf + k, 0x80, m + h1, n - h1, true, 16);
    TCP(f, 40, off, buf, 3, 4);
    TCP(f, 40, off + 3, buf + 3, 60, 5);
    ck_assert_int_eq(R.n, 2);
    TCP(f, 40, off + 63, buf + 63, k - 63, 6);
    ck_assert_int_eq(R.n, 3);
    ck_assert_str_eq(R.call_id[2], "ws-small");
    ck_assert_uint_eq(R.ts[2], 6);
    ck_assert_uint_eq(sip_framer_stats(f)->ws_frames, 5);

    /* a WebSocket connection whose handshake was not captured */
    k = ws_frame(buf, 0x81, m, n, true, 16);
    TCP(f, 42, 1000, buf, k, 7);
    ck_assert_int_eq(R.n, 4);
    ck_assert_int_eq(R.tr[3], SIP_TRANSPORT_WS);
    sip_framer_flush(f);
    ck_assert_uint_eq(sip_framer_stats(f)->truncated, 0);
    sip_framer_free(f);
}
END_TEST

START_TEST(test_ws_frame_parse)
{
    sip_ws_frame_t fr;
    uint8_t b[16] = {0x81, 0xfe, 0x01, 0x00, 1, 2, 3, 4};
    ck_assert_int_eq(sip_ws_frame_parse(b, 1, &fr), 0);
    ck_assert_int_eq(sip_ws_frame_parse(b, 7, &fr), 0); /* mask key incomplete */
    ck_assert_int_eq(sip_ws_frame_parse(b, 8, &fr), 1);
    ck_assert_uint_eq(fr.payload_len, 256);
    ck_assert_uint_eq(fr.hdr_len, 8);
    ck_assert(fr.masked && fr.fin);
    uint8_t h64[10] = {0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1};
    ck_assert_int_eq(sip_ws_frame_parse(h64, 10, &fr), -1); /* top bit of a 64-bit length */
    h64[2] = 0;
    ck_assert_int_eq(sip_ws_frame_parse(h64, 10, &fr), 1);
    ck_assert_uint_eq(fr.payload_len, 1);
    uint8_t rsv[2] = {0x83, 0};
    ck_assert_int_eq(sip_ws_frame_parse(rsv, 2, &fr), -1); /* reserved opcode */
    uint8_t ping[2] = {0x09, 0};                           /* fragmented control frame */
    ck_assert_int_eq(sip_ws_frame_parse(ping, 2, &fr), -1);
    size_t hl;
    ck_assert_int_eq(sip_ws_upgrade(GET, strlen(GET), &hl), 1);
    ck_assert_uint_eq(hl, strlen(GET));
    ck_assert_int_eq(sip_ws_upgrade(GET, 30, &hl), -1);
    ck_assert_int_eq(sip_ws_upgrade("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, &hl), 0);
    ck_assert_int_eq(sip_ws_upgrade(RESP, strlen(RESP), &hl), 1);
    ck_assert_int_eq(sip_ws_upgrade("HTTP/1.1 200 OK\r\n\r\n", 19, &hl), 0);
}
END_TEST

START_TEST(test_ws_oversize_frame)
{
    sip_framer_t *f = mk(0, 300, 0);
    static uint8_t buf[4096];
    char big[1200], m[800];
    char body[500];
    memset(body, 'q', sizeof body - 1);
    body[sizeof body - 1] = 0;
    size_t bn = msg(big, sizeof big, "too-big", body);
    size_t n = msg(m, sizeof m, "fits", "");
    TCP(f, 50, 0, RESP, strlen(RESP), 1);
    size_t k = ws_frame(buf, 0x81, big, bn, false, 16);
    size_t k2 = ws_frame(buf + k, 0x81, m, n, false, 16);
    TCP(f, 50, strlen(RESP), buf, 100, 2);
    TCP(f, 50, strlen(RESP) + 100, buf + 100, k + k2 - 100, 3);
    ck_assert_int_eq(R.n, 1);
    ck_assert_str_eq(R.call_id[0], "fits");
    ck_assert_uint_eq(sip_framer_stats(f)->oversize, 1);
    sip_framer_free(f);
}
END_TEST

/* ---- SCTP ---- */

static size_t sctp_chunk(uint8_t *out, uint8_t type, uint8_t flags, const void *p, size_t n)
{
    size_t hdr = type == 0 ? 16 : 4;
    size_t len = hdr + n;
    memset(out, 0, hdr);
    out[0] = type;
    out[1] = flags;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    if (type == 0) out[15] = 0; /* PPID 0 */
    memcpy(out + hdr, p, n);
    size_t padded = (len + 3) & ~(size_t)3;
    memset(out + len, 0, padded - len);
    return padded;
}

START_TEST(test_sctp)
{
    sip_framer_t *f = mk(0, 0, 0);
    static uint8_t buf[4096];
    char a[800], b[800];
    size_t na = msg(a, sizeof a, "s1", "x"); /* odd length: padding */
    size_t nb = msg(b, sizeof b, "s2", "yy");
    size_t k = 0;
    uint8_t sack[12] = {0};
    k += sctp_chunk(buf + k, 3, 0, sack, sizeof sack);
    k += sctp_chunk(buf + k, 0, 0x03, a, na);
    k += sctp_chunk(buf + k, 0, 0x02, b, 40); /* first fragment only */
    k += sctp_chunk(buf + k, 0, 0x03, b, nb);
    feed(f, SNB_TRANSPORT_SCTP, 0, 0, 0, buf, k, 1);
    ck_assert_int_eq(R.n, 2);
    ck_assert_str_eq(R.call_id[0], "s1");
    ck_assert_str_eq(R.body[0], "x");
    ck_assert_str_eq(R.call_id[1], "s2");
    ck_assert_int_eq(R.tr[1], SIP_TRANSPORT_SCTP);
    ck_assert_uint_eq(sip_framer_stats(f)->sctp_chunks, 3);
    ck_assert_uint_eq(sip_framer_stats(f)->sctp_fragments, 1);
    /* a chunk whose length runs past the data stops the walk */
    buf[2] = 0xff;
    feed(f, SNB_TRANSPORT_SCTP, 0, 0, 0, buf, k, 2);
    ck_assert_int_eq(R.n, 2);
    sip_framer_free(f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sip_framer");
    TCase *tc = tcase_create("framer");
    tcase_add_test(tc, test_udp);
    tcase_add_test(tc, test_tcp_several_in_one_segment);
    tcase_add_test(tc, test_tcp_across_segments);
    tcase_add_test(tc, test_tcp_garbage_then_message);
    tcase_add_test(tc, test_tcp_gap_resync);
    tcase_add_test(tc, test_tcp_oversize);
    tcase_add_test(tc, test_stream_cap_and_idle);
    tcase_add_test(tc, test_websocket);
    tcase_add_test(tc, test_ws_frame_parse);
    tcase_add_test(tc, test_ws_oversize_frame);
    tcase_add_test(tc, test_sctp);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
