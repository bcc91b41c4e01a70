#!/usr/bin/env bash
# MCP benchmark (docs/benchmark.md): the REST benchmark's generated corpus of
# N calls is loaded by sipnab with --api; then one client calls the MCP tool
# list_dialogs with a filter over Streamable HTTP (POST /mcp, one keep-alive
# connection, one request at a time) and we report p50/p99 latency, as a
# legacy client (MCP-Protocol-Version 2025-11-25) and as a stateless one
# (2026-07-28: _meta version and capabilities, Mcp-Method, Mcp-Name).
# usage: bench/mcp.sh [--build DIR] [--calls N] [--requests R] [--port P]
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD="$ROOT/build"
CALLS=100000
REQUESTS=500
PORT=""
KEY="bench-key"
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    *) echo "mcp.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
# A free port picked now (other benchmarks and tests share the machine).
[[ -n $PORT ]] || PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SIPNAB="$BUILD/sipnab"
[[ -x $SIPNAB && -x $BUILD/libexec/sipnab-api ]] || cmake --build "$BUILD" --target sipnab-all >&2
. "$HERE/api_corpus.sh"
api_corpus "$HERE/out" "$BUILD" "$CALLS"
"$SIPNAB" -q -N -c /dev/null -I "$CORPUS" -o sip.output=none -o http.rate_limit=0 \
    --api "127.0.0.1:$PORT" --api-key "$KEY" 2>"$HERE/out/mcp-bench.log" &
PID=$!
trap 'kill -INT $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
python3 - "$PORT" "$KEY" "$CALLS" "$REQUESTS" <<'PY'
import http.client, json, sys, time
port, key, calls, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
hdr = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
       "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)
MODERN = "2026-07-28"
hdr_modern = dict(hdr, **{"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call"})
meta = {"io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {}}
def call(c, name, args, modern=False):
    params = {"name": name, "arguments": args}
    if modern:
        params["_meta"] = meta
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
    t = time.perf_counter()
    c.request("POST", "/mcp", body, dict(hdr_modern, **{"Mcp-Name": name}) if modern else hdr)
    r = c.getresponse()
    data = r.read()
    return time.perf_counter() - t, json.loads(data)
t0 = time.time()
while True:  # until the API process holds every dialog
    try:
        c = conn()
        _, r = call(c, "get_stats", {})
        if r["result"]["structuredContent"]["dialogs"]["total"] >= calls:
            break
    except Exception:
        pass
    if time.time() - t0 > 600:
        sys.exit("mcp.sh: the API never held every dialog")
    time.sleep(0.5)
print(f"corpus: {calls} calls, all held after {time.time() - t0:.1f} s")
c = conn()
for label, args, modern in [("list_dialogs filter state == 'Failed' limit 50",
                     {"filter": "state == 'Failed'", "limit": 50}, False),
                    ("list_dialogs filter state == 'Completed' limit 50",
                     {"filter": "state == 'Completed'", "limit": 50}, False),
                    ("list_dialogs filter from =~ '^9999' limit 50 (few matches)",
                     {"filter": "from =~ '^9999'", "limit": 50}, False),
                    ("2026-07-28 list_dialogs filter state == 'Failed' limit 50",
                     {"filter": "state == 'Failed'", "limit": 50}, True)]:
    lat = []
    total = None
    for _ in range(n):
        dt, r = call(c, "list_dialogs", args, modern)
        if "result" not in r or r["result"].get("isError"):
            sys.exit(f"mcp.sh: {label}: {r}")
        total = r["result"]["structuredContent"]["total"]
        lat.append(dt * 1000)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * len(lat) + 0.5)) - 1)]
    print(f"{label}: total={total} requests={n} p50_ms={pct(50):.2f} p99_ms={pct(99):.2f} max_ms={lat[-1]:.2f}")
PY
