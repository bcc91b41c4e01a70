#!/usr/bin/env bash
# sipnab-center ingest throughput and live delay (issue 16):
#  1. events/s through POST /api/ingest into SQLite and into PostgreSQL,
#     the center pinned to one core (taskset), the client on another;
#     with --callgrind, also the center's instructions per ingested event
#     (valgrind; stable on a shared machine, unlike events/s): the total of
#     a 6-batch run minus a 2-batch run, over 4 batches of events;
#  2. the delay from an event's capture time (ts_us, stamped by the client
#     just before it posts) to its arrival on an SSE client (curl-like
#     reader in python), one event per batch as a live agent sends them.
# PostgreSQL runs as a temporary cluster (initdb) in the work dir.
# usage: bench/center.sh [--build DIR] [--batches N] [--batch-size N]
#                        [--packets yes|no] [--delay-samples N] [--no-pg] [--callgrind]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
batches=40
bsize=1000
packets=yes
samples=200
pg=yes
callgrind=no
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) build=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --batch-size) bsize=$2; shift 2 ;;
    --packets) packets=$2; shift 2 ;;
    --delay-samples) samples=$2; shift 2 ;;
    --no-pg) pg=no; shift ;;
    --callgrind) callgrind=yes; shift ;;
    *) echo "usage: $0 [--build DIR] [--batches N] [--batch-size N] [--packets yes|no] [--delay-samples N] [--no-pg]" >&2; exit 2 ;;
    esac
