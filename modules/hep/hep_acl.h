/* Who may send us HEP: an allow-list of CIDR prefixes (IPv4 and IPv6), and
 * a token-bucket rate limit per source and in total. Pure logic, bounded. */
#ifndef SNB_HEP_ACL_H
#define SNB_HEP_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/packet.h"

typedef struct hep_cidr {
    snb_addr_t addr;
    uint8_t bits;
} hep_cidr_t;

/* "10.0.0.0/24", "2001:db8::/32", "192.0.2.7" (a host). 0, or -1. */
int hep_cidr_parse(const char *text, hep_cidr_t *out);
bool hep_cidr_match(const hep_cidr_t *c, const snb_addr_t *a);

/* Token buckets: `rate` packets per second for each source address, and
 * `rate` x 4 for all sources together (so one busy proxy cannot starve the
 * rest, and many cannot overwhelm the loop). rate 0 = unlimited. Sources are
 * kept in a fixed table of `slots`; a new source evicts the stalest. Time is
 * the caller's clock in microseconds (the loop's, for a listener). */
typedef struct hep_ratelimit hep_ratelimit_t;

hep_ratelimit_t *hep_ratelimit_new(uint32_t rate, uint32_t slots);
void hep_ratelimit_free(hep_ratelimit_t *r);
/* true: let this packet through. */
bool hep_ratelimit_allow(hep_ratelimit_t *r, const snb_addr_t *src, uint64_t now_us);

#endif
