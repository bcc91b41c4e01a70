/* Parses the capinfos and `-z io,phs` sections of a .tshark.txt oracle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "run_util.h"

#define MAX_NODES 512
#define MAX_DEPTH 32

typedef struct phs_node {
    char proto[48];
    int depth;
    long frames;
    int parent;
} phs_node_t;

struct oracle {
    oracle_sip_t sip;
    oracle_rtp_stream_t rtp[128];
    int n_rtp;
    long packets;
    phs_node_t nodes[MAX_NODES];
    int n;
};

/* One line of the sip,stat section or the per Call-ID summary. */
static void parse_sip_line(oracle_sip_t *s, const char *line, int section)
{
    int code;
    long count;
    char name[16384];
    if (!strncmp(line, "Number of SIP messages:", 23))
        s->messages = atol(line + 23);
    else if (!strncmp(line, "Number of resent SIP messages:", 30))
        s->resent = atol(line + 30);
    else if (!strncmp(line, "* Average setup time", 20))
        s->setup_avg_ms = atol(line + 20);
    else if (!strncmp(line, " Min ", 5))
        s->setup_min_ms = atol(line + 5);
    else if (!strncmp(line, " Max ", 5))
        s->setup_max_ms = atol(line + 5);
    else if (sscanf(line, "  SIP %d", &code) == 1 && strstr(line, "Packets") && s->n_codes < 64) {
        const char *colon = strrchr(line, ':');
        s->codes[s->n_codes].code = code;
        s->codes[s->n_codes++].count = colon ? atol(colon + 1) : 0;
    } else if (sscanf(line, "  %16383s : %ld Packets", name, &count) == 2 && s->n_methods < 32) {
        s->methods[s->n_methods].name = strdup(name);
        s->methods[s->n_methods++].count = count;
    } else if (section == 2 && line[0] != '#' && strstr(line, " | ") &&
               strncmp(line, "(no Call-ID) |", 14) != 0) {
        size_t len = (size_t)(strstr(line, " | ") - line);
        s->call_ids = realloc(s->call_ids, (size_t)(s->n_call_ids + 1) * sizeof *s->call_ids);
        s->call_ids[s->n_call_ids++] = strndup(line, len);
    }
}

/* "start end src sport dst dport 0xSSRC payload[, payload...] pkts lost (pct) min mean max
 * delta, min mean max jitter [X]" */
static void parse_rtp_line(oracle_t *o, const char *line)
{
    char tok[32][64];
    int n = 0;
    const char *p = line;
    while (n < 32) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p) break;
        size_t len = strcspn(p, " \t\n");
        snprintf(tok[n++], sizeof tok[0], "%.*s", (int)len, p);
        p += len;
    }
    if (n < 17 || strncmp(tok[6], "0x", 2) != 0 || o->n_rtp == 128) return;
    oracle_rtp_stream_t *r = &o->rtp[o->n_rtp];
    memset(r, 0, sizeof *r);
    snprintf(r->src, sizeof r->src, "%.63s", tok[2]);
    r->sport = (unsigned)atoi(tok[3]);
    snprintf(r->dst, sizeof r->dst, "%.63s", tok[4]);
    r->dport = (unsigned)atoi(tok[5]);
    r->ssrc = strtoul(tok[6], NULL, 16);
    int i = 7; /* payload names: one or more, comma-joined */
    snprintf(r->payload, sizeof r->payload, "%.63s", tok[i]);
    while (i + 1 < n && tok[i][strlen(tok[i]) - 1] == ',')
        i++;
    i++;
    if (i + 9 > n) return;
    r->packets = atol(tok[i]);
    r->lost = atol(tok[i + 1]);
    r->max_delta_ms = atof(tok[i + 5]);
    r->mean_jitter_ms = atof(tok[i + 7]);
    r->max_jitter_ms = atof(tok[i + 8]);
    r->problems = i + 9 < n && !strcmp(tok[i + 9], "X");
    o->n_rtp++;
}

static void reset_sip(oracle_sip_t *s, int section)
{
    if (section == 1) {
        s->messages = s->resent = -1;
        s->setup_avg_ms = s->setup_min_ms = s->setup_max_ms = -1;
        for (int i = 0; i < s->n_methods; i++)
            free(s->methods[i].name);
        s->n_codes = s->n_methods = 0;
    } else {
        for (int i = 0; i < s->n_call_ids; i++)
            free(s->call_ids[i]);
        s->n_call_ids = 0;
    }
}

