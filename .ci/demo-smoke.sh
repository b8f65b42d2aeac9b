#!/usr/bin/env bash
# The README's first command on this clone: the market-data demo runs, writes its chart, and turns bad
# input into a one-line message and an exit code, never a stack trace. Then its `keras` command (the
# lecture's Keras workflow through BatchTrainer.Fit) for a few epochs.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

started=$(date +%s)
dotnet run --project src/FixedRnn.Demo -c Release --no-build -- --out "$work/out" > "$work/demo.log"
echo "demo-smoke: default run took $(( $(date +%s) - started )) s"
grep -q "Persistence" "$work/demo.log" || { echo "demo-smoke: no result table" >&2; cat "$work/demo.log"; exit 1; }
test -s "$work/out/fixedrnn-demo.svg" || { echo "demo-smoke: no SVG chart" >&2; exit 1; }

started=$(date +%s)
dotnet run --project src/FixedRnn.Demo -c Release --no-build -- keras --epochs 3 > "$work/keras.log"
echo "demo-smoke: keras --epochs 3 took $(( $(date +%s) - started )) s"
grep -qE '^epoch 3/3: loss [0-9.]+, val_loss [0-9.]+' "$work/keras.log" || { echo "demo-smoke: keras printed no epoch 3 progress" >&2; cat "$work/keras.log"; exit 1; }
grep -q "^Result: 3 of 3 epochs" "$work/keras.log" || { echo "demo-smoke: keras printed no result" >&2; cat "$work/keras.log"; exit 1; }
grep -qE '^Test MSE [0-9.]+ ' "$work/keras.log" || { echo "demo-smoke: keras printed no test MSE" >&2; cat "$work/keras.log"; exit 1; }

demo="src/FixedRnn.Demo/bin/Release/net10.0/FixedRnn.Demo"
check_rejects() {
  local expected=$1; shift
  local out=(--out "$work/bad")   # the default command's; the keras command writes no files
  [ "$1" = keras ] && out=()
  set +e
  "$demo" "$@" "${out[@]}" > "$work/stdout" 2> "$work/stderr"
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
check_rejects 2 keras --epochs 0
check_rejects 1 keras --column NoSuchColumn
echo "demo-smoke: OK"
