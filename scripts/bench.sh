#!/usr/bin/env bash
# Measures sumoql against the scan floors and tools its performance targets name, in one
# run with the commands alternated, and prints a Markdown table for BENCHMARKS.md.
#
# Usage: scripts/bench.sh [OPTIONS]
#   --size SIZE        generated Windows event XML to read (default 1GiB)
#   --reps N           timed runs of each command, alternated (default 5)
#   --seed N           generator seed (default 1204)
#   --evtx-size SIZE   total size of the copied .evtx samples (default 300MiB)
#   --data-dir DIR     where generated data is cached (default $TMPDIR/sumoql-bench)
#   --skip-large       skip the runs over 4 x SIZE and over 1,000,000 count-by keys
#
# Cached files are named after the size, the seed and a hash of the generator's source.
# They take about 2.8 GB at the default sizes. The real .evtx samples are read from
# $SUMOQL_SHARED/data/sysmon/evtx, or from ../shared next to the repository.
set -euo pipefail

# The body is one compound command, so bash reads all of it before running any of it,
# and editing this file during a run cannot change the run.
{

size=1GiB
reps=5
seed=1204
evtx_size=300MiB
data_dir="${TMPDIR:-/tmp}/sumoql-bench"
skip_large=false

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --size) size=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --evtx-size) evtx_size=$2; shift 2 ;;
        --data-dir) data_dir=$2; shift 2 ;;
        --skip-large) skip_large=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench.sh: error: unknown argument '$1'; see --help" >&2; exit 2 ;;
    esac
done
if ! [[ $reps =~ ^[1-9][0-9]*$ ]]; then
    echo "bench.sh: error: invalid --reps '$reps': expected a positive whole number" >&2
    exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
query_file="$repo/queries/t1204_005_malicious_library.sumo"
target_dir=${CARGO_TARGET_DIR:-$repo/target}
release="$target_dir/release"
mkdir -p "$data_dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/sumoql-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { echo "bench.sh: $*" >&2; }

# --- Tools -----------------------------------------------------------------------------

log "building release binaries (cargo build --release --locked)"
(cd "$repo" && cargo build --release --locked -p sumoql -p sumoql-loggen) >&2
sumoql="$release/sumoql"
loggen="$release/sumoql-loggen"
evtx_floor="$release/sumoql-evtx-floor"

# Installs a Debian package when its command is missing and apt-get can run.
ensure_debian_package() {
    local command=$1 package=$2
    if command -v "$command" > /dev/null; then
        return 0
    fi
    if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
        log "installing Debian package $package for $command"
        (apt-get update -qq && apt-get install -y -qq "$package") > /dev/null 2>&1 || true
    fi
    command -v "$command" > /dev/null
}

gnu_time=/usr/bin/time
if [[ ! -x $gnu_time ]]; then
    ensure_debian_package /usr/bin/time time || {
        echo "bench.sh: error: /usr/bin/time (Debian package 'time') is missing and could not be installed; it measures peak RSS" >&2
        exit 2
    }
fi

rg_path=""
if ensure_debian_package rg ripgrep; then
    rg_path=$(command -v rg)
else
    log "ripgrep (rg) is missing and could not be installed; its row is skipped"
fi

agrind_path=""
if command -v agrind > /dev/null; then
    agrind_path=$(command -v agrind)
else
    log "angle-grinder is missing; running 'cargo install ag --locked' (a few minutes)"
    if cargo install ag --locked >&2; then
        agrind_path=$(command -v agrind || echo "$HOME/.cargo/bin/agrind")
    else
        log "cargo install ag failed; the angle-grinder row is skipped"
    fi
fi

# --- Data ------------------------------------------------------------------------------

# Converts a size such as 300MiB, 300MB or 4096 to bytes.
to_bytes() {
    case "$1" in
        *iB) numfmt --from=iec-i "${1%B}" ;;
        *B) numfmt --from=si "${1%B}" ;;
        *) numfmt --from=none "$1" ;;
    esac
}

# A changed generator source gives new cache names, so stale data is never read.
generator_hash=$(cd "$repo/crates/sumoql-loggen" && find src Cargo.toml -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)

# Generates a file once, and keeps the generator's summary (its stderr) beside it.
generate() {
    local path=$1; shift
    if [[ -s $path && -s $path.counts ]]; then
        return 0
    fi
    log "generating $path"
    # The summary is moved into place last, so an interrupted run leaves no .counts file
    # and the next run generates the data again.
    "$loggen" "$@" --seed "$seed" -o "$path" 2> "$path.counts.partial"
    mv "$path.counts.partial" "$path.counts"
}

