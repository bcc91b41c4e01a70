/* Parsing HEP endpoint strings (see hep_addr.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hep_addr.h"

int hep_endpoint_parse(const char *text, const char *default_host, hep_endpoint_t *out, char *why,
                       size_t whylen)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    if (!strncmp(p, "udp:", 4)) {
        p += 4;
    } else if (!strncmp(p, "tcp:", 4)) {
        out->tcp = true;
        p += 4;
    }
    char host[128];
    const char *port_text;
    if (*p == '[') { /* [v6]:port */
        const char *close = strchr(p, ']');
        if (!close || close[1] != ':' || (size_t)(close - p - 1) >= sizeof host) goto bad;
        memcpy(host, p + 1, (size_t)(close - p - 1));
        host[close - p - 1] = '\0';
        port_text = close + 2;
    } else if (strchr(p, ':')) {
        const char *colon = strrchr(p, ':');
        if ((size_t)(colon - p) >= sizeof host) goto bad;
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
    if (end == port_text || *end || port < 1 || port > 65535) goto bad;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->sa_len = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->sa_len = sizeof *v6;
    } else {
        goto bad;
    }
    return 0;
bad:
    snprintf(why, whylen, "'%s' is not [udp:|tcp:]address:port", text);
    return -1;
}
