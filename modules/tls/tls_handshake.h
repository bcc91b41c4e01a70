/* Handshake messages (RFC 8446 4): a collector that joins a direction's
 * handshake bytes into whole messages (type, 24-bit length, body), which
 * may be split over records or share one; and the two hellos, of which
 * only what decryption needs is read: the randoms, the cipher suite and
 * the negotiated version (supported_versions in a TLS 1.3 ServerHello). */
#ifndef SNB_TLS_HANDSHAKE_H
#define SNB_TLS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_kdf.h"

enum tls_handshake_type {
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_NEW_SESSION_TICKET = 4,
    TLS_HS_FINISHED = 20,
    TLS_HS_KEY_UPDATE = 24,
};

/* A message bigger than this is skipped, not buffered (certificate chains
 * fit; the hellos are far smaller). */
#define TLS_HS_MAX (64 * 1024)

typedef struct tls_hs_collector {
    uint8_t *buf; /* a partial message */
    size_t len, cap;
    uint32_t skip; /* bytes of an oversize message still to skip */
} tls_hs_collector_t;

/* Called per whole message; body is the message without its 4-byte header. */
typedef void (*tls_hs_cb)(void *ud, uint8_t type, const uint8_t *body, size_t len);

/* Feed a record's handshake bytes. Returns 0, or -1 when memory ran out
 * (the partial message is dropped). */
int tls_hs_feed(tls_hs_collector_t *c, const uint8_t *data, size_t n, tls_hs_cb cb, void *ud);
void tls_hs_reset(tls_hs_collector_t *c);

typedef struct tls_hello {
    uint8_t random[TLS_RANDOM_LEN];
    uint16_t version; /* 0x0303 (1.2), 0x0304 (1.3), ...; ServerHello only */
    uint16_t suite;   /* ServerHello only */
    bool retry;       /* a HelloRetryRequest (RFC 8446 4.1.3) */
} tls_hello_t;

/* Parse a ClientHello or ServerHello body; false if malformed. */
bool tls_parse_client_hello(const uint8_t *body, size_t len, tls_hello_t *out);
bool tls_parse_server_hello(const uint8_t *body, size_t len, tls_hello_t *out);
/* Does this stream data start with a ClientHello record? */
bool tls_starts_client_hello(const uint8_t *data, size_t n);

#endif
