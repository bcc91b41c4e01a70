/* The oracle helpers that need tshark or sipnab's JSON (API in run_util.h);
 * the reader itself is tests/unit/support/oracle.c. */
#include <stdio.h>

#include "oracle.h"
#include "run_util.h"

oracle_t *oracle_from_tshark(const char *capture)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -q -z io,phs 2>/dev/null", capture);
    FILE *f = popen(cmd, "r");
    if (!f) return NULL;
    oracle_t *o = oracle_parse(f, true);
    if (pclose(f) != 0) {
        oracle_free(o);
        return NULL;
    }
    return o;
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
    {"pppoes", "pppoe", NULL},      {"ppp", "ppp", NULL},
};

int oracle_compare_stats(const oracle_t *o, json_t *stats, const char *label)
{
    int mismatches = 0;
    if (json_int(stats, "frames") != oracle_packets(o)) {
        fprintf(stderr, "%s: frames = %lld, oracle %ld\n", label, json_int(stats, "frames"),
                oracle_packets(o));
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
