/* What the detector remembers per call (Call-ID), in a fixed table: when
 * its INVITE was seen (one-ring calls: CANCEL soon after), and the CSeq of
 * the last request that carried credentials (a 401/403/407 to that CSeq is
 * a refused password, not a first challenge). 4-way set-associative with a
 * seeded hash of the Call-ID; a new call takes the stalest entry of its set,
 * so a flood of Call-IDs costs nothing but forgetting. */
#ifndef SEC_CALLS_H
#define SEC_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/hash.h"

typedef struct sec_call {
    uint64_t key;       /* SipHash of the Call-ID; 0 = free */
    uint64_t used_us;   /* last touched (replacement order) */
    uint64_t invite_us; /* first INVITE; 0 if none seen */
    uint32_t cred_cseq; /* CSeq of the last request with credentials; 0 if none */
    uint64_t account;   /* the account those credentials were for (hashed); 0 if unknown */
    uint8_t flags;      /* the detector's notes on the call */
} sec_call_t;

typedef struct sec_calls sec_calls_t;

/* slots is rounded up to a multiple of 4 (at least 4). */
sec_calls_t *sec_calls_new(uint32_t slots, const snb_hash_key_t *key);
void sec_calls_free(sec_calls_t *c);
/* The call's entry, made if absent (create) and NULL otherwise when absent.
 * *created says whether it is new. */
sec_call_t *sec_calls_get(sec_calls_t *c, const char *call_id, size_t len, uint64_t now_us,
                          bool create, bool *created);
uint32_t sec_calls_slots(const sec_calls_t *c);

#endif
