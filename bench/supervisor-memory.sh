#!/bin/sh
# The supervisor's memory, side by side: daemonize -r and libslack's
# daemon --respawn run the same crash-looping program at the same time;
# each supervisor's VmRSS (and its anonymous part) is sampled while its
# child runs, dies and is restarted.  Prints a Markdown report; see
# bench/README.
#
# usage: supervisor-memory.sh [--check] DAEMONIZE [LIBSLACK_DAEMON]
#
# With --check the exit status says whether daemonize's largest VmRSS is
# at most half of libslack's (the target); without it, 0 whenever both
# could be measured.  Our daemonize is run by the path given, never looked
# up in PATH: Debian's own daemonize is usually there.

set -eu

check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 [--check] DAEMONIZE [LIBSLACK_DAEMON]" >&2
	exit 2
fi
# Run by path: a bare name would be looked up in PATH.
case $1 in
*/*) ours=$1 ;;
*) ours=./$1 ;;
esac
libslack=${2:-/usr/bin/daemon}
seconds=${BENCH_SECONDS:-12}
if [ ! -x "$ours" ]; then
	echo "$0: $ours: not executable" >&2
	exit 1
fi
if [ ! -x "$libslack" ]; then
	echo "$0: $libslack: not executable (apt-get install daemon)" >&2
	exit 1
fi

# The program of the issue: it prints the date, lives 2 s and fails.
prog='date; sleep 2; exit 1'
dir=$(mktemp -d)
ours_pid=
theirs_pid=

# Stop both by the pids in their pidfiles, and wait for them to go.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for p in $ours_pid $theirs_pid; do
		# Only a real pid: kill -TERM -1 would signal everything.
		case $p in
		'' | *[!0-9]* | 0 | 1) continue ;;
		esac
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $ours_pid $theirs_pid; do
		case $p in
		'' | *[!0-9]* | 0 | 1) continue ;;
		esac
		n=0
		while kill -0 "$p" 2>/dev/null && [ "$n" -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		if kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null || true
		fi
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# read_pid FILE: the pid in FILE once it has one (5 s at most).
read_pid() {
	n=0
	while [ "$n" -lt 50 ]; do
		pid=$(head -n 1 "$1" 2>/dev/null || true)
		case $pid in
		'' | *[!0-9]* | 0 | 1) ;;
		*)
			echo "$pid"
			return 0
			;;
		esac
		sleep 0.1
		n=$((n + 1))
	done
	echo "$0: no pid in $1" >&2
	return 1
}

"$ours" -r -p "$dir/ours.pid" --output "$dir/ours.log" sh -c "$prog"
ours_pid=$(read_pid "$dir/ours.pid")
"$libslack" --respawn --pidfiles="$dir" --name=theirs \
	--output="$dir/theirs.log" -- sh -c "$prog"
theirs_pid=$(read_pid "$dir/theirs.pid")

# kB FIELD PID: a field of /proc/PID/status, in kB; fails, and ends the
# run, when the process is gone: a dead supervisor measures nothing.
kb() {
	v=$(awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status" \
		2>/dev/null || true)
	case $v in
	'' | *[!0-9]*)
		echo "$0: pid $2 is gone: nothing to measure" >&2
		exit 1
		;;
	esac
	echo "$v"
}

max() {
	if [ "$2" -gt "$1" ]; then echo "$2"; else echo "$1"; fi
}

ours_rss=0 ours_anon=0 theirs_rss=0 theirs_anon=0 samples=0
end=$(($(date +%s) + seconds))
while [ "$(date +%s)" -lt "$end" ]; do
	# Each reading on a line of its own: a failure in $(...) must end
	# the run, which it cannot do as an argument of max.
	v=$(kb VmRSS "$ours_pid")
	ours_rss=$(max "$ours_rss" "$v")
	v=$(kb RssAnon "$ours_pid")
	ours_anon=$(max "$ours_anon" "$v")
	v=$(kb VmRSS "$theirs_pid")
	theirs_rss=$(max "$theirs_rss" "$v")
	v=$(kb RssAnon "$theirs_pid")
	theirs_anon=$(max "$theirs_anon" "$v")
	samples=$((samples + 1))
	sleep 0.2
done
# Measured while restarting, or the figures mean little.
ours_runs=$(grep -c 'exited with status 1' "$dir/ours.log" || true)
if [ "$ours_runs" -lt 1 ]; then
	echo "$0: daemonize's child never exited in $seconds s" >&2
	exit 1
fi

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
rss_ratio=$(ratio "$ours_rss" "$theirs_rss")
met=$(awk -v r="$rss_ratio" 'BEGIN { print (r <= 0.5) ? "yes" : "no" }')

cat <<REPORT
# The supervisor's memory

$(uname -sr), $(getconf GNU_LIBC_VERSION 2>/dev/null || echo "libc unknown"),
daemonize $("$ours" --version | head -n 1 | awk '{ print $NF }'),
libslack daemon $(dpkg-query -W -f='${Version}' daemon 2>/dev/null || echo unknown).
Both supervisors ran \`sh -c '$prog'\` side by side for $seconds s
($samples samples each; daemonize's child exited $ours_runs times).
Largest values seen, in kB:

| supervisor | VmRSS | of which anonymous |
|---|--:|--:|
| daemonize -r | $ours_rss | $ours_anon |
| libslack daemon --respawn | $theirs_rss | $theirs_anon |
| ratio | $rss_ratio | $(ratio "$ours_anon" "$theirs_anon") |

Target: daemonize's VmRSS at most 0.5 x libslack's: $met.
REPORT

if $check && [ "$met" != yes ]; then
	exit 1
fi
exit 0
