/* SIP dialogs: the state machine, timing and SDP timeline of each Call-ID,
 * and the bounded store that holds them.
 *
 * Pure logic driven by parsed messages and their capture timestamps (never
 * the wall clock), so a file and a live capture give the same answers and
 * every transition can be unit-tested. The module glue (sip.c) feeds it and
 * reads it for output; the filter language reads it through field accessors. */
#ifndef SNB_SIP_DIALOG_H
#define SNB_SIP_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdp.h"
#include "sip_dialog_names.h"
#include "sip_msg.h"
#include "sip_msg_fields.h"
#include "sipnab/hash.h"
#include "sipnab/packet.h"

typedef enum sip_dialog_state {
    SIP_DS_TRYING = 0,   /* request sent, nothing or only 100 back */
    SIP_DS_RINGING,      /* 180/183 seen */
    SIP_DS_INCALL,       /* INVITE answered 2xx, no BYE yet */
    SIP_DS_COMPLETED,    /* ended normally (BYE, or a non-INVITE transaction answered 2xx) */
    SIP_DS_FAILED,       /* final 3xx-6xx (challenges that were answered do not count) */
    SIP_DS_CANCELLED,    /* CANCEL / 487 */
    SIP_DS_REGISTERED,   /* REGISTER answered 2xx with a non-zero expiry */
    SIP_DS_EXPIRED,      /* binding expired (capture time) or removed with Expires: 0 */
    SIP_DS_PENDING,      /* SUBSCRIBE/REFER-NOTIFY: Subscription-State pending, or 202 */
    SIP_DS_ACTIVE,       /* subscription active */
    SIP_DS_TERMINATED,   /* subscription terminated */
    SIP_DS_TRANSFERRING, /* REFER accepted on an established call */
    SIP_DS_COUNT
} sip_dialog_state_t;

/* "Trying", "Ringing", "InCall", ... exactly as the REST spec spells them. */
const char *sip_dialog_state_name(sip_dialog_state_t s);
/* Case-insensitive name -> state; -1 if unknown. */
int sip_dialog_state_from(const char *name);

/* Transport as seen on the wire; WS is SIP over WebSocket (RFC 7118), TLS
 * is SIP over TLS that the tls module decrypted. */
typedef enum sip_transport {
    SIP_TRANSPORT_UDP = 0,
    SIP_TRANSPORT_TCP,
    SIP_TRANSPORT_SCTP,
    SIP_TRANSPORT_WS,
    SIP_TRANSPORT_TLS,
} sip_transport_t;

const char *sip_transport_name(sip_transport_t t); /* "UDP", "TCP", "SCTP", "WS", "TLS" */

/* Where and when a message was seen. */
typedef struct sip_msg_meta {
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint8_t transport; /* sip_transport_t */
} sip_msg_meta_t;

/* What a dialog keeps of each message: enough for the ladder and reports. */
typedef struct sip_msg_summary {
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint8_t transport;
    bool is_request;
    bool retransmit; /* same as an earlier message of the same transaction */
    bool has_sdp;
    uint8_t method;      /* sip_method_t of a request */
    uint8_t cseq_method; /* sip_method_t */
    uint16_t status;
    uint32_t cseq;
    uint32_t malformed;
    uint32_t size;               /* bytes of the message */
    uint32_t text_off, text_len; /* its text in the dialog's text buffer; len 0 = not kept */
    char label[40]; /* "INVITE", "180 Ringing", or an unknown method's name (truncated) */
    /* Its own strings as --json prints them, in the dialog's field arena
     * (fields_kept false: over the arena's cap, render from the dialog's). */
    bool fields_kept;
    bool sdp_present; /* a body part that is SDP, even empty (--json's has_sdp) */
    sip_field_ref_t fields[SIP_MF_COUNT];
} sip_msg_summary_t;

