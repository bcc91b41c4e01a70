/* The agent's session commands and capped session table
 * (modules/agent/agent_session.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent_session.h"
#include "check_run.h"

static json_t *J(const char *s)
{
    json_t *j = json_loads(s, 0, NULL);
    ck_assert_msg(j != NULL, "bad JSON %s", s);
    return j;
}

static int parse(const char *body, const char *path_id, agent_session_cmd_t *cmd, char *err)
{
    json_t *j = J(body);
    int rc = agent_session_cmd_parse(j, path_id, cmd, err, 200);
    json_decref(j);
    return rc;
}

#define ID1 "d8e3a6b8f0c24c7a93fb"
#define ID2 "00000000000000000002"

START_TEST(ids)
{
    ck_assert(agent_session_id_valid(ID1));
    ck_assert(!agent_session_id_valid("D8E3A6B8F0C24C7A93FB")); /* lowercase only */
    ck_assert(!agent_session_id_valid("d8e3a6b8f0c24c7a93f"));
    ck_assert(!agent_session_id_valid("d8e3a6b8f0c24c7a93fb0"));
    ck_assert(!agent_session_id_valid("d8e3a6b8f0c24c7a93fg"));
    ck_assert(!agent_session_id_valid(""));
    ck_assert(!agent_session_id_valid(NULL));
}
END_TEST

