/* Event JSON for /api/ingest (agent_event.h). */
#include "agent_event.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1-4), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    size_t need;
    unsigned min;
    unsigned cp;
    if ((c & 0xe0) == 0xc0) {
        need = 2;
        cp = c & 0x1f;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        need = 3;
        cp = c & 0x0f;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        need = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < need) return 0;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return need;
}

json_t *agent_json_text(const char *p, size_t len, size_t max)
{
    if (!p) return json_string("");
    if (len > max) len = max;
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    /* Fast path: already valid. */
    while (i < len) {
        size_t l = utf8_len(u + i, len - i);
        if (!l) break;
        i += l;
    }
    if (i == len) return json_stringn(p, len);
    char *out = malloc(len * 3 + 1);
    if (!out) return json_string("");
    size_t o = 0;
    for (i = 0; i < len;) {
        size_t l = utf8_len(u + i, len - i);
        if (l) {
            memcpy(out + o, p + i, l);
            o += l;
            i += l;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(out, o);
    free(out);
    return j;
}

char *agent_base64(const uint8_t *data, size_t len, size_t *out_len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 4 * ((len + 2) / 3);
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
        out[o++] = tab[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0);
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    if (out_len) *out_len = o;
    return out;
}

static void add_packet(json_t *ev, const agent_packet_ref_t *p)
{
    if (!p->data) return;
    size_t n;
    char *b64 = agent_base64(p->data, p->caplen, &n);
    if (!b64) return;
    json_t *pk = json_object();
    json_object_set_new(pk, "linktype", json_integer(p->linktype));
    json_object_set_new(pk, "ts_us", json_integer((json_int_t)p->ts_us));
    json_object_set_new(pk, "orig_len", json_integer(p->orig_len));
    json_object_set_new(pk, "data_b64", json_stringn(b64, n));
    free(b64);
    json_object_set_new(ev, "packet", pk);
}

json_t *agent_event_sip(const agent_sip_fields_t *f)
{
    json_t *ev = json_object();
    if (!ev) return NULL;
    json_object_set_new(ev, "ts_us", json_integer((json_int_t)f->ts_us));
    json_object_set_new(ev, "type", json_string(f->type));
    json_object_set_new(ev, "call_id", agent_json_text(f->call_id, f->call_id_len, 1024));
    json_object_set_new(ev, "src", json_string(f->src));
    json_object_set_new(ev, "dst", json_string(f->dst));
    json_object_set_new(ev, "transport", json_string(f->transport));
    json_object_set_new(
        ev, "method", f->method ? agent_json_text(f->method, f->method_len, 64) : json_string(""));
    json_object_set_new(ev, "status", json_integer(f->status));
    json_object_set_new(ev, "summary", agent_json_text(f->summary, f->summary_len, 512));
    json_object_set_new(ev, "data", agent_json_text(f->data, f->data_len, AGENT_EVENT_DATA_MAX));
    add_packet(ev, &f->packet);
    return ev;
}

json_t *agent_event_rtp(const agent_rtp_fields_t *f)
{
    json_t *ev = json_object();
    if (!ev) return NULL;
    char ssrc[16];
    snprintf(ssrc, sizeof ssrc, "0x%08x", f->ssrc);
    json_object_set_new(ev, "ts_us", json_integer((json_int_t)f->ts_us));
    json_object_set_new(ev, "type", json_string("rtp"));
    json_object_set_new(ev, "call_id", agent_json_text(f->call_id, strlen(f->call_id), 1024));
    json_object_set_new(ev, "src", json_string(f->src));
    json_object_set_new(ev, "dst", json_string(f->dst));
    json_object_set_new(ev, "ssrc", json_string(ssrc));
    json_object_set_new(ev, "sample", json_boolean(f->sample));
    if (f->sample) {
        if (f->pt >= 0) json_object_set_new(ev, "pt", json_integer(f->pt));
        json_object_set_new(ev, "packets", json_integer((json_int_t)f->packets));
        json_object_set_new(ev, "lost", json_integer((json_int_t)f->lost));
        /* json_real refuses NaN and infinities: an unknown jitter is 0. */
        json_object_set_new(ev, "jitter_ms",
                            json_real(isfinite(f->jitter_ms) ? f->jitter_ms : 0.0));
    }
    add_packet(ev, &f->packet);
    return ev;
}

json_t *agent_event_log(uint64_t ts_us, const char *file, const char *line, size_t len,
                        const char *call_id)
{
    json_t *ev = json_object();
    if (!ev) return NULL;
    json_object_set_new(ev, "ts_us", json_integer((json_int_t)ts_us));
    json_object_set_new(ev, "type", json_string("log"));
    json_object_set_new(ev, "file", agent_json_text(file, strlen(file), 4096));
    json_object_set_new(ev, "line", agent_json_text(line, len, AGENT_EVENT_LINE_MAX));
    if (call_id)
        json_object_set_new(ev, "call_id", agent_json_text(call_id, strlen(call_id), 1024));
    return ev;
}

char *agent_event_stamp(json_t *ev, const char *session, uint64_t seq, size_t *len)
{
    json_object_set_new(ev, "session", json_string(session));
    json_object_set_new(ev, "seq", json_integer((json_int_t)seq));
    char *s = json_dumps(ev, JSON_COMPACT);
    if (s && len) *len = strlen(s);
    return s;
}

void agent_format_endpoint(uint8_t family, const uint8_t *a, uint16_t port, char *buf, size_t len)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    if (family == 4)
        inet_ntop(AF_INET, a, addr, sizeof addr);
    else if (family == 6)
        inet_ntop(AF_INET6, a, addr, sizeof addr);
    if (family == 6)
        snprintf(buf, len, "[%s]:%u", addr, port);
    else
        snprintf(buf, len, "%s:%u", addr, port);
}

bool agent_token_equal(const char *presented, size_t presented_len, const char *expected)
{
    size_t n = strlen(expected);
    /* Every byte of the expected token is compared whatever the presented
     * length, so timing tells nothing but the expected length. */
    unsigned char diff = (unsigned char)(presented_len != n);
    for (size_t i = 0; i < n; i++) {
        unsigned char p = i < presented_len ? (unsigned char)presented[i] : 0;
        diff |= p ^ (unsigned char)expected[i];
    }
    return diff == 0 && n > 0;
}
