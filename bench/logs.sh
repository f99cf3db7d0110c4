#!/bin/bash
# Log throughput: one stream of 80-byte lines from a fast writer through
# daemonize --init -o and, in the same run, through s6-log, runit's svlogd
# and daemontools' multilog; plain, with timestamps (each of ours: UTC,
# local time, TAI64N, against the nearest each peer has), and with
# rotation every 10 MB.  For each run: MB/s, the logger's CPU seconds per GB, and
# whether every line arrived once, whole and in order (bench/linecheck).
# Prints a Markdown report; see bench/README.
#
# usage: logs.sh [--check] DAEMONIZE LINEGEN LINECHECK
#
# BENCH_LOGS_MB      size of the stream in MB of 10^6 bytes (1000)
# BENCH_LOGS_RUNS    runs of each logger and column; the report gives
#                    medians (3)
# BENCH_LOGS_DIR     where the logs are written (/dev/shm when it has room,
#                    else /var/tmp); each run's logs are checked and
#                    removed before the next run
# BENCH_LOGS_TIMEOUT seconds one run may take before it is killed (600)
# S6_LOG, SVLOGD, MULTILOG  the peers, when not at their Debian paths
#
# Exit status 0 when every run was measured and every line checked; 1 when
# a run failed or lost, doubled or cut a line (the report says which); 2
# for usage errors.  Whether daemonize is the fastest is for the report to
# say, not the exit status, unless --check is given: then 3 when it is not
# the fastest and the cheapest in every column (CI's log gate).  Every run
# has TZ=UTC, so that local time has one shape for bench/linecheck.
#
# bash, not sh: its `time` keyword gives the wall-clock and the CPU time of
# a pipeline and of everything it waited for, in milliseconds, without a
# process of its own in the measurement.

set -eu
# Numbers with a dot, sorting by bytes, dates in English.
LC_ALL=C
export LC_ALL

check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
if [ $# -ne 3 ]; then
	echo "usage: $0 [--check] DAEMONIZE LINEGEN LINECHECK" >&2
	exit 2
fi
TZ=UTC
export TZ

# abs FILE: an absolute path.  daemonize --init starts its program in /,
# so a relative path to the writer or its report would not be found.
abs() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}

daemonize=$(abs "$1")
linegen=$(abs "$2")
linecheck=$(abs "$3")
for f in "$daemonize" "$linegen" "$linecheck"; do
	if [ ! -x "$f" ]; then
		echo "$0: $f: not executable" >&2
		exit 2
	fi
done

# positive NAME VALUE: VALUE, a positive integer, or a usage error.
positive() {
	case $2 in
	'' | *[!0-9]* | 0*)
		echo "$0: $1: not a positive integer: $2" >&2
		exit 2
		;;
	esac
	printf '%s\n' "$2"
}
mb=$(positive BENCH_LOGS_MB "${BENCH_LOGS_MB:-1000}")
runs=$(positive BENCH_LOGS_RUNS "${BENCH_LOGS_RUNS:-3}")
limit=$(positive BENCH_LOGS_TIMEOUT "${BENCH_LOGS_TIMEOUT:-600}")

lines=$((mb * 1000000 / 80))
bytes=$((lines * 80))
rotate_size=10000000
# Enough rotated files that none is ever deleted: all of the stream must
# be there to be checked.  A 10 MB file holds at least 7.5 MB of the stream
# with the longest prefix (26 bytes on 80), so MB / 5 is twice what it
# takes; 210 for 1000 MB.
keep=$((mb / 5 + 10))
# What each peer calls a file as large as it allows, for the columns
# without rotation: svlogd can turn rotation off (s0); s6-log's largest
# size is 268435455 bytes, multilog's 16777215.
s6_max=268435455
multilog_max=16777215

# The templates of bench/linecheck for each timestamp ('9' a digit, 'x' a
# hex digit).
tpl_iso='9999-99-99T99:99:99.999Z '
tpl_local='9999-99-99T99:99:99.999+00:00 '
tpl_tai='@xxxxxxxxxxxxxxxxxxxxxxxx '
tpl_s6_iso='9999-99-99 99:99:99.999999999  '
tpl_svlogd_iso='9999-99-99T99:99:99.99999 '

