#!/bin/sh
# atomic_fullout.sh TRIALSIM SCENARIO DATA.json
# Every failed write is a failure. Standard output on a full device (/dev/full): check, run,
# sweep, size and analyze exit 1 and say so. A full disk (a small tmpfs, mounted when this runs
# as root and may mount; skipped otherwise): at every size tried, a sweep either exits 0 with
# every file complete or exits 1 naming what failed, never leaving an empty or truncated file,
# a temporary, or a set mixed with an earlier one.
set -u
exe=$1; scn=$2; data=$3
tmp=$(mktemp -d); mnt=
cleanup() { [ -n "$mnt" ] && umount "$mnt" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

if [ -w /dev/full ]; then
  for cmd in "check $scn" "run $scn --trials 50 --out $tmp/r" "analyze $data --out $tmp/a" \
             "sweep $scn --set sample_size=20,40 --trials 50 --out $tmp/w" \
             "size $scn --analysis itt_pearson --power 0.8 --window 1 --trials 100 --out $tmp/z" "--help"; do
    # shellcheck disable=SC2086
    "$exe" $cmd >/dev/full 2>"$tmp/err"; rc=$?
    [ $rc -eq 1 ] && grep -q "writing to standard output failed" "$tmp/err" \
      && ok "${cmd%% *} >/dev/full: exit 1, said" || { bad "${cmd%% *} >/dev/full: exit $rc"; cat "$tmp/err"; }
  done
else
  echo "skip: no /dev/full"
fi

# A full disk.
mnt="$tmp/disk"; mkdir "$mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
  umount "$mnt"
  for size in 16k 48k 64k 96k 128k 160k 200k 1m; do
    mount -t tmpfs -o size=$size tmpfs "$mnt" || { bad "mount $size failed"; continue; }
    "$exe" sweep "$scn" --set sample_size=20,40 --trials 200 --out "$mnt/o" --quiet >/dev/null 2>"$tmp/err"; rc=$?
    empty=$(find "$mnt/o" -type f -empty ! -name .trialsim.lock 2>/dev/null | tr '\n' ' ')
    litter=$(ls -A "$mnt/o" 2>/dev/null | grep -v '^\.trialsim\.lock$' | grep '^\.' | tr '\n' ' ')
    broken=
    for svg in "$mnt"/o/*.svg; do [ -e "$svg" ] && ! tail -c 20 "$svg" | grep -q '</svg>' && broken="$broken $svg"; done
    if [ $rc -eq 0 ]; then
      [ -z "$empty$litter$broken" ] && [ -s "$mnt/o/power.svg" ] && [ -s "$mnt/o/type1_error.png" ] \
        && ok "disk of $size: exit 0, every file complete" \
        || bad "disk of $size: exit 0 with empty '$empty', truncated '$broken' or left '$litter'"
    elif [ $rc -eq 1 ]; then
      [ -z "$empty$litter$broken" ] && grep -q "trialsim: error: .*\(No space left\|not drawn\)" "$tmp/err" \
        && ! grep -q '\.trialsim-tmp-' "$tmp/err" \
        && ok "disk of $size: exit 1, named: $(grep 'error:' "$tmp/err" | head -n 1)" \
        || { bad "disk of $size: exit 1 but empty '$empty', truncated '$broken', left '$litter' or:"; cat "$tmp/err"; }
    else
      bad "disk of $size: exit $rc"; cat "$tmp/err"
    fi
    umount "$mnt"
  done
  mnt=
else
  mnt=
  echo "skip: cannot mount a small tmpfs here (needs root): the full-disk cases not checked"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
