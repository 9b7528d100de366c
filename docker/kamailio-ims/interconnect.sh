# Peer IMS networks for kamailio.cfg (TS 24.228 7.2, TS 24.229 4.4 trust domain), sourced by
# run-kamailio.sh and the image's entry point (entrypoint.sh); POSIX sh.
#
# IMS_PEERS: a comma-separated list of <domain>=<host>:<port>, the peer network's home domain and
# the UDP address of its entry point (its I-CSCF/IBCF), e.g.
#   IMS_PEERS=ims-b.example.test=127.0.0.1:40123,ims-c.example.test=peer-c.local:5060
# A host name is resolved to its first IPv4 address here, once: Kamailio recognises a peer's requests
# by their source address and port, which must therefore be that address. Empty or unset: no peers.
#
# interconnect_parse <own address:port>: validates IMS_PEERS and sets interconnect_rows (the rows of
# the db_text table) and interconnect_count; exits with status 2 and a message naming IMS_PEERS on
# a malformed entry. interconnect_write <db directory>: writes the db_text table "interconnect"
# (columns domain, address) there, which kamailio.cfg loads into its htable "peer" when given
# -A 'INTERCONNECT_DB="text://<db directory>"'.

interconnect_fail() {
  echo "$0: IMS_PEERS: $1 (expected a comma-separated list of <domain>=<host>:<port>, e.g. ims-b.example.test=127.0.0.1:5070)" >&2
  exit 2
}

interconnect_parse() {
  interconnect_rows=""
  interconnect_count=0
  _own="${1:-}"
  _seen=" "
  _log=""
  _nl='
'
  case "${IMS_PEERS:-}" in *"$_nl"*) interconnect_fail "contains a line break" ;; esac
  # only blanks: no peers
  case "${IMS_PEERS:-}" in *[!\ \	]*) ;; *) return 0 ;; esac
  _ifs="$IFS"
  IFS=,
  set -f
  # a trailing comma is tolerated; an empty entry elsewhere is not
  for _entry in $IMS_PEERS; do
    IFS="$_ifs"
    _entry="$(printf '%s' "$_entry" | sed 's/^[ 	]*//; s/[ 	]*$//')"
    [ -n "$_entry" ] || interconnect_fail "empty entry in '$IMS_PEERS'"
    case "$_entry" in
      *=*=*) interconnect_fail "malformed entry '$_entry': more than one '='" ;;
      ?*=?*:?*) ;;
      *) interconnect_fail "malformed entry '$_entry'" ;;
    esac
    _domain="$(printf '%s' "${_entry%%=*}" | tr 'A-Z' 'a-z')"
    _rest="${_entry#*=}"
    _host="${_rest%:*}"
    _port="${_rest##*:}"
    case "$_domain" in
      *[!a-z0-9.-]* | .* | *. | *..* | -* | *-) interconnect_fail "malformed domain '$_domain' in entry '$_entry'" ;;
    esac
    [ "$_domain" != "ims.example.test" ] || interconnect_fail "ims.example.test is this network's own domain (entry '$_entry')"
    case "$_seen" in *" $_domain "*) interconnect_fail "domain '$_domain' given twice" ;; esac
    _seen="$_seen$_domain "
    case "$_port" in
      "" | *[!0-9]*) interconnect_fail "malformed port '$_port' in entry '$_entry'" ;;
    esac
    # without leading zeros: Kamailio compares the text of the source port
    _digits="$(printf '%s' "$_port" | sed 's/^0*//')"
    case "$_digits" in
      "" | ??????*) interconnect_fail "port $_port out of range in entry '$_entry'" ;;
    esac
    [ "$_digits" -le 65535 ] || interconnect_fail "port $_port out of range in entry '$_entry'"
    _port="$_digits"
    case "$_host" in
      "" | *[!A-Za-z0-9.-]*) interconnect_fail "malformed host '$_host' in entry '$_entry' (an IPv4 address or a host name)" ;;
      *[!0-9.]*)
        # a host name: its first IPv4 address
        _ip="$(getent ahostsv4 "$_host" 2>/dev/null | awk 'NR == 1 { print $1 }')"
        [ -n "$_ip" ] || interconnect_fail "cannot resolve host '$_host' of entry '$_entry' to an IPv4 address"
        ;;
      *)
        _ip="$_host"
        _octets="$(printf '%s' "$_ip" | awk -F. 'NF == 4 && $1 != "" && $2 != "" && $3 != "" && $4 != "" && $1 < 256 && $2 < 256 && $3 < 256 && $4 < 256 { print "ok" }')"
        [ "$_octets" = "ok" ] || interconnect_fail "malformed IPv4 address '$_host' in entry '$_entry'"
        # no leading zeros: Kamailio compares the text of the source address
        _ip="$(printf '%s' "$_ip" | awk -F. '{ printf "%d.%d.%d.%d", $1, $2, $3, $4 }')"
        ;;
    esac
    [ "$_ip:$_port" != "$_own" ] || interconnect_fail "entry '$_entry' names this Kamailio's own address $_own"
    # db_text: ':' separates the columns, '\:' is a colon inside one
    interconnect_rows="$interconnect_rows$_domain:$_ip\\:$_port$_nl"
    interconnect_count=$((interconnect_count + 1))
    _log="$_log$0: IMS_PEERS: peer network $_domain at udp:$_ip:$_port$_nl"
    IFS=,
  done
  IFS="$_ifs"
  set +f
  printf '%s' "$_log" >&2
}

interconnect_write() {
  {
    echo "domain(str) address(str)"
    printf '%s' "$interconnect_rows"
  } >"$1/interconnect"
}
