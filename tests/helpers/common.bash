# Shared setup for the daemonize test suite.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0

# load_assertions LIBRARY: source the files of a bats library found in
# BATS_LIB_PATH, as bats_load_library would.  Its load.bash finds them
# with one "$(dirname ...)" each, and bats runs a file's top level again
# for every test: those 15 forks of the test's shell were about a third
# of the suite's CPU time.
load_assertions() {
	local dir f
	local -a dirs
	IFS=: read -ra dirs <<<"${BATS_LIB_PATH:-/usr/lib/bats}"
	for dir in "${dirs[@]}"; do
		[ -f "$dir/$1/load.bash" ] || continue
		for f in "$dir/$1"/src/*.bash; do
			# shellcheck disable=SC1090
			source "$f" || return 1
		done
		return 0
	done
	bats_load_library "$1"
}
load_assertions bats-support
load_assertions bats-assert

# untraced CMD...: run CMD, and every function it calls, without bats'
# DEBUG trap.  To know the line of a failure, bats runs a dozen commands
# of its own before each command of a test, about 150 us each here: a
# poll loop of the shell's, or a scan of /proc, then cost more than the
# forks it was written to save.  A failure in CMD is still one, told at
# the line that called it.
untraced() {
	local -
	set +T
	"$@"
}

# The tools the tests run are the system's own, from its standard
# directories, ahead of whatever else the caller's PATH holds: a version
# manager's shim for python3 ran a dozen shell scripts before Python,
# 0.4 s of CPU a call and some 60 calls a suite.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

: "${DAEMONIZE:?DAEMONIZE must name the daemonize binary under test}"
# The binary itself, when DAEMONIZE is a wrapper (valgrind) around it.
: "${DAEMONIZE_BINARY:=$DAEMONIZE}"
# How much slower than native the binary runs (10 under valgrind): every
# deadline and upper time bound is multiplied by it.
: "${DAEMONIZE_SLOW:=1}"
: "${FIXTURES:=$BATS_TEST_DIRNAME/fixtures}"

# Every pid a test starts is recorded here and killed by teardown.
track_pid() {
	echo "$1" >>"$BATS_TEST_TMPDIR/pids"
}

# Kill exactly the recorded pids (never anything below 2), then wait for
# them to go so the next test starts clean.  The list is emptied: a test
# that calls this in a loop waits for each pid once, not once a round.
kill_tracked() {
	untraced kill_tracked_all
}

kill_tracked_all() {
	local pid
	[ -f "$BATS_TEST_TMPDIR/pids" ] || return 0
	while read -r pid; do
		if valid_pid "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done <"$BATS_TEST_TMPDIR/pids"
	while read -r pid; do
		if valid_pid "$pid"; then
			wait_until 5 pid_gone "$pid" || true
		fi
	done <"$BATS_TEST_TMPDIR/pids"
	: >"$BATS_TEST_TMPDIR/pids"
}

# A pid we may signal: a number, and never 0, 1 or a negative group.
valid_pid() {
	[[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 2 ]
}

teardown() {
	kill_tracked
}

# millis VAR SECONDS: set VAR to SECONDS (fractions allowed, to the
# millisecond) in ms, without a subshell.
millis() {
	local int=${2%%.*} frac=
	[ "$int" = "$2" ] || frac=${2#*.}
	frac=${frac}000
	printf -v "$1" '%d' $((10#${int:-0} * 1000 + 10#${frac:0:3}))
}

# pause SECONDS: sleep without a fork: a read that times out on a FIFO
# held open for reading and writing, where nothing is ever written.  A
# fork of the test's shell costs milliseconds of CPU, and the polls below
# wait thousands of times a suite.  wait_until closes the descriptor
# when it is done, so that no process the test starts later inherits it.
pause() {
	local fifo=$BATS_RUN_TMPDIR/pause.fifo
	if [ -z "${PAUSE_FD:-}" ]; then
		[ -p "$fifo" ] || mkfifo "$fifo" 2>/dev/null || [ -p "$fifo" ] ||
			return 1
		exec {PAUSE_FD}<>"$fifo"
	fi
	read -r -t "$1" -u "$PAUSE_FD" _ || true
}

pause_done() {
	if [ -n "${PAUSE_FD:-}" ]; then
		exec {PAUSE_FD}>&-
		PAUSE_FD=
	fi
}

# wait_until SECONDS CMD...: poll CMD until it succeeds; fail after
# SECONDS (fractions allowed) times DAEMONIZE_SLOW of pauses.  It polls
# every 20 ms for the first second, then every 100 ms: what most tests
# wait for comes within the first, and a long wait (a restart delay)
# then costs a fifth of the forks of its checks.
wait_until() {
	untraced wait_until_polls "$@"
}

wait_until_polls() {
	local deadline waited=0 step=20 secs
	millis deadline "$1"
	deadline=$((deadline * DAEMONIZE_SLOW))
	shift
	while :; do
		if "$@"; then
			pause_done
			return 0
		fi
		[ "$waited" -lt "$deadline" ] || break
		[ "$waited" -lt 1000 ] || step=100
		printf -v secs '0.%03d' "$step"
		pause "$secs"
		waited=$((waited + step))
	done
	pause_done
	return 1
}

# prints TEXT CMD...: CMD prints TEXT.  For wait_until, which runs its
# command on every try: a "$(...)" among wait_until's own arguments is
# expanded once, before the first.
prints() {
	local want=$1
	shift
	[ "$("$@")" = "$want" ]
}

# A process is gone when it has no /proc entry, is a zombie, or is on its
# way to become one (PF_EXITING, 0x4 in the flags: a lock or pipe it held
# is released before its exit is complete, and a waiter woken by that may
# look at it first).
pid_gone() {
	local stat state flags
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
	read -r state _ _ _ _ _ flags _ <<<"${stat##*) }"
	[ "$state" = Z ] || [ "$state" = X ] || (((flags & 4) != 0))
}

# pid_dead PID: PID is a zombie or gone, its descriptors closed, and with
# them any lock it held (on its way out, as pid_gone counts it, it may
# hold them still).
pid_dead() {
	local stat state
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
	read -r state _ <<<"${stat##*) }"
	[ "$state" = Z ] || [ "$state" = X ]
}

pid_alive() {
	! pid_gone "$1"
}

# new_child FILE OLD: FILE names a live child other than OLD.
new_child() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	[ -n "$pid" ] && [ "$pid" != "$2" ] && pid_alive "$pid"
}

file_nonempty() {
	[ -s "$1" ]
}

# proc_field PID N: field N (1-based, as in proc(5)) of /proc/PID/stat.
# The command name may hold spaces, so fields are counted after its ')'.
proc_field() {
	local stat
	local -a f
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	read -ra f <<<"${stat##*) }"
	echo "${f[$2 - 3]}"
}

# status_field PID NAME: the value of NAME: in /proc/PID/status, its
# fields joined by single spaces (read in the shell: no fork).  The file
# is read whole at once (mapfile): read line by line, each line is a
# read of its own at an offset, and the kernel writes the text anew for
# each, so that a process whose fields change meanwhile (a supervisor
# forking) shifts the lines and one can be missed.
status_field() {
	untraced status_field_read "$@"
}

status_field_read() {
	local line
	local -a lines f
	{ mapfile -t lines <"/proc/$1/status"; } 2>/dev/null || return 1
	for line in "${lines[@]}"; do
		read -ra f <<<"$line"
		if [ "${f[0]:-}" = "$2:" ]; then
			local IFS=' '
			echo "${f[*]:1}"
			return 0
		fi
	done
	return 1
}

# ignored_signals PID: SigIgn of PID, as 16 hex digits, less the C
# library's own signals (32 to 34: glibc keeps 32 and 33 for its threads,
# musl 32 to 34), which sigaction(2) refuses to change: a caller that
# ignores one of those hands it on, whatever the daemonizer.
ignored_signals() {
	local ign
	ign=$(status_field "$1" SigIgn) || return 1
	printf '%016x\n' $((0x$ign & ~0x380000000))
}

# fd_list PID: the open descriptors of PID, sorted, space separated.
# From a glob, into the keys of an array (which come out in order): no
# process, where each call was four, and these run many times a test.
fd_list() {
	untraced fd_numbers "$1"
}

fd_numbers() {
	local path fd
	local -a open=()
	for path in "/proc/$1/fd/"*; do
		fd=${path##*/}
		case $fd in
		'' | *[!0-9]*) ;;
		*) open[fd]=1 ;;
		esac
	done
	echo "${!open[*]}"
}

