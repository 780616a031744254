#!/usr/bin/env bash
# Makes sure Debian's containerd (with ctr and the runc v2 shim), runc and a static busybox are
# installed for the enforcement tests of src/agent/enforce/: they start their own containerd (own
# root, state and socket under a temporary directory) and build their container images from
# /bin/busybox, so no registry is needed. Idempotent: does nothing when everything is there.
set -euo pipefail

missing=()
for cmd in containerd ctr containerd-shim-runc-v2; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=(containerd)
done
command -v runc >/dev/null 2>&1 || [[ -x /usr/sbin/runc ]] || missing+=(runc)
# The images copy /bin/busybox into an empty root filesystem: it must not need a dynamic loader.
if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
  missing+=(busybox-static)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-containerd: ${packages[*]} missing and apt-get is not available; install Debian's ${packages[*]} by hand" >&2
  exit 1
fi

if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "ensure-containerd: ${packages[*]} missing and installing needs root (run: apt-get install ${packages[*]})" >&2
    exit 1
  fi
else
  SUDO=()
fi

export DEBIAN_FRONTEND=noninteractive
echo "ensure-containerd: installing Debian ${packages[*]} (one-time)" >&2
if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1; then
  # The package lists may be missing or stale on a fresh machine: refresh once and retry.
  "${SUDO[@]}" apt-get update -qq >/dev/null
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

for cmd in containerd ctr containerd-shim-runc-v2; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "ensure-containerd: apt-get finished but $cmd is still missing" >&2
    exit 1
  fi
done
if ! command -v runc >/dev/null 2>&1 && [[ ! -x /usr/sbin/runc ]]; then
  echo "ensure-containerd: apt-get finished but runc is still missing" >&2
  exit 1
fi
if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
  echo "ensure-containerd: apt-get finished but /bin/busybox is not the static busybox" >&2
  exit 1
fi
echo "ensure-containerd: $(containerd --version 2>/dev/null || echo containerd) ready" >&2
