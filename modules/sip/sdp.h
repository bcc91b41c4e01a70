/* SDP (RFC 4566/8866) as a SIP analyser needs it: origin, connection
 * addresses, media lines with ports and payload types, rtpmap/fmtp/ptime,
 * direction, telephone-event, labels and whether crypto is offered. Pure,
 * zero-copy (slices into the body), bounded. */
#ifndef SNB_SDP_H
#define SNB_SDP_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/str.h"

#define SDP_MAX_MEDIA 8
#define SDP_MAX_FORMATS 16

typedef enum sdp_direction {
    SDP_DIR_NONE = 0, /* not stated: sendrecv by default */
    SDP_DIR_SENDRECV,
    SDP_DIR_SENDONLY,
    SDP_DIR_RECVONLY,
    SDP_DIR_INACTIVE,
} sdp_direction_t;

const char *sdp_direction_name(sdp_direction_t d); /* "sendrecv", ...; NONE -> "sendrecv" */

typedef struct sdp_format {
    uint8_t pt;          /* payload type 0..127 */
    snb_str_t encoding;  /* from a=rtpmap, e.g. "PCMU"; for static PTs without rtpmap, empty */
    uint32_t clock_rate; /* from a=rtpmap; 0 if unknown */
    uint8_t channels;    /* from a=rtpmap; 1 default */
    snb_str_t fmtp;      /* a=fmtp parameters */
} sdp_format_t;

typedef struct sdp_media {
    snb_str_t type;            /* audio, video, image, application */
    uint16_t port;             /* 0 = disabled stream */
    uint16_t port_count;       /* m=audio 49170/2 -> 2; default 1 */
    snb_str_t proto;           /* RTP/AVP, RTP/SAVP, udptl, ... */
    snb_str_t conn_addr;       /* c= of this media, or the session c= */
    uint8_t conn_family;       /* 4 or 6, 0 if none */
    sdp_direction_t direction; /* media-level, else session-level */
    uint32_t ptime;            /* a=ptime in ms, 0 if absent */
    uint32_t maxptime;
    snb_str_t label; /* a=label */
    bool has_crypto; /* a=crypto or a=fingerprint (DTLS-SRTP); never print the keys */
    bool rtcp_mux;
    int telephone_event_pt; /* payload type of telephone-event, -1 if none */
    uint8_t n_formats;
    sdp_format_t formats[SDP_MAX_FORMATS];
} sdp_media_t;

typedef struct sdp {
    snb_str_t origin_user, origin_session_id, origin_version, origin_addr;
    snb_str_t session_name;
    snb_str_t conn_addr; /* session-level c= */
    uint8_t conn_family;
    sdp_direction_t direction; /* session-level a= */
    uint8_t n_media;
    sdp_media_t media[SDP_MAX_MEDIA];
    bool truncated; /* more media or formats than the limits: the rest ignored */
} sdp_t;

/* 0 on success (even with unknown lines, which are skipped); -1 if the text
 * is not SDP at all (no v= line first). */
int sdp_parse(const char *data, size_t len, sdp_t *out);

/* Encoding name of a format: rtpmap name, else the static RFC 3551 name for
 * payload types 0-34 ("PCMU", "GSM", "G723", "PCMA", "G722", "G729", ...),
 * else "" ; clock rate likewise. */
snb_str_t sdp_format_name(const sdp_format_t *f);
uint32_t sdp_format_clock(const sdp_format_t *f);

#endif
