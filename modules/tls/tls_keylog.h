/* The NSS key log (what SSLKEYLOGFILE writes), by client random:
 *   CLIENT_RANDOM <client random> <48-byte master secret>          TLS 1.2
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 *   CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0 <cr> <secret>  TLS 1.3
 * Other labels (EXPORTER_SECRET, early data) and comments are skipped; a
 * line that does not parse is counted. At most max_entries client randoms
 * are held: beyond, the oldest is forgotten (counted). Keys are hashed
 * with the process's seeded hash. */
#ifndef SNB_TLS_KEYLOG_H
#define SNB_TLS_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "sipnab/hash.h"
#include "tls_kdf.h"

enum tls_secret_kind {
    TLS_SECRET_MASTER,           /* CLIENT_RANDOM */
    TLS_SECRET_CLIENT_HANDSHAKE, /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SECRET_SERVER_HANDSHAKE, /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SECRET_CLIENT_TRAFFIC,   /* CLIENT_TRAFFIC_SECRET_0 */
    TLS_SECRET_SERVER_TRAFFIC,   /* SERVER_TRAFFIC_SECRET_0 */
    TLS_SECRET_KINDS
};

/* What the log holds for one client random. */
typedef struct tls_secrets {
    uint8_t len[TLS_SECRET_KINDS]; /* 0: not logged */
    uint8_t secret[TLS_SECRET_KINDS][TLS_MAX_SECRET];
} tls_secrets_t;

typedef struct tls_keylog_stats {
    uint64_t lines;     /* secrets taken */
    uint64_t bad_lines; /* lines that do not parse */
    uint64_t evicted;   /* client randoms forgotten at the cap */
    uint64_t entries;   /* client randoms held now */
} tls_keylog_stats_t;

typedef struct tls_keylog tls_keylog_t;

tls_keylog_t *tls_keylog_new(size_t max_entries, const snb_hash_key_t *key);
/* Take every line of text (the last may lack its newline). */
void tls_keylog_add(tls_keylog_t *kl, const char *text, size_t len);
/* NULL when nothing is logged for this client random. */
const tls_secrets_t *tls_keylog_find(const tls_keylog_t *kl, const uint8_t cr[TLS_RANDOM_LEN]);
const tls_keylog_stats_t *tls_keylog_stats(const tls_keylog_t *kl);
void tls_keylog_free(tls_keylog_t *kl);

#endif
