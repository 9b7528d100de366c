#!/bin/sh
# Runs this configuration as a local process: the process target of profiles/kamailio.yaml.
# Usage: run-kamailio.sh <port> [host]. Same options as the image's entry point (Dockerfile) and
# test/support/kamailio.ts; the db_text tables and the PID file live in a temporary directory that is
# removed when Kamailio stops. Digest passwords come from IMS_UE_A_PASSWORD, IMS_UE_B_PASSWORD and
# IMS_UE_C_PASSWORD (subscribers.cfg).
set -eu
port="${1:?usage: run-kamailio.sh <port> [host]}"
host="${2:-127.0.0.1}"
here="$(cd "$(dirname "$0")" && pwd)"
run="$(mktemp -d)"
mkdir "$run/db"
for t in version pua presentity active_watchers watchers; do cp "/usr/share/kamailio/dbtext/kamailio/$t" "$run/db/"; done
kamailio -f "$here/kamailio.cfg" -DD -E -w "$run" -Y "$run" -P "$run/kamailio.pid" -m 64 -M 8 \
  -A "SIP_PORT=$port" -A "LISTEN_IP=$host" -A "DB_URL=\"text://$run/db\"" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$run"; exit 0' TERM INT HUP
wait "$pid" || true
rm -rf "$run"
