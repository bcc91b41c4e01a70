/* Shared helpers for the Check tests (tests/unit/support/ *.c). */
#ifndef SNB_TEST_SUPPORT_H
#define SNB_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipnab/packet.h"

/* ---- Frame builder (support/pcap_build.c) ---------------------------------
 *
 * Frames are built inside-out: start from the payload, then wrap it in each
 * header from the innermost to the outermost. Every snb_tb_* wrapper prepends
 * one header and fills its length fields from what it wraps. The IPv4 header
 * checksum is computed; UDP/TCP/GRE checksums are left 0 (the decoder does not
 * check them; Wireshark shows them as unverified). Addresses are text
 * ("10.0.0.1", "2001:db8::1"). Allocation failure aborts (tests only).
 *
 *   snb_tb_t b;
 *   snb_tb_init(&b, "INVITE ...", 10);
 *   snb_tb_udp(&b, 5060, 5060);
 *   snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
 *   snb_tb_vlan(&b, 100, 0x0800);
 *   snb_tb_eth(&b, 0x8100);
 *   ... use b.p / b.len (link type 1) ...
 *   snb_tb_free(&b);
 */
typedef struct snb_tb {
    uint8_t *p; /* first byte of the frame so far */
    size_t len;
    uint8_t *buf; /* allocation; p - buf is the headroom left */
    size_t cap;
} snb_tb_t;

void snb_tb_init(snb_tb_t *b, const void *payload, size_t len);
void snb_tb_free(snb_tb_t *b);
void snb_tb_prepend(snb_tb_t *b, const void *hdr, size_t n);
void snb_tb_append(snb_tb_t *b, const void *data, size_t n);

/* TCP flag bits for snb_tb_tcp. */
#define SNB_TB_FIN 0x01
#define SNB_TB_SYN 0x02
#define SNB_TB_RST 0x04
#define SNB_TB_PSH 0x08
#define SNB_TB_ACK 0x10

void snb_tb_udp(snb_tb_t *b, uint16_t sport, uint16_t dport);
void snb_tb_tcp(snb_tb_t *b, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                uint8_t flags);
void snb_tb_sctp(snb_tb_t *b, uint16_t sport, uint16_t dport); /* 12-byte common header */
void snb_tb_ipv4(snb_tb_t *b, const char *src, const char *dst, uint8_t proto);
/* A fragment: off is in bytes (multiple of 8), more is the MF bit. */
void snb_tb_ipv4_frag(snb_tb_t *b, const char *src, const char *dst, uint8_t proto, uint16_t id,
                      uint16_t off, bool more);
void snb_tb_ipv6(snb_tb_t *b, const char *src, const char *dst, uint8_t nh);
/* Extension header of type-agnostic TLV form (hop-by-hop 0, routing 43, dest
 * options 60): next header nh, total length 8*units (units >= 1), PadN filled. */
void snb_tb_ipv6_ext(snb_tb_t *b, uint8_t nh, unsigned units);
void snb_tb_ipv6_frag(snb_tb_t *b, uint8_t nh, uint16_t off, bool more, uint32_t id);
/* Ethernet with fixed MACs 02:00:00:00:00:02 <- 02:00:00:00:00:01. */
void snb_tb_eth(snb_tb_t *b, uint16_t ethertype);
/* One 802.1Q tag body (TCI + inner ethertype); the caller then prepends the
 * outer header with 0x8100/0x88a8/0x9100. */
void snb_tb_vlan(snb_tb_t *b, uint16_t vid, uint16_t inner_type);
void snb_tb_pppoe(snb_tb_t *b, uint16_t ppp_proto);          /* session header + PPP protocol */
void snb_tb_sll(snb_tb_t *b, uint16_t proto);                /* DLT 113 */
void snb_tb_sll2(snb_tb_t *b, uint16_t proto);               /* DLT 276 */
void snb_tb_null(snb_tb_t *b, uint32_t af, bool big_endian); /* DLT 0 (LOOP: big endian) */

