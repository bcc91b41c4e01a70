#!/usr/bin/env bash
# The agent module against the real sipnab-center, end to end on loopback:
# a center and two sipnab agents capturing live on `lo` (each with a BPF
# filter for its own ports), sipp (Debian's sip-tester) placing calls of
# different callers, DIDs, domains and known Call-IDs with RTP, and a log
# file one agent tails. Checked through the center's API with curl:
# sessions by caller, by called DID, by domain and by Call-ID each get
# exactly the matching calls' events, in order; the SSE stream delivers them
# live; RTP samples and a log line arrive; stop and purge; share and revoke;
# export.tar holds one pcap per agent that tshark reads.
# Live capture on lo needs root (CI runs as root): exit 77 (skip) otherwise.
# usage: run.sh SIPNAB SIPNAB_CENTER
set -euo pipefail
sipnab=$1
center=$2
here=$(cd "$(dirname "$0")" && pwd)
if [[ $(id -u) -ne 0 ]]; then echo "SKIPPED: live capture on lo needs root"; exit 77; fi
for t in sipp tshark curl jq python3; do
    command -v $t >/dev/null || { echo "SKIPPED: $t missing (scripts/deps.sh)"; exit 77; }
done
work=$(mktemp -d /tmp/it_agent_center.XXXXXX)
pids=()
main_pid=$BASHPID
cleanup() {
    [[ $BASHPID == "$main_pid" ]] || return 0 # not in a $(...) subshell that exits
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    { for p in "${pids[@]}"; do wait "$p" || true; done; } 2>/dev/null
    if [[ $fails -ne 0 || -n "${KEEP:-}" ]]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
fails=0
trap cleanup EXIT
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() { # expect WHAT GOT WANT
    if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi
}
# Free UDP/TCP ports, chosen at run time (other tests run on this machine).
free_ports() { # free_ports N -> N ports that are free for UDP and TCP now
    python3 - "$1" <<'PY'
import socket, sys
out, socks = [], []
while len(out) < int(sys.argv[1]):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    try:
        u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(("127.0.0.1", p + 1))
        t = socket.socket(); t.bind(("127.0.0.1", p))
    except OSError:
        continue
    socks += [u, u2, t]
    if p % 2: continue  # even media ports: RTCP goes on p + 1
    out.append(p)
print(" ".join(map(str, out)))
PY
}

# stopped PID WHAT: waits up to 20 s for PID to exit (a hang is a failure,
# then it is killed); its exit status in $st.
stopped() {
    local i
    for i in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$1" 2>/dev/null; then
        bad "$2 did not exit within 20 s"
        kill -9 "$1" 2>/dev/null || true
    fi
    st=0
    { wait "$1" || st=$?; } 2>/dev/null
}

OP=operator-secret-e2e
IN=collector-secret-e2e
CMD_A=command-token-agent-a-0123
CMD_B=command-token-agent-b-4567

# ------------------------------------------------------------------ center
cat >"$work/center.conf" <<EOF2
[center]
push_interval = 200ms
sse_keepalive = 1s
EOF2
"$center" --listen 127.0.0.1:0 --db "sqlite:$work/c.db" --operator-token "$OP" \
    --ingest-token "$IN" -c "$work/center.conf" >"$work/center.out" 2>"$work/center.err" &
center_pid=$!
pids+=($center_pid)
for _ in $(seq 100); do
    cport=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/center.out")
    [[ -n "$cport" ]] && break
    sleep 0.05
done
[[ -n "$cport" ]] || { cat "$work/center.err"; echo "center did not start"; exit 1; }
base=http://127.0.0.1:$cport
call() { # call METHOD PATH TOKEN [DATA] -> $code, body in $work/body
    local args=(-s -o "$work/body" -w '%{http_code}' -X "$1")
    [[ -n "$3" ]] && args+=(-H "Authorization: Bearer $3")
    [[ $# -ge 4 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
    code=$(curl "${args[@]}" "$base$2")
}
j() { jq -r "$1" "$work/body"; }

# ------------------------------------------------------------------ agents
read -r a_uas a_uac a_uas_mp a_uac_mp b_uas b_uac b_uas_mp b_uac_mp <<<"$(free_ports 8)"
: >"$work/kamailio.log"
start_agent() { # start_agent NAME TOKEN FILTER [LOGFILE]
    local name=$1 token=$2 filter=$3 log=${4:-}
    cat >"$work/$name.conf" <<EOF2
[core]
load = pcap, sip, rtp, agent
stats = yes
stats_format = json
[pcap "lo"]
interface = lo
filter = $filter
[agent]
center = $base
name = $name
tags = e2e,$name
listen = 127.0.0.1:0
port_file = $work/$name.port
collector_token = $IN
command_token = $token
register_interval = 1s
rtp_sample_interval = 1s
EOF2
    [[ -n "$log" ]] && echo "log_files = $log" >>"$work/$name.conf"
    [[ -n "${agent_extra:-}" ]] && printf '%s\n' "$agent_extra" >>"$work/$name.conf"
    "$sipnab" -c "$work/$name.conf" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    eval "${name//-/_}_pid=$!"
}
agent_extra="state_file = $work/edge-a.state"
start_agent edge-a "$CMD_A" "udp and (port $a_uas or port $a_uac or port $a_uas_mp or port $a_uac_mp)" \
    "$work/kamailio.log"
agent_extra=
start_agent edge-b "$CMD_B" "udp and (port $b_uas or port $b_uac or port $b_uas_mp or port $b_uac_mp)"
for _ in $(seq 100); do
    [[ -s "$work/edge-a.port" && -s "$work/edge-b.port" ]] &&
        grep -q "capturing" "$work/edge-a.err" && grep -q "capturing" "$work/edge-b.err" && break
    sleep 0.1
done
expect "agent a listens and captures" "$(grep -c 'pcap: lo: capturing' "$work/edge-a.err")" 1
expect "agent b listens and captures" "$(grep -c 'pcap: lo: capturing' "$work/edge-b.err")" 1

# Both registered themselves (collector token); the operator enables them.
for _ in $(seq 100); do
    call GET /api/agents "$OP"
    [[ "$(j '[.agents[].name]|sort|join(",")')" == "edge-a,edge-b" ]] && break
    sleep 0.1
done
expect "both agents registered" "$(j '[.agents[].name]|sort|join(",")')" "edge-a,edge-b"
expect "agent a advertises its bound port" "$(j '.agents[]|select(.name=="edge-a")|.url')" \
    "http://127.0.0.1:$(cat "$work/edge-a.port")"
for n in edge-a edge-b; do
    call POST /api/agents "$OP" "{\"name\":\"$n\",\"enabled\":true}"
    expect "enable $n" "$code/$(j .enabled)" "200/true"
done
call GET /api/agents "$OP"
id_a=$(j '.agents[]|select(.name=="edge-a")|.id')
id_b=$(j '.agents[]|select(.name=="edge-b")|.id')

# The command listener: token checked, commands validated.
aport=$(cat "$work/edge-a.port")
acode() { curl -s -o "$work/abody" -w '%{http_code}' "$@"; }
expect "agent: no token -> 401" "$(acode "http://127.0.0.1:$aport/agent/v1/sessions")" 401
expect "agent: collector token -> 401" \
    "$(acode -H "Authorization: Bearer $IN" "http://127.0.0.1:$aport/agent/v1/sessions")" 401
expect "agent: method-only criteria -> 400" "$(acode -X PUT -H "Authorization: Bearer $CMD_A" \
    --data-binary '{"criteria":{"method":"INVITE"}}' \
    "http://127.0.0.1:$aport/agent/v1/sessions/0123456789abcdef0123")" 400
expect "agent: the refusal says why" "$(jq -r .error "$work/abody" | grep -c 'method only')" 1
head -c 2000000 /dev/zero | tr '\0' 'a' >"$work/huge"
expect "agent: a huge body without the token -> 401" "$(acode -X PUT --data-binary "@$work/huge" \
    "http://127.0.0.1:$aport/agent/v1/sessions/0123456789abcdef0123")" 401
expect "agent: a huge body with the token -> 413" "$(acode -X PUT -H "Authorization: Bearer $CMD_A" \
    --data-binary "@$work/huge" "http://127.0.0.1:$aport/agent/v1/sessions/0123456789abcdef0123")" 413

# ------------------------------------------------------------------ sessions
new_session() { # new_session CRITERIA [EXTRA] -> $sid
    call POST /api/sessions "$OP" "{\"label\":\"e2e\",\"duration_seconds\":600,\"criteria\":$1,\"agent_ids\":[$id_a,$id_b]${2:-}}"
    [[ "$code" == 201 ]] || bad "create session $1: $code $(cat "$work/body")"
    sid=$(j .id)
}
new_session '{"from":"+1 (555) 443-0191"}' ',"capture_pcap":true,"capture_rtp":true'
s_caller=$sid
new_session '{"to":"15558672044","method":"INVITE"}'
s_did=$sid
new_session '{"domain":"example.com"}'
s_domain=$sid
new_session '{"call_id":"b3@e2e.test"}'
s_callid=$sid
# Every agent runs the four (the center's PUT, or the next registration).
for _ in $(seq 100); do
    na=$(curl -s -H "Authorization: Bearer $CMD_A" "http://127.0.0.1:$aport/agent/v1/sessions" | jq '.sessions|length')
    nb=$(curl -s -H "Authorization: Bearer $CMD_B" "http://127.0.0.1:$(cat "$work/edge-b.port")/agent/v1/sessions" | jq '.sessions|length')
    [[ "$na/$nb" == 4/4 ]] && break
    sleep 0.1
done
expect "both agents run the four sessions" "$na/$nb" 4/4

# A live reader of the caller session from the start.
curl -s -N -H "Authorization: Bearer $OP" "$base/api/sessions/$s_caller/stream" >"$work/sse" &
ssepid=$!
pids+=($ssepid)

# ------------------------------------------------------------------ calls
# caller;did;domain;hold ms (Call-IDs: a1@e2e.test.. and b1@e2e.test.., from -cid_str)
cat >"$work/calls-a.csv" <<'EOF2'
SEQUENTIAL
15554430191;15558672044;acme.example.com;3000
15550000002;15558670000;globex.example.net;300
15550000003;15558672044;globex.example.net;300
EOF2
cat >"$work/calls-b.csv" <<'EOF2'
SEQUENTIAL
15554430191;15551112222;globex.example.net;300
15550000005;15558670005;acme.example.com;300
15550000006;15558670006;globex.example.net;300
EOF2
run_calls() { # run_calls TAG UAS_PORT UAC_PORT UAS_MP UAC_MP [CALLS]
    local m=${6:-3}
    (cd "$work" && exec sipp -sn uas -i 127.0.0.1 -p "$2" -mp "$4" -m "$m" -nostdin \
        >"$work/uas-$1.out" 2>&1) &
    sleep 0.3
    (cd "$work" && sipp "127.0.0.1:$2" -sf "$here/uac.xml" -inf "$work/calls-$1.csv" -i 127.0.0.1 \
        -p "$3" -mp "$5" -cid_str "$1%u@e2e.test" -m "$m" -r 5 -l 3 -nostdin -timeout 40s -trace_err \
        >"$work/uac-$1.out" 2>&1)
}
run_calls a "$a_uas" "$a_uac" "$a_uas_mp" "$a_uac_mp" &
calls_a=$!
run_calls b "$b_uas" "$b_uac" "$b_uas_mp" "$b_uac_mp" &
calls_b=$!
# During the first call (held 3 s): a Kamailio-style line naming its Call-ID.
for _ in $(seq 50); do
    call GET "/api/sessions/$s_caller/events?limit=100" "$OP"
    [[ "$(j '[.events[]|select(.call_id=="a1@e2e.test")]|length')" -ge 4 ]] && break
    sleep 0.1
done
echo "$(date '+%b %d %T') edge kamailio[42]: NOTICE: <script>: relay ci=a1@e2e.test r=sip:15558672044@acme.example.com" >>"$work/kamailio.log"
echo "$(date '+%b %d %T') edge kamailio[42]: INFO: <core>: unrelated ci=other@elsewhere" >>"$work/kamailio.log"
wait $calls_a && ok "sipp: 3 calls on agent a" || bad "sipp calls on agent a (see $work/uac-a.out)"
wait $calls_b && ok "sipp: 3 calls on agent b" || bad "sipp calls on agent b (see $work/uac-b.out)"

# Let the agents post what they saw (batches go as soon as there are events).
events() { # events SID -> all of the session's events in $work/body
    call GET "/api/sessions/$1/events?limit=500" "$OP"
}
want_sip=6 # INVITE 180 200 ACK BYE 200 per call (sipp's uas sends 180 then 200)
for _ in $(seq 100); do
    events "$s_callid"
    c1=$(j '[.events[]|select(.type=="sip")]|length')
    events "$s_caller"
    c2=$(j '[.events[]|select(.type=="sip")]|length')
    [[ "$c1" == "$want_sip" && "$c2" == $((2 * want_sip)) ]] && break
    sleep 0.2
done

# calls_of: the Call-IDs of a session's SIP events, sorted, comma-joined
calls_of() { events "$1"; j '[.events[]|select(.type=="sip")|.call_id]|unique|join(",")'; }
# per call and agent, the SIP events in seq order must be the dialog in order
order_of() { # order_of SID CALL-ID
    events "$1"
    j "[.events[]|select(.type==\"sip\" and .call_id==\"$2\")]|sort_by(.seq)|map(if .method != \"\" then .method else (.status|tostring) end)|join(\" \")"
}
expect "caller session: exactly the caller's calls, both agents" "$(calls_of "$s_caller")" \
    "a1@e2e.test,b1@e2e.test"
expect "caller session: 12 SIP events" "$(j '[.events[]|select(.type=="sip")]|length')" 12
expect "caller session: agents" "$(j '[.events[]|select(.type=="sip")|.agent]|unique|join(",")')" "edge-a,edge-b"
expect "caller session: a1 in order" "$(order_of "$s_caller" a1@e2e.test)" "INVITE 180 200 ACK BYE 200"
expect "caller session: b1 in order" "$(order_of "$s_caller" b1@e2e.test)" "INVITE 180 200 ACK BYE 200"
events "$s_caller"
# seq per agent grows in the order the center stored the events (RTP
# packets for export.tar take seqs too but are not listed).
for n in edge-a edge-b; do
    expect "caller session: $n seqs increase in arrival order" \
        "$(j "[.events[]|select(.agent==\"$n\")|.seq] as \$s|(\$s == (\$s|sort|unique)) and (\$s[0] == 1)")" true
done
expect "DID session: calls to 15558672044 (INVITE starts following)" "$(calls_of "$s_did")" \
    "a1@e2e.test,a3@e2e.test"
expect "DID session: a3 in order" "$(order_of "$s_did" a3@e2e.test)" "INVITE 180 200 ACK BYE 200"
expect "domain session: calls at example.com hosts" "$(calls_of "$s_domain")" \
    "a1@e2e.test,b2@e2e.test"
expect "Call-ID session: the one call" "$(calls_of "$s_callid")" "b3@e2e.test"
expect "Call-ID session: in order" "$(order_of "$s_callid" b3@e2e.test)" "INVITE 180 200 ACK BYE 200"

# The log line written during the call, in every session following it.
for _ in $(seq 50); do
    events "$s_caller"
    [[ "$(j '[.events[]|select(.type=="log")]|length')" -ge 1 ]] && break
    sleep 0.1
done
expect "log line in the caller session" "$(j '[.events[]|select(.type=="log")|.call_id]|join(",")')" \
    "a1@e2e.test"
expect "log event names the file" "$(j '[.events[]|select(.type=="log")][0].file')" "$work/kamailio.log"
# Rotation (rename and create) and truncation (copytruncate): the lines
# written after either still arrive, none twice.
mv "$work/kamailio.log" "$work/kamailio.log.1"
echo "$(date '+%b %d %T') edge kamailio[42]: NOTICE: after rotation ci=a1@e2e.test" >>"$work/kamailio.log"
for _ in $(seq 50); do
    events "$s_caller"
    [[ "$(j '[.events[]|select(.type=="log")]|length')" -ge 2 ]] && break
    sleep 0.1
done
sleep 0.6
: >"$work/kamailio.log"
sleep 0.6
echo "trunc ci=a1@e2e.test" >>"$work/kamailio.log"
for _ in $(seq 50); do
    events "$s_caller"
    [[ "$(j '[.events[]|select(.type=="log")]|length')" -ge 3 ]] && break
    sleep 0.1
done
sleep 0.5
events "$s_caller"
expect "log lines across rotation and truncation, once each" \
    "$(j '[.events[]|select(.type=="log")|.line|split(": ")|last]|join("|")')" \
    "relay ci=a1@e2e.test r=sip:15558672044@acme.example.com|after rotation ci=a1@e2e.test|trunc ci=a1@e2e.test"
events "$s_did"
expect "log lines in the DID session too" "$(j '[.events[]|select(.type=="log")]|length')" 3
events "$s_callid"
expect "no log line in the Call-ID session" "$(j '[.events[]|select(.type=="log")]|length')" 0

# RTP samples for the caller session (capture_rtp), none elsewhere.
for _ in $(seq 50); do
    events "$s_caller"
    [[ "$(j '[.events[]|select(.type=="rtp")]|length')" -ge 1 ]] && break
    sleep 0.2
done
expect "RTP samples in the caller session" \
    "$(j '[.events[]|select(.type=="rtp")]|length > 0')" true
expect "RTP samples carry packets and the call" \
    "$(j '[.events[]|select(.type=="rtp")][0]|(.packets > 0) and (.call_id != "")')" true
events "$s_did"
expect "no RTP in the DID session" "$(j '[.events[]|select(.type=="rtp")]|length')" 0

# SSE: the live reader got every event of the session, once the agents
# have nothing more to send (the streams' last samples).
prev=-1
for _ in $(seq 60); do
    events "$s_caller"
    total=$(j '.events|length')
    [[ "$total" == "$prev" ]] && break
    prev=$total
    sleep 1
done
for _ in $(seq 50); do [[ $(grep -c '^id: ' "$work/sse" || true) -ge "$total" ]] && break; sleep 0.1; done
expect "SSE delivered the session's events live" "$(grep -c '^id: ' "$work/sse" || true)" "$total"
expect "SSE first event is the INVITE" "$(grep -m1 '^event: ' "$work/sse")" "event: sip"
kill $ssepid 2>/dev/null || true

# ------------------------------------------------------------------ export.tar
curl -s -H "Authorization: Bearer $OP" -o "$work/export.tar" -w '%{http_code}' \
    "$base/api/sessions/$s_caller/export.tar" >"$work/code"
expect "export.tar 200" "$(cat "$work/code")" 200
mkdir -p "$work/x"
tar -xf "$work/export.tar" -C "$work/x"
expect "one pcap per agent" "$(tar -tf "$work/export.tar" | sort | tr '\n' ' ')" "edge-a.pcap edge-b.pcap "
for n in edge-a edge-b; do
    cid=a1@e2e.test
    [[ $n == edge-b ]] && cid=b1@e2e.test
    expect "tshark: $n SIP packets" "$(tshark -r "$work/x/$n.pcap" -Y sip 2>/dev/null | wc -l)" 6
    expect "tshark: $n Call-ID" "$(tshark -r "$work/x/$n.pcap" -Y sip -T fields -e sip.Call-ID 2>/dev/null | sort -u)" "$cid"
    expect "tshark: $n INVITE first" "$(tshark -r "$work/x/$n.pcap" -Y sip -T fields -e sip.Method 2>/dev/null | head -1)" INVITE
    rtp=$(tshark -r "$work/x/$n.pcap" -d "udp.port==$([[ $n == edge-a ]] && echo $a_uas_mp || echo $b_uas_mp),rtp" -Y rtp 2>/dev/null | wc -l)
    expect "tshark: $n RTP packets exported" "$([[ $rtp -gt 0 ]] && echo yes || echo "no ($rtp)")" yes
done

# ------------------------------------------------------------------ share, revoke
call POST "/api/sessions/$s_caller/share" "$OP" '{"expires_in_seconds":600}'
expect "share 201" "$code" 201
tok=$(j .token)
call GET "/api/share/$tok/events?limit=500" ""
expect "shared view lists the events" "$code/$(j '.events|length')" "200/$total"
call DELETE "/api/sessions/$s_caller/share" "$OP"
expect "revoke 204" "$code" 204
call GET "/api/share/$tok" ""
expect "revoked share -> 404" "$code" 404

# ------------------------------------------------------------------ stop, purge
call DELETE "/api/sessions/$s_callid" "$OP"
expect "stop 200" "$code/$(j .status)" "200/stopped"
for _ in $(seq 100); do
    na=$(curl -s -H "Authorization: Bearer $CMD_A" "http://127.0.0.1:$aport/agent/v1/sessions" | jq -r '.sessions|index("'"$s_callid"'")')
    [[ "$na" == null ]] && break
    sleep 0.1
done
expect "the agent stopped the session" "$na" null
call DELETE "/api/sessions/$s_callid?purge=1" "$OP"
expect "purge 200" "$code" 200
call GET "/api/sessions/$s_callid" "$OP"
expect "purged session -> 404" "$code" 404

# ------------------------------------------------------------------ replay, WebRTC
# A third agent reads a capture file (-I) of a call over WebSocket. It was
# registered before (as if it had run earlier) and the session was created
# while it was down: its registration brings the session, and it holds the
# file until that answer came, so the call's first message is not missed.
ws_pcap=$here/../../data/heplify-sip-websocket.pcap
ws_cid=kovfhoptshgn59q712sr
call POST /api/ingest/register "$IN" '{"name":"edge-c","url":"http://127.0.0.1:9","tags":"replay","command_token":"command-token-agent-c-89ab"}'
expect "edge-c pre-registered" "$code" 200
call POST /api/agents "$OP" '{"name":"edge-c","enabled":true}'
id_c=$(j .id)
call POST /api/sessions "$OP" "{\"duration_seconds\":600,\"criteria\":{\"call_id\":\"$ws_cid\"},\"capture_pcap\":true,\"agent_ids\":[$id_c]}"
expect "WebRTC session 201" "$code" 201
s_ws=$(j .id)
cat >"$work/edge-c.conf" <<EOF2
[core]
load = pcap, sip, agent
stats = yes
stats_format = json
[agent]
center = $base
name = edge-c
listen = 127.0.0.1:0
collector_token = $IN
command_token = command-token-agent-c-89ab
EOF2
st=0
timeout 60 "$sipnab" -c "$work/edge-c.conf" -I "$ws_pcap" >"$work/edge-c.out" 2>"$work/edge-c.err" || st=$?
expect "replay agent exits 0 at the end of the file" "$st" 0
want_ws=$(tshark -r "$ws_pcap" -Y "websocket and sip.Call-ID == \"$ws_cid\"" 2>/dev/null | wc -l)
events "$s_ws"
expect "WebRTC: every SIP-over-WebSocket message as a webrtc event" \
    "$(j '[.events[]|select(.type=="webrtc")]|length')" "$want_ws"
expect "WebRTC: events from edge-c, seq from 1" "$(j '[.events[]|.agent]|unique|join(",")')/$(j '[.events[].seq]|min')" "edge-c/1"
expect "WebRTC: the transport" "$(j '[.events[]|select(.type=="webrtc")|.transport]|unique|join(",")')" ws
stored=$(j '.events|length')
expect "edge-c --stats: every event queued and sent, none dropped" \
    "$(grep -o '"agent_events":{[^}]*}' "$work/edge-c.out")" \
    "\"agent_events\":{\"queued\":$stored,\"sent\":$stored,\"dropped_queue_full\":0,\"dropped_refused\":0,\"dropped_at_stop\":0,\"rejected\":0}"
expect "edge-c --stats: registered once" "$(grep -o '"agent_registrations":{[^}]*}' "$work/edge-c.out")" \
    '"agent_registrations":{"ok":1,"failed":0}'
curl -s -H "Authorization: Bearer $OP" -o "$work/ws.tar" "$base/api/sessions/$s_ws/export.tar"
mkdir -p "$work/ws"
tar -xf "$work/ws.tar" -C "$work/ws"
expect "WebRTC export: one pcap" "$(tar -tf "$work/ws.tar" | tr '\n' ' ')" "edge-c.pcap "
# Without the HTTP upgrade (not part of the call) tshark cannot call the
# exported segments WebSocket: compare them with the original's frames of
# the call by TCP sequence number and length.
expect "WebRTC export: exactly the call's WebSocket frames" \
    "$(tshark -r "$work/ws/edge-c.pcap" -Y tcp -T fields -e tcp.seq_raw -e frame.len 2>/dev/null | sort | tr '\n' ' ')" \
    "$(tshark -r "$ws_pcap" -Y "websocket and sip.Call-ID == \"$ws_cid\"" -T fields -e tcp.seq_raw -e frame.len 2>/dev/null | sort | tr '\n' ' ')"
expect "WebRTC export: $want_ws frames over TCP" "$(tshark -r "$work/ws/edge-c.pcap" -Y tcp 2>/dev/null | wc -l)" "$want_ws"

# ------------------------------------------------------------------ TLS listener, session cap
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
read -r d_port <<<"$(free_ports 1)"
agent_extra="tls_cert = $work/cert.pem
tls_key = $work/key.pem
max_sessions = 1"
start_agent edge-d command-token-agent-d-cdef "udp port $d_port"
agent_extra=
for _ in $(seq 100); do [[ -s "$work/edge-d.port" ]] && break; sleep 0.1; done
dport=$(cat "$work/edge-d.port")
dcurl() { curl -s -o "$work/dbody" -w '%{http_code}' --cacert "$work/cert.pem" \
    -H "Authorization: Bearer command-token-agent-d-cdef" "$@"; }
expect "TLS listener: HTTPS with the openssl certificate" "$(dcurl "https://127.0.0.1:$dport/agent/v1/sessions")" 200
expect "TLS listener: plain HTTP refused" \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$dport/agent/v1/sessions" || true)" 000
expect "TLS listener: the first session" "$(dcurl -X PUT --data-binary '{"criteria":{"from":"1"}}' \
    "https://127.0.0.1:$dport/agent/v1/sessions/00000000000000000001")" 200
expect "TLS listener: the same again (idempotent)" "$(dcurl -X PUT --data-binary '{"criteria":{"from":"1"}}' \
    "https://127.0.0.1:$dport/agent/v1/sessions/00000000000000000001")" 200
expect "max_sessions = 1: a second session -> 503" "$(dcurl -X PUT --data-binary '{"criteria":{"from":"2"}}' \
    "https://127.0.0.1:$dport/agent/v1/sessions/00000000000000000002")" 503
expect "stop -> 204" "$(dcurl -X DELETE "https://127.0.0.1:$dport/agent/v1/sessions/00000000000000000001")" 204
expect "then the second fits" "$(dcurl -X PUT --data-binary '{"criteria":{"from":"2"}}' \
    "https://127.0.0.1:$dport/agent/v1/sessions/00000000000000000002")" 200
kill -INT "$edge_d_pid"
stopped "$edge_d_pid" "edge-d"

# ------------------------------------------------------------------ the center away
# The center stops; a log line of the followed call is written meanwhile.
# The agent keeps the event, resends with backoff, and it arrives once the
# center is back (same database, same port).
kill "$center_pid"
stopped "$center_pid" "sipnab-center"
echo "while away ci=a1@e2e.test" >>"$work/kamailio.log"
sleep 2.5
"$center" --listen "127.0.0.1:$cport" --db "sqlite:$work/c.db" --operator-token "$OP" \
    --ingest-token "$IN" -c "$work/center.conf" >"$work/center2.out" 2>>"$work/center.err" &
center_pid=$!
pids+=($center_pid)
for _ in $(seq 100); do grep -q "listening on port" "$work/center2.out" && break; sleep 0.05; done
for _ in $(seq 100); do
    events "$s_caller"
    [[ "$(j '[.events[]|select(.type=="log")]|length')" -ge 4 ]] && break
    sleep 0.1
done
expect "the line written while the center was away arrived" \
    "$(j '[.events[]|select(.type=="log")|.line]|last')" "while away ci=a1@e2e.test"

# ------------------------------------------------------------------ an agent restarts
# edge-a restarts during the sessions, and without its state_file: its seqs
# must continue past the ones the center stored (the registration answer's
# last_seq); from 1 again, the center would take its new events for
# duplicates of the old ones and drop them.
kill -INT "$edge_a_pid"
stopped "$edge_a_pid" "edge-a (restart)"
expect "edge-a stops for the restart" "$st" 0
events "$s_caller" # with what its stop flushed (the streams' final samples)
before=$(j '[.events[]|select(.agent=="edge-a")]|length')
maxseq=$(j '[.events[]|select(.agent=="edge-a")|.seq]|max')
mv "$work/edge-a.out" "$work/edge-a.first.out"
rm -f "$work/edge-a.port"
sed -i '/^state_file/d' "$work/edge-a.conf"
"$sipnab" -c "$work/edge-a.conf" >"$work/edge-a.out" 2>"$work/edge-a.err2" &
edge_a_pid=$!
pids+=($edge_a_pid)
for _ in $(seq 100); do
    [[ -s "$work/edge-a.port" ]] && grep -q capturing "$work/edge-a.err2" &&
        [[ $(grep -c "started" "$work/edge-a.err2") -ge 3 ]] && break
    sleep 0.1
done
expect "edge-a back with its sessions from the registration" "$(grep -c 'session .* started' "$work/edge-a.err2")" 3
cat >"$work/calls-r.csv" <<'EOF2'
SEQUENTIAL
15554430191;15558670099;globex.example.net;300
EOF2
run_calls r "$a_uas" "$a_uac" "$a_uas_mp" "$a_uac_mp" 1 && ok "sipp: a call after the restart" ||
    bad "sipp call after the restart (see $work/uac-r.out)"
for _ in $(seq 100); do
    events "$s_caller"
    [[ "$(j '[.events[]|select(.call_id=="r1@e2e.test" and .type=="sip")]|length')" -ge 6 ]] && break
    sleep 0.1
done
expect "after the restart: the new call's events are stored, in order" \
    "$(order_of "$s_caller" r1@e2e.test)" "INVITE 180 200 ACK BYE 200"
events "$s_caller"
expect "after the restart: seqs past the old ones" \
    "$(j "[.events[]|select(.call_id==\"r1@e2e.test\")|.seq]|min > $maxseq")" true
expect "after the restart: the old events untouched" \
    "$(j "[.events[]|select(.agent==\"edge-a\" and .call_id!=\"r1@e2e.test\")]|length")" "$before"

# The agents' counters: nothing dropped, commands accepted.
kill -INT "$edge_a_pid" "$edge_b_pid"
for p in "$edge_a_pid" "$edge_b_pid"; do
    stopped "$p" "agent $p"
    expect "agent exits cleanly" "$st" 0
done
# edge-a's first run (until its restart), then its second
stat_a() { echo "{$(grep -o "\"agent_$1\":{[^}]*}" "$work/edge-a.${3:-first.}out")}" | jq -r ".agent_$1.$2"; }
expect "edge-a --stats: batches were retried while the center was away" \
    "$(stat_a batches retried | awk '{print ($1 > 0)}')" 1
expect "edge-a --stats: no event dropped" \
    "$(stat_a events dropped_queue_full)/$(stat_a events dropped_refused)/$(stat_a events dropped_at_stop)" 0/0/0
expect "edge-a --stats: every queued event sent" "$(stat_a events sent)" "$(stat_a events queued)"
expect "edge-a --stats: registrations failed while away" \
    "$(stat_a registrations failed | awk '{print ($1 > 0)}')" 1
expect "edge-a --stats: log lines matched" "$(stat_a log_lines matched)" 4
expect "edge-a after the restart --stats: sent all, dropped none" \
    "$(stat_a events sent "")/$(stat_a events queued "")/$(stat_a events dropped_queue_full "")" \
    "$(stat_a events queued "")/$(stat_a events queued "")/0"

echo "$fails failure(s)"
[[ $fails -eq 0 ]]
