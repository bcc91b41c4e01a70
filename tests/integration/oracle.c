/* Parses the capinfos and `-z io,phs` sections of a .tshark.txt oracle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

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

oracle_t *oracle_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    oracle_t *o = calloc(1, sizeof *o);
    o->packets = -1;
    char line[1024];
    int in_phs = 0, stack[MAX_DEPTH];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Number of packets:", 18)) o->packets = atol(line + 18);
        if (strstr(line, "## protocol hierarchy")) {
            in_phs = 1;
            continue;
        }
        if (!in_phs) continue;
        if (line[0] == '=' && o->n > 0) break;
        const char *fr = strstr(line, "frames:");
        if (!fr || o->n >= MAX_NODES) continue;
        int indent = 0;
        while (line[indent] == ' ') indent++;
        int depth = indent / 2;
        if (depth >= MAX_DEPTH) continue;
        phs_node_t *nd = &o->nodes[o->n];
        sscanf(line + indent, "%47s", nd->proto);
        nd->depth = depth;
        nd->frames = atol(fr + 7);
        nd->parent = depth > 0 ? stack[depth - 1] : -1;
        stack[depth] = o->n;
        o->n++;
    }
    fclose(f);
    return o;
}

void oracle_free(oracle_t *o) { free(o); }

long oracle_packets(const oracle_t *o) { return o->packets; }

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
