/*
 * bare-pcap-loop: the throughput ceiling for any libpcap-based reader.
 * Reads every packet with pcap_next_ex and touches it (caplen and first
 * byte) so the compiler cannot drop the loop; nothing else.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bare-pcap-loop FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "bare-pcap-loop: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t packets = 0, bytes = 0, check = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        packets++;
        bytes += h->caplen;
        if (h->caplen) check += d[0];
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "bare-pcap-loop: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("packets=%" PRIu64 " bytes=%" PRIu64 " check=%" PRIu64 "\n", packets, bytes, check);
    return 0;
}
