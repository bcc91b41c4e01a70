/* snb_addr_t helpers. */
#include "rtp_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static size_t addr_len(const snb_addr_t *a)
{
    return a->family == 6 ? 16 : a->family == 4 ? 4 : 0;
}

bool rtp_addr_eq(const snb_addr_t *a, const snb_addr_t *b)
{
    return a->family == b->family && memcmp(a->a, b->a, addr_len(a)) == 0;
}

bool rtp_addr_is_any(const snb_addr_t *a)
{
    size_t n = addr_len(a);
    for (size_t i = 0; i < n; i++)
        if (a->a[i]) return false;
    return true;
}

uint64_t rtp_addr_hash(const snb_addr_t *a, uint16_t port, uint64_t seed)
{
    /* FNV-1a over family, address bytes and port: cheap and good enough for
     * chained buckets; a seed lets one table hash two endpoints. */
    uint64_t h = seed ^ 0xcbf29ce484222325ull;
    h = (h ^ a->family) * 0x100000001b3ull;
    size_t n = addr_len(a);
    for (size_t i = 0; i < n; i++)
        h = (h ^ a->a[i]) * 0x100000001b3ull;
    h = (h ^ (port >> 8)) * 0x100000001b3ull;
    h = (h ^ (port & 0xff)) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

const char *rtp_addr_str(const snb_addr_t *a, char *buf, size_t size)
{
    if (a->family == 4 || a->family == 6) {
        if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, buf, (socklen_t)size)) return buf;
    }
    snprintf(buf, size, "?");
    return buf;
}

const char *rtp_ep_str(const snb_addr_t *a, uint16_t port, char *buf, size_t size)
{
    char ip[64];
    rtp_addr_str(a, ip, sizeof ip);
    if (a->family == 6)
        snprintf(buf, size, "[%s]:%u", ip, port);
    else
        snprintf(buf, size, "%s:%u", ip, port);
    return buf;
}
