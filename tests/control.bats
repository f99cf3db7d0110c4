#!/usr/bin/env bats
# --status, --signal and --stop (SPEC section 6, Control): decided by the
# pidfile's lock, never by the pid in it alone.
# shellcheck disable=SC2154,SC2016 # bats sets $output, $stderr; scripts are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

start_sleep() {
	run -0 "$DAEMONIZE" -p "$PF" "$@"
	PID=$(read_pidfile "$PF")
}

@test "--status: 0 and the pid while running" {
	start_sleep sleep "$MARK"
	run --separate-stderr -0 "$DAEMONIZE" --status -p "$PF"
	assert_output "$PID"
	assert_equal "$stderr" ""
}

@test "--status: 1 when the pidfile remains, 3 when there is none" {
	start_sleep sleep "$MARK"
	kill -KILL "$PID"
	wait_until 5 pid_gone "$PID"
	run --separate-stderr -1 "$DAEMONIZE" --status -p "$PF"
	assert_output ""
	assert_equal "$stderr" "daemonize: $PF: not running, but the pidfile remains"
	rm "$PF"
	run --separate-stderr -3 "$DAEMONIZE" --status -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: not running"
}

@test "--status: 4 when it cannot tell" {
	is_root || skip "needs root to make a pidfile another user cannot read"
	start_sleep sleep "$MARK"
	chmod 600 "$PF"
	chmod 755 "$BATS_TEST_TMPDIR"
	run --separate-stderr -4 as_nobody "$DAEMONIZE" --status -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: cannot tell: Permission denied"
}

@test "a pidfile that is a symlink or no regular file: cannot tell, nothing touched" {
	echo 12345 >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$PF"
	run --separate-stderr -4 "$DAEMONIZE" --status -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: cannot tell: is a symbolic link, refusing to follow it"
	run --separate-stderr -1 "$DAEMONIZE" --stop -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: cannot tell: is a symbolic link, refusing to follow it"
	assert [ -L "$PF" ]
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" 12345
	rm "$PF"
	mkdir "$PF"
	run --separate-stderr -4 "$DAEMONIZE" --status -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: cannot tell: not a regular file"
	run --separate-stderr -1 "$DAEMONIZE" --signal HUP -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: cannot tell: not a regular file"
	assert [ -d "$PF" ]
}

@test "locked, but no pid in it: cannot tell, and nothing is signalled; a dead pid: the holder is named" {
	echo not-a-pid >"$PF"
	holder=$(hold_lock "$PF")
	run --separate-stderr -4 "$DAEMONIZE" --status -p "$PF"
	assert_output ""
	assert_equal "$stderr" "daemonize: $PF: locked, but holds no pid"
	run --separate-stderr -1 "$DAEMONIZE" --stop --kill --stop-timeout 0.2 -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: locked, but holds no pid"
	run --separate-stderr -1 "$DAEMONIZE" --signal=TERM -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: locked, but holds no pid"
	assert_equal "$(cat "$PF")" not-a-pid
	# A pid that has no process at all: it has exited, and whatever holds
	# the lock is what is left of the daemon.
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	echo "$dead" >"$PF"
	# flock(1) and its sleep both hold it: either may be named.
	run --separate-stderr -0 "$DAEMONIZE" --status -p "$PF"
	assert grep -qx -- "$output" <<<"$holder"
	assert_equal "$stderr" "daemonize: $PF: pid $dead has exited, but pid $output still holds the lock"
	run -1 "$DAEMONIZE" --signal=TERM -p "$PF"
	assert_equal "$(procs_with_arg "$MARK")" "$holder"
	run -0 "$DAEMONIZE" --stop --kill --stop-timeout 0.2 -p "$PF"
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ ! -e "$PF" ]
}

@test "--status: a stale pidfile naming a live process is not running" {
	sleep 300 &
	other=$!
	track_pid "$other"
	echo "$other" >"$PF"
	run -1 "$DAEMONIZE" --status -p "$PF"
	pid_alive "$other"
}

@test "--signal by name and number reaches the lock holder" {
	start_sleep sh -c "trap 'echo usr1 >> $BATS_TEST_TMPDIR/got' USR1; trap 'echo hup >> $BATS_TEST_TMPDIR/got' HUP; : >$BATS_TEST_TMPDIR/armed; while :; do sleep 0.05; done"
	wait_armed
	run -0 "$DAEMONIZE" --signal=USR1 -p "$PF"
	wait_until 5 grep -qx usr1 "$BATS_TEST_TMPDIR/got"
	run -0 "$DAEMONIZE" --signal SIGHUP -p "$PF"
	wait_until 5 grep -qx hup "$BATS_TEST_TMPDIR/got"
	run -0 "$DAEMONIZE" --signal="$(kill -l USR1)" -p "$PF"
	two_usr1() { [ "$(grep -c usr1 "$BATS_TEST_TMPDIR/got")" -eq 2 ]; }
	wait_until 5 two_usr1
	pid_alive "$PID"
}

