/* RTP module outputs: streams as JSON (the REST stream shape plus added
 * fields), the streams table, and the media part of a call report. */
#ifndef SNB_RTP_OUT_H
#define SNB_RTP_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "rtp_diag.h"
#include "rtp_table.h"

/* A SIP INFO DTMF digit (application/dtmf-relay), kept per call. */
typedef struct rtp_info_dtmf {
    char call_id[RTP_CALL_ID_MAX];
    uint64_t ts_us;
    char digit;
    uint32_t duration_ms;
} rtp_info_dtmf_t;

json_t *rtp_out_stream_json(const rtp_stream_t *s);
json_t *rtp_out_diagnosis_json(const rtp_diag_result_t *r);
void rtp_out_table_header(FILE *out);
void rtp_out_table_row(FILE *out, const rtp_stream_t *s);
/* The media section of a call report: streams, DTMF (RTP and SIP INFO), diagnosis. */
void rtp_out_call_media(FILE *out, bool markdown, const rtp_table_t *t, const char *call_id,
                        const rtp_diag_result_t *diag, const rtp_info_dtmf_t *info, size_t n_info);

/* A call's T.38 fax phase: the "fax" object (NULL when the call offered no
 * T.38) and the call report's fax section (nothing then). */
json_t *rtp_out_fax_json(const rtp_fax_t *f);
void rtp_out_fax_report(FILE *out, bool markdown, const rtp_fax_t *f);

#endif
