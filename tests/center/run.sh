#!/usr/bin/env bash
# sipnab-center end to end: the real server on an ephemeral loopback port,
# driven by curl; the SQLite file checked with sqlite3; exports opened with
# tar and read by tshark; SSE read live with curl -N; kill -9 after an
# acknowledged batch; a fake agent (python3 http.server) receiving the
# session commands; TLS with a certificate made by openssl; and the store
# tests plus a server run against a temporary PostgreSQL cluster.
# usage: run.sh SIPNAB_CENTER CHECK_CENTER_STORE
set -euo pipefail
center=$1
store_check=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/it_center.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if [[ -n "${pgdata:-}" && -d "$pgdata" ]]; then
        runuser -u "$pguser" -- "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 ||
            "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() { # expect WHAT GOT WANT
    if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi
}

OP=operator-secret-1
IN=collector-secret-1
start_center() { # start_center DB [extra flags...]
    local db=$1
    shift
    : >"$work/out"
    "$center" --listen 127.0.0.1:0 --db "$db" --operator-token "$OP" --ingest-token "$IN" \
        -c "$work/center.conf" "$@" >"$work/out" 2>>"$work/err" &
    cpid=$!
    pids+=("$cpid")
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/out")
        [[ -n "$port" ]] && break
        sleep 0.05
    done
    [[ -n "$port" ]] || { cat "$work/err"; echo "center did not start"; exit 1; }
    base=${scheme:-http}://127.0.0.1:$port
}
# call METHOD PATH TOKEN [DATA|@FILE] -> $code, body in $work/body
call() {
    local args=(-s -k -o "$work/body" -w '%{http_code}' -X "$1")
    [[ -n "$3" ]] && args+=(-H "Authorization: Bearer $3")
    [[ $# -ge 4 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
    code=$(curl "${args[@]}" "$base$2")
}
j() { jq -r "$1" "$work/body"; }
sq() { sqlite3 "$work/c.db" "$1"; }
# batch SESSION FIRST_SEQ COUNT [AGENT]: an ingest body of SIP INVITEs with
# their Ethernet/IPv4/UDP frames
batch() {
    python3 - "$@" <<'PY'
import base64, json, struct, sys
sid, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
agent = sys.argv[4] if len(sys.argv) > 4 else "edge-1"
def frame(i):
    sip = ("INVITE sip:15558672044@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK%d\r\n"
           "Call-ID: c%d@example-sbc\r\nFrom: <sip:15554430191@example.com>;tag=1\r\n"
           "To: <sip:15558672044@example.com>\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n" % (i, i)).encode()
    udp = struct.pack('!HHHH', 5060, 5060, 8 + len(sip), 0) + sip
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                     bytes([192, 0, 2, 10]), bytes([198, 51, 100, 7]))
    s = sum((ip[k] << 8) + ip[k + 1] for k in range(0, 20, 2))
    s = (s >> 16) + (s & 0xffff); s = ~(s + (s >> 16)) & 0xffff
    ip = ip[:10] + struct.pack('!H', s) + ip[12:]
    return bytes(range(12)) + b'\x08\x00' + ip + udp, sip
ev = []
for i in range(first, first + n):
    f, sip = frame(i)
    ts = 1781990000000000 + i * 1000
    ev.append({"session": sid, "seq": i, "ts_us": ts, "type": "sip", "call_id": "c%d@example-sbc" % i,
               "src": "192.0.2.10:5060", "dst": "198.51.100.7:5060", "transport": "udp",
               "method": "INVITE", "status": 0, "summary": "INVITE sip:15558672044@example.com",
               "data": sip.decode(),
               "packet": {"linktype": 1, "ts_us": ts, "orig_len": len(f),
                          "data_b64": base64.b64encode(f).decode()}})
print(json.dumps({"agent": agent, "events": ev}))
PY
}

# A fake agent: logs "METHOD PATH AUTH BODY" per request, answers like the protocol.
cat >"$work/agent.py" <<'PY'
import http.server, sys
log = open(sys.argv[1], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def handle_one(self, code):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        log.write("%s %s %s %s\n" % (self.command, self.path, self.headers.get("Authorization"), body))
        self.send_response(code); self.send_header("Content-Length", "0"); self.end_headers()
    def do_PUT(self): self.handle_one(200)
    def do_DELETE(self): self.handle_one(204)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/agent.py" "$work/agent.log" >"$work/agent.port" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$work/agent.port" ]] && break; sleep 0.05; done
