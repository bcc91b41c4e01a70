/* Line splitting and rotation decisions for log tailing (agent_tail.h). */
#include "agent_tail.h"

#include <string.h>

void agent_lines_init(agent_lines_t *l)
{
    memset(l, 0, sizeof *l);
}

void agent_lines_reset(agent_lines_t *l)
{
    l->len = 0;
    l->skipping = false;
}

static void emit(agent_lines_t *l, agent_line_fn fn, void *ud)
{
    size_t n = l->len;
    if (n && l->buf[n - 1] == '\r') n--;
    if (n) fn(ud, l->buf, n);
    l->len = 0;
}

void agent_lines_feed(agent_lines_t *l, const char *data, size_t n, agent_line_fn fn, void *ud)
{
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(data + i, '\n', n - i);
        size_t chunk = nl ? (size_t)(nl - (data + i)) : n - i;
        if (!l->skipping) {
            size_t room = sizeof l->buf - l->len;
            size_t take = chunk < room ? chunk : room;
            memcpy(l->buf + l->len, data + i, take);
            l->len += take;
            if (take < chunk || (l->len == sizeof l->buf && !nl)) {
                /* At the limit: the first 8 KiB go out now, the rest is skipped. */
                emit(l, fn, ud);
                l->cut++;
                l->skipping = true;
            }
        }
        i += chunk;
        if (nl) {
            if (l->skipping)
                l->skipping = false;
            else
                emit(l, fn, ud);
            i++;
        }
    }
}

agent_tail_action_t agent_tail_decide(uint64_t open_ino, uint64_t offset, uint64_t open_size,
                                      bool path_exists, uint64_t path_ino)
{
    if (!path_exists) return AGENT_TAIL_GONE;
    if (open_ino == 0 || path_ino != open_ino) return AGENT_TAIL_REOPEN;
    if (open_size < offset) return AGENT_TAIL_TRUNCATE;
    return AGENT_TAIL_READ;
}

static bool is_delim(char c)
{
    switch (c) {
    case ' ':
    case '\t':
    case '=':
    case ',':
    case ';':
    case '"':
    case '\'':
    case '<':
    case '>':
    case '[':
    case ']':
    case '(':
    case ')':
    case '{':
    case '}':
    case '|':
        return true;
    default:
        return false;
    }
}

void agent_line_tokens(const char *line, size_t len, agent_token_fn fn, void *ud)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && is_delim(line[i]))
            i++;
        size_t s = i;
        while (i < len && !is_delim(line[i]))
            i++;
        if (i > s && !fn(ud, line + s, i - s)) return;
    }
}
