/* What the SIP module publishes, for other modules (RTP, HTTP, HEP, ...).
 * Plain data: a subscriber needs none of the SIP module's code. */
#ifndef SIPNAB_SIP_H
#define SIPNAB_SIP_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/event.h"
#include "sipnab/packet.h"
#include "sipnab/str.h"

/* SIP methods as numbered in snb_sip_message_event_t (the SIP module's
 * sip_method_t has the same order; it checks that at compile time). */
enum snb_sip_method {
    SNB_SIP_UNKNOWN = 0,
    SNB_SIP_INVITE,
    SNB_SIP_ACK,
    SNB_SIP_BYE,
    SNB_SIP_CANCEL,
    SNB_SIP_REGISTER,
    SNB_SIP_OPTIONS,
    SNB_SIP_PRACK,
    SNB_SIP_SUBSCRIBE,
    SNB_SIP_NOTIFY,
    SNB_SIP_PUBLISH,
    SNB_SIP_INFO,
    SNB_SIP_REFER,
    SNB_SIP_MESSAGE,
    SNB_SIP_UPDATE,
};

#define SNB_SIP_MAX_MEDIA 4
#define SNB_SIP_MAX_FORMATS 8

/* One m= line of an SDP offer or answer. */
typedef struct snb_sip_media {
    char type[12];              /* "audio", "video", "image" */
    snb_addr_t addr;            /* connection address (family 0 if none or unparsable) */
    uint16_t port;              /* 0 = stream disabled */
    uint8_t direction;          /* 1 sendrecv, 2 sendonly, 3 recvonly, 4 inactive */
    int16_t telephone_event_pt; /* -1 if none */
    uint32_t ptime;             /* ms, 0 if absent */
    uint8_t n_formats;
    struct {
        uint8_t pt;
        char encoding[16]; /* "PCMU"; static names filled for PT 0-34 */
        uint32_t clock_rate;
    } formats[SNB_SIP_MAX_FORMATS];
} snb_sip_media_t;

enum snb_sip_sdp_role { SNB_SDP_NONE = 0, SNB_SDP_OFFER = 1, SNB_SDP_ANSWER = 2 };

/* SNB_EV_SIP_MESSAGE: one SIP message, after it updated its dialog. */
typedef struct snb_sip_message_event {
    snb_event_t ev;
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint8_t transport; /* 0 UDP, 1 TCP, 2 SCTP, 3 WS */
    bool is_request;
    bool retransmit;
    uint8_t method; /* SIP method number (modules/sip/sip_msg.h order) */
    uint8_t cseq_method;
    uint16_t status;
    uint32_t cseq;
    uint32_t malformed; /* reason flags; 0 = well-formed */
    snb_str_t call_id;  /* slices into raw */
    snb_str_t method_name;
    snb_str_t content_type;
    snb_str_t body;
    const char *raw; /* the whole message */
    uint32_t raw_len;
    uint8_t sdp_role; /* enum snb_sip_sdp_role */
    uint8_t n_media;
    snb_sip_media_t media[SNB_SIP_MAX_MEDIA];
} snb_sip_message_event_t;

/* SNB_EV_DIALOG_UPDATE: a dialog changed state. */
typedef struct snb_sip_dialog_event {
    snb_event_t ev;
    uint64_t ts_us;
    char call_id[256];         /* truncated beyond 255 bytes */
    uint8_t state, prev_state; /* modules/sip/sip_dialog.h order */
    uint16_t final_code;
} snb_sip_dialog_event_t;

#endif