# fd_targets PID: a line "FD TARGET" for each descriptor of PID, from one
# find instead of a readlink per descriptor.
fd_targets() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -printf '%f %l\n'
}

# extra_fds PID: what PID has open beyond 0-2, as sorted paths, one line.
extra_fds() {
	fd_targets "$1" | untraced beyond_stdio | sort | paste -s -d ' ' -
}

beyond_stdio() {
	local fd target
	while read -r fd target; do
		[ "$fd" -le 2 ] || [ -z "$target" ] || printf '%s\n' "$target"
	done
}

# lock_fd PID: the number of PID's one descriptor beyond 0-2.
lock_fd() {
	local fd
	for fd in $(fd_list "$1"); do
		[ "$fd" -gt 2 ] && echo "$fd"
	done
}

# fd_mode PID FD: r, w or rw, from the access mode in fdinfo.
fd_mode() {
	local flags
	flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$1/fdinfo/$2")
	case $((8#$flags & 3)) in
	0) echo r ;;
	1) echo w ;;
	2) echo rw ;;
	esac
}

# read_pidfile FILE: the pid in FILE, once it is written; records it.
read_pidfile() {
	wait_until 5 file_nonempty "$1" || return 1
	local pid
	pid=$(cat "$1")
	valid_pid "$pid" || return 1
	track_pid "$pid"
	echo "$pid"
}

