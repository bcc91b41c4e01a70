/* --kill-scanner: every request from a source flagged as a scanner gets a
 * SIP response as if from the address it probed, sent from a raw socket,
 * within the rate limits (10/s overall, 3 per minute per destination:
 * sec_kill_limit.c). Only when the packet came from a live interface: the
 * packet's source instance must name a network interface (-d eth0 does);
 * anything else (files, HEP, an instance we cannot tell) is a dry run that
 * logs what would be sent, within the same limits. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sec_kill_limit.h"
#include "sec_reply.h"
#include "security_mod.h"
#include "sipnab/format.h"
#include "sipnab/log.h"

typedef struct kill {
    sec_kill_limit_t *limit;
    int fd4, fd6;
    bool warned;
    char source[64]; /* the source instance of the last packet */
    bool source_live;
} kill_t;

int security_out_kill_init(security_mod_t *m)
{
    if (!m->conf->kill_scanner) return 0;
    kill_t *k = calloc(1, sizeof *k);
    if (!k) return -ENOMEM;
    k->fd4 = k->fd6 = -1;
    k->limit = sec_kill_limit_new(10, 3, 4096, snb_core_hash_key(m->core));
    if (!k->limit) {
        free(k);
        return -ENOMEM;
    }
    /* Opened now, while we may still be root (CAP_NET_RAW is kept after the
     * privilege drop anyway). Failure only matters once we would send. */
    k->fd4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    k->fd6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (k->fd6 >= 0) {
        int on = 1;
        if (setsockopt(k->fd6, IPPROTO_IPV6, IPV6_HDRINCL, &on, sizeof on) != 0) {
            close(k->fd6);
            k->fd6 = -1;
        }
    }
    m->kill = k;
    return 0;
}

void security_out_kill_free(security_mod_t *m)
{
    kill_t *k = m->kill;
    if (!k) return;
    if (k->fd4 >= 0) close(k->fd4);
    if (k->fd6 >= 0) close(k->fd6);
    sec_kill_limit_free(k->limit);
    free(k);
    m->kill = NULL;
}

void security_out_kill_packet(security_mod_t *m, const char *source)
{
    kill_t *k = m->kill;
    if (!k || !source || !strncmp(k->source, source, sizeof k->source)) return;
    snprintf(k->source, sizeof k->source, "%s", source);
    k->source_live = if_nametoindex(source) != 0;
}

static bool send_raw(security_mod_t *m, kill_t *k, const snb_sip_message_event_t *ev,
                     const char *sip, size_t len)
{
    uint8_t dgram[2048];
    /* From the scanned address to the scanner. */
    size_t n =
        sec_reply_datagram(&ev->dst, ev->dport, &ev->src, ev->sport, sip, len, dgram, sizeof dgram);
    int fd = ev->src.family == 4 ? k->fd4 : k->fd6;
    if (!n || fd < 0) {
        if (!k->warned)
            snb_log_warn(m->core, "security", "kill-scanner: no raw socket (needs CAP_NET_RAW)");
        k->warned = true;
        return false;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    if (ev->src.family == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, ev->src.a, 4);
        sl = sizeof *s4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, ev->src.a, 16);
        sl = sizeof *s6;
    }
    return sendto(fd, dgram, n, 0, (struct sockaddr *)&ss, sl) == (ssize_t)n;
}

void security_out_kill_request(security_mod_t *m, const snb_sip_message_event_t *ev)
{
    kill_t *k = m->kill;
    if (!k || !ev->is_request || ev->method == SNB_SIP_ACK || !ev->msg || !ev->sip) return;
    if (!sec_kill_limit_allow(k->limit, &ev->src, ev->ts_us)) {
        m->kill_limited++;
        return;
    }
    const snb_sip_api_t *sip = ev->sip;
    sec_reply_req_t req = {0};
    unsigned vias = sip->header_count(ev->msg, "Via");
    for (unsigned i = 0; i < vias && req.n_via < SEC_REPLY_MAX_VIA; i++)
        req.via[req.n_via++] = sip->header(ev->msg, "Via", i);
    req.from = sip->header(ev->msg, "From", 0);
    req.to = sip->header(ev->msg, "To", 0);
    req.call_id = sip->header(ev->msg, "Call-ID", 0);
    req.cseq = sip->header(ev->msg, "CSeq", 0);
    req.to_has_tag = ev->to_tag.p && ev->to_tag.len;
    char text[1400];
    size_t len = sec_reply_sip(&req, (int)m->conf->kill_response, text, sizeof text);
    if (!len) {
        m->kill_failed++;
        return;
    }
    char from[80], to[80];
    snb_format_endpoint(&ev->dst, ev->dport, from, sizeof from);
    snb_format_endpoint(&ev->src, ev->sport, to, sizeof to);
    if (!k->source_live) {
        m->kill_dry_run++;
        snb_log_info(m->core, "security",
                     "kill-scanner dry run: would send \"SIP/2.0 %d\" from %s to %s (%zu bytes)",
                     (int)m->conf->kill_response, from, to, len);
        return;
    }
    if (send_raw(m, k, ev, text, len))
        m->kill_sent++;
    else
        m->kill_failed++;
}
