#include "sec_alert_fmt.h"

#include <string.h>

#include "sipnab/format.h"

static const char *const keywords[SNB_SEC_TYPE_COUNT] = {
    "SCANNER", "BRUTEFORCE", "REG_FLOOD", "INVITE_FLOOD", "OPTIONS_FLOOD", "TOLL_FRAUD", "WANGIRI"};

const char *sec_alert_keyword(unsigned type)
{
    return type < SNB_SEC_TYPE_COUNT ? keywords[type] : "UNKNOWN";
}

const char *sec_alert_severity_name(unsigned severity)
{
    switch (severity) {
    case SNB_SEC_SEV_ALERT:
        return "alert";
    case SNB_SEC_SEV_CRITICAL:
        return "critical";
    case SNB_SEC_SEV_ERROR:
        return "error";
    default:
        return "warning";
    }
}

static const char *const method_names[SNB_SEC_M_COUNT] = {"INVITE", "REGISTER", "OPTIONS", "ACK",
                                                          "BYE",    "CANCEL",   "other"};
static const char *const response_names[SNB_SEC_R_COUNT] = {"1xx", "2xx", "3xx", "401", "403",
                                                            "404", "407", "4xx", "5xx", "6xx"};

static void safe_text(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; *in && n + 1 < size; in++) {
        char c = *in;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == ' ' || c == '.' || c == '_' || c == ':' || c == '@' || c == '/' ||
                  c == ',' || c == '-';
        out[n++] = ok ? c : '_';
    }
    out[n] = '\0';
}

size_t sec_alert_fail2ban(const snb_security_alert_t *a, char *buf, size_t size)
{
    char ts[40], from[64], to[80], reason[sizeof a->reason];
    time_t secs = (time_t)(a->ts_us / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
    snb_format_addr(&a->src, from, sizeof from);
    snb_format_endpoint(&a->dst, a->dport, to, sizeof to);
    safe_text(a->reason, reason, sizeof reason);
    int n = snprintf(buf, size,
                     "%s sipnab %s type=%s severity=%s requests=%u hosts=%u users=%u to=%s "
                     "reason=\"%s\" from=%s\n",
                     ts, sec_alert_keyword(a->type), snb_security_type_name(a->type),
                     sec_alert_severity_name(a->severity), a->requests, a->distinct_hosts,
                     a->distinct_targets, to, reason, from);
    if (n < 0) return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

json_t *sec_alert_json(const snb_security_alert_t *a)
{
    char ts[40], first[40], last[40], src[64], dst[80];
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "ts", json_string(snb_format_utc(a->ts_us, true, ts, sizeof ts)));
    json_object_set_new(o, "type", json_string(snb_security_type_name(a->type)));
    json_object_set_new(o, "severity", json_string(sec_alert_severity_name(a->severity)));
    json_object_set_new(o, "source", json_string(snb_format_addr(&a->src, src, sizeof src)));
    json_object_set_new(o, "source_port", json_integer(a->sport));
    json_object_set_new(o, "destination",
                        json_string(snb_format_endpoint(&a->dst, a->dport, dst, sizeof dst)));
    json_object_set_new(o, "reason", json_string(a->reason));
    json_object_set_new(o, "user_agent", json_string(a->user_agent));
    json_object_set_new(o, "first",
                        json_string(snb_format_utc(a->first_us, true, first, sizeof first)));
    json_object_set_new(o, "last",
                        json_string(snb_format_utc(a->last_us, true, last, sizeof last)));
    json_object_set_new(o, "requests", json_integer(a->requests));
    json_object_set_new(o, "distinct_users", json_integer(a->distinct_targets));
    json_object_set_new(o, "distinct_hosts", json_integer(a->distinct_hosts));
    json_t *methods = json_object(), *responses = json_object(), *targets = json_array(),
           *calls = json_array();
    for (unsigned i = 0; i < SNB_SEC_M_COUNT; i++)
        if (a->methods[i])
            json_object_set_new(methods, method_names[i], json_integer(a->methods[i]));
    for (unsigned i = 0; i < SNB_SEC_R_COUNT; i++)
        if (a->responses[i])
            json_object_set_new(responses, response_names[i], json_integer(a->responses[i]));
    for (unsigned i = 0; i < a->n_targets && i < SNB_SEC_MAX_TARGETS; i++)
        json_array_append_new(targets, json_string(a->targets[i]));
    for (unsigned i = 0; i < a->n_call_ids && i < SNB_SEC_MAX_CALL_IDS; i++)
        json_array_append_new(calls, json_string(a->call_ids[i]));
    json_object_set_new(o, "methods", methods);
    json_object_set_new(o, "responses", responses);
    json_object_set_new(o, "targets", targets);
    json_object_set_new(o, "call_ids", calls);
    return o;
}

void sec_alert_report_header(FILE *out)
{
    fprintf(out, "\nSecurity alerts\n%-26s %-13s %-8s %-39s %8s  %s\n", "Time (UTC)", "Type",
            "Severity", "Source", "Requests", "Reason");
}

void sec_alert_report_row(FILE *out, const snb_security_alert_t *a)
{
    char ts[40], src[80];
    fprintf(out, "%-26s %-13s %-8s %-39s %8u  %s\n", snb_format_utc(a->ts_us, false, ts, sizeof ts),
            snb_security_type_name(a->type), sec_alert_severity_name(a->severity),
            snb_format_endpoint(&a->src, a->sport, src, sizeof src), a->requests, a->reason);
}
