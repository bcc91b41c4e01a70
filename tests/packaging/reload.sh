#!/usr/bin/env bash
# SIGHUP reload of the INSTALLED daemon (root; run by package.sh after the
# packages are installed). sipnab runs the way sipnab.service starts it: as
# the sipnab user with only CAP_NET_RAW/CAP_NET_ADMIN (setpriv, since systemd
# is not PID 1 in CI), /etc/sipnab/sipnab.conf plus a conf.d drop-in that
# captures SIP on lo. Then:
#  1. a good edit: [core] log_level info -> warn and [sip] output lines ->
#     json. The core applies log_level (the "config: reloaded" info line is
#     no longer printed) and the sip module's reload callback switches its
#     per-message records to JSON: what follows the reload must be JSON.
#  2. a bad edit: one "file:line" refusal, the daemon keeps running on the
#     previous configuration (still captures, still prints lines).
#  3. the edit fixed: log_level back to info, "config: reloaded" is printed.
set -euo pipefail
confd=/etc/sipnab/conf.d
drop=$confd/50-reload-test.conf
port=47611
work=$(mktemp -d /tmp/sipnab-reload.XXXXXX)
out=$work/out
err=$work/err
pid=""
cleanup() {
    local rc=$?
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -f "$drop"
    if [[ $rc != 0 ]]; then
        echo "reload: FAILED; stderr of sipnab:" >&2
        sed 's/^/  /' "$err" >&2 || true
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
fail() { echo "reload: FAILED: $*" >&2; exit 1; }
wait_for() { # text in stderr, seconds
    for _ in $(seq 1 $(($2 * 20))); do grep -qF -- "$1" "$err" && return 0; sleep 0.05; done
    return 1
}
send() { # one SIP OPTIONS in one datagram, with this Call-ID
    python3 -c 'import socket,sys
m=("OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-%s\r\n"
   "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: %s\r\n"
   "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (sys.argv[1], sys.argv[1])
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(m.encode(), ("127.0.0.1", int(sys.argv[2])))' \
        "$1" "$port"
}
write_drop() { # log_level output [extra line]
    cat >"$drop" <<CONF
# written by tests/packaging/reload.sh
[core]
log_level = $1

[pcap "lo"]
interface = lo
filter = "udp port $port"

[sip]
output = $2
${3:-}
CONF
}

[[ ! -e $drop ]] || fail "$drop exists already"
write_drop info lines
# ExecStartPre of the unit
/usr/bin/sipnab -t -q || fail "sipnab -t -q on the installed configuration"
setpriv --reuid=sipnab --regid=sipnab --clear-groups \
    --inh-caps=-all,+net_raw,+net_admin --ambient-caps=-all,+net_raw,+net_admin \
    --bounding-set=-all,+net_raw,+net_admin /usr/bin/sipnab >"$out" 2>"$err" &
pid=$!
wait_for "pcap: lo: capturing (filter: udp port $port)" 10 || fail "no capture on lo as sipnab"
uid=$(awk '/^Uid:/ { print $2 }' /proc/$pid/status)
[[ $uid == $(id -u sipnab) ]] || fail "runs as uid $uid, not sipnab"
grep -q '^CapEff:.*0000000000003000$' /proc/$pid/status || fail "capabilities: $(grep Cap /proc/$pid/status)"
send before-reload
sleep 0.3

# 1. A good edit.
write_drop warn json
kill -HUP "$pid"
# sip says it needs a restart (or, with a reload callback, says nothing)
wait_for "sip: configuration changed" 5 || true
sleep 0.3
grep -qF "config: reload failed" "$err" && fail "the good edit was refused"
kill -0 "$pid" || fail "sipnab died on reload"
if grep -qF "sip: configuration changed; restart sipnab to apply it to this module" "$err" ||
    grep -qF "sip: kept its previous configuration" "$err"; then
    fail "sip did not apply output = json on reload"
fi
sip_applies=yes
grep -qF "config: reloaded" "$err" && fail "log_level = warn was not applied (an info line was printed)"
send after-good-reload
sleep 0.3

# 2. A bad edit: refused with one file:line line, the old configuration runs on.
write_drop info json "max_dialogs = lots"
line=$(grep -n '^max_dialogs = lots$' "$drop" | cut -d: -f1)
kill -HUP "$pid"
want="config: reload failed, keeping the running configuration: $drop:$line: option 'max_dialogs': 'lots' is not an integer"
wait_for "$want" 5 || fail "no file:line refusal ($want)"
[[ $(grep -c "reload failed" "$err") == 1 ]] || fail "more than one refusal line"
sleep 0.3
kill -0 "$pid" || fail "sipnab died on a bad reload"
grep -qF "config: reloaded" "$err" && fail "log_level = info of the refused edit was applied"
send after-bad-reload
sleep 0.3

# 3. The edit fixed: taken, and log_level = info shows.
write_drop info json
kill -HUP "$pid"
wait_for "config: reloaded" 5 || fail "the fixed edit was not taken (or log_level = info not applied)"
send after-fixed-reload
sleep 0.3

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[[ $rc == 0 ]] || fail "sipnab exited $rc on SIGTERM"

# stdout (block-buffered, so read after the exit): all four messages, in the
# format the sip module says it uses.
grep -q "Call-ID: before-reload" "$out" || fail "no line for the first message"
for id in after-good-reload after-bad-reload after-fixed-reload; do
    if [[ $sip_applies == no ]]; then
        grep -q "Call-ID: $id" "$out" || fail "sip said it keeps lines, but no line for $id"
    else
        grep -q "\"call_id\":\"$id\"" "$out" || fail "sip took output = json, but no JSON for $id"
    fi
done
echo "reload: as user sipnab with CAP_NET_RAW+CAP_NET_ADMIN: log_level applied on SIGHUP;" \
    "[sip] output lines -> json applied by sip: $sip_applies;" \
    "bad edit refused at $drop:$line, old configuration kept running; fixed edit taken"
