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
    long packets;
    phs_node_t nodes[MAX_NODES];
    int n;
};

static oracle_t *parse(FILE *f, int in_phs)
{
    oracle_t *o = calloc(1, sizeof *o);
    o->packets = -1;
    char line[1024];
    int stack[MAX_DEPTH];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Number of packets:", 18)) o->packets = atol(line + 18);
        if (strstr(line, "## protocol hierarchy")) {
            in_phs = 1;
            continue;
        }
        if (!in_phs) continue;
        if (line[0] == '=' && o->n > 0) break;
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
