#include "sec_reply.h"

#include <stdio.h>
#include <string.h>

static const char *reason_of(int status)
{
    switch (status) {
    case 100:
        return "Trying";
    case 180:
        return "Ringing";
    case 200:
        return "OK";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 486:
        return "Busy Here";
    case 503:
        return "Service Unavailable";
    case 603:
        return "Decline";
    default:
        return status < 300 ? "OK" : status < 400 ? "Redirect" : "Error";
    }
}

/* Append "Name: value\r\n" with the value cut at the first CR or LF. */
static bool put_header(char *buf, size_t size, size_t *n, const char *name, snb_str_t v,
                       const char *suffix)
{
    size_t len = 0;
    while (v.p && len < v.len && v.p[len] != '\r' && v.p[len] != '\n')
        len++;
    int w = snprintf(buf + *n, size - *n, "%s: %.*s%s\r\n", name, (int)len, v.p ? v.p : "",
                     suffix ? suffix : "");
    if (w < 0 || (size_t)w >= size - *n) return false;
    *n += (size_t)w;
    return true;
}

size_t sec_reply_sip(const sec_reply_req_t *req, int status, char *buf, size_t size)
{
    if (!req->n_via || !req->from.p || !req->to.p || !req->call_id.p || !req->cseq.p) return 0;
    size_t n = 0;
    int w = snprintf(buf, size, "SIP/2.0 %d %s\r\n", status, reason_of(status));
    if (w < 0 || (size_t)w >= size) return 0;
    n = (size_t)w;
    bool ok = true;
    for (unsigned i = 0; i < req->n_via && i < SEC_REPLY_MAX_VIA && ok; i++)
        ok = put_header(buf, size, &n, "Via", req->via[i], NULL);
    ok = ok && put_header(buf, size, &n, "From", req->from, NULL);
    ok = ok && put_header(buf, size, &n, "To", req->to, req->to_has_tag ? NULL : ";tag=sipnab");
    ok = ok && put_header(buf, size, &n, "Call-ID", req->call_id, NULL);
    ok = ok && put_header(buf, size, &n, "CSeq", req->cseq, NULL);
    ok = ok && put_header(buf, size, &n, "Content-Length", snb_str("0", 1), NULL);
    if (!ok || n + 2 >= size) return 0;
    buf[n++] = '\r';
    buf[n++] = '\n';
    buf[n] = '\0';
    return n;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t acc)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1) acc += (uint32_t)(p[len - 1] << 8);
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

size_t sec_reply_datagram(const snb_addr_t *src, uint16_t sport, const snb_addr_t *dst,
                          uint16_t dport, const void *payload, size_t len, uint8_t *buf,
                          size_t size)
{
    if (src->family != dst->family || (src->family != 4 && src->family != 6)) return 0;
    size_t ip = src->family == 4 ? 20 : 40, udp_len = 8 + len;
    if (udp_len > 65535 || ip + udp_len > size) return 0;
    memset(buf, 0, ip + 8);
    uint8_t *u = buf + ip;
    uint32_t pseudo = 0;
    if (src->family == 4) {
        buf[0] = 0x45;
        put16(buf + 2, (uint16_t)(ip + udp_len));
        buf[6] = 0x40; /* don't fragment */
        buf[8] = 64;   /* TTL */
        buf[9] = 17;   /* UDP */
        memcpy(buf + 12, src->a, 4);
        memcpy(buf + 16, dst->a, 4);
        put16(buf + 10, fold(sum16(buf, 20, 0)));
        pseudo = sum16(src->a, 4, 0);
        pseudo = sum16(dst->a, 4, pseudo);
        pseudo += 17 + (uint32_t)udp_len;
    } else {
        buf[0] = 0x60;
        put16(buf + 4, (uint16_t)udp_len);
        buf[6] = 17; /* next header: UDP */
        buf[7] = 64; /* hop limit */
        memcpy(buf + 8, src->a, 16);
        memcpy(buf + 24, dst->a, 16);
        pseudo = sum16(src->a, 16, 0);
        pseudo = sum16(dst->a, 16, pseudo);
        pseudo += 17 + (uint32_t)udp_len;
    }
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)udp_len);
    memcpy(u + 8, payload, len);
    uint16_t c = fold(sum16(u, udp_len, pseudo));
    put16(u + 6, c ? c : 0xffff); /* 0 means "no checksum" in UDP */
    return ip + udp_len;
}
