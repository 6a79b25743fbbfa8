#!/bin/sh
# report_browser.sh TRIALSIM PYTHON3 SRC
# report.html renders in a real browser: Chromium in headless mode takes a 1280 x 3000
# screenshot of the page of a LUPIL-2 run, a sweep and a sample-size search (file://, no
# network), and tests/py/png_not_blank.py checks that each shows a page, not a blank sheet.
# Skipped (exit 77) when no Chromium is installed (Debian: apt-get install chromium).
set -u
exe=$1; py=$2; src=$3
browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
if [ -z "$browser" ]; then echo "SKIPPED: no chromium on PATH (Debian: apt-get install chromium)"; exit 77; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
shot() { # shot NAME DIR: DIR/report.html as NAME.png
  rm -f "$tmp/$1.png"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$tmp/profile" --screenshot="$tmp/$1.png" --window-size=1280,3000 \
    "file://$2/report.html" >"$tmp/$1.log" 2>&1
  if [ -s "$tmp/$1.png" ] && "$py" "$src/tests/py/png_not_blank.py" "$tmp/$1.png" 1280 3000 >"$tmp/$1.check" 2>&1
  then ok "$1: $(tail -1 "$tmp/$1.check")"
  else bad "$1: no usable screenshot"; cat "$tmp/$1.check" "$tmp/$1.log" 2>/dev/null | tail -5; fi
}
"$exe" run "$src/scenarios/lupil2.json" --trials 2000 --out "$tmp/run" --report --quiet || bad "run --report failed"
shot run "$tmp/run"
"$exe" sweep "$src/scenarios/teaching_small.json" --set sample_size=20:60:20 --trials 500 --out "$tmp/sweep" \
  --report --quiet || bad "sweep --report failed"
shot sweep "$tmp/sweep"
"$exe" size "$src/scenarios/teaching_small.json" --analysis itt_pearson --power 0.8 --window 2 --trials 500 \
  --out "$tmp/size" --report --quiet || bad "size --report failed"
shot size "$tmp/size"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
