/* HEP codec: v3 chunks byte by byte, lying lengths, gzip, v1/v2, encode
 * round trips, and real captures (sngrep 1.6.0 HEP3/HEP2, hep3-sngrep-aaa). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check_run.h"
#include "decoder.h"
#include "hep_codec.h"
#include "support.h"

#define DATA SNB_TEST_DATA_DIR

/* ---- a byte-by-byte HEP3 builder ----------------------------------------- */

typedef struct hb {
    uint8_t b[70000];
    size_t n;
} hb_t;

static void hb_init(hb_t *h)
{
    memcpy(h->b, "HEP3\0\0", 6);
    h->n = 6;
}

static void hb_raw(hb_t *h, const void *p, size_t n)
{
    ck_assert_uint_le(h->n + n, sizeof(h->b));
    memcpy(h->b + h->n, p, n);
    h->n += n;
}

/* A chunk whose length field says clen (normally 6 + n). */
static void hb_chunk_len(hb_t *h, uint16_t vendor, uint16_t type, uint16_t clen, const void *body,
                         size_t n)
{
    uint8_t c[6] = {(uint8_t)(vendor >> 8), (uint8_t)vendor,      (uint8_t)(type >> 8),
                    (uint8_t)type,          (uint8_t)(clen >> 8), (uint8_t)clen};
    hb_raw(h, c, 6);
    if (n) hb_raw(h, body, n);
}

static void hb_chunk(hb_t *h, uint16_t type, const void *body, size_t n)
{
    hb_chunk_len(h, 0, type, (uint16_t)(6 + n), body, n);
}

static void hb_u8(hb_t *h, uint16_t type, uint8_t v)
{
    hb_chunk(h, type, &v, 1);
}

static void hb_u16(hb_t *h, uint16_t type, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    hb_chunk(h, type, b, 2);
}

static void hb_u32(hb_t *h, uint16_t type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    hb_chunk(h, type, b, 4);
}

static void hb_fin(hb_t *h)
{
    h->b[4] = (uint8_t)(h->n >> 8);
    h->b[5] = (uint8_t)h->n;
}

static const uint8_t SRC4[4] = {10, 0, 0, 1}, DST4[4] = {192, 168, 7, 9};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t DST6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0x99};
static const char SIP[] = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n";

/* The common v4 head: chunks 1-4, 7-12. */
static void hb_basic4(hb_t *h)
{
    hb_init(h);
    hb_u8(h, 0x0001, 2);
    hb_u8(h, 0x0002, 17);
    hb_chunk(h, 0x0003, SRC4, 4);
    hb_chunk(h, 0x0004, DST4, 4);
    hb_u16(h, 0x0007, 5060);
    hb_u16(h, 0x0008, 5080);
    hb_u32(h, 0x0009, 1700000000u);
    hb_u32(h, 0x000a, 123456u);
    hb_u8(h, 0x000b, 1);
    hb_u32(h, 0x000c, 0x01020304u);
}

/* Decode from an exact-size heap copy so ASan catches any over-read. The
 * copy lives on (a ring of 4) so the zero-copy slices stay readable. */
static uint8_t *copies[4];
static unsigned copy_next;

static int dec_copy(const uint8_t *d, size_t n, hep_packet_t *p, uint8_t *scratch, size_t sl)
{
    unsigned slot = copy_next++ % 4;
    free(copies[slot]);
    uint8_t *c = copies[slot] = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(c);
    memcpy(c, d, n);
    return hep_decode(c, n, p, scratch, sl);
}

static uint8_t scratch[65536];

