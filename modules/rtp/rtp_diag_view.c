/* rtp_calls + rtp_table -> rtp_diag_call_t. */
#include "rtp_diag_view.h"

#include <string.h>

static void side_from(const rtp_call_t *k, unsigned s, rtp_diag_side_t *out)
{
    const rtp_call_side_t *sd = &k->side[s];
    memset(out, 0, sizeof *out);
    const rtp_endpoint_t *ep = rtp_call_latest(k, s, false);
    if (ep) {
        out->addr = ep->addr;
        out->port = ep->port;
        out->direction = ep->direction;
        out->has_sdp = ep->port != 0 && !rtp_addr_is_any(&ep->addr);
    }
    out->ever_no_send =
        (sd->dir_seen & (1u << RTP_DIR_RECVONLY | 1u << RTP_DIR_INACTIVE)) || sd->zero_addr_seen;
    out->ever_no_recv = (sd->dir_seen & (1u << RTP_DIR_SENDONLY | 1u << RTP_DIR_INACTIVE)) ||
                        sd->zero_addr_seen || sd->n_holds > 0;
    for (unsigned i = 0; i < sd->n_eps && out->n_eps < RTP_CALL_MAX_EPS; i++) {
        out->eps[out->n_eps].addr = sd->eps[i]->addr;
        out->eps[out->n_eps].port = sd->eps[i]->port;
        out->n_eps++;
    }
}

void rtp_diag_stream_from(const rtp_stream_t *s, rtp_diag_stream_t *out)
{
    memset(out, 0, sizeof *out);
    out->from_side = s->from_side;
    out->src = s->src;
    out->dst = s->dst;
    out->sport = s->sport;
    out->dport = s->dport;
    out->ssrc = s->ssrc;
    out->audio_packets = s->audio_packets;
    out->cn_packets = s->cn_packets;
    out->dtmf_packets = s->dtmf_packets;
    out->first_audio_us = s->first_audio_us;
    out->last_audio_us = s->last_audio_us;
    out->first_us = s->first_us;
    memcpy(out->codec, s->codec, sizeof out->codec);
    out->pt = s->audio_packets ? s->last_pt : s->stats.pt;
    out->clock_rate = s->clock_rate;
    out->ptime_ms = rtp_stream_ptime_ms(s);
    out->packets = s->stats.packets;
    out->loss_pct = rtp_stream_loss_pct(&s->stats);
    out->mean_jitter_ms = s->stats.mean_jitter_ms;
    out->mos = rtp_stream_mos(s);
}

size_t rtp_diag_view(const rtp_call_t *call, const rtp_table_t *t, uint64_t now_us,
                     rtp_diag_call_t *out, rtp_diag_stream_t *streams, size_t max)
{
    memset(out, 0, sizeof *out);
    out->answered = call->answered;
    out->answered_us = call->answered_us;
    out->ended_us = call->ended_us;
    out->now_us = now_us;
    side_from(call, RTP_SIDE_OFFER, &out->side[0]);
    side_from(call, RTP_SIDE_ANSWER, &out->side[1]);
    size_t n = 0;
    for (const rtp_stream_t *s = rtp_table_call_next(t, call->call_id, NULL); s;
         s = rtp_table_call_next(t, call->call_id, s)) {
        if (n < max) rtp_diag_stream_from(s, &streams[n]);
        n++;
    }
    out->streams = streams;
    out->n_streams = n < max ? n : max;
    return n;
}
