/* What the RTP module publishes, for other modules (HEP mirroring, ...). */
#ifndef SIPNAB_RTP_H
#define SIPNAB_RTP_H

#include <stdint.h>

#include "sipnab/event.h"
#include "sipnab/packet.h"

/* SNB_EV_RTCP_REPORT: one RTCP (compound) packet as captured, with the
 * Call-ID of the stream its sender belongs to ("" when unknown). */
typedef struct snb_rtcp_event {
    snb_event_t ev;
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    const uint8_t *data;
    uint32_t len;
    char call_id[128];
} snb_rtcp_event_t;

/* Ops for SNB_EV_RTCP_REPORT events (clone copies the packet). */
SNB_API extern const snb_event_ops_t snb_rtcp_event_ops;

#endif