# kill_pidfile FILE: TERM the pid in FILE, refusing pids below 2.
kill_pidfile() {
	local pid
	pid=$(cat "$1") || return 1
	valid_pid "$pid" || return 1
	kill "$pid"
}

# runs_program PID ARG...: PID has made its exec, its arguments are ARG...
# In the foreground the pidfile is written before the exec, so a test that
# looks at the program waits for this first.
runs_program() {
	local pid=$1
	shift
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" = "$* " ]
}

# procs_with_arg WORD: pids of processes that have WORD as an argument;
# used only to count what a test started under a unique marker.
procs_with_arg() {
	untraced procs_with_arg_scan "$@"
}

procs_with_arg_scan() {
	local f pid
	# One grep over every command line (-z: each argument is a line; the
	# list is expanded before grep, so grep never finds itself).
	while IFS= read -r f; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" = "$$" ] && continue
		pid_alive "$pid" && echo "$pid"
	done < <(grep -l -a -x -F -z -- "$1" /proc/[0-9]*/cmdline 2>/dev/null)
	return 0
}

# A marker unique to this test, usable as an argument of sleep(1):
# "sleep 1000.<random>" sleeps long and names this test.
unique_marker() {
	echo "1000.$((RANDOM * 32768 + RANDOM))$BATS_TEST_NUMBER"
}

# Track every process carrying the marker, for teardown.
track_marker() {
	untraced track_marker_all "$@"
}