#define SNB_GRE_CSUM 0x8000
#define SNB_GRE_KEY 0x2000
#define SNB_GRE_SEQ 0x1000
void snb_tb_gre(snb_tb_t *b, uint16_t proto, uint16_t flags, uint32_t key, uint32_t seq);
/* PPP: address/control 0xff 0x03 unless compressed (ACFC), the protocol in
 * one byte when short_proto (PFC: 0x21 IPv4, 0x57 IPv6). */
void snb_tb_ppp(snb_tb_t *b, uint16_t proto, bool address_control, bool short_proto);
/* PPTP's enhanced GRE (version 1, protocol 0x880b, RFC 2637): key = payload
 * length + call ID, optional sequence and acknowledgment numbers. */
void snb_tb_gre_enhanced(snb_tb_t *b, uint16_t call_id, bool seq, uint32_t seq_no, bool ack,
                         uint32_t ack_no);
void snb_tb_erspan2(snb_tb_t *b, uint16_t session);         /* 8 bytes; GRE 0x88be + SEQ */
void snb_tb_erspan3(snb_tb_t *b, uint16_t session, bool o); /* 12 (+8 if o); GRE 0x22eb */
void snb_tb_vxlan(snb_tb_t *b, uint32_t vni);               /* 8 bytes; then snb_tb_udp(.., 4789) */

/* Split an IPv4 datagram (header + payload, no options needed) into fragments
 * carrying at most chunk payload bytes each (rounded down to a multiple of 8).
 * Writes up to max fragments into out[] (initialised here; free each) and
 * returns how many. id overrides the datagram's identification. */
size_t snb_ipv4_fragment(const uint8_t *dgram, size_t len, size_t chunk, uint16_t id, snb_tb_t *out,
                         size_t max);
/* Same for an IPv6 packet with a bare 40-byte header: inserts a fragment
 * header (identification id) in each piece. */
size_t snb_ipv6_fragment(const uint8_t *pkt, size_t len, size_t chunk, uint32_t id, snb_tb_t *out,
                         size_t max);

/* ---- Classic pcap writer (support/pcap_build.c) ----------------------------
 * Microsecond pcap, snaplen 262144, in host byte order (readers swap). */
FILE *snb_pcapw_open(const char *path, int linktype);
int snb_pcapw_put(FILE *f, uint64_t ts_us, const void *data, size_t len);
int snb_pcapw_close(FILE *f);

/* ---- pcap / pcapng reader (support/pcap_read.c) ----------------------------
 * Classic pcap (either byte order, micro- or nanosecond magic) and pcapng
 * (SHB in either byte order, IDB link type and if_tsresol, EPB, SPB; other
 * blocks skipped). No libpcap: the decoder tests must not link it. */
typedef struct snb_pcapr snb_pcapr_t;
snb_pcapr_t *snb_pcapr_open(const char *path);
/* 1: *f filled (f->data valid until the next call), 0: end, -1: bad file. */
int snb_pcapr_next(snb_pcapr_t *r, snb_frame_t *f);
void snb_pcapr_close(snb_pcapr_t *r);

/* ---- Packet collector (support/collect.c) ----------------------------------
 * An snb_packet_cb that keeps a copy of every packet and its payload (pkt.payload
 * points to the copy; pkt.frame is kept but must not be dereferenced). */
typedef struct snb_collect {
    snb_packet_t *pkts;
    size_t n, cap;
} snb_collect_t;

void snb_collect_cb(void *ud, const snb_packet_t *pkt);
void snb_collect_reset(snb_collect_t *c);
/* Concatenation of the TCP payload delivered for stream_id, in delivery
 * order; returns a malloc'd buffer (NUL-terminated) and its length. */
char *snb_collect_stream(const snb_collect_t *c, uint64_t stream_id, size_t *len);

/* ---- Addresses (support/support.c) ---------------------------------------
 * "10.0.0.1" or "2001:db8::1" as an snb_addr_t; family 0 if neither. */
snb_addr_t snb_test_addr(const char *text);

#endif
