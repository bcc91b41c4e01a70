/* Dialog state machine: every transition of docs/modules/sip-dialogs.md,
 * driven with parsed messages through the store. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_dialog_testlib.h"

static sip_store_t *st;
static tl_call_t c;
static char sdp_a[512], sdp_b[512];

static void setup(void)
{
    sip_store_limits_t l = tl_limits();
    st = sip_store_new(&l);
    ck_assert_ptr_nonnull(st);
    tl_init(&c, st, "call-1@example.com");
    tl_sdp(sdp_a, sizeof sdp_a, "10.0.0.1", 4000, "sendrecv", "0 8 101");
    tl_sdp(sdp_b, sizeof sdp_b, "10.0.0.2", 5000, "sendrecv", "8 101");
}

static void teardown(void)
{
    sip_store_free(st);
}

#define T(ms) (TL_T0 + TL_MS(ms))

/* INVITE ... 200 + ACK: the call is up. */
static sip_dialog_t *establish(void)
{
    tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(100), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_resp(&c, T(2000), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp_b);
    return tl_req(&c, T(2050), SIDE_A, "ACK", 1, NULL, NULL);
}

START_TEST(names)
{
    ck_assert_str_eq(sip_dialog_state_name(SIP_DS_TRYING), "Trying");
    ck_assert_str_eq(sip_dialog_state_name(SIP_DS_INCALL), "InCall");
    ck_assert_str_eq(sip_dialog_state_name(SIP_DS_TRANSFERRING), "Transferring");
    ck_assert_str_eq(sip_dialog_state_name(SIP_DS_REGISTERED), "Registered");
    ck_assert_int_eq(sip_dialog_state_from("incall"), SIP_DS_INCALL);
    ck_assert_int_eq(sip_dialog_state_from("Cancelled"), SIP_DS_CANCELLED);
    ck_assert_int_eq(sip_dialog_state_from("Terminated"), SIP_DS_TERMINATED);
    ck_assert_int_eq(sip_dialog_state_from("nope"), -1);
    ck_assert_int_eq(sip_dialog_state_from(NULL), -1);
    ck_assert_str_eq(sip_transport_name(SIP_TRANSPORT_WS), "WS");
    ck_assert_str_eq(sip_transport_name(SIP_TRANSPORT_SCTP), "SCTP");
}
END_TEST

