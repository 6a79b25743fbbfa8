#!/bin/sh
# with_scipy.sh - runs a Python script with the first python3 that can import SciPy.
#
# usage: sh tests/py/with_scipy.sh [PYTHON3] SCRIPT [ARGS...]
#
# Candidates, in order: the optional first argument (CMake's python3, when it is an
# executable rather than a .py script), $TSIM_PYTHON3, every python3 on PATH (`which -a`, so
# a pyenv shim without SciPy does not hide the system one), /usr/bin/python3,
# /usr/local/bin/python3. SciPy comes from a pip install or from Debian's python3-scipy (which
# only the system /usr/bin/python3 sees). Exits 77 - ctest's SKIPPED - when no candidate can
# import scipy.stats, and prints the candidates it tried.
first=
case $1 in
  *.py) ;;
  *) first=$1; shift ;;
esac
if [ $# -lt 1 ]; then
  echo "usage: sh $0 [PYTHON3] SCRIPT [ARGS...]" >&2
  exit 2
fi
tried=
for py in "$first" "$TSIM_PYTHON3" $(which -a python3 2>/dev/null) /usr/bin/python3 /usr/local/bin/python3; do
  [ -n "$py" ] && [ -x "$py" ] || continue
  case " $tried " in *" $py "*) continue ;; esac
  tried="$tried $py"
  if "$py" -c 'import scipy.stats' >/dev/null 2>&1; then
    echo "with_scipy.sh: $py" >&2
    exec "$py" "$@"
  fi
done
echo "SKIPPED: no python3 that can import scipy (tried:$tried)"
exit 77
