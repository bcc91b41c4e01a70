/* libFuzzer: the security detector on arbitrary message sequences. Each
 * record is 10 bytes of fields (flags, method, status, source, destination,
 * time step, CSeq) then three length-prefixed strings (User-Agent, target
 * user, Call-ID). Checks: no crash or leak, the source table within its
 * cap, every alert's fail2ban line ends with the real source and holds one
 * "from=", and its JSON renders. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sec_alert_fmt.h"
#include "sec_detect.h"
#include "sec_number.h"
#include "sec_ua.h"
#include "sipnab/format.h"

enum { CAP = 64 };

static void on_alert(void *ud, const snb_security_alert_t *a)
{
    (void)ud;
    if (a->type >= SNB_SEC_TYPE_COUNT) abort();
    char line[512], from[80], want[96];
    size_t n = sec_alert_fail2ban(a, line, sizeof line);
    if (n != strlen(line) || n == 0 || line[n - 1] != '\n') abort();
    snprintf(want, sizeof want, " from=%s\n", snb_format_addr(&a->src, from, sizeof from));
    size_t wl = strlen(want);
    if (n < wl || strcmp(line + n - wl, want) != 0) abort();
    if (strstr(line, "from=") != line + n - wl + 1) abort(); /* only one */
    json_t *o = sec_alert_json(a);
    if (!o) abort();
    json_decref(o);
}

static snb_addr_t addr(uint8_t idx)
{
    snb_addr_t a = {0};
    if (idx & 0x80) {
        a.family = 6;
        a.a[0] = 0x20;
        a.a[1] = 0x01;
        a.a[15] = idx;
    } else {
        a.family = 4;
        a.a[0] = 10;
        a.a[3] = idx;
    }
    return a;
}

static snb_str_t take(const uint8_t **p, const uint8_t *end)
{
    if (*p >= end) return SNB_STR_NULL;
    size_t len = **p;
    (*p)++;
    if (len == 255) return SNB_STR_NULL; /* absent */
    if (len > (size_t)(end - *p)) len = (size_t)(end - *p);
    snb_str_t s = snb_str((const char *)*p, len);
    *p += len;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sec_ua_t *ua;
    if (!ua) {
        char err[128];
        ua = sec_ua_new("^x(a|b)*c", true, err, sizeof err);
        if (!ua) abort();
    }
    sec_cfg_t cfg = SEC_CFG_DEFAULT;
    snb_hash_key_from_seed(&cfg.key, 7, 8);
    cfg.max_sources = CAP;
    cfg.max_calls = 64;
    cfg.toll_prefixes = sec_default_toll_prefixes;
    while (sec_default_toll_prefixes[cfg.n_toll_prefixes])
        cfg.n_toll_prefixes++;
    cfg.ua = ua;
    cfg.on_alert = on_alert;
    /* Small thresholds, so short inputs reach every rule. */
    cfg.sweep_hosts = 3;
    cfg.enum_targets = 3;
    cfg.bf_failures = 2;
    cfg.rate_register = cfg.rate_invite = cfg.rate_options = 3;
    cfg.toll_calls = 2;
    cfg.toll_run = 2;
    cfg.wangiri_calls = 2;
    sec_detect_t *d = sec_detect_new(&cfg);
    if (!d) return 0;
    const uint8_t *p = data, *end = data + size;
    uint64_t ts = 1000000;
    while (end - p >= 10) {
        sec_msg_t m = {0};
        uint8_t flags = p[0];
        m.is_request = flags & 1;
        m.retransmit = flags & 2;
        m.has_credentials = flags & 4;
        m.has_to_tag = flags & 8;
        m.method = p[1] % 16;
        m.cseq_method = (uint8_t)((flags >> 4) % 16);
        m.status = (uint16_t)(100 + (p[2] | p[3] << 8) % 600);
        m.src = addr(p[4]);
        m.dst = addr(p[5]);
        if (flags & 0x80) m.src.family = 0;
        ts += (uint64_t)(p[6] | p[7] << 8) * 1000; /* ms steps: windows roll */
        m.ts_us = ts;
        m.cseq = p[8];
        m.has_sdp = p[9] & 1;
        m.sport = m.dport = 5060;
        p += 10;
        m.user_agent = take(&p, end);
        m.target_user = take(&p, end);
        m.call_id = take(&p, end);
        m.from_tag = m.call_id; /* tool fingerprints read it */
        m.account = m.target_user;
        unsigned types = sec_detect_msg(d, &m);
        if (types >> SNB_SEC_TYPE_COUNT) abort();
        if (sec_detect_stats(d)->sources > CAP) abort();
        char digits[24];
        uint64_t v;
        if (sec_number_international(m.target_user.p, m.target_user.len, digits, sizeof digits))
            (void)sec_number_premium(digits, sec_default_toll_prefixes, 3);
        (void)sec_number_value(m.target_user.p, m.target_user.len, &v);
    }
    sec_detect_flush(d);
    sec_detect_free(d);
    return 0;
}