# The loggers, each under a key: label_KEY for the report, path_KEY,
# package_KEY for the hint when it is missing.
tools='ours s6 svlogd multilog'
modes='plain stamp local tai rotate'
declare -A label path package
label[ours]='daemonize --init -o'
label[s6]='s6-log'
label[svlogd]='svlogd (runit)'
label[multilog]='multilog (daemontools)'
declare -A debian_path
debian_path[s6]=/usr/bin/s6-log
debian_path[svlogd]=/usr/bin/svlogd
debian_path[multilog]=/usr/bin/multilog
path[ours]=$daemonize
path[s6]=${S6_LOG:-${debian_path[s6]}}
path[svlogd]=${SVLOGD:-${debian_path[svlogd]}}
path[multilog]=${MULTILOG:-${debian_path[multilog]}}
package[s6]=s6
package[svlogd]=runit
package[multilog]=daemontools
declare -A mode_label
mode_label[plain]='plain'
mode_label[stamp]='timestamps UTC'
mode_label[local]='timestamps local'
mode_label[tai]='timestamps TAI64N'
mode_label[rotate]='rotation 10 MB'

present=()
missing=()
for t in $tools; do
	if [ -x "${path[$t]}" ]; then
		present+=("$t")
	else
		missing+=("$t")
	fi
done

# Which columns this daemonize can run: --timestamp and --output-max-size
# are newer than --init -o.
declare -A supported
help=$("$daemonize" --help 2>&1 || true)
supported[plain]=yes
supported[stamp]=no
supported[local]=no
supported[tai]=no
supported[rotate]=no
case $help in
*--timestamp*)
	supported[stamp]=yes
	supported[local]=yes
	supported[tai]=yes
	;;
esac
case $help in *--output-max-size*) supported[rotate]=yes ;; esac

# The scratch directory: a tmpfs when it has room for the largest run
# (timestamps make the stream up to 106/80 of its size) with a margin, so
# that the disk's speed is not what is measured.
need_kb=$((bytes * 3 / 2 / 1024 + 65536))
avail_kb() {
	df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'
}
if [ -n "${BENCH_LOGS_DIR:-}" ]; then
	parent=$BENCH_LOGS_DIR
elif [ -d /dev/shm ] && [ "$(avail_kb /dev/shm || echo 0)" -ge "$need_kb" ] 2>/dev/null; then
	parent=/dev/shm
else
	parent=/var/tmp
fi
have_kb=$(avail_kb "$parent")
if [ -z "$have_kb" ] || [ "$have_kb" -lt "$need_kb" ]; then
	echo "$0: $parent: ${have_kb:-?} kB free, $need_kb needed" \
		"(BENCH_LOGS_DIR, BENCH_LOGS_MB)" >&2
	exit 1
fi
scratch=$(mktemp -d "$parent/bench-logs.XXXXXX")
scratch_fs=$(stat -f -c %T "$scratch" 2>/dev/null || echo unknown)
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
log=$scratch/log
report=$scratch/report

# logger_cmd TOOL MODE DIR: the logger's command line into the array cmd
# (for ours, the whole command: it starts the writer itself), and into
# config what svlogd finds in DIR/config.
logger_cmd() {
	local t=$1 m=$2 d=$3
	config=
	case $t:$m in
	ours:plain) cmd=("${path[ours]}" --init -o "$d/out") ;;
	ours:stamp) cmd=("${path[ours]}" --init -o "$d/out" --timestamp) ;;
	ours:local) cmd=("${path[ours]}" --init -o "$d/out" --timestamp=local) ;;
	ours:tai) cmd=("${path[ours]}" --init -o "$d/out" --timestamp=tai64n) ;;
	ours:rotate)
		cmd=("${path[ours]}" --init -o "$d/out"
			--output-max-size "$rotate_size" --output-keep "$keep")
		;;
	s6:plain) cmd=("${path[s6]}" "n$keep" "s$s6_max" "$d") ;;
	# The nearest each peer has: s6-log's T and svlogd's -ttt are ISO
	# 8601 (s6-log's in local time), multilog has TAI64N alone.
	s6:stamp | s6:local) cmd=("${path[s6]}" "n$keep" "s$s6_max" T "$d") ;;
	s6:tai) cmd=("${path[s6]}" "n$keep" "s$s6_max" t "$d") ;;
	s6:rotate) cmd=("${path[s6]}" "n$keep" "s$rotate_size" "$d") ;;
	svlogd:plain) cmd=("${path[svlogd]}" "$d") config='s0' ;;
	svlogd:stamp | svlogd:local) cmd=("${path[svlogd]}" -ttt "$d") config='s0' ;;
	svlogd:tai) cmd=("${path[svlogd]}" -t "$d") config='s0' ;;
	svlogd:rotate)
		cmd=("${path[svlogd]}" "$d")
		config="s$rotate_size"$'\n'"n$keep"
		;;
	# multilog wants t as the first action.
	multilog:plain) cmd=("${path[multilog]}" "n$keep" "s$multilog_max" "$d") ;;
	multilog:stamp | multilog:local | multilog:tai)
		cmd=("${path[multilog]}" t "n$keep" "s$multilog_max" "$d")
		;;
	multilog:rotate) cmd=("${path[multilog]}" "n$keep" "s$rotate_size" "$d") ;;
	esac
	if [ "$t" = ours ]; then
		cmd+=(-- "$linegen" "$lines" "$report")
	fi
}

