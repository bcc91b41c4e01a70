/* Per-call media view built from SIP message events: which endpoints each
 * side announced in SDP (with a bounded history, so streams can match an
 * endpoint a re-INVITE replaced), the payload-type map, direction and hold,
 * and the call's answer/end times. Lookup by media endpoint (addr, port) is
 * one hash probe: that is what the stream table asks for each new stream.
 *
 * Sides: RTP_SIDE_OFFER is the side that sent the call's first SDP offer,
 * RTP_SIDE_ANSWER the other. A later SDP is assigned to a side by the From
 * tag (caller or callee), so copies of a message seen on both legs of a
 * proxy land on the same side.
 *
 * Bounded: at most max_calls calls (when full, the call that ended first is
 * evicted, else the least recently updated); RTP_CALL_MAX_EPS endpoints per
 * side; RTP_CALL_MAX_HOLDS hold periods per side. Capture time only. */
#ifndef SNB_RTP_CALLS_H
#define SNB_RTP_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp_addr.h"
#include "sipnab/sip.h"

#define RTP_CALL_ID_MAX 128 /* Call-IDs are truncated to 127 bytes */
#define RTP_CALL_MAX_EPS 4  /* endpoints remembered per side (latest + history) */
#define RTP_CALL_MAX_HOLDS 4
#define RTP_CALL_MAX_FORMATS SNB_SIP_MAX_FORMATS

enum rtp_side { RTP_SIDE_OFFER = 0, RTP_SIDE_ANSWER = 1, RTP_SIDE_NONE = 2 };

/* SDP a= direction, as in snb_sip_media_t. */
enum rtp_dir {
    RTP_DIR_SENDRECV = 1,
    RTP_DIR_SENDONLY = 2,
    RTP_DIR_RECVONLY = 3,
    RTP_DIR_INACTIVE = 4
};

typedef struct rtp_format {
    uint8_t pt;
    char encoding[16];
    uint32_t clock_rate;
} rtp_format_t;

/* One m= line as one side announced it. */
typedef struct rtp_endpoint {
    snb_addr_t addr;
    uint16_t port;
    uint8_t direction; /* enum rtp_dir; 1 if absent */
    bool hold;         /* sendonly, inactive or c=0.0.0.0 */
    bool video;        /* m=video (else audio or other) */
    bool image;        /* m=image: T.38 fax over UDPTL, never RTP */
    int16_t telephone_event_pt;
    uint32_t ptime;   /* ms, 0 if absent */
    uint32_t sdp_seq; /* nth SDP of this side (1-based): the latest have the side's max */
    uint64_t ts_us;   /* when it was (last) announced */
    uint8_t n_formats;
    rtp_format_t formats[RTP_CALL_MAX_FORMATS];
    struct rtp_endpoint *hnext; /* endpoint hash chain (owned by rtp_calls) */
    struct rtp_call *call;
    uint8_t side;
} rtp_endpoint_t;

typedef struct rtp_hold {
    uint64_t start_us, end_us; /* end 0 = still on hold */
} rtp_hold_t;

typedef struct rtp_call_side {
    uint32_t n_sdp;                        /* SDPs this side sent (distinct or not) */
    uint8_t n_eps;                         /* used slots of eps[] */
    uint8_t next_ep;                       /* ring position for the next new endpoint */
    rtp_endpoint_t *eps[RTP_CALL_MAX_EPS]; /* the first n_eps, allocated as announced (most
                                            * sides announce one: a fixed array of four was
                                            * 1 KiB a side); kept until the call goes */
    uint8_t n_holds;                       /* hold periods started (ring of RTP_CALL_MAX_HOLDS) */
    rtp_hold_t holds[RTP_CALL_MAX_HOLDS];
    uint8_t dir_seen;    /* bit (1 << rtp_dir) for each direction announced */
    bool zero_addr_seen; /* c=0.0.0.0 (RFC 2543 hold) or port 0 announced */
} rtp_call_side_t;

/* The call's T.38 fax phase: a re-INVITE (or the INVITE) offered m=image
 * and an SDP answer accepted it; from then on the media endpoints carry
 * UDPTL, not RTP, until an SDP answer goes back to audio. */
typedef struct rtp_fax {
    uint64_t offered_us;  /* first SDP offering T.38; 0 if never */
    uint64_t switched_us; /* first answer accepting it: UDPTL from here */
    uint64_t back_us;     /* latest answer back to audio after a fax phase; 0 if none */
    uint32_t switches;    /* fax phases started */
    bool active;          /* in a fax phase now */
    uint64_t udptl[2];    /* UDPTL packets by sender (enum rtp_side) */
    uint64_t first_udptl_us, last_udptl_us;
} rtp_fax_t;