agent_port=$(cat "$work/agent.port")

cat >"$work/center.conf" <<EOF2
[center]
max_duration = 2h        # duration_seconds up to 7200
push_interval = 200ms
sse_keepalive = 1s
max_body = 1m
EOF2

# ---------------------------------------------------------------- SQLite
start_center "sqlite:$work/c.db"
expect "journal mode is WAL" "$(sq 'PRAGMA journal_mode')" wal
expect "schema version" "$(sq 'SELECT version FROM schema_version')" 1

# agents: self-registration (collector token), operator enable
call POST /api/ingest/register "$IN" "{\"name\":\"edge-1\",\"url\":\"http://127.0.0.1:$agent_port\",\"tags\":\"edge,kamailio,fra\",\"command_token\":\"cmd-secret\",\"version\":\"sipnab 0.1\"}"
expect "register 200" "$code" 200
expect "registered agent starts disabled" "$(j .enabled)" false
agent_id=$(j .id)
call POST /api/agents "$OP" '{"name":"edge-1","enabled":true}'
expect "POST /api/agents 200" "$code" 200
expect "agent enabled by operator" "$(j .enabled)" true
expect "tags kept" "$(j .tags)" "edge,kamailio,fra"
call POST /api/agents "$OP" '{"name":"pbx-1","url":"http://127.0.0.1:9","token":"t2","enabled":false,"tags":"pbx,asterisk"}'
expect "second agent 200" "$code" 200
call GET /api/agents "$OP"
expect "GET /api/agents 200" "$code" 200
expect "two agents" "$(j '.agents|length')" 2
expect "no command token listed" "$(j '[.agents[]|has("command_token")]|any')" false

# refusals: right 4xx, nothing stored
before=$(sq 'SELECT COUNT(*) FROM sessions')
call POST /api/sessions "$OP" '{"label":"x","duration_seconds":60,"capture_pcap":true}'
expect "no criterion -> 400" "$code" 400
expect "no criterion says so" "$(j .error | grep -c 'at least one')" 1
call POST /api/sessions "$OP" '{"duration_seconds":60,"criteria":{"method":"INVITE"}}'
expect "method only -> 400" "$code" 400
call POST /api/sessions "$OP" '{"duration_seconds":7201,"criteria":{"from":"1555"}}'
expect "duration over max -> 400" "$code" 400
call POST /api/sessions "$IN" '{"duration_seconds":60,"criteria":{"from":"1555"}}'
expect "operator call with collector token -> 401" "$code" 401
call POST /api/sessions "" '{"duration_seconds":60,"criteria":{"from":"1555"}}'
expect "no token -> 401" "$code" 401
call POST /api/sessions "$OP" '{"duration_seconds":60,"criteria":{"provider_ip":"999.1.1.1"}}'
expect "bad IP -> 400" "$code" 400
call POST /api/sessions "$OP" '{"duration_seconds":60,"criteria":{"from":"1555"},"surprise":1}'
expect "unknown field -> 400" "$code" 400
call POST /api/sessions "$OP" '{"duration_seconds":"60","criteria":{"from":"1555"}}'
expect "wrong type -> 400" "$code" 400
call POST /api/sessions "$OP" '{"criteria":'
expect "bad JSON -> 400" "$code" 400
call POST /api/sessions "$OP" '{"criteria":{"from":"1555"},"agent_ids":[424242]}'
expect "unknown agent id -> 400" "$code" 400
head -c 2000000 /dev/zero | tr '\0' 'a' >"$work/huge"
call POST /api/sessions "$OP" "@$work/huge"
expect "huge body -> 413" "$code" 413
expect "refusals stored no session" "$(sq 'SELECT COUNT(*) FROM sessions')" "$before"
call GET /api/nothing "$OP"
expect "unknown path -> 404" "$code" 404
call PUT /api/sessions "$OP" '{}'
expect "wrong method -> 405" "$code" 405

# a session
call POST /api/sessions "$OP" "{\"label\":\"customer DID test\",\"duration_seconds\":3600,\"criteria\":{\"from\":\"15554430191\",\"to\":\"15558672044\",\"method\":\"INVITE\"},\"capture_rtp\":false,\"capture_pcap\":true,\"agent_ids\":[$agent_id]}"
expect "POST /api/sessions 201" "$code" 201
sid=$(j .id)
expect "status running" "$(j .status)" running
expect "agents count" "$(j .agents)" 1
expect "stream path" "$(j .stream)" "/api/sessions/$sid/stream"
expect "id is 20 hex" "$(echo -n "$sid" | grep -cE '^[0-9a-f]{20}$')" 1

