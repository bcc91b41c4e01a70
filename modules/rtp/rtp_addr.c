/* snb_addr_t helpers. */
#include "rtp_addr.h"
#include "sipnab/format.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static size_t addr_len(const snb_addr_t *a)
{
    return a->family == 6 ? 16 : a->family == 4 ? 4 : 0;
}

bool rtp_addr_eq(const snb_addr_t *a, const snb_addr_t *b)
{
    if (a->family != b->family) return false;
    if (a->family == 4) { /* the common case: no memcmp call */
        uint32_t x, y;
        memcpy(&x, a->a, 4);
        memcpy(&y, b->a, 4);
        return x == y;
    }
    return memcmp(a->a, b->a, addr_len(a)) == 0;
}

bool rtp_addr_is_any(const snb_addr_t *a)
{
    size_t n = addr_len(a);
    for (size_t i = 0; i < n; i++)
        if (a->a[i]) return false;
    return true;
}

static inline uint64_t mix64(uint64_t x)
{
    /* MurmurHash3's finaliser: full avalanche in a few cycles. */
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

uint64_t rtp_addr_hash(const snb_addr_t *a, uint16_t port, uint64_t seed)
{
    /* Word-wise: this runs for every RTP packet, twice. A seed lets one
     * table hash two endpoints. */
    uint64_t w0 = 0, w1 = 0;
    if (a->family == 6) {
        memcpy(&w0, a->a, 8);
        memcpy(&w1, a->a + 8, 8);
    } else if (a->family == 4) {
        uint32_t v;
        memcpy(&v, a->a, 4);
        w0 = v;
    }
    uint64_t tag = (uint64_t)port << 48 | (uint64_t)a->family << 40;
    return mix64(seed ^ w0 ^ mix64(w1 ^ tag ^ 0x9e3779b97f4a7c15ull));
}

const char *rtp_addr_str(const snb_addr_t *a, char *buf, size_t size)
{
    if (!snb_format_addr(a, buf, size)[0]) snprintf(buf, size, "?");
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
