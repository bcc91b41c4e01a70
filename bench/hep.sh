#!/usr/bin/env bash
# HEP listener throughput: hep-flood (a second process) sends HEP v3 SIP
# datagrams to `sipnab -L` on loopback for a bounded time, as fast as it
# can, then below and above a rate limit. Prints packets/s accepted and the
# loss. Loopback only.
#   bench/hep.sh [--build DIR] [--seconds S]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD="$HERE/../build"
SECONDS_EACH=5
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    *) echo "usage: bench/hep.sh [--build DIR] [--seconds S]" >&2; exit 2 ;;
    esac
done
cmake --build "$BUILD" --target hep-flood sipnab-all >/dev/null
PORT=49160
OUT=$(mktemp -d)

# run LABEL RATE_LIMIT FLOOD_RATE
run() {
    local label=$1 limit=$2 rate=$3 args=()
    [[ $limit -gt 0 ]] && args=(--hep-rate-limit "$limit" --hep-allow 127.0.0.0/8)
    "$BUILD/sipnab" -c /dev/null -L "udp:127.0.0.1:$PORT" "${args[@]}" -o sip.output=none \
        --stats --json >"$OUT/stats" 2>"$OUT/err" &
    local pid=$!
    for _ in $(seq 50); do grep -q "listening" "$OUT/err" && break; sleep 0.1; done
    local flood
    flood=$("$BUILD/bench/hep-flood" "$PORT" "$SECONDS_EACH" "$rate")
    sleep 1
    kill -INT "$pid"
    wait "$pid" || true
    local sent received accepted limited
    sent=$(sed -n 's/^sent=\([0-9]*\).*/\1/p' <<<"$flood")
    received=$(grep -o '"hep_received":[0-9]*' "$OUT/stats" | cut -d: -f2)
    accepted=$(grep -o '"hep_accepted":[0-9]*' "$OUT/stats" | cut -d: -f2)
    limited=$(grep -o '"hep_rejected_rate_limited":[0-9]*' "$OUT/stats" | cut -d: -f2)
    awk -v l="$label" -v s="$sent" -v r="$received" -v a="$accepted" -v rl="$limited" \
        -v t="$SECONDS_EACH" 'BEGIN {
        printf "%-34s sent %9d  received %9d  accepted %9d (%8.0f/s)  rate-limited %8d  lost in kernel %5.2f%%\n",
            l, s, r, a, a / t, rl, s ? (s - r) * 100.0 / s : 0 }'
}

echo "machine: nproc=$(nproc), ${SECONDS_EACH}s per run, HEP v3 SIP OPTIONS of ~300 bytes"
run "as fast as possible, no limit" 0 0
run "100k/s offered, limit 200k/s" 200000 100000
run "400k/s offered, limit 50k/s" 50000 400000

# The decoder's own capacity, without sockets: the same datagrams captured in
# a pcap, unwrapped with -E by sipnab with only the pcap and hep modules (HEP
# decode + republish, one core), then with the default SIP and RTP analysis
# of every unwrapped message as well.
"$BUILD/bench/hep-flood" --pcap "$OUT/hep.pcap" 5000000
for mods in "pcap,hep" "pcap,sip,rtp,hep"; do
    quiet=()
    [[ $mods == *sip* ]] && quiet=(-o sip.output=none)
    start=$(date +%s.%N)
    "$BUILD/sipnab" -q -c /dev/null -o "core.load=$mods" "${quiet[@]}" -E -I "$OUT/hep.pcap" \
        --stats --json >"$OUT/stats"
    took=$(echo "$(date +%s.%N) - $start" | bc)
    parsed=$(grep -o '"hep_parsed":[0-9]*' "$OUT/stats" | cut -d: -f2)
    awk -v m="$mods" -v p="$parsed" -v t="$took" 'BEGIN {
        printf "from a pcap, -E, modules %-12s HEP unwrapped %9d in %6.2f s (%8.0f/s)\n", m, p, t, p / t }'
done
rm -rf "$OUT"
