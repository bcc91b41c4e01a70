/* "[udp:|tcp:]host:port" endpoints for HEP listeners and collectors. */
#ifndef SNB_HEP_ADDR_H
#define SNB_HEP_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct hep_endpoint {
    bool tcp;
    struct sockaddr_storage sa;
    socklen_t sa_len;
} hep_endpoint_t;

/* "udp:10.0.0.50:9060", "tcp:[::1]:9060", "0.0.0.0:9060", "9060" (host
 * defaults to default_host, transport to UDP). 0, or -1 with why. */
int hep_endpoint_parse(const char *text, const char *default_host, hep_endpoint_t *out, char *why,
                       size_t whylen);

#endif
