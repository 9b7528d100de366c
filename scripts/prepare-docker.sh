#!/usr/bin/env bash
# Makes a Docker engine and the base image debian:bookworm-slim available on a Debian machine,
# for the container targets (docs/containers.md). Run as root; idempotent. Used by .ci/run on
# machines with no engine and no reachable registry; with an ordinary Docker installation none of
# it is needed (the Dockerfiles pull debian:bookworm-slim themselves).
#
#   1. `docker info` answers: the engine is there, go to 3.
#   2. Otherwise install docker.io (apt-get) if dockerd is missing, start dockerd in the
#      background (log in /tmp/dockerd.log) and wait up to 60 s for `docker info`.
#   3. debian:bookworm-slim exists, or is pulled (bounded by `timeout 20`), or is built locally:
#      debootstrap --variant=minbase bookworm from the Debian mirror apt already uses, then
#      `docker import`.
set -euo pipefail

BASE_IMAGE="debian:bookworm-slim"
SUITE="bookworm"
DOCKERD_LOG="/tmp/dockerd.log"
WAIT_S=60
PULL_TIMEOUT_S=20
export DEBIAN_FRONTEND=noninteractive

say() { echo "prepare-docker: $*"; }
die() {
  echo "prepare-docker: FAILED: $*" >&2
  exit 1
}

apt_updated=false
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "installing $* needs root (apt-get)"
  if [ "$apt_updated" = false ]; then
    apt-get update -qq || die "apt-get update failed"
    apt_updated=true
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/tmp/prepare-docker-apt.log 2>&1 || die "apt-get install $* failed; last lines of /tmp/prepare-docker-apt.log:
$(tail -n 20 /tmp/prepare-docker-apt.log)"
}

engine_answers() { docker info >/dev/null 2>&1; }

# The first http(s) URI of the Debian archive in apt's sources (deb822 .sources or one-line .list),
# skipping the security archive.
debian_mirror() {
  local files=() f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 1
  {
    grep -hE '^[[:space:]]*URIs:' "${files[@]}" 2>/dev/null | sed -E 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n'
    grep -hE '^[[:space:]]*deb[[:space:]]' "${files[@]}" 2>/dev/null | sed -E 's/\[[^]]*\]//' | awk '{print $2}'
  } | grep -E '^https?://' | grep -v -- '-security' | head -n 1
}

# 1 and 2: the engine
if engine_answers; then
  say "docker engine answers (server $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown))"
else
  if ! command -v dockerd >/dev/null 2>&1; then
    say "dockerd is missing: installing Debian package docker.io"
    apt_install docker.io
    command -v dockerd >/dev/null 2>&1 || die "docker.io is installed but dockerd is not on PATH"
  else
    say "dockerd is installed: $(command -v dockerd)"
  fi
  command -v docker >/dev/null 2>&1 || die "the docker client is not on PATH (Debian package docker.io)"
  [ "$(id -u)" -eq 0 ] || die "starting dockerd needs root"
  say "starting dockerd in the background (log: $DOCKERD_LOG)"
  # its own session, so that it outlives this script and the shell that ran it
  setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  dockerd_pid=$!
  for ((i = 0; i < WAIT_S; i++)); do
    engine_answers && break
    kill -0 "$dockerd_pid" 2>/dev/null || die "dockerd exited; last lines of $DOCKERD_LOG:
$(tail -n 20 "$DOCKERD_LOG")"
    sleep 1
  done
  engine_answers || die "docker info did not answer within ${WAIT_S} s; last lines of $DOCKERD_LOG:
$(tail -n 20 "$DOCKERD_LOG")"
  say "docker engine answers after ${i} s (dockerd pid $dockerd_pid)"
fi

# 3: the base image
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "$BASE_IMAGE is present"
  exit 0
fi
say "$BASE_IMAGE is missing: trying docker pull (at most ${PULL_TIMEOUT_S} s)"
if timeout "$PULL_TIMEOUT_S" docker pull -q "$BASE_IMAGE" >/dev/null 2>&1 && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "$BASE_IMAGE pulled"
  exit 0
fi
say "docker pull failed (no registry reachable): building $BASE_IMAGE locally with debootstrap"
command -v debootstrap >/dev/null 2>&1 || {
  say "installing Debian package debootstrap"
  apt_install debootstrap
}
mirror="$(debian_mirror || true)"
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources"
rootfs="$(mktemp -d /tmp/bookworm-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
say "debootstrap --variant=minbase $SUITE $rootfs $mirror"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >/tmp/debootstrap.log 2>&1 || die "debootstrap failed; last lines of /tmp/debootstrap.log:
$(tail -n 20 /tmp/debootstrap.log)"
# Like the official slim image: no package lists, no caches.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
say "docker import -> $BASE_IMAGE"
tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null || die "docker import failed"
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "$BASE_IMAGE is still missing after docker import"
say "$BASE_IMAGE built locally from $mirror"
