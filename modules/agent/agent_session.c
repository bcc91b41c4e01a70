/* Session commands and the capped session table (agent_session.h). */
#include "agent_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool agent_session_id_valid(const char *id)
{
    if (!id) return false;
    size_t i = 0;
    for (; id[i]; i++)
        if (i >= AGENT_SESSION_ID_LEN ||
            !((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return i == AGENT_SESSION_ID_LEN;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool agent_parse_rfc3339(const char *s, uint64_t *us)
{
    int Y, M, D, h, m, sec;
    if (!s || strlen(s) < 20) return false;
    if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
        !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return false;
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return false;
    const char *p = s + 19;
    uint64_t frac = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        while (*p >= '0' && *p <= '9') {
            if (nd < 6) frac = frac * 10 + (uint64_t)(*p - '0');
            nd++;
            p++;
        }
        if (nd == 0) return false;
        for (; nd < 6; nd++)
            frac *= 10;
    }
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return false;
        offset = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return false;
    }
    if (*p) return false;
    struct tm tm = {.tm_year = Y - 1900,
                    .tm_mon = M - 1,
                    .tm_mday = D,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || (long long)t - offset < 0) return false;
    *us = (uint64_t)((long long)t - offset) * 1000000ULL + frac;
    return true;
}

void agent_format_rfc3339(uint64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000ULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06uZ", base, (unsigned)(us % 1000000ULL));
}

static void set_err(char *err, size_t errlen, const char *msg, const char *detail)
{
    if (err && errlen) snprintf(err, errlen, "%s%s", msg, detail ? detail : "");
}

int agent_session_cmd_parse(const json_t *body, const char *path_id, agent_session_cmd_t *out,
                            char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(body)) {
        set_err(err, errlen, "session command: not a JSON object", NULL);
        return -1;
    }
    const json_t *jid = json_object_get(body, "id");
    const char *id = json_is_string(jid) ? json_string_value(jid) : NULL;
    if (jid && !id) {
        set_err(err, errlen, "session command: id must be a string", NULL);
        return -1;
    }
    if (!id) id = path_id;
    if (!agent_session_id_valid(id)) {
        set_err(err, errlen, "session command: id is not 20 lowercase hex characters", NULL);
        return -1;
    }
    if (path_id && strcmp(id, path_id) != 0) {
        set_err(err, errlen, "session command: body id differs from the path's", NULL);
        return -1;
    }
    memcpy(out->id, id, AGENT_SESSION_ID_LEN + 1);
    const json_t *label = json_object_get(body, "label");
    if (json_is_string(label)) {
        const char *l = json_string_value(label);
        size_t n = strlen(l);
        if (n >= sizeof out->label) n = sizeof out->label - 1;
        for (size_t i = 0; i < n; i++) /* kept for logs only: printable */
            out->label[i] = ((unsigned char)l[i] < 0x20 || l[i] == 0x7f) ? '?' : l[i];
    } else if (label && !json_is_null(label)) {
        set_err(err, errlen, "session command: label must be a string", NULL);
        return -1;
    }
    const json_t *exp = json_object_get(body, "expires_at");
    if (exp && !json_is_null(exp)) {
        if (!json_is_string(exp) ||
            !agent_parse_rfc3339(json_string_value(exp), &out->expires_us)) {
            set_err(err, errlen, "session command: expires_at is not an RFC 3339 time", NULL);
            return -1;
        }
    }
    static const char *const flags[] = {"capture_rtp", "capture_pcap"};
    for (int i = 0; i < 2; i++) {
        const json_t *f = json_object_get(body, flags[i]);
        if (f && !json_is_boolean(f) && !json_is_null(f)) {
            set_err(err, errlen, "session command: must be true or false: ", flags[i]);
            return -1;
        }
        bool v = json_is_true(f);
        if (i == 0)
            out->capture_rtp = v;
        else
            out->capture_pcap = v;
    }
    const json_t *last = json_object_get(body, "last_seq");
    if (last && !json_is_null(last)) {
        if (!json_is_integer(last) || json_integer_value(last) < 0) {
            set_err(err, errlen, "session command: last_seq must be a non-negative integer", NULL);
            return -1;
        }
        out->last_seq = (uint64_t)json_integer_value(last);
    }
    char cerr[160];
    out->criteria = snb_criteria_parse(json_object_get(body, "criteria"), cerr, sizeof cerr);
    if (!out->criteria) {
        set_err(err, errlen, "session command: ", cerr);
        return -1;
    }
    return 0;
}

void agent_session_cmd_clear(agent_session_cmd_t *cmd)
{
    snb_criteria_free(cmd->criteria);
    cmd->criteria = NULL;
}

void agent_sessions_init(agent_sessions_t *t, size_t cap)
{
    memset(t, 0, sizeof *t);
    t->cap = (cap == 0 || cap > AGENT_SESSIONS_MAX) ? AGENT_SESSIONS_MAX : cap;
}

void agent_sessions_clear(agent_sessions_t *t)
{
    for (size_t i = 0; i < AGENT_SESSIONS_MAX; i++)
        if (t->slot[i].used) snb_criteria_free(t->slot[i].criteria);
    size_t cap = t->cap;
    agent_sessions_init(t, cap);
}

int agent_sessions_find(const agent_sessions_t *t, const char *id)
{
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++)
        if (t->slot[i].used && strcmp(t->slot[i].id, id) == 0) return i;
    return -1;
}