# the start command reaches the agent with its command token
for _ in $(seq 50); do grep -q "PUT /agent/v1/sessions/$sid" "$work/agent.log" 2>/dev/null && break; sleep 0.1; done
expect "PUT sent to the agent" "$(grep -c "^PUT /agent/v1/sessions/$sid Bearer cmd-secret " "$work/agent.log")" 1
expect "command carries the criteria" "$(grep "^PUT /agent/v1/sessions/$sid" "$work/agent.log" | cut -d' ' -f5- | jq -r .criteria.from)" 15554430191

# ingest refusals
batch "$sid" 1 2 >"$work/b0.json"
call POST /api/ingest "$OP" "@$work/b0.json"
expect "ingest with operator token -> 401" "$code" 401
call POST /api/ingest "$IN" '{"agent":"edge-1","events":[{"session":"x"}]}'
expect "malformed batch -> 400" "$code" 400
expect "refused ingests stored nothing" "$(sq 'SELECT COUNT(*) FROM events')" 0

# SSE: a live reader from the start
curl -s -N -H "Authorization: Bearer $OP" "$base/api/sessions/$sid/stream" >"$work/sse1" &
ssepid=$!
pids+=($ssepid)
sleep 0.3

batch "$sid" 1 5 >"$work/b1.json"
call POST /api/ingest "$IN" "@$work/b1.json"
expect "ingest 200" "$code" 200
expect "accepted 5" "$(j .accepted)" 5
call POST /api/ingest "$IN" "@$work/b1.json"
expect "resent batch: 5 duplicates" "$(j .duplicate)/$(j .accepted)" 5/0
batch "$sid" 1 2 pbx-1 >"$work/b2.json"
call POST /api/ingest "$IN" "@$work/b2.json"
expect "agent not targeted: rejected" "$(j .rejected)" 2
batch 00000000000000000000 1 1 >"$work/b3.json"
call POST /api/ingest "$IN" "@$work/b3.json"
expect "unknown session: rejected" "$(j .rejected)" 1

for _ in $(seq 50); do [[ $(grep -c '^id: ' "$work/sse1" || true) -ge 5 ]] && break; sleep 0.1; done
expect "SSE delivered 5 events live" "$(grep -c '^id: ' "$work/sse1")" 5
expect "SSE event type" "$(grep -m1 '^event: ' "$work/sse1")" "event: sip"
sleep 1.3
expect "SSE keep-alive comment" "$(grep -c '^: keep-alive' "$work/sse1" | awk '{print ($1>0)}')" 1
kill $ssepid 2>/dev/null || true
third=$(grep '^id: ' "$work/sse1" | sed -n 3p | cut -d' ' -f2)
timeout 2 curl -s -N -H "Authorization: Bearer $OP" -H "Last-Event-ID: $third" "$base/api/sessions/$sid/stream" >"$work/sse2" || true
expect "SSE resumes after Last-Event-ID" "$(grep '^id: ' "$work/sse2" | cut -d' ' -f2 | tr '\n' ' ')" "$(grep '^id: ' "$work/sse1" | sed -n '4,5p' | cut -d' ' -f2 | tr '\n' ' ')"

# events paging
call GET "/api/sessions/$sid/events?limit=2" "$OP"
expect "events page 200" "$code" 200
expect "page of 2, more" "$(j '.events|length') $(j .more)" "2 true"
next=$(j .next_after)
call GET "/api/sessions/$sid/events?after=$next&limit=10" "$OP"
expect "the rest: 3 events" "$(j '.events|length') $(j .more)" "3 false"
expect "events carry the SIP fields" "$(j '.events[0].call_id')" "c3@example-sbc"
expect "events carry the agent" "$(j '.events[0].agent')" "edge-1"
call GET "/api/sessions/$sid/events?after=-1" "$OP"
expect "bad after -> 400" "$code" 400

