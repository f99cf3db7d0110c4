#!/usr/bin/env bats
# What the daemon looks like from the outside (SPEC section 2), read from
# /proc after daemonize has returned 0.
# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # bats sets $output, $stderr, $status; scripts for sh -c are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}


@test "returns 0 only once the program is running, under the pidfile's pid" {
	start_sleep
	assert_equal "$(tr '\0' ' ' <"/proc/$PID/cmdline")" "sleep $MARK "
	assert_equal "$(procs_with_arg "$MARK")" "$PID"
}

@test "parent is init or the nearest subreaper, never the caller" {
	start_sleep
	ppid=$(proc_field "$PID" 4)
	assert [ "$ppid" != "$$" ]
	is_ancestor "$ppid"
}

@test "own session, not its leader, process group of that session" {
	start_sleep
	sid=$(proc_field "$PID" 6)
	pgrp=$(proc_field "$PID" 5)
	assert [ "$pgrp" != "$PID" ]
	assert [ "$pgrp" != "$(proc_field $$ 5)" ]
	if setsid_fallback; then
		# setpgid + TIOCNOTTY: a process group of its own, no terminal,
		# but still the caller's session.
		assert_equal "$sid" "$(proc_field $$ 6)"
		return
	fi
	assert [ "$sid" != "$PID" ]
	assert [ "$sid" != "$(proc_field $$ 6)" ]
	assert_equal "$pgrp" "$sid"
	# The session leader (the middle process) is gone.
	pid_gone "$sid"
}

@test "no controlling terminal" {
	start_sleep
	assert_equal "$(proc_field "$PID" 7)" 0
	assert_equal "$(proc_field "$PID" 8)" -1
}

@test "working directory is / unless -c" {
	start_sleep
	assert_equal "$(readlink "/proc/$PID/cwd")" /
	kill_tracked
	rm -f "$PF"
	start_sleep -c "$BATS_TEST_TMPDIR"
	assert_equal "$(readlink "/proc/$PID/cwd")" "$BATS_TEST_TMPDIR"
	kill_tracked
	rm -f "$PF"
	start_sleep --chdir /tmp
	assert_equal "$(readlink "/proc/$PID/cwd")" /tmp
}

@test "umask is 022 whatever the caller's, 0 or 077 with -m" {
	umask 077
	start_sleep
	assert_equal "$(status_field "$PID" Umask)" 0022
	kill_tracked
	rm -f "$PF"
	start_sleep -m 0
	assert_equal "$(status_field "$PID" Umask)" 0000
	kill_tracked
	rm -f "$PF"
	umask 000
	start_sleep --umask 077
	assert_equal "$(status_field "$PID" Umask)" 0077
}

@test "stdin is /dev/null read-only, stdout and stderr /dev/null write-only" {
	start_sleep
	for fd in 0 1 2; do
		assert_equal "$(readlink "/proc/$PID/fd/$fd")" /dev/null
	done
	assert_equal "$(fd_mode "$PID" 0)" r
	assert_equal "$(fd_mode "$PID" 1)" w
	assert_equal "$(fd_mode "$PID" 2)" w
}

@test "nothing open beyond 0-2 and the read-only lock" {
	start_sleep
	assert_equal "$(fd_list "$PID" | cut -d' ' -f1-3)" "0 1 2"
	assert_equal "$(extra_fds "$PID")" "$PF"
	assert_equal "$(fd_mode "$PID" "$(lock_fd "$PID")")" r
}

@test "without a pidfile nothing is open beyond 0-2" {
	run -0 "$DAEMONIZE" sleep "$MARK"
	track_marker "$MARK"
	pid=$(procs_with_arg "$MARK")
	assert [ -n "$pid" ]
	assert_equal "$(fd_list "$pid")" "0 1 2"
}

@test "a caller holding 500 extra descriptors leaks none of them" {
	for _ in $(seq 1 500); do
		exec {fd}</dev/null
	done
	assert [ "$(fd_list $$ | wc -w)" -gt 500 ]
	start_sleep
	assert_equal "$(extra_fds "$PID")" "$PF"
}

