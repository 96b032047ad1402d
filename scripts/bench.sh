#!/usr/bin/env bash
# Measures what the resident Athos tray costs next to two reference trays,
# one made with fyne.io/systray alone (bench/systraytray) and one made with
# Fyne's desktop.App system tray (bench/fynetray), in one private desktop
# session (scripts/desktop-session.sh). It also runs the Go benchmarks of
# the auth package. The harness (bench/harness) prints a Markdown table and
# writes it into BENCHMARKS.md.
#
# Usage: scripts/bench.sh   (make bench builds bin/athos-tray first)
#
# Environment, for a quick try such as BENCH_IDLE=10s BENCH_RUNS=1 make bench:
#   BENCH_IDLE       idle window per run (default 60s)
#   BENCH_RUNS       runs per tray; the table shows medians (default 3)
#   BENCH_CLICKS     Copy Bearer header clicks per run of the Athos tray (default 5)
#   BENCH_LIFETIMES  token lifetimes in the simulated day (default 6)
#   BENCH_LIFETIME   compressed token lifetime (default 5m20s, a refresh every 20s)
#   BENCH_WRITE      1 writes BENCHMARKS.md, 0 only prints; by default only a
#                    run with a 60s idle window and at least 3 runs writes it
set -euo pipefail

cd "$(dirname "$0")/.."
go=${GO:-go}
idle=${BENCH_IDLE:-60s}
runs=${BENCH_RUNS:-3}
bin=$PWD/bin/athos-tray
out=$PWD/bin/bench
[[ -x $bin ]] || {
	echo "bench: $bin is missing; run 'make build' first" >&2
	exit 1
}

write=${BENCH_WRITE:-}
if [[ -z $write ]]; then
	write=0
	[[ $idle == 60s && $runs -ge 3 ]] && write=1
fi

mkdir -p "$out"
echo "bench: building the reference trays and the harness" >&2
"$go" build -tags benchref -o "$out/systraytray" ./bench/systraytray
"$go" build -tags benchref -o "$out/fynetray" ./bench/fynetray
"$go" build -tags benchref -o "$out/harness" ./bench/harness

# The Go benchmarks run before the trays, so they do not disturb the idle
# measurements.
echo "bench: running the Go benchmarks of ./auth" >&2
"$go" test -run '^$' -bench . -benchmem -count 1 ./auth >"$out/gobench.txt"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown && -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
	commit+=" with uncommitted changes"
fi

args=(
	-ours "$bin" -systray "$out/systraytray" -fyne "$out/fynetray"
	-idle "$idle" -runs "$runs"
	-clicks "${BENCH_CLICKS:-5}" -lifetimes "${BENCH_LIFETIMES:-6}" -lifetime "${BENCH_LIFETIME:-5m20s}"
	-gobench "$out/gobench.txt" -commit "$commit"
)
if [[ $write == 1 ]]; then
	args+=(-out "$PWD/BENCHMARKS.md")
else
	echo "bench: a quick run; BENCHMARKS.md is left as it is (set BENCH_WRITE=1 to write it)" >&2
fi
exec scripts/desktop-session.sh "$out/harness" "${args[@]}"
