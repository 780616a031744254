#!/usr/bin/env bash
# Runs every *.test.ts under src/ with node's own test runner (Node 20 has no glob support in --test).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src -name '*.test.ts' | sort)
exec node --import tsx --test --test-reporter=spec --test-concurrency=2 "${files[@]}"
