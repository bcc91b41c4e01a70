/* See stir_addr.h. The ranges are the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries (RFC 6890, 8190) plus multicast and class E; a range
 * the registry marks globally reachable (e.g. 192.0.0.9/32) is refused too,
 * since no STI certificate repository lives there. */
#include "stir_addr.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

typedef struct v4_range {
    uint32_t net;
    unsigned bits;
} v4_range_t;

static const v4_range_t v4_refused[] = {
    {0x00000000, 8},  /* 0/8 "this network", unspecified */
    {0x0A000000, 8},  /* 10/8 private */
    {0x64400000, 10}, /* 100.64/10 CGNAT */
    {0x7F000000, 8},  /* 127/8 loopback */
    {0xA9FE0000, 16}, /* 169.254/16 link-local */
    {0xAC100000, 12}, /* 172.16/12 private */
    {0xC0000000, 24}, /* 192.0.0/24 IETF protocol assignments */
    {0xC0000200, 24}, /* 192.0.2/24 TEST-NET-1 */
    {0xC0586300, 24}, /* 192.88.99/24 6to4 relay anycast */
    {0xC0A80000, 16}, /* 192.168/16 private */
    {0xC6120000, 15}, /* 198.18/15 benchmarking */
    {0xC6336400, 24}, /* 198.51.100/24 TEST-NET-2 */
    {0xCB007100, 24}, /* 203.0.113/24 TEST-NET-3 */
    {0xE0000000, 4},  /* 224/4 multicast */
    {0xF0000000, 4},  /* 240/4 reserved, and 255.255.255.255 broadcast */
};

static bool v4_allowed(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_refused / sizeof v4_refused[0]; i++) {
        uint32_t mask = 0xFFFFFFFFu << (32 - v4_refused[i].bits);
        if ((a & mask) == v4_refused[i].net) return false;
    }
    return true;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct v6_range {
    uint8_t net[16];
    unsigned bits;
} v6_range_t;

static const v6_range_t v6_refused[] = {
    {{0}, 128},                                 /* :: unspecified */
    {{[15] = 1}, 128},                          /* ::1 loopback */
    {{0}, 96},                                  /* ::/96 IPv4-compatible (deprecated) */
    {{0x01, 0x00}, 64},                         /* 100::/64 discard-only */
    {{0x20, 0x01, 0x00, 0x00}, 23},             /* 2001::/23 IETF protocol assignments */
    {{0x20, 0x01, 0x0d, 0xb8}, 32},             /* 2001:db8::/32 documentation */
    {{0x3f, 0xff}, 20},                         /* 3fff::/20 documentation */
    {{0x5f, 0x00}, 16},                         /* 5f00::/16 SRv6 SIDs */
    {{0xfc}, 7},                                /* fc00::/7 unique local */
    {{0xfe, 0x80}, 10},                         /* fe80::/10 link-local */
    {{0xfe, 0xc0}, 10},                         /* fec0::/10 site-local (deprecated) */
    {{0xff}, 8},                                /* ff00::/8 multicast */
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48}, /* 64:ff9b:1::/48 local-use NAT64 */
};

static bool in_v6(const uint8_t *a, const v6_range_t *r)
{
    unsigned full = r->bits / 8, rest = r->bits % 8;
    if (memcmp(a, r->net, full)) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (a[full] & mask) == (r->net[full] & mask);
}

static bool v6_allowed(const uint8_t *a)
{
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    /* an IPv4 address inside IPv6 is judged as that IPv4 address */
    if (!memcmp(a, mapped, 12) || !memcmp(a, nat64, 12)) return v4_allowed(be32(a + 12));
    if (a[0] == 0x20 && a[1] == 0x02) return v4_allowed(be32(a + 2)); /* 6to4 2002::/16 */
    for (size_t i = 0; i < sizeof v6_refused / sizeof v6_refused[0]; i++)
        if (in_v6(a, &v6_refused[i])) return false;
    /* only global unicast 2000::/3 is routed on the Internet */
    return (a[0] & 0xE0) == 0x20;
}

bool stir_addr_allowed(const struct sockaddr *sa)
{
    if (!sa) return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return v4_allowed(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return v6_allowed(in6->sin6_addr.s6_addr);
    }
    return false;
}