@test "descriptors above a lowered RLIMIT_NOFILE are closed too" {
	skip_under_valgrind "valgrind reserves descriptors under RLIMIT_NOFILE"
	# A loop bounded by the soft limit would miss these.
	exec 900</dev/null 1000>/dev/null
	ulimit -S -n 64
	start_sleep
	assert_equal "$(extra_fds "$PID")" "$PF"
}

@test "every signal at its default disposition and none blocked" {
	trap '' HUP INT QUIT USR1 TERM
	run -0 python3 -c '
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR2, signal.SIGHUP})
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(ignored_signals "$PID")" 0000000000000000
	assert_equal "$(status_field "$PID" SigBlk)" 0000000000000000
	# And so a plain kill stops it.
	kill "$PID"
	wait_until 5 pid_gone "$PID"
}

@test "environment is the caller's plus each -E in order" {
	export DZ_INHERITED=yes
	start_sleep -E A=1 --env B=two -E A=3 -E 'C=with space'
	env=$(tr '\0' '\n' <"/proc/$PID/environ")
	assert_equal "$(grep -c '^A=' <<<"$env")" 1
	assert grep -qx 'A=3' <<<"$env"
	assert grep -qx 'B=two' <<<"$env"
	assert grep -qx 'C=with space' <<<"$env"
	assert grep -qx 'DZ_INHERITED=yes' <<<"$env"
}

@test "-o and -e redirect output, truncating; -a appends" {
	out=$BATS_TEST_TMPDIR/out
	err=$BATS_TEST_TMPDIR/err
	echo old >"$out"
	echo old >"$err"
	run -0 "$DAEMONIZE" -o "$out" -e "$err" sh -c 'echo to-out; echo to-err >&2'
	wait_until 5 grep -qx to-err "$err"
	wait_until 5 grep -qx to-out "$out"
	assert_equal "$(cat "$out")" to-out
	assert_equal "$(cat "$err")" to-err
	run -0 "$DAEMONIZE" -a --stdout "$out" --stderr "$err" sh -c 'echo again; echo again >&2'
	wait_until 5 grep -qx again "$err"
	wait_until 5 grep -qx again "$out"
	assert_equal "$(cat "$out")" "to-out
again"
	assert_equal "$(cat "$err")" "to-err
again"
}

@test "-o a FIFO: the program writes to its reader, blocking; with no reader 125 at once, nothing left" {
	local fifo=$BATS_TEST_TMPDIR/fifo reader flags
	mkfifo "$fifo"
	run --separate-stderr timeout 10 "$DAEMONIZE" -p "$PF" -o "$fifo" sleep "$MARK"
	track_marker "$MARK"
	assert_equal "$status" 125
	assert_equal "$stderr" "daemonize: $fifo: a FIFO that no process reads"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	# With a reader, the program's output is a FIFO it blocks on, as
	# it would be under the shell's "> fifo".
	# Opened for reading and writing, it never blocks; and the start
	# waits until the reader holds it, or it would find none.
	cat <>"$fifo" >"$BATS_TEST_TMPDIR/read" &
	reader=$!
	track_pid "$reader"
	reader_holds() { [ "$(readlink "/proc/$reader/fd/0")" = "$fifo" ]; }
	wait_until 5 reader_holds
	run -0 timeout 10 "$DAEMONIZE" -p "$PF" -o "$fifo" sh -c "echo through; exec sleep $MARK"
	PID=$(read_pidfile "$PF")
	wait_until 5 runs_program "$PID" sleep "$MARK"
	flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$PID/fdinfo/1")
	assert_equal "$(( 8#$flags & 8#4000 ))" 0
	wait_until 5 grep -qx through "$BATS_TEST_TMPDIR/read"
}

# shared_output STDOUT STDERR: a program alternating between its stdout
# and stderr, sent to these paths, leaves every line, in order, in $log.
shared_output() {
	run -0 "$DAEMONIZE" -o "$1" -e "$2" sh -c \
		'echo first; echo second >&2; echo third; echo last >&2'
	wait_until 5 grep -qx last "$log"
	assert_equal "$(cat "$log")" "first
second
third
last"
}

