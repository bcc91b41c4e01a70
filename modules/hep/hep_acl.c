/* HEP allow-list and rate limiter (see hep_acl.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "hep_acl.h"

int hep_cidr_parse(const char *text, hep_cidr_t *out)
{
    char buf[64];
    memset(out, 0, sizeof *out);
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, text, n + 1);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        char *end;
        *slash = '\0';
        bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0) return -1;
    }
    if (inet_pton(AF_INET, buf, out->addr.a) == 1) {
        out->addr.family = 4;
        if (bits < 0) bits = 32;
        if (bits > 32) return -1;
    } else if (inet_pton(AF_INET6, buf, out->addr.a) == 1) {
        out->addr.family = 6;
        if (bits < 0) bits = 128;
        if (bits > 128) return -1;
    } else {
        return -1;
    }
    out->bits = (uint8_t)bits;
    return 0;
}

bool hep_cidr_match(const hep_cidr_t *c, const snb_addr_t *a)
{
    if (c->addr.family != a->family) return false;
    unsigned full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr.a, a->a, full) != 0) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (c->addr.a[full] & mask) == (a->a[full] & mask);
}
