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

size_t rtp_addr_words(const snb_addr_t *a, uint32_t *w)
{
    if (a->family == 6) {
        memcpy(w, a->a, 16);
        return 4;
    }
    w[0] = 0;
    if (a->family == 4) memcpy(w, a->a, 4);
    return 1;
}

uint64_t rtp_addr_hash(const snb_hash_key_t *key, const snb_addr_t *a, uint16_t port)
{
    /* Keyed NH over the words: this runs for every RTP packet. */
    uint32_t w[6];
    if (a->family == 4) { /* the common case, without the generic copy */
        memcpy(&w[0], a->a, 4);
        w[1] = (uint32_t)port << 16 | 4;
        return snb_hash_words(key, w, 2);
    }
    size_t n = rtp_addr_words(a, w);
    w[n++] = (uint32_t)port << 16 | a->family;
    return snb_hash_words(key, w, n);
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
