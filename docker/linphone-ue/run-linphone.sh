#!/bin/sh
# Runs Debian's Linphone CLI (linphonec, package linphone-cli 5.1) as a UE under test: the harness
# plays the P-CSCF at <pcscf-host>:<pcscf-port> and drives the UE by writing linphonec commands, one a
# line, to this script's stdin (see README.md).
# Usage: run-linphone.sh <pcscf-port> <pcscf-host> <ue-sip-port> [reg-expires]
# The Digest password comes from IMS_UE_SUT_PASSWORD. The private configuration (linphonerc, mode
# 600), HOME and the XDG directories live in a temporary directory that is removed when linphonec
# stops. linphonec does not exit when its stdin reaches end of file (it busy-loops), so the commands
# go through a FIFO and `quit` is sent when our stdin closes. TERM, INT and HUP stop linphonec.
# Optional environment: IMS_UE_SUT_EXPIRES (default 600, overridden by the 4th argument),
# IMS_UE_SUT_100REL (0 = no 100rel, 1 = supported (default), 2 = required),
# IMS_UE_SUT_LOGLEVEL (linphonec -d, 0..6, default 0), IMS_UE_SUT_LOGFILE (where that log goes; without
# it, level 0 writes its few error lines to stderr but levels 1..6 write to stdout, mixed with the
# command output the harness reads).
set -eu
usage="usage: run-linphone.sh <pcscf-port> <pcscf-host> <ue-sip-port> [reg-expires]"
pcscf_port="${1:?$usage}"
pcscf_host="${2:?$usage}"
ue_port="${3:?$usage}"
expires="${4:-${IMS_UE_SUT_EXPIRES:-600}}"
: "${IMS_UE_SUT_PASSWORD:?IMS_UE_SUT_PASSWORD is not set}"
umask 077
run="$(mktemp -d)"
mkdir -p "$run/home/.config" "$run/home/.local/share/linphone"
# The password only ever goes to this mode-600 file, never to a command line or the log.
cat > "$run/linphonerc" <<CFG
[sip]
sip_port=$ue_port
sip_tcp_port=0
sip_tls_port=0
sip_dtls_port=0
bind_address=127.0.0.1
use_ipv6=0
default_proxy=0
register_only_when_network_is_up=0
auto_net_state_mon=0
ping_with_options=0
keepalive_period=0
100rel_support_level=${IMS_UE_SUT_100REL:-1}

[rtp]
audio_rtp_port=40000-40999
video_rtp_port=41000-41999
text_rtp_port=42000-42999

[sound]
echocancellation=0

[video]
capture=0
display=0
automatically_initiate=0
automatically_accept=0

[misc]
add_missing_audio_codecs=0
add_missing_video_codecs=0

[audio_codec_0]
mime=PCMU
rate=8000
channels=1
enabled=1

[audio_codec_1]
mime=PCMA
rate=8000
channels=1
enabled=1

[proxy_0]
reg_identity=sip:ue@ims.example.test
reg_proxy=<sip:$pcscf_host:$pcscf_port;transport=udp>
reg_route=<sip:$pcscf_host:$pcscf_port;transport=udp;lr>
realm=ims.example.test
reg_expires=$expires
reg_sendregister=0
publish=0
dial_escape_plus=0

[auth_info_0]
username=ue
userid=ue@ims.example.test
passwd=$IMS_UE_SUT_PASSWORD
realm=ims.example.test
domain=ims.example.test
CFG
mkfifo "$run/commands"
# An asynchronous command's stdin is /dev/null unless redirected explicitly: keep ours as fd 3.
exec 3<&0
HOME="$run/home" XDG_CONFIG_HOME="$run/home/.config" XDG_DATA_HOME="$run/home/.local/share" \
  linphonec -c "$run/linphonerc" -d "${IMS_UE_SUT_LOGLEVEL:-0}" ${IMS_UE_SUT_LOGFILE:+-l "$IMS_UE_SUT_LOGFILE"} \
  < "$run/commands" 3<&- &
pid=$!
exec 4> "$run/commands"
# Forwards our stdin to linphonec; on end of file, `quit`.
( trap 'kill "$cat" 2>/dev/null || true; exit 0' TERM
  cat <&3 >&4 3<&- &
  cat=$!
  wait "$cat" || true
  printf 'quit\n' >&4 2>/dev/null || true ) &
fwd=$!
exec 3<&- 0</dev/null
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kill "$fwd" 2>/dev/null || true
  rm -rf "$run"
}
trap 'stop; exit 0' TERM INT HUP
wait "$pid" || true
stop
