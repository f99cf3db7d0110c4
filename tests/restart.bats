#!/usr/bin/env bats
# The restart policy of -r (SPEC section 9): --restart always (the
# default) or on-failure, and --success-exit-status for more clean exits.
# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # bats sets $output, $stderr; scripts are single-quoted; each test is a subshell

load helpers/common

setup() {
	supervisor_setup
}

# supervise ARGS...: a supervisor of a child that exits as the file
# $BATS_TEST_TMPDIR/how says (a status, or "kill SIG"), once the file
# exists; sets SUP and CHILD.
supervise() {
	run -0 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" --output "$LOG" \
		--restart-delay 0.1 "$@" sh -c '
		# At most a minute: a test that failed leaves nothing behind.
		n=0
		while [ ! -e "$1/how" ] && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
		read -r how arg <"$1/how"
		rm -f "$1/how"
		if [ "$how" = kill ]; then kill -s "$arg" $$; sleep 5; fi
		exit "$how"' sh "$BATS_TEST_TMPDIR"
	SUP=$(read_pidfile "$PF")
	CHILD=$(read_pidfile "$CPF")
}

# tell HOW: the child is to end so (written whole, then moved in place,
# so that it never reads half of it).
tell() {
	echo "$1" >"$BATS_TEST_TMPDIR/how.new"
	mv "$BATS_TEST_TMPDIR/how.new" "$BATS_TEST_TMPDIR/how"
}

# ends_restarted HOW: the child ends so; the supervisor then restarts it.
ends_restarted() {
	tell "$1"
	wait_until 5 new_child "$CPF" "$CHILD"
	CHILD=$(read_pidfile "$CPF")
}

# ends_cleanly HOW: the child ends so; the supervisor exits 0 and
# removes its pidfiles.
ends_cleanly() {
	tell "$1"
	wait_until 5 pid_gone "$SUP" || { cat "$LOG"; false; }
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
	run -0 grep -c "^daemonize: sh ended cleanly; not restarting it (--restart on-failure)\$" "$LOG"
	assert_output 1
}

@test "--restart always (the default): even a clean exit is restarted" {
	supervise
	ends_restarted 0
	supervise_pid=$SUP
	assert pid_alive "$supervise_pid"
}

@test "--restart on-failure: a failing exit is restarted, a clean one ends the supervisor with 0" {
	supervise --restart on-failure
	ends_restarted 1
	ends_restarted "kill KILL"
	ends_cleanly 0
	# Its exit status, seen by a parent: under --init -r in the foreground.
	run -0 "$DAEMONIZE" --init -r --restart on-failure sh -c 'exit 0'
}

@test "--restart on-failure: TERM, INT, HUP and PIPE from elsewhere are clean, as systemd counts them" {
	supervise --restart on-failure
	ends_restarted "kill USR1"
	ends_cleanly "kill TERM"
}

@test "--success-exit-status: more statuses and signals count as clean" {
	supervise --restart on-failure --success-exit-status '3,USR1 SIGUSR2'
	ends_restarted 4
	ends_cleanly 3
	supervise --restart on-failure --success-exit-status '3,USR1 SIGUSR2'
	ends_cleanly "kill USR1"
}

@test "--success-exit-status: real-time signals as RTMIN+n, RTMAX-n and RTMAX" {
	# RTMIN is the C library's: the shell's may differ from daemonize's
	# (glibc's 34, musl's 35), RTMAX is 64 in both.
	supervise --restart on-failure --success-exit-status 'RTMIN+1,SIGRTMAX-1 rtmax'
	ends_restarted "kill RTMAX-2"
	ends_cleanly "kill RTMAX-1"
	supervise --restart on-failure --success-exit-status 'RTMIN+1,SIGRTMAX-1 rtmax'
	ends_cleanly "kill RTMAX"
}

@test "restart policy values: one line, exit 2, nothing left" {
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" --restart sometimes sleep "$MARK"
	assert_equal "$stderr" "daemonize: --restart sometimes: expected always or on-failure"
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" --restart on-failure sleep "$MARK"
	assert_equal "$stderr" "daemonize: --restart: only with --respawn"
	run --separate-stderr -2 "$DAEMONIZE" -f --restart always sleep "$MARK"
	assert_equal "$stderr" "daemonize: --restart: only with --respawn"
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" --success-exit-status 3 sleep "$MARK"
	assert_equal "$stderr" "daemonize: --success-exit-status: only with --restart on-failure"
	for bad in 256 -1 NOSUCH 3x '' RTMIN+99 RTMIN-1 RTMAX+1 RTMIN+ RTMIN+x; do
		run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" --restart on-failure \
			--success-exit-status "$bad" sleep "$MARK"
	done
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" --restart on-failure \
		--success-exit-status 256 sleep "$MARK"
	assert_equal "$stderr" "daemonize: --success-exit-status 256: expected exit statuses from 0 to 255 and signal names, separated by commas or spaces"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}
