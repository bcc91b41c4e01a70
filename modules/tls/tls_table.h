/* The TCP connections the tls module follows, by their 5-tuple (the two
 * ends in a fixed order, so both directions find the same entry), hashed
 * with the process's seeded hash. Bounded: at most max entries, the least
 * recently used one evicted first; entries idle longer than the timeout
 * (capture time) expire. Entries are made only for connections that begin
 * with a ClientHello. */
#ifndef SNB_TLS_TABLE_H
#define SNB_TLS_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/hash.h"
#include "sipnab/packet.h"
#include "tls_session.h"

typedef struct tls_conn_key {
    uint8_t a[16], b[16]; /* the lower end first */
    uint16_t port_a, port_b;
    uint8_t family;
    uint8_t pad[3];
} tls_conn_key_t;

typedef struct tls_conn {
    tls_conn_key_t key;
    tls_session_t *session;
    uint64_t stream_id[2];   /* the decoder's id of each side's direction, 0 unknown */
    uint64_t next_offset[2]; /* stream offset expected next per side */
    uint64_t plain_offset[2];
    uint64_t last_ts;
    struct tls_conn *hnext, *lprev, *lnext;
} tls_conn_t;

/* Called for an entry that leaves the table (evicted, expired, flushed). */
typedef void (*tls_conn_gone_cb)(void *ud, tls_conn_t *c, bool evicted);

typedef struct tls_table tls_table_t;

tls_table_t *tls_table_new(uint32_t max, uint64_t idle_us, const snb_hash_key_t *key,
                           tls_conn_gone_cb gone, void *ud);
/* The key of a packet's connection and the side (0: the packet comes
 * from end a, 1: from end b). */
int tls_conn_key_of(const snb_packet_t *pkt, tls_conn_key_t *key);
tls_conn_t *tls_table_find(tls_table_t *t, const tls_conn_key_t *key);
/* A new entry (the key must not be present); NULL without memory. */
tls_conn_t *tls_table_add(tls_table_t *t, const tls_conn_key_t *key, uint64_t ts);
/* Mark c as used at ts (the most recent). */
void tls_table_touch(tls_table_t *t, tls_conn_t *c, uint64_t ts);
/* Remove entries idle longer than the timeout at capture time now. */
void tls_table_expire(tls_table_t *t, uint64_t now);
void tls_table_remove(tls_table_t *t, tls_conn_t *c);
uint32_t tls_table_count(const tls_table_t *t);
/* Remove every entry (gone is called for each). */
void tls_table_flush(tls_table_t *t);
void tls_table_free(tls_table_t *t);

#endif
