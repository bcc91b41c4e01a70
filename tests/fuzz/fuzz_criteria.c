/* libFuzzer target for the session criteria (core/criteria).
 *
 * Input: NUL-separated parts. The first is a criteria JSON object; when it
 * parses, its normalized JSON must parse again to the same object, and the
 * criteria are matched against a message made of the following parts
 * (from user, from display, from host, to user, to display, to host, R-URI
 * user, R-URI host, method, CSeq method, Call-ID, a tenant value, the
 * text), with addresses from the last 32 bytes. A refusal must give a
 * non-empty one-line reason, also in a tiny buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "criteria.h"

#define N_PARTS 14

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    snb_crit_str_t part[N_PARTS] = {{0}};
    size_t start = 0;
    int n = 0;
    for (size_t i = 0; i <= size && n < N_PARTS; i++) {
        if (i == size || data[i] == 0) {
            part[n].p = (const char *)data + start;
            part[n].len = i - start;
            n++;
            start = i + 1;
        }
    }
    char *json_text = malloc(part[0].len + 1);
    if (!json_text) return 0;
    memcpy(json_text, part[0].p, part[0].len);
    json_text[part[0].len] = '\0';
    json_t *j = json_loads(json_text, JSON_DECODE_ANY, NULL);
    free(json_text);
    if (!j) return 0;

    char err[160] = "", tiny[4];
    snb_criteria_t *c = snb_criteria_parse(j, err, sizeof err);
    snb_criteria_t *c_tiny = snb_criteria_parse(j, tiny, sizeof tiny);
    json_decref(j);
    if ((c == NULL) != (c_tiny == NULL)) abort();
    snb_criteria_free(c_tiny);
    if (!c) {
        if (err[0] == '\0' || strchr(err, '\n')) abort();
        return 0;
    }
    json_t *norm = snb_criteria_json(c);
    snb_criteria_t *again = snb_criteria_parse(norm, err, sizeof err);
    if (!again) abort();
    json_t *norm2 = snb_criteria_json(again);
    if (!json_equal(norm, norm2)) abort();
    json_decref(norm);
    json_decref(norm2);

    snb_criteria_msg_t m = {0};
    m.from_user = part[1];
    m.from_display = part[2];
    m.from_host = part[3];
    m.to_user = part[4];
    m.to_display = part[5];
    m.to_host = part[6];
    m.ruri_user = part[7];
    m.ruri_host = part[8];
    m.method = part[9];
    m.cseq_method = part[10];
    m.is_request = part[9].len > 0;
    m.call_id = part[11];
    m.tenant_values = &part[12];
    m.n_tenant_values = 1;
    m.text = part[13];
    if (size >= 32) {
        m.src.family = (data[size - 32] & 1) ? 6 : 4;
        memcpy(m.src.a, data + size - 32, 16);
        m.dst.family = (data[size - 16] & 1) ? 6 : 4;
        memcpy(m.dst.a, data + size - 16, 16);
    }
    bool a = snb_criteria_match(c, &m);
    bool b = snb_criteria_match(again, &m);
    if (a != b) abort(); /* the normalized form means the same */
    /* The cheap pre-check never refuses what the full match accepts. */
    if (a && !snb_criteria_prefilter(c, &m)) abort();
    (void)snb_criteria_needs(c);
    (void)snb_criteria_match_line(c, m.text.p, m.text.len);
    snb_criteria_free(c);
    snb_criteria_free(again);
    return 0;
}
