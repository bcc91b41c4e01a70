#!/bin/sh
# The MCP integration test (CTest: it_mcp_sdk): installs the official MCP
# TypeScript SDK at the version package-lock.json pins (npm ci, from the npm
# registry), then drives sipnab with it over Streamable HTTP and stdio.
# usage: run.sh SIPNAB_BINARY CAPTURE...   Exit 77 (skipped) without node/npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sipnab=$1
shift
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "node/npm not installed (scripts/deps.sh installs nodejs npm): skipped"
    exit 77
fi
cd "$here"
# A lock on the folder: two build trees may run this test at once, and
# npm ci starts by removing node_modules.
exec 9>"$here/.npm-ci.lock"
flock 9
npm ci --no-audit --no-fund --loglevel=error
for capture in "$@"; do
    node client.mjs "$sipnab" "$capture"
done
