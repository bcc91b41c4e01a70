/* Captured frames and decoded packets.
 *
 * A source hands the core an snb_frame_t (link type + raw bytes). The shared
 * decoder turns it into zero or more snb_packet_t (a fragment may wait for its
 * siblings; a TCP segment may release several buffered ones). Packet fields
 * are borrowed slices: valid only for the duration of the dispatch, unless a
 * subscriber retains the event that carries them (see event.h). */
#ifndef SIPNAB_PACKET_H
#define SIPNAB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link types use the libpcap DLT_* numbers, so sources pass them through. */
enum snb_linktype {
    SNB_LINK_NULL = 0,        /* DLT_NULL: 4-byte host-order AF */
    SNB_LINK_ETHERNET = 1,    /* DLT_EN10MB */
    SNB_LINK_RAW = 101,       /* DLT_RAW (LINKTYPE_RAW) */
    SNB_LINK_RAW_ALT = 12,    /* DLT_RAW on OpenBSD numbering, seen in old files */
    SNB_LINK_RAW_ALT2 = 14,   /* DLT_RAW, other BSD numbering */
    SNB_LINK_LOOP = 108,      /* DLT_LOOP: 4-byte network-order AF */
    SNB_LINK_LINUX_SLL = 113, /* DLT_LINUX_SLL */
    SNB_LINK_LINUX_SLL2 = 276,
    SNB_LINK_IPV4 = 228, /* LINKTYPE_IPV4 */
    SNB_LINK_IPV6 = 229, /* LINKTYPE_IPV6 */
};

typedef struct snb_frame {
    uint64_t ts_us;      /* capture time, microseconds since the epoch */
    uint32_t caplen;     /* bytes present in data */
    uint32_t wirelen;    /* bytes on the wire */
    int linktype;        /* enum snb_linktype / DLT_* */
    const uint8_t *data; /* caplen bytes */
} snb_frame_t;

/* An IPv4 or IPv6 address; IPv4 is stored in the first 4 bytes of a. */
typedef struct snb_addr {
    uint8_t family; /* 4 or 6; 0 when unknown */
    uint8_t a[16];
} snb_addr_t;

typedef enum snb_transport {
    SNB_TRANSPORT_NONE = 0,
    SNB_TRANSPORT_UDP = 17,
    SNB_TRANSPORT_TCP = 6,
    SNB_TRANSPORT_SCTP = 132,
} snb_transport_t;

/* Flags on a decoded packet. */
enum snb_packet_flags {
    SNB_PKT_REASSEMBLED_IP = 1u << 0, /* payload rebuilt from IP fragments */
    SNB_PKT_TCP_STREAM = 1u << 1,     /* payload is in-order TCP stream data */
    SNB_PKT_TCP_GAP = 1u << 2,        /* stream data resumed after a gap (lost bytes) */
    SNB_PKT_TUNNELLED = 1u << 3,      /* inner packet of GRE/IPIP/VXLAN/ERSPAN */
    SNB_PKT_TRUNCATED = 1u << 4,      /* caplen cut the payload short */
    SNB_PKT_MESSAGE = 1u << 5,        /* payload is one whole message (HEP over TCP) */
    SNB_PKT_HEP = 1u << 6,            /* unwrapped from HEP (by the hep module) */
    SNB_PKT_TLS = 1u << 7,            /* decrypted TLS application data (sipnab/tls.h) */
};

#define SNB_MAX_VLANS 2

typedef struct snb_packet {
    uint64_t ts_us;
    const snb_frame_t *frame; /* the frame that completed this packet */
    snb_addr_t src, dst;      /* innermost IP addresses */
    uint16_t sport, dport;    /* 0 for transports without ports */
    uint8_t transport;        /* snb_transport_t */
    uint8_t vlan_count;       /* 802.1Q tags seen, outermost first */
    uint16_t vlan[SNB_MAX_VLANS];
    uint8_t tunnel_depth;   /* number of tunnel headers peeled */
    uint32_t flags;         /* enum snb_packet_flags */
    uint64_t stream_id;     /* TCP: stable id of the connection direction; else 0 */
    uint64_t stream_offset; /* TCP: byte offset of payload in the stream */
    const uint8_t *payload; /* transport payload (UDP/TCP/SCTP data) */
    uint32_t payload_len;
} snb_packet_t;

#endif
