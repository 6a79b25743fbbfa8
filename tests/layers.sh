#!/bin/sh
# layers.sh SRC BUILD - the layers of sim/ run one way, and no two files depend on each other.
#
# sim/ is in layer folders, lowest first (sim/README.md):
#   core kernels stats input model analysis run output app (sim/kernels/README.md: why kernels
#   comes right after core)
# A file may use its own layer and the layers below it, never one above. Two kinds of arrow are
# checked, each as the code really has it:
#   includes  every #include "layer/file.h" (or <layer/file.h>) in sim/ (read from the sources);
#   calls     every symbol an object file of the build uses and another object file defines
#             (nm: what the linker resolves, so a call through a header's declaration counts,
#             and a static inline function in a header counts as an include).
# Every file is one node (a header is not its .c file: a private header may include its module's
# public one). Fails when an arrow runs upward, or when files form a circle (a -> b -> ... -> a)
# through either kind of arrow - headers including each other, or .c files calling each other
# round - and prints each such arrow or circle.
set -u
SRC=$1
BUILD=$2
LAYERS="core kernels stats input model analysis run output app"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- includes: "from to", paths relative to sim/ -------------------------------------------------
(cd "$SRC/sim" && find . -name '*.[ch]' | sed 's|^\./||' | sort) > "$tmp/files"
[ -s "$tmp/files" ] || { echo "layers: no sources under $SRC/sim"; exit 1; }
while read -r f; do
  # "..." includes must name a file of sim/; <...> ones count when they do (sim/ is on the
  # include path, so <run/runner.h> would reach it too), and are system headers otherwise.
  sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*|Q \1|p
          s|^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*|A \1|p' "$SRC/sim/$f" |
    while read -r kind inc; do
      if [ -f "$SRC/sim/$inc" ]; then echo "$f $inc"
      elif [ "$kind" = Q ]; then echo "BAD $f $inc"; fi
    done
done < "$tmp/files" > "$tmp/includes"
if grep -q '^BAD ' "$tmp/includes"; then
  grep '^BAD ' "$tmp/includes" | while read -r _ f inc; do
    echo "include not found as a path under sim/ (write \"layer/file.h\"): $f includes \"$inc\""
  done
  exit 1
fi

# --- calls: object file -> object file through the symbols it uses ---------------------------------
objs=$(find "$BUILD/sim/CMakeFiles/tsim.dir" "$BUILD/sim/CMakeFiles/trialsim.dir" -name '*.o' 2>/dev/null)
[ -d "$BUILD/sim/CMakeFiles/trialsim_mpi.dir/run" ] &&
  objs="$objs $(find "$BUILD/sim/CMakeFiles/trialsim_mpi.dir/run" -name '*.o')"
[ -n "$objs" ] || { echo "layers: no object files under $BUILD/sim (build first)"; exit 1; }
# One nm for all objects (-A: each line starts "OBJECT:"); .../tsim.dir/input/scenario_load.c.o names
# input/scenario_load.c.
{
  # shellcheck disable=SC2086 # the object paths have no spaces
  nm --defined-only -g -A $objs | awk '{ print "DEF", $NF, $1 }'
  # shellcheck disable=SC2086
  nm -u -A $objs | awk '{ print "USE", $NF, $1 }'
} | awk '{ f = $3; sub(/:.*/, "", f); sub(/.*\/[a-z_]*\.dir\//, "", f); sub(/\.o$/, "", f); print $1, $2, f }' \
  > "$tmp/syms"
awk '$1 == "DEF" { def[$2] = $3 } $1 == "USE" { use[NR] = $2 " " $3 }
     END { for (i in use) { split(use[i], u, " "); if ((u[1] in def) && def[u[1]] != u[2])
             print u[2], def[u[1]], u[1] } }' "$tmp/syms" | sort -u > "$tmp/calls"
[ -s "$tmp/calls" ] || { echo "layers: no calls between object files found (nm missing?)"; exit 1; }

# --- the checks ---------------------------------------------------------------------------------
awk -v layers="$LAYERS" '
  BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) rank[L[i]] = i }
  function layer(f,   p) { p = f; sub(/\/.*/, "", p); return p }
  FNR == 1 { kind = (FILENAME ~ /includes$/) ? "include" : "call" }
  {
    from = $1; to = $2; what = (kind == "call") ? " (" $3 ")" : ""
    lf = layer(from); lt = layer(to)
    if (!(lf in rank)) { printf "%s is not in a layer folder\n", from; bad = 1; next }
    if (!(lt in rank)) { printf "%s is not in a layer folder\n", to; bad = 1; next }
    if (rank[lt] > rank[lf]) { printf "upward %s: %s -> %s%s\n", kind, from, to, what; bad = 1 }
    a = from; b = to
    if (a != b && !((a, b) in edge)) { edge[a, b] = 1; out[a] = out[a] " " b; why[a, b] = kind ": " from " -> " to what }
    nodes[a] = 1; nodes[b] = 1
  }
  function dfs(v,   i, k, w, adj) {
    state[v] = 1; stack[++depth] = v
    k = split(out[v], adj, " ")
    for (i = 1; i <= k; i++) {
      w = adj[i]
      if (state[w] == 1) { report(w); continue }
      if (state[w] == 0) dfs(w)
    }
    depth--; state[v] = 2
  }
  function report(w,   i, j, s) {
    for (i = depth; i >= 1 && stack[i] != w; i--) ;
    s = "circle:"
    for (j = i; j <= depth; j++) s = s "\n    " why[stack[j], (j < depth ? stack[j + 1] : w)]
    print s; bad = 1
  }
  END {
    for (v in nodes) if (state[v] == 0) dfs(v)
    ne = 0; for (e in edge) ne++
    if (!bad) printf "layers: %d files, %d arrows between them, none upward, no circle\n", length(nodes), ne
    exit bad
  }' "$tmp/includes" "$tmp/calls"