# kill -9 right after an acknowledged batch; the events are there after restart
batch "$sid" 6 50 >"$work/b4.json"
call POST /api/ingest "$IN" "@$work/b4.json"
expect "batch before kill -9 acknowledged" "$code $(j .accepted)" "200 50"
kill -9 "$cpid"
wait "$cpid" 2>/dev/null || true
start_center "sqlite:$work/c.db"
call GET "/api/sessions/$sid" "$OP"
expect "after kill -9: event_count" "$(j .event_count)" 55
expect "after kill -9: rows" "$(sq "SELECT COUNT(*) FROM events WHERE session_id='$sid'")" 55

# list and get
call GET /api/sessions "$OP"
expect "GET /api/sessions 200" "$code" 200
expect "list shows status, counts, sharing" "$(j '.sessions[0]|[.status,.event_count,.agents,.shared]|@csv')" '"running",55,1,false'
expect "list shows expiry" "$(j '.sessions[0].expires_at' | grep -cE '^20[0-9-]{8}T[0-9:]{8}\.[0-9]{6}Z$')" 1
call GET "/api/sessions/$sid" "$OP"
expect "GET session" "$(j .label)/$(j .criteria.to)" "customer DID test/15558672044"
call GET /api/sessions/0123456789abcdef0123 "$OP"
expect "unknown session -> 404" "$code" 404

# export.tar: one pcap per agent, read by tshark
curl -s -H "Authorization: Bearer $OP" -o "$work/export.tar" -w '%{http_code}' "$base/api/sessions/$sid/export.tar" >"$work/code"
expect "export.tar 200" "$(cat "$work/code")" 200
mkdir -p "$work/x"
tar -xf "$work/export.tar" -C "$work/x"
expect "tar members" "$(tar -tf "$work/export.tar" | tr '\n' ' ')" "edge-1.pcap "
expect "tshark reads 55 packets" "$(tshark -r "$work/x/edge-1.pcap" 2>/dev/null | wc -l)" 55
expect "tshark sees the INVITEs" "$(tshark -r "$work/x/edge-1.pcap" -Y 'sip.Method == "INVITE"' 2>/dev/null | wc -l)" 55
expect "tshark sees Call-ID c1" "$(tshark -r "$work/x/edge-1.pcap" -T fields -e sip.Call-ID -c 1 2>/dev/null)" "c1@example-sbc"

# sharing: read-only views, revocation
call POST "/api/sessions/$sid/share" "$OP" '{"expires_in_seconds":600}'
expect "share 201" "$code" 201
tok=$(j .token)
expect "share url" "$(j .url)" "/api/share/$tok"
call GET "/api/share/$tok" ""
expect "share view 200 without a token" "$code/$(j .id)" "200/$sid"
call GET "/api/share/$tok/events?limit=3" ""
expect "share events" "$code/$(j '.events|length')" "200/3"
timeout 2 curl -s -N "$base/api/share/$tok/stream" >"$work/sse3" || true
expect "share stream" "$(grep -c '^id: ' "$work/sse3")" 55
curl -s -o "$work/share.tar" "$base/api/share/$tok/export.tar"
expect "share export.tar" "$(tar -tf "$work/share.tar")" "edge-1.pcap"
call DELETE "/api/share/$tok" ""
expect "share view is read-only (405)" "$code" 405
call GET /api/sessions "$OP"
expect "list shows shared" "$(j '.sessions[0].shared')" true
curl -s -N "$base/api/share/$tok/stream" >"$work/sse4" &
sse4=$!
pids+=($sse4)
sleep 0.5
call DELETE "/api/sessions/$sid/share" "$OP"
expect "revoke 204" "$code" 204
for _ in $(seq 40); do kill -0 $sse4 2>/dev/null || break; sleep 0.1; done
expect "revoking closes an open shared stream" "$(kill -0 $sse4 2>/dev/null && echo open || echo closed)" closed
call GET "/api/share/$tok" ""
expect "revoked share -> 404" "$code" 404
call GET "/api/share/$tok/export.tar" ""
expect "revoked share export -> 404" "$code" 404

