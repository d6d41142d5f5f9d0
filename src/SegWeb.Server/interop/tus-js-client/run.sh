#!/usr/bin/env bash
# Starts the built server on a scratch data folder, runs upload-and-resume.js with tus-js-client from npm, prints
# the resulting input. Usage: src/SegWeb.Server/interop/tus-js-client/run.sh FILE [Debug|Release]
set -euo pipefail
file=$(realpath "$1"); config=${2:-Release}
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/../../bin/$config/net10.0"
work=$(mktemp -d); port=5098
cleanup() { [[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
(cd "$here" && npm install --silent --no-audit --no-fund --prefix "$work/npm" tus-js-client@4.3.1 > /dev/null)
SegWeb__DataFolder="$work/data" SegWeb__Admin__Password='Interop-Passw0rd!' \
  dotnet "$bin/SegWeb.Server.dll" --urls "http://127.0.0.1:$port" > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break; sleep 1; done
curl -sf -c "$work/jar" -H 'Content-Type: application/json' \
  -d '{"email":"admin@segweb.local","password":"Interop-Passw0rd!"}' "http://127.0.0.1:$port/api/v1/account/login"
key=$(curl -sf -b "$work/jar" -H 'Content-Type: application/json' -d '{"name":"interop"}' \
  "http://127.0.0.1:$port/api/v1/account/keys" | /usr/bin/python3 -c 'import sys, json; print(json.load(sys.stdin)["key"])')
input=$(NODE_PATH="$work/npm/node_modules" node "$here/upload-and-resume.js" "http://127.0.0.1:$port/api/v1/uploads" "$key" "$file" | tee /dev/stderr | awk '/^input/ {print $2}')
curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$port$input"; echo
