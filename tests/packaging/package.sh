#!/usr/bin/env bash
# The package stage of CI (scripts/test.sh --package), as root on Debian 12:
# builds the .deb packages in a copy of the tree (the tree stays clean),
# runs lintian (errors fail), installs them with apt-get, runs the installed
# daemon on a bundled capture, `sipnab -t` on the installed configuration,
# the man pages, the -dev package's example module and reload.sh, then
# purges them and checks that nothing is left.
set -euo pipefail
# apt-get, setpriv and the sipnab user need root; CI runs as root.
[[ $(id -u) == 0 ]] || exec sudo -E "$0" "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
work=$(mktemp -d /tmp/sipnab-pkg.XXXXXX)
export DEBIAN_FRONTEND=noninteractive
step() { echo "package: $*" >&2; }
fail() { echo "package: FAILED: $*" >&2; exit 1; }
# A TCP port nothing listens on now (the kernel's pick), so runs do not collide.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pkgs=() # every binary package built (no -dbgsym), filled after the build
purge() {
    apt-get purge -y -qq -o DPkg::Lock::Timeout=300 "${pkgs[@]}" >/dev/null 2>&1 || true
}
installed=0
cleanup() {
    local rc=$?
    [[ $installed == 1 && $rc != 0 ]] && purge
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT

# 1. The tree as git sees it (tracked and new files, without build*/ and
#    anything else .gitignore names), copied so dpkg-buildpackage's debian/tmp,
#    obj-*/ and ../*.deb land in $work. SNB_PACKAGE_REF=HEAD (or any commit)
#    builds that commit instead, e.g. while others' edits in a shared tree
#    do not build.
mkdir "$work/src"
if [[ -n ${SNB_PACKAGE_REF:-} ]]; then
    step "copying $SNB_PACKAGE_REF to $work/src"
    git -C "$root" archive "$SNB_PACKAGE_REF" | tar -x -C "$work/src"
else
    step "copying the tree to $work/src"
    (cd "$root" && git ls-files -z -co --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -x -C "$work/src"
fi

step "dpkg-buildpackage -us -uc -b"
start=$(date +%s)
(cd "$work/src" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b \
    >"$work/build.log" 2>&1) || { tail -40 "$work/build.log" >&2; fail "dpkg-buildpackage"; }
debs=()
for deb in "$work"/*.deb; do
    [[ $deb == *-dbgsym_* ]] && continue
    debs+=("./$(basename "$deb")")
    pkgs+=("$(dpkg-deb -f "$deb" Package)")
done
step "built in $(( $(date +%s) - start ))s: ${pkgs[*]}"

# 2. lintian: no errors; the warnings left are explained in docs/packaging.md.
step "lintian"
# (--show-overrides would count the overridden errors in the exit status:
# lintian itself must succeed, then no E: line may be left)
lintian --fail-on none -I --show-overrides "$work"/sipnab_*.changes >"$work/lintian.log" 2>&1 ||
    { cat "$work/lintian.log" >&2; fail "lintian did not run"; }
sed 's/^/  /' "$work/lintian.log" >&2
grep -q '^E:' "$work/lintian.log" && fail "lintian reports errors"
echo "  lintian: $(grep -c '^E:' "$work/lintian.log" || true) errors," \
    "$(grep -c '^W:' "$work/lintian.log" || true) warnings," \
    "$(grep -c '^I:' "$work/lintian.log" || true) info," \
    "$(grep -c '^O:' "$work/lintian.log" || true) overridden (docs/packaging.md)" >&2

# 3. Install, the way a user would.
step "apt-get install ${debs[*]}"
installed=1
(cd "$work" && apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${debs[@]}" >"$work/install.log" 2>&1) ||
    { cat "$work/install.log" >&2; fail "install"; }
getent passwd sipnab >/dev/null || fail "no sipnab user after install (sysusers)"
[[ -d /run/sipnab && $(stat -c %U /run/sipnab) == sipnab ]] || fail "no /run/sipnab owned by sipnab"
[[ -d /var/log/sipnab && $(stat -c %U /var/log/sipnab) == sipnab ]] || fail "no /var/log/sipnab"
dpkg-query -W -f='${Conffiles}\n' sipnab | grep -q '/etc/sipnab/sipnab.conf' ||
    fail "/etc/sipnab/sipnab.conf is not a conffile"
[[ -d /etc/sipnab/conf.d ]] || fail "no /etc/sipnab/conf.d"
[[ -f /usr/lib/$ma/sipnab/modules/sip.so && -f /usr/lib/$ma/sipnab/modules/http.so &&
    -x /usr/lib/$ma/sipnab/libexec/sipnab-api ]] || fail "modules or the API program missing"
grep -q '^ExecStart=/usr/bin/sipnab' /lib/systemd/system/sipnab.service || fail "unit ExecStart"

# 4. The installed daemon, with the installed configuration.
step "sipnab -t on /etc/sipnab/sipnab.conf"
/usr/bin/sipnab -t 2>&1 | tee "$work/t.out" >&2
grep -q "configuration .* is ok" "$work/t.out" || fail "sipnab -t"
/usr/bin/sipnab -c /etc/sipnab/sipnab.conf -t 2>&1 | grep -q "configuration /etc/sipnab/sipnab.conf is ok" ||
    fail "sipnab -c /etc/sipnab/sipnab.conf -t"
step "every packaged module loads into the installed daemon"
# The agent needs its center and tokens (tokens only from a file, never argv).
printf '[agent]\ncenter = http://127.0.0.1:9\nname = pkg\ncollector_token = c\ncommand_token = pkg-test-command-token\n' \
    >"$work/agent.conf"
for so in /usr/lib/"$ma"/sipnab/modules/*.so; do
    name=$(basename "$so" .so)
    conf=/dev/null
    [[ $name == agent ]] && conf="$work/agent.conf"
    /usr/bin/sipnab -q -c "$conf" --load "$name" -t 2>"$work/load.err" ||
        { cat "$work/load.err" >&2; fail "module $name does not load"; }
done
echo "  $(cd /usr/lib/"$ma"/sipnab/modules && echo *)" >&2
step "the installed daemon on tests/data/sip-register.pcap"
out=$(/usr/bin/sipnab -N -I "$root/tests/data/sip-register.pcap" --stats --json)
grep -q '"udp":2' <<<"$out" || { echo "$out" >&2; fail "installed daemon on a capture"; }
grep -q '"sip_messages":2' <<<"$out" || { echo "$out" >&2; fail "sip counters"; }
# the http module (its own package) is found and serves from the installed libexec
api_port=$(free_port)
/usr/bin/sipnab -q -N -I "$root/tests/data/sip-register.pcap" --api 127.0.0.1:$api_port \
    --api-key k >/dev/null 2>"$work/api.err" &
api_pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$api_port/health >/dev/null && break; sleep 0.05; done
curl -sf -H "Authorization: Bearer k" http://127.0.0.1:$api_port/v1/stats | grep -q '"total":' ||
    { cat "$work/api.err" >&2; kill "$api_pid"; fail "installed API"; }
kill -INT "$api_pid"
wait "$api_pid"

step "sipnab-center: the installed server with the installed configuration"
[[ $(stat -c '%a %U' /etc/sipnab/sipnab-center.conf) == "600 root" ]] ||
    fail "/etc/sipnab/sipnab-center.conf must be 0600 root (it holds the tokens)"
/usr/bin/sipnab-center -c /etc/sipnab/sipnab-center.conf -t 2>&1 | tee "$work/ct.out" >&2 ||
    fail "sipnab-center -t"
center_port=$(free_port)
/usr/bin/sipnab-center -c /etc/sipnab/sipnab-center.conf --db "sqlite:$work/center.db" \
    --listen 127.0.0.1:$center_port >/dev/null 2>"$work/center.err" &
center_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$center_port/api/sessions && break; sleep 0.05; done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer CHANGE-ME-operator" \
    http://127.0.0.1:$center_port/api/sessions)
[[ $code == 200 ]] || { cat "$work/center.err" >&2; kill "$center_pid"; fail "center: GET /api/sessions $code"; }
code=$(curl -s -o "$work/c400" -w '%{http_code}' -H "Authorization: Bearer CHANGE-ME-operator" \
    -H 'Content-Type: application/json' -d '{"criteria":{"method":"INVITE"}}' \
    http://127.0.0.1:$center_port/api/sessions)
[[ $code == 400 ]] || { kill "$center_pid"; fail "center: a method-only session answered $code"; }
kill -TERM "$center_pid"
wait "$center_pid" || true
systemd-analyze verify /lib/systemd/system/sipnab-center.service || fail "systemd-analyze verify center"

step "logrotate"
echo "rotate me" >/var/log/sipnab/output.log
chown sipnab:sipnab /var/log/sipnab/output.log
logrotate -f -s "$work/logrotate.state" /etc/logrotate.d/sipnab || fail "logrotate"
[[ -s /var/log/sipnab/output.log.1 && ! -s /var/log/sipnab/output.log ]] || fail "no rotation"
rm -f /var/log/sipnab/output.log*

step "man pages"
for page in sipnab sipnab.conf; do
    man -w "$page" >/dev/null || fail "no man page $page"
done
# (output kept in a variable first: grep -q would close the pipe early)
page=$(MANWIDTH=80 man sipnab 2>/dev/null)
grep -q -- "--test-config" <<<"$page" || fail "man sipnab"
page=$(MANWIDTH=80 man 5 sipnab.conf 2>/dev/null)
grep -q "conf.d" <<<"$page" || fail "man sipnab.conf"

step "sipnab-dev: the example module builds against the installed headers and loads"
make -s -C /usr/share/doc/sipnab-dev/examples/hello O="$work" >/dev/null
mp="$(pkg-config --variable=moduledir sipnab):$work"
[[ $(pkg-config --variable=moduledir sipnab) == /usr/lib/$ma/sipnab/modules ]] || fail "moduledir"
out=$(/usr/bin/sipnab --module-path "$mp" --hello-greeting hi \
    -I "$root/tests/data/sip-register.pcap" --dialogs-json 2>&1)
grep -q "hello: 2 packets" <<<"$out" || { echo "$out" >&2; fail "hello module"; }

step "reload test"
"$root/tests/packaging/reload.sh"

systemd-analyze verify /lib/systemd/system/sipnab.service || fail "systemd-analyze verify"
step "systemd-analyze security (offline)"
systemd-analyze security --offline=yes /lib/systemd/system/sipnab.service 2>&1 |
    tail -1 >&2 || true

# 5. Purge: nothing of ours is left.
step "apt-get purge -y ${pkgs[*]}"
apt-get purge -y -qq -o DPkg::Lock::Timeout=300 "${pkgs[@]}" >"$work/purge.log" 2>&1 ||
    { cat "$work/purge.log" >&2; fail "purge"; }
installed=0
for p in "${pkgs[@]}"; do
    ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qE 'ok installed|config-files' ||
        fail "$p still installed"
done
for path in /etc/sipnab /usr/lib/$ma/sipnab /usr/bin/sipnab /lib/systemd/system/sipnab.service \
    /usr/lib/sysusers.d/sipnab.conf /etc/logrotate.d/sipnab /var/log/sipnab /usr/include/sipnab \
    /usr/bin/sipnab-center /lib/systemd/system/sipnab-center.service; do
    [[ ! -e $path ]] || fail "$path is left after purge"
done
echo "package: built, lintian clean of errors, installed, ran, reloaded, purged"
