#!/usr/bin/env bash
# Builds sipnab and runs it on a bundled sample capture:
#   ./scripts/demo.sh [capture]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target sipnab-all >/dev/null
capture=${1:-$root/tests/data/sngrep-aaa.pcap}
echo "\$ sipnab -N -I $capture --report --stats" >&2
"$root/build/sipnab" -c /dev/null -N -I "$capture" --report --stats
