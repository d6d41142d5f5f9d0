#!/usr/bin/env bash
# Quick start, command 1: sets SegWeb up, builds it (Release), imports the demo model into the data folder and
# starts the web server in the foreground (Ctrl-C stops it). Prints the URL and the first administrator's login.
#
#   deploy/start.sh [--port N] [--data DIR]     the server (default port 5080, data in .segweb/server)
#   deploy/start.sh --cli-demo                  the command-line demo instead (deploy/demo-cli.sh)
#
# Environment: SEGWEB_PORT, SEGWEB_DATA (same as the options), SEGWEB_SKIP_SETUP=1 (no apt/build step: reuse the build).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

port=${SEGWEB_PORT:-5080}
data=${SEGWEB_DATA:-.segweb/server}
while (( $# > 0 )); do
  case "$1" in
    --cli-demo) exec deploy/demo-cli.sh ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --data) data=${2:?--data needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "start: unknown option $1 (see deploy/start.sh --help)" >&2; exit 2 ;;
  esac
done
[[ $port =~ ^[0-9]+$ ]] && (( port > 0 && port < 65536 )) || { echo "start: --port '$port' is not a port number" >&2; exit 2; }

if [[ "${SEGWEB_SKIP_SETUP:-}" != 1 ]]; then
  deploy/setup.sh
fi
bin=$repo/src/SegWeb.Server/bin/Release/net10.0
cli=$repo/artifacts/segweb/segweb.dll
[[ -f $bin/SegWeb.Server.dll && -f $cli ]] || { echo "start: no Release build in $bin (run deploy/setup.sh)" >&2; exit 1; }

mkdir -p "$data"
data=$(cd "$data" && pwd)
models=$data/models
model=$models/segweb-demo
if [[ ! -f $model/model.json ]]; then
  echo "start: importing the demo model (models/segweb-demo-nnunet; one training scan, NOT for real use) into $model"
  dotnet "$cli" models import models/segweb-demo-nnunet --name segweb-demo --models-dir "$models" --overwrite >/dev/null
fi

# The first administrator: on the first start (no database yet) this script picks the one-time password, hands it to
# the server and keeps it in a file only the owner can read, so it can be printed here and found again later.
admin_email=${SegWeb__Admin__Email:-admin@segweb.local}
password_file=$data/first-admin-password.txt
if [[ -f $password_file ]]; then
  # Handed over again on every start: ignored once the administrator exists, used if a first start was interrupted.
  read -r admin_email password < "$password_file"
  export SegWeb__Admin__Email=$admin_email SegWeb__Admin__Password=$password
  login="$admin_email, first password in $password_file (delete the file once you have changed it)"
elif [[ ! -f $data/segweb.db ]]; then
  password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')a1A!"
  (umask 077; printf '%s %s\n' "$admin_email" "$password" > "$password_file")
  export SegWeb__Admin__Email=$admin_email SegWeb__Admin__Password=$password
  login="$admin_email, one-time password $password (kept in $password_file)"
else
  login="already created (its password was printed at the first start)"
fi

url=http://localhost:$port
# Prints the banner once the server answers /health/ready (after its own start-up lines); gives up after 2 minutes,
# or at once when the server has exited ($$ is the server itself after the exec below).
(
  for _ in $(seq 1 240); do
    kill -0 $$ 2>/dev/null || exit 0
    if curl -fsS -o /dev/null "$url/health/ready" 2>/dev/null; then
      printf '\n  SegWeb is running at %s  (API: %s/api/v1, reference: %s/api/reference/)\n' "$url" "$url" "$url"
      printf '  Administrator: %s\n' "$login"
      printf '  Model: %s (demo)   Data: %s   Stop: Ctrl-C\n\n' "$model" "$data"
      exit 0
    fi
    sleep 0.5
  done
  echo "start: the server did not answer $url/health/ready within 2 minutes" >&2
) &

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet "$bin/SegWeb.Server.dll" --contentRoot "$bin" --urls "$url" \
  --SegWeb:DataFolder="$data" --SegWeb:Segmentation:ModelPath="$model"
