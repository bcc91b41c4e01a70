/* Simplified ITU-T G.107 E-model (see rtp_mos.h and docs/modules/rtp-quality.md). */
#include "rtp_mos.h"

/* G.107 delay impairment Idd simplified as in Cole & Rosenbluth (2001):
 * linear below 177.3 ms, steeper above. */
static double delay_impairment(double ta)
{
    double id = 0.024 * ta;
    if (ta > 177.3) id += 0.11 * (ta - 177.3);
    return id;
}

double rtp_r_factor(const char *codec_name, double loss_pct, double jitter_ms, double rtt_ms)
{
    const rtp_codec_facts_t *c = rtp_codec_facts(codec_name);
    if (!(loss_pct > 0)) /* also catches NaN */
        loss_pct = 0;
    if (loss_pct > 100) loss_pct = 100;
    if (!(jitter_ms > 0)) jitter_ms = 0;
    double ta = RTP_MOS_JB_FACTOR * jitter_ms + c->delay_ms;
    if (rtt_ms > 0) ta += rtt_ms / 2;
    double ie_eff = c->ie + (95.0 - c->ie) * loss_pct / (loss_pct / RTP_MOS_BURST_R + c->bpl);
    return RTP_MOS_R0_MINUS_IS - delay_impairment(ta) - ie_eff;
}

double rtp_mos_from_r(double r)
{
    if (!(r > 0)) return 1.0;
    if (r >= 100) return 4.5;
    double mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
    if (mos < 1) return 1.0;
    return mos > 4.5 ? 4.5 : mos;
}

double rtp_mos(const char *codec_name, double loss_pct, double jitter_ms, double rtt_ms)
{
    return rtp_mos_from_r(rtp_r_factor(codec_name, loss_pct, jitter_ms, rtt_ms));
}
