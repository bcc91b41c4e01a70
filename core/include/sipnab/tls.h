/* What the tls module publishes: the decrypted application data of TLS
 * connections whose keys it has (a key log, or the capture's decryption
 * secrets), so that what TLS carries (SIP over TLS) is analysed like the
 * rest.
 *
 * The plaintext comes as SNB_EV_PACKET events, as the hep module's
 * unwrapped packets do: the addresses, ports, timestamp, frame and VLANs
 * of the TCP segment that completed the TLS record, transport TCP, flags
 * SNB_PKT_TCP_STREAM | SNB_PKT_TLS. The payload is in-order plaintext of
 * one direction: stream_id is that direction's own (the ciphertext
 * direction's id with SNB_TLS_STREAM_BIT set, so it never meets the TCP
 * stream of the ciphertext), stream_offset counts plaintext bytes. A
 * subscriber that wants only what was on the wire skips SNB_PKT_TLS. A
 * direction that cannot be followed any more (a TCP gap, wrong keys) just
 * stops; nothing is published for connections without keys. */
#ifndef SIPNAB_TLS_H
#define SIPNAB_TLS_H

#define SNB_TLS_STREAM_BIT (1ull << 61)

#endif
