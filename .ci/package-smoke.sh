#!/usr/bin/env bash
# Package smoke test: packs FixedRnn as `dotnet pack` would for a release, then uses it as a new user
# would: a fresh `dotnet new console` project outside the repository, with the packed folder as a
# local NuGet source next to nuget.org, a PackageReference to the packed version, a model declared by
# attributes (so the packaged source generator must run), Initialize and a few Steps.
#
# The consumer restores into its own NUGET_PACKAGES folder under the temp directory, and the local
# source is the only one mapped for FixedRnn, so a FixedRnn package cached or published elsewhere can
# never be used. Works from a clean clone; everything it makes is deleted on exit.
#
#   bash .ci/package-smoke.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
started=$SECONDS
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$(mktemp -d "${TMPDIR:-/tmp}/fixedrnn-package-smoke.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

fail() {
  echo "package-smoke: FAILED: $*" >&2
  exit 1
}

feed="$work/feed"
app="$work/app"
mkdir -p "$feed"

echo "package-smoke: packing src/FixedRnn into $feed"
dotnet pack "$repo/src/FixedRnn/FixedRnn.csproj" -c Release -o "$feed" >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; fail "dotnet pack failed"; }

shopt -s nullglob
packages=("$feed"/FixedRnn.*.nupkg)
shopt -u nullglob
[[ ${#packages[@]} -eq 1 ]] || fail "expected exactly one FixedRnn.*.nupkg in $feed, found: ${packages[*]:-none}"
nupkg="${packages[0]}"
version="$(basename "$nupkg" .nupkg)"
version="${version#FixedRnn.}"
[[ -f "$feed/FixedRnn.$version.snupkg" ]] || fail "no symbol package FixedRnn.$version.snupkg"
echo "package-smoke: packed FixedRnn $version"

# What the package must hold, and must not depend on.
listing="$(unzip -Z1 "$nupkg")"
for entry in lib/net10.0/FixedRnn.dll lib/net10.0/FixedRnn.xml analyzers/dotnet/cs/FixedRnn.Generators.dll README.md LICENSE; do
  grep -qxF "$entry" <<<"$listing" || fail "the package lacks $entry"
done
nuspec="$(unzip -p "$nupkg" FixedRnn.nuspec)"
grep -q '<dependency id="System.Numerics.Tensors"' <<<"$nuspec" || fail "System.Numerics.Tensors is not a package dependency"
if grep -qi 'Microsoft.CodeAnalysis\|FixedRnn.Generators' <<<"$nuspec"; then
  fail "the package depends on the generator or Roslyn: $(grep -i 'dependency' <<<"$nuspec")"
fi

echo "package-smoke: creating a new console project in $app"
export NUGET_PACKAGES="$work/nuget-packages"
dotnet new console -o "$app" -n SmokeApp --framework net10.0 --no-restore >"$work/new.log" 2>&1 \
  || { cat "$work/new.log" >&2; fail "dotnet new console failed"; }

cat >"$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="fixedrnn-local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="fixedrnn-local">
      <package pattern="FixedRnn" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML

cat >"$app/Program.cs" <<'CS'
using System;
using FixedRnn;
using FixedRnn.Training;

var model = new Tiny();
model.Initialize(InitializationScheme.Keras, seed: 42);

const int Steps = 5;
var inputs = new float[Steps * Tiny.InputSize];
for (int t = 0; t < Steps; t++)
{
    inputs[t * Tiny.InputSize] = MathF.Sin(t);
    inputs[(t * Tiny.InputSize) + 1] = MathF.Cos(t);
}

Console.WriteLine($"Tiny: InputSize={Tiny.InputSize} OutputSize={Tiny.OutputSize} LayerCount={Tiny.LayerCount}");
var state = default(Tiny.State);
Span<float> output = stackalloc float[Tiny.OutputSize];
var stepped = new float[Steps * Tiny.OutputSize];
for (int t = 0; t < Steps; t++)
{
    model.Step(inputs.AsSpan(t * Tiny.InputSize, Tiny.InputSize), ref state, output);
    output.CopyTo(stepped.AsSpan(t * Tiny.OutputSize));
    Console.WriteLine($"step {t}: {output[0]:R}");
}

// The same sequence through Forward from a fresh state must give the same outputs.
var fresh = default(Tiny.State);
var forwarded = new float[Steps * Tiny.OutputSize];
model.Forward(inputs, ref fresh, forwarded);
for (int i = 0; i < forwarded.Length; i++)
{
    if (MathF.Abs(forwarded[i] - stepped[i]) > 1e-6f)
    {
        Console.WriteLine($"MISMATCH at {i}: Step {stepped[i]:R} vs Forward {forwarded[i]:R}");
        return 1;
    }
}

Console.WriteLine("Forward matches Step");
Console.WriteLine("FIXEDRNN-SMOKE-OK");
return 0;

[RecurrentModel(inputSize: 2)]
[Lstm(8)]
[Dense(1)]
public partial class Tiny;
CS

echo "package-smoke: adding FixedRnn $version (restoring into $NUGET_PACKAGES)"
dotnet add "$app/SmokeApp.csproj" package FixedRnn --version "$version" >"$work/add.log" 2>&1 \
  || { cat "$work/add.log" >&2; fail "dotnet add package FixedRnn --version $version failed"; }

# The restored package must be byte-for-byte the one just packed.
restored="$NUGET_PACKAGES/fixedrnn/$version/fixedrnn.$version.nupkg"
[[ -f "$restored" ]] || fail "FixedRnn $version was not restored into the isolated cache ($restored)"
cmp -s "$nupkg" "$restored" || fail "the restored FixedRnn $version differs from the one just packed"

# A user's default build must succeed without warnings (the generated code included), and the output
# must hold FixedRnn and System.Numerics.Tensors but not the generator or Roslyn.
echo "package-smoke: dotnet build -warnaserror"
if ! dotnet build "$app/SmokeApp.csproj" -c Release -warnaserror >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  fail "the new project does not build without warnings"
fi
bin="$app/bin/Release/net10.0"
[[ -f "$bin/FixedRnn.dll" ]] || fail "FixedRnn.dll is not in the app's output"
[[ -f "$bin/System.Numerics.Tensors.dll" ]] || fail "System.Numerics.Tensors.dll is not in the app's output"
if compgen -G "$bin/Microsoft.CodeAnalysis*.dll" >/dev/null || compgen -G "$bin/FixedRnn.Generators.dll" >/dev/null; then
  fail "the generator or Roslyn ended up in the app's output: $(ls "$bin")"
fi

echo "package-smoke: dotnet run"
if ! dotnet run --project "$app/SmokeApp.csproj" -c Release >"$work/run.log" 2>&1; then
  cat "$work/run.log" >&2
  fail "dotnet run failed"
fi
cat "$work/run.log"

# What the program must print: the sizes, five finite, not all equal outputs, Forward == Step, the marker.
grep -qxF "Tiny: InputSize=2 OutputSize=1 LayerCount=2" "$work/run.log" || fail "wrong or missing sizes line"
mapfile -t values < <(sed -nE 's/^step [0-9]+: (.*)$/\1/p' "$work/run.log")
[[ ${#values[@]} -eq 5 ]] || fail "expected 5 step lines, got ${#values[@]}"
distinct=0
for v in "${values[@]}"; do
  [[ "$v" =~ ^-?[0-9]+(\.[0-9]+)?(E[-+]?[0-9]+)?$ ]] || fail "step output '$v' is not a finite number"
  [[ "$v" == "${values[0]}" ]] || distinct=1
done
[[ $distinct -eq 1 ]] || fail "all step outputs are equal (${values[0]}): the state does not evolve"
grep -qxF "Forward matches Step" "$work/run.log" || fail "Forward did not match Step"
grep -qxF "FIXEDRNN-SMOKE-OK" "$work/run.log" || fail "the program did not finish"

echo "package-smoke: OK: FixedRnn $version packed, restored from the local source and run in a new console project ($((SECONDS - started)) s)"
