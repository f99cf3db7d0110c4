#!/bin/sh
# The supervisor's memory as users pay for it, side by side with its
# peers: daemonize -r, libslack's daemon --respawn, runit's runsv,
# daemontools' supervise and s6-supervise run the same crash-looping
# program at the same time, and each supervisor process (not its child) is
# sampled while its child runs, dies and is restarted.  Prints a Markdown
# report; see bench/README.
#
# usage: supervisor-memory.sh [--check] DAEMONIZE
#
# The peers are taken from their Debian paths unless LIBSLACK_DAEMON,
# RUNSV, SUPERVISE or S6_SUPERVISE name others; one that is not installed
# is left out and the report says so.  With --check the exit status says
# whether daemonize's private memory is at most runsv's (the target), and
# runsv must be there; without it, 0 whenever every supervisor present
# could be measured.  Our daemonize is run by the path given, never looked
# up in PATH: Debian's own daemonize is usually there.
#
# Why not VmRSS alone: it counts every page of the C library and the
# dynamic linker a process has mapped, though those pages are shared with
# every other process that uses them.  What running one more supervisor
# costs is its private memory (the pages no other process maps, from
# Private_Clean and Private_Dirty in /proc/PID/smaps_rollup), and its
# fair share of the rest is its PSS.  The largest value seen is kept:
# sharing only ever lowers them, and another process running the same
# binary shares its pages for as long as it runs.

set -eu
# date's output and awk's numbers the same everywhere.
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

# by_path FILE: FILE as a path, so that running it looks nothing up in
# PATH.
by_path() {
	case $1 in
	*/*) echo "$1" ;;
	*) echo "./$1" ;;
	esac
}

seconds=${BENCH_SECONDS:-12}
case $seconds in
'' | *[!0-9]* | 0)
	echo "$0: BENCH_SECONDS: not a positive number of seconds" >&2
	exit 2
	;;
esac

# The supervisors, each under a key; path_KEY, label_KEY and package_KEY
# (the Debian package, for the hint when it is missing) describe it.
# State is kept in variables named after the keys: POSIX sh has no arrays.
keys='ours libslack runsv supervise s6'
# shellcheck disable=SC2034 # read through val
{
	path_ours=$(by_path "$1")
	path_libslack=$(by_path "${LIBSLACK_DAEMON:-/usr/bin/daemon}")
	path_runsv=$(by_path "${RUNSV:-/usr/bin/runsv}")
	path_supervise=$(by_path "${SUPERVISE:-/usr/bin/supervise}")
	path_s6=$(by_path "${S6_SUPERVISE:-/usr/bin/s6-supervise}")
	label_ours='daemonize -r'
	label_libslack='libslack daemon --respawn'
	label_runsv='runit runsv'
	label_supervise='daemontools supervise'
	label_s6='s6-supervise'
	package_libslack=daemon
	package_runsv=runit
	package_supervise=daemontools
	package_s6=s6
}

# val VAR KEY: the value of VAR_KEY; put VAR KEY VALUE sets it.
val() {
	eval "printf '%s\n' \"\${$1_$2-}\""
}
put() {
	eval "$1_$2=\$3"
}

if [ ! -x "$path_ours" ]; then
	echo "$0: $path_ours: not executable" >&2
	exit 1
fi
present=
missing=
for k in $keys; do
	if [ -x "$(val path "$k")" ]; then
		present="$present $k"
	else
		missing="$missing $k"
	fi
done
case " $missing " in
*" runsv "*)
	if $check; then
		echo "$0: $path_runsv: not executable, and the target is runsv's" \
			"memory (apt-get install runit)" >&2
		exit 1
	fi
	;;
esac

# The program: it prints the date, lives 2 s and fails, so that every
# supervisor keeps restarting it.
prog='date; sleep 2; exit 1'
dir=$(mktemp -d)
# Everything this run started, as PID:START tokens (START the process's
# start time from /proc/PID/stat), so that a pid reused by some other
# process after ours has gone is never signalled.
known=
# Each supervisor's token, and the tokens of those that are our own
# children, to be reaped.
sups=
spawned=
stopped=false

# pstate TOKEN: the state letter of TOKEN's process; nothing when it is
# gone, or its pid now belongs to another process.
pstate() {
	awk -v start="${1#*:}" '{
		sub(/^.*\) /, "")
		if ($20 == start)
			print $1
	}' "/proc/${1%%:*}/stat" 2>/dev/null || true
}

# alive TOKEN: is TOKEN's process still there (a zombie is not)?
alive() {
	case $(pstate "$1") in
	'' | Z | X) return 1 ;;
	esac
	return 0
}

# ident PID: PID's token; fails when there is no such live process.
ident() {
	case $1 in
	'' | *[!0-9]* | 0 | 1) return 1 ;;
	esac
	s=$(awk '{
		sub(/^.*\) /, "")
		if ($1 != "Z" && $1 != "X")
			print $20
	}' "/proc/$1/stat" 2>/dev/null || true)
	[ -n "$s" ] || return 1
	echo "$1:$s"
}

# adopt TOKEN...: add the children of these processes to $known; the
# new ones are left in $found.  /proc/PID/task/TID/children lists what
# each thread forked and has not lost.
adopt() {
	found=
	for a in "$@"; do
		alive "$a" || continue
		for c in $(cat "/proc/${a%%:*}"/task/*/children 2>/dev/null ||
			true); do
			c=$(ident "$c") || continue
			case " $known " in
			*" $c "*) ;;
			*)
				known="$known $c"
				found="$found $c"
				;;
			esac
		done
	done
}