START_TEST(v3_every_chunk)
{
    hb_t h;
    hb_basic4(&h);
    hb_u16(&h, 0x000d, 30);
    hb_chunk(&h, 0x000e, "secret", 6);
    hb_chunk(&h, 0x0011, "call-1@x", 8);
    hb_u16(&h, 0x0012, 101);
    hb_chunk(&h, 0x0013, "node-a", 6);
    hb_chunk(&h, 0x000f, SIP, strlen(SIP));
    hb_fin(&h);
    hep_packet_t p;
    ck_assert_int_eq(hep_decode(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_uint_eq(p.version, 3);
    ck_assert_uint_eq(p.ip_family, 4);
    ck_assert_uint_eq(p.ip_proto, 17);
    ck_assert_uint_eq(p.src.family, 4);
    ck_assert_mem_eq(p.src.a, SRC4, 4);
    ck_assert_mem_eq(p.dst.a, DST4, 4);
    ck_assert_uint_eq(p.sport, 5060);
    ck_assert_uint_eq(p.dport, 5080);
    ck_assert_uint_eq(p.ts_sec, 1700000000u);
    ck_assert_uint_eq(p.ts_usec, 123456u);
    ck_assert_uint_eq(p.proto_type, HEP_PROTO_SIP);
    ck_assert_uint_eq(p.capture_id, 0x01020304u);
    ck_assert_uint_eq(p.keepalive, 30);
    ck_assert_uint_eq(p.auth_key_len, 6);
    ck_assert_mem_eq(p.auth_key, "secret", 6);
    ck_assert_uint_eq(p.correlation_id_len, 8);
    ck_assert_mem_eq(p.correlation_id, "call-1@x", 8);
    ck_assert_uint_eq(p.vlan, 101);
    ck_assert_uint_eq(p.node_name_len, 6);
    ck_assert_mem_eq(p.node_name, "node-a", 6);
    ck_assert_uint_eq(p.payload_len, strlen(SIP));
    ck_assert_mem_eq(p.payload, SIP, strlen(SIP));
    ck_assert(p.payload >= h.b && p.payload < h.b + h.n); /* zero-copy */
    ck_assert(!p.payload_compressed);
    ck_assert_uint_eq(p.unknown_chunks, 0);
}
END_TEST

START_TEST(v3_ipv6_and_types)
{
    hb_t h;
    hb_init(&h);
    hb_u8(&h, 0x0001, 10);
    hb_u8(&h, 0x0002, 132);
    hb_chunk(&h, 0x0005, SRC6, 16);
    hb_chunk(&h, 0x0006, DST6, 16);
    hb_u8(&h, 0x000b, HEP_PROTO_RTCP_JSON);
    hb_u16(&h, 0x000c, 2002); /* legacy 16-bit capture id */
    hb_chunk(&h, 0x000f, "{}", 2);
    hb_fin(&h);
    hep_packet_t p;
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_uint_eq(p.ip_family, 6);
    ck_assert_uint_eq(p.ip_proto, 132);
    ck_assert_mem_eq(p.src.a, SRC6, 16);
    ck_assert_mem_eq(p.dst.a, DST6, 16);
    ck_assert_uint_eq(p.proto_type, 5);
    ck_assert_uint_eq(p.capture_id, 2002);
    ck_assert_uint_eq(p.sport, 0); /* absent chunks stay 0 */
    ck_assert_ptr_null(p.auth_key);
    ck_assert_ptr_null(p.correlation_id);
    ck_assert_ptr_null(p.node_name);
}
END_TEST

START_TEST(v3_unknown_chunks_skipped)
{
    hb_t h;
    hb_basic4(&h);
    hb_chunk_len(&h, 0x0003 /* vendor Kamailio */, 0x0001, 6 + 3, "abc", 3);
    hb_chunk_len(&h, 0xffff, 0x000f, 6 + 4, "fake", 4); /* vendor 0x000f is not the payload */
    hb_chunk(&h, 0x0020, "x", 1);                       /* unknown generic type */
    hb_chunk(&h, 0x0000, "", 0);                        /* generic type 0 */
    hb_chunk(&h, 0x000f, SIP, strlen(SIP));
    hb_chunk_len(&h, 0x0004, 0x0099, 6, NULL, 0);
    hb_fin(&h);
    hep_packet_t p;
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_uint_eq(p.unknown_chunks, 5);
    ck_assert_uint_eq(p.payload_len, strlen(SIP));
    ck_assert_mem_eq(p.payload, SIP, strlen(SIP));
}
END_TEST

static size_t gzip_buf(const void *in, size_t n, uint8_t *out, size_t cap, int wbits)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t r = zs.total_out;
    deflateEnd(&zs);
    return r;
}

START_TEST(v3_gzip_payload)
{
    char big[4000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = "SIP/2.0 200 OK\r\nVia: x\r\n"[i % 24];
    static const int wbits[] = {15 + 16, 15, -15}; /* gzip, zlib, raw deflate */
    for (int w = 0; w < 3; w++) {
        uint8_t gz[8192];
        size_t gn = gzip_buf(big, sizeof(big), gz, sizeof(gz), wbits[w]);
        ck_assert_uint_lt(gn, sizeof(big));
        hb_t h;
        hb_basic4(&h);
        hb_chunk(&h, 0x0010, gz, gn);
        hb_fin(&h);
        hep_packet_t p;
        ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_OK);
        ck_assert(p.payload_compressed);
        ck_assert_ptr_eq(p.payload, scratch);
        ck_assert_uint_eq(p.payload_len, sizeof(big));
        ck_assert_mem_eq(p.payload, big, sizeof(big));
        /* Scratch too small (or none): an error, not a partial payload. */
        uint8_t small[100];
        ck_assert_int_eq(dec_copy(h.b, h.n, &p, small, sizeof(small)), HEP_TOO_BIG);
        ck_assert_int_eq(dec_copy(h.b, h.n, &p, NULL, 0), HEP_TOO_BIG);
        /* A scratch of exactly the inflated size is enough. */
        uint8_t *exact = malloc(sizeof(big));
        ck_assert_int_eq(dec_copy(h.b, h.n, &p, exact, sizeof(big)), HEP_OK);
        ck_assert_mem_eq(p.payload, big, sizeof(big));
        free(exact);
    }
    /* Garbage and a truncated gzip stream. */
    uint8_t gz[8192];
    size_t gn = gzip_buf(SIP, strlen(SIP), gz, sizeof(gz), 15 + 16);
    hb_t h;
    hb_basic4(&h);
    hb_chunk(&h, 0x0010, gz, gn / 2);
    hb_fin(&h);
    hep_packet_t p;
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_INFLATE);
    hb_basic4(&h);
    hb_chunk(&h, 0x0010, "\xff\xfe\xfd\xfc not gzip", 13);
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_INFLATE);
}
END_TEST