# stop, then purge
call DELETE "/api/sessions/$sid?purge=1" "$OP"
expect "purge of a running session -> 409" "$code" 409
call DELETE "/api/sessions/$sid" "$OP"
expect "stop 200" "$code/$(j .status)" "200/stopped"
for _ in $(seq 50); do grep -q "^DELETE /agent/v1/sessions/$sid" "$work/agent.log" && break; sleep 0.1; done
expect "stop sent to the agent" "$(grep -c "^DELETE /agent/v1/sessions/$sid Bearer cmd-secret" "$work/agent.log")" 1
batch "$sid" 100 1 >"$work/b5.json"
call POST /api/ingest "$IN" "@$work/b5.json"
expect "ingest into a stopped session: rejected" "$(j .rejected)" 1
call DELETE "/api/sessions/$sid?purge=1" "$OP"
expect "purge 200" "$code" 200
expect "purge removed the events" "$(sq "SELECT COUNT(*) FROM events WHERE session_id='$sid'")/$(sq "SELECT COUNT(*) FROM packets WHERE session_id='$sid'")" 0/0
call GET "/api/sessions/$sid" "$OP"
expect "purged session -> 404" "$code" 404

# expiry: a 1 s session by tag becomes expired and its stop is sent
call POST /api/sessions "$OP" '{"duration_seconds":1,"criteria":{"call_id":"c38b4c9d7b0e@example-sbc"},"agent_tags":"kamailio"}'
expect "session by tag 201" "$code/$(j .agents)" 201/1
sid2=$(j .id)
sleep 1.5
for _ in $(seq 30); do
    call GET "/api/sessions/$sid2" "$OP"
    [[ "$(j .status)" == expired ]] && break
    sleep 0.1
done
expect "expired" "$(j .status)" expired
for _ in $(seq 30); do grep -q "^DELETE /agent/v1/sessions/$sid2" "$work/agent.log" && break; sleep 0.1; done
expect "expiry stop sent" "$(grep -c "^DELETE /agent/v1/sessions/$sid2" "$work/agent.log")" 1
kill "$cpid"
wait "$cpid" 2>/dev/null || true

# ---------------------------------------------------------------- retention
# events kept 1 s, checked every second: a stored batch is gone a few
# seconds later, the running session itself stays
cat >"$work/retention.conf" <<EOF2
[center]
event_retention = 1s
packet_retention = 1s
retention_interval = 1s
push_interval = 200ms
EOF2
cp "$work/center.conf" "$work/center.conf.main"
cp "$work/retention.conf" "$work/center.conf"
start_center "sqlite:$work/ret.db"
call POST /api/sessions "$OP" '{"duration_seconds":60,"criteria":{"domain":"example.com"},"capture_pcap":true,"agent_ids":[]}'
call POST /api/ingest/register "$IN" '{"name":"edge-1","url":"","command_token":"c"}'
call POST /api/sessions "$OP" "{\"duration_seconds\":60,\"criteria\":{\"domain\":\"example.com\"},\"capture_pcap\":true,\"agent_ids\":[$(j .id)]}"
rsid=$(j .id)
batch "$rsid" 1 3 >"$work/r1.json"
call POST /api/ingest "$IN" "@$work/r1.json"
expect "retention: batch stored" "$(j .accepted)/$(sqlite3 "$work/ret.db" 'SELECT COUNT(*) FROM events')" 3/3
for _ in $(seq 60); do
    [[ $(sqlite3 "$work/ret.db" 'SELECT COUNT(*) FROM events') == 0 ]] && break
    sleep 0.1
done
expect "retention: events and packets deleted" "$(sqlite3 "$work/ret.db" 'SELECT COUNT(*) FROM events')/$(sqlite3 "$work/ret.db" 'SELECT COUNT(*) FROM packets')" 0/0
call GET "/api/sessions/$rsid" "$OP"
expect "retention: the running session stays" "$code/$(j .status)" 200/running
kill "$cpid"
wait "$cpid" 2>/dev/null || true
cp "$work/center.conf.main" "$work/center.conf"

# ---------------------------------------------------------------- TLS
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1
scheme=https start_center "sqlite:$work/tls.db" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/cert.pem" -H "Authorization: Bearer $OP" "https://127.0.0.1:$port/api/sessions")
expect "HTTPS with the openssl certificate" "$code" 200
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/sessions" || true)
expect "plain HTTP refused on the TLS port" "$([[ "$code" == 200 ]] && echo served || echo refused)" refused
kill "$cpid"
wait "$cpid" 2>/dev/null || true
unset scheme

# ---------------------------------------------------------------- PostgreSQL
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
    echo "skip PostgreSQL: no initdb (apt-get install postgresql)"
