/* UDPTL packets of calls in their T.38 fax phase (see rtp_fax.h). */
#include "rtp_fax.h"

bool rtp_fax_packet(rtp_calls_t *c, const snb_packet_t *pkt)
{
    if (!rtp_calls_faxing(c)) return false;
    /* Toward a side's T.38 endpoint: sent by the other side; else from one. */
    unsigned sender;
    rtp_endpoint_t *ep = rtp_calls_lookup_image(c, &pkt->dst, pkt->dport);
    if (ep) {
        sender = 1u - ep->side;
    } else {
        ep = rtp_calls_lookup_image(c, &pkt->src, pkt->sport);
        if (!ep) return false;
        sender = ep->side;
    }
    rtp_fax_t *f = &ep->call->fax;
    if (!f->active || sender > 1) return false;
    f->udptl[sender]++;
    if (!f->first_udptl_us) f->first_udptl_us = pkt->ts_us;
    if (pkt->ts_us > f->last_udptl_us) f->last_udptl_us = pkt->ts_us;
    rtp_calls_count_udptl(c);
    return true;
}