xml_file="$data_dir/sysmon-$size-seed$seed-$generator_hash.xml"
generate "$xml_file" --size "$size" --format xml
xml_bytes=$(stat -c %s "$xml_file")
xml_events=$(grep -o 'events=[0-9]*' "$xml_file.counts" | cut -d= -f2)
log "$(head -1 "$xml_file.counts")"

keys_file="$data_dir/sysmon-1000000-events-seed$seed-$generator_hash.xml"
if ! $skip_large; then
    generate "$keys_file" --events 1000000 --format xml
fi

# The shared .evtx samples, copied until the copies reach --evtx-size.
shared=${SUMOQL_SHARED:-$repo/../shared}
evtx_source="$shared/data/sysmon/evtx"
evtx_dir=""
if [[ -d $evtx_source ]] && compgen -G "$evtx_source/*.evtx" > /dev/null; then
    evtx_dir="$data_dir/evtx-$evtx_size"
    if [[ ! -f $evtx_dir.complete ]]; then
        log "copying the .evtx samples from $evtx_source into $evtx_dir"
        rm -rf "$evtx_dir"
        mkdir -p "$evtx_dir"
        target_bytes=$(to_bytes "$evtx_size")
        copied=0
        copy=0
        while [[ $copied -lt $target_bytes ]]; do
            copy=$((copy + 1))
            for source in "$evtx_source"/*.evtx; do
                cp "$source" "$evtx_dir/$(printf 'copy%03d' "$copy")-$(basename "$source")"
                copied=$((copied + $(stat -c %s "$source")))
            done
        done
        touch "$evtx_dir.complete"
    fi
else
    log "the shared .evtx samples are absent (looked in $evtx_source; set SUMOQL_SHARED); the EVTX rows are skipped"
fi

# --- Measurement -----------------------------------------------------------------------

# Runs a command once, appending "label wall_seconds peak_rss_kib" to the samples file.
# Standard output goes to $work/<label>.out, so the first run's result can be checked.
measure() {
    local label=$1; shift
    local started finished
    started=$EPOCHREALTIME
    if ! "$gnu_time" -f '%M' -o "$work/rss" "$@" > "$work/$label.out" 2> "$work/$label.err"; then
        echo "bench.sh: error: '$label' failed: $*" >&2
        tail -5 "$work/$label.err" >&2
        exit 1
    fi
    finished=$EPOCHREALTIME
    echo "$label $(awk -v a="$started" -v b="$finished" 'BEGIN { printf "%.4f", b - a }') $(tail -1 "$work/rss")" >> "$work/samples"
}

# The closest angle-grinder pipeline to the shipped detection. In one pass it parses the
# same fields from the Windows XML, because angle-grinder has no canonical _raw. It keeps
# rows that satisfy any of the three branches and counts them by host, user, image and
# event id. angle-grinder 0.19 has neither `matches` nor an ends-with function, so suffix
# tests use contains() and address prefixes use substring(). Its count is compared with
# the generator's below.
agrind_query=$(cat <<'AGRIND'
"Microsoft-Windows-Sysmon/Operational"
| parse "<EventID>*</EventID>" as eid
| where eid == 1 || eid == 3 || eid == 11
| parse "<Computer>*</Computer>" as host
| parse "<Data Name='User'>*</Data>" as user nodrop
| parse "<Data Name='Image'>*</Data>" as image nodrop
| parse "<Data Name='ParentImage'>*</Data>" as parent nodrop
| parse "<Data Name='ParentCommandLine'>*</Data>" as parentcmd nodrop
| parse "<Data Name='DestinationIp'>*</Data>" as ip nodrop
| parse "<Data Name='DestinationHostname'>*</Data>" as desthost nodrop
| parse "<Data Name='DestinationPort'>*</Data>" as port nodrop
| parse "<Data Name='TargetFilename'>*</Data>" as dropped nodrop
| where (eid == 1
    && (contains(parent, "\\pip.exe") || contains(parent, "\\pip3.exe") || contains(parent, "\\python.exe") || contains(parent, "\\python3.exe") || contains(parent, "\\node.exe") || contains(parent, "\\npm.cmd")
        || contains(parentcmd, "pip install") || contains(parentcmd, "pip3 install") || contains(parentcmd, "npm install") || contains(parentcmd, "npm ci") || contains(parentcmd, "yarn add") || contains(parentcmd, "setup.py"))
    && (contains(image, "\\cmd.exe") || contains(image, "\\powershell.exe") || contains(image, "\\pwsh.exe") || contains(image, "\\mshta.exe") || contains(image, "\\rundll32.exe") || contains(image, "\\certutil.exe") || contains(image, "\\bitsadmin.exe")
        || contains(image, "\\wscript.exe") || contains(image, "\\cscript.exe") || contains(image, "\\regsvr32.exe") || contains(image, "\\msiexec.exe") || contains(image, "\\schtasks.exe") || contains(image, "\\sc.exe") || contains(image, "\\reg.exe")))
  || (eid == 3
    && (contains(image, "\\python.exe") || contains(image, "\\python3.exe") || contains(image, "\\node.exe"))
    && port != 80 && port != 443 && port != 8080 && port != 8443
    && !(substring(ip, 0, 3) == "10." || substring(ip, 0, 8) == "192.168." || substring(ip, 0, 4) == "127.")
    && !(contains(desthost, "pypi.org") || contains(desthost, "pythonhosted.org") || contains(desthost, "npmjs.com") || contains(desthost, "github.com") || contains(desthost, "githubusercontent.com") || contains(desthost, "anaconda.com") || contains(desthost, "yarnpkg.com")))
  || (eid == 11
    && (contains(image, "\\python.exe") || contains(image, "\\python3.exe") || contains(image, "\\node.exe") || contains(image, "\\pip.exe") || contains(image, "\\pip3.exe"))
    && (contains(dropped, ".exe") || contains(dropped, ".dll") || contains(dropped, ".bat") || contains(dropped, ".ps1") || contains(dropped, ".vbs") || contains(dropped, ".scr"))
    && (contains(dropped, "\\Startup\\") || contains(dropped, "AppData\\Local\\Temp\\") || contains(dropped, "Windows\\Temp\\") || contains(dropped, "System32\\") || contains(dropped, "SysWOW64\\") || contains(dropped, "\\ProgramData\\")))
| count by host, user, image, eid
AGRIND
)

threads_option=false
if "$sumoql" run --help 2>&1 | grep -q -- '--threads'; then
    threads_option=true
fi

commands=(query count)
[[ -n $rg_path ]] && commands+=(rg)
commands+=(wc)
[[ -n $agrind_path ]] && commands+=(agrind)
if [[ -n $evtx_dir ]]; then commands+=(evtx_sumoql evtx_floor); fi
if $threads_option; then commands+=(query_1_thread query_2_threads); fi

run_command() {
    case "$1" in
        query) measure query "$sumoql" run --format csv "$query_file" "$xml_file" ;;
        count) measure count "$sumoql" run --format csv -e '* | count' "$xml_file" ;;
        rg) measure rg "$rg_path" -c 'pip install' "$xml_file" ;;
        wc) measure wc wc -l "$xml_file" ;;
        agrind) measure agrind "$agrind_path" --output json "$agrind_query" --file "$xml_file" ;;
        evtx_sumoql) measure evtx_sumoql "$sumoql" run --format csv -e '* | count' "$evtx_dir" ;;
        evtx_floor) measure evtx_floor "$evtx_floor" "$evtx_dir" ;;
        query_1_thread) measure query_1_thread "$sumoql" run --threads 1 --format csv "$query_file" "$xml_file" ;;
        query_2_threads) measure query_2_threads "$sumoql" run --threads 2 --format csv "$query_file" "$xml_file" ;;
    esac
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "timing ${commands[*]}: $reps repetitions, alternated"
for rep in $(seq 1 "$reps"); do
    for command in "${commands[@]}"; do
        run_command "$command"
    done
    log "repetition $rep of $reps done"
    if [[ $rep -eq 1 ]]; then
        cp "$work/query.out" "$work/query.first"
        cp "$work/count.out" "$work/count.first"
        [[ -n $agrind_path ]] && cp "$work/agrind.out" "$work/agrind.first"
        [[ -n $evtx_dir ]] && cp "$work/evtx_sumoql.out" "$work/evtx_sumoql.first" && cp "$work/evtx_floor.err" "$work/evtx_floor.first"
    fi
done

# Peak RSS at four times the input (the same file named four times) and over one million
# distinct count-by keys. Each runs once, because only its memory is compared.
if ! $skip_large; then
    log "measuring peak RSS of the shipped query over 4 x $size"
    measure query_4x "$sumoql" run --format csv "$query_file" "$xml_file" "$xml_file" "$xml_file" "$xml_file"
    log "measuring count by over 1,000,000 distinct keys"
    measure count_by_keys "$sumoql" run --format csv -e '* | count by _sourceHost, EventRecordID' "$keys_file"
fi

# --- Checks ----------------------------------------------------------------------------

# Sums _count per DetectionBranch in sumoql's CSV result (the branch and the count are
# its last two columns, and no value of this query contains a comma).
sum_by_branch() {
    awk -F, 'NR > 1 { sum[$(NF - 1)] += $NF } END { for (branch in sum) print branch "=" sum[branch] }' "$1" | sort
}
expected_branches=$(grep '^detections ' "$xml_file.counts" | cut -d' ' -f2- | tr ' ' '\n' | grep -v '=0$' | sort)
found_branches=$(sum_by_branch "$work/query.first")
if [[ $expected_branches == "$found_branches" ]]; then
    query_check="matches the generator ($(echo $expected_branches))"
else
    query_check="MISMATCH: generator says [$(echo $expected_branches)], sumoql found [$(echo $found_branches)]"
fi
counted=$(tail -1 "$work/count.first" | tr -d '\r')
if [[ $counted == "$xml_events" ]]; then
    count_check="$counted records, as generated"
else
    count_check="MISMATCH: generated $xml_events, counted $counted"
fi
agrind_check="skipped"
if [[ -n $agrind_path ]]; then
    agrind_total=$(grep -o '"_count":[0-9]*' "$work/agrind.first" | cut -d: -f2 | awk '{ total += $1 } END { print total + 0 }')
    expected_total=$(echo "$expected_branches" | cut -d= -f2 | awk '{ total += $1 } END { print total + 0 }')
    agrind_check="angle-grinder counted $agrind_total detections, the generator $expected_total"
fi
evtx_records=""
if [[ -n $evtx_dir ]]; then
    evtx_records=$(grep -o 'records=[0-9]*' "$work/evtx_floor.first" | cut -d= -f2)
    evtx_counted=$(tail -1 "$work/evtx_sumoql.first" | tr -d '\r')
    evtx_bytes=$(du -sb "$evtx_dir" | cut -f1)
    evtx_check="sumoql counted $evtx_counted records, the evtx crate decoded $evtx_records"
fi

# --- Report ----------------------------------------------------------------------------

median_of() {
    local label=$1 column=$2
    awk -v label="$label" -v column="$column" '$1 == label { print $column }' "$work/samples" | sort -g |
        awk '{ values[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print values[(NR + 1) / 2]; else printf "%.4f\n", (values[NR / 2] + values[NR / 2 + 1]) / 2 }'
}

# Prints the fastest and slowest wall time of a command, as "min-max".
spread_of() {
    awk -v label="$1" '$1 == label { print $2 }' "$work/samples" | sort -g |
        awk 'NR == 1 { low = $1 } { high = $1 } END { printf "%.2f-%.2f", low, high }'
}

# Prints one table row: label, description, input bytes, records.
row() {
    local label=$1 description=$2 bytes=$3 records=$4
    local wall rss spread
    wall=$(median_of "$label" 2)
    [[ -z $wall ]] && return 0
    rss=$(median_of "$label" 3)
    spread=$(spread_of "$label")
    # The description goes through the environment because `awk -v` would interpret
    # the backslash of `\|`.
    DESCRIPTION=$description awk -v w="$wall" -v s="$spread" -v b="$bytes" -v r="$records" -v m="$rss" 'BEGIN {
        mbps = (b > 0) ? sprintf("%.0f", b / 1e6 / w) : "-";
        rps = (r > 0) ? sprintf("%.0f", r / w) : "-";
        printf "| %s | %.2f | %s | %s | %s | %.1f |\n", ENVIRON["DESCRIPTION"], w, s, mbps, rps, m / 1024 }'
}

ratio() {
    awk -v a="$(median_of "$1" 2)" -v b="$(median_of "$2" 2)" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'
}

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
memory=$(free -g | awk '/^Mem:/ { print $2 " GiB" }')
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
revision=$(git -C "$repo" describe --always --dirty 2> /dev/null || echo unknown)
{
    echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) at revision $revision on $(nproc) cores ($cpu_model) with $memory of memory."
    echo "Load average (1, 5, 15 minutes) before the timed runs: $load_before; after them: $load_after."
    echo "Input: $(numfmt --to=iec-i --suffix=B "$xml_bytes") of generated Windows event XML ($xml_events events, seed $seed); medians of $reps alternated runs."
    echo
    echo "| command | median wall s | fastest-slowest s | MB/s | records/s | peak RSS MiB |"
    echo "|---|---|---|---|---|---|"
    row query "\`sumoql run\` shipped query, XML lines" "$xml_bytes" "$xml_events"
    row count "\`sumoql run -e '* \\| count'\`, XML lines" "$xml_bytes" "$xml_events"
    row rg "\`rg -c 'pip install'\`" "$xml_bytes" "$xml_events"
    row wc "\`wc -l\`" "$xml_bytes" "$xml_events"
    row agrind "angle-grinder, closest pipeline" "$xml_bytes" "$xml_events"
    if [[ -n $evtx_dir ]]; then
        row evtx_sumoql "\`sumoql run -e '* \\| count'\`, .evtx copies" "$evtx_bytes" "$evtx_records"
        row evtx_floor "evtx crate decoding alone (\`sumoql-evtx-floor\`)" "$evtx_bytes" "$evtx_records"
    fi
    row query_1_thread "shipped query, \`--threads 1\`" "$xml_bytes" "$xml_events"
    row query_2_threads "shipped query, \`--threads 2\`" "$xml_bytes" "$xml_events"
    row query_4x "shipped query, 4 x the input (one run)" "$((4 * xml_bytes))" "$((4 * xml_events))"
    row count_by_keys "\`* \\| count by _sourceHost, EventRecordID\`, 1,000,000 keys (one run)" "$( [[ -f $keys_file ]] && stat -c %s "$keys_file" || echo 0)" 1000000
    echo
    echo "| target | measured | met |"
    echo "|---|---|---|"
    verdict() { awk -v v="$1" -v limit="$2" -v direction="$3" 'BEGIN { if (v == "-") print "not measured"; else if ((direction == "min" && v >= limit) || (direction == "max" && v <= limit)) print "yes"; else print "no" }'; }
    agrind_ratio=$(ratio agrind query)
    echo "| shipped query at least 10x angle-grinder's throughput | ${agrind_ratio}x | $(verdict "$agrind_ratio" 10 min) |"
    rg_ratio=$(ratio query rg)
    echo "| shipped query at most 3x the wall time of \`rg -c\` | ${rg_ratio}x | $(verdict "$rg_ratio" 3 max) |"
    wc_ratio=$(ratio count wc)
    echo "| \`* \\| count\` at most 2x the wall time of \`wc -l\` | ${wc_ratio}x | $(verdict "$wc_ratio" 2 max) |"
    evtx_ratio=$(ratio evtx_sumoql evtx_floor)
    echo "| EVTX at most 1.3x the evtx crate's decoding time | ${evtx_ratio}x | $(verdict "$evtx_ratio" 1.3 max) |"
    if $threads_option; then
        thread_ratio=$(ratio query_1_thread query_2_threads)
        echo "| two threads at least 1.7x faster than one | ${thread_ratio}x | $(verdict "$thread_ratio" 1.7 min) |"
    else
        echo "| two threads at least 1.7x faster than one | not available yet (\`sumoql run\` has no \`--threads\`) | - |"
    fi
    query_rss=$(awk -v k="$(median_of query 3)" 'BEGIN { printf "%.1f", k / 1024 }')
    echo "| peak RSS of the shipped query under 64 MiB | $query_rss MiB | $(verdict "$query_rss" 64 max) |"
    if ! $skip_large; then
        growth=$(awk -v a="$(median_of query_4x 3)" -v b="$(median_of query 3)" 'BEGIN { printf "%.2f", a / b }')
        echo "| peak RSS at 4x the input within 10% of 1x | ${growth}x | $(verdict "$growth" 1.10 max) |"
        keys_rss=$(awk -v k="$(median_of count_by_keys 3)" 'BEGIN { printf "%.0f", k / 1024 }')
        keys_rows=$(($(wc -l < "$work/count_by_keys.out") - 1))
        echo "| \`count by\` over 1 million distinct keys completes and reports its memory | $keys_rows rows, $keys_rss MiB | yes |"
    fi
    echo
    echo "Checks: shipped query $query_check; \`* | count\` $count_check; $agrind_check${evtx_records:+; $evtx_check}."
} | tee "$data_dir/results-$(date -u +%Y%m%dT%H%M%SZ).md"
exit
}
