/* libFuzzer: HEP decode and framing on arbitrary bytes, then encode what
 * decoded and decode it again; the round trip must succeed and agree. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hep_codec.h"

static void check_slice(const void *p, size_t n, const uint8_t *d, size_t len, const uint8_t *s,
                        size_t sl)
{
    if (!p) {
        if (n) abort();
        return;
    }
    uintptr_t b = (uintptr_t)p, dd = (uintptr_t)d, ss = (uintptr_t)s;
    bool in_data = b >= dd && b + n <= dd + len;
    bool in_scratch = s && b >= ss && b + n <= ss + sl;
    if (!in_data && !in_scratch) abort();
}

static void same(const hep_packet_t *a, const hep_packet_t *b)
{
    size_t al = a->src.family == 4 ? 4 : 16;
    if (a->ip_proto != b->ip_proto || a->src.family != b->src.family ||
        a->dst.family != b->dst.family || memcmp(a->src.a, b->src.a, al) ||
        memcmp(a->dst.a, b->dst.a, al) || a->sport != b->sport || a->dport != b->dport ||
        a->ts_sec != b->ts_sec || a->ts_usec != b->ts_usec || a->proto_type != b->proto_type ||
        a->capture_id != b->capture_id || a->keepalive != b->keepalive || a->vlan != b->vlan ||
        a->auth_key_len != b->auth_key_len || !a->auth_key != !b->auth_key ||
        a->correlation_id_len != b->correlation_id_len ||
        !a->correlation_id != !b->correlation_id || a->node_name_len != b->node_name_len ||
        !a->node_name != !b->node_name || a->payload_len != b->payload_len)
        abort();
    if ((a->auth_key_len && memcmp(a->auth_key, b->auth_key, a->auth_key_len)) ||
        (a->correlation_id_len &&
         memcmp(a->correlation_id, b->correlation_id, a->correlation_id_len)) ||
        (a->node_name_len && memcmp(a->node_name, b->node_name, a->node_name_len)) ||
        (a->payload_len && memcmp(a->payload, b->payload, a->payload_len)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t scratch[4096], scratch2[4096];
    static uint8_t enc[65536];
    uint8_t *d = malloc(size ? size : 1);
    if (!d) return 0;
    memcpy(d, data, size);

    long fl = hep_frame_length(d, size);
    (void)hep_looks_like(d, size);
    hep_packet_t p;
    int rc = hep_decode(d, size, &p, scratch, sizeof(scratch));
    if (rc > HEP_OK || rc < HEP_TOO_BIG) abort();
    if (rc == HEP_OK) {
        if (fl <= 0 || (size_t)fl > size) abort(); /* a decodable packet frames */
        if (p.version < 1 || p.version > 3 || (p.ip_family != 4 && p.ip_family != 6)) abort();
        check_slice(p.payload, p.payload_len, d, size, scratch, sizeof(scratch));
        check_slice(p.auth_key, p.auth_key_len, d, size, NULL, 0);
        check_slice(p.correlation_id, p.correlation_id_len, d, size, NULL, 0);
        check_slice(p.node_name, p.node_name_len, d, size, NULL, 0);
        bool compress = size > 0 && (data[size - 1] & 1);
        long need = hep_encoded_size_v3(&p);
        if (need < 0) abort();
        long n = hep_encode_v3(&p, compress, enc, sizeof(enc));
        if (n == HEP_TOO_BIG) {
            /* Only when it really cannot fit (a big inflated/v2 payload). */
            if (need <= 65535) abort();
        } else {
            if (n <= 0) abort();
            if (!compress && n != need) abort();
            hep_packet_t q;
            int rc2 = hep_decode(enc, (size_t)n, &q, scratch2, sizeof(scratch2));
            /* A compressed re-encode may inflate beyond the small scratch. */
            if (rc2 == HEP_TOO_BIG && compress && p.payload_len > sizeof(scratch2)) goto out;
            if (rc2 != HEP_OK || q.version != 3 || q.unknown_chunks) abort();
            if (hep_frame_length(enc, (size_t)n) != n) abort();
            same(&p, &q);
        }
    }
out:
    free(d);
    return 0;
}
