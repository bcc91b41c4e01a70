/* SIP module outputs on the command line: a line or a JSON object per
 * message, dialogs as JSON (the REST dialog shape), the dialog table and the
 * call report. Field names follow the REST spec (a contract). */
#ifndef SNB_SIP_OUT_H
#define SNB_SIP_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "sip_annotations.h"
#include "sip_dialog.h"
#include "sip_msg.h"
#include "sipnab/dialogs.h"

/* One line per message, for people. */
void sip_out_message_line(FILE *out, const sip_msg_meta_t *meta, const sip_msg_t *msg,
                          bool retransmit);
/* One JSON object per message (NDJSON), written into w. */
void sip_out_message_write(snb_jsonw_t *w, const sip_msg_meta_t *meta, const sip_msg_t *msg,
                           bool retransmit);
/* The same record rebuilt from what a dialog kept (deferred output under
 * --filter, when the message itself is long gone; the API's message list). */
void sip_out_summary_write(snb_jsonw_t *w, const sip_dialog_t *d, const sip_msg_summary_t *m);
/* Both as trees (the text parsed). */
json_t *sip_out_message_json(const sip_msg_meta_t *meta, const sip_msg_t *msg, bool retransmit);
json_t *sip_out_summary_json(const sip_dialog_t *d, const sip_msg_summary_t *m);

/* GET /v1/dialogs/{call_id} shape; diagnosis, streams, siprec_metadata and
 * every other annotation come from the modules that registered them. */
json_t *sip_out_dialog_json(const sip_dialog_t *d, const sip_annotations_t *ann);
/* One element of GET /v1/dialogs: call_id, from, to, state, method,
 * duration_sec, msg_count, timing {pdd_ms, setup_ms, retransmits},
 * created_at, updated_at. */
json_t *sip_out_dialog_summary_json(const sip_dialog_t *d, const sip_annotations_t *ann);
/* The same, written into w as one value. */
void sip_out_dialog_summary_write(snb_jsonw_t *w, const sip_dialog_t *d,
                                  const sip_annotations_t *ann);
/* The call report as JSON: the dialog shape plus the message ladder, and a
 * one-line diagnosis.summary. */
json_t *sip_out_report_json(const sip_dialog_t *d, const sip_annotations_t *ann);
/* The same, written into w (the ladder without a tree); *diagnosis, when
 * asked for, gets a reference to its diagnosis object. */
void sip_out_report_write(snb_jsonw_t *w, const sip_dialog_t *d, const sip_annotations_t *ann,
                          json_t **diagnosis);

void sip_out_report_header(FILE *out);
void sip_out_report_row(FILE *out, const sip_dialog_t *d, const sip_annotations_t *ann);
void sip_out_call_report_text(FILE *out, const sip_dialog_t *d, const sip_annotations_t *ann);
void sip_out_call_report_markdown(FILE *out, const sip_dialog_t *d, const sip_annotations_t *ann);

/* Print a JSON value as one line. */
void sip_out_json_line(FILE *out, json_t *v);

/* The "sip.dialogs" service over a store and its annotations
 * (sip_out_service.c). */
typedef struct sip_service {
    struct snb_core *core; /* for log lines */
    sip_store_t *store;
    sip_annotations_t *ann;
    /* report_text's stream, reused: open_memstream zeroes a FILE of some
     * kilobytes each time, a quarter of a short Markdown report's cost */
    FILE *report_mem;
    char *report_buf;
    size_t report_size;
} sip_service_t;

void sip_service_fill(sip_service_t *ctx, snb_dialogs_service_t *svc);
/* Frees what the service kept between calls (not the store or registry). */
void sip_service_release(sip_service_t *ctx);

#endif