/* Flags on an SDP timeline entry: what changed against the previous one. */
enum sip_sdp_change {
    SIP_SDP_HOLD = 1u << 0,         /* sendonly/inactive or 0.0.0.0 after sendrecv */
    SIP_SDP_RESUME = 1u << 1,       /* back to sendrecv after a hold */
    SIP_SDP_CODEC_CHANGE = 1u << 2, /* first codec differs from the previous offer/answer */
    SIP_SDP_T38 = 1u << 3,          /* switch to image/t38 */
    SIP_SDP_ADDR_CHANGE = 1u << 4,  /* media address or port changed */
};

#define SIP_SDP_MAX_CODECS 6

typedef struct sip_sdp_entry {
    uint64_t ts_us;
    bool offer;   /* false: answer */
    uint8_t mode; /* sdp_direction_t of the first audio (or first) media */
    uint16_t media_port;
    uint8_t media_family;
    char media_addr[46];
    uint8_t n_codecs;
    char codecs[SIP_SDP_MAX_CODECS][16]; /* "PCMU", "telephone-event" */
    uint8_t payload_types[SIP_SDP_MAX_CODECS];
    uint32_t changes; /* enum sip_sdp_change */
    bool has_crypto;
    uint32_t cseq;
    bool from_caller; /* sent by the side that sent the initial request */
} sip_sdp_entry_t;

/* Timing in microseconds of capture time; -1 when it does not apply. */
typedef struct sip_timing {
    int64_t pdd_us;          /* INVITE -> first 180/183 */
    int64_t setup_us;        /* INVITE -> 2xx */
    int64_t ring_us;         /* first 180/183 -> 2xx */
    int64_t trying_delay_us; /* INVITE -> first 100 */
    int64_t teardown_us;     /* BYE -> its 2xx */
    uint32_t retransmits;    /* messages that repeat an earlier one of their transaction */
} sip_timing_t;

/* One of those intervals in whole milliseconds, rounded, as every output
 * prints it; -1 when it does not apply. */
static inline int64_t sip_timing_ms(int64_t us)
{
    return us < 0 ? -1 : (us + 500) / 1000;
}

typedef struct sip_dialog {
    char *call_id;              /* owned, NUL-terminated */
    sip_dialog_names_t names;   /* parties, tags, user agent: read with the sip_dialog_* below */
    uint8_t method;             /* sip_method_t of the request that created the dialog */
    uint8_t state;              /* sip_dialog_state_t */
    uint8_t prev_state;         /* state before TRANSFERRING, to return to */
    uint16_t final_code;        /* final response of the initial transaction, 0 if none */
    uint64_t first_us, last_us; /* first and last message */
    uint64_t answered_us, ended_us; /* 0 if not */
    sip_timing_t timing;
    uint32_t msg_count; /* all messages, kept or not */
    uint32_t malformed_count;
    /* The initial request's endpoints. */
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint8_t transport;
    /* Messages kept: the first `max_messages` (the ladder's start matters most). */
    sip_msg_summary_t *msgs;
    uint32_t n_msgs, cap_msgs;
    sip_sdp_entry_t *sdp;
    uint32_t n_sdp, cap_sdp;
    sip_field_arena_t fields; /* the kept messages' own strings (sip_msg_fields.h) */
    char *text; /* texts of kept messages, back to back (see keep_text in sip_store.c) */
    uint32_t text_len, text_cap;
    char *refer_to;        /* owned; the Refer-To URI, no brackets, no ?headers */
    char *refer_replaces;  /* owned; its ?Replaces= header, %-decoded, or NULL */
    int64_t expires_at_us; /* REGISTER binding expiry (capture time), 0 if none */
    bool finished;         /* reached a state that ends it (evictable first) */
    bool responded;        /* any response seen */
    uint8_t timeout;       /* enum sip_dialog_timeout: why it was given up on */
    uint8_t timed_out_in;  /* the state it was in then (a late message revives it) */
    void *engine;          /* transaction tracking private to the store */
} sip_dialog_t;