track_marker_all() {
	local pid
	for pid in $(procs_with_arg "$1"); do
		track_pid "$pid"
	done
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# Let other users through bats' 0700 run directories down to this test's
# (traversal only, not reading).
open_for_nobody() {
	local dir=${BATS_TEST_TMPDIR%/*}
	while [ "${#dir}" -ge "${#BATS_RUN_TMPDIR}" ]; do
		chmod o+x "$dir"
		dir=${dir%/*}
	done
	chmod o+x "$BATS_TEST_TMPDIR"
}

# as_nobody CMD...: run CMD as nobody:nogroup with no supplementary groups.
# bats makes its run directory 0700: it is opened for traversal (not for
# reading), so that nobody meets the permissions the test set up itself
# rather than bats' own.  In a coverage build, nobody cannot update root's
# .gcda files and libgcov would say so on stderr, which the tests compare:
# nobody's counts go to a scratch directory instead (GCOV_PREFIX means
# nothing to other builds).
as_nobody() {
	as_user nobody nogroup "$@"
}

# as_user USER GROUP CMD...: as_nobody, for any user and group, named or
# numbered.
as_user() {
	local user=$1 group=$2 gcov rc=0
	shift 2
	open_for_nobody
	gcov=$(mktemp -d "${TMPDIR:-/tmp}/dz-gcov.XXXXXX") || return 1
	chmod 777 "$gcov"
	GCOV_PREFIX=$gcov setpriv --reuid="$user" --regid="$group" --clear-groups \
		"$@" || rc=$?
	rm -rf "$gcov"
	return "$rc"
}

# A user id no account and no other process has, for a test that counts a
# user's processes (RLIMIT_NPROC): those of nobody include every other
# test's that runs meanwhile.  Live pids are unique, so this test's is.
lone_uid() {
	echo $((1000000 + $$))
}

# without_caps CAP[,CAP...] CMD...: run CMD as root, but without those
# capabilities, as root in a container that was not granted them is.
without_caps() {
	local caps="-${1//,/,-}"
	shift
	setpriv --inh-caps="$caps" --bounding-set="$caps" "$@"
}

# Is $1 the pid of this shell or of one of its ancestors?
is_ancestor() {
	local p=$$
	while [ "$p" -gt 1 ]; do
		[ "$p" = "$1" ] && return 0
		p=$(proc_field "$p" 4) || return 1
	done
	[ "$1" = 1 ]
}

# Was daemonize built with the setpgid + TIOCNOTTY fallback for setsid?
# Then the daemon has no terminal but stays in the caller's session.
setsid_fallback() {
	"$DAEMONIZE" -V | grep -qx 'setsid: fallback'
}

# slow MILLISECONDS: an upper time bound, scaled for slow builds.
slow() {
	echo $(($1 * DAEMONIZE_SLOW))
}

# skip_under_valgrind WHY: valgrind cannot run this test's situation
# (it cannot return from a failed execve, and it keeps descriptors of its
# own under a lowered RLIMIT_NOFILE); the native suites run it.
skip_under_valgrind() {
	if [ -n "${DAEMONIZE_VALGRIND:-}" ]; then
		skip "under valgrind: $1"
	fi
}

# start_sleep [options]: daemonize a sleep under $MARK with the pidfile
# $PF; sets PID.
start_sleep() {
	run -0 "$DAEMONIZE" -p "$PF" "$@" sleep "$MARK"
	# shellcheck disable=SC2034 # for the calling test
	PID=$(read_pidfile "$PF")
	# Exit 0 means the program runs: not a daemon that died at its exec.
	assert runs_program "$PID" sleep "$MARK"
}

# supervisor_setup: the names a test of -r uses, for its setup: the
# pidfiles PF and CPF, the log LOG and the marker MARK.
supervisor_setup() {
	# shellcheck disable=SC2034 # for the calling test
	PF=$BATS_TEST_TMPDIR/sup.pid
	# shellcheck disable=SC2034 # for the calling test
	CPF=$BATS_TEST_TMPDIR/child.pid
	# shellcheck disable=SC2034 # for the calling test
	LOG=$BATS_TEST_TMPDIR/log
	# shellcheck disable=SC2034 # for the calling test
	MARK=$(unique_marker)
}

# start_crashing ARGS...: a supervised program that exits at once, so
# that its child pidfile, emptied while no child runs, is not waited for;
# sets SUP.
start_crashing() {
	run -0 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" "$@"
	# shellcheck disable=SC2034 # for the calling test
	SUP=$(read_pidfile "$PF")
}

# start_supervisor ARGS...: a supervised program, its pidfiles $PF and
# $CPF; sets SUP and CHILD.
start_supervisor() {
	run -0 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" "$@"
	# shellcheck disable=SC2034 # for the calling test
	SUP=$(read_pidfile "$PF")
	# shellcheck disable=SC2034 # for the calling test
	CHILD=$(read_pidfile "$CPF")
	touch "$BATS_TEST_TMPDIR/child-read"
}

# after_read: sh that waits until start_supervisor has read CHILD, for a
# program that would otherwise end, and take its child pidfile with it,
# before then (the caller is slow to return under valgrind).
after_read() {
	echo "until [ -e '$BATS_TEST_TMPDIR/child-read' ]; do sleep 0.01; done;"
}

lock_held() {
	! flock -n "$1" true
}

# hold_lock FILE: make a sleep under $MARK hold FILE's lock, as flock(1)
# takes it, and print its pid.
hold_lock() {
	flock "$1" sleep "$MARK" </dev/null >/dev/null 2>&1 3>&- &
	track_pid $!
	wait_until 5 lock_held "$1" || return 1
	# flock(1) takes the lock, then forks the sleep: both carry $MARK.
	wait_until 5 marked_twice || return 1
	track_marker "$MARK"
	procs_with_arg "$MARK"
}

marked_twice() {
	[ "$(procs_with_arg "$MARK" | wc -l)" -eq 2 ]
}

# wait_armed: the program has set its traps, and said so by creating
# $BATS_TEST_TMPDIR/armed; a signal sent before then would meet the
# shell's default action.
wait_armed() {
	wait_until 5 test -e "$BATS_TEST_TMPDIR/armed"
}
