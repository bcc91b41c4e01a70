/* libFuzzer target for the agent module's pure parts that take outside
 * input: session commands (the listener's PUT bodies and the registration
 * answer), RFC 3339 times, log lines (splitting, the 8 KiB cut, Call-ID
 * words) and the UTF-8 repair of event text.
 *
 * Input: the first byte picks the part, the rest is its input. A parsed
 * command must go into the session table and out again; the repaired text
 * must serialize; lines never exceed AGENT_TAIL_LINE_MAX. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_event.h"
#include "agent_session.h"
#include "agent_tail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_line(void *ud, const char *line, size_t len)
{
    (void)line;
    if (len == 0 || len > AGENT_TAIL_LINE_MAX) abort();
    (*(size_t *)ud)++;
}

static bool on_token(void *ud, const char *tok, size_t len)
{
    if (len == 0 || memchr(tok, ' ', len)) abort();
    (*(size_t *)ud)++;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t mode = data[0] % 4;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    if (mode == 0) {
        json_t *j = json_loadb(in, n, JSON_DECODE_ANY, NULL);
        if (!j) return 0;
        agent_session_cmd_t cmd;
        char err[256];
        static agent_sessions_t t;
        agent_sessions_init(&t, 2);
        if (agent_session_cmd_parse(j, NULL, &cmd, err, sizeof err) == 0) {
            bool created;
            int slot = agent_sessions_put(&t, &cmd, &created);
            if (slot < 0 || !created || cmd.criteria) abort();
            if (!agent_sessions_remove(&t, t.slot[slot].id)) abort();
        } else if (!err[0] || strchr(err, '\n') || cmd.criteria) {
            abort();
        }
        agent_sessions_clear(&t);
        json_decref(j);
    } else if (mode == 1) {
        char buf[64];
        size_t m = n < sizeof buf - 1 ? n : sizeof buf - 1;
        memcpy(buf, in, m);
        buf[m] = '\0';
        uint64_t us;
        if (agent_parse_rfc3339(buf, &us)) {
            char out[40];
            agent_format_rfc3339(us, out, sizeof out);
            uint64_t back;
            if (!agent_parse_rfc3339(out, &back) || back != us) abort();
        }
    } else if (mode == 2) {
        static agent_lines_t l;
        agent_lines_init(&l);
        size_t lines = 0, toks = 0;
        /* Fed in uneven pieces, as reads arrive. */
        for (size_t o = 0; o < n;) {
            size_t step = 1 + (uint8_t)in[o] % 97;
            if (step > n - o) step = n - o;
            agent_lines_feed(&l, in + o, step, on_line, &lines);
            o += step;
        }
        agent_line_tokens(in, n, on_token, &toks);
    } else {
        json_t *s = agent_json_text(in, n, 4096);
        char *text = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
        if (!text) abort();
        free(text);
        json_decref(s);
    }
    return 0;
}