START_TEST(v3_lying_lengths)
{
    hb_t h;
    hep_packet_t p;
    hb_basic4(&h);
    hb_chunk(&h, 0x000f, SIP, strlen(SIP));
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_OK);

    /* Total length beyond the buffer. */
    hb_t t = h;
    t.b[4] = (uint8_t)((h.n + 1) >> 8);
    t.b[5] = (uint8_t)(h.n + 1);
    ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_TRUNCATED);
    t.b[4] = t.b[5] = 0xff;
    ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_TRUNCATED);
    /* Total length below the header. */
    for (int v = 0; v < 6; v++) {
        t.b[4] = 0;
        t.b[5] = (uint8_t)v;
        ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_LENGTH);
    }
    /* Total length that ends inside a chunk header / body. */
    t = h;
    t.b[4] = 0;
    t.b[5] = 6 + 3;
    ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_CHUNK);
    t.b[5] = 6 + 6;
    ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_CHUNK);
    /* A shorter total length that ends on a chunk boundary: trailing bytes
     * ignored, but then the payload and addresses are gone. */
    t.b[5] = 6 + 7;
    ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_MISSING);

    /* Chunk lengths 0..5, and past the end. */
    for (uint16_t cl = 0; cl < 6; cl++) {
        hb_basic4(&t);
        hb_chunk_len(&t, 0, 0x000f, cl, SIP, strlen(SIP));
        hb_fin(&t);
        ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_CHUNK);
        hb_basic4(&t);
        hb_chunk_len(&t, 0x1234, 0x0001, cl, NULL, 0); /* vendor chunks too */
        hb_chunk(&t, 0x000f, SIP, strlen(SIP));
        hb_fin(&t);
        ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_CHUNK);
    }
    hb_basic4(&t);
    hb_chunk_len(&t, 0, 0x000f, (uint16_t)(6 + strlen(SIP) + 1), SIP, strlen(SIP));
    hb_fin(&t);
    ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_CHUNK);
    hb_basic4(&t);
    hb_chunk_len(&t, 0, 0x000f, 0xffff, SIP, strlen(SIP));
    hb_fin(&t);
    ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_CHUNK);

    /* Fixed-size chunks with the wrong body size. */
    static const struct {
        uint16_t type;
        size_t n;
    } bad[] = {{0x0001, 2}, {0x0002, 0}, {0x0003, 16}, {0x0005, 4}, {0x0007, 4},
               {0x0009, 2}, {0x000a, 8}, {0x000b, 4},  {0x000c, 3}, {0x0012, 1}};
    static const uint8_t zeros[16];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hb_basic4(&t);
        hb_chunk(&t, bad[i].type, zeros, bad[i].n);
        hb_chunk(&t, 0x000f, SIP, strlen(SIP));
        hb_fin(&t);
        ck_assert_int_eq(dec_copy(t.b, t.n, &p, scratch, sizeof(scratch)), HEP_BAD_CHUNK);
    }
}
END_TEST