/* Its short strings (sip_dialog_names.h), never NULL. */
static inline const char *sip_dialog_from_user(const sip_dialog_t *d)
{
    return sip_names_get(&d->names, SIP_DN_FROM_USER);
}
static inline const char *sip_dialog_to_user(const sip_dialog_t *d)
{
    return sip_names_get(&d->names, SIP_DN_TO_USER);
}
static inline const char *sip_dialog_from_display(const sip_dialog_t *d)
{
    return sip_names_get(&d->names, SIP_DN_FROM_DISPLAY);
}
static inline const char *sip_dialog_to_display(const sip_dialog_t *d)
{
    return sip_names_get(&d->names, SIP_DN_TO_DISPLAY);
}
static inline const char *sip_dialog_from_tag(const sip_dialog_t *d)
{
    return sip_names_get(&d->names, SIP_DN_FROM_TAG);
}
static inline const char *sip_dialog_to_tag(const sip_dialog_t *d)
{
    return sip_names_get(&d->names, SIP_DN_TO_TAG);
}
static inline const char *sip_dialog_ua(const sip_dialog_t *d)
{
    return sip_names_get(&d->names, SIP_DN_UA);
}

enum sip_dialog_timeout {
    SIP_TIMEOUT_NONE = 0,
    SIP_TIMEOUT_NO_RESPONSE = 1, /* nothing came back (Timer B/F) */
    SIP_TIMEOUT_NO_FINAL = 2,    /* provisional responses, never a final one (Timer C) */
};
/* "no response" / "no final response"; NULL for SIP_TIMEOUT_NONE. */
const char *sip_dialog_timeout_name(const sip_dialog_t *d);

/* Seconds from the answer to the end (BYE, else the last message); 0 for a
 * dialog never answered. The REST duration_sec and the filter's duration. */
double sip_dialog_duration_sec(const sip_dialog_t *d);

typedef struct sip_store_limits {
    uint32_t max_dialogs;  /* beyond: evict the oldest finished dialog, else the oldest */
    uint32_t max_messages; /* kept per dialog */
    uint32_t max_sdp;      /* SDP timeline entries kept per dialog */
    /* Capture time after which a dialog still waiting is given up on (it
     * becomes Failed, with `timeout` set); 0 = never. */
    uint64_t no_response_us; /* Trying with no response at all (Timer B/F: 32 s) */
    uint64_t no_final_us;    /* an INVITE with provisional responses only (Timer C: 180 s) */
    /* Message texts, once sip_store_keep_text is on: bytes per dialog and in
     * all (0 = none); a message that would pass either is kept without. */
    uint64_t max_text_dialog;
    uint64_t max_text_total;
    snb_hash_key_t hash_key; /* Call-IDs are hashed with it (sipnab/hash.h) */
} sip_store_limits_t;

typedef struct sip_store_stats {
    uint64_t dialogs_created;
    uint64_t dialogs_evicted;
    uint64_t messages;
    uint64_t messages_no_call_id; /* malformed without Call-ID: counted, no dialog */
    uint64_t retransmits;
    uint64_t registrations_expired;
    uint64_t dialogs_timed_out; /* given up on: no (final) response in time */
    uint64_t texts_kept;
    uint64_t text_capped_dialog; /* texts not kept: the dialog's text cap */
    uint64_t text_capped_total;  /* texts not kept: the global text cap */
} sip_store_stats_t;

typedef struct sip_store sip_store_t;

sip_store_t *sip_store_new(const sip_store_limits_t *limits);
void sip_store_free(sip_store_t *store);
const sip_store_stats_t *sip_store_stats(const sip_store_t *store);

/* Feed one message. Returns its dialog (NULL only for a message without a
 * Call-ID); *retransmit tells whether it repeats an earlier message. Also
 * advances capture time: expires REGISTER bindings due before meta->ts_us. */
sip_dialog_t *sip_store_message(sip_store_t *store, const sip_msg_t *msg,
                                const sip_msg_meta_t *meta, bool *retransmit);

