/* What the security module prints: fail2ban lines and NDJSON as alerts
 * happen, the --report table when the input ends, each through its own
 * stdout claim (replies to scanners are in security_out_kill.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sec_alert_fmt.h"
#include "security_mod.h"

int security_out_claim(security_mod_t *m)
{
    const security_conf_t *c = m->conf;
    bool ok = true;
    if (c->fail2ban) {
        m->out_fail2ban = snb_output_claim(m->core, "security", "--fail2ban", SNB_OUT_TEXT, 0);
        ok &= m->out_fail2ban != NULL;
    }
    if (c->alerts_json) {
        m->out_json = snb_output_claim(m->core, "security", "--alerts-json", SNB_OUT_JSON, 0);
        ok &= m->out_json != NULL;
    }
    if (c->report) {
        m->out_report = snb_output_claim(m->core, "security", "--report", SNB_OUT_TEXT, 0);
        ok &= m->out_report != NULL;
    }
    return ok ? 0 : -ENOMEM;
}

static void keep_for_report(security_mod_t *m, const snb_security_alert_t *a)
{
    security_log_t *l = &m->log;
    if (l->n == l->cap) {
        size_t max = (size_t)m->conf->report_max;
        if (l->cap >= max) {
            l->dropped++;
            return;
        }
        size_t cap = l->cap ? l->cap * 2 : 64;
        if (cap > max) cap = max;
        snb_security_alert_t *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->dropped++;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *a;
}

void security_out_alert(security_mod_t *m, const snb_security_alert_t *a)
{
    FILE *f2b = snb_output_stream(m->out_fail2ban);
    if (f2b) {
        char line[512];
        size_t n = sec_alert_fail2ban(a, line, sizeof line);
        fwrite(line, 1, n, f2b);
        fflush(f2b); /* fail2ban tails the file: a line per detection, now */
    }
    if (snb_output_active(m->out_json)) {
        json_t *o = sec_alert_json(a);
        if (o) snb_output_json(m->out_json, o);
        json_decref(o);
    }
    if (m->out_report) keep_for_report(m, a);
}

void security_out_end(security_mod_t *m)
{
    FILE *out = snb_output_stream(m->out_report);
    if (!out) return;
    sec_alert_report_header(out);
    for (size_t i = 0; i < m->log.n; i++)
        sec_alert_report_row(out, &m->log.v[i]);
    if (!m->log.n) fprintf(out, "(none)\n");
    if (m->log.dropped) fprintf(out, "(%zu more not listed: report_max)\n", m->log.dropped);
}

void security_out_free(security_mod_t *m)
{
    free(m->log.v);
    m->log = (security_log_t){0};
    security_out_kill_free(m);
}
