/* HEP listener policy: CIDR allow-lists and endpoint strings. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "check_run.h"
#include "hep_acl.h"
#include "hep_addr.h"
#include "support.h"

START_TEST(cidr_parse_and_match)
{
    hep_cidr_t c;
    ck_assert_int_eq(hep_cidr_parse("10.0.0.0/24", &c), 0);
    ck_assert_uint_eq(c.bits, 24);
    snb_addr_t in = snb_test_addr("10.0.0.200"), out = snb_test_addr("10.0.1.1"),
               v6 = snb_test_addr("2001:db8::1");
    ck_assert(hep_cidr_match(&c, &in));
    ck_assert(!hep_cidr_match(&c, &out));
    ck_assert(!hep_cidr_match(&c, &v6)); /* another family never matches */
    ck_assert_int_eq(hep_cidr_parse("10.0.0.0/23", &c), 0);
    ck_assert(hep_cidr_match(&c, &out)); /* 10.0.1.1 is inside 10.0.0.0/23 */
    snb_addr_t beyond = snb_test_addr("10.0.2.0");
    ck_assert(!hep_cidr_match(&c, &beyond));
    ck_assert(hep_cidr_match(&c, &in));
    snb_addr_t edge = snb_test_addr("10.0.1.255");
    ck_assert(hep_cidr_match(&c, &edge));
    ck_assert_int_eq(hep_cidr_parse("2001:db8::/32", &c), 0);
    ck_assert(hep_cidr_match(&c, &v6));
    ck_assert_int_eq(hep_cidr_parse("192.0.2.7", &c), 0); /* a host */
    ck_assert_uint_eq(c.bits, 32);
    snb_addr_t host = snb_test_addr("192.0.2.7"), next = snb_test_addr("192.0.2.8");
    ck_assert(hep_cidr_match(&c, &host) && !hep_cidr_match(&c, &next));
    ck_assert_int_eq(hep_cidr_parse("0.0.0.0/0", &c), 0);
    ck_assert(hep_cidr_match(&c, &out));
    const char *bad[] = {"",  "10.0.0.0/33", "2001:db8::/129", "10.0.0/8",
                         "x", "10.0.0.0/",   "10.0.0.0/8x",    "10.0.0.0/-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(hep_cidr_parse(bad[i], &c) != 0, "%s", bad[i]);
}
END_TEST

START_TEST(endpoints)
{
    hep_endpoint_t e;
    char why[128];
    ck_assert_int_eq(hep_endpoint_parse("udp:10.0.0.50:9060", "127.0.0.1", &e, why, sizeof why), 0);
    ck_assert(!e.tcp);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&e.sa;
    ck_assert_int_eq(ntohs(v4->sin_port), 9060);
    ck_assert_int_eq(hep_endpoint_parse("tcp:[::1]:9061", "127.0.0.1", &e, why, sizeof why), 0);
    ck_assert(e.tcp);
    ck_assert_int_eq(((struct sockaddr_in6 *)&e.sa)->sin6_family, AF_INET6);
    ck_assert_int_eq(hep_endpoint_parse("9062", "127.0.0.1", &e, why, sizeof why), 0);
    v4 = (struct sockaddr_in *)&e.sa;
    ck_assert_uint_eq(ntohl(v4->sin_addr.s_addr), 0x7f000001); /* loopback by default */
    ck_assert_int_eq(hep_endpoint_parse(":9063", "127.0.0.1", &e, why, sizeof why), 0);
    const char *bad[] = {"udp:host:9060", "10.0.0.1:0", "10.0.0.1:70000",
                         "tcp:[::1:9060", "x:y",        ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(hep_endpoint_parse(bad[i], "127.0.0.1", &e, why, sizeof why) != 0, "%s",
                      bad[i]);
    ck_assert_str_eq(why, "'' is not [udp:|tcp:]address:port");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hep_acl");
    TCase *tc = tcase_create("hep_acl");
    tcase_add_test(tc, cidr_parse_and_match);
    tcase_add_test(tc, endpoints);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
