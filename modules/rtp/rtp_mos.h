/* Listening/conversational quality estimate: ITU-T G.107 E-model, simplified
 * to the impairments a packet capture can measure (loss, jitter, round trip).
 * The formula and every constant, with its source, are in
 * docs/modules/rtp-quality.md. */
#ifndef SNB_RTP_MOS_H
#define SNB_RTP_MOS_H

/* R0 - Is with G.107's default values (no echo, quiet room, ...). */
#define RTP_MOS_R0_MINUS_IS 93.2
/* BurstR: 1 means random (not bursty) loss. */
#define RTP_MOS_BURST_R 1.0
/* The de-jitter buffer is assumed to hold this many times the jitter. */
#define RTP_MOS_JB_FACTOR 2.0

/* The E-model inputs of one codec (rtp_codec.c). */
typedef struct rtp_codec_facts {
    const char *name; /* encoding name as in SDP (case-insensitive match) */
    double ie;        /* equipment impairment factor */
    double bpl;       /* packet-loss robustness factor */
    double delay_ms;  /* algorithmic delay: frame + look-ahead */
} rtp_codec_facts_t;

/* Facts for an encoding name ("PCMU", "G729", "opus", ...). Unknown names and
 * NULL get G.711's (Ie 0, Bpl 25.1 with packet-loss concealment). Never NULL. */
const rtp_codec_facts_t *rtp_codec_facts(const char *codec_name);

/* R = 93.2 - Id(Ta) - Ie_eff, Ta = rtt/2 + 2 * jitter + codec delay (ms),
 * Ie_eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl). loss_pct in percent
 * (clamped to [0, 100]), jitter_ms >= 0, rtt_ms < 0 when unknown (then the
 * network part of the delay is taken as 0). Not clamped: may be < 0. */
double rtp_r_factor(const char *codec_name, double loss_pct, double jitter_ms, double rtt_ms);

/* MOS = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), clamped to [1, 4.5]
 * (R <= 0 gives 1, R >= 100 gives 4.5). */
double rtp_mos_from_r(double r);

/* rtp_mos_from_r(rtp_r_factor(...)). */
double rtp_mos(const char *codec_name, double loss_pct, double jitter_ms, double rtt_ms);

#endif
