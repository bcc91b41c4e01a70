/* The HEP type-34 quality report JSON: field names and values. */
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "hep_qos.h"

START_TEST(final_report_fields)
{
    snb_rtp_stream_event_t ev = {0};
    ev.src.family = ev.dst.family = 4;
    inet_pton(AF_INET, "10.0.0.1", ev.src.a);
    inet_pton(AF_INET, "10.0.0.2", ev.dst.a);
    ev.sport = 4000;
    ev.dport = 5000;
    ev.ssrc = 0x1A2B3C4D;
    ev.payload_type = 8;
    ev.clock_rate = 8000;
    strcpy(ev.codec, "PCMA");
    ev.first_us = 1700000000000000ull;
    ev.last_us = 1700000010500000ull;
    ev.packets = 498;
    ev.octets = 79680;
    ev.expected = 500;
    ev.lost = 2;
    ev.mean_jitter_ms = 2.51749;
    ev.max_jitter_ms = 7.4;
    ev.max_delta_ms = 40.25;
    ev.mos = 4.2;
    ev.r_factor = 85.3;
    ev.one_way = true;
    strcpy(ev.call_id, "abc@host");
    size_t len = 0;
    char *text = hep_qos_final_report(&ev, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, strlen(text));
    json_t *j = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "CORRELATION_ID")), "abc@host");
    ck_assert_str_eq(json_string_value(json_object_get(j, "RTP_SIP_CALL_ID")), "abc@host");
    ck_assert_str_eq(json_string_value(json_object_get(j, "SSRC")), "0x1A2B3C4D");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "TOTAL_PACKETS")), 498);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "TOTAL_EXPECTED_PK")), 500);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "TOTAL_PACKET_LOSS")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "TOTAL_BYTES")), 79680);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "MEAN_JITTER")), 2.517, 1e-9);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "MEAN_MOS")), 4.2, 1e-9);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "MEAN_RFACTOR")), 85.3, 1e-9);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "ONE_WAY_RTP")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "CODEC_PT")), 8);
    ck_assert_str_eq(json_string_value(json_object_get(j, "CODEC_NAME")), "PCMA");
    ck_assert_str_eq(json_string_value(json_object_get(j, "SRC_IP")), "10.0.0.1");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "DST_PORT")), 5000);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "REPORT_TS")), 1700000010);
    ck_assert_str_eq(json_string_value(json_object_get(j, "TYPE")), "FINAL");
    json_decref(j);
    free(text);
    /* unknown MOS and a negative loss (duplicates) never go below zero */
    ev.mos = -1;
    ev.r_factor = -1;
    ev.lost = -3;
    text = hep_qos_final_report(&ev, &len);
    j = json_loads(text, 0, NULL);
    ck_assert_double_eq(json_real_value(json_object_get(j, "MOS")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "TOTAL_PACKET_LOSS")), 0);
    json_decref(j);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hep_qos");
    TCase *tc = tcase_create("hep_qos");
    tcase_add_test(tc, final_report_fields);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
