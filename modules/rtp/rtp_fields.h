/* What the filter language sees of RTP: the stream fields of
 * `--stream-filter`, and the fields, aliases and diagnosis kinds the RTP
 * module adds to dialogs (rtp.mos, one_way, bad-audio, ...). Pure. */
#ifndef SNB_RTP_FIELDS_H
#define SNB_RTP_FIELDS_H

#include "rtp_diag.h"
#include "rtp_table.h"
#include "sipnab/dialogs.h"
#include "sipnab/filter.h"

/* ---- streams ---- */
const snb_filter_field_t *rtp_stream_fields(size_t *n);
typedef struct rtp_stream_scratch {
    char ssrc[16];
} rtp_stream_scratch_t;
void rtp_stream_field_value(const rtp_stream_t *s, int id, rtp_stream_scratch_t *scratch,
                            snb_filter_value_t *out);
bool rtp_stream_matches(const snb_filter_t *f, const rtp_stream_t *s);

/* ---- dialogs ---- */

/* A dialog's media in numbers, computed once per evaluation. */
typedef struct rtp_media_summary {
    bool computed, known; /* known: the RTP module has the call or a stream of it */
    uint32_t streams;
    double min_mos, max_loss_pct, max_jitter_ms; /* worst stream */
    uint32_t flags;                              /* enum rtp_diag_flag */
} rtp_media_summary_t;

/* From the diagnosis (may be NULL when the call is unknown) and the call's
 * streams in the table. */
void rtp_media_summarize(const rtp_table_t *t, const char *call_id, const rtp_diag_result_t *diag,
                         rtp_media_summary_t *out);

const snb_filter_field_t *rtp_dialog_fields(size_t *n);
const snb_filter_alias_t *rtp_dialog_aliases(size_t *n);
/* What the "problems" alias gains from media. */
#define RTP_DIALOG_PROBLEMS "media-problems"
void rtp_dialog_field_value(const rtp_media_summary_t *m, int id, snb_filter_value_t *out);
/* The diagnosis kinds, in the order of enum rtp_diag_flag's bits. */
const snb_diagnosis_kind_t *rtp_diagnosis_kinds(size_t *n);

#endif
