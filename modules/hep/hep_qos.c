/* The rtpagent-style final report (see hep_qos.h). Field names follow the
 * report Homer's rtpagent/heplify-server pipeline stores for type 34; we
 * have one MOS and R-factor per stream, so MIN_ and MEAN_ carry the same
 * value, and what we do not measure (skew) is 0. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hep_qos.h"
#include "sipnab/format.h"

static json_t *real3(double v)
{
    return json_real((double)(long long)(v * 1000.0 + (v < 0 ? -0.5 : 0.5)) / 1000.0);
}

char *hep_qos_final_report(const snb_rtp_stream_event_t *s, size_t *len)
{
    char src[64], dst[64], ssrc[16], name[96];
    snb_format_addr(&s->src, src, sizeof src);
    snb_format_addr(&s->dst, dst, sizeof dst);
    snprintf(ssrc, sizeof ssrc, "0x%08X", s->ssrc);
    snprintf(name, sizeof name, "%s:%u", src, s->sport);
    double mos = s->mos < 0 ? 0 : s->mos, r = s->r_factor < 0 ? 0 : s->r_factor;
    int64_t lost = s->lost < 0 ? 0 : s->lost;
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "CORRELATION_ID", json_string(s->call_id));
    json_object_set_new(o, "RTP_SIP_CALL_ID", json_string(s->call_id));
    json_object_set_new(o, "REPORT_TS", json_integer((json_int_t)(s->last_us / 1000000u)));
    json_object_set_new(o, "REPORT_START", json_integer((json_int_t)(s->first_us / 1000000u)));
    json_object_set_new(o, "REPORT_END", json_integer((json_int_t)(s->last_us / 1000000u)));
    json_object_set_new(o, "TOTAL_BYTES", json_integer((json_int_t)s->octets));
    json_object_set_new(o, "TOTAL_PACKETS", json_integer((json_int_t)s->packets));
    json_object_set_new(o, "TOTAL_EXPECTED_PK", json_integer((json_int_t)s->expected));
    json_object_set_new(o, "TOTAL_PACKET_LOSS", json_integer((json_int_t)lost));
    json_object_set_new(o, "MIN_RFACTOR", real3(r));
    json_object_set_new(o, "MEAN_RFACTOR", real3(r));
    json_object_set_new(o, "RFACTOR", real3(r));
    json_object_set_new(o, "MAX_SKEW", json_real(0));
    json_object_set_new(o, "MAX_DELTA", real3(s->max_delta_ms));
    json_object_set_new(o, "MEAN_JITTER", real3(s->mean_jitter_ms));
    json_object_set_new(o, "MAX_JITTER", real3(s->max_jitter_ms));
    json_object_set_new(o, "MIN_MOS", real3(mos));
    json_object_set_new(o, "MEAN_MOS", real3(mos));
    json_object_set_new(o, "MOS", real3(mos));
    json_object_set_new(o, "ONE_WAY_RTP", json_integer(s->one_way));
    json_object_set_new(o, "CODEC_CH", json_integer(0));
    json_object_set_new(o, "CODEC_PT", json_integer(s->payload_type));
    json_object_set_new(o, "CLOCK", json_integer(s->clock_rate));
    json_object_set_new(o, "CODEC_NAME", json_string(s->codec));
    json_object_set_new(o, "CODEC_CHANNEL", json_integer(1));
    json_object_set_new(o, "SSRC", json_string(ssrc));
    json_object_set_new(o, "SRC_IP", json_string(src));
    json_object_set_new(o, "SRC_PORT", json_integer(s->sport));
    json_object_set_new(o, "DST_IP", json_string(dst));
    json_object_set_new(o, "DST_PORT", json_integer(s->dport));
    json_object_set_new(o, "REPORT_NAME", json_string(name));
    json_object_set_new(o, "ORPHANED", json_boolean(s->orphaned));
    json_object_set_new(o, "STYPE", json_string("RTP"));
    json_object_set_new(o, "TYPE", json_string("FINAL"));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (text) *len = strlen(text);
    return text;
}
