/* libFuzzer: the SDP parser and the payload-type helpers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *d = malloc(size ? size : 1);
    if (!d) return 0;
    memcpy(d, data, size);
    static sdp_t s;
    if (sdp_parse(d, size, &s) == 0) {
        if (s.n_media > SDP_MAX_MEDIA) abort();
        size_t acc = 0;
        for (unsigned i = 0; i < s.n_media; i++) {
            const sdp_media_t *m = &s.media[i];
            if (m->n_formats > SDP_MAX_FORMATS) abort();
            acc += strlen(sdp_direction_name(m->direction));
            for (unsigned k = 0; k < m->n_formats; k++)
                acc += sdp_format_name(&m->formats[k]).len + sdp_format_clock(&m->formats[k]);
        }
        if (acc == 0xdeadbeef) abort();
    }
    free(d);
    return 0;
}
