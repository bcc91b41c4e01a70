/* The calls the agent follows: once a message of a Call-ID matched a
 * session, every later message of that Call-ID (and, with capture_rtp, the
 * RTP its SDP announced) belongs to the session. Keyed by attacker data, so
 * the table is capped and its hash seeded (sipnab/hash.h); an entry is
 * forgotten when its last session ends or after idle_us without a message.
 * Pure. */
#ifndef AGENT_FOLLOW_H
#define AGENT_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/hash.h"

#define AGENT_FOLLOW_CALL_ID_MAX 255
#define AGENT_FOLLOW_MEDIA_MAX 8 /* media endpoints kept per call */

typedef struct agent_endpoint {
    uint8_t family; /* 4 or 6; 0 unused */
    uint8_t a[16];
    uint16_t port;
} agent_endpoint_t;

typedef struct agent_follow_entry agent_follow_entry_t;

/* A media endpoint of a call, also a node of the endpoint index, so an RTP
 * packet finds its call in one seeded lookup. */
typedef struct agent_media_node {
    struct agent_media_node *next; /* endpoint bucket chain */
    agent_follow_entry_t *entry;
    uint64_t hash;
    bool linked;
    agent_endpoint_t ep;
} agent_media_node_t;

struct agent_follow_entry {
    agent_follow_entry_t *next; /* bucket chain */
    uint64_t hash;
    uint64_t sessions;           /* bitmask of session slots following it */
    uint64_t last_us;            /* last message, capture time */
    uint8_t n_media, media_next; /* media_next: the slot the next endpoint replaces */
    agent_media_node_t media[AGENT_FOLLOW_MEDIA_MAX];
    struct {
        uint64_t stream_id, packets; /* at the last RTP sample sent */
    } sampled[AGENT_FOLLOW_MEDIA_MAX];
    size_t len;
    char call_id[]; /* NUL-terminated */
};

typedef struct agent_follow {
    agent_follow_entry_t **buckets;
    size_t n_buckets;                /* power of two */
    agent_media_node_t **ep_buckets; /* n_buckets of them */
    size_t n, cap;
    snb_hash_key_t key;
    uint64_t refused; /* new calls refused because the table was full */
} agent_follow_t;

/* 0, or -1 when out of memory. cap >= 1. */
int agent_follow_init(agent_follow_t *f, size_t cap, const snb_hash_key_t *key);
void agent_follow_free(agent_follow_t *f);

agent_follow_entry_t *agent_follow_find(const agent_follow_t *f, const char *call_id, size_t len);
/* Adds the sessions in mask to the call (creating it). NULL when the table
 * is full (counted in refused) or the Call-ID is empty or too long. */
agent_follow_entry_t *agent_follow_add(agent_follow_t *f, const char *call_id, size_t len,
                                       uint64_t mask, uint64_t now_us);
/* Remembers a media endpoint announced in the call's SDP (no duplicates;
 * the oldest is replaced once AGENT_FOLLOW_MEDIA_MAX are kept). */
void agent_follow_add_media(agent_follow_t *f, agent_follow_entry_t *e, const agent_endpoint_t *ep);
/* True when a sample of this stream is due: its packet count differs from
 * the last sample's (which it then records). Streams beyond
 * AGENT_FOLLOW_MEDIA_MAX per call replace the oldest record. */
bool agent_follow_sampled(agent_follow_entry_t *e, uint64_t stream_id, uint64_t packets);
/* The followed call one of whose media endpoints is addr:port, or NULL. */
agent_follow_entry_t *agent_follow_find_media(const agent_follow_t *f, uint8_t family,
                                              const uint8_t *a, uint16_t port);
/* A session ended: its bit leaves every call; calls left with none go. */
void agent_follow_drop_session(agent_follow_t *f, int slot);
/* Calls idle since before cutoff_us go. Returns how many. */
size_t agent_follow_expire(agent_follow_t *f, uint64_t cutoff_us);

typedef bool (*agent_follow_fn)(void *ud, agent_follow_entry_t *e);
void agent_follow_foreach(agent_follow_t *f, agent_follow_fn fn, void *ud);

#endif
