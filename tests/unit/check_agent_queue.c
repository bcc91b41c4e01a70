/* The agent's outgoing queue, batches, retry policy and event JSON
 * (modules/agent/agent_queue.c, agent_event.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_event.h"
#include "agent_queue.h"
#include "check_run.h"

START_TEST(bounded_by_count_and_bytes)
{
    agent_queue_t q;
    agent_queue_init(&q, 3, 1000);
    ck_assert(agent_queue_push(&q, "{\"a\":1}", 7));
    ck_assert(agent_queue_push(&q, "{\"a\":2}", 7));
    ck_assert(agent_queue_push(&q, "{\"a\":3}", 7));
    ck_assert(!agent_queue_push(&q, "{\"a\":4}", 7)); /* 3 events at most */
    ck_assert_uint_eq(q.dropped, 1);
    ck_assert_uint_eq(q.queued, 3);
    ck_assert_uint_eq(q.bytes, 21);
    agent_queue_clear(&q);
    agent_queue_init(&q, 100, 20);
    ck_assert(agent_queue_push(&q, "0123456789", 10));
    ck_assert(agent_queue_push(&q, "0123456789", 10));
    ck_assert(!agent_queue_push(&q, "x", 1)); /* 20 bytes at most */
    ck_assert_uint_eq(q.dropped, 1);
    agent_queue_clear(&q);
    ck_assert_uint_eq(q.n, 0);
}
END_TEST

START_TEST(batches_in_order)
{
    agent_queue_t q;
    agent_queue_init(&q, 100, 1 << 20);
    char ev[32];
    for (int i = 1; i <= 5; i++) {
        int n = snprintf(ev, sizeof ev, "{\"seq\":%d}", i);
        ck_assert(agent_queue_push(&q, ev, (size_t)n));
    }
    agent_batch_t b;
    ck_assert(agent_queue_take_batch(&q, "edge-\"1", 2, 1 << 20, &b));
    ck_assert_uint_eq(b.events, 2);
    ck_assert_str_eq(b.body, "{\"agent\":\"edge-\\\"1\",\"events\":[{\"seq\":1},{\"seq\":2}]}");
    ck_assert_uint_eq(b.len, strlen(b.body));
    json_t *j = json_loads(b.body, 0, NULL); /* the body is valid JSON */
    ck_assert(j != NULL);
    json_decref(j);
    agent_batch_free(&b);
    /* The byte budget cuts the batch, but one event always goes. */
    ck_assert(agent_queue_take_batch(&q, "e", 100, 12, &b));
    ck_assert_uint_eq(b.events, 1);
    ck_assert_str_eq(b.body, "{\"agent\":\"e\",\"events\":[{\"seq\":3}]}");
    agent_batch_free(&b);
    ck_assert(agent_queue_take_batch(&q, "e", 100, 1 << 20, &b));
    ck_assert_uint_eq(b.events, 2);
    ck_assert_str_eq(b.body, "{\"agent\":\"e\",\"events\":[{\"seq\":4},{\"seq\":5}]}");
    agent_batch_free(&b);
    ck_assert(!agent_queue_take_batch(&q, "e", 100, 1 << 20, &b));
    ck_assert_uint_eq(q.n, 0);
    ck_assert_uint_eq(q.bytes, 0);
    /* Room again once taken. */
    agent_queue_clear(&q);
}
END_TEST

START_TEST(retry_policy)
{
    ck_assert_int_eq(agent_post_outcome(200), AGENT_POST_DONE);
    ck_assert_int_eq(agent_post_outcome(0), AGENT_POST_RETRY); /* no answer */
    ck_assert_int_eq(agent_post_outcome(500), AGENT_POST_RETRY);
    ck_assert_int_eq(agent_post_outcome(503), AGENT_POST_RETRY);
    ck_assert_int_eq(agent_post_outcome(401), AGENT_POST_RETRY);
    ck_assert_int_eq(agent_post_outcome(429), AGENT_POST_RETRY);
    ck_assert_int_eq(agent_post_outcome(400), AGENT_POST_DROP);
    ck_assert_int_eq(agent_post_outcome(413), AGENT_POST_DROP);
    uint64_t d = 0, seen[12];
    for (int i = 0; i < 12; i++)
        seen[i] = d = agent_backoff_next_ms(d);
    ck_assert_uint_eq(seen[0], 500);
    ck_assert_uint_eq(seen[1], 1000);
    ck_assert_uint_eq(seen[5], 16000);
    ck_assert_uint_eq(seen[6], 30000);
    ck_assert_uint_eq(seen[11], 30000);
}
END_TEST

