/* Reads a .tshark.txt oracle (API in oracle.h). Allocation failure aborts
 * (tests only). */
#include "oracle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 512
#define MAX_DEPTH 32

typedef struct phs_node {
    char proto[48];
    int depth;
    long frames;
    int parent;
} phs_node_t;

struct oracle {
    long packets;
    oracle_sip_t *sip; /* every sip,stat section, in file order */
    int n_sip;
    oracle_sip_t no_sip; /* oracle_sip() when there is none */
    oracle_rtp_stream_t *rtp;
    int n_rtp;
    int rtp_sections;
    phs_node_t nodes[MAX_NODES];
    int n;
};

/* The sections read; any other "## " line ends the one before. */
typedef enum section {
    SEC_OTHER,
    SEC_SIP_STAT,
    SEC_CALL_IDS,     /* the per Call-ID summary */
    SEC_DISTINCT_IDS, /* its one line is the count */
    SEC_RTP_HEURISTIC,
} section_t;

/* Room for one more element in a realloc'd array of n. */
static void *grow(void *arr, int n, size_t size)
{
    void *p = realloc(arr, (size_t)(n + 1) * size);
    if (!p) abort();
    return p;
}

static void sip_init(oracle_sip_t *s)
{
    memset(s, 0, sizeof *s);
    s->messages = s->resent = -1;
    s->setup_avg_ms = s->setup_min_ms = s->setup_max_ms = -1;
    s->distinct_call_ids = -1;
}

static void sip_free(oracle_sip_t *s)
{
    for (int i = 0; i < s->n_methods; i++)
        free(s->methods[i].name);
    free(s->methods);
    free(s->codes);
    for (int i = 0; i < s->n_call_ids; i++)
        free(s->call_ids[i]);
    free(s->call_ids);
}

/* One line of a sip,stat section. A count line is "NAME : N Packets"; a
 * PROTOS method name may hold anything, so NAME is all before the last
 * colon, trimmed. */
static void parse_sip_line(oracle_sip_t *s, const char *line)
{
    if (sscanf(line, "Number of SIP messages: %ld", &s->messages) == 1 ||
        sscanf(line, "Number of resent SIP messages: %ld", &s->resent) == 1 ||
        sscanf(line, "* Average setup time %ld ms", &s->setup_avg_ms) == 1 ||
        sscanf(line, " Min %ld ms", &s->setup_min_ms) == 1 ||
        sscanf(line, " Max %ld ms", &s->setup_max_ms) == 1)
        return;
    const char *colon = strrchr(line, ':');
    long count;
    int code;
    if (!colon || !strstr(colon, "Packets") || sscanf(colon + 1, "%ld", &count) != 1) return;
    const char *p = line + strspn(line, " ");
    if (sscanf(p, "SIP %d", &code) == 1) { /* "SIP 200 OK : 3 Packets" */
        s->codes = grow(s->codes, s->n_codes, sizeof *s->codes);
        s->codes[s->n_codes++] = (oracle_sip_code_t){code, count};
        return;
    }
    const char *e = colon;
    while (e > p && e[-1] == ' ')
        e--;
    char *name = strndup(p, (size_t)(e - p));
    if (!name) abort();
    s->methods = grow(s->methods, s->n_methods, sizeof *s->methods);
    s->methods[s->n_methods++] = (oracle_sip_method_t){name, count};
}

/* "call-id | first-frame | requests | responses" */
static void parse_call_id_line(oracle_sip_t *s, const char *line)
{
    const char *bar = strstr(line, " | ");
    if (line[0] == '#' || !bar || !strncmp(line, "(no Call-ID) |", 14)) return;
    char *id = strndup(line, (size_t)(bar - line));
    if (!id) abort();
    s->call_ids = grow(s->call_ids, s->n_call_ids, sizeof *s->call_ids);
    s->call_ids[s->n_call_ids++] = id;
}

/* "start end src sport dst dport 0xSSRC payload... pkts lost (pct) min mean
 * max delta, min mean max jitter [X]". The payload may hold spaces ("g711A,
 * CN"), so the figures are taken from the right. */
static void parse_rtp_line(oracle_t *o, const char *line)
{
    const char *tok[64];
    int len[64], n = 0;
    for (const char *p = line + strspn(line, " \t\n"); *p && n < 64; p += strspn(p, " \t\n")) {
        tok[n] = p;
        len[n] = (int)strcspn(p, " \t\n");
        p += len[n++];
    }
    bool problems = n > 0 && len[n - 1] == 1 && tok[n - 1][0] == 'X';
    if (problems) n--;
    if (n < 17 || !isdigit((unsigned char)tok[0][0]) || strncmp(tok[6], "0x", 2) != 0) return;
    o->rtp = grow(o->rtp, o->n_rtp, sizeof *o->rtp);
    oracle_rtp_stream_t *r = &o->rtp[o->n_rtp++];
    memset(r, 0, sizeof *r);
    snprintf(r->src, sizeof r->src, "%.*s", len[2], tok[2]);
    r->sport = (unsigned)atoi(tok[3]);
    snprintf(r->dst, sizeof r->dst, "%.*s", len[4], tok[4]);
    r->dport = (unsigned)atoi(tok[5]);
    r->ssrc = strtoul(tok[6], NULL, 16);
    for (int i = 7; i < n - 9; i++) {
        size_t l = strlen(r->payload);
        snprintf(r->payload + l, sizeof r->payload - l, "%s%.*s", l ? " " : "", len[i], tok[i]);
    }
    r->packets = atol(tok[n - 9]);
    r->lost = atol(tok[n - 8]); /* tok[n - 7] is "(0.0%)" */
    r->min_delta_ms = atof(tok[n - 6]);
    r->mean_delta_ms = atof(tok[n - 5]);
    r->max_delta_ms = atof(tok[n - 4]);
    r->min_jitter_ms = atof(tok[n - 3]);
    r->mean_jitter_ms = atof(tok[n - 2]);
    r->max_jitter_ms = atof(tok[n - 1]);
    r->problems = problems;
    r->section = o->rtp_sections - 1;
}