# track: $known becomes those of its processes still alive and everything
# below them, in one pass.  Run at each sample, so that the child of a
# supervisor that died is still known, though no longer its child.
track() {
	known=$(awk -v list="$sups $known" '
		function ident(pid,   f, line, a) {
			f = "/proc/" pid "/stat"
			if ((getline line < f) <= 0) {
				close(f)
				return ""
			}
			close(f)
			sub(/^.*\) /, "", line)
			split(line, a, " ")
			if (a[1] == "Z" || a[1] == "X")
				return ""
			return pid ":" a[20]
		}
		BEGIN {
			n = split(list, q, " ")
			# q grows as children are found: a breadth-first walk.
			for (i = 1; i <= n; i++) {
				split(q[i], p, ":")
				if (seen[q[i]]++ || ident(p[1]) != q[i])
					continue
				out = out " " q[i]
				f = "/proc/" p[1] "/task/" p[1] "/children"
				if ((getline line < f) > 0) {
					m = split(line, c, " ")
					for (j = 1; j <= m; j++)
						if ((t = ident(c[j])) != "")
							q[++n] = t
				}
				close(f)
			}
			print out
		}')
}

# signal SIG TOKEN...: send SIG to those of these processes still alive.
signal() {
	sig=$1
	shift
	for g in "$@"; do
		if alive "$g"; then
			kill "-$sig" "${g%%:*}" 2>/dev/null || true
		fi
	done
}

# all_stopped TOKEN...: has each of these stopped, or gone?
all_stopped() {
	for h in "$@"; do
		case $(pstate "$h") in
		'' | Z | X | T | t) ;;
		*) return 1 ;;
		esac
	done
	return 0
}

# freeze TOKEN...: stop these processes and, level by level, everything
# below them, remembering each in $known.  A stopped process forks no
# more, so nothing can be started behind our back and escape, as a
# child orphaned by its parent's death would: it is no longer anyone's
# child that we could find.
freeze() {
	todo=$*
	while [ -n "$todo" ]; do
		# shellcheck disable=SC2086 # a list of tokens
		signal STOP $todo
		# Children can only be listed for certain once the parent has
		# stopped: a fork under way may still add one (1 s at most).
		tries=0
		# shellcheck disable=SC2086
		while [ "$tries" -lt 10 ] && ! all_stopped $todo; do
			sleep 0.1
			tries=$((tries + 1))
		done
		# shellcheck disable=SC2086
		adopt $todo
		todo=$found
	done
}

