#!/bin/sh
# revision.sh CMAKE SRC
# sim/revision.cmake, which every build runs to name the source revision in report.html, says
# "unknown" outside a git checkout (also for sources unpacked inside another repository), gives
# `git describe --always --dirty` in one, follows edits and commits made after configuring, and
# leaves the header untouched (no recompilation) when the revision has not changed.
set -u
cmake=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
rev() { # rev DIR: the revision the script writes for DIR
  "$cmake" -DSRC="$1" -DOUT="$tmp/rev.h" -P "$src/sim/revision.cmake" >/dev/null 2>&1 || echo "cmake failed"
  sed -n 's/^#define TSIM_REVISION "\(.*\)"$/\1/p' "$tmp/rev.h"
}
mkdir -p "$tmp/plain"
[ "$(rev "$tmp/plain")" = unknown ] && ok "not a git checkout: unknown" || bad "not a git checkout: $(rev "$tmp/plain")"
if ! command -v git >/dev/null 2>&1; then
  echo "git not found: the checkouts were not tested"
  echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit
fi
g() { git -C "$tmp/repo" -c user.name=t -c user.email=t@t -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
mkdir -p "$tmp/repo/inner" && echo a > "$tmp/repo/f" && echo b > "$tmp/repo/inner/g"
g init -q && g add -A && g commit -qm one
first=$(git -C "$tmp/repo" rev-parse --short HEAD)
[ "$(rev "$tmp/repo")" = "$first" ] && ok "a checkout: its commit $first" || bad "a checkout: $(rev "$tmp/repo"), expected $first"
[ "$(rev "$tmp/repo/inner")" = unknown ] && ok "a folder inside another repository: unknown" \
  || bad "a folder inside another repository: $(rev "$tmp/repo/inner")"
rev "$tmp/repo" >/dev/null; cp -p "$tmp/rev.h" "$tmp/before.h"; sleep 1
rev "$tmp/repo" >/dev/null
[ "$tmp/rev.h" -nt "$tmp/before.h" ] && bad "the header was rewritten with the same revision" \
  || ok "the same revision leaves the header untouched"
echo c >> "$tmp/repo/f"
[ "$(rev "$tmp/repo")" = "$first-dirty" ] && ok "an edit after configuring: $first-dirty" \
  || bad "an edit: $(rev "$tmp/repo"), expected $first-dirty"
g commit -qam two
second=$(git -C "$tmp/repo" rev-parse --short HEAD)
[ "$(rev "$tmp/repo")" = "$second" ] && ok "a new commit: $second" || bad "a new commit: $(rev "$tmp/repo"), expected $second"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
