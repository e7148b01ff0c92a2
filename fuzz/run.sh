#!/usr/bin/env bash
# Fuzzes Ferry's SSH input paths with libFuzzer: FerryFuzz (the message decoder, round-trip property) and
# FerryFuzzConnection (a whole server or client engine fed network bytes: packet framing, key exchange,
# authentication and channels; it must never crash or throw anything but SSHError).
#
# usage: fuzz/run.sh [SECONDS] [LIBFUZZER_OPTION...]
#
# Builds each product with -sanitize=fuzzer (into .build-fuzz, apart from the normal build), then fuzzes it
# for SECONDS (default 60; 0 only builds) on fuzz/corpus-run-TARGET/, a working copy of its seeds
# (fuzz/corpus/ and fuzz/connection-corpus/) that keeps what earlier runs found (delete it to start afresh).
# The fuzzer's full output goes to fuzz/corpus-run-TARGET.log; its last lines are printed.
#
# A crashing, leaking or hanging input is written to fuzz/artifacts/ and the script exits non-zero.
# Replay saved inputs without the fuzzer (a normal build) with:
#   swift run FerryFuzz fuzz/corpus fuzz/artifacts/FerryFuzz-crash-...
#   swift run FerryFuzzConnection fuzz/connection-corpus fuzz/artifacts/FerryFuzzConnection-crash-...
#
# Environment:
#   FERRY_FUZZ_TARGETS="FerryFuzz FerryFuzzConnection"   which fuzzers to run
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
# Each fuzzer with its seed corpus and the working copy that keeps what earlier runs found.
targets=(${FERRY_FUZZ_TARGETS:-FerryFuzz FerryFuzzConnection})

corpus_of() {
    case "$1" in
    FerryFuzz) echo fuzz/corpus ;;
    FerryFuzzConnection) echo fuzz/connection-corpus ;;
    *)
        echo "unknown fuzz target $1" >&2
        exit 2
        ;;
    esac
}

status=0
artifacts=fuzz/artifacts
mkdir -p "$artifacts"
# Swift's own crash handler would otherwise run first and keep libFuzzer from saving the crashing input.
export SWIFT_BACKTRACE=enable=no
for target in "${targets[@]}"; do
    seeds="$(corpus_of "$target")"
    build=(swift build -c debug --product "$target" --scratch-path "$scratch"
        -Xswiftc -sanitize=fuzzer -Xswiftc -DFERRY_LIBFUZZER)
    if [ -n "${FERRY_FUZZ_BUILD_LOCK:-}" ]; then
        build=(flock "$FERRY_FUZZ_BUILD_LOCK" "${build[@]}")
    fi
    echo "==> building $target"
    started=$(date +%s)
    "${build[@]}"
    echo "    build took $(($(date +%s) - started))s"
    fuzzer="$(swift build -c debug --scratch-path "$scratch" --show-bin-path)/$target"
    if [ "$seconds" -eq 0 ]; then
        echo "    built $fuzzer"
        continue
    fi
    corpus="fuzz/corpus-run-$target"
    mkdir -p "$corpus"
    cp "$seeds"/* "$corpus"/
    echo "==> fuzzing $target for ${seconds}s"
    "$fuzzer" \
        -max_total_time="$seconds" \
        -max_len=65536 \
        -timeout=10 \
        -dict=fuzz/ssh.dict \
        -artifact_prefix="$artifacts/$target-" \
        -print_final_stats=1 \
        -print_pcs=0 \
        -close_fd_mask=0 \
        "$@" \
        "$corpus" >"$corpus.log" 2>&1 || status=$?
    tail -n 12 "$corpus.log"
    if [ "$status" -ne 0 ]; then
        echo "==> $target failed (exit status $status); the input is in $artifacts/" >&2
        exit "$status"
    fi
    echo "==> $target: no failures; $(find "$corpus" -type f | wc -l) inputs in $corpus/"
done
