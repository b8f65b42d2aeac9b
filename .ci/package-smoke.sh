#!/usr/bin/env bash
# Package smoke test: packs FixedRnn as `dotnet pack` would for a release, then uses it as a new user
# would: a fresh `dotnet new console` project outside the repository, with the packed folder as a
# local NuGet source next to nuget.org, a PackageReference to the packed version, a model declared by
# attributes (so the packaged source generator must run), Initialize and a few Steps. Then the
# documentation's examples, extracted and run as written in that project: the package README's example
# and the repository README's Training examples (and the README's Python that loads the exported file,
# where Debian's python3-torch is installed). It also checks the package's README (the package's own,
# src/FixedRnn/PACKAGE.md), its metadata (project and repository URLs, release notes, tags, changelog),
# and, in a temporary clone whose origin is the repository URL, that its symbols carry Source Link.
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
for entry in lib/net10.0/FixedRnn.dll lib/net10.0/FixedRnn.xml analyzers/dotnet/cs/FixedRnn.Generators.dll build/FixedRnn.targets buildTransitive/FixedRnn.targets README.md LICENSE CHANGELOG.md; do
  grep -qxF "$entry" <<<"$listing" || fail "the package lacks $entry"
done
nuspec="$(unzip -p "$nupkg" FixedRnn.nuspec)"

# The package's README is its own, not the repository's (which talks about a clone's demo and tests).
unzip -p "$nupkg" README.md | cmp -s - "$repo/src/FixedRnn/PACKAGE.md" \
  || fail "the package's README.md is not src/FixedRnn/PACKAGE.md"
if unzip -p "$nupkg" README.md | grep -qF "src/FixedRnn.Demo"; then
  fail "the package's README talks about the repository's demo"
fi

# Metadata: every URL derives from the one MSBuild property, FixedRnnRepositoryUrl.
url="$(dotnet msbuild "$repo/src/FixedRnn/FixedRnn.csproj" -getProperty:FixedRnnRepositoryUrl)"
[[ "$url" == https://github.com/* ]] || fail "FixedRnnRepositoryUrl is '$url', not a GitHub repository URL"
grep -qF "<readme>README.md</readme>" <<<"$nuspec" || fail "the nuspec names no readme"
grep -qF "<projectUrl>$url</projectUrl>" <<<"$nuspec" || fail "the nuspec's projectUrl is not $url"
grep -qE "<repository type=\"git\" url=\"$url\"( commit=\"[0-9a-f]{40}\")? />" <<<"$nuspec" || fail "the nuspec's repository is not git at $url: $(grep '<repository' <<<"$nuspec")"
if git -C "$repo" rev-parse HEAD >/dev/null 2>&1; then
  grep -qF "commit=\"$(git -C "$repo" rev-parse HEAD)\"" <<<"$nuspec" || fail "the nuspec's repository commit is not this clone's HEAD"
fi
grep -qF "<releaseNotes>" <<<"$nuspec" && grep -qF "$url/blob/main/CHANGELOG.md" <<<"$nuspec" || fail "the release notes do not point at $url/blob/main/CHANGELOG.md"
grep -qE "<tags>[^<]*\blstm\b[^<]*</tags>" <<<"$nuspec" || fail "the nuspec has no tags"
grep -qF '<license type="expression">MIT</license>' <<<"$nuspec" || fail "the nuspec has no MIT license expression"
unzip -p "$nupkg" CHANGELOG.md | grep -qE "^## $version( |$)" || fail "CHANGELOG.md has no '## $version' section"
foreign="$(grep -oE 'https?://[^ )>]+' "$repo/src/FixedRnn/PACKAGE.md" | grep -vF "$url" || true)"
[[ -z "$foreign" ]] || fail "PACKAGE.md links outside $url: $foreign"
grep -qF "dotnet add package FixedRnn --version $version" "$repo/README.md" \
  || fail "README's Install section does not name the packed version $version"
echo "package-smoke: the package's README is PACKAGE.md; project, repository ($url), release notes, tags and changelog present"
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

# The documentation's examples, as written: each replaces Program.cs, builds without warnings and runs.
# extract FILE HEADING LANGUAGE prints the first ```LANGUAGE block after the line HEADING.
extract() {
  awk -v heading="$2" -v fence='```'"$3" '
    $0 == heading { found = 1; next }
    found && !inside && $0 == fence { inside = 1; next }
    inside && $0 == "```" { done = 1; exit }
    inside { print }
    END { if (!done) exit 1 }
  ' "$1"
}

run_example() {
  local name=$1
  echo "package-smoke: $name: dotnet build -warnaserror, dotnet run"
  if ! dotnet build "$app/SmokeApp.csproj" -c Release -warnaserror >"$work/$name.build.log" 2>&1; then
    cat "$app/Program.cs" "$work/$name.build.log" >&2
    fail "$name does not build as written"
  fi
  if ! (cd "$app" && dotnet run --project "$app/SmokeApp.csproj" -c Release --no-build) >"$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    fail "$name failed"
  fi
}

# The README's opening example loads a file a reader has of their own, so it is only built.
extract "$repo/README.md" "# FixedRnn" csharp >"$app/Program.cs" || fail "README has no csharp block under '# FixedRnn'"
echo "package-smoke: readme-intro: dotnet build -warnaserror"
dotnet build "$app/SmokeApp.csproj" -c Release -warnaserror >"$work/readme-intro.build.log" 2>&1 \
  || { cat "$app/Program.cs" "$work/readme-intro.build.log" >&2; fail "the README's opening example does not build as written"; }

extract "$repo/src/FixedRnn/PACKAGE.md" "## Example" csharp >"$app/Program.cs" || fail "PACKAGE.md has no csharp block under '## Example'"
run_example package-example
cat "$work/package-example.log"
grep -qE '^prediction: -?[0-9]+(\.[0-9]+)?(E[-+]?[0-9]+)?$' "$work/package-example.log" || fail "the package README's example did not print a finite prediction"

extract "$repo/README.md" "## Training" csharp >"$app/Program.cs" || fail "README has no csharp block under '## Training'"
rm -f "$app/forecaster.safetensors"
run_example readme-training
grep -vE '^epoch [0-9]+: ' "$work/readme-training.log" || true
epochs="$(grep -cE '^epoch [0-9]+: training [-0-9.E+]+, validation [-0-9.E+]+$' "$work/readme-training.log" || true)"
[[ "$epochs" -ge 1 ]] || fail "the Training example printed no epoch reports"
result_line="$(grep -E '^[0-9]+ of 30 epochs' "$work/readme-training.log" || true)"
[[ "$result_line" == "$epochs of 30 epochs"*"best epoch "*" (parameters kept): training loss "*", validation loss "* ]] \
  || fail "TrainingResult printed '$result_line', not the epochs run and the best epoch's losses"
csharp_last="$(sed -nE 's/^last output: (-?[0-9]+\.[0-9]+)$/\1/p' "$work/readme-training.log")"
[[ -n "$csharp_last" ]] || fail "the Training example printed no 'last output'"
[[ -s "$app/forecaster.safetensors" ]] || fail "the Training example wrote no forecaster.safetensors"

# The README's Python loads that file into PyTorch strictly and must print the same last output.
if /usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1; then
  extract "$repo/README.md" "## Training" python >"$work/load_forecaster.py" || fail "README has no python block under '## Training'"
  (cd "$app" && /usr/bin/python3 "$work/load_forecaster.py") >"$work/python.log" 2>&1 || { cat "$work/python.log" >&2; fail "the README's Python failed"; }
  python_last="$(sed -nE 's/^last output: (-?[0-9]+\.[0-9]+)$/\1/p' "$work/python.log")"
  awk -v a="$csharp_last" -v b="$python_last" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b != "" && d <= 1e-5) }' \
    || fail "PyTorch printed last output '$python_last', FixedRnn $csharp_last"
  echo "package-smoke: PyTorch loaded forecaster.safetensors strictly; last output $python_last, FixedRnn $csharp_last"