# template TOOL MODE: the prefix bench/linecheck expects.
template() {
	case $1:$2 in
	*:plain | *:rotate) printf '\n' ;;
	ours:stamp) printf '%s\n' "$tpl_iso" ;;
	ours:local) printf '%s\n' "$tpl_local" ;;
	s6:stamp | s6:local) printf '%s\n' "$tpl_s6_iso" ;;
	svlogd:stamp | svlogd:local) printf '%s\n' "$tpl_svlogd_iso" ;;
	*) printf '%s\n' "$tpl_tai" ;;
	esac
}

# log_files TOOL DIR: the log files, oldest first, one a line.  Ours:
# out.K ... out.2, out.1, out.  The others: @TAI64N.s (or .u), whose
# fixed-width hex names sort as they were made, then current.
log_files() {
	local f
	if [ "$1" = ours ]; then
		for f in "$2"/out.*; do
			if [ -e "$f" ]; then
				printf '%s %s\n' "${f##*.}" "$f"
			fi
		done | sort -rn | cut -d' ' -f2-
		printf '%s\n' "$2/out"
	else
		for f in "$2"/@*; do
			if [ -e "$f" ]; then
				printf '%s\n' "$f"
			fi
		done
		printf '%s\n' "$2/current"
	fi
}

# run TOOL MODE: one measured run, into the globals real, cpu_total,
# writer_cpu, statuses; the logs are left in $scratch/run.
run() {
	local t=$1 m=$2 d=$scratch/run
	rm -rf "$d" "$report"
	mkdir "$d"
	logger_cmd "$t" "$m" "$d"
	if [ -n "$config" ]; then
		printf '%s\n' "$config" >"$d/config"
	fi
	: >"$log"
	TIMEFORMAT='%3R %3U %3S'
	# One timeout process in every measured tree, ours and theirs alike.
	# Only what `time` says goes to $scratch/time; the statuses are taken
	# inside the group, before anything else can replace PIPESTATUS, and
	# with -e off, as a failed run is to be reported, not to end the script.
	set +e
	if [ "$t" = ours ]; then
		{
			time timeout -k 10 "$limit" "${cmd[@]}" \
				</dev/null >>"$log" 2>&1
			statuses=${PIPESTATUS[*]}
		} 2>"$scratch/time"
	else
		{
			time "$linegen" "$lines" "$report" </dev/null 2>>"$log" |
				timeout -k 10 "$limit" "${cmd[@]}" >>"$log" 2>&1
			statuses=${PIPESTATUS[*]}
		} 2>"$scratch/time"
	fi
	set -e
	real='' user='' sys=''
	read -r real user sys <"$scratch/time" || true
	case $real$user$sys in
	'' | *[!0-9.]*)
		echo "$0: no timing from bash's time: $(cat "$scratch/time")" >&2
		exit 1
		;;
	esac
	cpu_total=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
}

# The results, under TOOL:MODE:RUN.
declare -A res_mbps res_cpu res_ok res_files
failures=
nruns=0
# Every line the loggers printed, for the report.
messages=$scratch/messages
: >"$messages"

