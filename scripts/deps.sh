#!/usr/bin/env bash
# Installs the Debian 12 packages sipnab needs to build and test (as root, or
# through sudo). Only missing packages are installed, so a second run is quick
# and needs no network.
set -euo pipefail

packages=(build-essential cmake pkg-config clang clang-format
          libpcap-dev libuv1-dev libjansson-dev libssl-dev libpcre2-dev zlib1g-dev libxml2-dev libcurl4-openssl-dev check
          libmicrohttpd-dev libmimalloc-dev curl openssl python3-requests
          libsqlite3-dev libpq-dev postgresql sqlite3 jq
          gzip procps iproute2 util-linux tshark sngrep fail2ban rsyslog
          sip-tester)
# Node and npm run the MCP test (tests/mcp/run.sh: the official MCP SDK from
# npm). Only when the commands are missing: a Node from elsewhere (NodeSource
# bundles npm) would conflict with Debian's npm package.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [[ "${1:-}" == "--bench" ]]; then
    packages+=(sipgrep time wrk bc tcpreplay)
fi
# scripts/test.sh --package: build the .deb packages, check them, man pages.
if [[ "${1:-}" == "--package" ]]; then
    packages+=(debhelper dpkg-dev fakeroot lintian pandoc man-db logrotate)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
