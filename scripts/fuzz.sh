#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ and runs each for a fixed time, seeding its
# corpus from the repository's own files, then prints what each run did.
#
# Usage: scripts/fuzz.sh [OPTIONS] [TARGET...]
#
#   -t, --time SECONDS   run time per target (default 1800)
#   -j, --jobs N         targets run at the same time (default 1)
#       --no-build       run the binaries built before
#   -h, --help           show this help
#
# With no TARGET, every target in fuzz/fuzz_targets runs. Each target keeps its corpus in
# fuzz/corpus/TARGET (kept between runs), its libFuzzer output in fuzz/logs/TARGET.log,
# and writes a crashing input to fuzz/artifacts/TARGET/. libFuzzer stops a target at its
# first crash; the summary shows how long it had run.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). On a stable toolchain the
# script sets RUSTC_BOOTSTRAP=1 so that cargo-fuzz may pass the sanitizer flags.

set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz="$repo/fuzz"
seconds=1800
jobs=1
build=1
targets=()

usage() {
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        -t | --time)
            seconds=${2:?--time needs a number of seconds}
            shift 2
            ;;
        -j | --jobs)
            jobs=${2:?--jobs needs a number}
            shift 2
            ;;
        --no-build)
            build=0
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            echo "fuzz.sh: unknown option $1 (see --help)" >&2
            exit 2
            ;;
        *)
            targets+=("$1")
            shift
            ;;
    esac
done

if ! [[ $seconds =~ ^[1-9][0-9]*$ && $jobs =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz.sh: --time and --jobs must be positive whole numbers" >&2
    exit 2
fi

all_targets=()
for file in "$fuzz"/fuzz_targets/*.rs; do
    all_targets+=("$(basename "$file" .rs)")
done
if [ ${#targets[@]} -eq 0 ]; then
    targets=("${all_targets[@]}")
fi
for target in "${targets[@]}"; do
    if [ ! -f "$fuzz/fuzz_targets/$target.rs" ]; then
        echo "fuzz.sh: no fuzz target named $target; targets: ${all_targets[*]}" >&2
        exit 2
    fi
done

export RUSTC_BOOTSTRAP=1
cd "$fuzz"
if [ "$build" -eq 1 ]; then
    for target in "${targets[@]}"; do
        cargo fuzz build "$target"
    done
fi
binaries="$fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"

# Largest input per target, in bytes: whole queries, a few hundred log lines, one
# .evtx file of a header and one chunk, and enough choices for a query of six stages.
max_len() {
    case "$1" in
        parse_query) echo 4096 ;;
        read_text) echo 16384 ;;
        read_evtx) echo 70000 ;;
        run_engine) echo 1024 ;;
        *) echo 4096 ;;
    esac
}

# Writes the seed inputs of a target into a fresh directory, from the repository's
# queries, samples and test data. The readers' seeds start with the selector byte that
# picks the reader (see the target's header comment).
write_seeds() {
    local target=$1 seeds=$2
    rm -rf "$seeds"
    mkdir -p "$seeds"
    case "$target" in
        parse_query)
            cp "$repo"/queries/*.sumo "$seeds/"
            ;;
        read_text)
            local data="$repo/crates/sumoql-input/tests/data"
            local selector file
            for file in "$data"/*.xml "$repo"/samples/*.xml; do
                for selector in '\x00' '\x10' '\x20' '\x0f'; do
                    { printf "$selector"; head -c 16000 "$file"; } >"$seeds/$(basename "$file")-$selector"
                done
            done
            for file in "$data"/*.jsonl; do
                for selector in '\x02' '\x03' '\x04' '\x05' '\x06' '\x0f'; do
                    { printf "$selector"; cat "$file"; } >"$seeds/$(basename "$file")-$selector"
                done
            done
            # Plain text and syslog seeds: the sample's lines as text, with and
            # without a multi-line start pattern.
            for selector in '\x07' '\x08' '\x09'; do
                { printf "$selector"; head -c 4000 "$repo/samples/sysmon_sample.xml"; } >"$seeds/text-$selector"
            done
            ;;
        read_evtx)
            SUMOQL_FUZZ_WRITE_SEEDS="$seeds" "$binaries/read_evtx" -runs=0 >/dev/null 2>&1
            ;;
    esac
}

# Runs one target and writes its summary line to fuzz/logs/TARGET.summary.
run_target() {
    local target=$1
    local corpus="$fuzz/corpus/$target" seeds="$fuzz/seeds/$target"
    local artifacts="$fuzz/artifacts/$target" log="$fuzz/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$fuzz/logs"
    write_seeds "$target" "$seeds"
    local crashes_before started ended status=0
    crashes_before=$(find "$artifacts" -type f | wc -l)

    started=$(date +%s)
    "$binaries/$target" "$corpus" "$seeds" \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        >"$log" 2>&1 || status=$?
    ended=$(date +%s)

    local executions exec_rate last cov ft corpus_files crashes
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    exec_rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corpus_files=$(find "$corpus" -type f | wc -l)
    crashes=$(($(find "$artifacts" -type f | wc -l) - crashes_before))
    printf '%-12s %6ss %12s %8s %6s %6s %7s %7s %s\n' "$target" "$((ended - started))" \
        "${executions:-?}" "${exec_rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus_files" \
        "$crashes" "exit $status" >"$fuzz/logs/$target.summary"
}

echo "Running ${targets[*]} for $seconds s each, $jobs at a time; logs in fuzz/logs/"
running=0
for target in "${targets[@]}"; do
    run_target "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait

printf '%-12s %7s %12s %8s %6s %6s %7s %7s %s\n' target wall executions exec/s cov ft corpus \
    crashes status
for target in "${targets[@]}"; do
    cat "$fuzz/logs/$target.summary"
done
for target in "${targets[@]}"; do
    for file in "$fuzz/artifacts/$target"/*; do
        if [ -f "$file" ]; then
            echo "crash input: ${file#"$repo"/}"
        fi
    done
done