START_TEST(invite_happy_path)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, "User-Agent: TestPhone 1.0\n", sdp_a);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(tl_state(d), "Trying");
    ck_assert_str_eq(d->call_id, "call-1@example.com");
    ck_assert_int_eq(d->method, SIP_INVITE);
    tl_resp(&c, T(40), SIDE_B, 100, "Trying", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Trying");
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(100), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Ringing");
    tl_resp(&c, T(2000), SIDE_B, 200, "OK", "INVITE", 1, "Server: PBX 2\n", sdp_b);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_uint_eq(d->answered_us, T(2000));
    ck_assert(!d->finished);
    tl_req(&c, T(2050), SIDE_A, "ACK", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "InCall");
    tl_req(&c, T(30000), SIDE_A, "BYE", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
    ck_assert_uint_eq(d->ended_us, T(30000));
    tl_resp(&c, T(30010), SIDE_B, 200, "OK", "BYE", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
    ck_assert(d->finished);
    ck_assert_uint_eq(d->final_code, 200);
    ck_assert_uint_eq(d->msg_count, 7);
    ck_assert_uint_eq(d->n_msgs, 7);
    ck_assert_str_eq(d->msgs[0].label, "INVITE");
    ck_assert_str_eq(d->msgs[1].label, "100 Trying");
    ck_assert_str_eq(d->msgs[2].label, "180 Ringing");
    ck_assert_str_eq(d->msgs[3].label, "200 OK");
    ck_assert_str_eq(d->msgs[4].label, "ACK");
    ck_assert(d->msgs[0].has_sdp && !d->msgs[1].has_sdp && d->msgs[3].has_sdp);
    ck_assert_uint_eq(d->msgs[3].status, 200);
    ck_assert_int_eq(d->msgs[6].cseq_method, SIP_BYE);
    ck_assert_str_eq(sip_dialog_from_user(d), "alice");
    ck_assert_str_eq(sip_dialog_from_display(d), "alice");
    ck_assert_str_eq(sip_dialog_to_user(d), "bob");
    ck_assert_str_eq(sip_dialog_from_tag(d), "ftag1");
    ck_assert_str_eq(sip_dialog_to_tag(d), "ttag1");
    ck_assert_str_eq(sip_dialog_ua(d),
                     "TestPhone 1.0"); /* the request's User-Agent wins over Server */
    ck_assert_uint_eq(d->first_us, T(0));
    ck_assert_uint_eq(d->last_us, T(30010));
    ck_assert_int_eq(d->src.a[3], 1);
    ck_assert_int_eq(d->dst.a[3], 2);
    /* offer from the caller, answer from the callee */
    ck_assert_uint_eq(d->n_sdp, 2);
    ck_assert(d->sdp[0].offer && d->sdp[0].from_caller);
    ck_assert(!d->sdp[1].offer && !d->sdp[1].from_caller);
    ck_assert_uint_eq(d->sdp[0].n_codecs, 3);
    ck_assert_str_eq(d->sdp[0].codecs[0], "PCMU");
    ck_assert_str_eq(d->sdp[0].codecs[1], "PCMA");
    ck_assert_str_eq(d->sdp[0].codecs[2], "telephone-event");
    ck_assert_uint_eq(d->sdp[0].payload_types[2], 101);
    ck_assert_uint_eq(d->sdp[0].media_port, 4000);
    ck_assert_str_eq(d->sdp[0].media_addr, "10.0.0.1");
    ck_assert_uint_eq(d->sdp[0].mode, SDP_DIR_SENDRECV);
    ck_assert_str_eq(d->sdp[1].codecs[0], "PCMA");
    ck_assert_uint_eq(d->sdp[1].changes, 0); /* first SDP of each side: no change */
    ck_assert_uint_eq(d->sdp[0].cseq, 1);
}
END_TEST

START_TEST(invite_busy_486)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(100), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_resp(&c, T(900), SIDE_B, 486, "Busy Here", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_uint_eq(d->final_code, 486);
    ck_assert_uint_eq(d->ended_us, T(900));
    ck_assert(d->finished);
    tl_req(&c, T(910), SIDE_A, "ACK", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_str_eq(d->msgs[2].label, "486 Busy Here");
}
END_TEST

START_TEST(cancel_then_487)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(100), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_req_initial(&c, T(3000), SIDE_A, "CANCEL", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Ringing"); /* not until the INVITE is terminated */
    tl_resp(&c, T(3010), SIDE_B, 200, "OK", "CANCEL", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Ringing"); /* 200 to CANCEL is not the call's answer */
    tl_resp(&c, T(3020), SIDE_B, 487, "Request Terminated", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Cancelled");
    ck_assert_uint_eq(d->final_code, 487);
    ck_assert(d->finished);
    tl_req(&c, T(3030), SIDE_A, "ACK", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Cancelled");
}
END_TEST

START_TEST(cancel_race_200_wins)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(100), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_req_initial(&c, T(3000), SIDE_A, "CANCEL", 1, NULL, NULL);
    tl_resp(&c, T(3001), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp_b);
    ck_assert_str_eq(tl_state(d), "InCall");
    tl_resp(&c, T(3002), SIDE_B, 200, "OK", "CANCEL", 1, NULL, NULL);
    tl_req(&c, T(3003), SIDE_A, "ACK", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_uint_eq(d->final_code, 200);
    ck_assert(!d->finished);
    tl_req(&c, T(3100), SIDE_A, "BYE", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
}
END_TEST

START_TEST(cancel_unanswered_invite_487)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    tl_req_initial(&c, T(500), SIDE_A, "CANCEL", 1, NULL, NULL);
    strcpy(c.to_tag, "ttag1");
    ck_assert_str_eq(tl_state(d), "Trying");
    tl_resp(&c, T(600), SIDE_B, 487, "Request Terminated", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Cancelled");
    ck_assert_uint_eq(d->final_code, 487);
}
END_TEST

START_TEST(challenge_401_answered)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag0");
    tl_resp(&c, T(20), SIDE_B, 401, "Unauthorized", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_uint_eq(d->final_code, 401);
    tl_req(&c, T(25), SIDE_A, "ACK", 1, NULL, NULL);
    tl_req_initial(&c, T(100), SIDE_A, "INVITE", 2, "Authorization: Digest username=\"a\"\n",
                   sdp_a);
    ck_assert_str_eq(tl_state(d), "Trying");
    ck_assert_uint_eq(d->final_code, 0);
    ck_assert(!d->finished);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(150), SIDE_B, 180, "Ringing", "INVITE", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Ringing");
    tl_resp(&c, T(1100), SIDE_B, 200, "OK", "INVITE", 2, NULL, sdp_b);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_uint_eq(d->final_code, 200);
    /* setup from the INVITE that was answered, not the challenged one */
    ck_assert_int_eq(d->timing.setup_us, 1000000);
    ck_assert_int_eq(d->timing.pdd_us, 50000);
}
END_TEST

START_TEST(challenge_407_then_403)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag0");
    tl_resp(&c, T(20), SIDE_B, 407, "Proxy Authentication Required", "INVITE", 1, NULL, NULL);
    tl_req(&c, T(25), SIDE_A, "ACK", 1, NULL, NULL);
    ck_assert_uint_eq(d->final_code, 407);
    tl_req_initial(&c, T(100), SIDE_A, "INVITE", 2, "Proxy-Authorization: Digest x\n", sdp_a);
    ck_assert_str_eq(tl_state(d), "Trying");
    tl_resp(&c, T(120), SIDE_B, 100, "Trying", "INVITE", 2, NULL, NULL);
    tl_resp(&c, T(160), SIDE_B, 403, "Forbidden", "INVITE", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_uint_eq(d->final_code, 403);
    ck_assert(d->finished);
    /* a late copy of the first challenge does not change the outcome */
    tl_resp(&c, T(170), SIDE_B, 407, "Proxy Authentication Required", "INVITE", 1, NULL, NULL);
    ck_assert_uint_eq(d->final_code, 403);
}
END_TEST

START_TEST(reinvite_hold_resume)
{
    sip_dialog_t *d = establish();
    char hold_a[512], hold_b[512];
    tl_sdp(hold_a, sizeof hold_a, "10.0.0.1", 4000, "sendonly", "0 8 101");
    tl_sdp(hold_b, sizeof hold_b, "10.0.0.2", 5000, "recvonly", "8 101");
    tl_req(&c, T(10000), SIDE_A, "INVITE", 2, NULL, hold_a);
    ck_assert_str_eq(tl_state(d), "InCall");
    tl_resp(&c, T(10050), SIDE_B, 200, "OK", "INVITE", 2, NULL, hold_b);
    tl_req(&c, T(10060), SIDE_A, "ACK", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "InCall");
    tl_req(&c, T(20000), SIDE_A, "INVITE", 3, NULL, sdp_a);
    tl_resp(&c, T(20050), SIDE_B, 200, "OK", "INVITE", 3, NULL, sdp_b);
    tl_req(&c, T(20060), SIDE_A, "ACK", 3, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_uint_eq(d->answered_us, T(2000)); /* re-INVITEs do not re-answer */
    ck_assert_uint_eq(d->n_sdp, 6);
    ck_assert(d->sdp[2].offer && d->sdp[2].from_caller);
    ck_assert_uint_eq(d->sdp[2].changes, SIP_SDP_HOLD);
    ck_assert_uint_eq(d->sdp[2].mode, SDP_DIR_SENDONLY);
    ck_assert(!d->sdp[3].offer && !d->sdp[3].from_caller);
    ck_assert_uint_eq(d->sdp[3].changes, SIP_SDP_HOLD);
    ck_assert_uint_eq(d->sdp[4].changes, SIP_SDP_RESUME);
    ck_assert_uint_eq(d->sdp[5].changes, SIP_SDP_RESUME);
    ck_assert_uint_eq(d->sdp[4].cseq, 3);
    /* codec and address change, then T.38 */
    char g729[512];
    tl_sdp(g729, sizeof g729, "10.0.0.9", 4100, "sendrecv", "18 101");
    tl_req(&c, T(30000), SIDE_A, "INVITE", 4, NULL, g729);
    ck_assert_uint_eq(d->sdp[6].changes, SIP_SDP_CODEC_CHANGE | SIP_SDP_ADDR_CHANGE);
    ck_assert_str_eq(d->sdp[6].codecs[0], "G729");
    tl_resp(&c, T(30050), SIDE_B, 200, "OK", "INVITE", 4, NULL, sdp_b);
    const char *t38 = "v=0\n"
                      "o=- 1 2 IN IP4 10.0.0.1\n"
                      "s=-\n"
                      "c=IN IP4 10.0.0.1\n"
                      "t=0 0\n"
                      "m=audio 0 RTP/AVP 0\n"
                      "m=image 4200 udptl t38\n"
                      "a=T38FaxVersion:0\n";
    tl_req(&c, T(40000), SIDE_A, "INVITE", 5, NULL, t38);
    ck_assert_uint_eq(d->n_sdp, 9);
    ck_assert(d->sdp[8].changes & SIP_SDP_T38);
    ck_assert_str_eq(d->sdp[8].codecs[0], "t38");
    ck_assert_uint_eq(d->sdp[8].media_port, 4200);
    ck_assert_str_eq(tl_state(d), "InCall");
}
END_TEST

START_TEST(update_in_call)
{
    sip_dialog_t *d = establish();
    char hold[512];
    tl_sdp(hold, sizeof hold, "0.0.0.0", 5000, "sendrecv", "8 101");
    tl_req(&c, T(5000), SIDE_B, "UPDATE", 1, NULL, hold);
    ck_assert_str_eq(tl_state(d), "InCall");
    tl_resp(&c, T(5010), SIDE_A, 200, "OK", "UPDATE", 1, NULL, sdp_a);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_uint_eq(d->n_sdp, 4);
    ck_assert(d->sdp[2].offer && !d->sdp[2].from_caller); /* the callee's UPDATE */
    ck_assert_uint_eq(d->sdp[2].changes, SIP_SDP_HOLD);   /* c=0.0.0.0 */
    ck_assert(!d->sdp[3].offer && d->sdp[3].from_caller);
    ck_assert_uint_eq(d->sdp[3].changes, 0);
    ck_assert_uint_eq(d->final_code, 200);
}
END_TEST

START_TEST(prack_early_offer_answer)
{
    /* INVITE without SDP: the reliable 183 carries the offer, PRACK the answer */
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, "Supported: 100rel\n", NULL);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(300), SIDE_B, 183, "Session Progress", "INVITE", 1, "Require: 100rel\nRSeq: 1\n",
            sdp_b);
    ck_assert_str_eq(tl_state(d), "Ringing");
    tl_req(&c, T(310), SIDE_A, "PRACK", 2, "RAck: 1 1 INVITE\n", sdp_a);
    tl_resp(&c, T(320), SIDE_B, 200, "OK", "PRACK", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Ringing"); /* 200 to PRACK is not the answer */
    ck_assert_uint_eq(d->n_sdp, 2);
    ck_assert(d->sdp[0].offer && !d->sdp[0].from_caller); /* late offer */
    ck_assert(!d->sdp[1].offer && d->sdp[1].from_caller);
    tl_resp(&c, T(4000), SIDE_B, 200, "OK", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_int_eq(d->timing.pdd_us, 300000);
}
END_TEST

START_TEST(refer_and_notify_sipfrag)
{
    sip_dialog_t *d = establish();
    tl_req(&c, T(5000), SIDE_A, "REFER", 2, "Refer-To: <sip:carol@example.com>\n", NULL);
    ck_assert_str_eq(tl_state(d), "Transferring");
    ck_assert_ptr_nonnull(d->refer_to);
    ck_assert_str_eq(d->refer_to, "sip:carol@example.com"); /* the URI, not the name-addr */
    ck_assert_ptr_null(d->refer_replaces);
    ck_assert_int_eq(d->prev_state, SIP_DS_INCALL);
    tl_resp(&c, T(5010), SIDE_B, 202, "Accepted", "REFER", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Transferring");
    const char *frag_hdrs = "Event: refer\nSubscription-State: active;expires=60\n"
                            "Content-Type: message/sipfrag;version=2.0\n";
    tl_req(&c, T(5020), SIDE_B, "NOTIFY", 1, frag_hdrs, "SIP/2.0 100 Trying\n");
    ck_assert_str_eq(tl_state(d), "Transferring"); /* provisional: still transferring */
    tl_resp(&c, T(5021), SIDE_A, 200, "OK", "NOTIFY", 1, NULL, NULL);
    tl_req(&c, T(8000), SIDE_B, "NOTIFY", 2,
           "Event: refer\nSubscription-State: terminated;reason=noresource\n"
           "Content-Type: message/sipfrag\n",
           "SIP/2.0 200 OK\n");
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert(!d->finished);
    tl_req(&c, T(9000), SIDE_A, "BYE", 3, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
    ck_assert_uint_eq(d->n_sdp, 2); /* sipfrag bodies are not SDP */
}
END_TEST

/* Attended transfer (RFC 3891): refer_to is the URI without display name,
 * brackets or ?headers, and its Replaces header is kept, %-decoded. */
START_TEST(refer_to_with_replaces)
{
    sip_dialog_t *d = establish();
    tl_req(&c, T(5000), SIDE_A, "REFER", 2,
           "Refer-To: \"Carol\" <sip:carol@example.com?Replaces=abc%40host%3Bto-tag%3D7%3Bfrom-tag"
           "%3D9&Require=replaces>;method=INVITE\n",
           NULL);
    ck_assert_str_eq(d->refer_to, "sip:carol@example.com");
    ck_assert_str_eq(d->refer_replaces, "abc@host;to-tag=7;from-tag=9");
    /* the compact form, an addr-spec without brackets */
    tl_req(&c, T(6000), SIDE_A, "REFER", 3, "r: sip:erin@example.org\n", NULL);
    ck_assert_str_eq(d->refer_to, "sip:erin@example.org");
    ck_assert_ptr_null(d->refer_replaces);
}
END_TEST

/* A call that fails with no 18x: its PDD runs to the failure (RFC 6076
 * SRD of a failed setup); a CANCELled one keeps none. */
START_TEST(failed_call_pdd_runs_to_the_failure)
{
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(847), SIDE_B, 503, "Service Unavailable", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_int_eq(d->timing.pdd_us, 847000);
    ck_assert_int_eq(d->timing.setup_us, -1);
}
END_TEST

/* One Call-ID carries a REGISTER, then a call (as the SIPp scenario of
 * sipp-branch-scenario-1334calls does): the dialog follows the INVITE. */
START_TEST(register_then_invite_follows_the_call)
{
    tl_init(&c, st, "1-4461@127.0.1.1");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:ua1@10.0.0.1:5061>\nExpires: 3600\n", NULL);
    strcpy(c.to_tag, "rtag");
    tl_resp(&c, T(1), SIDE_B, 200, "OK", "REGISTER", 1,
            "Contact: <sip:ua1@10.0.0.1:5061>;expires=3600\n", NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    c.to_tag[0] = '\0';
    ck_assert_ptr_eq(tl_req(&c, T(2), SIDE_A, "INVITE", 1, NULL, sdp_a), d);
    ck_assert_int_eq(d->method, SIP_INVITE);
    ck_assert_str_eq(tl_state(d), "Trying");
    strcpy(c.to_tag, "ttag2");
    tl_resp(&c, T(3), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    ck_assert_int_eq(d->timing.pdd_us, 1000);
    tl_resp(&c, T(6), SIDE_B, 403, "Forbidden", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_uint_eq(d->final_code, 403);
    ck_assert_str_eq(sip_dialog_to_tag(d), "ttag2");
    tl_req(&c, T(7), SIDE_A, "BYE", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
}
END_TEST

START_TEST(refer_rejected_returns)
{
    sip_dialog_t *d = establish();
    tl_req(&c, T(5000), SIDE_A, "REFER", 2, "Refer-To: <sip:carol@example.com>\n", NULL);
    ck_assert_str_eq(tl_state(d), "Transferring");
    tl_resp(&c, T(5010), SIDE_B, 603, "Decline", "REFER", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_uint_eq(d->final_code, 200);
}
END_TEST

START_TEST(refer_outside_call)
{
    tl_init(&c, st, "refer-alone@example.com");
    sip_dialog_t *d =
        tl_req(&c, T(0), SIDE_A, "REFER", 1, "Refer-To: <sip:dave@example.com>\n", NULL);
    ck_assert_str_eq(tl_state(d), "Trying");
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(10), SIDE_B, 202, "Accepted", "REFER", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Pending");
    tl_req(&c, T(20), SIDE_B, "NOTIFY", 1,
           "Event: refer\nSubscription-State: active\nContent-Type: message/sipfrag\n",
           "SIP/2.0 180 Ringing\n");
    ck_assert_str_eq(tl_state(d), "Active");
    tl_req(&c, T(30), SIDE_B, "NOTIFY", 2,
           "Event: refer\nSubscription-State: terminated\nContent-Type: message/sipfrag\n",
           "SIP/2.0 200 OK\n");
    ck_assert_str_eq(tl_state(d), "Terminated");
    ck_assert_str_eq(d->refer_to, "sip:dave@example.com");
    ck_assert(d->finished);
}
END_TEST

START_TEST(subscribe_pending_active_terminated)
{
    tl_init(&c, st, "sub-1@example.com");
    sip_dialog_t *d =
        tl_req(&c, T(0), SIDE_A, "SUBSCRIBE", 1, "Event: presence\nExpires: 3600\n", NULL);
    ck_assert_int_eq(d->method, SIP_SUBSCRIBE);
    ck_assert_str_eq(tl_state(d), "Trying");
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(10), SIDE_B, 202, "Accepted", "SUBSCRIBE", 1, "Expires: 3600\n", NULL);
    ck_assert_str_eq(tl_state(d), "Pending");
    ck_assert_uint_eq(d->final_code, 202);
    tl_req(&c, T(20), SIDE_B, "NOTIFY", 1, "Event: presence\nSubscription-State: pending\n", NULL);
    ck_assert_str_eq(tl_state(d), "Pending");
    tl_req(&c, T(30), SIDE_B, "NOTIFY", 2,
           "Event: presence\nSubscription-State: active;expires=3599\n", NULL);
    ck_assert_str_eq(tl_state(d), "Active");
    ck_assert(!d->finished);
    tl_req(&c, T(40), SIDE_B, "NOTIFY", 3,
           "Event: presence\nSubscription-State: terminated;reason=timeout\n", NULL);
    ck_assert_str_eq(tl_state(d), "Terminated");
    ck_assert(d->finished);
    ck_assert_uint_eq(d->ended_us, T(40));
}
END_TEST

START_TEST(subscribe_expires_zero)
{
    tl_init(&c, st, "sub-2@example.com");
    sip_dialog_t *d =
        tl_req(&c, T(0), SIDE_A, "SUBSCRIBE", 1, "Event: dialog\nExpires: 600\n", NULL);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(10), SIDE_B, 200, "OK", "SUBSCRIBE", 1, "Expires: 600\n", NULL);
    tl_req(&c, T(20), SIDE_B, "NOTIFY", 1, "Event: dialog\nSubscription-State: active\n", NULL);
    ck_assert_str_eq(tl_state(d), "Active");
    tl_req(&c, T(5000), SIDE_A, "SUBSCRIBE", 2, "Event: dialog\nExpires: 0\n", NULL);
    ck_assert_str_eq(tl_state(d), "Active");
    tl_resp(&c, T(5010), SIDE_B, 200, "OK", "SUBSCRIBE", 2, "Expires: 0\n", NULL);
    ck_assert_str_eq(tl_state(d), "Terminated");
}
END_TEST

START_TEST(register_expires_header)
{
    tl_init(&c, st, "reg-1@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 3600\n", NULL);
    ck_assert_str_eq(tl_state(d), "Trying");
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, T(50), SIDE_B, 200, "OK", "REGISTER", 1,
            "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 1800\n", NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    ck_assert_int_eq(d->expires_at_us, (int64_t)T(50) + 1800 * 1000000ll);
    ck_assert_uint_eq(d->final_code, 200);
    ck_assert(!d->finished);
}
END_TEST

START_TEST(register_contact_expires)
{
    tl_init(&c, st, "reg-2@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:alice@10.0.0.1:5060>;expires=600\n", NULL);
    strcpy(c.to_tag, "ttag1");
    /* the registrar lists another device's binding first: ours is the match */
    tl_resp(&c, T(50), SIDE_B, 200, "OK", "REGISTER", 1,
            "Contact: <sip:alice@10.9.9.9:5060>;expires=900\n"
            "Contact: <sip:alice@10.0.0.1:5060>;expires=300\n"
            "Expires: 7200\n",
            NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    ck_assert_int_eq(d->expires_at_us, (int64_t)T(50) + 300 * 1000000ll);
}
END_TEST

START_TEST(register_request_expiry_only)
{
    tl_init(&c, st, "reg-3@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:alice@10.0.0.1:5060>;expires=120\n", NULL);
    tl_resp(&c, T(50), SIDE_B, 200, "OK", "REGISTER", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    ck_assert_int_eq(d->expires_at_us, (int64_t)T(50) + 120 * 1000000ll);
}
END_TEST

START_TEST(register_expiry_by_capture_time)
{
    tl_init(&c, st, "reg-4@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 60\n", NULL);
    tl_resp(&c, T(1000), SIDE_B, 200, "OK", "REGISTER", 1, "Expires: 60\n", NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    sip_store_advance(st, T(60999));
    ck_assert_str_eq(tl_state(d), "Registered");
    sip_store_advance(st, T(61000)); /* exactly at expiry: not yet past it */
    ck_assert_str_eq(tl_state(d), "Registered");
    sip_store_advance(st, T(61001));
    ck_assert_str_eq(tl_state(d), "Expired");
    ck_assert(d->finished);
    ck_assert_uint_eq(d->ended_us, T(61000));
    ck_assert_uint_eq(sip_store_stats(st)->registrations_expired, 1);
    /* a new REGISTER starts again */
    tl_req(&c, T(70000), SIDE_A, "REGISTER", 2, "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 60\n",
           NULL);
    ck_assert_str_eq(tl_state(d), "Trying");
    ck_assert(!d->finished);
    tl_resp(&c, T(70010), SIDE_B, 200, "OK", "REGISTER", 2, "Expires: 60\n", NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    /* any later message advances capture time too */
    tl_init(&c, st, "other@example.com");
    tl_req(&c, T(131000), SIDE_A, "OPTIONS", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Expired");
    ck_assert_uint_eq(sip_store_stats(st)->registrations_expired, 2);
}
END_TEST

START_TEST(register_refresh_keeps_binding)
{
    tl_init(&c, st, "reg-5@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 60\n", NULL);
    tl_resp(&c, T(10), SIDE_B, 200, "OK", "REGISTER", 1, NULL, NULL);
    tl_req(&c, T(30000), SIDE_A, "REGISTER", 2, "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 60\n",
           NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    tl_resp(&c, T(30010), SIDE_B, 401, "Unauthorized", "REGISTER", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    tl_req(&c, T(30020), SIDE_A, "REGISTER", 3, "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 60\n",
           NULL);
    tl_resp(&c, T(30030), SIDE_B, 200, "OK", "REGISTER", 3, NULL, NULL);
    ck_assert_int_eq(d->expires_at_us, (int64_t)T(30030) + 60 * 1000000ll);
    sip_store_advance(st, T(75000)); /* past the first expiry, not the refreshed one */
    ck_assert_str_eq(tl_state(d), "Registered");
}
END_TEST

START_TEST(register_unregister)
{
    tl_init(&c, st, "reg-6@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1, "Contact: *\nExpires: 0\n", NULL);
    tl_resp(&c, T(10), SIDE_B, 200, "OK", "REGISTER", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Expired");
    ck_assert(d->finished);
    ck_assert_uint_eq(d->final_code, 200);
    ck_assert_uint_eq(sip_store_stats(st)->registrations_expired, 0); /* removed, not timed out */
}
END_TEST

START_TEST(register_challenge_not_failure)
{
    tl_init(&c, st, "reg-7@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 3600\n", NULL);
    tl_resp(&c, T(10), SIDE_B, 401, "Unauthorized", "REGISTER", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed"); /* until it is answered */
    tl_req(&c, T(20), SIDE_A, "REGISTER", 2,
           "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 3600\nAuthorization: Digest x\n", NULL);
    ck_assert_str_eq(tl_state(d), "Trying");
    tl_resp(&c, T(30), SIDE_B, 200, "OK", "REGISTER", 2, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Registered");
    ck_assert_uint_eq(d->final_code, 200);
}
END_TEST

START_TEST(register_forbidden)
{
    tl_init(&c, st, "reg-8@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "REGISTER", 1,
                             "Contact: <sip:alice@10.0.0.1:5060>\nExpires: 3600\n", NULL);
    tl_resp(&c, T(10), SIDE_B, 403, "Forbidden", "REGISTER", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_uint_eq(d->final_code, 403);
    ck_assert(d->finished);
}
END_TEST

START_TEST(options_alone)
{
    tl_init(&c, st, "opt-1@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "OPTIONS", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Trying");
    tl_resp(&c, T(5), SIDE_B, 200, "OK", "OPTIONS", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
    ck_assert_uint_eq(d->final_code, 200);
    tl_init(&c, st, "opt-2@example.com");
    d = tl_req(&c, T(10), SIDE_A, "MESSAGE", 1, "Content-Type: text/plain\n", "hello");
    ck_assert_uint_eq(d->n_sdp, 0);
    tl_resp(&c, T(15), SIDE_B, 404, "Not Found", "MESSAGE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_uint_eq(d->final_code, 404);
    tl_init(&c, st, "opt-3@example.com");
    d = tl_req(&c, T(20), SIDE_A, "INFO", 1, NULL, NULL);
    tl_resp(&c, T(25), SIDE_B, 200, "OK", "INFO", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
    tl_init(&c, st, "opt-4@example.com");
    d = tl_req(&c, T(30), SIDE_A, "PUBLISH", 1, "Event: presence\n", NULL);
    tl_resp(&c, T(35), SIDE_B, 100, "Trying", "PUBLISH", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Trying");
    tl_resp(&c, T(36), SIDE_B, 200, "OK", "PUBLISH", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
}
END_TEST

START_TEST(unknown_method_and_labels)
{
    tl_init(&c, st, "foo-1@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "FOOBAR", 1, NULL, NULL);
    ck_assert_int_eq(d->method, SIP_METHOD_UNKNOWN);
    ck_assert_str_eq(d->msgs[0].label, "FOOBAR");
    tl_resp(&c, T(5), SIDE_B, 501, "Not Implemented Because This Reason Phrase Is Long", "FOOBAR",
            1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Failed");
    ck_assert_uint_eq(strlen(d->msgs[1].label), 39); /* truncated to the label size */
    ck_assert_str_eq(d->msgs[1].label, "501 Not Implemented Because This Reason");
}
END_TEST

START_TEST(malformed_counted_in_dialog)
{
    tl_init(&c, st, "mal-1@example.com");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "OPTIONS", 1, NULL, NULL);
    /* a response without Via: malformed, still this dialog's */
    const char *no_via = "SIP/2.0 200 OK\n"
                         "From: <sip:alice@example.com>;tag=ftag1\n"
                         "To: <sip:bob@example.com>;tag=x\n"
                         "Call-ID: mal-1@example.com\n"
                         "CSeq: 1 OPTIONS\n"
                         "Content-Length: 0\n\n";
    bool rt = true;
    sip_dialog_t *d2 = tl_feed_text(st, T(5), SIDE_B, SIP_TRANSPORT_UDP, no_via, &rt);
    ck_assert_ptr_eq(d, d2);
    ck_assert(!rt);
    ck_assert_uint_eq(d->malformed_count, 1);
    ck_assert_uint_eq(d->msg_count, 2);
    ck_assert(d->msgs[1].malformed & SIP_MAL_NO_VIA);
    ck_assert_str_eq(tl_state(d), "Completed");
}
END_TEST

START_TEST(no_call_id_counted)
{
    const char *m = "OPTIONS sip:bob@example.com SIP/2.0\n"
                    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\n"
                    "From: <sip:alice@example.com>;tag=a\n"
                    "To: <sip:bob@example.com>\n"
                    "CSeq: 1 OPTIONS\n"
                    "Content-Length: 0\n\n";
    bool rt = true;
    ck_assert_ptr_null(tl_feed_text(st, T(0), SIDE_A, SIP_TRANSPORT_UDP, m, &rt));
    ck_assert(!rt);
    const sip_store_stats_t *s = sip_store_stats(st);
    ck_assert_uint_eq(s->messages, 1);
    ck_assert_uint_eq(s->messages_no_call_id, 1);
    ck_assert_uint_eq(s->dialogs_created, 0);
    ck_assert_uint_eq(sip_store_count(st), 0);
}
END_TEST

START_TEST(dialog_from_response_mid_capture)
{
    /* the capture starts at the 200: the requester is the receiver */
    strcpy(c.to_tag, "ttag1");
    sip_dialog_t *d = tl_resp(&c, T(0), SIDE_B, 200, "OK", "INVITE", 7, NULL, sdp_b);
    ck_assert_int_eq(d->method, SIP_INVITE);
    ck_assert_str_eq(tl_state(d), "InCall");
    ck_assert_int_eq(d->src.a[3], 1);
    ck_assert_int_eq(d->timing.setup_us, -1);
    tl_req(&c, T(100), SIDE_B, "BYE", 1, NULL, NULL);
    ck_assert_str_eq(tl_state(d), "Completed");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sip_dialog");
    TCase *tc = tcase_create("states");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, names);
    tcase_add_test(tc, invite_happy_path);
    tcase_add_test(tc, invite_busy_486);
    tcase_add_test(tc, refer_to_with_replaces);
    tcase_add_test(tc, failed_call_pdd_runs_to_the_failure);
    tcase_add_test(tc, register_then_invite_follows_the_call);
    tcase_add_test(tc, cancel_then_487);
    tcase_add_test(tc, cancel_race_200_wins);
    tcase_add_test(tc, cancel_unanswered_invite_487);
    tcase_add_test(tc, challenge_401_answered);
    tcase_add_test(tc, challenge_407_then_403);
    tcase_add_test(tc, reinvite_hold_resume);
    tcase_add_test(tc, update_in_call);
    tcase_add_test(tc, prack_early_offer_answer);
    tcase_add_test(tc, refer_and_notify_sipfrag);
    tcase_add_test(tc, refer_rejected_returns);
    tcase_add_test(tc, refer_outside_call);
    tcase_add_test(tc, subscribe_pending_active_terminated);
    tcase_add_test(tc, subscribe_expires_zero);
    tcase_add_test(tc, register_expires_header);
    tcase_add_test(tc, register_contact_expires);
    tcase_add_test(tc, register_request_expiry_only);
    tcase_add_test(tc, register_expiry_by_capture_time);
    tcase_add_test(tc, register_refresh_keeps_binding);
    tcase_add_test(tc, register_unregister);
    tcase_add_test(tc, register_challenge_not_failure);
    tcase_add_test(tc, register_forbidden);
    tcase_add_test(tc, options_alone);
    tcase_add_test(tc, unknown_method_and_labels);
    tcase_add_test(tc, malformed_counted_in_dialog);
    tcase_add_test(tc, no_call_id_counted);
    tcase_add_test(tc, dialog_from_response_mid_capture);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