static oracle_t *parse(FILE *f, int in_phs)
{
    oracle_t *o = calloc(1, sizeof *o);
    o->packets = -1;
    o->sip.messages = o->sip.resent = -1;
    o->sip.setup_avg_ms = o->sip.setup_min_ms = o->sip.setup_max_ms = -1;
    static char line[65536];
    int stack[MAX_DEPTH];
    int sip_section = 0; /* 1: sip,stat; 2: per Call-ID summary */
    bool rtp_heuristic = false;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Number of packets:", 18)) o->packets = atol(line + 18);
        if (!strncmp(line, "## ", 3) && strncmp(line, "## columns", 10) != 0) {
            sip_section = strstr(line, "-z sip,stat")           ? 1
                          : strstr(line, "per Call-ID summary") ? 2
                                                                : 0;
            /* A later analysis in the same oracle (hep3-*: the unwrapped HEP
             * payloads) replaces the earlier one. */
            if (sip_section) reset_sip(&o->sip, sip_section);
        }
        if (sip_section) parse_sip_line(&o->sip, line, sip_section);
        if (!strncmp(line, "## ", 3))
            rtp_heuristic = strstr(line, "rtp.heuristic_rtp:TRUE") != NULL;
        if (rtp_heuristic) parse_rtp_line(o, line);
        if (strstr(line, "## protocol hierarchy")) {
            in_phs = 1;
            continue;
        }
        if (!in_phs) continue;
        if (line[0] == '=' && o->n > 0) in_phs = 0; /* end of the hierarchy */
        if (!strncmp(line, "Protocol Hierarchy", 18) || !strncmp(line, "Filter:", 7)) continue;
        const char *fr = strstr(line, "frames:");
        if (!fr || o->n >= MAX_NODES) continue;
        int indent = 0;
        while (line[indent] == ' ')
            indent++;
        int depth = indent / 2;
        if (depth >= MAX_DEPTH) continue;
        phs_node_t *nd = &o->nodes[o->n];
        sscanf(line + indent, "%47s", nd->proto);
        nd->depth = depth;
        nd->frames = atol(fr + 7);
        nd->parent = depth > 0 ? stack[depth - 1] : -1;
        stack[depth] = o->n;
        if (depth == 0 && o->packets < 0) o->packets = 0;
        if (depth == 0 && in_phs == 2) o->packets += nd->frames; /* live tshark output */
        o->n++;
    }
    return o;
}

oracle_t *oracle_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    oracle_t *o = parse(f, 0);
    fclose(f);
    return o;
}

oracle_t *oracle_from_tshark(const char *capture)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -q -z io,phs 2>/dev/null", capture);
    FILE *f = popen(cmd, "r");
    if (!f) return NULL;
    oracle_t *o = parse(f, 2);
    if (pclose(f) != 0 || o->n == 0) {
        free(o);
        return NULL;
    }
    return o;
}

void oracle_free(oracle_t *o)
{
    if (!o) return;
    for (int i = 0; i < o->sip.n_call_ids; i++)
        free(o->sip.call_ids[i]);
    free(o->sip.call_ids);
    for (int i = 0; i < o->sip.n_methods; i++)
        free(o->sip.methods[i].name);
    free(o);
}

const oracle_sip_t *oracle_sip(const oracle_t *o)
{
    return &o->sip;
}

long oracle_sip_code(const oracle_t *o, int code)
{
    long n = 0;
    for (int i = 0; i < o->sip.n_codes; i++)
        if (o->sip.codes[i].code == code) n += o->sip.codes[i].count;
    return n;
}

long oracle_sip_method(const oracle_t *o, const char *method)
{
    for (int i = 0; i < o->sip.n_methods; i++)
        if (!strcmp(o->sip.methods[i].name, method)) return o->sip.methods[i].count;
    return 0;
}

long oracle_packets(const oracle_t *o)
{
    return o->packets;
}

long oracle_phs_frames(const oracle_t *o, const char *proto)
{
    long total = 0;
    for (int i = 0; i < o->n; i++) {
        if (strcmp(o->nodes[i].proto, proto) != 0) continue;
        int shallowest = 1;
        for (int p = o->nodes[i].parent; p >= 0; p = o->nodes[p].parent)
            if (!strcmp(o->nodes[p].proto, proto)) shallowest = 0;
        if (shallowest) total += o->nodes[i].frames;
    }
    return total;
}

/* Wireshark's phs name -> our counter(s). Wireshark names both Linux cooked
 * headers "sll"; we count v1 and v2 apart, so "sll" compares with their sum. */
static const struct {
    const char *phs, *counter, *also;
} protocol_map[] = {
    {"eth", "link_ethernet", NULL}, {"sll", "link_sll", "link_sll2"},
    {"raw", "link_raw", NULL},      {"null", "link_null", NULL},
    {"ip", "ipv4", NULL},           {"ipv6", "ipv6", NULL},
    {"udp", "udp", NULL},           {"tcp", "tcp", NULL},
    {"sctp", "sctp", NULL},         {"arp", "arp", NULL},
    {"vlan", "vlan", NULL},         {"gre", "gre", NULL},
    {"vxlan", "vxlan", NULL},       {"erspan", "erspan", NULL},
    {"pppoes", "pppoe", NULL},
};

int oracle_compare_stats(const oracle_t *o, json_t *stats, const char *label)
{
    int mismatches = 0;
    if (json_int(stats, "frames") != o->packets) {
        fprintf(stderr, "%s: frames = %lld, oracle %ld\n", label, json_int(stats, "frames"),
                o->packets);
        mismatches++;
    }
    for (size_t m = 0; m < sizeof protocol_map / sizeof protocol_map[0]; m++) {
        long long ours = json_int(stats, protocol_map[m].counter);
        if (protocol_map[m].also) ours += json_int(stats, protocol_map[m].also);
        long want = oracle_phs_frames(o, protocol_map[m].phs);
        if (ours != want) {
            fprintf(stderr, "%s: %s = %lld, oracle %s frames = %ld\n", label,
                    protocol_map[m].counter, ours, protocol_map[m].phs, want);
            mismatches++;
        }
    }
    return mismatches;
}

const oracle_rtp_stream_t *oracle_rtp_streams(const oracle_t *o, int *n)
{
    *n = o->n_rtp;
    return o->rtp;
}
