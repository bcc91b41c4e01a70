/* RTP (RFC 3550 5.1) and RTCP (RFC 3550 6, RFC 3611 XR) wire formats.
 * Pure, zero-copy, bounded. */
#ifndef SNB_RTP_PACKET_H
#define SNB_RTP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rtp_hdr {
    uint8_t version; /* always 2 when parsed */
    bool padding, extension, marker;
    uint8_t csrc_count;
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    const uint8_t *payload; /* after CSRCs and the extension, padding removed */
    uint32_t payload_len;
    const uint8_t *csrc;  /* csrc_count big-endian 32-bit words (rtp_hdr_csrc) */
    const uint8_t *ext;   /* extension data after its 4-byte header, or NULL */
    uint16_t ext_profile; /* "defined by profile" (0xBEDE: RFC 8285 one-byte) */
    uint16_t ext_words;   /* extension length in 32-bit words */
    uint8_t padding_len;  /* padding bytes removed (count byte included) */
} rtp_hdr_t;

/* 0 and *h filled, or -1 if this is not a well-formed RTP v2 packet
 * (too short, version != 2, CSRC/extension/padding beyond the data, or a
 * payload type in the RTCP range 72-76). */
int rtp_parse(const uint8_t *data, size_t len, rtp_hdr_t *h);
/* The i-th CSRC of a parsed header (0 if i >= csrc_count). */
uint32_t rtp_hdr_csrc(const rtp_hdr_t *h, unsigned i);

/* Does this look like RTCP (version 2, packet type 192-223, length field
 * consistent with the data)? Used to tell RTCP from RTP on the same port. */
bool rtcp_looks_like(const uint8_t *data, size_t len);

#define RTCP_MAX_BLOCKS 31

typedef struct rtcp_report_block {
    uint32_t ssrc;           /* the source this block reports on */
    uint8_t fraction_lost;   /* /256 */
    int32_t cumulative_lost; /* 24-bit signed */
    uint32_t ext_highest_seq;
    uint32_t jitter;    /* timestamp units */
    uint32_t lsr, dlsr; /* for round-trip time */
} rtcp_report_block_t;

/* RFC 3611 4.7 VoIP Metrics Report Block. */
typedef struct rtcp_xr_voip {
    uint32_t ssrc;
    uint8_t loss_rate, discard_rate, burst_density, gap_density;
    uint16_t burst_duration, gap_duration, round_trip_delay, end_system_delay;
    int8_t signal_level, noise_level;
    uint8_t rerl, gmin, r_factor, ext_r_factor, mos_lq, mos_cq, rx_config;
    uint16_t jb_nominal, jb_maximum, jb_abs_max;
} rtcp_xr_voip_t;

enum rtcp_type {
    RTCP_SR = 200,
    RTCP_RR = 201,
    RTCP_SDES = 202,
    RTCP_BYE = 203,
    RTCP_APP = 204,
    RTCP_XR = 207
};

/* One RTCP packet of a compound. */
typedef struct rtcp_packet {
    uint8_t type;  /* enum rtcp_type, or another value (skipped content) */
    uint32_t ssrc; /* sender (SR/RR/XR/APP), first chunk (SDES), first source (BYE) */
    /* SR */
    uint32_t ntp_sec, ntp_frac, rtp_ts, sender_packets, sender_octets;
    /* SR/RR */
    uint8_t n_blocks;
    rtcp_report_block_t blocks[RTCP_MAX_BLOCKS];
    /* SDES: the CNAME of the first chunk (not NUL-terminated), if any */
    const char *cname;
    uint8_t cname_len;
    /* BYE: sources leaving */
    uint8_t n_bye;
    uint32_t bye_ssrc[RTCP_MAX_BLOCKS];
    /* XR: VoIP metrics blocks */
    uint8_t n_voip;
    rtcp_xr_voip_t voip[4];
} rtcp_packet_t;

typedef void (*rtcp_packet_fn)(void *ud, const rtcp_packet_t *p);

/* Walk a compound RTCP packet; fn is called for each packet. Returns the
 * number of packets, or -1 if the compound is malformed (fn may already
 * have been called for the well-formed packets before the damage). */
int rtcp_parse_compound(const uint8_t *data, size_t len, rtcp_packet_fn fn, void *ud);

#endif
