#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criteria.h"

static json_t *load_object(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    if (!body || len == 0) {
        snprintf(err, errlen, "the body must be a JSON object");
        return NULL;
    }
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "bad JSON at byte %d: %.120s", je.position, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        snprintf(err, errlen, "the body must be a JSON object");
        return NULL;
    }
    return root;
}

static bool no_controls(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return true;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool validate_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > VALIDATE_MAX_NAME) return false;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i])) return false;
    return true;
}

bool validate_session_id(const char *s)
{
    if (!s || strlen(s) != 20) return false;
    for (int i = 0; i < 20; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* A text field: string, at most max bytes, no control characters. */
static int text_field(json_t *v, const char *key, size_t max, const char **out, char *err,
                      size_t errlen)
{
    if (!json_is_string(v)) {
        snprintf(err, errlen, "%s must be a string", key);
        return -1;
    }
    const char *s = json_string_value(v);
    if (json_string_length(v) > max || strlen(s) != json_string_length(v) || !no_controls(s)) {
        snprintf(err, errlen, "%s must be at most %zu bytes without control characters", key, max);
        return -1;
    }
    *out = s;
    return 0;
}

/* Tags as "a,b,c" or ["a","b"]: each a name, at most VALIDATE_MAX_TAGS, joined
 * with ',' into buf. */
static int tags_field(json_t *v, char *buf, size_t buflen, char *err, size_t errlen)
{
    size_t o = 0, count = 0;
    buf[0] = 0;
    char one[VALIDATE_MAX_NAME + 1];
    const char *p = NULL;
    size_t idx = 0;
    if (json_is_string(v))
        p = json_string_value(v);
    else if (!json_is_array(v)) {
        snprintf(err, errlen, "tags must be a comma-separated string or an array of strings");
        return -1;
    }
    for (;;) {
        const char *t;
        size_t n;
        if (p) {
            while (*p == ',' || *p == ' ')
                p++;
            if (!*p) break;
            n = strcspn(p, ", ");
            t = p;
            p += n;
        } else {
            if (idx >= json_array_size(v)) break;
            json_t *e = json_array_get(v, idx++);
            if (!json_is_string(e)) {
                snprintf(err, errlen, "tags must be strings");
                return -1;
            }
            t = json_string_value(e);
            n = strlen(t);
        }
        if (n == 0 || n > VALIDATE_MAX_NAME) {
            snprintf(err, errlen, "a tag must be 1-%d characters of [A-Za-z0-9._-]",
                     VALIDATE_MAX_NAME);
            return -1;
        }
        memcpy(one, t, n);
        one[n] = 0;
        if (!validate_name(one)) {
            snprintf(err, errlen, "a tag must be 1-%d characters of [A-Za-z0-9._-]",
                     VALIDATE_MAX_NAME);
            return -1;
        }
        if (++count > VALIDATE_MAX_TAGS) {
            snprintf(err, errlen, "at most %d tags", VALIDATE_MAX_TAGS);
            return -1;
        }
        if (o + n + 2 > buflen) return -1;
        if (o) buf[o++] = ',';
        memcpy(buf + o, one, n);
        o += n;
        buf[o] = 0;
    }
    return 0;
}

static int bool_field(json_t *v, const char *key, bool *out, char *err, size_t errlen)
{
    if (!json_is_boolean(v)) {
        snprintf(err, errlen, "%s must be true or false", key);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

void session_req_free(session_req_t *r)
{
    if (!r) return;
    free(r->label);
    free(r->criteria_json);
    free(r->agent_ids);
    for (size_t i = 0; i < r->n_tags; i++)
        free(r->tags[i]);
    free(r->tags);
    memset(r, 0, sizeof *r);
}

int validate_session(const char *body, size_t len, int64_t default_s, int64_t max_s,
                     session_req_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_t *root = load_object(body, len, err, errlen);
    if (!root) return -1;
    int rc = -1;
    const char *label = "";
    json_t *crit = NULL;
    char tags[VALIDATE_MAX_TAGS * (VALIDATE_MAX_NAME + 1) + 1] = "";
    out->duration_s = default_s;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "label") == 0) {
            if (text_field(v, key, VALIDATE_MAX_LABEL, &label, err, errlen)) goto out;
        } else if (strcmp(key, "duration_seconds") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max_s) {
                snprintf(err, errlen, "duration_seconds must be an integer from 1 to %lld",
                         (long long)max_s);
                goto out;
            }
            out->duration_s = json_integer_value(v);
        } else if (strcmp(key, "criteria") == 0) {
            crit = v;
        } else if (strcmp(key, "capture_rtp") == 0) {
            if (bool_field(v, key, &out->capture_rtp, err, errlen)) goto out;
        } else if (strcmp(key, "capture_pcap") == 0) {
            if (bool_field(v, key, &out->capture_pcap, err, errlen)) goto out;
        } else if (strcmp(key, "agent_ids") == 0) {
            if (!json_is_array(v) || json_array_size(v) > VALIDATE_MAX_AGENT_IDS) {
                snprintf(err, errlen, "agent_ids must be an array of at most %d agent ids",
                         VALIDATE_MAX_AGENT_IDS);
                goto out;
            }
            out->agent_ids = calloc(json_array_size(v) + 1, sizeof *out->agent_ids);
            if (!out->agent_ids) goto out;
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                if (!json_is_integer(e) || json_integer_value(e) < 1) {
                    snprintf(err, errlen, "agent_ids must hold positive integers");
                    goto out;
                }
                out->agent_ids[out->n_agent_ids++] = json_integer_value(e);
            }
        } else if (strcmp(key, "agent_tags") == 0 || strcmp(key, "tags") == 0) {
            if (tags_field(v, tags, sizeof tags, err, errlen)) goto out;
        } else {
            snprintf(err, errlen, "unknown field '%.64s'", key);
            goto out;
        }
    }
    if (!crit) {
        snprintf(err, errlen,
                 "criteria is required: at least one of from, to, tenant, domain, provider_ip, "
                 "text or call_id");
        goto out;
    }
    if (!json_is_object(crit)) {
        snprintf(err, errlen, "criteria must be an object");
        goto out;
    }
    char cerr[256];
    snb_criteria_t *c = snb_criteria_parse(crit, cerr, sizeof cerr);
    if (!c) {
        snprintf(err, errlen, "%s%s", strncmp(cerr, "criteria", 8) ? "criteria: " : "", cerr);
        goto out;
    }
    json_t *norm = snb_criteria_json(c);
    snb_criteria_free(c);
    out->criteria_json = norm ? json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(norm);
    out->label = strdup(label);
    if (!out->criteria_json || !out->label) goto out;
    if (tags[0]) {
        size_t n = 1;
        for (const char *p = tags; *p; p++)
            n += *p == ',';
        out->tags = calloc(n, sizeof *out->tags);
        if (!out->tags) goto out;
        for (const char *p = tags; *p;) {
            size_t l = strcspn(p, ",");
            out->tags[out->n_tags++] = strndup(p, l);
            p += l;
            if (*p) p++;
        }
    }
    rc = 0;