int agent_sessions_put(agent_sessions_t *t, agent_session_cmd_t *cmd, bool *created)
{
    int i = agent_sessions_find(t, cmd->id);
    *created = i < 0;
    if (i < 0) {
        if (t->n >= t->cap) return -1;
        for (i = 0; i < AGENT_SESSIONS_MAX && t->slot[i].used; i++)
            ;
        t->n++;
    } else {
        snb_criteria_free(t->slot[i].criteria);
    }
    agent_session_t *s = &t->slot[i];
    uint64_t seq = *created ? 0 : s->seq;
    memset(s, 0, sizeof *s);
    s->used = true;
    memcpy(s->id, cmd->id, sizeof s->id);
    memcpy(s->label, cmd->label, sizeof s->label);
    s->expires_us = cmd->expires_us;
    s->capture_rtp = cmd->capture_rtp;
    s->capture_pcap = cmd->capture_pcap;
    s->criteria = cmd->criteria;
    s->seq = seq;
    cmd->criteria = NULL;
    return i;
}

bool agent_sessions_remove(agent_sessions_t *t, const char *id)
{
    int i = agent_sessions_find(t, id);
    if (i < 0) return false;
    snb_criteria_free(t->slot[i].criteria);
    memset(&t->slot[i], 0, sizeof t->slot[i]);
    t->n--;
    return true;
}

size_t agent_sessions_expired(const agent_sessions_t *t, uint64_t now_us, int *slots)
{
    size_t n = 0;
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++)
        if (t->slot[i].used && t->slot[i].expires_us && t->slot[i].expires_us <= now_us)
            slots[n++] = i;
    return n;
}

uint64_t agent_sessions_mask(const agent_sessions_t *t)
{
    uint64_t m = 0;
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++)
        if (t->slot[i].used) m |= 1ULL << i;
    return m;
}

json_t *agent_seq_state(const agent_sessions_t *t)
{
    json_t *o = json_object();
    for (int i = 0; o && i < AGENT_SESSIONS_MAX; i++)
        if (t->slot[i].used)
            json_object_set_new(o, t->slot[i].id, json_integer((json_int_t)t->slot[i].seq));
    return o;
}

uint64_t agent_seq_resume(const json_t *state, const char *id)
{
    const json_t *v = json_object_get(state, id);
    if (!json_is_integer(v) || json_integer_value(v) < 0) return 0;
    return (uint64_t)json_integer_value(v) + AGENT_SEQ_RESTART_GAP;
}