@test "--signal with a real-time signal: RTMIN+n and RTMAX-n, counted from the C library's bounds" {
	# A catcher that writes down the number of each real-time signal.
	start_sleep python3 -c '
import signal, sys, time
def got(sig, frame):
    with open(sys.argv[1], "a") as f:
        f.write("%d\n" % sig)
for sig in range(signal.SIGRTMIN - 2, signal.SIGRTMAX + 1):
    try:
        signal.signal(sig, got)
    except (OSError, ValueError):
        pass
open(sys.argv[1] + ".ready", "w").close()
while True:
    time.sleep(1)' "$BATS_TEST_TMPDIR/got"
	wait_until 5 test -e "$BATS_TEST_TMPDIR/got.ready"
	got_lines() { [ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq "$1" ]; }
	run -0 "$DAEMONIZE" --signal=RTMIN -p "$PF"
	wait_until 5 got_lines 1
	# -v names them back as they were read, whatever the C library's bounds.
	run --separate-stderr -0 "$DAEMONIZE" -v --signal SIGRTMIN+2 -p "$PF"
	assert_equal "$stderr" "daemonize: sent SIGRTMIN+2 to pid $PID"
	wait_until 5 got_lines 2
	run --separate-stderr -0 "$DAEMONIZE" -v --signal rtmax-3 -p "$PF"
	assert_equal "$stderr" "daemonize: sent SIGRTMAX-3 to pid $PID"
	wait_until 5 got_lines 3
	# RTMAX-1: valgrind keeps RTMAX (64) for itself.
	run -0 "$DAEMONIZE" --signal RTMAX-1 -p "$PF"
	wait_until 5 got_lines 4
	local min
	min=$(head -n 1 "$BATS_TEST_TMPDIR/got")
	# glibc's RTMIN is 34, musl's 35; RTMAX is 64 on both.
	assert_regex "$min" '^3[45]$'
	assert_equal "$(tail -n 3 "$BATS_TEST_TMPDIR/got")" "$((min + 2))
61
63"
	for bad in RTMIN+99 RTMAX+1 RTMIN-1 RTMIN+ RTMINX; do
		run --separate-stderr -2 "$DAEMONIZE" --signal="$bad" -p "$PF"
		assert_equal "$stderr" "daemonize: --signal $bad: expected a signal name or number"
	done
	pid_alive "$PID"
}

@test "--signal: 1 with a message when not running; nothing signalled" {
	sleep 300 &
	other=$!
	track_pid "$other"
	echo "$other" >"$PF"
	run --separate-stderr -1 "$DAEMONIZE" --signal=TERM -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: not running"
	pid_alive "$other"
}

@test "--stop: TERM, wait for the lock, remove the pidfile" {
	start_sleep sleep "$MARK"
	run -0 "$DAEMONIZE" --stop -p "$PF"
	pid_gone "$PID"
	assert [ ! -e "$PF" ]
	# Not running is success too, and removes a stale pidfile.
	run -0 "$DAEMONIZE" --stop -p "$PF"
	echo 12345 >"$PF"
	run -0 "$DAEMONIZE" --stop -p "$PF"
	assert [ ! -e "$PF" ]
}

@test "--stop: a program that ignores TERM: 1, or KILLed with --kill" {
	start_sleep sh -c "trap '' TERM; exec sleep $MARK"
	wait_until 5 runs_program "$PID" sleep "$MARK"
	run --separate-stderr -1 "$DAEMONIZE" --stop --stop-timeout 0.5 -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: pid $PID still running after TERM"
	pid_alive "$PID"
	assert [ -e "$PF" ]
	run -0 "$DAEMONIZE" --stop --stop-timeout 0.5 --kill -p "$PF"
	wait_until 5 pid_gone "$PID"
	assert [ ! -e "$PF" ]
}

@test "--stop --kill --kill-mode=process: a main pid that ignores TERM is KILLed, its child is not: 0, the child named" {
	# The pidfile's descriptor is inherited by what the daemon starts.
	start_sleep sh -c "trap '' TERM; sleep $MARK & exec sleep $MARK"
	# Its exec comes after the helper's fork.
	wait_until 5 runs_program "$PID" sleep "$MARK"
	track_marker "$MARK"
	local helper
	helper=$(procs_with_arg "$MARK" | grep -vx "$PID")
	run --separate-stderr -0 "$DAEMONIZE" --stop --kill --kill-mode=process --stop-timeout 0.2 -p "$PF"
	# No message claims a signal that was not sent: the helper had none.
	assert_equal "$stderr" "daemonize: $PF: pid $PID stopped; pid $helper, which --kill-mode=process leaves running, still holds the lock"
	assert pid_gone "$PID"
	assert pid_alive "$helper"
	assert_equal "$(cat "$PF")" "$PID"
	run --separate-stderr -0 "$DAEMONIZE" --status -p "$PF"
	assert_output "$helper"
	assert_equal "$stderr" "daemonize: $PF: pid $PID has exited, but pid $helper still holds the lock"
}

