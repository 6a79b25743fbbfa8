#!/bin/sh
# set_record.sh TRIALSIM LUPIL2.json PLANNING.json
# A variant run with --set is recorded and kept apart: run and size write, by default, into
# results/<name>/set/<PATH=VALUE in byte order joined by '+'>/ (a plain run's folder keeps its own
# results and the variant's; the order given and "[00]" for "[0]" do not matter), the printed table's first line names the values, and the run block of
# summary.json (size.json) lists them as "PATH=VALUE"; a plain run lists none. Values that make
# a name over 200 bytes give a shortened name with a digest, distinct for distinct values. Needs
# python3 (standard library) to read the JSON; skipped (77) without one.
set -u
exe=$1; scn=$2; plan=$3
command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: no python3"; exit 77; }
case $exe in /*) ;; *) exe=$(pwd)/$exe ;; esac
case $scn in /*) ;; *) scn=$(pwd)/$scn ;; esac
case $plan in /*) ;; *) plan=$(pwd)/$plan ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# set_of FILE: the run block's "set" as one line ("-" when there is none).
set_of() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["run"]; print("|".join(r["set"]) if "set" in r else "-")' "$1"
}

"$exe" run "$scn" --trials 300 >plain.txt 2>&1 || bad "plain run exited $?"
"$exe" run "$scn" --trials 300 --set 'sites.anomalies[0].enabled=false' --set alpha=0.04 >set.txt 2>&1 ||
  bad "run --set exited $?"
d=results/lupil2/set/alpha=0.04+sites.anomalies_0.enabled=false
if [ -f "$d/summary.json" ] && [ -f results/lupil2/summary.json ]; then ok "run --set wrote $d/, the plain run's results stay"
else bad "run --set: $d/summary.json or results/lupil2/summary.json missing"; ls -R results >&2; fi
[ -f "$d/summary.json" ] && { s=$(set_of "$d/summary.json")
  if [ "$s" = "sites.anomalies[0].enabled=false|alpha=0.04" ]; then ok "summary.json run.set lists the values"
  else bad "summary.json run.set is '$s'"; fi; }
s=$(set_of results/lupil2/summary.json)
if [ "$s" = "-" ]; then ok "a plain run lists no set"; else bad "a plain run lists set '$s'"; fi
if head -1 set.txt | grep -q -- "--set sites.anomalies\[0\].enabled=false --set alpha=0.04)"; then ok "the table's first line names the values"
else bad "first line: $(head -1 set.txt)"; fi
if head -1 plain.txt | grep -q -- "--set"; then bad "a plain run's first line names --set"; else ok "a plain run's first line names none"; fi
# The same values in another order, an index written 00: the same variant, the same folder.
"$exe" run "$scn" --trials 300 --set alpha=0.04 --set 'sites.anomalies[00].enabled=false' --quiet >/dev/null 2>&1
if [ "$(ls results/lupil2/set | wc -l)" -eq 1 ]; then ok "the values in another order, [00] for [0]: the same folder"
else bad "another order or [00] made another folder:"; ls results/lupil2/set >&2; fi
# A plain run again keeps the variant's folder.
"$exe" run "$scn" --trials 300 --quiet >/dev/null 2>&1
if [ -f "$d/summary.json" ]; then ok "a plain run leaves the variant's results"; else bad "a plain run removed $d"; fi

# size --set: below the search's own folder, size.json's run.set.
"$exe" size "$plan" --analysis itt --power 0.8 --trials 1000 --set 'endpoints[0].response.placebo=0.6444' --quiet \
  >/dev/null 2>size.err || bad "size --set exited $?"
f=results/lupil2_planning/size/itt_power0.8/set/endpoints_0.response.placebo=0.6444/size.json
if [ -f "$f" ]; then
  s=$(set_of "$f")
  if [ "$s" = "endpoints[0].response.placebo=0.6444" ]; then ok "size --set: its folder and size.json run.set"
  else bad "size.json run.set is '$s'"; fi
else bad "size --set: $f missing"; cat size.err >&2; fi

# Eight values, 218 bytes as a name: a shortened name, and another value a different one.
long="--set sample_size=100"; for i in 0 1 2 3 4 5; do long="$long --set sites.anomalies[$i].enabled=false"; done
# shellcheck disable=SC2086
"$exe" run "$scn" --trials 100 --quiet $long --set alpha=0.04 >/dev/null 2>&1 || bad "run with 8 --set exited $?"
# shellcheck disable=SC2086
"$exe" run "$scn" --trials 100 --quiet $long --set alpha=0.03 >/dev/null 2>&1 || bad "run with 8 --set exited $?"
n=$(ls results/lupil2/set | grep -cE '^.{183}_[0-9a-f]{16}$')
if [ "$n" -eq 2 ]; then ok "long values: two names of 200 bytes"; else bad "long values: $n names of 200 bytes:"; ls results/lupil2/set >&2; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