static section_t section_of(const char *header)
{
    if (strstr(header, "-z sip,stat")) return SEC_SIP_STAT;
    if (strstr(header, "per Call-ID summary")) return SEC_CALL_IDS;
    if (!strncmp(header, "## distinct SIP Call-IDs, corrected", 35)) return SEC_DISTINCT_IDS;
    if (strstr(header, "rtp,streams") && strstr(header, "rtp.heuristic_rtp:TRUE"))
        return SEC_RTP_HEURISTIC;
    return SEC_OTHER;
}

oracle_t *oracle_parse(FILE *f, bool bare_phs)
{
    oracle_t *o = calloc(1, sizeof *o);
    if (!o) abort();
    o->packets = -1;
    sip_init(&o->no_sip);
    char *line = NULL;
    size_t cap = 0;
    int stack[MAX_DEPTH];
    int in_phs = bare_phs ? 2 : 0; /* 2: live tshark output */
    section_t sec = SEC_OTHER;
    while (getline(&line, &cap, f) != -1) {
        if (!strncmp(line, "Number of packets:", 18)) o->packets = atol(line + 18);
        if (!strncmp(line, "## ", 3)) {
            if (!strncmp(line, "## columns", 10)) continue; /* inside the Call-ID summary */
            sec = section_of(line);
            if (sec == SEC_SIP_STAT) {
                o->sip = grow(o->sip, o->n_sip, sizeof *o->sip);
                sip_init(&o->sip[o->n_sip++]);
            }
            if (sec == SEC_RTP_HEURISTIC) o->rtp_sections++;
        }
        /* The Call-ID sections belong to the sip,stat section before them. */
        oracle_sip_t *s = o->n_sip ? &o->sip[o->n_sip - 1] : NULL;
        if (line[0] != '#' && s && sec == SEC_SIP_STAT) parse_sip_line(s, line);
        if (line[0] != '#' && s && sec == SEC_CALL_IDS) parse_call_id_line(s, line);
        if (line[0] != '#' && sec == SEC_DISTINCT_IDS) {
            if (s) sscanf(line, "%ld", &s->distinct_call_ids);
            sec = SEC_OTHER; /* only the line after the header */
        }
        if (sec == SEC_RTP_HEURISTIC) parse_rtp_line(o, line);
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
        if (depth == 0 && in_phs == 2) o->packets += nd->frames;
        o->n++;
    }
    free(line);
    if (bare_phs && o->n == 0) {
        oracle_free(o);
        return NULL;
    }
    return o;
}

oracle_t *oracle_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    oracle_t *o = oracle_parse(f, false);
    fclose(f);
    return o;
}

void oracle_free(oracle_t *o)
{
    if (!o) return;
    for (int i = 0; i < o->n_sip; i++)
        sip_free(&o->sip[i]);
    free(o->sip);
    free(o->rtp);
    free(o);
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

int oracle_sip_sections(const oracle_t *o)
{
    return o->n_sip;
}

const oracle_sip_t *oracle_sip_section(const oracle_t *o, int nth)
{
    return nth >= 0 && nth < o->n_sip ? &o->sip[nth] : NULL;
}

const oracle_sip_t *oracle_sip(const oracle_t *o)
{
    return o->n_sip ? &o->sip[o->n_sip - 1] : &o->no_sip;
}

long oracle_sip_code(const oracle_t *o, int code)
{
    const oracle_sip_t *s = oracle_sip(o);
    long n = 0;
    for (int i = 0; i < s->n_codes; i++)
        if (s->codes[i].code == code) n += s->codes[i].count;
    return n;
}

long oracle_sip_method(const oracle_t *o, const char *method)
{
    const oracle_sip_t *s = oracle_sip(o);
    for (int i = 0; i < s->n_methods; i++)
        if (!strcmp(s->methods[i].name, method)) return s->methods[i].count;
    return 0;
}

int oracle_rtp_sections(const oracle_t *o)
{
    return o->rtp_sections;
}

const oracle_rtp_stream_t *oracle_rtp_streams(const oracle_t *o, int *n)
{
    *n = o->n_rtp;
    return o->rtp;
}
