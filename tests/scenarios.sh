#!/bin/sh
# scenarios.sh - every shipped scenario must validate, run, and have its keys documented.
#
# usage: sh tests/scenarios.sh /path/to/trialsim /path/to/scenarios
#
# For every *.json directly in the scenarios folder:
#   - `trialsim check FILE` exits 0;
#   - `trialsim run FILE --trials 2000 --threads 2 --out DIR --quiet` exits 0 and writes
#     DIR/summary.json and DIR/analyses.csv (both non-empty);
#   - every key name the file uses, at any depth, appears in backquotes in scenarios/README.md.
#     Keys of the per-arm maps (the children of "response", "mean", "sd", "dropout",
#     "deviation" and "deviators_respond_as" objects) are arm ids, and those of a sweep's "set"
#     are paths into the file - the scenario's own data, not schema keys - and are not looked up.
# Prints one line per check and ends with "N passed, N failed"; exits 1 on any failure.
# POSIX sh and awk only (no jq, no bash).

if [ $# -ne 2 ]; then
  echo "usage: sh $0 /path/to/trialsim /path/to/scenarios" >&2
  exit 2
fi
TRIALSIM=$1
DIR=$2
README=$DIR/README.md

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tsim_scenarios.XXXXXX") || { echo "FAIL: mktemp" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT INT TERM

# Prints "parent<TAB>key" for every object key of a JSON file, where parent is the key whose
# value holds the object (for an object inside an array, the array's key; "" at top level).
json_keys() {
  awk '
    { text = text $0 "\n" }
    END {
      n = length(text); depth = 0; curkey = ""; i = 1
      while (i <= n) {
        c = substr(text, i, 1)
        if (c == "\"") {
          j = i + 1
          while (j <= n) {
            d = substr(text, j, 1)
            if (d == "\\") { j += 2; continue }
            if (d == "\"") break
            j++
          }
          s = substr(text, i + 1, j - i - 1)
          i = j + 1
          k = i
          while (k <= n && index(" \t\r\n", substr(text, k, 1)) > 0) k++
          if (substr(text, k, 1) == ":") {
            print (depth > 0 ? name[depth] : "") "\t" s
            curkey = s
            i = k + 1
          } else {
            curkey = ""
          }
          continue
        }
        if (c == "{" || c == "[") {
          depth++
          name[depth] = (curkey != "") ? curkey : (depth > 1 ? name[depth - 1] : "")
          curkey = ""
        } else if (c == "}" || c == "]") {
          depth--
        } else if (index(" \t\r\n,:", c) == 0) {
          curkey = ""
        }
        i++
      }
    }' "$1"
}

found=0
if [ ! -x "$TRIALSIM" ]; then
  bad "trialsim binary not found or not executable: $TRIALSIM"
fi
if [ -f "$README" ]; then
  ok "README.md exists: $README"
else
  bad "README.md missing: $README"
fi

for f in "$DIR"/*.json; do
  [ -f "$f" ] || continue
  found=$((found + 1))
  base=$(basename "$f" .json)

  if "$TRIALSIM" check "$f" >"$tmp/check.out" 2>&1; then
    ok "$base: trialsim check exits 0"
  else
    bad "$base: trialsim check exits $? - $(head -n 3 "$tmp/check.out" | tr '\n' ' ')"
  fi

  out=$tmp/$base
  rm -rf "$out"
  if "$TRIALSIM" run "$f" --trials 2000 --threads 2 --out "$out" --quiet >"$tmp/run.out" 2>&1; then
    ok "$base: trialsim run --trials 2000 exits 0"
  else
    bad "$base: trialsim run exits $? - $(head -n 3 "$tmp/run.out" | tr '\n' ' ')"
  fi
  for g in summary.json analyses.csv; do
    if [ -s "$out/$g" ]; then
      ok "$base: run wrote $g"
    else
      bad "$base: run did not write $g"
    fi
  done

  if [ -f "$README" ]; then
    missing=""
    nkeys=0
    keys=$(json_keys "$f" | awk -F '\t' '$1 != "response" && $1 != "mean" && $1 != "sd" && $1 != "dropout" && $1 != "deviation" && $1 != "deviators_respond_as" && $1 != "set" && $1 != "probability" && $1 != "shift" && $1 != "strategy" { print $2 }' | sort -u)
    set -f
    for k in $keys; do
      nkeys=$((nkeys + 1))
      grep -F "\`$k\`" "$README" >/dev/null 2>&1 || missing="$missing $k"
    done
    set +f
    if [ "$nkeys" -eq 0 ]; then
      bad "$base: no keys found (cannot parse the file?)"
    elif [ -z "$missing" ]; then
      ok "$base: all $nkeys key names documented in README.md"
    else
      bad "$base: key names not documented in README.md:$missing"
    fi
  fi
done

if [ "$found" -eq 0 ]; then
  bad "no *.json scenario in $DIR"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
