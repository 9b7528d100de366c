#!/bin/sh
# The image's entry point: Kamailio in the foreground (-DD), logging to stderr (-E); the same options
# as run-kamailio.sh and test/support/kamailio.ts. With WS_PORT (and WSS_PORT) set, SIP over
# WebSocket (RFC 7118) on those ports; for WSS a self-signed certificate (P-256, subjectAltName the
# listen address) is made at each start, the certificate in /run/kamailio-ims/wss-cert.pem (where
# the harness reads it: ixit.websocket.certificate of profiles/kamailio-container.yaml).
# IMS_PEERS (optional): peer IMS networks, <domain>=<host>:<port>,... (interconnect.sh): checked here
# (exit status 2 naming IMS_PEERS when malformed) and written to the db_text table "interconnect" in
# /var/lib/kamailio-ims/db, which kamailio.cfg loads (-A INTERCONNECT_DB); unset or empty: no peers.
# IMS_LOAD_USERS and IMS_LOAD_PASSWORD (optional): the load users (README.md "Load users"); Kamailio,
# exec'd below, reads them from the container's environment.
set -eu
listen="${LISTEN_IP:-${SIP_HOST:-127.0.0.1}}"
. /usr/local/lib/kamailio-ims/interconnect.sh
interconnect_parse "$listen:${SIP_PORT:-5060}"
set -- -A "SIP_PORT=${SIP_PORT:-5060}" -A "LISTEN_IP=$listen" "$@"
if [ "$interconnect_count" -gt 0 ]; then
  interconnect_write /var/lib/kamailio-ims/db
  set -- "$@" -A 'INTERCONNECT_DB="text:///var/lib/kamailio-ims/db"'
fi
if [ -n "${WS_PORT:-}" ]; then
  set -- "$@" -A "WS_PORT=$WS_PORT"
  if [ -n "${WSS_PORT:-}" ]; then
    case "$listen" in *[!0-9.]*) san="DNS:$listen" ;; *) san="IP:$listen" ;; esac
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout /run/kamailio-ims/wss-key.pem \
      -out /run/kamailio-ims/wss-cert.pem -days 7 -subj "/CN=$listen" -addext "subjectAltName=$san" 2>/dev/null
    set -- "$@" -A "WSS_PORT=$WSS_PORT" -A 'WSS_CERT="/run/kamailio-ims/wss-cert.pem"' -A 'WSS_KEY="/run/kamailio-ims/wss-key.pem"'
  fi
fi
exec kamailio -f /etc/kamailio-ims/kamailio.cfg -DD -E \
  -w /run/kamailio-ims -Y /run/kamailio-ims -P /run/kamailio-ims/kamailio.pid -m 64 -M 8 "$@"
