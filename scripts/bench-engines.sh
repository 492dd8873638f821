#!/usr/bin/env bash
# Times the native engine against DataFusion (`--engine datafusion`) on the same
# generated Windows event XML and on its Parquet ingest, in one run with the commands
# alternated, and prints a Markdown table for BENCHMARKS.md. Ratios compare commands
# of this run only.
#
# Usage: scripts/bench-engines.sh [OPTIONS]
#   --size SIZE        generated Windows event XML to read (default 1GiB)
#   --reps N           timed runs of each command, alternated (default 3)
#   --partitions N     DataFusion partitions (default: the number of cores)
#   --data-dir DIR     where generated data is cached (default $TMPDIR/sumoql-bench)
#
# Needs a release build with the datafusion feature; builds it when missing.
set -euo pipefail
{

size=1GiB
reps=3
partitions=""
data_dir="${TMPDIR:-/tmp}/sumoql-bench"

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --size) size=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --partitions) partitions=$2; shift 2 ;;
        --data-dir) data_dir=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-engines.sh: error: unknown argument '$1'; see --help" >&2; exit 2 ;;
    esac
done
if ! [[ $reps =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-engines.sh: error: invalid --reps '$reps': expected a positive whole number" >&2
    exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
query_file="$repo/queries/t1204_005_malicious_library.sumo"
target_dir=${CARGO_TARGET_DIR:-$repo/target}
sumoql="$target_dir/release/sumoql"
loggen="$target_dir/release/sumoql-loggen"
log() { echo "bench-engines.sh: $*" >&2; }

log "building sumoql with the datafusion feature (release)"
(cd "$repo" && cargo build --quiet --release --locked --features datafusion \
    && cargo build --quiet --release --locked -p sumoql-loggen)

mkdir -p "$data_dir"
xml="$data_dir/engines-$size.xml"
parquet="$data_dir/engines-$size.parquet"
if [[ ! -s $xml ]]; then
    log "generating $size of Windows event XML"
    "$loggen" --size "$size" -o "$xml.part" 2>/dev/null
    mv "$xml.part" "$xml"
fi
if [[ ! -d $parquet ]]; then
    log "ingesting it to Parquet"
    "$sumoql" ingest --quiet "$xml" --to parquet "$parquet.part"
    mv "$parquet.part" "$parquet"
fi

partition_args=()
if [[ -n $partitions ]]; then
    partition_args=(--partitions "$partitions")
fi

# name | engine | input | query arguments
commands=(
    "shipped query|native|$xml|$query_file"
    "shipped query|datafusion|$xml|$query_file"
    "shipped query|datafusion|$parquet|$query_file"
    "count by EventID|native|$xml|-e|* | count by EventID"
    "count by EventID|datafusion|$xml|-e|* | count by EventID"
    "count by EventID|datafusion|$parquet|-e|* | count by EventID"
)

declare -A times
for ((rep = 1; rep <= reps; rep++)); do
    for index in "${!commands[@]}"; do
        IFS='|' read -r -a fields <<<"${commands[$index]}"
        engine=${fields[1]}
        input=${fields[2]}
        query=("${fields[@]:3}")
        extra=()
        if [[ $engine == datafusion ]]; then
            extra=("${partition_args[@]}")
        fi
        start=$(date +%s.%N)
        "$sumoql" run --quiet --format csv --engine "$engine" "${extra[@]}" "${query[@]}" "$input" >"$data_dir/engines-out-$index.csv"
        end=$(date +%s.%N)
        times[$index]+="$(echo "$end - $start" | bc) "
        log "rep $rep: ${fields[0]} on $engine over $(basename "$input"): $(echo "$end - $start" | bc) s"
    done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for pair in "0 1 2" "3 4 5"; do
    read -r native on_xml on_parquet <<<"$pair"
    for other in "$on_xml" "$on_parquet"; do
        if ! cmp -s "$data_dir/engines-out-$native.csv" "$data_dir/engines-out-$other.csv"; then
            log "error: the result of command $other differs from the native engine's"
            exit 1
        fi
    done
done

echo "| query | input | engine | median of $reps (s) | time / native over XML |"
echo "|---|---|---|---|---|"
for index in "${!commands[@]}"; do
    IFS='|' read -r -a fields <<<"${commands[$index]}"
    base=$(( index < 3 ? 0 : 3 ))
    value=$(median "${times[$index]}")
    native=$(median "${times[$base]}")
    input=$([[ ${fields[2]} == "$parquet" ]] && echo "Parquet ($(du -sh "$parquet" | cut -f1))" || echo "XML ($size)")
    printf '| %s | %s | %s | %.2f | %.2fx |\n' "${fields[0]}" "$input" "${fields[1]}" "$value" "$(echo "$value / $native" | bc -l)"
done
echo
echo "Every DataFusion result above is byte-identical to the native one."
exit 0
}
