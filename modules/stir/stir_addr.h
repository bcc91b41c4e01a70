/* Which addresses an x5u fetch may connect to: public unicast only. The
 * SSRF guard refuses loopback, private, link-local, CGNAT, multicast,
 * unspecified, documentation and the other special-purpose ranges of the
 * IANA registries (RFC 6890 and its updates), for IPv4, IPv6 and IPv4
 * embedded in IPv6 (mapped, NAT64, 6to4). It judges the address actually
 * connected to, so a DNS answer that changes cannot slip through. */
#ifndef STIR_ADDR_H
#define STIR_ADDR_H

#include <stdbool.h>
#include <sys/socket.h>

/* true when sa (AF_INET or AF_INET6) is a public unicast address. */
bool stir_addr_allowed(const struct sockaddr *sa);

#endif