/* Advance capture time without a message (live capture idle). */
void sip_store_advance(sip_store_t *store, uint64_t now_us);

sip_dialog_t *sip_store_find(const sip_store_t *store, const char *call_id);
uint32_t sip_store_count(const sip_store_t *store);
/* Dialogs in creation order; stop early by returning false. */
typedef bool (*sip_dialog_fn)(void *ud, sip_dialog_t *d);
void sip_store_foreach(const sip_store_t *store, sip_dialog_fn fn, void *ud);

/* Wireshark's `-z sip,stat` "Average setup time": every ACK (UDP) yields the
 * milliseconds since the last original request sent in the same direction
 * (the INVITE, or a CANCEL after it) whatever the final response was; zero
 * samples are skipped. count samples, integer average, min and max (all 0
 * when there is none). Not the per-dialog setup_us (INVITE -> 2xx). */
void sip_store_setup_stats(const sip_store_t *store, uint32_t *count, uint32_t *avg_ms,
                           uint32_t *min_ms, uint32_t *max_ms);
/* Changes, for any number of consumers: each has a cursor in the order of
 * last change. Every message, expiry, time-out and touch moves its dialog
 * after every cursor; evictions are remembered (up to 65536 beyond the
 * slowest cursor) and handed over in sequence with the changes. */
typedef struct sip_store_cursor sip_store_cursor_t;
typedef struct sip_store_feed {
    bool (*changed)(void *ud, sip_dialog_t *d); /* false stops the call */
    void (*gone)(void *ud, const char *call_id);
    void (*resync)(void *ud); /* evictions were forgotten: start over */
} sip_store_feed_t;

/* A new cursor sits before every dialog held: all count as changed. */
sip_store_cursor_t *sip_store_cursor_new(sip_store_t *store);
void sip_store_cursor_free(sip_store_t *store, sip_store_cursor_t *c);
void sip_store_cursor_reset(sip_store_t *store, sip_store_cursor_t *c);
/* Evictions and up to max changed dialogs, in sequence order. Returns the
 * number of changed dialogs handed over. */
size_t sip_store_cursor_next(sip_store_t *store, sip_store_cursor_t *c, size_t max,
                             const sip_store_feed_t *feed, void *ud);
/* The dialog changed without a message (an annotation's data). */
void sip_store_touch(sip_store_t *store, sip_dialog_t *d);
/* Its place in the change sequence. */
uint64_t sip_store_dialog_seq(const sip_dialog_t *d);

/* Called on creation and on every state change (prev_state = the state
 * before; for a new dialog, its first state), messages and time-outs alike. */
typedef void (*sip_store_observer_fn)(void *ud, const sip_dialog_t *d, uint8_t prev_state,
                                      bool created);
void sip_store_observe(sip_store_t *store, sip_store_observer_fn fn, void *ud);

/* n per-dialog slots for annotations; free_fn gets each non-NULL one when
 * its dialog goes. Set before the first message. */
void sip_store_set_slots(sip_store_t *store, size_t n,
                         void (*free_fn)(void *ud, size_t slot, void *data), void *ud);
/* The slot (NULL if out of range or out of memory). */
void **sip_store_slot(sip_store_t *store, sip_dialog_t *d, size_t slot);

/* Keep the texts of kept messages from now on, within the limits. */
void sip_store_keep_text(sip_store_t *store, bool on);
/* Bytes held for texts in all. */
uint64_t sip_store_text_bytes(const sip_store_t *store);

/* The longest Call-ID hash chain (for tests and benchmarks of the hash). */
uint32_t sip_store_longest_chain(const sip_store_t *store);

/* Heap bytes a dialog occupies in the store (node, Call-ID, messages, SDP,
 * Refer-To, resend tracking): what evicting it gives back. */
size_t sip_store_dialog_bytes(const sip_dialog_t *d);

#endif