START_TEST(v3_missing_parts)
{
    hb_t h;
    hep_packet_t p;
    hb_basic4(&h); /* no payload */
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_MISSING);
    hb_init(&h); /* no addresses */
    hb_chunk(&h, 0x000f, SIP, strlen(SIP));
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_MISSING);
    hb_init(&h); /* only a source */
    hb_chunk(&h, 0x0003, SRC4, 4);
    hb_chunk(&h, 0x000f, SIP, strlen(SIP));
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_MISSING);
    hb_init(&h); /* mixed families */
    hb_chunk(&h, 0x0003, SRC4, 4);
    hb_chunk(&h, 0x0006, DST6, 16);
    hb_chunk(&h, 0x000f, SIP, strlen(SIP));
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_MISSING);
    hb_init(&h); /* a bare header */
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_MISSING);
    /* An empty payload chunk is a payload (of 0 bytes). */
    hb_basic4(&h);
    hb_chunk(&h, 0x000f, NULL, 0);
    hb_fin(&h);
    ck_assert_int_eq(dec_copy(h.b, h.n, &p, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_uint_eq(p.payload_len, 0);
    /* Not HEP at all. */
    ck_assert_int_eq(hep_decode((const uint8_t *)SIP, strlen(SIP), &p, NULL, 0), HEP_NOT_HEP);
    ck_assert_int_eq(hep_decode((const uint8_t *)"HEP", 3, &p, NULL, 0), HEP_TRUNCATED);
    ck_assert_int_eq(hep_decode((const uint8_t *)"HEP3\0", 5, &p, NULL, 0), HEP_TRUNCATED);
    ck_assert_int_eq(hep_decode((const uint8_t *)"X", 1, &p, NULL, 0), HEP_NOT_HEP);
    ck_assert_int_eq(hep_decode(NULL, 0, &p, NULL, 0), HEP_NOT_HEP);
}
END_TEST

START_TEST(v3_nested)
{
    /* The inner packet is just payload bytes; decode returns the outer. */
    hb_t inner, outer;
    hb_init(&inner);
    hb_u8(&inner, 0x0001, 10);
    hb_chunk(&inner, 0x0005, SRC6, 16);
    hb_chunk(&inner, 0x0006, DST6, 16);
    hb_chunk(&inner, 0x000f, SIP, strlen(SIP));
    hb_fin(&inner);
    hb_basic4(&outer);
    hb_chunk(&outer, 0x000f, inner.b, inner.n);
    hb_fin(&outer);
    hep_packet_t p;
    ck_assert_int_eq(dec_copy(outer.b, outer.n, &p, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_uint_eq(p.ip_family, 4);
    ck_assert_mem_eq(p.src.a, SRC4, 4);
    ck_assert_uint_eq(p.payload_len, inner.n);
    ck_assert_mem_eq(p.payload, inner.b, inner.n);
    hep_packet_t q;
    ck_assert_int_eq(hep_decode(p.payload, p.payload_len, &q, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_uint_eq(q.ip_family, 6);
    ck_assert_mem_eq(q.payload, SIP, strlen(SIP));
}
END_TEST

/* ---- v1 / v2 ------------------------------------------------------------ */

static size_t build_v12(uint8_t *b, int version, int fam, const char *payload)
{
    size_t n = 0;
    size_t alen = fam == 2 ? 4 : 16;
    b[n++] = (uint8_t)version;
    b[n++] = (uint8_t)(8 + 2 * alen); /* hp_l as Kamailio writes it */
    b[n++] = (uint8_t)fam;
    b[n++] = 6; /* TCP */
    b[n++] = 0x13;
    b[n++] = 0xc4; /* 5060 */
    b[n++] = 0x16;
    b[n++] = 0x2e; /* 5678 */
    memcpy(b + n, fam == 2 ? SRC4 : SRC6, alen);
    n += alen;
    memcpy(b + n, fam == 2 ? DST4 : DST6, alen);
    n += alen;
    if (version == 2) {
        /* tv_sec 0x65432100, tv_usec 999999, captid 2001, 2 pad; little endian */
        static const uint8_t t[12] = {0x00, 0x21, 0x43, 0x65, 0x3f, 0x42,
                                      0x0f, 0x00, 0xd1, 0x07, 0xaa, 0xbb};
        memcpy(b + n, t, 12);
        n += 12;
    }
    memcpy(b + n, payload, strlen(payload));
    return n + strlen(payload);
}

START_TEST(v12_ipv4_ipv6)
{
    uint8_t b[256];
    hep_packet_t p;
    for (int v = 1; v <= 2; v++) {
        for (int fam = 2; fam <= 10; fam += 8) {
            size_t n = build_v12(b, v, fam, SIP);
            size_t alen = fam == 2 ? 4 : 16;
            size_t hdr = 8 + 2 * alen + (v == 2 ? 12 : 0);
            ck_assert(hep_looks_like(b, n));
            ck_assert_int_eq(hep_frame_length(b, n), (long)n);
            ck_assert_int_eq(dec_copy(b, n, &p, NULL, 0), HEP_OK);
            ck_assert_uint_eq(p.version, v);
            ck_assert_uint_eq(p.ip_family, fam == 2 ? 4 : 6);
            ck_assert_uint_eq(p.src.family, p.ip_family);
            ck_assert_uint_eq(p.ip_proto, 6);
            ck_assert_mem_eq(p.src.a, fam == 2 ? SRC4 : SRC6, alen);
            ck_assert_mem_eq(p.dst.a, fam == 2 ? DST4 : DST6, alen);
            ck_assert_uint_eq(p.sport, 5060);
            ck_assert_uint_eq(p.dport, 5678);
            ck_assert_uint_eq(p.ts_sec, v == 2 ? 0x65432100u : 0);
            ck_assert_uint_eq(p.ts_usec, v == 2 ? 999999u : 0);
            ck_assert_uint_eq(p.capture_id, v == 2 ? 2001u : 0);
            ck_assert_uint_eq(p.proto_type, HEP_PROTO_SIP);
            ck_assert_uint_eq(p.payload_len, strlen(SIP));
            ck_assert_mem_eq(p.payload, SIP, strlen(SIP));
            /* Every prefix up to the header is an error; after it, v1/v2 are
             * not self-delimiting and a shorter payload is still a packet. */
            for (size_t k = 0; k <= hdr; k++)
                ck_assert_int_ne(dec_copy(b, k, &p, NULL, 0), HEP_OK);
            ck_assert_int_eq(dec_copy(b, hdr, &p, NULL, 0), HEP_MISSING);
        }
    }
    /* Unknown family / version. */
    size_t n = build_v12(b, 2, 2, SIP);
    b[2] = 7;
    ck_assert(!hep_looks_like(b, n));
    ck_assert_int_eq(dec_copy(b, n, &p, NULL, 0), HEP_NOT_HEP);
    ck_assert_int_eq(hep_frame_length(b, n), HEP_NOT_HEP);
    b[2] = 2;
    b[0] = 4;
    ck_assert_int_eq(dec_copy(b, n, &p, NULL, 0), HEP_NOT_HEP);
}
END_TEST

/* ---- encode ------------------------------------------------------------- */

static hep_packet_t full_packet(const uint8_t *payload, uint32_t len)
{
    hep_packet_t in;
    memset(&in, 0, sizeof(in));
    in.ip_proto = 6;
    in.src.family = in.dst.family = 6;
    memcpy(in.src.a, SRC6, 16);
    memcpy(in.dst.a, DST6, 16);
    in.sport = 5061;
    in.dport = 40000;
    in.ts_sec = 1234567890u;
    in.ts_usec = 654321u;
    in.proto_type = HEP_PROTO_SIP;
    in.capture_id = 0xdeadbeefu;
    in.keepalive = 15;
    in.auth_key = "myHep";
    in.auth_key_len = 5;
    in.correlation_id = "abc-123";
    in.correlation_id_len = 7;
    in.vlan = 4094;
    in.node_name = "edge1";
    in.node_name_len = 5;
    in.payload = payload;
    in.payload_len = len;
    return in;
}

static void assert_same(const hep_packet_t *a, const hep_packet_t *b)
{
    ck_assert_uint_eq(a->ip_proto, b->ip_proto);
    ck_assert_uint_eq(a->src.family, b->src.family);
    ck_assert_mem_eq(a->src.a, b->src.a, a->src.family == 4 ? 4 : 16);
    ck_assert_mem_eq(a->dst.a, b->dst.a, a->dst.family == 4 ? 4 : 16);
    ck_assert_uint_eq(a->sport, b->sport);
    ck_assert_uint_eq(a->dport, b->dport);
    ck_assert_uint_eq(a->ts_sec, b->ts_sec);
    ck_assert_uint_eq(a->ts_usec, b->ts_usec);
    ck_assert_uint_eq(a->proto_type, b->proto_type);
    ck_assert_uint_eq(a->capture_id, b->capture_id);
    ck_assert_uint_eq(a->keepalive, b->keepalive);
    ck_assert_uint_eq(a->vlan, b->vlan);
    ck_assert_uint_eq(a->auth_key_len, b->auth_key_len);
    ck_assert_uint_eq(!a->auth_key, !b->auth_key);
    if (a->auth_key_len) ck_assert_mem_eq(a->auth_key, b->auth_key, a->auth_key_len);
    ck_assert_uint_eq(a->correlation_id_len, b->correlation_id_len);
    if (a->correlation_id_len)
        ck_assert_mem_eq(a->correlation_id, b->correlation_id, a->correlation_id_len);
    ck_assert_uint_eq(a->node_name_len, b->node_name_len);
    if (a->node_name_len) ck_assert_mem_eq(a->node_name, b->node_name, a->node_name_len);
    ck_assert_uint_eq(a->payload_len, b->payload_len);
    if (a->payload_len) ck_assert_mem_eq(a->payload, b->payload, a->payload_len);
}

START_TEST(encode_round_trip)
{
    static uint8_t payload[3000];
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t) "INVITE sip:bob@example.com SIP/2.0\r\n"[i % 36];
    hep_packet_t in = full_packet(payload, sizeof(payload));
    static uint8_t buf[70000];
    long raw = hep_encode_v3(&in, false, buf, sizeof(buf));
    ck_assert_int_eq(raw, hep_encoded_size_v3(&in));
    ck_assert_int_gt(raw, (long)sizeof(payload));
    ck_assert_mem_eq(buf, "HEP3", 4);
    ck_assert_int_eq((buf[4] << 8) | buf[5], raw);
    ck_assert(hep_looks_like(buf, (size_t)raw));
    ck_assert_int_eq(hep_frame_length(buf, (size_t)raw), raw);
    hep_packet_t out;
    ck_assert_int_eq(dec_copy(buf, (size_t)raw, &out, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_uint_eq(out.version, 3);
    ck_assert_uint_eq(out.ip_family, 6);
    ck_assert(!out.payload_compressed);
    ck_assert_uint_eq(out.unknown_chunks, 0);
    hep_packet_t again;
    ck_assert_int_eq(hep_decode(buf, (size_t)raw, &again, scratch, sizeof(scratch)), HEP_OK);
    assert_same(&in, &again);

    /* Compressed: smaller, flagged, same content. */
    static uint8_t zbuf[70000];
    long z = hep_encode_v3(&in, true, zbuf, sizeof(zbuf));
    ck_assert_int_gt(z, 0);
    ck_assert_int_lt(z, raw - 1000);
    ck_assert_int_eq(hep_decode(zbuf, (size_t)z, &again, scratch, sizeof(scratch)), HEP_OK);
    ck_assert(again.payload_compressed);
    assert_same(&in, &again);

    /* Incompressible (and empty) payloads fall back to chunk 0x000f. */
    uint8_t noise[64];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(noise); i++) {
        x = x * 1103515245u + 12345u;
        noise[i] = (uint8_t)(x >> 16);
    }
    in = full_packet(noise, sizeof(noise));
    z = hep_encode_v3(&in, true, zbuf, sizeof(zbuf));
    ck_assert_int_eq(z, hep_encoded_size_v3(&in));
    ck_assert_int_eq(hep_decode(zbuf, (size_t)z, &again, scratch, sizeof(scratch)), HEP_OK);
    ck_assert(!again.payload_compressed);
    assert_same(&in, &again);
    in = full_packet(NULL, 0);
    z = hep_encode_v3(&in, true, zbuf, sizeof(zbuf));
    ck_assert_int_eq(hep_decode(zbuf, (size_t)z, &again, scratch, sizeof(scratch)), HEP_OK);
    assert_same(&in, &again);

    /* IPv4 without optional chunks: exactly chunks 1-12 + 15. */
    hep_packet_t v4;
    memset(&v4, 0, sizeof(v4));
    v4.src.family = v4.dst.family = 4;
    memcpy(v4.src.a, SRC4, 4);
    memcpy(v4.dst.a, DST4, 4);
    v4.ip_proto = 17;
    v4.proto_type = 1;
    v4.payload = (const uint8_t *)SIP;
    v4.payload_len = (uint32_t)strlen(SIP);
    z = hep_encode_v3(&v4, false, zbuf, sizeof(zbuf));
    ck_assert_int_eq(z, 6 + 3 * 7 + 2 * 10 + 2 * 8 + 3 * 10 + 6 + (long)strlen(SIP));
    ck_assert_int_eq(hep_decode(zbuf, (size_t)z, &again, scratch, sizeof(scratch)), HEP_OK);
    ck_assert_ptr_null(again.auth_key);
    ck_assert_ptr_null(again.node_name);
    assert_same(&v4, &again);
}
END_TEST

START_TEST(encode_too_small)
{
    hep_packet_t in = full_packet((const uint8_t *)SIP, (uint32_t)strlen(SIP));
    long need = hep_encoded_size_v3(&in);
    ck_assert_int_gt(need, 0);
    for (long n = 0; n < need; n++) {
        uint8_t *b = malloc((size_t)n + 1);
        ck_assert_int_eq(hep_encode_v3(&in, false, b, (size_t)n), HEP_TOO_BIG);
        free(b);
    }
    uint8_t *b = malloc((size_t)need);
    ck_assert_int_eq(hep_encode_v3(&in, false, b, (size_t)need), need);
    free(b);
    /* Beyond the 16-bit length. */
    static uint8_t big[70000], out[140000];
    hep_packet_t huge = full_packet(big, sizeof(big));
    ck_assert_int_eq(hep_encode_v3(&huge, false, out, sizeof(out)), HEP_TOO_BIG);
    /* ... unless it compresses (70000 zeros do). */
    long z = hep_encode_v3(&huge, true, out, sizeof(out));
    ck_assert_int_gt(z, 0);
    static uint8_t big_scratch[80000];
    hep_packet_t d;
    ck_assert_int_eq(hep_decode(out, (size_t)z, &d, big_scratch, sizeof(big_scratch)), HEP_OK);
    ck_assert_uint_eq(d.payload_len, sizeof(big));
    /* No usable addresses. */
    in.dst.family = 4;
    ck_assert_int_eq(hep_encode_v3(&in, false, out, sizeof(out)), HEP_MISSING);
    ck_assert_int_eq(hep_encoded_size_v3(&in), HEP_MISSING);
    in.src.family = in.dst.family = 0;
    ck_assert_int_eq(hep_encode_v3(&in, false, out, sizeof(out)), HEP_MISSING);
}
END_TEST

START_TEST(looks_like_and_framing)
{
    ck_assert(!hep_looks_like(NULL, 0));
    ck_assert(hep_looks_like((const uint8_t *)"HEP3", 4));
    ck_assert(!hep_looks_like((const uint8_t *)"HEP3\0\x05", 6));
    ck_assert(!hep_looks_like((const uint8_t *)SIP, strlen(SIP)));
    ck_assert(!hep_looks_like((const uint8_t *)"\x80\x00\x00\x01", 4)); /* RTP */
    ck_assert_int_eq(hep_frame_length((const uint8_t *)"HE", 2), 0);
    ck_assert_int_eq(hep_frame_length((const uint8_t *)"HEP3\x01", 5), 0);
    ck_assert_int_eq(hep_frame_length((const uint8_t *)"HEP3\x01\x02", 6), 0x102);
    ck_assert_int_eq(hep_frame_length((const uint8_t *)"HEP3\x00\x05", 6), HEP_BAD_LENGTH);
    ck_assert_int_eq(hep_frame_length((const uint8_t *)"HEQ", 3), HEP_NOT_HEP);
    ck_assert_int_eq(hep_frame_length((const uint8_t *)SIP, strlen(SIP)), HEP_NOT_HEP);
    ck_assert_int_eq(hep_frame_length((const uint8_t *)"\x02\x10\x02", 3), 0);
    /* Two packets back to back in a stream. */
    hb_t h;
    hb_basic4(&h);
    hb_chunk(&h, 0x000f, SIP, strlen(SIP));
    hb_fin(&h);
    uint8_t two[2048];
    memcpy(two, h.b, h.n);
    memcpy(two + h.n, h.b, h.n);
    long f = hep_frame_length(two, 2 * h.n);
    ck_assert_int_eq(f, (long)h.n);
    hep_packet_t p;
    ck_assert_int_eq(hep_decode(two, (size_t)f, &p, NULL, 0), HEP_OK);
    ck_assert_int_eq(hep_frame_length(two + f, 2 * h.n - (size_t)f), (long)h.n);
    /* Strings for every code. */
    for (int e = HEP_TOO_BIG; e <= HEP_OK; e++)
        ck_assert_str_ne(hep_strerror(e), "unknown HEP error");
    ck_assert_str_eq(hep_strerror(42), "unknown HEP error");
}
END_TEST

/* ---- real captures -------------------------------------------------------- */

/* UDP payloads to dport of a capture, through the shared decoder. */
static size_t load_udp(const char *path, uint16_t dport, snb_collect_t *col)
{
    snb_decode_stats_t st;
    memset(&st, 0, sizeof(st));
    memset(col, 0, sizeof(*col));
    snb_decode_limits_t lim = SNB_DECODE_LIMITS_DEFAULT;
    snb_decoder_t *dec = snb_decoder_new(&lim, &st, snb_collect_cb, col);
    ck_assert_ptr_nonnull(dec);
    snb_pcapr_t *r = snb_pcapr_open(path);
    ck_assert_msg(r != NULL, "cannot open %s", path);
    snb_frame_t f;
    while (snb_pcapr_next(r, &f) == 1)
        snb_decoder_feed(dec, &f);
    snb_decoder_flush(dec);
    snb_pcapr_close(r);
    snb_decoder_free(dec);
    size_t n = 0;
    for (size_t i = 0; i < col->n; i++)
        if (col->pkts[i].transport == SNB_TRANSPORT_UDP && col->pkts[i].dport == dport) n++;
    return n;
}

static bool is_sip_start(const uint8_t *p, uint32_t n)
{
    static const char *starts[] = {"SIP/2.0 ", "REGISTER ", "INVITE ", "ACK ",
                                   "CANCEL ",  "BYE ",      "OPTIONS "};
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        size_t l = strlen(starts[i]);
        if (n >= l && memcmp(p, starts[i], l) == 0) return true;
    }
    return false;
}

START_TEST(capture_hep3_sngrep_aaa)
{
    snb_collect_t col;
    ck_assert_uint_eq(load_udp(DATA "/hep3-sngrep-aaa.pcap", 9060, &col), 81);
    size_t sip = 0;
    for (size_t i = 0; i < col.n; i++) {
        const snb_packet_t *k = &col.pkts[i];
        ck_assert(hep_looks_like(k->payload, k->payload_len));
        ck_assert_int_eq(hep_frame_length(k->payload, k->payload_len), (long)k->payload_len);
        hep_packet_t p;
        ck_assert_int_eq(dec_copy(k->payload, k->payload_len, &p, scratch, sizeof(scratch)),
                         HEP_OK);
        ck_assert_uint_eq(p.version, 3);
        ck_assert_uint_eq(p.capture_id, 2001);
        ck_assert_uint_eq(p.auth_key_len, 5);
        ck_assert_mem_eq(p.auth_key, "myHep", 5);
        ck_assert_uint_eq(p.proto_type, HEP_PROTO_SIP);
        ck_assert_uint_eq(p.ip_proto, 17);
        ck_assert_uint_eq(p.unknown_chunks, 0);
        if (is_sip_start(p.payload, p.payload_len)) sip++;
        if (i == 0) {
            /* Frame 19 of sngrep-aaa.pcap: 192.168.1.2:5060 -> 212.242.33.35:5060
             * at 1120469572.844249, a REGISTER. */
            static const uint8_t s[4] = {192, 168, 1, 2}, d[4] = {212, 242, 33, 35};
            ck_assert_uint_eq(p.ip_family, 4);
            ck_assert_mem_eq(p.src.a, s, 4);
            ck_assert_mem_eq(p.dst.a, d, 4);
            ck_assert_uint_eq(p.sport, 5060);
            ck_assert_uint_eq(p.dport, 5060);
            ck_assert_uint_eq(p.ts_sec, 1120469572u);
            ck_assert_uint_eq(p.ts_usec, 844249u);
            ck_assert_uint_eq(p.payload_len, 467);
            ck_assert_mem_eq(p.payload, "REGISTER sip:sip.cybercity.dk SIP/2.0\r\n", 39);
        }
        /* Truncation at every byte offset of the first packets. */
        if (i < 3)
            for (size_t cut = 0; cut < k->payload_len; cut++)
                ck_assert_int_ne(dec_copy(k->payload, cut, &p, scratch, sizeof(scratch)), HEP_OK);
    }
    ck_assert_uint_eq(sip, 81);
    snb_collect_reset(&col);
}
END_TEST

/* sngrep 1.6.0 sending the same pcap as HEP3 (+ auth key) and as HEP2: the
 * two must decode to the same addresses, ports, timestamps and payloads;
 * that pins the v2 byte orders against a real peer. */
START_TEST(capture_sngrep160_v2_vs_v3)
{
    snb_collect_t c3, c2, cd;
    ck_assert_uint_eq(load_udp(DATA "/hep/sngrep160-hep3-auth.pcap", 9061, &c3), 81);
    ck_assert_uint_eq(load_udp(DATA "/hep/sngrep160-hep2.pcap", 9061, &c2), 81);
    ck_assert_uint_eq(load_udp(DATA "/hep/sngrep160-hep3-default.pcap", 9061, &cd), 81);
    ck_assert_uint_eq(c3.n, 81);
    ck_assert_uint_eq(c2.n, 81);
    ck_assert_uint_eq(cd.n, 81);
    for (size_t i = 0; i < 81; i++) {
        hep_packet_t a, b, d;
        const snb_packet_t *k3 = &c3.pkts[i], *k2 = &c2.pkts[i], *kd = &cd.pkts[i];
        ck_assert_int_eq(dec_copy(k3->payload, k3->payload_len, &a, NULL, 0), HEP_OK);
        ck_assert_int_eq(dec_copy(k2->payload, k2->payload_len, &b, NULL, 0), HEP_OK);
        ck_assert_int_eq(dec_copy(kd->payload, kd->payload_len, &d, NULL, 0), HEP_OK);
        ck_assert(hep_looks_like(k2->payload, k2->payload_len));
        ck_assert_uint_eq(a.version, 3);
        ck_assert_uint_eq(b.version, 2);
        /* sngrep 1.6.0 puts htons(id) into the 32-bit chunk: on the wire the
         * id's two big-endian bytes, then two zeros. Decoded as the spec says
         * (like Kamailio and heplify-server), that is id << 16. HEP2's captid
         * is the plain 16-bit id. */
        ck_assert_uint_eq(a.capture_id, 2001u << 16);
        ck_assert_uint_eq(b.capture_id, 2001);
        ck_assert_uint_eq(d.capture_id, 2002u << 16); /* sngrep's default eep.send.id */
        ck_assert_mem_eq(a.auth_key, "myHep", 5);
        ck_assert_ptr_null(d.auth_key);
        ck_assert_uint_eq(b.ip_family, a.ip_family);
        ck_assert_uint_eq(b.ip_proto, a.ip_proto);
        ck_assert_mem_eq(b.src.a, a.src.a, 4);
        ck_assert_mem_eq(b.dst.a, a.dst.a, 4);
        ck_assert_uint_eq(b.sport, a.sport);
        ck_assert_uint_eq(b.dport, a.dport);
        ck_assert_uint_eq(b.ts_sec, a.ts_sec);
        ck_assert_uint_eq(b.ts_usec, a.ts_usec);
        ck_assert_uint_eq(b.payload_len, a.payload_len);
        ck_assert_mem_eq(b.payload, a.payload, a.payload_len);
        ck_assert_uint_eq(d.ts_sec, a.ts_sec);
        ck_assert_mem_eq(d.payload, a.payload, a.payload_len);
        ck_assert(is_sip_start(a.payload, a.payload_len));
        if (i == 0) {
            ck_assert_uint_eq(b.ts_sec, 1120469572u);
            ck_assert_uint_eq(b.ts_usec, 844249u);
            ck_assert_uint_eq(b.sport, 5060);
        }
    }
    /* Truncation of a real v2 packet: every cut inside the 28-byte header fails. */
    const snb_packet_t *k2 = &c2.pkts[0];
    hep_packet_t p;
    for (size_t cut = 0; cut <= 8 + 8 + 12; cut++)
        ck_assert_int_ne(dec_copy(k2->payload, cut, &p, NULL, 0), HEP_OK);
    snb_collect_reset(&c3);
    snb_collect_reset(&c2);
    snb_collect_reset(&cd);
}
END_TEST

/* sngrep 1.6.0 sending heplify-sip-ipv6-udp.pcap: chunks 0x0005/0x0006. */
START_TEST(capture_sngrep160_ipv6)
{
    snb_collect_t c;
    ck_assert_uint_eq(load_udp(DATA "/hep/sngrep160-hep3-ipv6.pcap", 9061, &c), 6);
    static const uint8_t a[16] = {
        0xfe, 0x80, 0,    0,    0,    0,    0,    0,
        0x02, 0x1a, 0xa0, 0xff, 0xfe, 0x07, 0x32, 0xe0}; /* fe80::21a:a0ff:fe07:32e0 */
    static const uint8_t b[16] = {
        0xfe, 0xc0, 0,    0,    0,    0,    0,    0,
        0x02, 0x16, 0xd3, 0xff, 0xfe, 0x0d, 0x02, 0x2c}; /* fec0::216:d3ff:fe0d:22c */
    for (size_t i = 0; i < c.n; i++) {
        hep_packet_t p;
        ck_assert_int_eq(dec_copy(c.pkts[i].payload, c.pkts[i].payload_len, &p, NULL, 0), HEP_OK);
        ck_assert_uint_eq(p.ip_family, 6);
        ck_assert_uint_eq(p.ip_proto, 17);
        ck_assert(is_sip_start(p.payload, p.payload_len));
        ck_assert_uint_eq(p.sport, 5060);
        ck_assert_uint_eq(p.dport, 5060);
        if (i == 0) {
            ck_assert_mem_eq(p.src.a, a, 16);
            ck_assert_mem_eq(p.dst.a, b, 16);
            ck_assert_uint_eq(p.ts_sec, 1328589362u);
            ck_assert_uint_eq(p.ts_usec, 251758u);
            ck_assert_mem_eq(p.payload, "INVITE sip:4321@", 16);
        }
    }
    snb_collect_reset(&c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hep_codec");
    TCase *tc = tcase_create("codec");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, v3_every_chunk);
    tcase_add_test(tc, v3_ipv6_and_types);
    tcase_add_test(tc, v3_unknown_chunks_skipped);
    tcase_add_test(tc, v3_gzip_payload);
    tcase_add_test(tc, v3_lying_lengths);
    tcase_add_test(tc, v3_missing_parts);
    tcase_add_test(tc, v3_nested);
    tcase_add_test(tc, v12_ipv4_ipv6);
    tcase_add_test(tc, encode_round_trip);
    tcase_add_test(tc, encode_too_small);
    tcase_add_test(tc, looks_like_and_framing);
    tcase_add_test(tc, capture_hep3_sngrep_aaa);
    tcase_add_test(tc, capture_sngrep160_v2_vs_v3);
    tcase_add_test(tc, capture_sngrep160_ipv6);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
