/* Between the dialog state machine (sip_dialog.c) and the store
 * (sip_store.c): the per-dialog private state behind sip_dialog_t.engine.
 * Not part of the module's API. */
#ifndef SNB_SIP_DIALOG_INT_H
#define SNB_SIP_DIALOG_INT_H

#include <stddef.h>

#include "sip_dialog.h"
#include "sip_resend.h"

typedef struct sip_dialog_priv {
    sip_resend_table_t rt; /* Wireshark-equivalent resend tracking of this Call-ID */
    uint32_t init_cseq;    /* CSeq of the current attempt of the creating request */
    uint32_t bye_cseq;
    uint32_t refer_cseq;
    uint32_t req_sdp_cseq; /* last request that carried SDP (offer) */
    uint64_t invite_us;    /* first copy of the current attempt's request; 0 unknown */
    uint64_t ring_us;      /* first 180/183 of the current attempt */
    uint64_t bye_us;       /* first BYE */
    uint64_t contact_hash; /* REGISTER request's first Contact URI; 0 none */
    int64_t req_expires;   /* expiry asked by the last REGISTER/SUBSCRIBE; -1 none */
    uint32_t sdp_dropped;  /* timeline entries beyond max_sdp */
    uint8_t req_sdp_method;
    bool req_sdp;    /* req_sdp_cseq/method are set */
    bool challenged; /* the last final of the attempt was 401/407 */
    bool cancel_seen;
    bool late_offer; /* a response carried the offer; ACK/PRACK answers */
    bool ua_from_request;
} sip_dialog_priv_t;

/* Fill a new dialog from its first message; d->call_id and d->engine are set
 * by the store before. */
void sip_dialog_init(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta);
/* Apply one message (including the first) to the dialog. */
void sip_dialog_update(sip_dialog_t *d, const sip_msg_t *msg, const sip_msg_meta_t *meta,
                       bool retransmit, const sip_store_limits_t *lim);
/* A REGISTER binding ran out at capture time at_us. */
void sip_dialog_expire(sip_dialog_t *d, uint64_t at_us);
/* Give up on a dialog still Trying/Ringing at at_us: Failed, with why. */
void sip_dialog_time_out(sip_dialog_t *d, uint64_t at_us, uint8_t why);
/* Free what the dialog owns except call_id and the engine itself. */
void sip_dialog_release(sip_dialog_t *d);
/* Heap bytes the dialog owns besides its node (messages, SDP, refer_to, resend table). */
size_t sip_dialog_owned_bytes(const sip_dialog_t *d);

static inline sip_dialog_priv_t *sip_dialog_priv(const sip_dialog_t *d)
{
    return (sip_dialog_priv_t *)d->engine;
}

#endif