START_TEST(event_json)
{
    /* Invalid UTF-8 in a hostile message still serializes. */
    const char bad[] = "INVITE \xff\xfe sip:x SIP/2.0";
    json_t *s = agent_json_text(bad, sizeof bad - 1, 1000);
    ck_assert(s != NULL);
    ck_assert_str_eq(json_string_value(s), "INVITE \xef\xbf\xbd\xef\xbf\xbd sip:x SIP/2.0");
    json_decref(s);
    s = agent_json_text("abcdef", 6, 3); /* capped */
    ck_assert_str_eq(json_string_value(s), "abc");
    json_decref(s);

    const uint8_t frame[] = {1, 2, 3, 4, 5};
    agent_sip_fields_t f = {.ts_us = 1781990000123456ULL,
                            .type = "webrtc",
                            .call_id = "c@h",
                            .call_id_len = 3,
                            .src = "192.0.2.10:5060",
                            .dst = "[2001:db8::1]:443",
                            .transport = "ws",
                            .method = "INVITE",
                            .method_len = 6,
                            .summary = "INVITE sip:1@h",
                            .summary_len = 14,
                            .data = "INVITE sip:1@h SIP/2.0\r\n",
                            .data_len = 24,
                            .packet = {frame, 5, 60, 1, 1781990000123456ULL}};
    json_t *ev = agent_event_sip(&f);
    size_t len;
    char *text = agent_event_stamp(ev, "d8e3a6b8f0c24c7a93fb", 41, &len);
    json_t *back = json_loads(text, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(back, "type")), "webrtc");
    ck_assert_int_eq(json_integer_value(json_object_get(back, "seq")), 41);
    ck_assert_str_eq(json_string_value(json_object_get(back, "session")), "d8e3a6b8f0c24c7a93fb");
    ck_assert_int_eq(json_integer_value(json_object_get(back, "status")), 0);
    json_t *pk = json_object_get(back, "packet");
    ck_assert_str_eq(json_string_value(json_object_get(pk, "data_b64")), "AQIDBAU=");
    ck_assert_int_eq(json_integer_value(json_object_get(pk, "orig_len")), 60);
    ck_assert_int_eq(json_integer_value(json_object_get(pk, "linktype")), 1);
    free(text);
    json_decref(back);
    json_decref(ev);

    ev = agent_event_log(5, "/var/log/asterisk/full", "line c@h", 8, "c@h");
    ck_assert_str_eq(json_string_value(json_object_get(ev, "type")), "log");
    ck_assert_str_eq(json_string_value(json_object_get(ev, "call_id")), "c@h");
    json_decref(ev);

    size_t n;
    char *b = agent_base64((const uint8_t *)"foobar", 6, &n);
    ck_assert_str_eq(b, "Zm9vYmFy");
    free(b);
    b = agent_base64((const uint8_t *)"fooba", 5, &n);
    ck_assert_str_eq(b, "Zm9vYmE=");
    free(b);
    b = agent_base64((const uint8_t *)"", 0, &n);
    ck_assert_str_eq(b, "");
    free(b);

    char ep[64];
    const uint8_t v4[16] = {192, 0, 2, 1};
    agent_format_endpoint(4, v4, 5060, ep, sizeof ep);
    ck_assert_str_eq(ep, "192.0.2.1:5060");
    const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    agent_format_endpoint(6, v6, 443, ep, sizeof ep);
    ck_assert_str_eq(ep, "[2001:db8::1]:443");
}
END_TEST

START_TEST(token_compare)
{
    ck_assert(agent_token_equal("secret-token-123", 16, "secret-token-123"));
    ck_assert(!agent_token_equal("secret-token-124", 16, "secret-token-123"));
    ck_assert(!agent_token_equal("secret-token-12", 15, "secret-token-123"));
    ck_assert(!agent_token_equal("secret-token-1234", 17, "secret-token-123"));
    ck_assert(!agent_token_equal("", 0, ""));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_queue");
    TCase *tc = tcase_create("agent_queue");
    tcase_add_test(tc, bounded_by_count_and_bytes);
    tcase_add_test(tc, batches_in_order);
    tcase_add_test(tc, retry_policy);
    tcase_add_test(tc, event_json);
    tcase_add_test(tc, token_compare);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