else
    pguser=$(id -un)
    pgdir="$work/pg"
    mkdir -p "$pgdir"
    pgdata="$pgdir/data"
    if [[ $(id -u) -eq 0 ]]; then
        pguser=postgres
        id postgres >/dev/null 2>&1 || pguser=nobody
        chown "$pguser" "$pgdir"
        chmod 755 "$work"
    fi
    asuser() { if [[ $(id -u) -eq 0 ]]; then runuser -u "$pguser" -- "$@"; else "$@"; fi; }
    asuser "$pgbin/initdb" -D "$pgdata" -A trust -U center >"$work/initdb.log" 2>&1
    pgport=$((20000 + RANDOM % 20000)) # only names the socket in our private dir
    asuser "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdir/log" -w \
        -o "-c listen_addresses='' -k $pgdir -p $pgport -c fsync=on" start >/dev/null
    pgurl="postgresql:///postgres?host=$pgdir&port=$pgport&user=center"
    if SNB_CENTER_PG_URL="$pgurl" "$store_check" >"$work/pgcheck" 2>&1; then
        ok "store tests on PostgreSQL: $(grep -h '%' "$work/pgcheck" | tr '\n' ' ')"
    else
        cat "$work/pgcheck"
        bad "store tests on PostgreSQL"
    fi
    psql -q -X -d "$pgurl" -c 'DROP TABLE IF EXISTS packets, events, session_agents, sessions, agents, schema_version CASCADE' >/dev/null 2>&1
    start_center "$pgurl"
    call POST /api/ingest/register "$IN" '{"name":"edge-1","url":"http://127.0.0.1:9","tags":"edge","command_token":"c"}'
    call POST /api/sessions "$OP" '{"duration_seconds":60,"criteria":{"to":"15558672044"},"capture_pcap":true,"agent_tags":"edge"}'
    expect "PostgreSQL: session 201" "$code" 201
    psid=$(j .id)
    batch "$psid" 1 20 >"$work/p1.json"
    call POST /api/ingest "$IN" "@$work/p1.json"
    expect "PostgreSQL: ingest acknowledged" "$code/$(j .accepted)" 200/20
    kill -9 "$cpid"
    wait "$cpid" 2>/dev/null || true
    start_center "$pgurl"
    call GET "/api/sessions/$psid/events?limit=100" "$OP"
    expect "PostgreSQL: events after kill -9" "$(j '.events|length')" 20
    curl -s -H "Authorization: Bearer $OP" -o "$work/pg.tar" "$base/api/sessions/$psid/export.tar"
    mkdir -p "$work/px"
    tar -xf "$work/pg.tar" -C "$work/px"
    expect "PostgreSQL: export read by tshark" "$(tshark -r "$work/px/edge-1.pcap" 2>/dev/null | wc -l)" 20
    call POST /api/ingest "$OP" "@$work/p1.json"
    expect "PostgreSQL: ingest with operator token -> 401" "$code" 401
    # the database restarts under a running center: the next call reconnects
    asuser "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdir/log" -w -m fast \
        -o "-c listen_addresses='' -k $pgdir -p $pgport" restart >/dev/null
    call GET "/api/sessions/$psid" "$OP"
    expect "PostgreSQL: after a database restart" "$code/$(j .event_count)" 200/20
    # the export's own connection (used before the restart) reconnects too
    rm -rf "$work/px"
    mkdir -p "$work/px"
    code=$(curl -s -H "Authorization: Bearer $OP" -o "$work/pg2.tar" -w '%{http_code}' \
        "$base/api/sessions/$psid/export.tar")
    tar -xf "$work/pg2.tar" -C "$work/px" 2>/dev/null || true
    expect "PostgreSQL: export after a database restart" \
        "$code/$(tshark -r "$work/px/edge-1.pcap" 2>/dev/null | wc -l)" 200/20
    expect "PostgreSQL: rows" "$(psql -At -X -d "$pgurl" -c 'SELECT COUNT(*) FROM events')" 20
    kill "$cpid"
    wait "$cpid" 2>/dev/null || true
fi

# Under scripts/test.sh --sanitize the server reports here (it exits cleanly
# on SIGTERM, so leaks are checked too).
if grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$work/err"; then
    grep -E -A12 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$work/err" | head -60
    bad "sanitizer report from sipnab-center"
else
    ok "no sanitizer report from sipnab-center"
fi
echo "$fails failure(s)"
[[ $fails -eq 0 ]]
