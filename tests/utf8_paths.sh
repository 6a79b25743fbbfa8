#!/bin/sh
# utf8_paths.sh - results stay valid UTF-8 JSON whatever bytes the input's path holds.
#
# usage: sh tests/utf8_paths.sh TRIALSIM SCENARIO
#
# A path is bytes, and a scenario or data file may sit at one that is not UTF-8 (here
# "sc<FF><FE>n.json", Latin-1 or a broken name). run, size and analyze write that path into
# summary.json, size.json and analyze.json; each invalid byte must become U+FFFD (written as
# \ufffd) so that strict JSON readers accept the file. Checked with iconv (every file must be
# valid UTF-8) and grep (the replacement is there).

bin=$1
scenario=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/utf8_paths.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
command -v iconv >/dev/null 2>&1 || { echo "utf8_paths.sh: iconv not found" >&2; exit 77; }

bad=$(printf 'sc\377\376n')
cp "$scenario" "$tmp/$bad.json" || exit 2
printf '{"tables": [{"id": "t", "control": "c", "arms": {"c": {"responders": 3, "n": 10}, "e": {"responders": 6, "n": 10}}}]}\n' >"$tmp/$bad-data.json"
fail=0
"$bin" run "$tmp/$bad.json" --trials 100 --quiet --out "$tmp/run" >/dev/null || { echo "FAIL: run"; fail=1; }
"$bin" analyze "$tmp/$bad-data.json" --out "$tmp/analyze" >/dev/null || { echo "FAIL: analyze"; fail=1; }
analysis=$(sed -n 's/.*"id": *"\([a-z_]*pearson\)".*/\1/p' "$scenario" | head -n 1)
"$bin" size "$tmp/$bad.json" --analysis "$analysis" --power 0.5 --trials 100 --quiet \
  --out "$tmp/size" >/dev/null || { echo "FAIL: size"; fail=1; }
for f in "$tmp/run/summary.json" "$tmp/analyze/analyze.json" "$tmp/size/size.json"; do
  if ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
    echo "FAIL: $f is not valid UTF-8"
    fail=1
  elif ! grep -q 'sc\\ufffd\\ufffdn' "$f"; then
    echo "FAIL: $f lacks the path with its bytes replaced (sc\\ufffd\\ufffdn)"
    fail=1
  else
    echo "ok $(basename "$f")"
  fi
done
exit $fail
