#!/usr/bin/env bats
# -f/--foreground: the whole checklist except the forks and setsid; the
# program replaces daemonize in place.
# shellcheck disable=SC2154,SC2016 # bats sets $stderr; sh -c scripts are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

@test "the program runs in place: same pid, and no fork" {
	"$DAEMONIZE" -f -p "$PF" sleep "$MARK" &
	child=$!
	track_pid "$child"
	wait_until 5 file_nonempty "$PF"
	assert_equal "$(cat "$PF")" "$child"
	wait_until 5 runs_program "$child" sleep "$MARK"
	assert_equal "$(procs_with_arg "$MARK")" "$child"
	assert_equal "$(proc_field "$child" 4)" "$$"
}

@test "the program's exit status is returned" {
	run -7 "$DAEMONIZE" --foreground sh -c 'exit 7'
	run -0 "$DAEMONIZE" -f true
}

@test "the rest of the checklist still applies" {
	exec 8</dev/null
	trap '' HUP
	"$DAEMONIZE" -f -p "$PF" -c /tmp -m 027 sleep "$MARK" &
	child=$!
	track_pid "$child"
	wait_until 5 runs_program "$child" sleep "$MARK"
	assert_equal "$(readlink "/proc/$child/cwd")" /tmp
	assert_equal "$(status_field "$child" Umask)" 0027
	assert_equal "$(ignored_signals "$child")" 0000000000000000
	assert_equal "$(readlink "/proc/$child/fd/0")" /dev/null
	assert_equal "$(extra_fds "$child")" "$PF"
	run -1 "$DAEMONIZE" -p "$PF" true
}

@test "stdout and stderr stay the caller's unless -o or -e" {
	run --separate-stderr -0 "$DAEMONIZE" -f sh -c 'echo to-out; echo to-err >&2'
	assert_output to-out
	assert_equal "$stderr" to-err
	run -0 "$DAEMONIZE" -f -o "$BATS_TEST_TMPDIR/o" sh -c 'echo to-file'
	assert_output ""
	assert_equal "$(cat "$BATS_TEST_TMPDIR/o")" to-file
}

@test "failures are reported in the foreground too, pidfile removed" {
	skip_under_valgrind "a failed execve kills valgrind itself"
	run --separate-stderr -125 "$DAEMONIZE" -f -p "$PF" -c /nonexistent true
	assert_equal "$stderr" "daemonize: chdir /nonexistent: No such file or directory"
	assert [ ! -e "$PF" ]
	printf '#!/nonexistent/interpreter\n' >"$BATS_TEST_TMPDIR/script"
	chmod 755 "$BATS_TEST_TMPDIR/script"
	run --separate-stderr -126 "$DAEMONIZE" -f -p "$PF" "$BATS_TEST_TMPDIR/script"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/script: bad interpreter: No such file or directory"
	assert [ ! -e "$PF" ]
}

@test "-u in the foreground: exec failure as the user leaves no pid behind" {
	skip_under_valgrind "a failed execve kills valgrind itself"
	is_root || skip "needs root"
	mkdir -m 755 "$BATS_TEST_TMPDIR/run"
	chmod 755 "$BATS_TEST_TMPDIR"
	printf '#!/bin/sh\n' >"$BATS_TEST_TMPDIR/rootonly"
	chmod 700 "$BATS_TEST_TMPDIR/rootonly"
	run -126 "$DAEMONIZE" -f -u nobody -p "$BATS_TEST_TMPDIR/run/d.pid" "$BATS_TEST_TMPDIR/rootonly"
	# nobody may not unlink in root's directory: the file is emptied.
	assert [ ! -s "$BATS_TEST_TMPDIR/run/d.pid" ]
	flock -n "$BATS_TEST_TMPDIR/run/d.pid" true
}
