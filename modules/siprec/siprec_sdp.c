/* See siprec_sdp.h. Reads only the lines it needs: c=, m=, a=label,
 * a=sendonly/recvonly/sendrecv/inactive. */
#include "siprec_sdp.h"

#include <stdio.h>
#include <string.h>

typedef struct line {
    const char *p;
    size_t len;
} line_t;

static json_t *str_n(const char *p, size_t n)
{
    char buf[128];
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f) buf[i] = '?';
    return json_string(buf);
}

/* The digits at p, within the line (the SDP is not NUL-terminated). */
static long port(const char *p, const char *end)
{
    long v = 0;
    while (p < end && *p >= '0' && *p <= '9' && v < 65536)
        v = v * 10 + (*p++ - '0');
    return v < 65536 ? v : 0;
}

/* "c=IN IP4 198.51.100.20" -> the address */
static json_t *connection(line_t l)
{
    const char *p = l.p + 2, *end = l.p + l.len;
    for (int field = 0; field < 2; field++) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (!sp) return NULL;
        p = sp + 1;
    }
    const char *slash = memchr(p, '/', (size_t)(end - p)); /* multicast TTL */
    return str_n(p, (size_t)((slash ? slash : end) - p));
}

static void finish(json_t *out, json_t *m, json_t *session_c)
{
    if (!m) return;
    if (!json_object_get(m, "address"))
        json_object_set_new(m, "address", session_c ? json_incref(session_c) : json_null());
    if (json_object_get(m, "label") && json_array_size(out) < SIPREC_SDP_MAX_MEDIA)
        json_array_append(out, m);
    json_decref(m);
}

json_t *siprec_sdp_labels(const char *sdp, size_t len)
{
    json_t *out = json_array(), *m = NULL, *session_c = NULL;
    int index = -1;
    const char *p = sdp, *end = sdp ? sdp + len : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        line_t l = {p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
        if (l.len && l.p[l.len - 1] == '\r') l.len--;
        if (l.len < 2 || l.p[1] != '=') continue;
        if (l.p[0] == 'm') {
            finish(out, m, session_c);
            index++;
            m = json_object();
            const char *sp = memchr(l.p, ' ', l.len);
            json_object_set_new(m, "m_index", json_integer(index));
            json_object_set_new(m, "media",
                                str_n(l.p + 2, sp ? (size_t)(sp - l.p - 2) : l.len - 2));
            json_object_set_new(m, "port", json_integer(sp ? port(sp + 1, l.p + l.len) : 0));
            json_object_set_new(m, "direction", json_string("sendrecv"));
        } else if (l.p[0] == 'c') {
            json_t *c = connection(l);
            if (!c) continue;
            if (m)
                json_object_set_new(m, "address", c);
            else {
                json_decref(session_c);
                session_c = c;
            }
        } else if (m && l.p[0] == 'a') {
            if (l.len > 8 && !memcmp(l.p, "a=label:", 8))
                json_object_set_new(m, "label", str_n(l.p + 8, l.len - 8));
            else if ((l.len == 10 && !memcmp(l.p, "a=sendonly", 10)) ||
                     (l.len == 10 && !memcmp(l.p, "a=recvonly", 10)) ||
                     (l.len == 10 && !memcmp(l.p, "a=sendrecv", 10)) ||
                     (l.len == 10 && !memcmp(l.p, "a=inactive", 10)))
                json_object_set_new(m, "direction", str_n(l.p + 2, 8));
        }
    }
    finish(out, m, session_c);
    json_decref(session_c);
    return out;
}

static void add_endpoint(json_t *entry, const json_t *from)
{
    const char *addr = json_string_value(json_object_get(from, "address"));
    json_int_t port = json_integer_value(json_object_get(from, "port"));
    if (!addr || port <= 0) return;
    char ep[96];
    snprintf(ep, sizeof ep, strchr(addr, ':') ? "[%s]:%lld" : "%s:%lld", addr, (long long)port);
    json_t *list = json_object_get(entry, "endpoints");
    if (!list) {
        list = json_array();
        json_object_set_new(entry, "endpoints", list);
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (!strcmp(json_string_value(v), ep)) return;
    if (json_array_size(list) < 16) json_array_append_new(list, json_string(ep));
}

void siprec_sdp_merge(json_t *known, const json_t *latest)
{
    size_t i;
    json_t *e;
    json_array_foreach(latest, i, e)
    {
        const char *label = json_string_value(json_object_get(e, "label"));
        json_t *k = NULL, *v;
        size_t j;
        json_array_foreach(
            known, j, v) if (!strcmp(json_string_value(json_object_get(v, "label")), label)) k = v;
        if (!k) {
            if (json_array_size(known) >= SIPREC_SDP_MAX_MEDIA) continue;
            k = json_object();
            json_array_append_new(known, k);
        }
        const char *key;
        json_object_foreach((json_t *)e, key, v) json_object_set(k, key, v);
        add_endpoint(k, e);
    }
}
