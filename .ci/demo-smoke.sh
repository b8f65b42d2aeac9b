#!/usr/bin/env bash
# The README's first command on this clone: the market-data demo runs, writes its chart, and turns bad
# input into a one-line message and an exit code, never a stack trace.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

started=$(date +%s)
dotnet run --project src/FixedRnn.Demo -c Release --no-build -- --out "$work/out" > "$work/demo.log"
echo "demo-smoke: default run took $(( $(date +%s) - started )) s"
grep -q "Persistence" "$work/demo.log" || { echo "demo-smoke: no result table" >&2; cat "$work/demo.log"; exit 1; }
test -s "$work/out/fixedrnn-demo.svg" || { echo "demo-smoke: no SVG chart" >&2; exit 1; }

demo="src/FixedRnn.Demo/bin/Release/net10.0/FixedRnn.Demo"
check_rejects() {
  local expected=$1; shift
  set +e
  "$demo" "$@" --out "$work/bad" > "$work/stdout" 2> "$work/stderr"
  local code=$?
  set -e
  if [ "$code" -ne "$expected" ] || grep -q "   at " "$work/stderr" "$work/stdout" || [ "$(wc -l < "$work/stderr")" -ne 1 ]; then
    echo "demo-smoke: '$*' gave exit $code (expected $expected) with:" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  echo "demo-smoke: '$*' -> exit $code: $(cat "$work/stderr")"
}

printf 'time,Close\n1,abc\n' > "$work/nonnumeric.csv"
: > "$work/empty.csv"
check_rejects 1 --data "$work/missing.csv"
check_rejects 1 --data "$work/empty.csv"
check_rejects 1 --data "$work/nonnumeric.csv" --column Close
check_rejects 1 --column NoSuchColumn
check_rejects 2 --epochs abc
echo "demo-smoke: OK"
