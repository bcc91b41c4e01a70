#!/usr/bin/env python3
"""Write sip-t38-fax.pcap: a call that switches to T.38 fax and back.

Byte-built (no network): A 10.0.0.1 calls B 10.0.0.2 (PCMU, RTP A:4000 <->
B:5000, 50 packets each way); B re-INVITEs to T.38 (m=audio 0, m=image 5000
udptl t38), A accepts (m=image 4000); UDPTL flows on the same ports, 60
packets from A and 40 from B; A re-INVITEs back to audio (m=image 0), B
accepts; RTP again, 25 packets each way with new SSRCs; A hangs up.

The UDPTL sequence numbers start at 0x8000: a sender may start anywhere,
and from 32768 to 49151 the first byte looks like RTP version 2 to a parser
that only checks the version bits, which is how sipnab used to count fax
packets as RTP. Each UDPTL packet carries one T.38 IFP (v21 HDLC data, or a
t30 indicator every tenth packet) and no redundancy.

Usage: make-sip-t38-fax.py [OUT.pcap]"""
import struct
import sys

A, B = "10.0.0.1", "10.0.0.2"
T0 = 1700000000.0
CALL_ID = "t38-fax-call@10.0.0.1"


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, sport, dst, dport, payload, ident=[0]):
    ident[0] += 1
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident[0] & 0xFFFF, 0, 64, 17, 0,
                      ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    return eth + hdr + udp


def sdp(ip, audio_port, image_port=None):
    lines = ["v=0", "o=- 1 %d IN IP4 %s" % (audio_port + (image_port or 0), ip), "s=-",
             "c=IN IP4 %s" % ip, "t=0 0", "m=audio %d RTP/AVP 0" % audio_port,
             "a=rtpmap:0 PCMU/8000", "a=ptime:20"]
    if image_port is not None:
        lines += ["m=image %d udptl t38" % image_port]
        if image_port:
            lines += ["a=T38FaxVersion:0", "a=T38MaxBitRate:14400", "a=T38FaxRateManagement:transferredTCF",
                      "a=T38FaxMaxDatagram:400", "a=T38FaxUdpEC:t38UDPRedundancy"]
    return "\r\n".join(lines) + "\r\n"


def sip(start, from_a, cseq, to_tag=True, body=None, branch=[0]):
    branch[0] += 1
    src = A if from_a else B
    msg = (start + "\r\n"
           "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-%d\r\n"
           "From: <sip:fax@%s>;tag=a1\r\n"
           "To: <sip:fax@%s>%s\r\n"
           "Call-ID: %s\r\nCSeq: %s\r\nMax-Forwards: 70\r\n"
           "Contact: <sip:fax@%s:5060>\r\n" % (src, branch[0], A, B, ";tag=b1" if to_tag else "",
                                               CALL_ID, cseq, src))
    if body:
        msg += "Content-Type: application/sdp\r\n"
    msg += "Content-Length: %d\r\n\r\n" % len(body or "") + (body or "")
    return msg.encode()


def rtp(seq, ts, ssrc):
    return struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + b"\xff" * 160


def udptl(seq, n):
    if n % 10 == 0:  # t30 indicator (v21 preamble): no data field
        ifp = bytes([0x06])
    else:  # t30 data v21, one field: hdlc-data with 12 octets
        data = bytes((n * 7 + i) & 0xFF for i in range(12))
        ifp = bytes([0xC0, 0x01, 0x80, 0x00, len(data) - 1]) + data
    # seq, primary IFP (length determinant + IFP), error recovery: secondary
    # IFP packets, none
    return struct.pack("!H", seq & 0xFFFF) + bytes([len(ifp)]) + ifp + b"\x00\x00"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "sip-t38-fax.pcap"
    pkts = []  # (time, frame)

    def put(t, src, sport, dst, dport, payload):
        pkts.append((T0 + t, frame(src, sport, dst, dport, payload)))

    def signal(t, from_a, data):
        put(t, A if from_a else B, 5060, B if from_a else A, 5060, data)

    signal(0.000, True, sip("INVITE sip:fax@%s SIP/2.0" % B, True, "1 INVITE", False, sdp(A, 4000)))
    signal(0.010, False, sip("SIP/2.0 180 Ringing", True, "1 INVITE"))
    signal(0.500, False, sip("SIP/2.0 200 OK", True, "1 INVITE", True, sdp(B, 5000)))
    signal(0.510, True, sip("ACK sip:fax@%s SIP/2.0" % B, True, "1 ACK"))
    # audio: 50 packets each way, 20 ms apart
    for i in range(50):
        put(0.520 + i * 0.020, A, 4000, B, 5000, rtp(1000 + i, 160 * i, 0x11111111))
        put(0.525 + i * 0.020, B, 5000, A, 4000, rtp(2000 + i, 160 * i, 0x22222222))
    # B hears CNG/CED and re-INVITEs to T.38
    signal(1.600, False, sip("INVITE sip:fax@%s SIP/2.0" % A, False, "1 INVITE", True,
                             sdp(B, 0, 5000)).replace(b"From: <sip:fax@10.0.0.1>;tag=a1\r\nTo: <sip:fax@10.0.0.2>;tag=b1",
                                                      b"From: <sip:fax@10.0.0.2>;tag=b1\r\nTo: <sip:fax@10.0.0.1>;tag=a1"))
    signal(1.650, True, sip("SIP/2.0 200 OK", False, "1 INVITE", True, sdp(A, 0, 4000)).replace(
        b"From: <sip:fax@10.0.0.1>;tag=a1\r\nTo: <sip:fax@10.0.0.2>;tag=b1",
        b"From: <sip:fax@10.0.0.2>;tag=b1\r\nTo: <sip:fax@10.0.0.1>;tag=a1"))
    signal(1.660, False, sip("ACK sip:fax@%s SIP/2.0" % A, False, "1 ACK").replace(
        b"From: <sip:fax@10.0.0.1>;tag=a1\r\nTo: <sip:fax@10.0.0.2>;tag=b1",
        b"From: <sip:fax@10.0.0.2>;tag=b1\r\nTo: <sip:fax@10.0.0.1>;tag=a1"))
    # UDPTL: 60 packets from A, 40 from B
    for i in range(60):
        put(1.700 + i * 0.030, A, 4000, B, 5000, udptl(0x8000 + i, i))
    for i in range(40):
        put(1.715 + i * 0.045, B, 5000, A, 4000, udptl(0x8000 + i, i))
    # back to audio, offered by A
    signal(3.600, True, sip("INVITE sip:fax@%s SIP/2.0" % B, True, "2 INVITE", True, sdp(A, 4000, 0)))
    signal(3.650, False, sip("SIP/2.0 200 OK", True, "2 INVITE", True, sdp(B, 5000, 0)))
    signal(3.660, True, sip("ACK sip:fax@%s SIP/2.0" % B, True, "2 ACK"))
    for i in range(25):
        put(3.700 + i * 0.020, A, 4000, B, 5000, rtp(5000 + i, 160 * i, 0x33333333))
        put(3.705 + i * 0.020, B, 5000, A, 4000, rtp(6000 + i, 160 * i, 0x44444444))
    signal(4.300, True, sip("BYE sip:fax@%s SIP/2.0" % B, True, "3 BYE"))
    signal(4.310, False, sip("SIP/2.0 200 OK", True, "3 BYE"))

    pkts.sort(key=lambda p: p[0])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for t, data in pkts:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)


if __name__ == "__main__":
    main()
