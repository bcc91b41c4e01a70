/* host:port parsing (see sipnab/sockaddr.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipnab/sockaddr.h"

int snb_sockaddr_parse(const char *text, const char *default_host, struct sockaddr_storage *out,
                       socklen_t *len)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    char host[128];
    const char *port_text;
    if (*p == '[') { /* [v6]:port */
        const char *close = strchr(p, ']');
        if (!close || close[1] != ':' || (size_t)(close - p - 1) >= sizeof host) return -1;
        memcpy(host, p + 1, (size_t)(close - p - 1));
        host[close - p - 1] = '\0';
        port_text = close + 2;
    } else if (strchr(p, ':')) {
        const char *colon = strrchr(p, ':');
        if ((size_t)(colon - p) >= sizeof host) return -1;
        memcpy(host, p, (size_t)(colon - p));
        host[colon - p] = '\0';
        port_text = colon + 1;
    } else {
        snprintf(host, sizeof host, "%s", default_host);
        port_text = p;
    }
    if (!host[0]) snprintf(host, sizeof host, "%s", default_host);
    char *end;
    long port = strtol(port_text, &end, 10);
    if (end == port_text || *end || port < 1 || port > 65535) return -1;
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
    } else {
        return -1;
    }
    return 0;
}

bool snb_sockaddr_is_loopback(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a)) return true;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}