out:
    json_decref(root);
    if (rc != 0) session_req_free(out);
    return rc;
}

void agent_req_free(agent_req_t *r)
{
    if (!r) return;
    json_decref(r->root);
    r->root = NULL;
}

static bool good_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

int validate_agent(const char *body, size_t len, bool registration, agent_req_t *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->in.enabled = -1;
    json_t *root = load_object(body, len, err, errlen);
    if (!root) return -1;
    out->root = root;
    const char *key;
    json_t *v;
    bool have_tags = false;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "name") == 0) {
            if (text_field(v, key, VALIDATE_MAX_NAME, &out->in.name, err, errlen)) goto bad;
        } else if (strcmp(key, "url") == 0) {
            if (text_field(v, key, VALIDATE_MAX_URL, &out->in.url, err, errlen)) goto bad;
            if (*out->in.url && !good_url(out->in.url)) {
                snprintf(err, errlen, "url must start with http:// or https://");
                goto bad;
            }
        } else if (strcmp(key, registration ? "command_token" : "token") == 0) {
            if (text_field(v, key, 512, &out->in.command_token, err, errlen)) goto bad;
            if (strchr(out->in.command_token, ' ')) {
                snprintf(err, errlen, "%s must not contain spaces", key);
                goto bad;
            }
        } else if (strcmp(key, "tags") == 0) {
            if (tags_field(v, out->tags, sizeof out->tags, err, errlen)) goto bad;
            have_tags = true;
        } else if (!registration && strcmp(key, "enabled") == 0) {
            bool b;
            if (bool_field(v, key, &b, err, errlen)) goto bad;
            out->in.enabled = b;
        } else if (registration && strcmp(key, "version") == 0) {
            if (text_field(v, key, 128, &out->in.version, err, errlen)) goto bad;
        } else {
            snprintf(err, errlen, "unknown field '%.64s'", key);
            goto bad;
        }
    }
    if (!validate_name(out->in.name)) {
        snprintf(err, errlen, "name must be 1-%d characters of [A-Za-z0-9._-]", VALIDATE_MAX_NAME);
        goto bad;
    }
    if (have_tags) out->in.tags = out->tags;
    return 0;
bad:
    agent_req_free(out);
    return -1;
}

