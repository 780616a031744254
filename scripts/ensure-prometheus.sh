#!/usr/bin/env bash
# Makes sure Debian's `prometheus` package is installed: /usr/bin/promtool checks the agent's
# /metrics text, and /usr/bin/prometheus scrapes a running agent in the agent's metrics tests.
set -euo pipefail

PROMETHEUS=/usr/bin/prometheus
PROMTOOL=/usr/bin/promtool

if [[ -x "$PROMETHEUS" && -x "$PROMTOOL" ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-prometheus: $PROMETHEUS or $PROMTOOL is missing and apt-get is not available; install Debian's prometheus package by hand" >&2
  exit 1
fi

if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "ensure-prometheus: $PROMETHEUS is missing and installing it needs root (run: apt-get install prometheus)" >&2
    exit 1
  fi
else
  SUDO=()
fi

export DEBIAN_FRONTEND=noninteractive
echo "ensure-prometheus: installing Debian prometheus (one-time)" >&2
install_prometheus() {
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
if ! install_prometheus 2>/dev/null; then
  # The package lists may be missing or stale on a fresh machine: refresh once and retry.
  "${SUDO[@]}" apt-get update -qq >/dev/null
  install_prometheus
fi

if [[ ! -x "$PROMETHEUS" || ! -x "$PROMTOOL" ]]; then
  echo "ensure-prometheus: apt-get finished but $PROMETHEUS or $PROMTOOL is still missing" >&2
  exit 1
fi
echo "ensure-prometheus: $("$PROMETHEUS" --version 2>/dev/null | head -n 1) ready" >&2
