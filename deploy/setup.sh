#!/usr/bin/env bash
# Installs what SegWeb needs on Debian 12 and builds it. Idempotent: a second run only rebuilds.
#   deploy/setup.sh            runtime prerequisites + Release build
#   deploy/setup.sh --tests    also the independent references the test suite compares against
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[[ "${1:-}" == "--tests" ]] && want_tests=1

# Debian packages. Runtime: GDCM's C# binding decodes JPEG / JPEG-LS / JPEG 2000 DICOM.
packages=(libgdcm-cil)
# Building the browser modules (web/) needs Node.js and npm; Debian's are used only where none is installed.
command -v npm >/dev/null || packages+=(nodejs npm)
if [[ $want_tests == 1 ]]; then
  # Independent references used by the tests (never by SegWeb itself at run time).
  packages+=(python3-numpy python3-scipy python3-nibabel python3-pydicom python3-torch
             dcm2niix dcmtk dicom3tools pigz
             chromium)  # the browser the end-to-end tests drive (Playwright with Debian's binary, never a download)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null || ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "setup: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)." >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The front end first: the server serves web/'s bundles from wwwroot/dist as static files.
echo "setup: building the browser modules (web/, npm ci + esbuild)"
if [[ ! -d web/node_modules ]] || [[ web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd web && npm run --silent build)
echo "setup: building SegWeb (Release)"
dotnet build SegWeb.sln -c Release -nologo -v quiet -clp:ErrorsOnly
# The `segweb` command as users run it: published for this machine's runtime, so ReadyToRun-precompiled (it starts
# 0.15 s sooner than the build output, which the tests use).
case $(uname -m) in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "setup: no .NET runtime identifier for $(uname -m)" >&2; exit 1 ;;
esac
echo "setup: publishing the segweb command line (ReadyToRun, $rid) to artifacts/segweb"
dotnet publish src/SegWeb.Cli -c Release -r "$rid" --self-contained false -nologo -v quiet -clp:ErrorsOnly -o artifacts/segweb
