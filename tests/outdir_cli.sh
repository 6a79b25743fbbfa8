#!/bin/sh
# outdir_cli.sh TRIALSIM SCENARIO DATA.json
# An --out folder that cannot be written is bad input found before anything is simulated: run,
# sweep, size and analyze exit with status 2 at once (--trials 10^12 would otherwise run for
# days), say "DIR: cannot write results there: REASON", and leave nothing behind. The cases: a
# path through a regular file, /dev/full (not a folder), a read-only folder and a missing
# folder inside it, a path too long for the files written in it and one with a folder name too
# long. Root passes chmod's read-only permissions, so a read-only folder is made
# immutable with chattr +i when running as root (skipped, and said so, where chattr fails:
# tmpfs, overlay file systems); otherwise with chmod 555. Also: run --quiet says where it wrote,
# and a closed pipe on stdout does not leave the result set without report.html.
set -u
exe=$1; scn=$2; data=$3
tmp=$(mktemp -d)
ro=$tmp/ro
cleanup() { chattr -i "$ro" 2>/dev/null; chmod 755 "$ro" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

touch "$tmp/file"
mkdir "$ro"
have_ro=1
if [ "$(id -u)" = 0 ]; then
  chattr +i "$ro" 2>/dev/null || have_ro=0
else
  chmod 555 "$ro"
fi
[ $have_ro = 1 ] || echo "skip the read-only cases: chattr +i does not work on $tmp"

# check NAME OUT REASON-PATTERN COMMAND...
check() {
  name=$1; out=$2; reason=$3; shift 3
  start=$(date +%s)
  timeout 60 "$exe" "$@" --out "$out" >"$tmp/stdout" 2>"$tmp/err"
  rc=$?
  secs=$(( $(date +%s) - start ))
  if [ $rc -eq 2 ] && [ $secs -le 10 ]; then ok "$name: exit 2 at once (${secs} s)"
  else bad "$name: exit status $rc after ${secs} s, expected 2 at once"; fi
  if grep -q "^trialsim: error: $out: cannot write results there: $reason" "$tmp/err"; then ok "$name: the message names the folder and the reason"
  else bad "$name: unexpected message:"; cat "$tmp/err"; fi
  left=$(find "$tmp" -mindepth 1 -not -name stdout -not -name err -not -path "$tmp/file" -not -path "$ro")
  [ -z "$left" ] && ok "$name: nothing written" || bad "$name: left behind: $left"
}

for cmd in run sweep size analyze; do
  case $cmd in
    run) args="run $scn --trials 1000000000000";;
    sweep) args="sweep $scn --set sample_size=60,80 --trials 1000000000000";;
    size) args="size $scn --analysis itt --power 0.8 --trials 1000000000000";;
    analyze) args="analyze $data";;
  esac
  # shellcheck disable=SC2086
  check "$cmd through a regular file" "$tmp/file/out" "$tmp/file is not a folder" $args
  # shellcheck disable=SC2086
  check "$cmd into /dev/full" /dev/full "it exists and is not a folder" $args
  # too long for the files written in it: refused before any folder is made (the folders were
  # made, then writing failed)
  long=$tmp/$(printf '%0200d/' $(seq 20) | tr 0-9 d)x
  # shellcheck disable=SC2086
  check "$cmd into a path of 4000 bytes" "$long" "the name is longer than 3968 bytes" $args
  # shellcheck disable=SC2086
  check "$cmd into a path with a 256-byte name" "$tmp/a/$(printf '%0256d' 0)/b" \
    "a folder name in it is longer than 255 bytes" $args
  if [ $have_ro = 1 ]; then
    # shellcheck disable=SC2086
    check "$cmd into a read-only folder" "$ro" "cannot create a file in it: " $args
    # shellcheck disable=SC2086
    check "$cmd below a read-only folder" "$ro/a/b" "cannot create a folder in $ro: " $args
  fi
done
# Where the results went: run --quiet prints no table but says it on stderr, as sweep and size
# do (it said nothing at all).
"$exe" run "$scn" --trials 10 --quiet --out "$tmp/q" >"$tmp/stdout" 2>"$tmp/err"
if [ ! -s "$tmp/stdout" ] && grep -q "^trialsim: written: $tmp/q/summary.json, $tmp/q/analyses.csv" "$tmp/err"; then
  ok "run --quiet: nothing on stdout, where it wrote on stderr"
else
  bad "run --quiet: stdout $(wc -c <"$tmp/stdout") bytes, stderr: $(cat "$tmp/err")"
fi
# A folder name with a control character (a tab) is shown escaped (\u0009) and the images are
# still found and named: the lookup was made with the escaped name and said "(no image)" for
# images gnuplot had drawn. Only where gnuplot is installed.
tabdir=$(printf '%s/t\tb' "$tmp")
if command -v gnuplot >/dev/null 2>&1; then
  "$exe" run "$scn" --trials 10 --quiet --out "$tabdir" >"$tmp/stdout" 2>"$tmp/err"
  if [ -s "$tabdir/oc.svg" ] && grep -qF "$tmp/t\\u0009b/oc.svg (and .png)" "$tmp/err"; then
    ok "run --out with a tab in the name: the image named, escaped"
  else bad "run --out with a tab in the name: $(cat "$tmp/err"); files: $(ls "$tabdir" 2>&1 | tr '\n' ' ')"; fi
else echo "skip the tab-in-name case: no gnuplot"; fi
# A reader that closes the pipe at once (`| head`, here `| true`): the result set, report.html
# included, is complete whatever the status (SIGPIPE once killed the run between the table and
# report.html).
{ "$exe" run "$scn" --trials 2000 --report --out "$tmp/pipe"; echo $? >"$tmp/pipe_rc"; } | true
if [ -s "$tmp/pipe/report.html" ] && [ -s "$tmp/pipe/summary.json" ]; then ok "run --report | true: every file written"
else bad "run --report | true: status $(cat "$tmp/pipe_rc"), files: $(ls "$tmp/pipe" 2>&1 | tr '\n' ' ')"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
