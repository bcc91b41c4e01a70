/* hep-flood: send HEP v3 SIP datagrams to a listener on loopback, as fast as
 * possible or at a given rate, for a bounded time, and say how many were
 * sent. The load generator of bench/hep.sh (a second process, as the issue
 * asks); loopback only.
 *   hep-flood PORT SECONDS [RATE_PPS]   (RATE 0 or absent = as fast as possible)
 *   hep-flood --pcap FILE COUNT         write COUNT of the same datagrams, as
 *                                       captured UDP to port 9060, to a pcap
 *                                       (the decoder's capacity without sockets) */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *chunk(uint8_t *p, uint16_t type, const void *v, uint16_t len)
{
    uint16_t h[3] = {0, htons(type), htons((uint16_t)(len + 6))};
    memcpy(p, h, 6);
    memcpy(p + 6, v, len);
    return p + 6 + len;
}

/* COUNT copies of the HEP datagram in Ethernet/IPv4/UDP frames, 1 us apart. */
static int write_pcap(const char *path, unsigned long count, const uint8_t *hep, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    static const uint8_t ghdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
                                     0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
    fwrite(ghdr, 1, sizeof ghdr, f);
    uint8_t frame[2048];
    size_t flen = 14 + 20 + 8 + len;
    memset(frame, 0, 42);
    frame[12] = 0x08; /* IPv4 */
    uint8_t *ip = frame + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + 8 + len) >> 8);
    ip[3] = (uint8_t)(20 + 8 + len);
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, (uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(ip + 16, (uint8_t[]){10, 0, 0, 9}, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    uint8_t *udp = ip + 20;
    udp[0] = 0x13, udp[1] = 0xc4; /* 5060 */
    udp[2] = 0x23, udp[3] = 0x64; /* 9060 */
    udp[4] = (uint8_t)((8 + len) >> 8);
    udp[5] = (uint8_t)(8 + len);
    memcpy(udp + 8, hep, len);
    for (unsigned long n = 0; n < count; n++) {
        uint32_t rec[4] = {1700000000u + (uint32_t)(n / 1000000), (uint32_t)(n % 1000000),
                           (uint32_t)flen, (uint32_t)flen};
        fwrite(rec, 1, sizeof rec, f);
        fwrite(frame, 1, flen, f);
    }
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    bool to_pcap = argc == 4 && !strcmp(argv[1], "--pcap");
    if (argc < 3) {
        fprintf(stderr, "usage: hep-flood PORT SECONDS [RATE_PPS] | hep-flood --pcap FILE COUNT\n");
        return 2;
    }
    int port = to_pcap ? 0 : atoi(argv[1]);
    double seconds = to_pcap ? 0 : atof(argv[2]);
    double rate = !to_pcap && argc > 3 ? atof(argv[3]) : 0;
    static const char sip[] = "OPTIONS sip:bench@10.0.0.2 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-bench\r\n"
                              "From: <sip:flood@10.0.0.1>;tag=1\r\nTo: <sip:bench@10.0.0.2>\r\n"
                              "Call-ID: hep-flood@10.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
                              "Content-Length: 0\r\n\r\n";
    uint8_t pkt[1024], *p = pkt + 6;
    uint8_t fam = 2, proto = 17, ptype = 1;
    uint32_t src = htonl(0x0a000001), dst = htonl(0x0a000002), capid = htonl(2001);
    uint16_t sport = htons(5060), dport = htons(5060);
    uint32_t sec = htonl(1700000000), usec = 0;
    p = chunk(p, 1, &fam, 1);
    p = chunk(p, 2, &proto, 1);
    p = chunk(p, 3, &src, 4);
    p = chunk(p, 4, &dst, 4);
    p = chunk(p, 7, &sport, 2);
    p = chunk(p, 8, &dport, 2);
    p = chunk(p, 9, &sec, 4);
    p = chunk(p, 10, &usec, 4);
    p = chunk(p, 11, &ptype, 1);
    p = chunk(p, 12, &capid, 4);
    p = chunk(p, 15, sip, sizeof sip - 1);
    uint16_t total = htons((uint16_t)(p - pkt));
    memcpy(pkt, "HEP3", 4);
    memcpy(pkt + 4, &total, 2);
    size_t len = (size_t)(p - pkt);
    if (to_pcap) return write_pcap(argv[2], strtoul(argv[3], NULL, 10), pkt, len);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        perror("connect");
        return 1;
    }
    struct iovec iov = {.iov_base = pkt, .iov_len = len};
    struct mmsghdr msgs[64];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < 64; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned long sent = 0, failed = 0;
    double start = now(), end = start + seconds;
    for (;;) {
        double t = now();
        if (t >= end) break;
        if (rate > 0 && sent >= (t - start) * rate) continue; /* pace */
        for (int i = 0; i < 64; i++) {                        /* check the clock every 64 sends */
            if (send(fd, pkt, len, 0) == (ssize_t)len)
                sent++;
            else
                failed++;
            if (rate > 0) break;
        }
    }
    double took = now() - start;
    printf("sent=%lu failed=%lu seconds=%.3f pps=%.0f\n", sent, failed, took, sent / took);
    close(fd);
    return 0;
}
