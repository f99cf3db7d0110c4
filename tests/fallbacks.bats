#!/usr/bin/env bats
# Run-time fallbacks (SPEC section 9): a system call the kernel lacks
# (close_range before Linux 5.9) or that a container's seccomp profile
# refuses is met when it fails, whatever configure found in the C
# library.  tests/helpers/deny-syscall makes the named calls fail for
# daemonize and everything it starts.
# shellcheck disable=SC2154 # bats sets $stderr

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	CPF=$BATS_TEST_TMPDIR/child.pid
	MARK=$(unique_marker)
	INHERITED=$BATS_TEST_TMPDIR/inherited
	: >"$INHERITED"
	if [ -z "${DENY_SYSCALL:-}" ] || [ ! -x "$DENY_SYSCALL" ]; then
		skip "no seccomp wrapper in this build (no kernel headers)"
	fi
}

# open_inherited N: N descriptors of $INHERITED open in this shell.
open_inherited() {
	local fd i
	for ((i = 0; i < $1; i++)); do
		# shellcheck disable=SC2034 # fd is set by the redirection
		exec {fd}<"$INHERITED"
	done
	assert [ "$(inherited_in $$)" -ge "$1" ]
}

# inherited_in PID: how many of PID's descriptors are $INHERITED.
inherited_in() {
	fd_targets "$1" | untraced count_inherited
}

count_inherited() {
	local target n=0
	while read -r _ target; do
		[ "$target" != "$INHERITED" ] || n=$((n + 1))
	done
	echo "$n"
}

@test "close_range answers ENOSYS (before Linux 5.9): 50 inherited descriptors closed all the same" {
	open_inherited 50
	run -0 "$DENY_SYSCALL" close_range "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(extra_fds "$PID")" "$PF"
}

@test "close_range answers EPERM (a seccomp profile): closed all the same" {
	open_inherited 50
	run -0 "$DENY_SYSCALL" -e EPERM close_range "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(extra_fds "$PID")" "$PF"
}

@test "close_range answers ENOSYS under --respawn: neither the supervisor nor its child keeps one inherited" {
	open_inherited 50
	run -0 "$DENY_SYSCALL" close_range "$DAEMONIZE" -r -p "$PF" \
		--child-pidfile "$CPF" sleep "$MARK"
	SUP=$(read_pidfile "$PF")
	CHILD=$(read_pidfile "$CPF")
	assert_equal "$(inherited_in "$SUP")" 0
	# The pidfile's lock, which every process of the daemon holds.
	assert_equal "$(extra_fds "$CHILD")" "$PF"
	# A restart takes the same way.
	kill -KILL "$CHILD"
	wait_until 5 new_child "$CPF" "$CHILD"
	CHILD=$(read_pidfile "$CPF")
	# Its pid is written at the fork: look once it has made its exec.
	wait_until 5 runs_program "$CHILD" sleep "$MARK"
	# The pidfile's lock, which every process of the daemon holds.
	assert_equal "$(extra_fds "$CHILD")" "$PF"
	kill "$SUP"
	wait_until 5 pid_gone "$SUP"
}

@test "close_range and /proc/self/fd both refused: every number is closed, above a lowered limit too" {
	skip_under_valgrind "valgrind reserves descriptors under RLIMIT_NOFILE"
	open_inherited 50
	exec 900<"$INHERITED"
	ulimit -S -n 64
	run -0 "$DENY_SYSCALL" close_range,getdents64 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(extra_fds "$PID")" "$PF"
}

@test "close_range refused in the foreground: closed all the same" {
	open_inherited 50
	"$DENY_SYSCALL" close_range "$DAEMONIZE" -f -p "$PF" sleep "$MARK" 3>&- &
	PID=$!
	track_pid "$PID"
	assert_equal "$(read_pidfile "$PF")" "$PID"
	wait_until 5 runs_program "$PID" sleep "$MARK"
	assert_equal "$(extra_fds "$PID")" "$PF"
}

@test "setitimer refused: --stop looks at the lock in turn instead, and still keeps its timeout" {
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	run --separate-stderr -0 timeout 20 "$DENY_SYSCALL" setitimer "$DAEMONIZE" --stop -p "$PF"
	assert_equal "$stderr" ""
	assert pid_gone "$PID"
	assert [ ! -e "$PF" ]
	# A daemon deaf to TERM: the timeout still ends the wait.
	run -0 "$DAEMONIZE" -p "$PF" sh -c "trap '' TERM; exec sleep $MARK"
	PID=$(read_pidfile "$PF")
	wait_until 5 runs_program "$PID" sleep "$MARK"
	run --separate-stderr -1 timeout 20 "$DENY_SYSCALL" -e EPERM setitimer "$DAEMONIZE" --stop --stop-timeout 0.3 -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: pid $PID still running after TERM"
	run -0 timeout 20 "$DENY_SYSCALL" setitimer "$DAEMONIZE" --stop --kill --stop-timeout 0.3 -p "$PF"
	wait_until 5 pid_gone "$PID"
}
