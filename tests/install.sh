#!/bin/sh
# install.sh CMAKE BUILD_DIR TRIALSIM [trialsim_mpi]   (TRIALSIM: the build folder's)
# `cmake --install BUILD_DIR --prefix P` into a temporary prefix installs P/bin/trialsim (and
# P/bin/trialsim_mpi when the third argument says it was built) and the shipped scenarios in
# P/share/trialsim/scenarios (and scenarios/published); the installed trialsim, run from another
# folder with no scenario argument, finds P/share/trialsim/scenarios/lupil2.json from its own
# location and writes results/lupil2/ in the current folder - also after the whole prefix is
# moved. A scenarios/lupil2.json in the current folder comes first; with none anywhere, `run`
# exits 2 naming where it looked. The build folder's trialsim finds the scenarios from any
# folder too. Only temporary folders are written (and BUILD_DIR/install_manifest.txt, which
# cmake --install writes).
set -u
cmake=$1; build=$2; exe=$3; mpi=${4:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tsim_install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

if "$cmake" --install "$build" --prefix "$tmp/p" >"$tmp/install.log" 2>&1; then
  ok "cmake --install --prefix $tmp/p"
else
  cat "$tmp/install.log"; bad "cmake --install failed"
fi
progs=trialsim
[ "$mpi" = trialsim_mpi ] && progs="trialsim trialsim_mpi"
for f in $progs; do
  [ -x "$tmp/p/bin/$f" ] && ok "installed bin/$f" || bad "bin/$f not installed"
done
data=$tmp/p/share/trialsim/scenarios
for f in lupil2.json teaching_small.json published/lupil2.json; do
  [ -s "$data/$f" ] && ok "installed share/trialsim/scenarios/$f" || bad "share/trialsim/scenarios/$f not installed"
done

# run_default DIR TRIALSIM: `trialsim run --trials 200` from DIR with no scenario; sets $rc.
run_default() {
  (cd "$1" && "$2" run --trials 200 --threads 2 --quiet) >"$tmp/out" 2>"$tmp/err"
  rc=$?
}
wrote() { [ -s "$1/results/lupil2/summary.json" ] && [ -s "$1/results/lupil2/analyses.csv" ]; }
# expect_results DIR TRIALSIM WHAT: run_default, which must exit 0 having written the results.
expect_results() {
  run_default "$1" "$2"
  if [ $rc -eq 0 ] && wrote "$1"; then ok "$3"; else cat "$tmp/err"; bad "$3: exit $rc"; fi
}

mkdir "$tmp/a"
expect_results "$tmp/a" "$tmp/p/bin/trialsim" \
  "installed trialsim run with no scenario, from another folder, wrote results/lupil2"

# The prefix moved elsewhere: still found from the executable's own location.
mv "$tmp/p" "$tmp/moved"
mkdir "$tmp/b"
expect_results "$tmp/b" "$tmp/moved/bin/trialsim" "the moved installation finds its scenarios"

# The current folder's scenarios/lupil2.json comes first (here a bad one: exit 2 naming it).
mkdir -p "$tmp/c/scenarios"
echo '{}' >"$tmp/c/scenarios/lupil2.json"
run_default "$tmp/c" "$tmp/moved/bin/trialsim"
if [ $rc -eq 2 ] && grep -q "scenarios/lupil2.json" "$tmp/err" && [ ! -e "$tmp/c/results" ]; then
  ok "the current folder's scenarios/lupil2.json is taken first"
else
  cat "$tmp/err"; bad "the current folder's scenarios/lupil2.json was not taken first: exit $rc"
fi

# Nowhere to be found: exit 2, every place looked at named, nothing written.
mkdir -p "$tmp/lone/bin" "$tmp/d"
cp "$tmp/moved/bin/trialsim" "$tmp/lone/bin/trialsim"
run_default "$tmp/d" "$tmp/lone/bin/trialsim"
if [ $rc -eq 2 ] && grep -q "default scenarios/lupil2.json was not found" "$tmp/err" &&
   grep -qF "$tmp/lone/bin/../share/trialsim/scenarios/lupil2.json" "$tmp/err" &&
   [ ! -e "$tmp/d/results" ]; then
  ok "no default scenario anywhere: exit 2 naming where it looked"
else
  cat "$tmp/err"; bad "no default scenario anywhere: exit $rc"
fi

# The build folder's trialsim, from another folder.
mkdir "$tmp/e"
expect_results "$tmp/e" "$exe" "the build folder's trialsim finds the scenarios from another folder"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
