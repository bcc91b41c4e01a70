/* Server-sent events framing (WHATWG HTML, "Server-sent events"): one event
 * is "id: N\nevent: TYPE\ndata: JSON\n\n"; a comment line keeps idle
 * connections open through proxies. Pure. */
#ifndef SNB_CENTER_SSE_H
#define SNB_CENTER_SSE_H

#include <stddef.h>
#include <stdint.h>

/* Appends one event; data may hold newlines (each line gets "data: ").
 * Returns the bytes written, or 0 when it does not fit. */
size_t sse_event(char *buf, size_t cap, int64_t id, const char *type, const char *data);
/* ": keep-alive\n\n" */
size_t sse_comment(char *buf, size_t cap, const char *text);
/* The Last-Event-ID header's value as an event id; 0 when absent or bad. */
int64_t sse_last_event_id(const char *header);

#endif
