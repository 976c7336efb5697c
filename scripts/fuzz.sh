#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for a set time or exec count
# from its seed corpus, then prints a table: execs, exec/s, coverage, findings.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/fuzz.sh [options] [TARGET...]

Builds every fuzz target (tests/fuzz/) with clang, -DKSPOUT_FUZZ=ON, into build-fuzz/, then runs
the named targets (default: all) one after the other, each in one process, starting from a copy
of tests/fuzz/corpus/<target>/ (the repository's corpus is never written to).

  -t, --time SECONDS   stop each target after this long (default 60 unless --runs is given)
  -n, --runs N         stop each target after N executions
  -l, --max-len BYTES  longest input libFuzzer makes (default 4096)
  -o, --out DIR        where working corpora and findings go (default build-fuzz/fuzz-out)
      --build-only     build the targets and stop
      --no-build       run what build-fuzz/ already has
  -h, --help           this text

Findings (crash-*, leak-*, timeout-*, oom-*) are left in OUT/<target>/ with each target's log;
reproduce one with build-fuzz/tests/fuzz/<target> FILE. Exit status 1 if anything was found.
Environment: CC/CXX (default clang-14/clang++-14, or clang/clang++), KSPOUT_FUZZ_BUILD_JOBS (1),
UBSAN_OPTIONS (default halt_on_error=1:print_stacktrace=1: an undefined-behaviour report stops
the target and is a finding).
EOF
}

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
out="$build/fuzz-out"
seconds=""
runs=""
max_len=4096
do_build=1
build_only=0
targets=()
while (($#)); do
  case "$1" in
    -t|--time) seconds="$2"; shift 2 ;;
    -n|--runs) runs="$2"; shift 2 ;;
    -l|--max-len) max_len="$2"; shift 2 ;;
    -o|--out) out="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --no-build) do_build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [[ -z "$seconds" && -z "$runs" ]]; then seconds=60; fi

all_targets=()
for src in "$root"/tests/fuzz/fuzz_*.cpp; do
  all_targets+=("$(basename "$src" .cpp)")
done
if ((${#targets[@]} == 0)); then targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
  [[ -f "$root/tests/fuzz/$t.cpp" ]] || { echo "fuzz.sh: no target $t (have: ${all_targets[*]})" >&2; exit 2; }
done

# clang and its libFuzzer runtime, from Debian 12's packages; the libraries the build needs.
install_toolchain() {
  local packages=(clang-14 libclang-rt-14-dev) missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  "$root/scripts/install-deps.sh"
}

if ((do_build)); then
  install_toolchain
  if [[ -z "${CC:-}" ]]; then
    if command -v clang-14 >/dev/null; then CC=clang-14 CXX=clang++-14; else CC=clang CXX=clang++; fi
  fi
  CC="$CC" CXX="${CXX:-clang++}" cmake -S "$root" -B "$build" -DKSPOUT_FUZZ=ON -DKSPOUT_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"${KSPOUT_FUZZ_BUILD_JOBS:-1}" --target "${targets[@]}"
fi
if ((build_only)); then exit 0; fi

# UndefinedBehaviorSanitizer only prints a report and carries on unless told to stop; stopping
# makes libFuzzer save the input as a crash-* file, so such a report counts as a finding.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

mkdir -p "$out"
rows=()
found_any=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  [[ -x "$bin" ]] || { echo "fuzz.sh: $bin is not built" >&2; exit 2; }
  dir="$out/$t"
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  if [[ -d "$root/tests/fuzz/corpus/$t" ]]; then cp "$root/tests/fuzz/corpus/$t"/* "$dir/corpus/" 2>/dev/null || true; fi
  args=(-print_final_stats=1 -max_len="$max_len" -artifact_prefix="$dir/" -rss_limit_mb=2048 -timeout=10)
  [[ -n "$seconds" ]] && args+=(-max_total_time="$seconds")
  [[ -n "$runs" ]] && args+=(-runs="$runs")
  [[ -f "$root/tests/fuzz/$t.dict" ]] && args+=(-dict="$root/tests/fuzz/$t.dict")
  echo "== $t: ${args[*]}" >&2
  start=$(date +%s)
  set +e
  "$bin" "${args[@]}" "$dir/corpus" >"$dir/log" 2>&1
  status=$?
  set -e
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  findings=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if ((findings > 0 || status != 0)); then found_any=1; fi
  note=""
  if ((status != 0 && findings == 0)); then note=" (exit $status, see $dir/log)"; fi
  rows+=("$(printf '| %-20s | %12s | %8s | %6ss | %6s | %7s | %s%s |' "$t" "${execs:-?}" "${rate:-?}" \
    "$elapsed" "${cov:-?}" "${ft:-?}" "$findings" "$note")")
  if ((findings > 0)); then
    find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
      -printf '   finding: %p\n' >&2
  fi
done

printf '| %-20s | %12s | %8s | %7s | %6s | %7s | %s |\n' target execs exec/s time cov ft findings
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..22})" "$(printf -- '-%.0s' {1..14})" \
  "$(printf -- '-%.0s' {1..10})" "$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..8})" \
  "$(printf -- '-%.0s' {1..9})" "----------"
printf '%s\n' "${rows[@]}"
exit "$found_any"
