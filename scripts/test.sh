#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit, vectors, integration) through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${KSPOUT_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"
cd "$build_dir"
ctest -j "${KSPOUT_JOBS:-$(nproc)}" --output-on-failure --timeout 900 "$@"