@test "root without CAP_KILL cannot signal another user's daemon: 1 and why" {
	is_root || skip "needs root to drop a capability"
	start_sleep -u nobody sleep "$MARK"
	run --separate-stderr -1 without_caps kill "$DAEMONIZE" --signal=HUP -p "$PF"
	assert_equal "$stderr" "daemonize: kill $PID: Operation not permitted"
	run --separate-stderr -1 without_caps kill "$DAEMONIZE" --signal=HUP --kill-whom=all -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: no process of the daemon could be signalled: Operation not permitted"
	run --separate-stderr -1 without_caps kill "$DAEMONIZE" --stop -p "$PF"
	assert_equal "$stderr" "daemonize: kill $PID: Operation not permitted"
	pid_alive "$PID"
	assert_equal "$(cat "$PF")" "$PID"
}

@test "--stop never signals a pid the lock does not vouch for" {
	sleep 300 &
	other=$!
	track_pid "$other"
	echo "$other" >"$PF"
	run -0 "$DAEMONIZE" --stop --kill -p "$PF"
	pid_alive "$other"
	assert [ ! -e "$PF" ]
	# With a live daemon and an edited pidfile: refuse, signal no one.
	start_sleep sleep "$MARK"
	echo "$other" >"$PF"
	run --separate-stderr -1 "$DAEMONIZE" --stop --kill --stop-timeout 0.5 -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: locked, but pid $other in it does not hold it"
	pid_alive "$other"
	pid_alive "$PID"
	run -4 "$DAEMONIZE" --status -p "$PF"
}

@test "--stop of a --respawn supervisor ends it and its child" {
	run -0 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$BATS_TEST_TMPDIR/c.pid" sleep "$MARK"
	sup=$(read_pidfile "$PF")
	child=$(read_pidfile "$BATS_TEST_TMPDIR/c.pid")
	run -0 "$DAEMONIZE" --status -p "$PF"
	assert_output "$sup"
	run -0 "$DAEMONIZE" --stop -p "$PF"
	wait_until 5 pid_gone "$child"
	pid_gone "$sup"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$BATS_TEST_TMPDIR/c.pid" ]
}

@test "control usage errors" {
	run --separate-stderr -2 "$DAEMONIZE" --stop
	assert_equal "$stderr" "daemonize: --status, --stop and --signal need -p PIDFILE"
	run --separate-stderr -2 "$DAEMONIZE" --status -p "$PF" sleep 1
	assert_equal "$stderr" "daemonize: --status, --stop and --signal take no program"
	run --separate-stderr -2 "$DAEMONIZE" --signal=NOPE -p "$PF"
	assert_equal "$stderr" "daemonize: --signal NOPE: expected a signal name or number"
}

@test "a start that meets a probe's shared lock waits it out instead of failing" {
	# What --status and --stop do for a moment, made to last 0.3 s.
	: >"$PF"
	flock -s "$PF" sleep 0.3 &
	track_pid $!
	holding() { ! flock -n -x "$PF" true; }
	wait_until 5 holding
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(readlink "/proc/$PID/exe")" "$(readlink -f "$(command -v sleep)")"
	# An exclusive lock is a running instance: refused, as ever.
	run --separate-stderr -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already running, pid $PID"
}

@test "--status probes never make a start fail: it comes while three hold their shared lock" {
	command -v strace >/dev/null || skip "needs strace"
	# The binary itself: this is about locks, not about what valgrind
	# sees.  Each probe runs under strace, whose injected delay holds its
	# moment with the shared lock open, and they let go one after another:
	# a start that fails on a probe fails here every time, where 1,000
	# starts against loops of probes caught it one run in three.
	local d ino
	: >"$PF"
	ino=$(stat -c %i "$PF")
	# LeakSanitizer cannot check a process under ptrace, and says so.
	for d in 250000 400000 550000; do
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout 10 strace -qq -o /dev/null -e trace=flock \
		    -e inject=flock:delay_exit="$d":when=1 \
		    "$DAEMONIZE_BINARY" --status -p "$PF" >/dev/null 2>&1 &
		track_pid $!
	done
	# Read from /proc/locks, not tried with a lock of our own: an
	# exclusive try that met a probe's first flock made it fail and hold
	# nothing, and a try every 100 ms on a loaded machine could miss the
	# moments altogether.
	probes_hold() {
		local line
		while read -r line; do
			case $line in
			*'->'*) ;;
			*" FLOCK "*" READ "*":$ino "*) return 0 ;;
			esac
		done </proc/locks
		return 1
	}
	wait_until 5 probes_hold
	run --separate-stderr -0 "$DAEMONIZE_BINARY" -p "$PF" sleep "$MARK"
	local pid
	pid=$(read_pidfile "$PF")
	assert runs_program "$pid" sleep "$MARK"
}