# wait_gone TENTHS SIG: wait until none of the processes in $known is
# alive, TENTHS tenths of a second at most; fails if some still are.
# While a supervisor lives it may yet start a child: that one is frozen
# and remembered too, and sent SIG, then CONT.
wait_gone() {
	waited=0
	while :; do
		busy=false
		for w in $known; do
			alive "$w" || continue
			busy=true
			case " $sups " in
			*" $w "*)
				adopt "$w"
				new=$found
				if [ -n "$new" ]; then
					# shellcheck disable=SC2086 # a list of tokens
					freeze $new
					# shellcheck disable=SC2086
					signal "$2" $new
					# shellcheck disable=SC2086
					signal CONT $new
				fi
				;;
			esac
		done
		$busy || return 0
		[ "$waited" -lt "$1" ] || return 1
		sleep 0.1
		waited=$((waited + 1))
	done
}

# Stop everything this run started, by pid, never by name.  Each
# supervisor and its whole tree is frozen first, so that all of it is
# known.  Then the supervisors are stopped the way their users stop them,
# by TERM (and CONT, as they are stopped): runsv and s6-supervise send
# their child TERM and CONT, daemonize -r and libslack's daemon send it
# TERM, daemontools' supervise just dies.  A stopped process acts on TERM
# only once continued, so everything else, the children and the `sleep`
# of each, is then sent TERM and only after that CONT: it dies without
# running again, and starts nothing that could escape.  What outlives
# 5 s more gets KILL.  Every wait has a deadline.
stop_all() {
	$stopped && return 0
	stopped=true
	track
	# shellcheck disable=SC2086 # lists of tokens, here and below
	freeze $known
	# shellcheck disable=SC2086
	signal TERM $sups
	# shellcheck disable=SC2086
	signal CONT $sups
	# A moment for them to signal their children themselves.
	sleep 0.2
	# shellcheck disable=SC2086
	signal TERM $known
	# shellcheck disable=SC2086
	signal CONT $known
	if ! wait_gone 50 TERM; then
		# shellcheck disable=SC2086
		freeze $known
		# shellcheck disable=SC2086
		signal KILL $known
		wait_gone 20 KILL || true
	fi
	for j in $spawned; do
		if ! alive "$j"; then
			wait "${j%%:*}" 2>/dev/null || true
		fi
	done
	left=
	for t in $known; do
		if alive "$t"; then
			left="$left ${t%%:*}"
		fi
	done
	if [ -n "$left" ]; then
		echo "$0: could not stop pid$left" >&2
		return 1
	fi
	return 0
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	rc=$?
	trap '' INT TERM HUP
	stop_all || rc=1
	rm -rf "$dir"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# read_pid FILE: the token of the pid in FILE once it has one (5 s at
# most).
read_pid() {
	n=0
	while [ "$n" -lt 50 ]; do
		if t=$(ident "$(head -n 1 "$1" 2>/dev/null || true)"); then
			echo "$t"
			return 0
		fi
		sleep 0.1
		n=$((n + 1))
	done
	echo "$0: no live pid in $1" >&2
	return 1
}

# service KEY: a service directory for runsv, supervise or s6-supervise.
# Its run script execs the program, so that the supervised process is
# the same `sh -c` as the others' child, not a shell more.
service() {
	mkdir "$dir/$1"
	printf '#!/bin/sh\nexec sh -c %s\n' "'$prog'" >"$dir/$1/run"
	chmod 755 "$dir/$1/run"
}

# Start them all.  Each one's output, and its child's, goes to a log of
# its own: they must not write into the report, nor hold open whatever
# pipe our standard output is.
for k in $present; do
	p=$(val path "$k")
	case $k in
	ours)
		"$p" -r -p "$dir/ours.pid" --output "$dir/ours.log" \
			sh -c "$prog" </dev/null
		t=$(read_pid "$dir/ours.pid")
		;;
	libslack)
		"$p" --respawn --pidfiles="$dir" --name=libslack \
			--output="$dir/libslack.log" -- sh -c "$prog" </dev/null
		t=$(read_pid "$dir/libslack.pid")
		;;
	*)
		# These stay in the foreground, as our children.
		service "$k"
		"$p" "$dir/$k" </dev/null >"$dir/$k.log" 2>&1 &
		j=$!
		if ! t=$(ident "$j"); then
			echo "$0: $p did not start" >&2
			exit 1
		fi
		spawned="$spawned $t"
		;;
	esac
	put pid "$k" "$t"
	sups="$sups $t"
	put priv "$k" 0
	put pss "$k" 0
	put rss "$k" 0
