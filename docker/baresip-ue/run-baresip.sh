#!/bin/sh
# Runs Debian's baresip (1.0.0) as a terminal under test (a UE) whose P-CSCF is the harness.
# Usage: run-baresip.sh <pcscf-port> <pcscf-host> <ue-sip-port> [ctrl-port]
#
# The configuration lives in a private temporary directory (mode 700) that is removed when baresip
# stops; TERM, INT and HUP are forwarded to baresip. Identity sip:ue@ims.example.test, auth user
# ue@ims.example.test, Digest password from IMS_UE_SUT_PASSWORD (written only to the accounts file
# of that directory, mode 600; never printed). All requests go via the outbound proxy
# sip:<pcscf-host>:<pcscf-port> (baresip adds ;lr). SIP over UDP (and TCP) on 127.0.0.1:<ue-sip-port>.
#
# Upper tester (README.md): plain-text commands, one per line, on baresip's stdin (module stdio),
# and, when ctrl-port is given, the same commands over the "cons" console on 127.0.0.1:<ctrl-port>
# (UDP datagrams or TCP lines). Ready line on stdout: "baresip is ready."
#
# Optional environment:
#   IMS_UE_SUT_PASSWORD  Digest password (without it the account has no password and the UE
#                        cannot answer a challenge)
#   UE_REGINT            expiry requested in REGISTER, seconds (default 600; 0 = no REGISTER at
#                        start-up: register later with "/uadel" + "/uanew", README.md)
#   UE_ANSWERMODE        manual (default), early or auto
#   UE_IMPU / UE_IMPI    identity and auth user (defaults sip:ue@ims.example.test, ue@ims.example.test)
#   UE_SIP_HOST          address baresip listens on (default 127.0.0.1)
#   UE_STDIN             "no" leaves out module stdio (then only the cons port controls baresip)
#   UE_CONTACTS          space-separated URIs of the contact list, the peers of "/message" (default
#                        sip:bob@ims.example.test; the first one is the current contact)
#   UE_UUID              fixed instance id for +sip.instance (default: a new one per run)
#   UE_NET_INTERFACE     interface or address whose address goes into the SDP (default UE_SIP_HOST)
set -eu
usage="usage: run-baresip.sh <pcscf-port> <pcscf-host> <ue-sip-port> [ctrl-port]"
pport="${1:?$usage}"
phost="${2:?$usage}"
uport="${3:?$usage}"
cport="${4:-}"
impu="${UE_IMPU:-sip:ue@ims.example.test}"
impi="${UE_IMPI:-ue@ims.example.test}"
regint="${UE_REGINT:-600}"
answermode="${UE_ANSWERMODE:-manual}"
uhost="${UE_SIP_HOST:-127.0.0.1}"
netif="${UE_NET_INTERFACE:-}"
netif="${netif:-$uhost}"

umask 077
run="$(mktemp -d)"
cleanup() { rm -rf "$run"; }
trap cleanup EXIT

{
  printf '%s\n' \
    'poll_method		epoll' \
    "sip_listen		$uhost:$uport" \
    'call_local_timeout	120' \
    'call_max_calls		4' \
    'audio_path		/usr/share/baresip' \
    'audio_player		aubridge,ue-sut' \
    'audio_source		aubridge,ue-sut' \
    'audio_alert		aubridge,ue-sut-alert' \
    'audio_level		no' \
    'rtp_tos			184' \
    'rtcp_mux		no' \
    'jitter_buffer_delay	5-10' \
    'rtp_stats		no' \
    'module_path		/usr/lib/baresip/modules'
  # the address in the SDP (c=) comes from this interface, not from sip_listen
  if [ -n "$netif" ]; then printf '%s\n' "net_interface		$netif"; fi
  if [ "${UE_STDIN:-yes}" != no ]; then printf '%s\n' 'module			stdio.so'; fi
  if [ -n "$cport" ]; then printf '%s\n' 'module			cons.so' "cons_listen		127.0.0.1:$cport"; fi
  printf '%s\n' \
    'module			g711.so' \
    'module			aubridge.so' \
    'module_tmp		uuid.so' \
    'module_tmp		account.so' \
    'module_app		menu.so' \
    'module_app		contact.so'
} > "$run/config"

# One account. baresip 1.0.0 appends ";lr" to the outbound proxy URI itself (Route: <sip:h:p;lr>), so
# the URI here has no ;lr (with one, the Route would read ";lr;lr").
case "${IMS_UE_SUT_PASSWORD:-}" in
  *[\;\"\<\>\ \	,]*)
    echo "run-baresip.sh: IMS_UE_SUT_PASSWORD must not contain ; \" < > , or blanks (baresip account syntax)" >&2
    exit 2 ;;
esac
pass=""
if [ -n "${IMS_UE_SUT_PASSWORD:-}" ]; then pass=";auth_pass=$IMS_UE_SUT_PASSWORD"; fi
printf '<%s>;auth_user=%s%s;outbound="sip:%s:%s";regint=%s;answermode=%s;audio_codecs=PCMU,PCMA;mwi=no;ptime=20\n' \
  "$impu" "$impi" "$pass" "$phost" "$pport" "$regint" "$answermode" > "$run/accounts"
pass=""
# contacts: the peers of the "/message" command (contact module), one per line; the first is current
for c in ${UE_CONTACTS:-sip:bob@ims.example.test}; do printf '<%s>\n' "$c"; done > "$run/contacts"
# a fixed +sip.instance (module uuid generates a new one per run otherwise)
if [ -n "${UE_UUID:-}" ]; then printf '%s' "$UE_UUID" > "$run/uuid"; fi
chmod 600 "$run/config" "$run/accounts" "$run/contacts"

# A background command of a non-interactive shell gets /dev/null as stdin (dash does so even with
# an explicit "<&0"), and module stdio then fails ("fd_listen: fd=0 ... Operation not permitted"):
# hand the script's stdin over through descriptor 3.
# Each TERM/INT/HUP is forwarded (baresip stops gracefully on the first one, at once on the second).
pid=""
trap 'if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; else exit 143; fi' TERM
trap 'if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null || true; else exit 130; fi' INT
trap 'if [ -n "$pid" ]; then kill -HUP "$pid" 2>/dev/null || true; else exit 129; fi' HUP
exec 3<&0
baresip -f "$run" <&3 3<&- &
pid=$!
exec 3<&-
rc=0
while :; do
  wait "$pid" && rc=0 || rc=$?
  # wait returns early (status > 128) when a trapped signal arrives; loop until baresip has exited
  kill -0 "$pid" 2>/dev/null || break
done
exit "$rc"
