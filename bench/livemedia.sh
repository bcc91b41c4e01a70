#!/usr/bin/env bash
# What the REST API's feed costs a live capture with media flowing
# (docs/benchmark.md, issue 19): an RTP corpus of calls overlapping in time
# is replayed with tcpreplay onto the loopback interface at its recorded
# speed while `sipnab -d lo` captures it, once without and once with
# --api; each run prints the capture process's CPU time over the replay,
# the API process's, and what the feed sent. The row to read is the ratio
# of the capture process's CPU with --api to without.
# Needs root (live capture, raw sends) and tcpreplay (scripts/deps.sh --bench).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD="$ROOT/build"
CALLS=1500
CONCURRENCY=1000
SECONDS_REPLAYED=30
PORT=18320
KEY="bench-key"
EXTRA=()

usage() {
    cat <<'USAGE'
usage: bench/livemedia.sh [--build DIR] [--calls N] [--concurrency C] [--seconds S]
                          [--port P] [-o MOD.KEY=VALUE ...]
  --calls N        calls in the corpus (default 1500; 20 s of RTP each way)
  --concurrency C  calls overlapping (default 1000: about 2000 active streams,
                   100 000 packets/s at the peak)
  --seconds S      seconds of the corpus replayed per run (default 30)
  -o ...           passed to sipnab in both runs
USAGE
}
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --seconds) SECONDS_REPLAYED=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    -o) EXTRA+=(-o "$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "livemedia.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $(id -u) -eq 0 ]] || { echo "livemedia.sh: needs root (live capture on lo)" >&2; exit 2; }
for tool in tcpreplay curl; do
    command -v "$tool" >/dev/null || { echo "livemedia.sh: $tool is not installed (scripts/deps.sh --bench)" >&2; exit 2; }
done
SIPNAB="$BUILD/sipnab"
[[ -x $SIPNAB && -x $BUILD/libexec/sipnab-api && -x $BUILD/bench/sipnab-gen ]] ||
    cmake --build "$BUILD" --target sipnab-all sipnab-gen >&2

mkdir -p "$HERE/out"
CORPUS="$HERE/out/media-c$CALLS-k$CONCURRENCY.pcap"
if [[ ! -s $CORPUS ]]; then
    "$BUILD/bench/sipnab-gen" --calls "$CALLS" --concurrency "$CONCURRENCY" --rtp-seconds 20 \
        --failed 0 -o "$CORPUS.tmp" 2>"$CORPUS.meta"
    mv "$CORPUS.tmp" "$CORPUS"
fi
export SIPNAB_API_KEY=$KEY
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_s() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }'; }

# run MODE: one replay; prints "capture_s api_s" on stdout, details on stderr.
PID=
stop() { [[ -n $PID ]] && { kill -INT "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; PID=; }
trap stop EXIT
run() {
    local mode=$1 args=(-q -N -c /dev/null -d lo -o sip.output=none) child= c0=0 c1=0
    [[ $mode == api ]] && args+=(--api "127.0.0.1:$PORT" -o http.rate_limit=0)
    # Our own HTTP polls on lo are not SIP: keep them out of the capture.
    "$SIPNAB" "${args[@]}" "${EXTRA[@]}" "not port $PORT" >/dev/null 2>"$HERE/out/livemedia-$mode.err" &
    PID=$!
    if [[ $mode == api ]]; then
        for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.05; done
        curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { echo "livemedia.sh: the API did not come up" >&2; exit 1; }
        child=$(awk '{ print $1 }' "/proc/$PID/task/$PID/children")
    fi
    sleep 1 # the capture thread is running; let it settle
    local t0 t1
    t0=$(cpu_ticks "$PID")
    [[ -n $child ]] && c0=$(cpu_ticks "$child")
    tcpreplay -q -i lo --duration="$SECONDS_REPLAYED" "$CORPUS" >"$HERE/out/livemedia-$mode.tcpreplay" 2>&1
    t1=$(cpu_ticks "$PID")
    [[ -n $child ]] && c1=$(cpu_ticks "$child")
    if [[ $mode == api ]]; then
        curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/metrics" |
            awk '$1 ~ /^sipnab_(capture_packets_total|capture_dropped_(kernel|queue)_total|rtp_streams_active|http_(streams|dialogs)_sent_total)$/ { printf "  %s %s\n", $1, $2 }' >&2
    fi
    stop
    echo "$(ticks_s $((t1 - t0))) $(ticks_s $((c1 - c0)))"
}

echo "corpus: $CORPUS ($(sed 's/^sipnab-gen: //; s/ -> .*//' "$CORPUS.meta")), ${SECONDS_REPLAYED} s replayed on lo"
read -r bare_cpu _ < <(run plain)
echo "without --api: capture process ${bare_cpu} s CPU"
read -r api_cpu api_child < <(run api)
echo "with --api:    capture process ${api_cpu} s CPU, API process ${api_child} s"
awk -v a="$api_cpu" -v b="$bare_cpu" 'BEGIN { if (b > 0) printf "capture CPU with --api / without = %.2f\n", a / b }'
