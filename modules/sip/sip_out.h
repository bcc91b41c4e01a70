/* SIP module outputs on the command line: a line or a JSON object per
 * message, dialogs as JSON (the REST dialog shape), the dialog table and the
 * call report. Field names follow the REST spec (a contract). */
#ifndef SNB_SIP_OUT_H
#define SNB_SIP_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "sip_dialog.h"
#include "sip_msg.h"
#include "sipnab/media.h"

/* One line per message, for people. */
void sip_out_message_line(FILE *out, const sip_msg_meta_t *meta, const sip_msg_t *msg,
                          bool retransmit);
/* One JSON object per message (NDJSON). */
json_t *sip_out_message_json(const sip_msg_meta_t *meta, const sip_msg_t *msg, bool retransmit);
/* The same record rebuilt from what a dialog kept (deferred output under
 * --filter, when the message itself is long gone). */
json_t *sip_out_summary_json(const sip_dialog_t *d, const sip_msg_summary_t *m);

/* GET /v1/dialogs/{call_id} shape; streams and diagnosis come from the RTP
 * module's media service when it is loaded (media may be NULL). */
json_t *sip_out_dialog_json(const sip_dialog_t *d, const snb_media_service_t *media);
/* One element of GET /v1/dialogs: call_id, from, to, state, method,
 * duration_sec, msg_count, timing {pdd_ms, setup_ms, retransmits},
 * created_at, updated_at. */
json_t *sip_out_dialog_summary_json(const sip_dialog_t *d);
/* The call report as JSON: the dialog shape plus the message ladder, and a
 * one-line diagnosis.summary. */
json_t *sip_out_report_json(const sip_dialog_t *d, const snb_media_service_t *media);

void sip_out_report_header(FILE *out);
void sip_out_report_row(FILE *out, const sip_dialog_t *d);
void sip_out_call_report_text(FILE *out, const sip_dialog_t *d, const snb_media_service_t *media);
void sip_out_call_report_markdown(FILE *out, const sip_dialog_t *d,
                                  const snb_media_service_t *media);

/* Print a JSON value as one line. */
void sip_out_json_line(FILE *out, json_t *v);

#endif