done

# sample KEY: read the supervisor's figures and keep the largest of
# each.  A supervisor that is gone (or a zombie, which has no memory to
# show) ends the run: a dead supervisor measures nothing.
sample() {
	key=$1
	t=$(val pid "$key")
	p=${t%%:*}
	v=$(awk -v start="${t#*:}" '
		FILENAME ~ /\/stat$/ {
			sub(/^.*\) /, "")
			ok = $1 != "Z" && $1 != "X" && $20 == start
			next
		}
		$1 == "Private_Clean:" || $1 == "Private_Dirty:" {
			priv += $2
			np++
		}
		$1 == "Pss:" { pss = $2 }
		$1 == "VmRSS:" { rss = $2 }
		END {
			if (ok && np == 2 && pss != "" && rss != "")
				print priv, pss, rss
		}' "/proc/$p/stat" "/proc/$p/smaps_rollup" "/proc/$p/status" \
		2>/dev/null || true)
	if [ -z "$v" ]; then
		echo "$0: $(val label "$key") (pid $p) is gone:" \
			"nothing to measure" >&2
		exit 1
	fi
	# shellcheck disable=SC2086 # three numbers
	set -- $v
	for f in priv pss rss; do
		if [ "$1" -gt "$(val "$f" "$key")" ]; then
			put "$f" "$key" "$1"
		fi
		shift
	done
}

samples=0
end=$(($(date +%s) + seconds))
while [ "$(date +%s)" -lt "$end" ]; do
	for k in $present; do
		sample "$k"
	done
	samples=$((samples + 1))
	track
	sleep 0.2
done
# Once more at the end: a supervisor that died since the last sample
# would otherwise go unnoticed.
for k in $present; do
	sample "$k"
done
samples=$((samples + 1))

# Measured while restarting, or the figures mean little: each run of the
# program prints the time once into its supervisor's log.
runs_line=
for k in $present; do
	r=$(grep -c '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' "$dir/$k.log" \
		2>/dev/null || true)
	if [ "${r:-0}" -lt 2 ]; then
		echo "$0: $(val label "$k") never restarted its child in" \
			"$seconds s" >&2
		exit 1
	fi
	runs_line="$runs_line, $(val label "$k") $r"
