#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds kafka-spout into build/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${KSPOUT_BUILD_DIR:-$root/build}
jobs=${KSPOUT_JOBS:-$(nproc)}

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=${KSPOUT_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