typedef struct rtp_call {
    char call_id[RTP_CALL_ID_MAX];
    uint64_t call_hash;    /* rtp_calls_hash_id() of call_id */
    uint64_t first_us;     /* first message */
    uint64_t last_us;      /* last message */
    uint64_t invite_us;    /* first INVITE, 0 if not seen */
    uint64_t answered_us;  /* first 2xx to INVITE, 0 if none */
    uint64_t ended_us;     /* BYE, or final failure of the initial INVITE; 0 while up */
    uint16_t final_status; /* final response to the initial INVITE */
    bool answered;
    bool offer_by_caller;    /* the first offer came from the From-tag owner */
    char caller_tag[48];     /* From tag of the first message, "" if none */
    rtp_call_side_t side[2]; /* enum rtp_side */
    rtp_fax_t fax;
    /* owned by rtp_calls */
    bool used;
    bool on_ended_list;             /* which eviction list holds it */
    struct rtp_call *hnext;         /* Call-ID bucket chain */
    struct rtp_call *lprev, *lnext; /* its eviction list */
} rtp_call_t;

typedef struct rtp_calls rtp_calls_t;

typedef struct rtp_calls_stats {
    uint64_t calls;              /* calls created */
    uint64_t evicted;            /* calls dropped to make room */
    uint64_t evicted_live;       /* ... of which had not ended */
    uint64_t forgotten;          /* ended calls dropped after the linger */
    uint64_t endpoints;          /* endpoints recorded */
    uint64_t endpoints_unstored; /* endpoints not recorded: out of memory */
    uint64_t udptl;              /* UDPTL packets of calls in a fax phase (rtp_fax.c) */
} rtp_calls_stats_t;

/* NULL on allocation failure. max_calls >= 1. */
rtp_calls_t *rtp_calls_new(uint32_t max_calls);
/* Forget a call this long (capture time) after it ended; 0 keeps ended
 * calls until a full table evicts them (the default: reports at the end of
 * a file need every call). */
void rtp_calls_set_linger(rtp_calls_t *c, uint64_t linger_us);
void rtp_calls_free(rtp_calls_t *c);

/* One SNB_EV_SIP_MESSAGE. Returns the call it updated (NULL if ignored:
 * no Call-ID, or the first message of a Call-ID that cannot start a call,
 * such as REGISTER, OPTIONS or SUBSCRIBE without SDP), valid until the next
 * rtp_calls_sip(). *new_eps is set to the number of endpoints added or
 * moved (so the stream table knows when to look for streams that were
 * waiting for SDP). */
rtp_call_t *rtp_calls_sip(rtp_calls_t *c, const snb_sip_message_event_t *ev, unsigned *new_eps);

/* The most recently announced endpoint at (addr, port), or NULL. Only audio
 * and video m= lines with a port are indexed. */
const rtp_endpoint_t *rtp_calls_lookup(const rtp_calls_t *c, const snb_addr_t *addr, uint16_t port);
/* The same for m=image (T.38) endpoints. */
rtp_endpoint_t *rtp_calls_lookup_image(const rtp_calls_t *c, const snb_addr_t *addr, uint16_t port);
/* Calls in a fax phase now: 0 lets packets skip the UDPTL test. */
uint32_t rtp_calls_faxing(const rtp_calls_t *c);
/* Count one UDPTL packet in the table's statistics. */
void rtp_calls_count_udptl(rtp_calls_t *c);

rtp_call_t *rtp_calls_find(const rtp_calls_t *c, const char *call_id, size_t len);

/* Iterate calls in table order: start with *pos = 0; NULL at the end. */
rtp_call_t *rtp_calls_next(const rtp_calls_t *c, uint32_t *pos);

/* The latest audio (video false) or video endpoint of a side, or NULL. */
const rtp_endpoint_t *rtp_call_latest(const rtp_call_t *call, unsigned side, bool video);

/* Encoding and clock rate of pt in an endpoint's map; false if absent. */
bool rtp_endpoint_format(const rtp_endpoint_t *ep, uint8_t pt, const char **encoding,
                         uint32_t *clock_rate);

const rtp_calls_stats_t *rtp_calls_stats(const rtp_calls_t *c);

/* FNV-1a of a Call-ID (truncated as stored), for quick comparisons. */
uint64_t rtp_calls_hash_id(const rtp_calls_t *c, const char *call_id, size_t len);
/* Hash Call-IDs and endpoints with this key (sipnab/hash.h) from now on;
 * call before the first message (a new table uses an all-zero key). */
void rtp_calls_set_key(rtp_calls_t *c, const snb_hash_key_t *key);

#endif
