/* Building the public "sip.message" payload (sipnab/sip.h). */
#ifndef SNB_SIP_EVENT_H
#define SNB_SIP_EVENT_H

#include "sip_dialog.h"
#include "sip_msg.h"
#include "sipnab/sip.h"

/* Fill a borrowed event of the given type for msg (slices point into
 * msg->buf; msg itself must outlive the dispatch, i.e. the publish call). */
void sip_event_fill(snb_sip_message_event_t *ev, snb_event_type_t type, const sip_msg_meta_t *meta,
                    const sip_msg_t *msg, bool retransmit, const sip_dialog_t *d);

extern const snb_event_ops_t sip_message_event_ops;
extern const snb_event_ops_t sip_dialog_event_ops;

#endif