@test "--signal and --stop never reach a process given the daemon's pid meanwhile (pidfd)" {
	is_root || skip "needs root for a PID namespace"
	command -v strace >/dev/null || skip "needs strace"
	# The binary itself: this is about pids, not about what valgrind sees.
	local args trace=$BATS_TEST_TMPDIR/trace rc
	for args in "--signal TERM" "--stop --kill-mode=process"; do
		rc=0
		# LeakSanitizer cannot check a process under ptrace.
		# shellcheck disable=SC2086 # args are words
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout 30 unshare --pid --fork --mount-proc \
			"$BATS_TEST_DIRNAME/helpers/pid-reuse.sh" "$DAEMONIZE_BINARY" \
			"$BATS_TEST_TMPDIR/r.pid" "$trace" $args || rc=$?
		[ "$rc" -ne 2 ] || skip "the pid could not be given again here"
		assert_equal "$args: $rc" "$args: 0"
		rm -f "$BATS_TEST_TMPDIR/r.pid"
	done
}

@test "without pidfds (pidfd_open answers ENOSYS or EPERM), --signal and --stop signal as before" {
	[ -n "${DENY_SYSCALL:-}" ] && [ -x "$DENY_SYSCALL" ] || skip "no seccomp wrapper in this build"
	local pid
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	run -0 "$DENY_SYSCALL" pidfd_open "$DAEMONIZE" --signal CONT -p "$PF"
	pid_alive "$pid"
	# EPERM, from a container's seccomp profile, likewise.
	run -0 "$DENY_SYSCALL" -e EPERM pidfd_open "$DAEMONIZE" --signal CONT -p "$PF"
	pid_alive "$pid"
	run -0 "$DENY_SYSCALL" pidfd_open "$DAEMONIZE" --stop -p "$PF"
	wait_until 5 pid_gone "$pid"
	assert [ ! -e "$PF" ]
}


@test "--stop --kill at the supervisor's own deadline: the child pidfile is cleared, not left naming a dead pid" {
	# The same --stop-timeout for both, as with their defaults: --stop's
	# KILL used to reach the supervisor as it was about to kill its
	# program.  The others go first now, and the supervisor, seeing its
	# program killed, clears the child pidfile and exits by itself.
	local cpf=$BATS_TEST_TMPDIR/child.pid sup child
	run -0 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$cpf" --stop-timeout 1 \
		sh -c "trap '' TERM; exec sleep $MARK"
	sup=$(read_pidfile "$PF")
	child=$(read_pidfile "$cpf")
	wait_until 5 runs_program "$child" sleep "$MARK"
	run --separate-stderr -0 timeout 60 "$DAEMONIZE" --stop --kill --stop-timeout 1 -p "$PF"
	assert pid_gone "$child"
	assert pid_gone "$sup"
	assert [ ! -e "$cpf" ]
	assert [ ! -e "$PF" ]
}

@test "shared locks held past a second, by no probe: the start says so within about a second, 1" {
	: >"$PF"
	# flock and its sleep, which holds the lock too, both tracked.
	flock -s "$PF" sleep "$MARK" >/dev/null 2>&1 3>&- &
	shared_held() { ! flock -n -x "$PF" true; }
	wait_until 5 shared_held
	track_marker "$MARK"
	local start=${EPOCHREALTIME/./}
	run --separate-stderr -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: held with shared locks alone for a second, by no instance"
	# A second of tries, not a second more waiting for a pid none writes.
	assert [ $(( ${EPOCHREALTIME/./} - start )) -lt $((1900000 * DAEMONIZE_SLOW)) ]
}

@test "--stop on a file that holds no pid: not running, 0, the file left alone; blanks around a pid make none" {
	local content
	for content in 'abc' ' 123' '123 ' '0' '-5'; do
		printf '%s\n' "$content" >"$PF"
		run --separate-stderr -0 "$DAEMONIZE" --stop -p "$PF"
		assert_equal "$stderr" "daemonize: $PF: not running"
		assert_equal "[$content] $(cat "$PF")" "[$content] $content"
	done
	# An empty one is what a start leaves for a moment: removed.
	: >"$PF"
	run -0 "$DAEMONIZE" --stop -p "$PF"
	assert [ ! -e "$PF" ]
}
