#!/usr/bin/env bash
# Builds the man pages from their markdown sources with pandoc:
#   scripts/man.sh OUTDIR [VERSION]
# docs/man/<page>.<section>.md is the page; a line
# `<!-- include docs/X.md -->` in it is replaced by that file, so
# sipnab(8) carries docs/cli.md and sipnab.conf(5) docs/configuration.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: $0 OUTDIR [VERSION]}
version=${2:-$(sed -n 's/^project(sipnab VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")}
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
mkdir -p "$out"
# Man section titles are upper case: "# Command line" -> COMMAND LINE.
filter=$(mktemp --suffix=.lua)
noadjust=$(mktemp)
trap 'rm -f "$filter" "$noadjust"' EXIT
# Left-aligned text: narrow table columns cannot be justified. On a
# terminal, one long page: tbl then breaks no table row across pages (no
# blank lines inside tables, no "will not fit on one page" at 120 columns).
printf '.ad l\n.if n .pl 100000v\n' >"$noadjust"
cat >"$filter" <<'LUA'
function Header(h)
  if h.level == 1 then
    return pandoc.walk_block(h, {Str = function(s) return pandoc.Str(pandoc.text.upper(s.text)) end})
  end
end
-- Pipe tables wider than a line get column widths from their |---| rows,
-- which at 80 columns leave no room for tbl's gaps: shrink them a little.
function Table(t)
  for i, spec in ipairs(t.colspecs) do
    if type(spec[2]) == "number" then t.colspecs[i] = {spec[1], spec[2] * 0.9} end
  end
  return t
end
LUA
for src in "$root"/docs/man/*.md; do
    page=$(basename "$src" .md) # sipnab.8, sipnab.conf.5
    awk -v root="$root" '
        match($0, /^<!-- include [^ ]+ -->$/) {
            split($0, w, " "); f = root "/" w[3]
            while ((getline line < f) > 0) print line
            close(f); next
        }
        { print }' "$src" |
        pandoc -f markdown -t man -s --lua-filter="$filter" --include-in-header="$noadjust" -M footer="sipnab $version" -M date="$date" -o "$out/$page"
done