START_TEST(times)
{
    uint64_t us;
    ck_assert(agent_parse_rfc3339("2026-06-20T21:30:00.123456Z", &us));
    ck_assert_uint_eq(us, 1781991000123456ULL);
    ck_assert(agent_parse_rfc3339("2026-06-20T21:30:00Z", &us));
    ck_assert_uint_eq(us, 1781991000000000ULL);
    ck_assert(agent_parse_rfc3339("2026-06-20T23:30:00.5+02:00", &us));
    ck_assert_uint_eq(us, 1781991000500000ULL);
    ck_assert(!agent_parse_rfc3339("2026-06-20 21:30", &us));
    ck_assert(!agent_parse_rfc3339("2026-13-20T21:30:00Z", &us));
    ck_assert(!agent_parse_rfc3339("2026-06-20T21:30:00", &us)); /* no zone */
    ck_assert(!agent_parse_rfc3339("2026-06-20T21:30:00.Z", &us));
    ck_assert(!agent_parse_rfc3339("2026-06-20T21:30:00Zjunk", &us));
    char buf[40];
    agent_format_rfc3339(1781991000123456ULL, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-06-20T21:30:00.123456Z");
}
END_TEST

START_TEST(command_parse)
{
    agent_session_cmd_t cmd;
    char err[200];
    ck_assert_int_eq(parse("{\"id\":\"" ID1 "\",\"label\":\"DID\\ntest\",\"expires_at\":"
                           "\"2026-06-20T21:30:00.000000Z\",\"criteria\":{\"from\":\"15554430191\","
                           "\"method\":\"INVITE\"},\"capture_rtp\":false,\"capture_pcap\":true}",
                           ID1, &cmd, err),
                     0);
    ck_assert_str_eq(cmd.id, ID1);
    ck_assert_str_eq(cmd.label, "DID?test"); /* printable for the logs */
    ck_assert_uint_eq(cmd.expires_us, 1781991000000000ULL);
    ck_assert(!cmd.capture_rtp);
    ck_assert(cmd.capture_pcap);
    ck_assert_str_eq(snb_criteria_get(cmd.criteria, "method"), "INVITE");
    agent_session_cmd_clear(&cmd);
    ck_assert(cmd.criteria == NULL);
    /* The id may come from the path alone. */
    ck_assert_int_eq(parse("{\"criteria\":{\"call_id\":\"a@b\"}}", ID1, &cmd, err), 0);
    ck_assert_str_eq(cmd.id, ID1);
    ck_assert_uint_eq(cmd.expires_us, 0);
    agent_session_cmd_clear(&cmd);
    /* The center's last stored seq, where a restarted agent continues. */
    ck_assert_uint_eq(cmd.last_seq, 0);
    ck_assert_int_eq(parse("{\"last_seq\":41,\"criteria\":{\"call_id\":\"a@b\"}}", ID1, &cmd, err),
                     0);
    ck_assert_uint_eq(cmd.last_seq, 41);
    agent_session_cmd_clear(&cmd);
    ck_assert_int_eq(parse("{\"last_seq\":-1,\"criteria\":{\"call_id\":\"a@b\"}}", ID1, &cmd, err),
                     -1);
    ck_assert_str_eq(err, "session command: last_seq must be a non-negative integer");
    ck_assert_int_eq(
        parse("{\"last_seq\":\"7\",\"criteria\":{\"call_id\":\"a@b\"}}", ID1, &cmd, err), -1);

    static const struct {
        const char *body, *path, *why;
    } bad[] = {
        {"[]", ID1, "not a JSON object"},
        {"{\"criteria\":{\"from\":\"1\"}}", NULL, "20 lowercase hex"},
        {"{\"id\":\"" ID2 "\",\"criteria\":{\"from\":\"1\"}}", ID1, "differs from the path"},
        {"{\"id\":5,\"criteria\":{\"from\":\"1\"}}", ID1, "id must be a string"},
        {"{\"criteria\":{\"method\":\"INVITE\"}}", ID1, "method only narrows"},
        {"{}", ID1, "criteria: must be a JSON object"},
        {"{\"criteria\":{\"from\":\"1\"},\"expires_at\":\"tomorrow\"}", ID1, "expires_at"},
        {"{\"criteria\":{\"from\":\"1\"},\"capture_rtp\":\"yes\"}", ID1, "capture_rtp"},
        {"{\"criteria\":{\"provider_ip\":\"1.2.3\"}}", ID1, "provider_ip"},
        {"{\"criteria\":{\"from\":\"1\"},\"label\":7}", ID1, "label must be a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ck_assert_int_eq(parse(bad[i].body, bad[i].path, &cmd, err), -1);
        ck_assert_msg(strstr(err, bad[i].why), "%s: '%s' lacks '%s'", bad[i].body, err, bad[i].why);
        ck_assert(cmd.criteria == NULL);
    }
}
END_TEST

static void put(agent_sessions_t *t, const char *id, const char *body, int want, bool want_created)
{
    agent_session_cmd_t cmd;
    char err[200];
    ck_assert_int_eq(parse(body, id, &cmd, err), 0);
    bool created = !want_created;
    int slot = agent_sessions_put(t, &cmd, &created);
    if (want < 0) {
        ck_assert_int_eq(slot, -1);
        agent_session_cmd_clear(&cmd);
        return;
    }
    ck_assert_int_eq(slot, want);
    ck_assert(created == want_created);
    ck_assert(cmd.criteria == NULL); /* the table took it */
}

START_TEST(table_cap_update_remove_expire)
{
    agent_sessions_t t;
    agent_sessions_init(&t, 2);
    ck_assert_uint_eq(t.cap, 2);
    put(&t, ID1, "{\"criteria\":{\"from\":\"1\"},\"expires_at\":\"2026-06-20T21:30:00Z\"}", 0,
        true);
    t.slot[0].seq = 41;
    /* An update keeps the slot and the seq (the center dedups on it). */
    put(&t, ID1, "{\"criteria\":{\"from\":\"2\"},\"capture_rtp\":true}", 0, false);
    ck_assert_uint_eq(t.slot[0].seq, 41);
    ck_assert(t.slot[0].capture_rtp);
    ck_assert_str_eq(snb_criteria_get(t.slot[0].criteria, "from"), "2");
    ck_assert_uint_eq(t.slot[0].expires_us, 0);
    put(&t, ID2, "{\"criteria\":{\"from\":\"3\"},\"expires_at\":\"2026-06-20T21:30:00Z\"}", 1,
        true);
    ck_assert_uint_eq(t.n, 2);
    put(&t, "00000000000000000003", "{\"criteria\":{\"from\":\"4\"}}", -1, true); /* full */
    ck_assert_uint_eq(agent_sessions_mask(&t), 3);
    int slots[AGENT_SESSIONS_MAX];
    ck_assert_uint_eq(agent_sessions_expired(&t, 1781991000000000ULL - 1, slots), 0);
    ck_assert_uint_eq(agent_sessions_expired(&t, 1781991000000000ULL, slots), 1);
    ck_assert_int_eq(slots[0], 1);
    ck_assert(agent_sessions_remove(&t, ID2));
    ck_assert(!agent_sessions_remove(&t, ID2));
    ck_assert_int_eq(agent_sessions_find(&t, ID2), -1);
    ck_assert_uint_eq(t.n, 1);
    /* The freed slot is reused, with a fresh seq. */
    put(&t, "00000000000000000003", "{\"criteria\":{\"from\":\"4\"}}", 1, true);
    ck_assert_uint_eq(t.slot[1].seq, 0);
    agent_sessions_clear(&t);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_uint_eq(agent_sessions_mask(&t), 0);
    agent_sessions_init(&t, 1000); /* beyond the hard cap */
    ck_assert_uint_eq(t.cap, AGENT_SESSIONS_MAX);
}
END_TEST

START_TEST(seq_state_across_restarts)
{
    agent_sessions_t t;
    agent_sessions_init(&t, 4);
    put(&t, ID1, "{\"criteria\":{\"from\":\"1\"}}", 0, true);
    put(&t, ID2, "{\"criteria\":{\"from\":\"2\"}}", 1, true);
    t.slot[0].seq = 41;
    json_t *st = agent_seq_state(&t);
    char *text = json_dumps(st, JSON_SORT_KEYS | JSON_COMPACT);
    ck_assert_str_eq(text, "{\"00000000000000000002\":0,\"" ID1 "\":41}");
    free(text);
    ck_assert_uint_eq(agent_seq_resume(st, ID1), 41 + AGENT_SEQ_RESTART_GAP);
    ck_assert_uint_eq(agent_seq_resume(st, ID2), AGENT_SEQ_RESTART_GAP);
    ck_assert_uint_eq(agent_seq_resume(st, "ffffffffffffffffffff"), 0); /* unknown: from 1 */
    json_object_set_new(st, ID2, json_string("x"));                     /* damaged */
    ck_assert_uint_eq(agent_seq_resume(st, ID2), 0);
    ck_assert_uint_eq(agent_seq_resume(NULL, ID1), 0);
    json_decref(st);
    agent_sessions_clear(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_session");
    TCase *tc = tcase_create("agent_session");
    tcase_add_test(tc, ids);
    tcase_add_test(tc, times);
    tcase_add_test(tc, command_parse);
    tcase_add_test(tc, table_cap_update_remove_expire);
    tcase_add_test(tc, seq_state_across_restarts);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
