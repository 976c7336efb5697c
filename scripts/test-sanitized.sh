#!/usr/bin/env bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer into build-sanitize/ and runs ctest there.
# Extra arguments go to ctest (e.g. -L unit). KSPOUT_SANITIZE picks other sanitizers (thread).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sanitize=${KSPOUT_SANITIZE:-address,undefined}
export KSPOUT_BUILD_DIR=${KSPOUT_BUILD_DIR:-$root/build-${sanitize//,/-}}

# A report exits with a code no test expects, so a subprocess's finding fails its test too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=87:print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-exitcode=88:halt_on_error=0:second_deadlock_stack=1:suppressions=$root/tests/sanitizer/tsan.supp}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/sanitizer/lsan.supp:print_suppressions=0}

"$root/scripts/build.sh" -DKSPOUT_SANITIZE="$sanitize" -DKSPOUT_BUILD_BENCH=OFF
cd "$KSPOUT_BUILD_DIR"
ctest -j "${KSPOUT_JOBS:-$(nproc)}" --output-on-failure --timeout 900 "$@"
