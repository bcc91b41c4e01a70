/* The text ladder (see mcp_ladder.h). */
#include "mcp_ladder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "addr:port", or "?" when the entry lacks it; control characters as '?'. */
static void endpoint(char *out, size_t len, const json_t *e, const char *addr, const char *port)
{
    const char *a = json_string_value(json_object_get(e, addr));
    json_t *p = json_object_get(e, port);
    if (!a)
        snprintf(out, len, "?");
    else if (json_is_integer(p))
        snprintf(out, len, strchr(a, ':') ? "[%s]:%lld" : "%s:%lld", a,
                 (long long)json_integer_value(p));
    else
        snprintf(out, len, "%s", a);
    for (char *s = out; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

static void put_label(FILE *f, const char *label)
{
    for (const char *s = label ? label : "?"; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

char *mcp_ladder_render(const json_t *messages, size_t offset, size_t max, size_t *rendered)
{
    char *text = NULL;
    size_t len = 0;
    *rendered = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return NULL;
    fprintf(f, "%12s  %-28s    %-28s  %s\n", "t (ms)", "from", "to", "message");
    for (size_t i = offset; i < json_array_size(messages) && *rendered < max; i++, (*rendered)++) {
        const json_t *e = json_array_get(messages, i);
        char src[80], dst[80];
        endpoint(src, sizeof src, e, "src", "src_port");
        endpoint(dst, sizeof dst, e, "dst", "dst_port");
        fprintf(f, "%12.3f  %-28s -> %-28s  ", json_number_value(json_object_get(e, "t_ms")), src,
                dst);
        put_label(f, json_string_value(json_object_get(e, "label")));
        fputs(json_is_true(json_object_get(e, "retransmit")) ? " (retransmission)\n" : "\n", f);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
