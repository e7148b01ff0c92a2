#!/usr/bin/env bash
# Fuzzes the SSH message decoder with libFuzzer.
#
# usage: fuzz/run.sh [SECONDS] [LIBFUZZER_OPTION...]
#
# Builds the FerryFuzz product with -sanitize=fuzzer (into .build-fuzz, apart from the normal build), then
# fuzzes for SECONDS (default 60; 0 only builds) on fuzz/corpus-run/, a working copy of fuzz/corpus/ that keeps what earlier
# runs found (delete it to start afresh). Inputs worth keeping can be copied into fuzz/corpus/.
#
# A crashing, leaking or hanging input is written to fuzz/artifacts/ and the script exits non-zero.
# Replay saved inputs without the fuzzer (a normal build) with:
#   swift run FerryFuzz fuzz/corpus fuzz/artifacts/crash-...
#
# Environment:
#   FERRY_FUZZ_BUILD_LOCK=FILE   run the build under `flock FILE`, for machines where builds must not overlap
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-60}"
if [ $# -gt 0 ]; then shift; fi
case "$seconds" in
'' | *[!0-9]*)
    echo "usage: fuzz/run.sh [SECONDS] [LIBFUZZER_OPTION...]" >&2
    exit 2
    ;;
esac

scratch=.build-fuzz
build=(swift build -c debug --product FerryFuzz --scratch-path "$scratch"
    -Xswiftc -sanitize=fuzzer -Xswiftc -DFERRY_LIBFUZZER)
if [ -n "${FERRY_FUZZ_BUILD_LOCK:-}" ]; then
    build=(flock "$FERRY_FUZZ_BUILD_LOCK" "${build[@]}")
fi

echo "==> building the fuzzer"
started=$(date +%s)
"${build[@]}"
echo "    build took $(($(date +%s) - started))s"
fuzzer="$(swift build -c debug --scratch-path "$scratch" --show-bin-path)/FerryFuzz"
if [ "$seconds" -eq 0 ]; then
    echo "    built $fuzzer"
    exit 0
fi

corpus=fuzz/corpus-run
artifacts=fuzz/artifacts
mkdir -p "$corpus" "$artifacts"
cp fuzz/corpus/* "$corpus"/

echo "==> fuzzing for ${seconds}s"
# Swift's own crash handler would otherwise run first and keep libFuzzer from saving the crashing input.
export SWIFT_BACKTRACE=enable=no
status=0
"$fuzzer" \
    -max_total_time="$seconds" \
    -max_len=65536 \
    -timeout=10 \
    -dict=fuzz/ssh.dict \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1 \
    "$@" \
    "$corpus" || status=$?

if [ "$status" -ne 0 ]; then
    echo "==> the fuzzer failed (exit status $status); the input is in $artifacts/" >&2
    exit "$status"
fi
echo "==> no failures; $(find "$corpus" -type f | wc -l) inputs in $corpus/"
