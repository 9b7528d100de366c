#!/bin/sh
# Runs this configuration as a local process: the process target of profiles/kamailio.yaml.
# Usage: run-kamailio.sh <port> [host] [ws-port] [wss-port] [certificate-copy]
#   ws-port, wss-port (or WS_PORT, WSS_PORT in the environment): SIP over WebSocket (RFC 7118) on
#     these TCP and TLS ports of host; none by default. For WSS a self-signed certificate (P-256,
#     subjectAltName the host) is made per run with openssl (Debian package openssl) in the run's
#     temporary directory; certificate-copy (or WSS_CERT_COPY) names a file the certificate (PEM,
#     no key) is copied to before Kamailio starts: the harness pins its public key (ixit.websocket).
# Same options as the image's entry point (Dockerfile) and test/support/kamailio.ts; the db_text
# tables, the certificate and the PID file live in a temporary directory that is removed when
# Kamailio stops. Digest passwords come from IMS_UE_A_PASSWORD, IMS_UE_B_PASSWORD, IMS_UE_C_PASSWORD,
# IMS_UE_W_PASSWORD and IMS_UE_V_PASSWORD (subscribers.cfg). IMS_LOAD_USERS and IMS_LOAD_PASSWORD
# (optional): the load users load<n> and load<n>b (README.md "Load users"); Kamailio reads them from
# the environment this script passes on as it is.
# IMS_PEERS (optional): peer IMS networks, <domain>=<host>:<port>,... (interconnect.sh): checked here
# (exit status 2 naming IMS_PEERS when malformed) and written to the db_text table "interconnect" of
# the run's directory, which kamailio.cfg loads (-A INTERCONNECT_DB); unset or empty: no peers.
set -eu
port="${1:?usage: run-kamailio.sh <port> [host] [ws-port] [wss-port] [certificate-copy]}"
host="${2:-127.0.0.1}"
ws_port="${3:-${WS_PORT:-}}"
wss_port="${4:-${WSS_PORT:-}}"
cert_copy="${5:-${WSS_CERT_COPY:-}}"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/interconnect.sh"
interconnect_parse "$host:$port"
run="$(mktemp -d)"
mkdir "$run/db"
for t in version pua presentity active_watchers watchers; do cp "/usr/share/kamailio/dbtext/kamailio/$t" "$run/db/"; done
set -- -A "SIP_PORT=$port" -A "LISTEN_IP=$host" -A "DB_URL=\"text://$run/db\""
if [ "$interconnect_count" -gt 0 ]; then
  interconnect_write "$run/db"
  set -- "$@" -A "INTERCONNECT_DB=\"text://$run/db\""
fi
if [ -n "$ws_port" ]; then
  set -- "$@" -A "WS_PORT=$ws_port"
  if [ -n "$wss_port" ]; then
    case "$host" in *[!0-9.]*) san="DNS:$host" ;; *) san="IP:$host" ;; esac
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$run/wss-key.pem" \
      -out "$run/wss-cert.pem" -days 7 -subj "/CN=$host" -addext "subjectAltName=$san" 2>/dev/null
    if [ -n "$cert_copy" ]; then cp "$run/wss-cert.pem" "$cert_copy"; fi
    set -- "$@" -A "WSS_PORT=$wss_port" -A "WSS_CERT=\"$run/wss-cert.pem\"" -A "WSS_KEY=\"$run/wss-key.pem\""
  fi
fi
kamailio -f "$here/kamailio.cfg" -DD -E -w "$run" -Y "$run" -P "$run/kamailio.pid" -m 64 -M 8 "$@" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$run"; [ -z "$cert_copy" ] || rm -f "$cert_copy"; exit 0' TERM INT HUP
wait "$pid" || true
rm -rf "$run"
[ -z "$cert_copy" ] || rm -f "$cert_copy"
