#!/usr/bin/env bash
# Makes sure the independent PodResources client of src/agent/podresources/ can run: Debian's
# python3-grpc-tools (grpcio and the protobuf runtime for /usr/bin/python3) and protobuf-compiler
# (/usr/bin/protoc). The tests generate the Python messages from proto/podresources/v1/api.proto
# with protoc: the protoc bundled in Debian bookworm's grpc_tools (3.5) predates proto3 `optional`,
# which the upstream proto uses, so the distribution's protoc (3.21) does the generating.
set -euo pipefail

PYTHON=/usr/bin/python3
PROTOC=/usr/bin/protoc

ready() {
  [[ -x "$PYTHON" ]] && "$PYTHON" -c 'import grpc, grpc_tools, google.protobuf' 2>/dev/null && [[ -x "$PROTOC" ]]
}

if ready; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-python-grpc: python3-grpc-tools or protobuf-compiler is missing and apt-get is not available; install the Debian packages by hand" >&2
  exit 1
fi

if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "ensure-python-grpc: python3-grpc-tools or protobuf-compiler is missing and installing them needs root (run: apt-get install python3-grpc-tools protobuf-compiler)" >&2
    exit 1
  fi
else
  SUDO=()
fi

PACKAGES=(python3-grpc-tools protobuf-compiler)
export DEBIAN_FRONTEND=noninteractive
echo "ensure-python-grpc: installing ${PACKAGES[*]} (one-time)" >&2
if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null 2>&1; then
  # The package lists may be missing or stale on a fresh machine: refresh once and retry.
  "${SUDO[@]}" apt-get update -qq >/dev/null
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
fi

if ! ready; then
  echo "ensure-python-grpc: apt-get finished but $PYTHON cannot import grpc/grpc_tools or $PROTOC is missing" >&2
  exit 1
fi
echo "ensure-python-grpc: $("$PROTOC" --version) and python grpc $("$PYTHON" -c 'import grpc; print(grpc.__version__)') ready" >&2