done
runs_line=${runs_line#, }

# profile KEY: where the supervisor's private memory is now, mapping by
# mapping from /proc/PID/smaps: "name clean dirty" lines in kB, file
# mappings under their file's name, anonymous ones together.
profile() {
	t=$(val pid "$1")
	awk '/^[0-9a-f]+-[0-9a-f]+ / {
			name = $6
			if (name == "")
				name = "anonymous"
			else if (name !~ /^\[/)
				sub(/.*\//, "", name)
			if (!(name in seen)) {
				seen[name] = 1
				order[++n] = name
			}
		}
		$1 == "Private_Clean:" { clean[name] += $2 }
		$1 == "Private_Dirty:" { dirty[name] += $2 }
		END {
			for (i = 1; i <= n; i++)
				if (clean[order[i]] + dirty[order[i]] > 0)
					print order[i], clean[order[i]] + 0,
					    dirty[order[i]] + 0
		}' "/proc/${t%%:*}/smaps" 2>/dev/null || true
}
profiled=
for k in ours runsv; do
	case " $present " in
	*" $k "*)
		profile "$k" >"$dir/profile.$k"
		profiled="$profiled $k"
		;;
	esac
done

stop_all

# version KEY: the version of the Debian package the supervisor's file
# belongs to, if any.
version() {
	if [ "$1" = ours ]; then
		"$path_ours" --version 2>/dev/null | head -n 1 |
			awk '{ print $NF }'
		return 0
	fi
	pkg=$(dpkg-query -S "$(val path "$1")" 2>/dev/null |
		awk -F': ' 'NF == 2 && $1 !~ / / { print $1; exit }' || true)
	if [ -n "$pkg" ]; then
		dpkg-query -W -f='${Package} ${Version}' "$pkg" 2>/dev/null ||
			echo "$pkg, version unknown"
	else
		echo "$(val path "$1"), version unknown"
	fi
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (b > 0)
			printf "%.2f", a / b
		else
			printf "n/a"
	}'
}

peers=
for k in $present; do
	[ "$k" = ours ] || peers="$peers, $(version "$k")"
done
peers=${peers#, }

case " $present " in
*" runsv "*)
	base=$(val priv runsv)
	if [ "$(val priv ours)" -le "$base" ]; then met=yes; else met=no; fi
	;;
*)
	base=
	met="not measured (runsv is not installed)"
	;;
esac

echo "# The supervisor's memory"
echo
echo "$(uname -sr), $(getconf GNU_LIBC_VERSION 2>/dev/null ||
	echo "libc unknown"),"
echo "daemonize $(version ours) ($path_ours)${peers:+; peers: $peers}."
echo "Each supervisor ran \`sh -c '$prog'\`, all at the same time, for"
echo "$seconds s, sampled every 0.2 s ($samples samples); runs of the program:"
echo "$runs_line."
echo "Largest value seen per supervisor process (not its child), in kB:"
echo "private = Private_Clean + Private_Dirty and PSS = Pss from"
echo "/proc/PID/smaps_rollup, VmRSS from /proc/PID/status."
echo
echo "| supervisor | private kB | PSS kB | VmRSS kB | private vs runsv |"
echo "|---|--:|--:|--:|--:|"
for k in $present; do
	if [ -n "$base" ]; then
		r=$(ratio "$(val priv "$k")" "$base")
	else
		r=n/a
	fi
	echo "| $(val label "$k") | $(val priv "$k") | $(val pss "$k") |" \
		"$(val rss "$k") | $r |"
done
if [ -n "$profiled" ]; then
	echo
	echo "Where the private memory was at the last sample, by mapping, in kB"
	echo "(clean: pages of a file no other process had mapped, such as the"
	echo "whole of the supervisor's own binary once the kernel's fault-around"
	echo "has mapped it; dirty: pages written, such as .data, .bss, the heap"
	echo "and the stack):"
	for k in $profiled; do
		echo
		echo "| $(val label "$k"): mapping | clean | dirty |"
		echo "|---|--:|--:|"
		awk '{ printf "| %s | %d | %d |\n", $1, $2, $3 }' "$dir/profile.$k"
	done
fi
if [ -n "$missing" ]; then
	echo
	for k in $missing; do
		echo "Not installed, not measured: $(val label "$k")" \
			"($(val path "$k"); apt-get install $(val package "$k"))."
	done
fi
echo
echo "Target: daemonize's private memory at most runsv's: $met."

if $check && [ "$met" != yes ]; then
	exit 1
fi
exit 0
