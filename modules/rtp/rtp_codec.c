/* Codec facts: the RFC 3551 static payload-type table, the RTP clock of
 * common dynamic encodings by name, and the per-codec E-model inputs used by
 * rtp_mos.c (see docs/modules/rtp-quality.md for the sources). */
#include <stddef.h>
#include <strings.h>

#include "rtp_mos.h"
#include "rtp_stream.h"

typedef struct static_pt {
    const char *name;
    uint32_t clock;
} static_pt_t;

/* RFC 3551 6, tables 4 and 5. 1, 2 and 19 are reserved there but were
 * 1016, G721 and the old CN; Wireshark still gives them an 8000 Hz clock for
 * its jitter, so we do too. G722's RTP clock is 8000 although it samples at
 * 16 kHz (RFC 3551 4.5.2, an historical error kept for compatibility). */
static const static_pt_t static_pts[35] = {
    [0] = {"PCMU", 8000},   [1] = {"1016", 8000},   [2] = {"G721", 8000},   [3] = {"GSM", 8000},
    [4] = {"G723", 8000},   [5] = {"DVI4", 8000},   [6] = {"DVI4", 16000},  [7] = {"LPC", 8000},
    [8] = {"PCMA", 8000},   [9] = {"G722", 8000},   [10] = {"L16", 44100},  [11] = {"L16", 44100},
    [12] = {"QCELP", 8000}, [13] = {"CN", 8000},    [14] = {"MPA", 90000},  [15] = {"G728", 8000},
    [16] = {"DVI4", 11025}, [17] = {"DVI4", 22050}, [18] = {"G729", 8000},  [19] = {"CN", 8000},
    [25] = {"CelB", 90000}, [26] = {"JPEG", 90000}, [28] = {"nv", 90000},   [31] = {"H261", 90000},
    [32] = {"MPV", 90000},  [33] = {"MP2T", 90000}, [34] = {"H263", 90000},
};

const char *rtp_static_pt_name(uint8_t pt)
{
    return pt < sizeof static_pts / sizeof static_pts[0] ? static_pts[pt].name : NULL;
}

const char *rtp_canonical_codec_name(const char *enc)
{
    if (!enc) return NULL;
    for (size_t pt = 0; pt < sizeof static_pts / sizeof static_pts[0]; pt++)
        if (static_pts[pt].name && strcasecmp(enc, static_pts[pt].name) == 0)
            return static_pts[pt].name;
    return enc;
}

uint32_t rtp_static_pt_clock(uint8_t pt)
{
    return pt < sizeof static_pts / sizeof static_pts[0] ? static_pts[pt].clock : 0;
}

uint8_t rtp_static_pt_channels(uint8_t pt)
{
    return pt == 10 ? 2 : rtp_static_pt_name(pt) ? 1 : 0;
}

/* Encoding names (SDP rtpmap, case-insensitive) and their usual RTP clock
 * (IANA media types registry; RFC 7587 for opus, RFC 4733 telephone-event,
 * RFC 4867 AMR/AMR-WB, RFC 3952 iLBC, RFC 5574 speex, RFC 5577 G7221,
 * RFC 6184 H264, RFC 7741 VP8). SDP's own rate always wins over these. */
static const struct {
    const char *name;
    uint32_t clock;
} named_clocks[] = {
    {"opus", 48000},      {"telephone-event", 8000},
    {"AMR", 8000},        {"AMR-WB", 16000},
    {"iLBC", 8000},       {"speex", 8000},
    {"G7221", 16000},     {"H264", 90000},
    {"H265", 90000},      {"VP8", 90000},
    {"VP9", 90000},       {"AV1", 90000},
    {"H263-1998", 90000}, {"H263-2000", 90000},
    {"MP4V-ES", 90000},   {"EVS", 16000},
    {"G726-16", 8000},    {"G726-24", 8000},
    {"G726-32", 8000},    {"G726-40", 8000},
    {"G729D", 8000},      {"G729E", 8000},
    {"GSM-EFR", 8000},    {"red", 1000},
    {"t140", 1000},       {"PCMU", 8000},
    {"PCMA", 8000},       {"G722", 8000},
    {"G729", 8000},       {"G723", 8000},
    {"GSM", 8000},        {"CN", 8000},
    {"L16", 44100},       {"H263", 90000},
    {"H261", 90000},      {"JPEG", 90000},
    {"SILK", 16000},      {"G7291", 16000},
    {"EVRC", 8000},       {"EVRCB", 8000},
    {"EVRCWB", 16000},    {"AMR-WB+", 72000},
    {"MP4A-LATM", 90000}, {"rtx", 0},
};

uint32_t rtp_codec_clock_by_name(const char *name)
{
    if (!name) return 0;
    for (size_t i = 0; i < sizeof named_clocks / sizeof named_clocks[0]; i++)
        if (strcasecmp(named_clocks[i].name, name) == 0) return named_clocks[i].clock;
    return 0;
}

/* E-model codec inputs. Ie and Bpl: ITU-T G.113 Appendix I (Ie table I.1,
 * Bpl table I.3) where it has the codec, otherwise the assumption stated in
 * docs/modules/rtp-quality.md. delay_ms: algorithmic delay (frame +
 * look-ahead) of the codec itself. The first entry is the default. */
static const rtp_codec_facts_t codec_facts[] = {
    {"PCMU", 0, 25.1, 0.125},  {"PCMA", 0, 25.1, 0.125},    {"G711", 0, 25.1, 0.125},
    {"G729", 11, 19.0, 15.0},  {"G729A", 11, 19.0, 15.0},   {"G723", 15, 16.1, 37.5},
    {"G7231", 15, 16.1, 37.5}, {"GSM", 20, 10.0, 20.0},     {"GSM-EFR", 5, 10.0, 20.0},
    {"G722", 0, 25.1, 4.0},    {"iLBC", 11, 32.0, 25.0},    {"opus", 0, 30.0, 26.5},
    {"AMR", 5, 10.0, 25.0},    {"AMR-WB", 0, 10.0, 25.0},   {"speex", 11, 20.0, 30.0},
    {"G7221", 0, 20.0, 40.0},  {"G726-32", 7, 10.0, 0.125}, {"G728", 7, 10.0, 0.625},
};

const rtp_codec_facts_t *rtp_codec_facts(const char *name)
{
    if (name)
        for (size_t i = 0; i < sizeof codec_facts / sizeof codec_facts[0]; i++)
            if (strcasecmp(codec_facts[i].name, name) == 0) return &codec_facts[i];
    return &codec_facts[0];
}

uint32_t rtp_jitter_clock(uint8_t pt, const char *encoding, uint32_t sdp_rate)
{
    if (pt < 96) return rtp_static_pt_clock(pt);
    if (!encoding) return 0;
    if (strncasecmp(encoding, "telephone-event", 15) == 0) return 0;
    return sdp_rate ? sdp_rate : rtp_codec_clock_by_name(encoding);
}
