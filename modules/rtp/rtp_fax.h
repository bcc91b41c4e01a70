/* T.38 fax: once a call's SDP answer has accepted m=image, the packets on
 * its image endpoints are UDPTL (ITU-T T.38), not RTP. They are counted per
 * direction in the call's fax phase (rtp_calls.h, rtp_fax_t) and kept out of
 * the RTP streams, whose figures would otherwise mix two protocols. */
#ifndef SNB_RTP_FAX_H
#define SNB_RTP_FAX_H

#include <stdbool.h>

#include "rtp_calls.h"
#include "sipnab/packet.h"

/* A UDP packet to or from the T.38 endpoint of a call in its fax phase:
 * counted there, true; anything else false (one hash probe or two, and none
 * at all while no call is faxing). */
bool rtp_fax_packet(rtp_calls_t *c, const snb_packet_t *pkt);

#endif