@test "the same path for -o and -e is one open file: nothing overwritten" {
	log=$BATS_TEST_TMPDIR/log
	shared_output "$log" "$log"
}

@test "-o and -e naming one file by two paths (a symlink) share it too" {
	log=$BATS_TEST_TMPDIR/log
	ln -s log "$BATS_TEST_TMPDIR/link"
	shared_output "$log" "$BATS_TEST_TMPDIR/link"
	assert [ -L "$BATS_TEST_TMPDIR/link" ]
}

@test "output files get the daemon's umask, not the caller's" {
	umask 000
	run -0 "$DAEMONIZE" -o "$BATS_TEST_TMPDIR/o" true
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/o")" 644
}

@test "a relative program, pidfile and output are the caller's, not /'s" {
	cd "$BATS_TEST_TMPDIR"
	mkdir sub
	printf '#!/bin/sh\necho "$@"\nexec sleep "$1"\n' >sub/prog
	chmod +x sub/prog
	run -0 "$DAEMONIZE" -p rel.pid -o rel.out ./sub/prog "$MARK"
	PID=$(read_pidfile "$BATS_TEST_TMPDIR/rel.pid")
	wait_until 5 file_nonempty "$BATS_TEST_TMPDIR/rel.out"
	assert_equal "$(cat rel.out)" "$MARK"
	assert_equal "$(readlink "/proc/$PID/cwd")" /
	assert [ ! -e /rel.pid ]
}

@test "a program without a slash is found in the caller's PATH" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\nexec sleep "$1"\n' >"$BATS_TEST_TMPDIR/bin/dz-test-prog"
	chmod +x "$BATS_TEST_TMPDIR/bin/dz-test-prog"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run -0 "$DAEMONIZE" -p "$PF" dz-test-prog "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(procs_with_arg "$MARK")" "$PID"
}

@test "an empty or relative PATH entry is the caller's directory, taken before chdir" {
	cd "$BATS_TEST_TMPDIR"
	mkdir bin
	ln -s "$(command -v sleep)" dz-here
	ln -s "$(command -v sleep)" bin/dz-rel
	PATH=:/usr/bin:/bin run -0 "$DAEMONIZE" -p "$PF" dz-here "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(tr '\0' ' ' <"/proc/$PID/cmdline")" "dz-here $MARK "
	assert_equal "$(readlink "/proc/$PID/cwd")" /
	kill_tracked
	rm -f "$PF"
	PATH=/usr/bin:/bin:bin run -0 "$DAEMONIZE" -p "$PF" dz-rel "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(tr '\0' ' ' <"/proc/$PID/cmdline")" "dz-rel $MARK "
	assert_equal "$(procs_with_arg "$MARK")" "$PID"
}

@test "with PATH unset, the default path is searched, not the current directory" {
	cd "$BATS_TEST_TMPDIR"
	ln -s "$(command -v sleep)" dz-sleep
	run -0 env -u PATH "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_regex "$(readlink "/proc/$PID/exe")" '^(/usr)?/bin/sleep$'
	run --separate-stderr -127 env -u PATH "$DAEMONIZE" dz-sleep "$MARK"
	assert_equal "$stderr" "daemonize: dz-sleep: command not found"
	assert_equal "$(procs_with_arg "$MARK")" "$PID"
}

@test "the daemon cannot acquire a terminal by opening one" {
	# glibc's daemon(3) forks once and leaves a session leader, which
	# gets a controlling terminal from the first tty it opens.
	out=$BATS_TEST_TMPDIR/tty
	run -0 "$DAEMONIZE" -o "$out" python3 -c '
import os, pty, time
m, s = pty.openpty()
fd = os.open(os.ttyname(s), os.O_RDWR)
print(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[4], flush=True)
'
	wait_until 5 file_nonempty "$out"
	assert_equal "$(cat "$out")" 0
}
