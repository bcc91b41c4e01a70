#!/usr/bin/env bash
# Eviction cost: sipnab on N unique calls at the default table caps
# (rtp.max_calls 100 000, sip.max_dialogs 200 000), for N below and far
# beyond the caps. Every eviction must be O(1): the per-call cost at 1 M
# calls should match 100 k's. Calls come from bench/sipnab-gen (SIP only,
# no RTP), so the tables, not the RTP analysis, are measured.
#   bench/evict.sh [--build DIR] [--calls "100000 1000000"]
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD="$HERE/../build"
CALLS="100000 1000000"
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    *) echo "evict.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cmake --build "$BUILD" --target sipnab-gen >/dev/null
printf '%-10s %10s %12s %12s %14s\n' calls "wall s" "us/call" "RSS MiB" "calls evicted"
base=""
for n in $CALLS; do
    "$BUILD/bench/sipnab-gen" --calls "$n" --rtp-seconds 0 --concurrency 2000 -o "$out/c.pcap" >/dev/null 2>&1
    start=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$out/rss" "$BUILD/sipnab" -c /dev/null -N -I "$out/c.pcap" --stats \
        -o sip.output=none >"$out/stats" 2>/dev/null
    wall=$(echo "$EPOCHREALTIME - $start" | bc -l)
    per=$(echo "$wall * 1000000 / $n" | bc -l)
    evicted=$(awk '$1 == "rtp_calls_evicted" {print $2}' "$out/stats")
    printf '%-10s %10.2f %12.2f %12.1f %14s\n' "$n" "$wall" "$per" "$(echo "$(cat "$out/rss") / 1024" | bc -l)" "${evicted:-?}"
    [[ -z $base ]] && base=$per
    last=$per
    rm -f "$out/c.pcap"
done
printf 'per-call cost, largest / smallest: %.2f\n' "$(echo "$last / $base" | bc -l)"
