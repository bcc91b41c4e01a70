/* Splitting a hook's command line (see exec_argv.h). */
#include "exec_argv.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int exec_argv_split(const char *command, exec_argv_t *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    size_t len = command ? strlen(command) : 0;
    if (len > EXEC_COMMAND_MAX) {
        snprintf(why, whylen, "longer than %d bytes", EXEC_COMMAND_MAX);
        return -1;
    }
    size_t w = 0; /* write position in buf: words never grow, so it fits */
    const char *p = command ? command : "";
    for (;;) {
        while (blank(*p))
            p++;
        if (!*p) break;
        if (out->argc == EXEC_ARGV_MAX) {
            snprintf(why, whylen, "more than %d words", EXEC_ARGV_MAX);
            return -1;
        }
        out->argv[out->argc++] = out->buf + w;
        while (*p && !blank(*p)) {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end) goto unterminated;
                memcpy(out->buf + w, p + 1, (size_t)(end - p - 1));
                w += (size_t)(end - p - 1);
                p = end + 1;
            } else if (*p == '"') {
                for (p++; *p != '"'; p++) {
                    if (!*p) goto unterminated;
                    if (*p == '\\' && strchr("\"\\$`", p[1]) && p[1]) p++;
                    out->buf[w++] = *p;
                }
                p++;
            } else if (*p == '\\' && p[1]) {
                out->buf[w++] = p[1];
                p += 2;
            } else {
                out->buf[w++] = *p++;
            }
        }
        out->buf[w++] = '\0';
    }
    out->argv[out->argc] = NULL;
    if (out->argc == 0) {
        snprintf(why, whylen, "empty command");
        return -1;
    }
    return 0;
unterminated:
    snprintf(why, whylen, "unterminated quote");
    return -1;
}

void exec_argv_copy(exec_argv_t *dst, const exec_argv_t *src)
{
    memcpy(dst->buf, src->buf, sizeof dst->buf);
    dst->argc = src->argc;
    for (size_t i = 0; i <= src->argc && i <= EXEC_ARGV_MAX; i++)
        dst->argv[i] = src->argv[i] ? dst->buf + (src->argv[i] - src->buf) : NULL;
}
