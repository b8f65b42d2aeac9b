#!/usr/bin/env bash
# NativeAOT smoke test: publishes the quick start as a native executable
#   dotnet publish src/FixedRnn.QuickStart -c Release -r linux-x64 -p:PublishAot=true
# with every trim and AOT warning treated as a failure, then runs the binary (from another working
# directory: it must find its fixtures beside itself) and checks that it prints the PyTorch comparison
# as the JIT quick start does.
#
# NativeAOT needs clang and zlib1g-dev (installed with apt-get when missing) and the ILCompiler packages
# from NuGet. When apt-get is unavailable or cannot install them, or the ILCompiler packages cannot be
# restored, it prints "aot-smoke: skipped: <reason>" and exits 0. With the toolchain present, a failed
# or warning publish, or a wrong run, fails.
#
# Builds into a temporary --artifacts-path, so the repository's bin/ and obj/ are left as they were.
#
#   bash .ci/aot-smoke.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
started=$SECONDS
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
rid=linux-x64
project="$repo/src/FixedRnn.QuickStart/FixedRnn.QuickStart.csproj"

work="$(mktemp -d "${TMPDIR:-/tmp}/fixedrnn-aot-smoke.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

skip() {
  echo "aot-smoke: skipped: $*"
  exit 0
}
fail() {
  echo "aot-smoke: FAILED: $*" >&2
  exit 1
}

[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || skip "this check publishes for $rid, and this machine is $(uname -s)-$(uname -m)"

have_toolchain() {
  command -v clang >/dev/null 2>&1 && [[ -e /usr/include/zlib.h ]]
}

if ! have_toolchain; then
  command -v apt-get >/dev/null 2>&1 || skip "clang or zlib1g-dev is missing and apt-get is not available to install them"
  sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      skip "clang or zlib1g-dev is missing, and installing them needs root (no passwordless sudo)"
    fi
  fi
  echo "aot-smoke: installing clang and zlib1g-dev with apt-get"
  "${sudo[@]}" apt-get update -qq >"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log"; skip "apt-get update failed"; }
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev >>"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log"; skip "apt-get install clang zlib1g-dev failed"; }
  have_toolchain || fail "apt-get installed clang and zlib1g-dev, yet clang or /usr/include/zlib.h is still missing"
fi
echo "aot-smoke: $(clang --version | head -n 1)"

artifacts="$work/artifacts"
common=(-c Release -r "$rid" -p:PublishAot=true --artifacts-path "$artifacts")

# The ILCompiler packages (Microsoft.DotNet.ILCompiler, runtime.linux-x64.Microsoft.DotNet.ILCompiler)
# come from NuGet at restore: a restore that cannot get them means no NativeAOT toolchain here.
echo "aot-smoke: restoring for $rid with PublishAot=true"
if ! dotnet restore "$project" "${common[@]:2}" >"$work/restore.log" 2>&1; then
  if grep -q 'ILCompiler' "$work/restore.log"; then
    grep -i 'error' "$work/restore.log" | head -n 5
    skip "the ILCompiler packages could not be restored"
  fi
  cat "$work/restore.log" >&2
  fail "dotnet restore failed"
fi
grep -rqi 'runtime.linux-x64.Microsoft.DotNet.ILCompiler' "$artifacts/obj" \
  || fail "restore succeeded but did not bring in runtime.$rid.Microsoft.DotNet.ILCompiler"

# Twice: with NativeAOT's default instruction set (FixedRnn's build message must say what that costs, and the
# kernels take the Vector128 path), then with IlcInstructionSet=native (no message, this CPU's widest path).
run_binary() {
  local label=$1
  shift
  echo "aot-smoke: dotnet publish src/FixedRnn.QuickStart -c Release -r $rid -p:PublishAot=true $*"
  rm -rf "$artifacts/publish"
  if ! dotnet publish "$project" "${common[@]}" "$@" --no-restore -tl:off >"$work/publish-$label.log" 2>&1; then
    cat "$work/publish-$label.log" >&2
    fail "dotnet publish failed"
  fi
  if grep -Ei 'warning (IL|AOT)[0-9]*|: warning [A-Z]+[0-9]+' "$work/publish-$label.log"; then
    fail "dotnet publish reported the warnings above (trim and AOT warnings count as errors)"
  fi
}

