/* Counters. Each group is an X-macro list of (name, help) so the struct, the
 * --stats text, the --json keys and (later) the Prometheus metrics come from
 * one table. Counters are plain uint64_t written only on the loop thread. */
#ifndef SIPNAB_STATS_H
#define SIPNAB_STATS_H

#include <stdint.h>

/* Frames by link type, network and transport protocol count each frame once
 * per protocol it contains (like Wireshark's -z io,phs "frames:"). */
#define SNB_DECODE_COUNTERS(X)                                                                     \
    X(frames, "frames handed to the decoder")                                                      \
    X(bytes, "bytes on the wire of those frames")                                                  \
    X(link_ethernet, "frames with Ethernet link layer")                                            \
    X(link_sll, "frames with Linux cooked (SLL) link layer")                                       \
    X(link_sll2, "frames with Linux cooked v2 (SLL2) link layer")                                  \
    X(link_raw, "frames with raw IP link layer")                                                   \
    X(link_null, "frames with BSD loopback (NULL/LOOP) link layer")                                \
    X(vlan, "frames with at least one 802.1Q/802.1ad tag")                                         \
    X(pppoe, "frames with PPPoE session encapsulation")                                            \
    X(ppp, "frames carrying PPP (in PPPoE or PPTP's enhanced GRE)")                                \
    X(arp, "frames carrying ARP")                                                                  \
    X(ipv4, "frames carrying IPv4")                                                                \
    X(ipv6, "frames carrying IPv6")                                                                \
    X(icmp, "frames carrying ICMP or ICMPv6")                                                      \
    X(udp, "frames carrying UDP")                                                                  \
    X(tcp, "frames carrying TCP")                                                                  \
    X(sctp, "frames carrying SCTP (counted, not parsed)")                                          \
    X(gre, "frames carrying GRE")                                                                  \
    X(ipip, "frames carrying IP-in-IP (IPv4/IPv6 inside IP)")                                      \
    X(vxlan, "frames carrying VXLAN")                                                              \
    X(erspan, "frames carrying ERSPAN")                                                            \
    X(other_network, "frames with a network protocol not decoded (not IP/ARP)")                    \
    X(other_transport, "IP packets with a transport not decoded")                                  \
    X(ip_fragments, "IPv4 and IPv6 fragments received")                                            \
    X(ip_reassembled, "IP datagrams reassembled from fragments")                                   \
    X(frag_timeouts, "incomplete IP datagrams expired")                                            \
    X(frag_overflow, "fragments dropped because the fragment table was full")                      \
    X(frag_errors, "fragments dropped as inconsistent (overlap mismatch, oversize)")               \
    X(tcp_streams, "TCP connection directions tracked")                                            \
    X(tcp_segments_data, "TCP segments carrying data")                                             \
    X(tcp_retransmits, "TCP segments whose data was already delivered")                            \
    X(tcp_out_of_order, "TCP segments buffered ahead of a gap")                                    \
    X(tcp_gaps, "TCP gaps skipped (bytes never seen)")                                             \
    X(tcp_timeouts, "TCP directions expired while idle")                                           \
    X(tcp_overflow, "TCP directions refused because the stream table was full")                    \
    X(tcp_buffer_overflow, "TCP bytes dropped beyond the per-direction buffer")                    \
    X(err_truncated, "frames too short for their own headers")                                     \
    X(err_bad_header, "frames with an invalid header (version, length)")                           \
    X(err_linktype, "frames with an unsupported link type")                                        \
    X(err_tunnel_depth, "frames nested deeper than the tunnel limit")

typedef struct snb_decode_stats {
#define SNB_STATS_FIELD(name, help) uint64_t name;
    SNB_DECODE_COUNTERS(SNB_STATS_FIELD)
#undef SNB_STATS_FIELD
} snb_decode_stats_t;

/* Capture-source counters (kept by the core per source, summed for output). */
#define SNB_CAPTURE_COUNTERS(X)                                                                    \
    X(capture_packets, "packets read from all sources")                                            \
    X(capture_files, "capture files opened")                                                       \
    X(capture_dropped_kernel, "packets dropped by the kernel (pcap_stats ps_drop)")                \
    X(capture_dropped_ifdrop, "packets dropped by the interface (pcap_stats ps_ifdrop)")           \
    X(capture_dropped_queue, "packets dropped because the capture queue was full")                 \
    X(capture_errors, "capture read errors and truncated files")

typedef struct snb_capture_stats {
#define SNB_STATS_FIELD(name, help) uint64_t name;
    SNB_CAPTURE_COUNTERS(SNB_STATS_FIELD)
#undef SNB_STATS_FIELD
} snb_capture_stats_t;

#endif
