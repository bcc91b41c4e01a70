#include "sse.h"

#include <stdio.h>
#include <string.h>

size_t sse_event(char *buf, size_t cap, int64_t id, const char *type, const char *data)
{
    int n = snprintf(buf, cap, "id: %lld\nevent: %s\n", (long long)id, type);
    if (n < 0 || (size_t)n >= cap) return 0;
    size_t o = (size_t)n;
    const char *p = data;
    do {
        size_t l = strcspn(p, "\r\n");
        if (o + 6 + l + 1 >= cap) return 0;
        memcpy(buf + o, "data: ", 6);
        memcpy(buf + o + 6, p, l);
        o += 6 + l;
        buf[o++] = '\n';
        p += l;
        if (*p == '\r') p++;
        if (*p == '\n') p++;
    } while (*p);
    if (o + 2 > cap) return 0;
    buf[o++] = '\n';
    buf[o] = 0;
    return o;
}

size_t sse_comment(char *buf, size_t cap, const char *text)
{
    int n = snprintf(buf, cap, ": %s\n\n", text);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

int64_t sse_last_event_id(const char *header)
{
    if (!header) return 0;
    int64_t v = 0;
    const char *p = header;
    while (*p == ' ')
        p++;
    if (!*p) return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_MAX - 9) / 10) return 0;
        v = v * 10 + (*p - '0');
    }
    while (*p == ' ')
        p++;
    return *p ? 0 : v;
}
