/* libFuzzer: the SIP message parser in datagram and stream mode, plus the
 * on-demand helpers (lookup, unfolding, name-addr, multipart, SDP). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"
#include "sip_msg.h"

static void part_cb(void *ud, snb_str_t ct, snb_str_t body)
{
    size_t *n = ud;
    *n += ct.len + body.len;
}

static void exercise(const sip_msg_t *m)
{
    static const char *names[] = {"Via",     "v",         "Contact",       "Record-Route", "Route",
                                  "Subject", "X-Unknown", "Authorization", "Content-Type", "y"};
    char buf[256];
    size_t acc = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        unsigned n = sip_msg_header_count(m, names[i]);
        for (unsigned k = 0; k < n && k < 4; k++) {
            snb_str_t v = sip_msg_header(m, names[i], k);
            acc += sip_msg_header_unfold(v, buf, sizeof buf);
            sip_nameaddr_t na;
            sip_parse_nameaddr(v, &na);
            acc += sip_param(v, "branch").len + sip_param(v, "tag").len + na.user.len;
        }
    }
    acc += (size_t)sip_multipart_each(m, part_cb, &acc);
    snb_str_t sdp = sip_msg_sdp(m);
    if (sdp.p) {
        static sdp_t s;
        sdp_parse(sdp.p, sdp.len, &s);
    }
    acc += strlen(sip_malformed_reason(m->malformed)) + strlen(sip_method_name(m->method));
    if (acc == 0xdeadbeef) abort(); /* keep the work observable */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy so any over-read is caught */
    char *d = malloc(size ? size : 1);
    if (!d) return 0;
    memcpy(d, data, size);
    static sip_msg_t m;
    size_t used;
    if (sip_msg_parse(d, size, 0, &m, &used) == SIP_PARSE_OK) {
        if (used > size || m.len != used) abort();
        exercise(&m);
        if (used < size) sip_msg_parse(d + used, size - used, 0, &m, &used);
    }
    sip_parse_result_t r = sip_msg_parse(d, size, SIP_PARSE_STREAM, &m, &used);
    if (r == SIP_PARSE_OK) {
        if (used > size) abort();
        exercise(&m);
    }
    (void)sip_looks_like_sip(d, size);
    if (sip_find_start_line(d, size) > size) abort();
    free(d);
    return 0;
}
