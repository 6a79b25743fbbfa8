#!/bin/sh
# embed_reference.sh NAME - embeds tests/r/NAME_reference.csv into tests/test_NAME.c.
#
# For the tests whose reference cases carry raw data (ranktest, ancova, logistic): the lines of
# the CSV after its header become the C string literals of the test's table
#     static const char *const REF[] = {
#         "line 1, in chunks of 92 characters" "...",
#         ...
#     };
# which the test parses exactly as it parses a CSV file. Run from the repository root after
# regenerating the CSV (Rscript tests/r/NAME_reference.R > tests/r/NAME_reference.csv).
set -eu
if [ $# -ne 1 ]; then
  echo "usage: $0 NAME   (from the repository root)" >&2
  exit 2
fi
csv=tests/r/$1_reference.csv
c=tests/test_$1.c
[ -f "$csv" ] && [ -f "$c" ] || { echo "$0: $csv or $c not found" >&2; exit 2; }
grep -q '^static const char \*const REF\[\] = {$' "$c" || { echo "$0: no REF table in $c" >&2; exit 2; }
tmp=$(mktemp "${TMPDIR:-/tmp}/embed.XXXXXX")
trap 'rm -f "$tmp" "$tmp.c"' EXIT
awk 'NR > 1 { s = $0; printf "    ";
              while (length(s) > 92) { printf "\"%s\"\n    ", substr(s, 1, 92); s = substr(s, 93) }
              printf "\"%s\",\n", s }' "$csv" >"$tmp"
awk -v body="$tmp" '
  /^static const char \*const REF\[\] = \{$/ { print; while ((getline l < body) > 0) print l; skip = 1; next }
  skip && /^\};/ { skip = 0 }
  !skip { print }' "$c" >"$tmp.c"
cat "$tmp.c" >"$c"
