/* Options of one [pcap "name"] instance. */
#ifndef SNB_PCAP_CONF_H
#define SNB_PCAP_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/options.h"

typedef struct pcap_conf {
    snb_strlist_t file;
    const char *interface;
    const char *filter;
    uint64_t snaplen;
    uint64_t buffer_size;
    bool promisc;
    uint64_t queue_size;
    int64_t batch;
} pcap_conf_t;

/* A live capture without a filter sees SIP on the usual TCP ports and every
 * UDP datagram, so RTP on any port is kept; non-first fragments carry no UDP
 * header, hence the fragment clauses; tunnels are kept whole. */
#define PCAP_DEFAULT_LIVE_FILTER                                                                   \
    "udp or sctp or (tcp and (port 5060 or port 5061 or port 5062 or port 5080 or port 5081)) "    \
    "or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44) or proto gre or ip proto 4 "             \
    "or ip6 proto 41 or (vlan and (udp or tcp or sctp))"

/* libpcap's DLT numbers that the shared decoder understands. */
bool pcap_linktype_supported(int dlt);

#endif
