/* One TLS connection followed from both sides: the hellos in the clear,
 * then each direction's records decrypted in order with the keys the key
 * log holds for the client random.
 *  - TLS 1.2: after ChangeCipherSpec, every record is protected with the
 *    key block of the master secret (CLIENT_RANDOM);
 *  - TLS 1.3: after the ServerHello, records are protected with the
 *    handshake traffic secrets, and after each side's Finished with its
 *    application traffic secret (KeyUpdate is followed); the inner content
 *    type tells application data from handshake messages.
 * Application data is handed out in order per direction. Bounded: one
 * partial record and one partial handshake message per direction. */
#ifndef SNB_TLS_SESSION_H
#define SNB_TLS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_keylog.h"
#include "tls_record.h"

typedef struct tls_stats {
    uint64_t handshakes_12, handshakes_13; /* ServerHello seen, by version */
    uint64_t unsupported;                  /* a suite or version we cannot decrypt */
    uint64_t records_decrypted;            /* authenticated and opened */
    uint64_t records_failed;               /* keys present, tag did not verify */
    uint64_t records_no_keys;              /* encrypted, no keys logged (yet) */
    uint64_t records_skipped;              /* application data before the handshake (0-RTT) */
    uint64_t plaintext_bytes;              /* application data handed out */
    uint64_t key_updates;                  /* TLS 1.3 KeyUpdate followed */
    uint64_t not_tls;                      /* directions whose bytes are not TLS records */
    uint64_t no_room;                      /* partial records dropped: buffer budget */
    uint64_t gaps;                         /* directions lost to a TCP gap */
} tls_stats_t;

/* Application data of one side (0 or 1, as given to tls_session_data). */
typedef void (*tls_plaintext_cb)(void *ud, int side, const uint8_t *data, size_t len);

/* What a session works with, shared by every session. */
typedef struct tls_env {
    const tls_keylog_t *keylog; /* may be NULL: no keys (yet) */
    tls_budget_t *budget;       /* partial records */
    tls_stats_t *stats;
    uint8_t *scratch; /* TLS_RECORD_MAX bytes for plaintext */
    tls_plaintext_cb cb;
    void *ud;
} tls_env_t;

typedef enum tls_outcome {
    TLS_OUTCOME_NO_HELLO,    /* no ServerHello seen */
    TLS_OUTCOME_UNSUPPORTED, /* a suite or version we cannot decrypt */
    TLS_OUTCOME_NO_KEYS,     /* nothing in the key log for it */
    TLS_OUTCOME_FAILED,      /* keys, but no record authenticated */
    TLS_OUTCOME_DECRYPTED,   /* at least one record decrypted */
    TLS_OUTCOME_HANDSHAKE,   /* keys, nothing encrypted seen yet */
} tls_outcome_t;

typedef struct tls_session tls_session_t;

/* client_side: the side (0 or 1) that sent the ClientHello. */
tls_session_t *tls_session_new(int client_side);
/* In-order stream bytes of one side. */
void tls_session_data(tls_session_t *s, const tls_env_t *env, int side, const uint8_t *data,
                      size_t n);
/* Bytes of this side were lost (a TCP gap): it cannot be followed any more. */
void tls_session_gap(tls_session_t *s, const tls_env_t *env, int side);
tls_outcome_t tls_session_outcome(const tls_session_t *s);
/* 0x0303, 0x0304, or 0 before the ServerHello. */
uint16_t tls_session_version(const tls_session_t *s);
/* Bytes buffered for partial records and messages. */
size_t tls_session_buffered(const tls_session_t *s);
void tls_session_free(tls_session_t *s, const tls_env_t *env);

#endif