int validate_share(const char *body, size_t len, int64_t *expires_in_s, char *err, size_t errlen)
{
    *expires_in_s = 0;
    if (len == 0) return 0;
    json_t *root = load_object(body, len, err, errlen);
    if (!root) return -1;
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "expires_in_seconds") == 0 && json_is_integer(v) &&
            json_integer_value(v) >= 1 && json_integer_value(v) <= 366LL * 86400) {
            *expires_in_s = json_integer_value(v);
        } else {
            snprintf(err, errlen,
                     strcmp(key, "expires_in_seconds") == 0
                         ? "expires_in_seconds must be an integer from 1 to 31622400"
                         : "unknown field '%.64s'",
                     key);
            rc = -1;
            break;
        }
    }
    json_decref(root);
    return rc;
}

static int b64v(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

long validate_b64_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
    while (len && in[len - 1] == '=')
        len--;
    if (len % 4 == 1) return -1;
    size_t need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (need > cap) return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64v((unsigned char)in[i]);
        if (v < 0) return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)o;
}

void ingest_batch_free(ingest_batch_t *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) {
        if (b->bodies) free(b->bodies[i]);
        if (b->packets) free(b->packets[i]);
    }
    free(b->bodies);
    free(b->packets);
    free(b->ev);
    json_decref(b->root);
    memset(b, 0, sizeof *b);
}

typedef enum { F_STR, F_INT, F_NUM, F_BOOL } ftype_t;
static const struct {
    const char *key;
    ftype_t type;
    size_t max;
} event_fields[] = {
    {"call_id", F_STR, VALIDATE_MAX_FIELD},
    {"src", F_STR, 128},
    {"dst", F_STR, 128},
    {"transport", F_STR, 16},
    {"method", F_STR, 64},
    {"status", F_INT, 0},
    {"summary", F_STR, VALIDATE_MAX_FIELD},
    {"data", F_STR, VALIDATE_MAX_DATA},
    {"ssrc", F_STR, 32},
    {"pt", F_INT, 0},
    {"packets", F_INT, 0},
    {"lost", F_INT, 0},
    {"jitter_ms", F_NUM, 0},
    {"sample", F_BOOL, 0},
    {"file", F_STR, 4096},
    {"line", F_STR, VALIDATE_MAX_LINE},
};

static int int_in(json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) return -1;
    *out = json_integer_value(v);
    return 0;
}

