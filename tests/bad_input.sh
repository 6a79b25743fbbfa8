#!/bin/sh
# bad_input.sh - bad input must exit 2, name every problem, write nothing and never crash.
#
# usage: sh tests/bad_input.sh TRIALSIM CASES_DIR        (CASES_DIR is tests/bad)
#
# Scenario cases: for every CASES_DIR/NAME.json, from inside CASES_DIR (so that messages name
# the file as NAME.json),
#     trialsim check NAME.json
#     trialsim run NAME.json --out $TMP/out --trials 10
# must each exit with status 2 (128 or more is a crash), print every line of NAME.expected
# somewhere on stderr (verbatim, as a fixed string), print no line of NAME.absent (optional:
# messages that would be wrong or misleading), and leave no $TMP/out behind.
#
# Command-line cases: every line of CASES_DIR/cli.cases is "ARGS<TAB>FRAGMENT" (empty lines and
# lines starting with # are skipped). ARGS is split on spaces; @SCENARIO@ stands for the path of
# scenarios/lupil2.json and @OUT@ for $TMP/out. `trialsim ARGS` must exit 2 with FRAGMENT on
# stderr, and leave no $TMP/out behind.
#
# Prints "ok NAME" or "FAIL NAME: reason" (then the stderr) per case, then "N passed, N failed";
# the exit status is 1 if any case failed.

if [ $# -ne 2 ]; then
  echo "usage: sh $0 TRIALSIM CASES_DIR" >&2
  exit 2
fi
case $1 in
  /*) bin=$1 ;;
  *) bin=$(pwd)/$1 ;;
esac
dir=$(cd "$2" && pwd) || exit 2
scenario=$dir/../../scenarios/lupil2.json
if [ ! -x "$bin" ]; then
  echo "bad_input.sh: $bin is not an executable" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bad_input.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# A hang is a failure too: bound each run when coreutils' timeout is there.
limit=
if command -v timeout >/dev/null 2>&1; then limit="timeout 120"; fi

passed=0
failed=0
why=

# run_bin STDERR_FILE ARGS...: runs trialsim, sets $rc.
run_bin() {
  err=$1
  shift
  $limit "$bin" "$@" >"$tmp/stdout" 2>"$err"
  rc=$?
}

# check_status WHAT: appends to $why unless $rc is 2.
check_status() {
  if [ "$rc" -eq 124 ] && [ -n "$limit" ]; then
    why="$why; $1 timed out (hang?)"
  elif [ "$rc" -ge 128 ]; then
    why="$why; $1 crashed (exit status $rc, signal $((rc - 128)))"
  elif [ "$rc" -ne 2 ]; then
    why="$why; $1 exited with $rc, expected 2"
  fi
}

# check_fragments WHAT STDERR_FILE EXPECTED_FILE ABSENT_FILE: appends to $why.
check_fragments() {
  if [ -f "$3" ]; then
    while IFS= read -r frag || [ -n "$frag" ]; do
      [ -z "$frag" ] && continue
      grep -qF -e "$frag" "$2" || why="$why; $1 stderr lacks: $frag"
    done <"$3"
  fi
  if [ -f "$4" ]; then
    while IFS= read -r frag || [ -n "$frag" ]; do
      [ -z "$frag" ] && continue
      grep -qF -e "$frag" "$2" && why="$why; $1 stderr should not contain: $frag"
    done <"$4"
  fi
}

check_nothing_written() {
  if [ -e "$tmp/out" ]; then
    why="$why; $1 created the output folder"
    rm -rf "$tmp/out"
  fi
}

# report NAME STDERR_FILES...: prints the verdict of the case just run.
report() {
  name=$1
  shift
  if [ -z "$why" ]; then
    passed=$((passed + 1))
    echo "ok $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name: ${why#; }"
    for f in "$@"; do
      echo "--- stderr of ${f##*/}:"
      sed 's/^/    /' "$f"
    done
  fi
  why=
}

ncases=0
cd "$dir" || exit 2
for json in *.json; do
  [ -f "$json" ] || continue
  ncases=$((ncases + 1))
  name=${json%.json}
  if [ ! -f "$name.expected" ]; then
    why="; no $name.expected beside $json"
  fi
  run_bin "$tmp/check.err" check "$json"
  check_status check
  check_fragments check "$tmp/check.err" "$name.expected" "$name.absent"
  check_nothing_written check
  run_bin "$tmp/run.err" run "$json" --out "$tmp/out" --trials 10
  check_status run
  check_fragments run "$tmp/run.err" "$name.expected" "$name.absent"
  check_nothing_written run
  report "$name" "$tmp/check.err" "$tmp/run.err"
done

# The command-line cases, one per line: ARGS<TAB>FRAGMENT.
tab=$(printf '\t')
if [ -f cli.cases ] && [ ! -r "$scenario" ]; then
  echo "FAIL cli.cases: $scenario not found (the cases would not test what they say)"
  failed=$((failed + 1))
elif [ -f cli.cases ]; then
  set -f # ARGS are split on spaces but never globbed
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | '#'*) continue ;; esac
    ncases=$((ncases + 1))
    args=${line%%"$tab"*}
    frag=${line#*"$tab"}
    if [ "$args" = "$line" ] || [ -z "$frag" ]; then
      why="; malformed line in cli.cases (expected ARGS<TAB>FRAGMENT)"
      : >"$tmp/cli.err"
    else
      set --
      for w in $args; do
        case $w in *@SCENARIO@*) w=${w%%@SCENARIO@*}$scenario${w#*@SCENARIO@} ;; esac
        case $w in *@OUT@*) w=${w%%@OUT@*}$tmp/out${w#*@OUT@} ;; esac
        set -- "$@" "$w"
      done
      case $frag in *@SCENARIO@*) frag=${frag%%@SCENARIO@*}$scenario${frag#*@SCENARIO@} ;; esac
      run_bin "$tmp/cli.err" "$@"
      check_status "trialsim $args"
      grep -qF -e "$frag" "$tmp/cli.err" || why="$why; stderr lacks: $frag"
      check_nothing_written "trialsim $args"
    fi
    report "cli: $args" "$tmp/cli.err"
  done <cli.cases
  set +f
fi

if [ "$ncases" -eq 0 ]; then
  echo "FAIL: no cases found in $dir"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
