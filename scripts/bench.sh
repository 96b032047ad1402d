#!/usr/bin/env bash
# Measures the resident tray at idle: CPU time, resident and private memory
# and context switches over a fixed window, with a valid token from the
# built-in emulator. Prints one Markdown table row for docs/BENCHMARKS.md.
#
# Usage: scripts/bench.sh [SECONDS]   (default 60; run through make bench)
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-60}
bin=bin/athos-tray
[[ -x $bin ]] || { echo "bench: $bin is missing; run 'make build' first" >&2; exit 1; }

if [[ -z ${ATHOS_BENCH_INSIDE:-} ]]; then
	ATHOS_BENCH_INSIDE=1 exec scripts/desktop-session.sh "$0" "$seconds"
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

export ATHOS_TRAY_CONFIG_DIR=$work/config
port=$((20000 + RANDOM % 20000))
"$bin" emulator --listen "127.0.0.1:$port" >"$work/emulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	grep -q listening "$work/emulator.log" && break
	sleep 0.1
done
printf 'secret\n' | "$bin" profile add bench --client-id client --api-url "http://127.0.0.1:$port" >/dev/null

"$bin" tray >"$work/tray.log" 2>&1 &
tray=$!
pids+=("$tray")

# Let the tray start, fetch its token and settle before measuring.
sleep 5
ticks_per_second=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$tray/stat"; }
# Context switches of all the tray's threads: roughly how often it wakes.
context_switches() { cat /proc/"$tray"/task/*/status | awk '/ctxt_switches:/ {n += $2} END {print n}'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$tray/status"; }

start_ticks=$(cpu_ticks)
start_switches=$(context_switches)
peak_rss=0
for _ in $(seq "$seconds"); do
	sleep 1
	rss=$(rss_kib)
	((rss > peak_rss)) && peak_rss=$rss
done
end_ticks=$(cpu_ticks)
# Private memory leaves out the pages of shared libraries (libGL, libX11)
# that other desktop programs map too.
private_kib=$(awk '/^Private_(Clean|Dirty):/ {n += $2} END {print n}' "/proc/$tray/smaps_rollup")
end_switches=$(context_switches)

cpu_percent=$(awk -v t=$((end_ticks - start_ticks)) -v hz="$ticks_per_second" -v s="$seconds" 'BEGIN {printf "%.2f", 100 * t / hz / s}')
switches_per_second=$(awk -v w=$((end_switches - start_switches)) -v s="$seconds" 'BEGIN {printf "%.1f", w / s}')
size_mib=$(awk -v b="$(stat -c %s "$bin")" 'BEGIN {printf "%.1f", b / 1048576}')

echo "| $(date -u +%Y-%m-%d) | $(nproc) cores | ${seconds}s | ${cpu_percent}% | $((peak_rss / 1024)) MiB | $((private_kib / 1024)) MiB | ${switches_per_second}/s | ${size_mib} MiB |"
