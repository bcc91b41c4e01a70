/* libFuzzer: sipnab-center's request checks on arbitrary input: the router
 * (method \n path), every body validator (session, agent, registration,
 * share, ingest batch), base64 and the Last-Event-ID parser. Whatever the
 * input: no crash, no leak, and what is accepted holds the promised limits.
 *
 * Input: selector byte, then the rest as the body (or "method\npath"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "sse.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t sel = data[0];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char err[512];
    char *z = malloc(len + 1); /* a NUL-terminated copy for the string parsers */
    if (!z) return 0;
    memcpy(z, body, len);
    z[len] = 0;
    switch (sel % 7) {
    case 0: {
        session_req_t r;
        if (validate_session(body, len, 3600, 86400, &r, err, sizeof err) == 0) {
            if (r.duration_s < 1 || r.duration_s > 86400 || !r.criteria_json || !r.label ||
                strlen(r.label) > VALIDATE_MAX_LABEL || r.n_agent_ids > VALIDATE_MAX_AGENT_IDS ||
                r.n_tags > VALIDATE_MAX_TAGS)
                abort();
            session_req_free(&r);
        }
        break;
    }
    case 1:
    case 2: {
        agent_req_t a;
        if (validate_agent(body, len, sel % 7 == 2, &a, err, sizeof err) == 0) {
            if (!validate_name(a.in.name)) abort();
            agent_req_free(&a);
        }
        break;
    }
    case 3: {
        int64_t ttl;
        if (validate_share(body, len, &ttl, err, sizeof err) == 0 && ttl < 0) abort();
        break;
    }
    case 4: {
        ingest_batch_t b;
        if (validate_ingest(body, len, 1000, &b, err, sizeof err) == 0) {
            for (size_t i = 0; i < b.n; i++)
                if (!validate_session_id(b.ev[i].session) || b.ev[i].seq < 1 ||
                    b.ev[i].data_len > VALIDATE_MAX_PACKET || !b.ev[i].body)
                    abort();
            ingest_batch_free(&b);
        }
        break;
    }
    case 5: {
        char *nl = strchr(z, '\n');
        route_t r;
        if (nl) {
            *nl = 0;
            route_match(z, nl + 1, &r);
        } else {
            route_match("GET", z, &r);
        }
        if (r.status == 0 && r.id == R_NONE) abort();
        if (r.status == 0 && (r.id == R_SHARE_GET || r.id == R_SHARE_EVENTS) &&
            strlen(r.param) != SHARE_TOKEN_LEN)
            abort();
        break;
    }
    case 6: {
        unsigned char out[256];
        long n = validate_b64_decode(body, len, out, sizeof out);
        if (n > (long)sizeof out) abort();
        (void)sse_last_event_id(z);
        break;
    }
    }
    free(z);
    return 0;
}