run_binary native -p:IlcInstructionSet=native
grep -q 'FixedRnn: PublishAot without IlcInstructionSet' "$work/publish-native.log" \
  && fail "FixedRnn's instruction-set message appeared although IlcInstructionSet was set"
shopt -s nullglob
native=("$artifacts"/publish/FixedRnn.QuickStart/*/FixedRnn.QuickStart)
shopt -u nullglob
[[ ${#native[@]} -eq 1 ]] || fail "no native-instruction-set executable published"
(cd / && "${native[0]}") >"$work/run-native.log" 2>&1 || { cat "$work/run-native.log" >&2; fail "the IlcInstructionSet=native binary failed"; }
echo "aot-smoke: IlcInstructionSet=native: $(grep -E '^(Step|Kernels):' "$work/run-native.log" | tr '\n' ' ')"
grep -qE '^Kernels: Vector128\.$' "$work/run-native.log" && [[ "$(grep -c avx2 /proc/cpuinfo)" -gt 0 ]] \
  && fail "the IlcInstructionSet=native binary took the Vector128 path on a CPU with AVX2"

run_binary default
grep -q 'FixedRnn: PublishAot without IlcInstructionSet' "$work/publish-default.log" \
  || fail "publishing without IlcInstructionSet printed no FixedRnn instruction-set message"

shopt -s nullglob
binaries=("$artifacts"/publish/FixedRnn.QuickStart/*/FixedRnn.QuickStart)
shopt -u nullglob
[[ ${#binaries[@]} -eq 1 && -x "${binaries[0]}" ]] || fail "no single published FixedRnn.QuickStart executable under $artifacts/publish"
binary="${binaries[0]}"
publish_dir="$(dirname "$binary")"
[[ -f "$publish_dir/Fixtures/lstm_8_32.weights.safetensors" && -f "$publish_dir/Fixtures/lstm_8_32.io.safetensors" ]] \
  || fail "the fixtures are not in the publish directory $publish_dir/Fixtures"
if compgen -G "$publish_dir/*.dll" >/dev/null; then
  fail "the publish directory holds managed assemblies, so this is not a NativeAOT publish: $(ls "$publish_dir")"
fi
echo "aot-smoke: published $(du -h "$binary" | cut -f1) native executable"

echo "aot-smoke: running the native binary"
if ! (cd / && "$binary") >"$work/run.log" 2>&1; then
  cat "$work/run.log" >&2
  fail "the native binary failed"
fi
cat "$work/run.log"

grep -qF "LSTM 8 → 32, 60 steps of PyTorch's inputs:" "$work/run.log" || fail "missing the heading line"
rows="$(grep -cE '^ +[0-9]+ +-?[0-9]+\.[0-9]{7} +-?[0-9]+\.[0-9]{7}$' "$work/run.log" || true)"
[[ "$rows" -eq 6 ]] || fail "expected 6 rows comparing FixedRnn with PyTorch, got $rows"
worst="$(sed -nE 's/^Max \|FixedRnn − PyTorch\| over all 1920 outputs: (.*)$/\1/p' "$work/run.log")"
[[ -n "$worst" ]] || fail "missing the 'Max |FixedRnn − PyTorch|' line"
awk -v w="$worst" 'BEGIN { exit !(w + 0 == w + 0 && w + 0 <= 1e-5) }' \
  || fail "the largest difference from PyTorch, $worst, is above 1e-5"
grep -qE '^Step: [0-9]+ ns per step over 500,000 steps, 0 bytes allocated\.$' "$work/run.log" \
  || fail "missing the Step timing line, or Step allocated"

echo "aot-smoke: OK: NativeAOT publish without trim/AOT warnings, native binary matches PyTorch (max difference $worst) ($((SECONDS - started)) s)"
