/* libFuzzer: SIPREC metadata on arbitrary bytes. The input is parsed as an
 * rs-metadata document (libxml2 with the module's settings), merged twice
 * into a state (complete or partial, as the document says) and resolved;
 * it is also read as an SDP for its labels. Nothing may crash, hang, leak,
 * or grow past the caps. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "siprec_merge.h"
#include "siprec_sdp.h"
#include "siprec_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init++) siprec_xml_init();
    siprec_xml_error_t err;
    unsigned truncated;
    json_t *doc = siprec_xml_parse((const char *)data, size, &err, &truncated);
    if (doc) {
        json_t *state = siprec_state_new();
        siprec_merge(state, doc);
        siprec_merge(state, doc);
        if (json_array_size(json_object_get(state, "participants")) > SIPREC_MAX_OBJECTS) abort();
        json_t *r = siprec_resolve(state);
        char *text = json_dumps(r, 0);
        free(text);
        json_decref(r);
        json_decref(state);
        json_decref(doc);
    }
    json_t *labels = siprec_sdp_labels((const char *)data, size);
    json_t *known = json_array();
    siprec_sdp_merge(known, labels);
    siprec_sdp_merge(known, labels);
    if (json_array_size(known) > SIPREC_SDP_MAX_MEDIA) abort();
    json_decref(known);
    json_decref(labels);
    return 0;
}
