/* The alert ring of api_alerts.h. */
#include "api_alerts.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct alert {
    char *json; /* the object as it came */
    size_t len;
    char type[32];
    char source[64];
    int64_t ts_us;
} alert_t;

struct api_alerts {
    alert_t *ring;
    size_t cap, head, n; /* head: the oldest */
    uint64_t evicted;
};

api_alerts_t *api_alerts_new(size_t cap)
{
    api_alerts_t *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->cap = cap ? cap : 1;
    a->ring = calloc(a->cap, sizeof *a->ring);
    if (!a->ring) {
        free(a);
        return NULL;
    }
    return a;
}

void api_alerts_clear(api_alerts_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->ring[(a->head + i) % a->cap].json);
    a->head = a->n = 0;
}

void api_alerts_free(api_alerts_t *a)
{
    if (!a) return;
    api_alerts_clear(a);
    free(a->ring);
    free(a);
}

size_t api_alerts_count(const api_alerts_t *a)
{
    return a->n;
}

uint64_t api_alerts_evicted(const api_alerts_t *a)
{
    return a->evicted;
}

static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

int64_t api_alerts_parse_time(const char *t)
{
    if (!t || !*t) return -1;
    char *end;
    if (strchr(t, 'T') == NULL) { /* seconds since the epoch, maybe fractional */
        double s = strtod(t, &end);
        if (end == t || *end || s < 0 || s > 1e11) return -1;
        return (int64_t)(s * 1e6);
    }
    /* YYYY-MM-DDTHH:MM:SS[.ffffff]Z */
    if (strlen(t) < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
        t[16] != ':')
        return -1;
    struct tm tm = {0};
    int y = digits(t, 4), mo = digits(t + 5, 2), d = digits(t + 8, 2), h = digits(t + 11, 2),
        mi = digits(t + 14, 2), s = digits(t + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        s < 0 || s > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    int64_t us = 0;
    const char *p = t + 19;
    if (*p == '.') {
        int scale = 100000;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            us += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (strcmp(p, "Z") != 0) return -1;
    return (int64_t)timegm(&tm) * 1000000 + us;
}

int api_alerts_add(api_alerts_t *a, const char *json, size_t len)
{
    json_error_t e;
    json_t *o = json_loadb(json, len, 0, &e);
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *source = json_string_value(json_object_get(o, "source"));
    int64_t ts = api_alerts_parse_time(json_string_value(json_object_get(o, "ts")));
    if (!json_is_object(o) || !type || !source || ts < 0) {
        json_decref(o);
        return -1;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        json_decref(o);
        return -1;
    }
    memcpy(copy, json, len);
    copy[len] = '\0';
    if (a->n == a->cap) { /* the oldest goes */
        free(a->ring[a->head].json);
        a->head = (a->head + 1) % a->cap;
        a->n--;
        a->evicted++;
    }
    alert_t *slot = &a->ring[(a->head + a->n) % a->cap];
    *slot = (alert_t){.json = copy, .len = len, .ts_us = ts};
    snprintf(slot->type, sizeof slot->type, "%s", type);
    snprintf(slot->source, sizeof slot->source, "%s", source);
    a->n++;
    json_decref(o);
    return 0;
}

void api_alerts_foreach(const api_alerts_t *a, void (*fn)(void *ud, const char *json, size_t len),
                        void *ud)
{
    for (size_t i = 0; i < a->n; i++) {
        const alert_t *x = &a->ring[(a->head + i) % a->cap];
        fn(ud, x->json, x->len);
    }
}

static bool matches(const alert_t *x, const api_alerts_query_t *q)
{
    if (q->type && strcmp(q->type, x->type) != 0) return false;
    if (q->source && strcmp(q->source, x->source) != 0) return false;
    if (q->since_us && x->ts_us < q->since_us) return false;
    if (q->until_us && x->ts_us > q->until_us) return false;
    return true;
}

int api_alerts_render(const api_alerts_t *a, const api_alerts_query_t *q, api_buf_t *out)
{
    size_t total = 0, shown = 0;
    if (api_buf_append(out, "{\"schema_version\":1,\"alerts\":[", 30)) return -1;
    for (size_t i = 0; i < a->n; i++) {
        const alert_t *x = &a->ring[(a->head + i) % a->cap];
        if (!matches(x, q)) continue;
        if (total++ < q->offset || shown >= q->limit) continue;
        if ((shown++ && api_buf_append(out, ",", 1)) || api_buf_append(out, x->json, x->len))
            return -1;
    }
    return api_buf_printf(out, "],\"total\":%zu,\"offset\":%zu,\"limit\":%zu}", total, q->offset,
                          q->limit);
}