else
  echo "package-smoke: skipped the README's Python: /usr/bin/python3 cannot import torch and numpy (Debian: apt-get install python3-torch)"
fi

# The README's Keras-shaped example (BatchTrainer.Fit on windows of a series) as written.
extract "$repo/README.md" "### Keras-shaped training: mini-batches of independent sequences" csharp >"$app/Program.cs" \
  || fail "README has no csharp block under '### Keras-shaped training: mini-batches of independent sequences'"
run_example readme-keras
grep -vE '^epoch [0-9]+: ' "$work/readme-keras.log" || true
keras_epochs="$(grep -cE '^epoch [0-9]+: loss [-0-9.E+]+, val_loss [-0-9.E+]+$' "$work/readme-keras.log" || true)"
[[ "$keras_epochs" -ge 1 ]] || fail "the Keras-shaped example printed no epoch reports"
keras_result="$(grep -E '^[0-9]+ of 20 epochs' "$work/readme-keras.log" || true)"
[[ "$keras_result" == "$keras_epochs of 20 epochs"*"best epoch "*" (parameters kept): training loss "*", validation loss "* ]] \
  || fail "the Keras-shaped example's TrainingResult printed '$keras_result'"
grep -qE '^next value: -?[0-9]+\.[0-9]{4} \(actual -?[0-9]+\.[0-9]{4}\)$' "$work/readme-keras.log" \
  || fail "the Keras-shaped example printed no prediction"

# Source Link, checked where it can work: a temporary clone whose origin is the repository URL. (This
# clone's own pack above built without it if its origin is not on GitHub, as a CI clone's is not.)
if git -C "$repo" rev-parse HEAD >/dev/null 2>&1; then
  clone="$work/sourcelink-clone"
  git clone -q "$repo" "$clone"
  git -C "$clone" remote set-url origin "$url"
  commit="$(git -C "$clone" rev-parse HEAD)"
  dotnet pack "$clone/src/FixedRnn/FixedRnn.csproj" -c Release -o "$work/sourcelink-feed" >"$work/sourcelink-pack.log" 2>&1 \
    || { cat "$work/sourcelink-pack.log" >&2; fail "dotnet pack with a GitHub origin failed"; }
  links="$(unzip -p "$work/sourcelink-feed/FixedRnn.$version.snupkg" lib/net10.0/FixedRnn.pdb | grep -ao '{"documents":{[^}]*}}' || true)"
  raw="https://raw.githubusercontent.com/${url#https://github.com/}/$commit/*"
  grep -qF "\"$raw\"" <<<"$links" || fail "the symbols' Source Link is '$links', not $raw"
  echo "package-smoke: Source Link with origin $url: $links"
else
  echo "package-smoke: skipped the Source Link check: $repo is not a git checkout"
fi

echo "package-smoke: OK: FixedRnn $version packed, restored from the local source and run in a new console project, with the documentation's examples ($((SECONDS - started)) s)"
