/* Test frame builder and classic pcap writer (API in support.h). */
#include "support.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) abort();
    return p;
}

void snb_tb_init(snb_tb_t *b, const void *payload, size_t len)
{
    b->cap = len + 256;
    b->buf = xrealloc(NULL, b->cap);
    b->p = b->buf + 256;
    b->len = len;
    if (len) memcpy(b->p, payload, len);
}

void snb_tb_free(snb_tb_t *b)
{
    free(b->buf);
    memset(b, 0, sizeof(*b));
}

void snb_tb_prepend(snb_tb_t *b, const void *hdr, size_t n)
{
    size_t head = (size_t)(b->p - b->buf);
    if (head < n) {
        size_t ncap = b->cap + n + 256;
        uint8_t *nb = xrealloc(NULL, ncap);
        memcpy(nb + n + 256, b->p, b->len);
        free(b->buf);
        b->buf = nb;
        b->cap = ncap;
        b->p = nb + n + 256;
    }
    b->p -= n;
    b->len += n;
    memcpy(b->p, hdr, n);
}

void snb_tb_append(snb_tb_t *b, const void *data, size_t n)
{
    size_t head = (size_t)(b->p - b->buf);
    if (head + b->len + n > b->cap) {
        b->cap = head + b->len + n + 256;
        b->buf = xrealloc(b->buf, b->cap);
        b->p = b->buf + head;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void addr(int af, const char *s, uint8_t *out)
{
    if (inet_pton(af, s, out) != 1) abort();
}

void snb_tb_udp(snb_tb_t *b, uint16_t sport, uint16_t dport)
{
    uint8_t h[8] = {0};
    put16(h, sport);
    put16(h + 2, dport);
    put16(h + 4, (uint16_t)(b->len + 8));
    snb_tb_prepend(b, h, 8);
}

void snb_tb_tcp(snb_tb_t *b, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                uint8_t flags)
{
    uint8_t h[20] = {0};
    put16(h, sport);
    put16(h + 2, dport);
    put32(h + 4, seq);
    put32(h + 8, ack);
    h[12] = 5 << 4;
    h[13] = flags;
    put16(h + 14, 65535);
    snb_tb_prepend(b, h, 20);
}

void snb_tb_sctp(snb_tb_t *b, uint16_t sport, uint16_t dport)
{
    uint8_t h[12] = {0};
    put16(h, sport);
    put16(h + 2, dport);
    put32(h + 4, 0x01020304); /* verification tag */
    snb_tb_prepend(b, h, 12);
}

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

void snb_tb_ipv4_frag(snb_tb_t *b, const char *src, const char *dst, uint8_t proto, uint16_t id,
                      uint16_t off, bool more)
{
    uint8_t h[20] = {0};
    h[0] = 0x45;
    put16(h + 2, (uint16_t)(b->len + 20));
    put16(h + 4, id);
    put16(h + 6, (uint16_t)((off / 8) | (more ? 0x2000 : 0)));
    h[8] = 64;
    h[9] = proto;
    addr(AF_INET, src, h + 12);
    addr(AF_INET, dst, h + 16);
    put16(h + 10, ip_csum(h, 20));
    snb_tb_prepend(b, h, 20);
}

void snb_tb_ipv4(snb_tb_t *b, const char *src, const char *dst, uint8_t proto)
{
    snb_tb_ipv4_frag(b, src, dst, proto, 0x1234, 0, false);
    b->p[6] = 0x40; /* DF, as most stacks send */
    b->p[10] = b->p[11] = 0;
    put16(b->p + 10, ip_csum(b->p, 20));
}

void snb_tb_ipv6(snb_tb_t *b, const char *src, const char *dst, uint8_t nh)
{
    uint8_t h[40] = {0};
    h[0] = 0x60;
    put16(h + 4, (uint16_t)b->len);
    h[6] = nh;
    h[7] = 64;
    addr(AF_INET6, src, h + 8);
    addr(AF_INET6, dst, h + 24);
    snb_tb_prepend(b, h, 40);
}

void snb_tb_ipv6_ext(snb_tb_t *b, uint8_t nh, unsigned units)
{
    uint8_t h[8 * 256] = {0};
    size_t n = 8u * units;
    h[0] = nh;
    h[1] = (uint8_t)(units - 1);
    h[2] = 1; /* PadN */
    h[3] = (uint8_t)(n - 4);
    snb_tb_prepend(b, h, n);
}

void snb_tb_ipv6_frag(snb_tb_t *b, uint8_t nh, uint16_t off, bool more, uint32_t id)
{
    uint8_t h[8] = {0};
    h[0] = nh;
    put16(h + 2, (uint16_t)((off & 0xfff8) | (more ? 1 : 0)));
    put32(h + 4, id);
    snb_tb_prepend(b, h, 8);
}

void snb_tb_eth(snb_tb_t *b, uint16_t ethertype)
{
    uint8_t h[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    put16(h + 12, ethertype);
    snb_tb_prepend(b, h, 14);
}

void snb_tb_vlan(snb_tb_t *b, uint16_t vid, uint16_t inner_type)
{
    uint8_t h[4];
    put16(h, vid & 0x0fff);
    put16(h + 2, inner_type);
    snb_tb_prepend(b, h, 4);
}

void snb_tb_pppoe(snb_tb_t *b, uint16_t ppp_proto)
{
    uint8_t h[8] = {0x11, 0x00};
    put16(h + 2, 0x0042); /* session id */
    put16(h + 4, (uint16_t)(b->len + 2));
    put16(h + 6, ppp_proto);
    snb_tb_prepend(b, h, 8);
}

void snb_tb_sll(snb_tb_t *b, uint16_t proto)
{
    uint8_t h[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1};
    put16(h + 14, proto);
    snb_tb_prepend(b, h, 16);
}

void snb_tb_sll2(snb_tb_t *b, uint16_t proto)
{
    uint8_t h[20] = {0};
    put16(h, proto);
    put32(h + 4, 2); /* ifindex */
    put16(h + 8, 1); /* ARPHRD_ETHER */
    h[10] = 0;       /* to us */
    h[11] = 6;
    h[12] = 2;
    snb_tb_prepend(b, h, 20);
}

void snb_tb_null(snb_tb_t *b, uint32_t af, bool big_endian)
{
    uint8_t h[4];
    if (big_endian) {
        put32(h, af);
    } else {
        h[0] = (uint8_t)af;
        h[1] = (uint8_t)(af >> 8);
        h[2] = (uint8_t)(af >> 16);
        h[3] = (uint8_t)(af >> 24);
    }
    snb_tb_prepend(b, h, 4);
}

void snb_tb_gre(snb_tb_t *b, uint16_t proto, uint16_t flags, uint32_t key, uint32_t seq)
{
    uint8_t h[16] = {0};
    size_t n = 4;
    put16(h, flags & (SNB_GRE_CSUM | SNB_GRE_KEY | SNB_GRE_SEQ));
    put16(h + 2, proto);
    if (flags & SNB_GRE_CSUM) n += 4; /* checksum 0 + reserved */
    if (flags & SNB_GRE_KEY) {
        put32(h + n, key);
        n += 4;
    }
    if (flags & SNB_GRE_SEQ) {
        put32(h + n, seq);
        n += 4;
    }
    snb_tb_prepend(b, h, n);
}

void snb_tb_ppp(snb_tb_t *b, uint16_t proto, bool address_control, bool short_proto)
{
    uint8_t h[4];
    size_t n = 0;
    if (address_control) {
        h[n++] = 0xff;
        h[n++] = 0x03;
    }
    if (short_proto) {
        h[n++] = (uint8_t)proto;
    } else {
        put16(h + n, proto);
        n += 2;
    }
    snb_tb_prepend(b, h, n);
}

void snb_tb_gre_enhanced(snb_tb_t *b, uint16_t call_id, bool seq, uint32_t seq_no, bool ack,
                         uint32_t ack_no)
{
    uint8_t h[16] = {0};
    size_t n = 8;
    put16(h, (uint16_t)(SNB_GRE_KEY | (seq ? SNB_GRE_SEQ : 0) | (ack ? 0x0080 : 0) | 1));
    put16(h + 2, 0x880b);
    put16(h + 4, (uint16_t)b->len); /* payload length */
    put16(h + 6, call_id);
    if (seq) {
        put32(h + n, seq_no);
        n += 4;
    }
    if (ack) {
        put32(h + n, ack_no);
        n += 4;
    }
    snb_tb_prepend(b, h, n);
}

void snb_tb_erspan2(snb_tb_t *b, uint16_t session)
{
    uint8_t h[8] = {0};
    put16(h, 0x1000); /* version 1, vlan 0 */
    put16(h + 2, session & 0x3ff);
    snb_tb_prepend(b, h, 8);
}

void snb_tb_erspan3(snb_tb_t *b, uint16_t session, bool o)
{
    uint8_t h[20] = {0};
    put16(h, 0x2000); /* version 2 */
    put16(h + 2, session & 0x3ff);
    put32(h + 4, 0xdeadbeef); /* timestamp */
    h[11] = o ? 1 : 0;
    if (o) memset(h + 12, 0xaa, 8); /* platform-specific subheader */
    snb_tb_prepend(b, h, o ? 20 : 12);
}

void snb_tb_vxlan(snb_tb_t *b, uint32_t vni)
{
    uint8_t h[8] = {0x08};
    h[4] = (uint8_t)(vni >> 16);
    h[5] = (uint8_t)(vni >> 8);
    h[6] = (uint8_t)vni;
    snb_tb_prepend(b, h, 8);
}

size_t snb_ipv4_fragment(const uint8_t *dgram, size_t len, size_t chunk, uint16_t id, snb_tb_t *out,
                         size_t max)
{
    size_t hl = (size_t)(dgram[0] & 0x0f) * 4;
    size_t plen = len - hl;
    chunk &= ~(size_t)7;
    size_t n = 0;
    for (size_t off = 0; off < plen && n < max; off += chunk, n++) {
        size_t m = plen - off < chunk ? plen - off : chunk;
        snb_tb_init(&out[n], dgram + hl + off, m);
        uint8_t h[60];
        memcpy(h, dgram, hl);
        put16(h + 2, (uint16_t)(hl + m));
        put16(h + 4, id);
        put16(h + 6, (uint16_t)((off / 8) | (off + m < plen ? 0x2000 : 0)));
        h[10] = h[11] = 0;
        put16(h + 10, ip_csum(h, hl));
        snb_tb_prepend(&out[n], h, hl);
    }
    return n;
}

size_t snb_ipv6_fragment(const uint8_t *pkt, size_t len, size_t chunk, uint32_t id, snb_tb_t *out,
                         size_t max)
{
    size_t plen = len - 40;
    chunk &= ~(size_t)7;
    size_t n = 0;
    for (size_t off = 0; off < plen && n < max; off += chunk, n++) {
        size_t m = plen - off < chunk ? plen - off : chunk;
        snb_tb_init(&out[n], pkt + 40 + off, m);
        snb_tb_ipv6_frag(&out[n], pkt[6], (uint16_t)off, off + m < plen, id);
        uint8_t h[40];
        memcpy(h, pkt, 40);
        put16(h + 4, (uint16_t)(m + 8));
        h[6] = 44;
        snb_tb_prepend(&out[n], h, 40);
    }
    return n;
}

FILE *snb_pcapw_open(const char *path, int linktype)
{
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t zone;
        uint32_t sigfigs, snaplen, linktype;
    } h = {0xa1b2c3d4, 2, 4, 0, 0, 262144, (uint32_t)linktype};
    if (fwrite(&h, sizeof(h), 1, f) != 1) {
        fclose(f);
        return NULL;
    }
    return f;
}

int snb_pcapw_put(FILE *f, uint64_t ts_us, const void *data, size_t len)
{
    uint32_t h[4] = {(uint32_t)(ts_us / 1000000), (uint32_t)(ts_us % 1000000), (uint32_t)len,
                     (uint32_t)len};
    if (fwrite(h, sizeof(h), 1, f) != 1 || (len && fwrite(data, len, 1, f) != 1)) return -1;
    return 0;
}

int snb_pcapw_close(FILE *f)
{
    return fclose(f) == 0 ? 0 : -1;
}
