#!/usr/bin/env bash
# The SIMD paths that share an arithmetic give the same bits: every test model's outputs, states and gradients
# (tools/FixedRnn.Fingerprint) from the Vector512 path equal the Vector256 path's, and the Vector128 path's equal
# the scalar path's. (Between the two pairs they differ by rounding: x86 runs Vector128 only where AVX2, and so
# FMA, is off, and the scalar fallback has no FMA, so those two pairs multiply and add unfused.)
set -euo pipefail
cd "$(dirname "$0")/.."
tool=tools/FixedRnn.Fingerprint/bin/Release/net10.0/FixedRnn.Fingerprint.dll
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet "$tool" dump "$out/v512" > /dev/null
DOTNET_EnableAVX512=0 dotnet "$tool" dump "$out/v256" > /dev/null
DOTNET_EnableAVX2=0 dotnet "$tool" dump "$out/v128" > /dev/null
DOTNET_EnableHWIntrinsic=0 dotnet "$tool" dump "$out/scalar" > /dev/null
echo "Vector512 vs Vector256: $(dotnet "$tool" compare "$out/v512" "$out/v256" | tail -1)"
echo "Vector128 vs scalar:    $(dotnet "$tool" compare "$out/v128" "$out/scalar" | tail -1)"
dotnet "$tool" compare "$out/v512" "$out/v256" > /dev/null
dotnet "$tool" compare "$out/v128" "$out/scalar" > /dev/null
