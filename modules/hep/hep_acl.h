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

#endif
