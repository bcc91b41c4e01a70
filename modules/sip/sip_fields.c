/* The SIP module's dialog fields as the filter language sees them. Units:
 * timing fields in milliseconds, duration in seconds, addresses as text. */
#include <stdio.h>
#include <string.h>

#include "sip_fields.h"

#include "sip_annotations.h"
#include "sipnab/format.h"

enum field_id {
    F_STATE,
    F_METHOD,
    F_FROM,
    F_TO,
    F_FROM_DISPLAY,
    F_TO_DISPLAY,
    F_UA,
    F_CALL_ID,
    F_SRC_IP,
    F_DST_IP,
    F_SRC_PORT,
    F_DST_PORT,
    F_TRANSPORT,
    F_DURATION,
    F_MSG_COUNT,
    F_PDD,
    F_SETUP,
    F_RING,
    F_TRYING,
    F_TEARDOWN,
    F_RETRANSMITS,
    F_FINAL_CODE,
    F_MALFORMED,
    F_REFER_TO,
};

static const snb_filter_field_t fields[] = {
    {"state", SNB_FT_STRING, F_STATE},
    {"method", SNB_FT_STRING, F_METHOD},
    {"from", SNB_FT_STRING, F_FROM},
    {"to", SNB_FT_STRING, F_TO},
    {"from_display", SNB_FT_STRING, F_FROM_DISPLAY},
    {"to_display", SNB_FT_STRING, F_TO_DISPLAY},
    {"ua", SNB_FT_STRING, F_UA},
    {"call_id", SNB_FT_STRING, F_CALL_ID},
    {"src", SNB_FT_STRING, F_SRC_IP},
    {"src_ip", SNB_FT_STRING, F_SRC_IP},
    {"dst", SNB_FT_STRING, F_DST_IP},
    {"dst_ip", SNB_FT_STRING, F_DST_IP},
    {"src_port", SNB_FT_NUMBER, F_SRC_PORT},
    {"dst_port", SNB_FT_NUMBER, F_DST_PORT},
    {"transport", SNB_FT_STRING, F_TRANSPORT},
    {"duration", SNB_FT_NUMBER, F_DURATION},
    {"msg_count", SNB_FT_NUMBER, F_MSG_COUNT},
    {"pdd", SNB_FT_NUMBER, F_PDD},
    {"setup", SNB_FT_NUMBER, F_SETUP},
    {"ring", SNB_FT_NUMBER, F_RING},
    {"trying_delay", SNB_FT_NUMBER, F_TRYING},
    {"teardown", SNB_FT_NUMBER, F_TEARDOWN},
    {"retransmits", SNB_FT_NUMBER, F_RETRANSMITS},
    {"final_code", SNB_FT_NUMBER, F_FINAL_CODE},
    {"code", SNB_FT_NUMBER, F_FINAL_CODE},
    {"malformed", SNB_FT_NUMBER, F_MALFORMED},
    {"refer_to", SNB_FT_STRING, F_REFER_TO},
};

static const snb_filter_alias_t aliases[] = {
    {"failed", "state == 'Failed'", "calls and transactions that ended with an error"},
    {"cancelled", "state == 'Cancelled'", "calls cancelled before answer"},
    {"answered", "final_code >= 200 AND final_code < 300", "answered with a 2xx"},
    {"slow-setup", "setup > 3000 OR pdd > 3000", "more than 3 s to ring or to answer"},
    {"retransmitted", "retransmits > 0", "at least one resent message"},
};

const snb_filter_field_t *sip_fields_list(size_t *n)
{
    *n = sizeof fields / sizeof fields[0];
    return fields;
}

const snb_filter_alias_t *sip_fields_aliases(size_t *n)
{
    *n = sizeof aliases / sizeof aliases[0];
    return aliases;
}

static void str_value(snb_filter_value_t *out, const char *s)
{
    out->present = s != NULL;
    out->str = s ? s : "";
    out->len = s ? strlen(s) : 0;
}

static void num_value(snb_filter_value_t *out, double v, bool present)
{
    out->present = present;
    out->num = v;
}

static void ms_value(snb_filter_value_t *out, int64_t us)
{
    num_value(out, (double)us / 1000.0, us >= 0);
}

void sip_fields_value(const sip_dialog_t *d, int id, sip_field_scratch_t *c,
                      snb_filter_value_t *out)
{
    memset(out, 0, sizeof *out);
    switch ((enum field_id)id) {
    case F_STATE:
        str_value(out, sip_dialog_state_name(d->state));
        break;
    case F_METHOD:
        str_value(out, sip_method_name(d->method));
        break;
    case F_FROM:
        str_value(out, sip_dialog_from_user(d));
        break;
    case F_TO:
        str_value(out, sip_dialog_to_user(d));
        break;
    case F_FROM_DISPLAY:
        str_value(out, sip_dialog_from_display(d));
        break;
    case F_TO_DISPLAY:
        str_value(out, sip_dialog_to_display(d));
        break;
    case F_UA:
        str_value(out, sip_dialog_ua(d));
        break;
    case F_CALL_ID:
        str_value(out, d->call_id);
        break;
    case F_SRC_IP:
        str_value(out, d->src.family ? snb_format_addr(&d->src, c->addr, sizeof c->addr) : NULL);
        break;
    case F_DST_IP:
        str_value(out, d->dst.family ? snb_format_addr(&d->dst, c->addr, sizeof c->addr) : NULL);
        break;
    case F_SRC_PORT:
        num_value(out, d->sport, true);
        break;
    case F_DST_PORT:
        num_value(out, d->dport, true);
        break;
    case F_TRANSPORT:
        str_value(out, sip_transport_name(d->transport));
        break;
    case F_DURATION:
        num_value(out, sip_annotations_duration_sec(c->ann, d, NULL), true);
        break;
    case F_MSG_COUNT:
        num_value(out, d->msg_count, true);
        break;
    case F_PDD:
        ms_value(out, d->timing.pdd_us);
        break;
    case F_SETUP:
        ms_value(out, d->timing.setup_us);
        break;
    case F_RING:
        ms_value(out, d->timing.ring_us);
        break;
    case F_TRYING:
        ms_value(out, d->timing.trying_delay_us);
        break;
    case F_TEARDOWN:
        ms_value(out, d->timing.teardown_us);
        break;
    case F_RETRANSMITS:
        num_value(out, d->timing.retransmits, true);
        break;
    case F_FINAL_CODE:
        num_value(out, d->final_code, d->final_code != 0);
        break;
    case F_MALFORMED:
        num_value(out, d->malformed_count, true);
        break;
    case F_REFER_TO:
        str_value(out, d->refer_to);
        break;
    }
}