static int one_event(json_t *e, size_t i, ingest_batch_t *b, char *err, size_t errlen)
{
    ingest_event_t *x = &b->ev[i];
    if (!json_is_object(e)) {
        snprintf(err, errlen, "events[%zu] must be an object", i);
        return -1;
    }
    bool sample = true, has_sample = false;
    const char *key;
    json_t *v;
    x->listed = true;
    json_object_foreach(e, key, v)
    {
        if (strcmp(key, "session") == 0) {
            if (!json_is_string(v) || !validate_session_id(json_string_value(v))) {
                snprintf(err, errlen, "events[%zu].session must be a 20-hex-digit session id", i);
                goto bad;
            }
            x->session = json_string_value(v);
        } else if (strcmp(key, "seq") == 0) {
            if (int_in(v, 1, INT64_MAX, &x->seq)) {
                snprintf(err, errlen, "events[%zu].seq must be a positive integer", i);
                goto bad;
            }
        } else if (strcmp(key, "ts_us") == 0) {
            if (int_in(v, 0, INT64_MAX, &x->ts_us)) {
                snprintf(err, errlen, "events[%zu].ts_us must be a non-negative integer", i);
                goto bad;
            }
        } else if (strcmp(key, "type") == 0) {
            const char *t = json_string_value(v);
            if (!t ||
                (strcmp(t, "sip") && strcmp(t, "webrtc") && strcmp(t, "rtp") && strcmp(t, "log"))) {
                snprintf(err, errlen, "events[%zu].type must be sip, webrtc, rtp or log", i);
                goto bad;
            }
            x->type = t;
        } else if (strcmp(key, "packet") == 0) {
            if (!json_is_object(v)) {
                snprintf(err, errlen, "events[%zu].packet must be an object", i);
                goto bad;
            }
            const char *pk;
            json_t *pv;
            const char *b64 = NULL;
            size_t b64len = 0;
            x->orig_len = -1;
            json_object_foreach(v, pk, pv)
            {
                int bad = 0;
                if (strcmp(pk, "linktype") == 0)
                    bad = int_in(pv, 0, 65535, &x->linktype);
                else if (strcmp(pk, "ts_us") == 0)
                    bad = int_in(pv, 0, INT64_MAX, &x->pkt_ts_us);
                else if (strcmp(pk, "orig_len") == 0)
                    bad = int_in(pv, 0, 0x7fffffff, &x->orig_len);
                else if (strcmp(pk, "data_b64") == 0 && json_is_string(pv)) {
                    b64 = json_string_value(pv);
                    b64len = json_string_length(pv);
                } else
                    bad = 1;
                if (bad) {
                    snprintf(err, errlen, "events[%zu].packet.%.32s is not valid", i, pk);
                    goto bad;
                }
            }
            if (!b64) {
                snprintf(err, errlen, "events[%zu].packet.data_b64 is required", i);
                goto bad;
            }
            unsigned char *d = malloc(b64len / 4 * 3 + 3);
            if (!d) goto bad;
            long n = validate_b64_decode(b64, b64len, d, VALIDATE_MAX_PACKET);
            if (n < 0) {
                free(d);
                snprintf(err, errlen,
                         "events[%zu].packet.data_b64 must be base64 of at most %d bytes", i,
                         VALIDATE_MAX_PACKET);
                goto bad;
            }
            b->packets[i] = d;
            x->data = d;
            x->data_len = (size_t)n;
            if (x->orig_len < (int64_t)n) x->orig_len = n;
            x->has_packet = true;
        } else {
            size_t k;
            for (k = 0; k < sizeof event_fields / sizeof event_fields[0]; k++)
                if (strcmp(key, event_fields[k].key) == 0) break;
            if (k == sizeof event_fields / sizeof event_fields[0]) {
                snprintf(err, errlen, "events[%zu]: unknown field '%.64s'", i, key);
                goto bad;
            }
            bool ok = false;
            switch (event_fields[k].type) {
            case F_STR:
                /* The limits count captured bytes; an agent replaces each invalid
                 * UTF-8 byte by U+FFFD (3 bytes), so up to 3 times that is taken. */
                ok = json_is_string(v) && json_string_length(v) <= 3 * event_fields[k].max;
                break;
            case F_INT:
                ok = json_is_integer(v);
                break;
            case F_NUM:
                ok = json_is_number(v);
                break;
            case F_BOOL:
                ok = json_is_boolean(v);
                break;
            }
            if (!ok) {
                snprintf(err, errlen, "events[%zu].%s has the wrong type or is too long", i, key);
                goto bad;
            }
            if (strcmp(key, "sample") == 0) {
                has_sample = true;
                sample = json_is_true(v);
            }
        }
    }
    if (!x->session || !x->seq || !x->type) {
        snprintf(err, errlen, "events[%zu] needs session, seq, ts_us and type", i);
        goto bad;
    }
    if (strcmp(x->type, "rtp") == 0 && has_sample && !sample) x->listed = false;
    if (x->has_packet && !x->pkt_ts_us) x->pkt_ts_us = x->ts_us;
    /* The stored body is the event as sent, without the packet (kept apart)
     * and the keys the event list sets itself. session and type stay: x
     * points into them. */
    json_object_del(e, "packet");
    json_object_del(e, "seq");
    json_object_del(e, "ts_us");
    json_object_set_new(e, "has_packet", json_boolean(x->has_packet));
    b->bodies[i] = json_dumps(e, JSON_COMPACT);
    if (!b->bodies[i]) return -1;
    x->body = b->bodies[i];
    return 0;
bad:
    return -1;
}

int validate_ingest(const char *body, size_t len, size_t max_events, ingest_batch_t *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_t *root = load_object(body, len, err, errlen);
    if (!root) return -1;
    out->root = root;
    json_t *events = NULL;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "agent") == 0) {
            if (!json_is_string(v) || !validate_name(json_string_value(v))) {
                snprintf(err, errlen, "agent must be 1-%d characters of [A-Za-z0-9._-]",
                         VALIDATE_MAX_NAME);
                goto bad;
            }
            snprintf(out->agent, sizeof out->agent, "%s", json_string_value(v));
        } else if (strcmp(key, "events") == 0) {
            events = v;
        } else {
            snprintf(err, errlen, "unknown field '%.64s'", key);
            goto bad;
        }
    }
    if (!out->agent[0]) {
        snprintf(err, errlen, "agent is required");
        goto bad;
    }
    if (!json_is_array(events) || json_array_size(events) > max_events) {
        snprintf(err, errlen, "events must be an array of at most %zu events", max_events);
        goto bad;
    }
    size_t n = json_array_size(events);
    out->ev = calloc(n + 1, sizeof *out->ev);
    out->bodies = calloc(n + 1, sizeof *out->bodies);
    out->packets = calloc(n + 1, sizeof *out->packets);
    if (!out->ev || !out->bodies || !out->packets) {
        snprintf(err, errlen, "out of memory");
        goto bad;
    }
    out->n = n;
    for (size_t i = 0; i < n; i++)
        if (one_event(json_array_get(events, i), i, out, err, errlen) != 0) goto bad;
    return 0;
bad:
    ingest_batch_free(out);
    return -1;
}
