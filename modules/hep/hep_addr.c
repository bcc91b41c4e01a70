/* Parsing HEP endpoint strings (see hep_addr.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hep_addr.h"
#include "sipnab/sockaddr.h"

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
    if (snb_sockaddr_parse(p, default_host, &out->sa, &out->sa_len) != 0) goto bad;
    return 0;
bad:
    snprintf(why, whylen, "'%s' is not [udp:|tcp:]address:port", text);
    return -1;
}
