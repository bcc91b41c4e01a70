/* Refused credentials per account (the REGISTER To user or the INVITE From
 * user, hashed), so guessing one account's password from many addresses
 * (each below the per-source threshold) is still brute force. A fixed
 * table, 4-way set-associative with a seeded hash; a new account takes the
 * stalest entry of its set. */
#ifndef SEC_ACCOUNTS_H
#define SEC_ACCOUNTS_H

#include <stdint.h>

#include "sec_sketch.h"

typedef struct sec_account {
    uint64_t key;         /* 0 = free */
    uint64_t window_us;   /* start of its counting window */
    uint32_t refused;     /* in the window */
    sec_sketch_t sources; /* addresses that were refused */
} sec_account_t;

typedef struct sec_accounts sec_accounts_t;

/* Entries are keyed by hashes the caller seeded (snb_hash_bytes). */
sec_accounts_t *sec_accounts_new(uint32_t slots);
void sec_accounts_free(sec_accounts_t *a);
/* Count one refusal of account `key` (never 0) from a source (its hash),
 * the window restarting after window_us; the account's entry. */
sec_account_t *sec_accounts_refused(sec_accounts_t *a, uint64_t key, uint64_t source_hash,
                                    uint64_t now_us, uint64_t window_us);
uint32_t sec_accounts_slots(const sec_accounts_t *a);

#endif
