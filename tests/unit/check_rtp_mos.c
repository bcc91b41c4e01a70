/* E-model (rtp_mos.h) against the formula worked by hand:
 *   R = 93.2 - Id(Ta) - Ie_eff,  Ta = rtt/2 + 2*jitter + codec delay
 *   Id = 0.024 Ta + 0.11 (Ta - 177.3) H(Ta - 177.3)
 *   Ie_eff = Ie + (95 - Ie) Ppl / (Ppl + Bpl)          (BurstR = 1)
 *   MOS = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), in [1, 4.5]. */
#include <check.h>
#include <stdlib.h>

#include "check_run.h"
#include "rtp_mos.h"

#define TOL 1e-6

/* G.711: Ie 0, Bpl 25.1, delay 0.125 ms. No loss, no jitter, rtt unknown:
 * Ta = 0.125, Id = 0.003, R = 93.197,
 * MOS = 1 + 3.261895 + 7e-6 * 93.197 * 33.197 * 6.803 = 4.409227745585. */
START_TEST(g711_clean)
{
    ck_assert_double_eq_tol(rtp_r_factor("PCMU", 0, 0, -1), 93.197, TOL);
    ck_assert_double_eq_tol(rtp_mos("PCMU", 0, 0, -1), 4.409227745585389, TOL);
    ck_assert_double_eq_tol(rtp_mos("pcma", 0, 0, -1), 4.409227745585389, TOL);
}
END_TEST

/* G.711, 5 % loss: Ie_eff = 95 * 5 / (5 + 25.1) = 15.780730897,
 * R = 93.197 - 15.780730897 = 77.416269103, MOS = 3.922717336. */
START_TEST(g711_loss5)
{
    ck_assert_double_eq_tol(rtp_r_factor("PCMU", 5, 0, -1), 77.41626910299004, TOL);
    ck_assert_double_eq_tol(rtp_mos("PCMU", 5, 0, -1), 3.9227173363577794, TOL);
}
END_TEST

/* G.729: Ie 11, Bpl 19, delay 15 ms. 1 % loss, 10 ms jitter, 100 ms rtt:
 * Ta = 50 + 20 + 15 = 85, Id = 2.04, Ie_eff = 11 + 84 * 1 / 20 = 15.2,
 * R = 93.2 - 2.04 - 15.2 = 75.96, MOS = 3.862609479. */
START_TEST(g729_loss1)
{
    ck_assert_double_eq_tol(rtp_r_factor("G729", 1, 10, 100), 75.96, TOL);
    ck_assert_double_eq_tol(rtp_mos("G729", 1, 10, 100), 3.862609478848, TOL);
}
END_TEST

/* Past 177.3 ms the delay term steepens: G.711, 300 ms jitter, 300 ms rtt:
 * Ta = 150 + 600 + 0.125 = 750.125, Id = 18.003 + 0.11 * 572.825 = 81.01375,
 * R = 12.18625, MOS = 1.068353495. */
START_TEST(long_delay)
{
    ck_assert_double_eq_tol(rtp_r_factor("PCMU", 0, 300, 300), 12.18625, TOL);
    ck_assert_double_eq_tol(rtp_mos("PCMU", 0, 300, 300), 1.0683534948803848, TOL);
}
END_TEST

START_TEST(unknown_codec_is_g711)
{
    ck_assert_double_eq_tol(rtp_mos("no-such-codec", 3, 5, 40), rtp_mos("PCMU", 3, 5, 40), TOL);
    ck_assert_double_eq_tol(rtp_mos(NULL, 3, 5, 40), rtp_mos("PCMU", 3, 5, 40), TOL);
    const rtp_codec_facts_t *f = rtp_codec_facts("G723");
    ck_assert_double_eq(f->ie, 15);
    ck_assert_double_eq(f->bpl, 16.1);
    f = rtp_codec_facts("g729a");
    ck_assert_double_eq(f->ie, 11);
    ck_assert_double_eq(f->bpl, 19);
}
END_TEST

START_TEST(monotonic)
{
    const char *codecs[] = {"PCMU", "G729", "G723", "GSM", "G722", "opus", "iLBC", "AMR"};
    for (unsigned c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        double prev = 5;
        for (double loss = 0; loss <= 100; loss += 0.5) {
            double m = rtp_mos(codecs[c], loss, 0, -1);
            ck_assert(m <= prev + 1e-12);
            prev = m;
        }
        prev = 5;
        for (double j = 0; j <= 1000; j += 2.5) {
            double m = rtp_mos(codecs[c], 1, j, 50);
            ck_assert(m <= prev + 1e-12);
            prev = m;
        }
        prev = 5;
        for (double rtt = 0; rtt <= 2000; rtt += 10) {
            double m = rtp_mos(codecs[c], 0, 0, rtt);
            ck_assert(m <= prev + 1e-12);
            prev = m;
        }
    }
    /* The better codec scores higher under the same conditions. */
    ck_assert(rtp_mos("PCMU", 0, 0, -1) > rtp_mos("G729", 0, 0, -1));
    ck_assert(rtp_mos("G729", 0, 0, -1) > rtp_mos("G723", 0, 0, -1));
}
END_TEST

START_TEST(clamping)
{
    ck_assert_double_eq(rtp_mos("PCMU", 100, 1000, 5000), 1.0);
    ck_assert_double_eq(rtp_mos_from_r(-20), 1.0);
    ck_assert_double_eq(rtp_mos_from_r(0), 1.0);
    ck_assert_double_eq(rtp_mos_from_r(6.5), 1.0); /* the cubic dips under 1 there */
    ck_assert_double_eq(rtp_mos_from_r(100), 4.5);
    ck_assert_double_eq(rtp_mos_from_r(120), 4.5);
    ck_assert_double_eq_tol(rtp_mos_from_r(50), 1 + 1.75 + 7e-6 * 50 * -10 * 50, TOL);
    /* Out-of-range inputs are clamped, not propagated. */
    ck_assert_double_eq_tol(rtp_mos("PCMU", -5, -3, -1), rtp_mos("PCMU", 0, 0, -1), TOL);
    ck_assert_double_eq_tol(rtp_mos("PCMU", 250, 0, -1), rtp_mos("PCMU", 100, 0, -1), TOL);
    for (double r = -50; r <= 150; r += 0.25) {
        double m = rtp_mos_from_r(r);
        ck_assert(m >= 1.0 && m <= 4.5);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_mos");
    TCase *tc = tcase_create("emodel");
    tcase_add_test(tc, g711_clean);
    tcase_add_test(tc, g711_loss5);
    tcase_add_test(tc, g729_loss1);
    tcase_add_test(tc, long_delay);
    tcase_add_test(tc, unknown_codec_is_g711);
    tcase_add_test(tc, monotonic);
    tcase_add_test(tc, clamping);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
