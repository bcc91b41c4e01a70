# Sourced by bench/api.sh, bench/mcp.sh and bench/feedlag.sh: the SIP-only
# corpus of N calls they share, generated once into OUT and reused after.
# api_corpus OUT BUILD CALLS [CONCURRENCY]: sets CORPUS (its path) and
# PACKETS (its packet count, from the generator's summary in CORPUS.meta).
api_corpus() {
    local out=$1 build=$2 calls=$3 concurrency=${4:-200} overlap=()
    mkdir -p "$out"
    CORPUS="$out/api-c$calls.pcap"
    if [[ $concurrency != 200 ]]; then # 200: the generator's default
        CORPUS="$out/api-c$calls-k$concurrency.pcap"
        overlap=(--concurrency "$concurrency")
    fi
    if [[ ! -s $CORPUS ]]; then
        [[ -x $build/bench/sipnab-gen ]] || cmake --build "$build" --target sipnab-gen >&2
        "$build/bench/sipnab-gen" --calls "$calls" --rtp-seconds 0 "${overlap[@]}" \
            -o "$CORPUS.tmp" 2>"$CORPUS.meta"
        mv "$CORPUS.tmp" "$CORPUS"
    fi
    PACKETS=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$CORPUS.meta")
}