done
center=$build/sipnab-center
[[ -x $center ]] || { echo "no $center (cmake --build $build --target sipnab-center)" >&2; exit 1; }
work=$(mktemp -d /tmp/bench_center.XXXXXX)
cpid=""
pgdata=""
cleanup() {
    [[ -n "$cpid" ]] && kill "$cpid" 2>/dev/null || true
    if [[ -n "$pgdata" ]]; then
        runuser -u "$pguser" -- "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 ||
            "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
ncpu=$(nproc)
server_cpu=$((ncpu > 1 ? 1 : 0))

start_center() {
    : >"$work/out"
    taskset -c "$server_cpu" "$center" --listen 127.0.0.1:0 --db "$1" --operator-token op \
        --ingest-token in >"$work/out" 2>>"$work/err" &
    cpid=$!
    port=""
    for _ in $(seq 200); do
        port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/out")
        [[ -n "$port" ]] && break
        sleep 0.05
    done
    [[ -n "$port" ]] || { cat "$work/err"; exit 1; }
}
stop_center() { kill "$cpid"; wait "$cpid" 2>/dev/null || true; cpid=""; }

cat >"$work/client.py" <<'PY'
import base64, http.client, json, statistics, struct, sys, threading, time
port, mode = int(sys.argv[1]), sys.argv[2]
H = {"Authorization": "Bearer op", "Content-Type": "application/json"}
HI = {"Authorization": "Bearer in", "Content-Type": "application/json"}
def call(method, path, body=None, headers=H):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse(); d = r.read(); c.close()
    return r.status, (json.loads(d) if d else None)
call("POST", "/api/ingest/register", {"name": "edge-1", "url": "http://127.0.0.1:9", "command_token": "c"}, HI)
st, s2 = call("POST", "/api/sessions", {"duration_seconds": 3600, "criteria": {"to": "15558672044"},
                                        "capture_pcap": True, "agent_ids": [1]})
sid = s2["id"]
SIP = ("INVITE sip:15558672044@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK%d\r\n"
       "Call-ID: c%d@example-sbc\r\nFrom: <sip:15554430191@example.com>;tag=1\r\n"
       "To: <sip:15558672044@example.com>\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
def event(i, ts, with_packet):
    sip = SIP % (i, i)
    e = {"session": sid, "seq": i, "ts_us": ts, "type": "sip", "call_id": "c%d@example-sbc" % i,
         "src": "192.0.2.10:5060", "dst": "198.51.100.7:5060", "transport": "udp", "method": "INVITE",
         "status": 0, "summary": "INVITE sip:15558672044@example.com", "data": sip}
    if with_packet:
        frame = bytes(42) + sip.encode()
        e["packet"] = {"linktype": 1, "ts_us": ts, "orig_len": len(frame),
                       "data_b64": base64.b64encode(frame).decode()}
    return e
if mode == "ingest":
    nb, bs, with_packet = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "yes"
    bodies = [json.dumps({"agent": "edge-1", "events": [event(b * bs + k + 1, 1781990000000000 + b * bs + k, with_packet)
                                                          for k in range(bs)]}).encode() for b in range(nb)]
    c = http.client.HTTPConnection("127.0.0.1", port)
    t0 = time.perf_counter(); acc = 0
    for body in bodies:
        c.request("POST", "/api/ingest", body=body, headers=HI)
        r = c.getresponse(); res = json.loads(r.read())
        if r.status != 200: sys.exit("ingest: %d %s" % (r.status, res))
        acc += res["accepted"]
    dt = time.perf_counter() - t0
    print("%d %.3f %.0f %.1f" % (acc, dt, acc / dt, sum(map(len, bodies)) / len(bodies) / 1024))
else:
    n = int(sys.argv[3]); got = {}
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/api/sessions/%s/stream" % sid, headers=H)
    r = c.getresponse()
    def reader():
        for raw in r:
            line = raw.decode()
            if line.startswith("data: "):
                now = time.time() * 1e6
                e = json.loads(line[6:])
                got[e["seq"]] = now - e["ts_us"]
                if len(got) >= n: return
    t = threading.Thread(target=reader, daemon=True); t.start()
    time.sleep(0.2)
    p = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(1, n + 1):
        body = json.dumps({"agent": "edge-1", "events": [event(i, int(time.time() * 1e6), True)]})
        p.request("POST", "/api/ingest", body=body, headers=HI); p.getresponse().read()
        time.sleep(0.02)
    t.join(10)
    d = sorted(got.values())
    if len(d) < n: sys.exit("sse: only %d of %d events" % (len(d), n))
    print("%d %.2f %.2f %.2f" % (len(d), statistics.median(d) / 1000, d[int(len(d) * 0.99) - 1] / 1000, d[-1] / 1000))
PY

printf '%-11s %-8s %9s %9s %11s %11s\n' backend packets events seconds "events/s" "KiB/batch"
run_ingest() { # LABEL DB
    start_center "$2"
    read -r acc secs rate kib < <(taskset -c 0 python3 "$work/client.py" "$port" ingest "$batches" "$bsize" "$packets")
    printf '%-11s %-8s %9s %9s %11s %11s\n' "$1" "$packets" "$acc" "$secs" "$rate" "$kib"
    stop_center
}
run_delay() { # LABEL DB
    start_center "$2"
    read -r n med p99 max < <(taskset -c 0 python3 "$work/client.py" "$port" delay "$samples")
    echo "capture->SSE delay, $1: $n events, median $med ms, p99 $p99 ms, max $max ms"
    stop_center
}

run_ingest sqlite "sqlite:$work/bench.db"

if [[ $callgrind == yes ]]; then
    cg_total() { # NBATCH -> instructions of the whole center run
        rm -f "$work"/cg.db* "$work"/cg.out*
        : >"$work/out"
        valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$center" \
            --listen 127.0.0.1:0 --db "sqlite:$work/cg.db" --operator-token op --ingest-token in \
            >"$work/out" 2>>"$work/err" &
        cpid=$!
        port=""
        for _ in $(seq 600); do
            port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/out")
            [[ -n "$port" ]] && break
            sleep 0.1
        done
        python3 "$work/client.py" "$port" ingest "$1" "$bsize" "$packets" >/dev/null
        kill -INT "$cpid"
        wait "$cpid" 2>/dev/null || true
        cpid=""
        awk '/^(summary|totals):/ {print $2; exit}' "$work/cg.out"
    }
    small=$(cg_total 2)
    large=$(cg_total 6)
    echo "callgrind, sqlite, packets $packets: $(((large - small) / (4 * bsize))) instructions per event"
fi
delay_sqlite_db="sqlite:$work/delay.db"

if [[ $pg == yes ]]; then
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -x "$pgbin/initdb" ]]; then
        pguser=$(id -un)
        mkdir -p "$work/pg"
        if [[ $(id -u) -eq 0 ]]; then
            pguser=postgres
            id postgres >/dev/null 2>&1 || pguser=nobody
            chown "$pguser" "$work/pg"
            chmod 755 "$work"
        fi
        asuser() { if [[ $(id -u) -eq 0 ]]; then runuser -u "$pguser" -- "$@"; else "$@"; fi; }
        pgdata=$work/pg/data
        asuser "$pgbin/initdb" -D "$pgdata" -A trust -U center >/dev/null
        pgport=$((20000 + RANDOM % 20000))
        asuser taskset -c "$server_cpu" "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg/log" -w \
            -o "-c listen_addresses='' -k $work/pg -p $pgport" start >/dev/null
        run_ingest postgresql "postgresql:///postgres?host=$work/pg&port=$pgport&user=center"
        echo "(postgresql: the server and the center share core $server_cpu)"
    else
        echo "postgresql: skipped (no initdb)"
    fi
fi
run_delay sqlite "$delay_sqlite_db"
