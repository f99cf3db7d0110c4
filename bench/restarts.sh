#!/bin/sh
# The supervisor's memory and work over many restarts: daemonize -r
# restarts a program that exits at once, with no delay and a limit that
# is never reached, and its VmRSS, private memory and CPU time are read
# as the restarts add up.  Prints a Markdown report; see bench/README.
#
# usage: restarts.sh [--check] DAEMONIZE
#
# BENCH_RESTARTS (50000) restarts in all; the report reads the supervisor
# after 100, 1,000, 10,000 and the last.  With --check the exit status
# says whether the target is met: VmRSS after the last within 4 kB of
# VmRSS after 100.  The program is busybox's false where busybox is
# installed (a static binary: restarts come faster), else /bin/false.

set -eu
LC_ALL=C
export LC_ALL

check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: $0 [--check] DAEMONIZE" >&2
	exit 2
fi
case $1 in
*/*) daemonize=$1 ;;
*) daemonize=./$1 ;;
esac
total=${BENCH_RESTARTS:-50000}
case $total in
'' | *[!0-9]*)
	echo "$0: BENCH_RESTARTS: not a number" >&2
	exit 2
	;;
esac
if [ "$total" -lt 1000 ]; then
	echo "$0: BENCH_RESTARTS: at least 1000" >&2
	exit 2
fi
if [ -x /bin/busybox ]; then
	set -- /bin/busybox false
else
	set -- /bin/false
fi
program="$*"

dir=$(mktemp -d "${TMPDIR:-/tmp}/daemonize-restarts.XXXXXX")
pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		n=0
		while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# A window of an hour: no restart leaves it during the run, so a
# supervisor that kept each restart's time would keep every one.
"$daemonize" -r -p "$dir/pid" --restart-delay 0 --max-restarts 1000000 \
	--restart-window 3600 -o "$dir/log" -- "$@"
pid=$(cat "$dir/pid")
ticks=$(getconf CLK_TCK)

# restarts: how many so far, from the log's lines ("exited with status
# 1", then "restarting ... in 0.000 s", for each).
restarts() {
	echo $(($(wc -l <"$dir/log") / 2))
}

# sample AT: wait until AT restarts, then print "AT VmRSS ticks seconds"
# for the supervisor, ticks being its user and system time.
sample() {
	while [ "$(restarts)" -lt "$1" ]; do
		kill -0 "$pid" 2>/dev/null || {
			echo "$0: the supervisor exited" >&2
			exit 1
		}
		sleep 0.2
	done
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")
	cpu=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
	echo "$1 $rss $cpu $(date +%s.%N)"
}

start=$(date +%s.%N)
samples=$(
	for at in 100 1000 10000; do
		[ "$at" -lt "$total" ] && sample "$at"
	done
	sample "$total"
)

version=$("$daemonize" -V | head -n 1)
echo "# The supervisor over many restarts"
echo
echo "$(uname -sr), $version ($daemonize)."
echo "daemonize -r --restart-delay 0 --max-restarts 1000000 --restart-window 3600"
echo "-o LOG $program: $total restarts, the supervisor read when the log"
echo "showed each count below (the reading comes a little later, so the"
echo "counts are at least these).  CPU: the supervisor's user and system"
echo "time over the restarts since the row above (the first row includes"
echo "its start)."
echo
echo "| restarts | VmRSS kB | CPU ms per restart | restarts/s |"
echo "|--:|--:|--:|--:|"
echo "$samples" | awk -v t="$ticks" -v s="$start" '
	{
		n = $1 - prev; cpu = ($3 - pcpu) * 1000 / t / n
		rate = n / ($4 - (NR == 1 ? s : ptime))
		printf "| %d | %d | %.3f | %.0f |\n", $1, $2, cpu, rate
		prev = $1; pcpu = $3; ptime = $4
	}'
first=$(echo "$samples" | awk 'NR == 1 { print $2 }')
last=$(echo "$samples" | awk 'END { print $2 }')
growth=$((last - first))
echo
if [ "$growth" -le 4 ]; then
	met=yes
else
	met=no
fi
echo "Target: VmRSS after $total restarts within 4 kB of VmRSS after 100:"
echo "$growth kB more: $met."
if $check && [ "$met" = no ]; then
	exit 1
fi
exit 0