# measure TOOL MODE RUN
measure() {
	local t=$1 m=$2 r=$3 d=$scratch/run wu ws kind files tpl own check
	local why=
	nruns=$((nruns + 1))
	run "$t" "$m"
	if [ -s "$log" ]; then
		sed "s|^|$t $m run $r: |" "$log" >>"$messages"
	fi
	if [ "$statuses" != "0" ] && [ "$statuses" != "0 0" ]; then
		why="exit statuses $statuses (writer, logger)"
	elif ! read -r wu ws kind <"$report" 2>/dev/null; then
		why="the writer left no report"
	elif [ "$kind" != pipe ]; then
		why="the writer's stdout was a $kind, not a pipe"
	fi
	if [ -z "$why" ]; then
		mapfile -t files < <(log_files "$t" "$d")
		res_files[$t:$m:$r]=${#files[@]}
		tpl=$(template "$t" "$m")
		own=()
		if [ "$t" = ours ]; then
			# Ours says in its log that the program exited.
			own=(-x 'daemonize: ')
		fi
		if ! check=$(timeout "$limit" "$linecheck" -p "$tpl" "${own[@]}" \
			"$lines" "${files[@]}" 2>&1); then
			why=${check//"$d"/DIR}
		fi
	fi
	rm -rf "$d"
	if [ -n "$why" ]; then
		res_ok[$t:$m:$r]=no
		failures="$failures${label[$t]}, ${mode_label[$m]}, run $r: $why"$'\n'
		printf '%-24s %-15s run %d: FAILED: %s\n' "${label[$t]}" \
			"${mode_label[$m]}" "$r" "$why" >&2
		return
	fi
	res_ok[$t:$m:$r]=yes
	res_mbps[$t:$m:$r]=$(awk -v b="$bytes" -v s="$real" \
		'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }')
	res_cpu[$t:$m:$r]=$(awk -v c="$cpu_total" -v wu="$wu" -v ws="$ws" \
		-v b="$bytes" 'BEGIN { printf "%.3f", (c - (wu + ws) / 1e6) / (b / 1e9) }')
	printf '%-24s %-15s run %d: %8s MB/s %7s CPU s/GB  (%s s, %s s CPU in all, writer %s s, %s files)\n' \
		"${label[$t]}" "${mode_label[$m]}" "$r" "${res_mbps[$t:$m:$r]}" \
		"${res_cpu[$t:$m:$r]}" "$real" "$cpu_total" \
		"$(awk -v wu="$wu" -v ws="$ws" 'BEGIN { printf "%.3f", (wu + ws) / 1e6 }')" \
		"${res_files[$t:$m:$r]}" >&2
	if [ "$t" = ours ]; then
		own_lines=${check##*; }
		own_lines=${own_lines%% *}
	fi
}

echo "bench-logs: $lines lines of 80 bytes ($mb MB), $runs run(s) each," \
	"in $scratch ($scratch_fs)" >&2
own_lines=
# Other work on the machine makes the figures noisier: the report says
# how busy it was.
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
# Rounds, so that drift on a busy machine hits every logger alike; within
# a round the loggers take turns at going first.
count=${#present[@]}
for r in $(seq 1 "$runs"); do
	for m in $modes; do
		for i in $(seq 0 $((count - 1))); do
			t=${present[(i + r - 1) % count]}
			if [ "$t" = ours ] && [ "${supported[$m]}" != yes ]; then
				continue
			fi
			measure "$t" "$m" "$r"
		done
	done
done

load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# median TOOL MODE ARRAY: the median of the successful runs; empty if none.
median() {
	local t=$1 m=$2 r v
	local -n arr=$3
	for r in $(seq 1 "$runs"); do
		v=${arr[$t:$m:$r]:-}
		[ -n "$v" ] && printf '%s\n' "$v"
	done | sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit
		      if (NR % 2) print v[(NR + 1) / 2]
		      else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A med_mbps med_cpu
for t in "${present[@]}"; do
	for m in $modes; do
		med_mbps[$t:$m]=$(median "$t" "$m" res_mbps)
		med_cpu[$t:$m]=$(median "$t" "$m" res_cpu)
	done
done

# cell TOOL MODE: why a column has no number.
cell_empty() {
	if [ "$1" = ours ] && [ "${supported[$2]}" != yes ]; then
		printf 'n/a'
	else
		printf 'failed'
	fi
}

fmt1() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
fmt2() { awk -v v="$1" 'BEGIN { printf "%.2f", v }'; }

# ---- the report ----
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "# Log throughput: daemonize --init -o beside s6-log, svlogd and multilog"
echo
echo "Generated by \`make bench-logs\` (bench/logs.sh); see bench/README."
echo
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- Kernel: $(uname -srm)"
echo "- CPU: ${cpu_model:-unknown}, $(nproc) online"
echo "- Load average (1, 5, 15 min) when the runs began: $load; when they ended: $load_end"
echo "- Logs written to: $parent ($scratch_fs)"
echo "- Stream: $lines lines of 80 bytes ($mb MB), from bench/linegen in 65536-byte writes"
echo "- Runs: $runs of each logger and column, taking turns; medians shown"
echo
echo "## Results"
echo
echo "MB/s: the stream's bytes (10^6 per MB) over the wall-clock time from the"
echo "writer's start until the logger has exited.  CPU s/GB: the CPU time"
echo "(user + system) of the logger alone, per 10^9 bytes of stream: everything"
echo "the run waited for, less what the writer reported for itself."
echo
printf '| Logger |'
for m in $modes; do
	printf ' %s MB/s | %s CPU s/GB |' "${mode_label[$m]}" "${mode_label[$m]}"
done
printf '\n|---|'
for m in $modes; do printf -- '---:|---:|'; done
printf '\n'
for t in "${present[@]}"; do
	printf '| %s |' "${label[$t]}"
	for m in $modes; do
		if [ -n "${med_mbps[$t:$m]}" ]; then
			printf ' %s | %s |' "$(fmt1 "${med_mbps[$t:$m]}")" \
				"$(fmt2 "${med_cpu[$t:$m]}")"
		else
			printf ' %s | %s |' "$(cell_empty "$t" "$m")" \
				"$(cell_empty "$t" "$m")"
		fi
	done
	printf '\n'
done
echo
echo "Relative to daemonize (the peer's figure over ours: MB/s below 1 and"
echo "CPU above 1 mean daemonize is ahead):"
echo
printf '| Logger |'
for m in $modes; do
	printf ' %s MB/s | %s CPU |' "${mode_label[$m]}" "${mode_label[$m]}"
done
printf '\n|---|'
for m in $modes; do printf -- '---:|---:|'; done
printf '\n'
for t in "${present[@]}"; do
	printf '| %s |' "${label[$t]}"
	for m in $modes; do
		a=${med_mbps[ours:$m]:-}
		b=${med_mbps[$t:$m]:-}
		c=${med_cpu[ours:$m]:-}
		d=${med_cpu[$t:$m]:-}
		if [ -n "$a" ] && [ -n "$b" ]; then
			printf ' %s |' "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
		else
			printf ' – |'
		fi
		if [ -n "$c" ] && [ -n "$d" ]; then
			printf ' %s |' "$(awk -v c="$c" -v d="$d" 'BEGIN { if (c > 0) printf "%.2f", d / c; else printf "–" }')"
		else
			printf ' – |'
		fi
	done
	printf '\n'
done
echo
echo "## Every line, once, whole"
echo
if [ -z "$failures" ]; then
	echo "Every line arrived once, whole and in order, in every one of the"
	echo "$nruns runs: bench/linecheck read each run's files, oldest first, and"
	echo "found the $lines counters from 0 up, each once, each line with its"
	echo "timestamp (where asked for) and its 79 bytes intact, and no file"
	echo "ending inside a line."
	if [ -n "$own_lines" ]; then
		echo
		echo "daemonize's log also holds its own line saying that the program"
		echo "exited, which is not part of the stream: bench/linecheck -x"
		echo "'daemonize: ' skips lines that start so, and only those."
		echo "Lines skipped so in ours' last run: $own_lines."
	fi
else
	echo "**Not every line arrived once, whole.**  Failed runs:"
	echo
	printf '%s' "$failures" | sed 's/^/- /'
fi
echo
echo "## Target"
echo
echo "daemonize the fastest (highest MB/s) and the cheapest (lowest CPU s/GB)"
echo "of the four in every column, with nothing lost:"
echo
echo "| Column | fastest | cheapest | met |"
echo "|---|---|---|---|"
target_met=yes
for m in $modes; do
	if [ -z "${med_mbps[ours:$m]:-}" ]; then
		printf '| %s | %s | %s | not measured |\n' "${mode_label[$m]}" \
			"$(cell_empty ours "$m")" "$(cell_empty ours "$m")"
		target_met=no
		continue
	fi
	best_m=ours
	best_c=ours
	for t in "${present[@]}"; do
		[ -n "${med_mbps[$t:$m]:-}" ] || continue
		if awk -v a="${med_mbps[$t:$m]}" -v b="${med_mbps[$best_m:$m]}" 'BEGIN { exit !(a > b) }'; then
			best_m=$t
		fi
		if awk -v a="${med_cpu[$t:$m]}" -v b="${med_cpu[$best_c:$m]}" 'BEGIN { exit !(a < b) }'; then
			best_c=$t
		fi
	done
	met=yes
	if [ "$best_m" != ours ] || [ "$best_c" != ours ] || [ -n "$failures" ]; then
		met=no
		target_met=no
	fi
	printf '| %s | %s | %s | %s |\n' "${mode_label[$m]}" "${label[$best_m]}" \
		"${label[$best_c]}" "$met"
done
echo
echo "## Versions"
echo
echo '```'
"$daemonize" --version 2>&1 | head -n 1 || true
for t in "${present[@]}"; do
	[ "$t" = ours ] && continue
	if [ "${path[$t]}" != "${debian_path[$t]}" ] ||
		! dpkg-query -W -f '${Package} ${Version}\n' "${package[$t]}" 2>/dev/null; then
		echo "${label[$t]}: ${path[$t]} (not from a Debian package)"
	fi
done
echo '```'
if [ ${#missing[@]} -gt 0 ]; then
	echo
	for t in "${missing[@]}"; do
		echo "Left out, not installed: ${label[$t]} (${path[$t]};" \
			"apt-get install ${package[$t]})."
	done
fi
for m in $modes; do
	if [ "${supported[$m]}" != yes ]; then
		echo
		echo "Not measured for daemonize: ${mode_label[$m]} (this build has no" \
			"$( [ "$m" = rotate ] && echo --output-max-size || echo --timestamp))."
	fi
done
echo
echo "## Command lines"
echo
echo "N = $lines, REPORT a file where the writer puts its own CPU time, DIR"
echo "the log directory (FILE = DIR/out).  Every logger reads the writer's"
echo "lines through a pipe: the peers from a shell pipeline, ours as the"
echo "supervisor of the writer (the writer reports that its stdout was a pipe,"
echo "and the run fails if not).  Each measured command runs under"
echo "\`timeout -k 10 $limit\`."
echo
# show: the words of cmd, with the scratch paths and the programs' paths
# as the table calls them.
show() {
	local w out=
	for w in "${cmd[@]}"; do
		case $w in
		"$scratch/run/out") w=FILE ;;
		"$scratch/run") w=DIR ;;
		"$report") w=REPORT ;;
		"$linegen") w=bench/linegen ;;
		"$daemonize") w=src/daemonize ;;
		"$lines") w=N ;;
		esac
		out="$out${out:+ }$w"
	done
	printf '%s\n' "$out"
}
echo '```'
for m in $modes; do
	echo "# ${mode_label[$m]}"
	for t in "${present[@]}"; do
		logger_cmd "$t" "$m" "$scratch/run"
		if [ "$t" = ours ]; then
			show
		else
			printf 'bench/linegen N REPORT | %s\n' "$(show)"
		fi
		if [ -n "$config" ]; then
			printf '  (DIR/config: %s)\n' "$(printf '%s' "$config" | tr '\n' ' ' | sed 's/ $//')"
		fi
	done
done
echo '```'
echo
echo "The columns without rotation use the largest file each peer allows,"
echo "since not all of them can turn rotation off: svlogd rotates never (s0),"
echo "s6-log every 256 MiB, multilog every 16 MiB (its limit).  Every peer"
echo "keeps up to $keep old files, so that none of the stream is deleted"
echo "before it is checked.  Each logger runs with its defaults otherwise"
echo "(svlogd reads and writes through a 1024-byte buffer by default)."
echo
echo "## All runs"
echo
echo "Files: how many log files the run left (rotated ones and the live one),"
echo "all of them read by bench/linecheck."
echo
echo "| Logger | column | run | MB/s | CPU s/GB | files |"
echo "|---|---|---:|---:|---:|---:|"
for t in "${present[@]}"; do
	for m in $modes; do
		for r in $(seq 1 "$runs"); do
			case ${res_ok[$t:$m:$r]:-} in
			yes)
				printf '| %s | %s | %d | %s | %s | %s |\n' "${label[$t]}" \
					"${mode_label[$m]}" "$r" "${res_mbps[$t:$m:$r]}" \
					"${res_cpu[$t:$m:$r]}" "${res_files[$t:$m:$r]}"
				;;
			no)
				printf '| %s | %s | %d | failed | failed | – |\n' \
					"${label[$t]}" "${mode_label[$m]}" "$r"
				;;
			esac
		done
	done
done
if [ -s "$messages" ]; then
	echo
	echo "## What the loggers printed"
	echo
	echo '```'
	head -n 50 "$messages"
	echo '```'
fi
[ -z "$failures" ] || exit 1
if $check && [ "$target_met" != yes ]; then
	exit 3
fi
exit 0
