#!/usr/bin/env bats
# --wait: daemonize returns only once the program is ready, and says why
# when it never is (SPEC section 6, Readiness).
# shellcheck disable=SC2154,SC2016 # bats sets $stderr; scripts are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

# elapsed_ms CMD...: run CMD through bats' run, and put its wall time in ELAPSED.
timed_run() {
	local start end
	start=$(date +%s%N)
	run "$@"
	end=$(date +%s%N)
	ELAPSED=$(((end - start) / 1000000))
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A python3 program that sends $1 to NOTIFY_SOCKET after $2 seconds, then
# sleeps under the test's marker.
notify_sender() {
	cat <<PY
import os, socket, sys, time
time.sleep($2)
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"$1", addr)
os.execv("/bin/sleep", ["sleep", "$MARK"])
PY
}

@test "a program that exits 3 fails at once, naming status 3; pidfile gone" {
	timed_run --separate-stderr -125 "$DAEMONIZE" --wait=2 -p "$PF" sh -c 'sleep 0.1; exit 3'
	assert_equal "$stderr" "daemonize: sh exited with status 3 before it was ready"
	assert [ "$ELAPSED" -lt "$(slow 1000)" ]
	assert [ ! -e "$PF" ]
}

@test "a program killed by a real-time signal is told by its name, one without a name by its number" {
	# 62 is RTMAX-2 with glibc and with musl alike.
	run --separate-stderr -125 "$DAEMONIZE" --wait=2 -p "$PF" sh -c 'sleep 0.1; kill -62 $$'
	assert_equal "$stderr" "daemonize: sh was killed by signal RTMAX-2 before it was ready"
	assert [ ! -e "$PF" ]
	# 16, SIGSTKFLT, which kill(1) knows but daemonize does not.
	run --separate-stderr -125 "$DAEMONIZE" --wait=2 -p "$PF" sh -c 'sleep 0.1; kill -16 $$'
	assert_equal "$stderr" "daemonize: sh was killed by signal 16 before it was ready"
	assert [ ! -e "$PF" ]
}

@test "a program killed by SIGSEGV: the message names the signal" {
	run --separate-stderr -125 "$DAEMONIZE" --wait=2 -p "$PF" sh -c 'sleep 0.1; kill -SEGV $$'
	assert_equal "$stderr" "daemonize: sh was killed by signal SEGV before it was ready"
	assert [ ! -e "$PF" ]
}

@test "with no condition, --wait=S means still alive after S seconds" {
	timed_run -0 "$DAEMONIZE" --wait=0.5 -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert [ "$ELAPSED" -ge 500 ]
	pid_alive "$pid"
	# Once the caller is gone, the daemon is init's (or the subreaper's).
	is_ancestor "$(proc_field "$pid" 4)"
}

@test "--notify: READY=1 from the daemon itself" {
	timed_run -0 "$DAEMONIZE" --notify --wait=5 -p "$PF" /usr/bin/python3 -c "$(notify_sender 'READY=1' 0.3)"
	pid=$(read_pidfile "$PF")
	assert [ "$ELAPSED" -ge 300 ]
	assert [ "$ELAPSED" -lt "$(slow 4000)" ]
	# Ready, then its exec.
	wait_until 5 runs_program "$pid" sleep "$MARK"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
	# The socket is only named in the environment; no descriptor leaks.
	assert_equal "$(extra_fds "$pid")" "$PF"
	assert grep -qz '^NOTIFY_SOCKET=@' "/proc/$pid/environ"
}

@test "--notify: STATUS= is shown with -v; ERRNO= before ready is a failure" {
	run --separate-stderr -0 "$DAEMONIZE" -v --notify -p "$PF" /usr/bin/python3 -c "$(notify_sender 'STATUS=warming up\nREADY=1' 0.1)"
	read_pidfile "$PF" >/dev/null
	assert_regex "$stderr" "daemonize: /usr/bin/python3: warming up"
	kill_tracked
	rm -f "$PF"
	run --separate-stderr -125 "$DAEMONIZE" --notify -p "$PF" /usr/bin/python3 -c "$(notify_sender 'ERRNO=2' 0.1)"
	assert_equal "$stderr" "daemonize: /usr/bin/python3 failed before it was ready: No such file or directory"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--notify: STOPPING=1 before READY=1 is a failure at once" {
	timed_run --separate-stderr -125 "$DAEMONIZE" --notify --wait=10 -p "$PF" /usr/bin/python3 -c "$(notify_sender 'STOPPING=1' 0.1)"
	assert_equal "$stderr" "daemonize: /usr/bin/python3 was stopping before it was ready"
	assert [ "$ELAPSED" -lt "$(slow 5000)" ]
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--notify: a notification from another process is ignored" {
	timed_run --separate-stderr -125 "$DAEMONIZE" --notify --wait=1 -p "$PF" \
		sh -c "/usr/bin/python3 -c '$(notify_sender 'READY=1' 0)' & exec sleep $MARK"
	track_marker "$MARK"
	assert_regex "$stderr" "^daemonize: sh was not ready within 1 second; stopped it$"
	assert [ "$ELAPSED" -ge 1000 ]
	assert [ ! -e "$PF" ]
}

@test "--notify with systemd-notify" {
	command -v systemd-notify >/dev/null || skip "systemd-notify is not installed"
	is_root || skip "systemd-notify --pid needs root to speak for another pid"
	run -0 "$DAEMONIZE" --notify --wait=5 -p "$PF" sh -c \
		"sleep 0.2; systemd-notify --pid=\$\$ --ready; exec sleep $MARK"
	pid=$(read_pidfile "$PF")
	wait_until 5 runs_program "$pid" sleep "$MARK"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "--notify-fd 3: a line on descriptor 3 means ready" {
	timed_run -0 "$DAEMONIZE" --notify-fd 3 --wait=5 -p "$PF" sh -c "sleep 0.3; echo >&3; exec 3>&-; exec sleep $MARK"
	pid=$(read_pidfile "$PF")
	assert [ "$ELAPSED" -ge 300 ]
	wait_until 5 runs_program "$pid" sleep "$MARK"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
	# The lock is not lost to the notify descriptor.
	run -1 "$DAEMONIZE" -p "$PF" true
}

@test "--notify-fd: the program holds descriptor N and nothing else extra" {
	run -0 "$DAEMONIZE" --notify-fd 5 -p "$PF" sh -c "echo >&5; exec sleep $MARK"
	pid=$(read_pidfile "$PF")
	assert_regex "$(readlink "/proc/$pid/fd/5")" '^pipe:'
	assert_equal "$(fd_list "$pid" | wc -w)" 5
	assert_regex "$(extra_fds "$pid")" "^$PF pipe:"
	# A number above the lowest free one is still the number given.
	kill_tracked
	rm -f "$PF"
	exec 9>&-
	run -0 "$DAEMONIZE" --notify-fd 9 -p "$PF" sh -c "echo >&9; exec sleep $MARK"
	pid=$(read_pidfile "$PF")
	assert_regex "$(readlink "/proc/$pid/fd/9")" '^pipe:'
	assert_equal "$(fd_list "$pid" | wc -w)" 5
}

@test "--notify-fd: closing it without a line is a failure at once" {
	timed_run --separate-stderr -125 "$DAEMONIZE" --notify-fd 4 --wait=5 -p "$PF" sh -c "exec 4>&-; exec sleep $MARK"
	assert_equal "$stderr" "daemonize: sh closed descriptor 4 without writing a line"
	assert [ "$ELAPSED" -lt "$(slow 3000)" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ ! -e "$PF" ]
}

@test "--notify-fd: a program that dies without a line is said to have died, not to have closed it" {
	# Its exit closes the descriptor a moment before it can be waited
	# for; many runs, so that the moment is met.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		run --separate-stderr -125 "$DAEMONIZE" --notify-fd 3 --wait=5 -p "$PF" sh -c 'exit 3'
		assert_equal "$stderr" "daemonize: sh exited with status 3 before it was ready"
		assert [ ! -e "$PF" ]
	done
}

# A python3 program whose main thread ends (pthread_exit) while another
# closes descriptor 3 and sleeps on under the test's marker: the process
# runs on, its main thread a zombie.
thread_closes_fd3() {
	printf '%s\n' 'import ctypes, os, sys, threading, time' \
		'def closer():' \
		'    time.sleep(0.3)' \
		'    os.close(3)' \
		'    time.sleep(float(sys.argv[1]))' \
		'threading.Thread(target=closer).start()' \
		'ctypes.CDLL(None).pthread_exit(None)' >"$BATS_TEST_TMPDIR/closer.py"
}

@test "--notify-fd closed by a thread after the main thread ended: a close, at once, not an exit" {
	thread_closes_fd3
	timed_run --separate-stderr -125 "$DAEMONIZE" --notify-fd 3 --wait=30 -p "$PF" \
		python3 "$BATS_TEST_TMPDIR/closer.py" "$MARK"
	assert_equal "$stderr" "daemonize: python3 closed descriptor 3 without writing a line"
	assert [ "$ELAPSED" -lt "$(slow 10000)" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ ! -e "$PF" ]
}

@test "--notify-fd in a PID namespace whose /proc is another's: an exit and a close are still told apart" {
	is_root || skip "needs root for a PID namespace"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	thread_closes_fd3
	# Without --mount-proc, /proc numbers processes as the caller's
	# namespace does: daemonize must not read the daemon's pid there.
	for _ in 1 2 3 4 5; do
		run --separate-stderr -125 timeout "$(slow 30)" unshare --pid --fork \
			"$DAEMONIZE" --notify-fd 3 --wait=5 -p "$PF" sh -c 'exit 3'
		assert_equal "$stderr" "daemonize: sh exited with status 3 before it was ready"
	done
	run --separate-stderr -125 timeout "$(slow 30)" unshare --pid --fork \
		"$DAEMONIZE" --notify-fd 3 --wait=30 -p "$PF" \
		python3 "$BATS_TEST_TMPDIR/closer.py" "$MARK"
	assert_equal "$stderr" "daemonize: python3 closed descriptor 3 without writing a line"
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ ! -e "$PF" ]
}

@test "--notify-fd in another namespace's /proc, pidfd_open answering ENOSYS: a close is told at once" {
	is_root || skip "needs root for a PID namespace"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	[ -x "${DENY_SYSCALL:-}" ] || skip "needs the seccomp wrapper (tests/helpers/deny-syscall)"
	thread_closes_fd3
	# Without a pidfd, the process cannot be found in that /proc: a tick
	# after the close decides, and the close is still told, long before
	# --wait runs out.
	timed_run --separate-stderr -125 timeout "$(slow 30)" unshare --pid --fork \
		"$DENY_SYSCALL" pidfd_open "$DAEMONIZE" --notify-fd 3 --wait=30 -p "$PF" \
		python3 "$BATS_TEST_TMPDIR/closer.py" "$MARK"
	assert_equal "$stderr" "daemonize: python3 closed descriptor 3 without writing a line"
	assert [ "$ELAPSED" -lt "$(slow 10000)" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ ! -e "$PF" ]
}

# ready_then_dies END: a program that writes its --notify-fd line and then
# ends with the shell command END, while the caller is stopped, so that
# the caller sees both at once whatever the scheduler does.  Asserts 125
# and no pidfile; the caller's stderr is left in $BATS_TEST_TMPDIR/err.
ready_then_dies() {
	local flag=$BATS_TEST_TMPDIR/go dz pid rc=0
	rm -f "$flag"
	"$DAEMONIZE" --notify-fd 3 --wait=20 -p "$PF" sh -c '
		n=0
		while [ ! -e "$1" ] && [ $n -lt 1000 ]; do sleep 0.02; n=$((n + 1)); done
		echo >&3; '"$1" sh "$flag" 2>"$BATS_TEST_TMPDIR/err" &
	dz=$!
	track_pid "$dz"
	pid=$(read_pidfile "$PF")
	kill -STOP "$dz"
	touch "$flag"
	wait_until 5 pid_gone "$pid"
	kill -CONT "$dz"
	wait "$dz" || rc=$?
	assert_equal "$rc" 125
	assert [ ! -e "$PF" ]
}

@test "a program ready and then dead before the caller looked: a failure, said as such" {
	ready_then_dies 'exit 4'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "daemonize: sh exited with status 4 right after it was ready"
	ready_then_dies 'kill -SEGV $$'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "daemonize: sh was killed by signal SEGV right after it was ready"
}

@test "--notify-fd: the line, then the descriptor closed, while another condition still waits: ready" {
	local flag=$BATS_TEST_TMPDIR/flag
	run -0 "$DAEMONIZE" --notify-fd 3 --wait-for "path:$flag" --wait=10 -p "$PF" \
		sh -c 'echo ready >&3; exec 3>&-; sleep 0.3; touch "$1"; exec sleep "$2"' sh "$flag" "$MARK"
	PID=$(read_pidfile "$PF")
	track_marker "$MARK"
	assert [ -e "$flag" ]
	run -0 timeout 20 "$DAEMONIZE" --stop -p "$PF"
}

@test "--wait-for tcp: returns only once a connect works" {
	port=$(free_port)
	run -0 "$DAEMONIZE" --wait=10 -p "$PF" --wait-for "tcp:127.0.0.1:$port" \
		/usr/bin/python3 -c "import time, os; time.sleep(0.5); os.execv('/usr/bin/python3', ['python3', '-m', 'http.server', '-b', '127.0.0.1', '$port'])"
	pid=$(read_pidfile "$PF")
	# Immediately after return, the server answers.
	run -0 python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' "http://127.0.0.1:$port/"
}

@test "--wait-for tcp:[::1]:PORT: an IPv6 address in brackets" {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback here"
	port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])')
	run -0 "$DAEMONIZE" --wait=10 -p "$PF" --wait-for "tcp:[::1]:$port" \
		/usr/bin/python3 -c "import time, os; time.sleep(0.3); os.execv('/usr/bin/python3', ['python3', '-m', 'http.server', '-b', '::1', '$port'])"
	read_pidfile "$PF" >/dev/null
	run -0 python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' "http://[::1]:$port/"
}

@test "--wait-for tcp: a port that does not resolve is an error at once, nothing started" {
	timed_run --separate-stderr -125 "$DAEMONIZE" --wait=5 -p "$PF" --wait-for tcp:127.0.0.1:dz-no-such-service sleep "$MARK"
	assert_regex "$stderr" "^daemonize: --wait-for tcp:127.0.0.1:dz-no-such-service: [^:]+$"
	assert [ "$ELAPSED" -lt "$(slow 2000)" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ ! -e "$PF" ]
}

@test "--wait-for tcp: the name is looked up once, not at every check" {
	command -v strace >/dev/null || skip "strace is not installed"
	port=$(free_port)
	# localhost comes from /etc/hosts: each lookup opens it.  LeakSanitizer
	# cannot work under ptrace: no leak check for this run.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run --separate-stderr -125 strace -f -qq -e trace=open,openat -o "$BATS_TEST_TMPDIR/trace" \
		"$DAEMONIZE_BINARY" --wait=1 -p "$PF" --wait-for "tcp:localhost:$port" sleep "$MARK"
	assert_equal "$stderr" "daemonize: sleep was not ready within 1 second; stopped it"
	assert_equal "$(grep -c '"/etc/hosts"' "$BATS_TEST_TMPDIR/trace")" 1
}

@test "--wait-for path: waits for the file; all conditions must hold" {
	port=$(free_port)
	f=$BATS_TEST_TMPDIR/ready-file
	timed_run -0 "$DAEMONIZE" --wait=10 -p "$PF" --wait-for "path:$f" --wait-for "tcp:localhost:$port" \
		sh -c "sleep 0.3; touch '$f'; sleep 0.3; exec /usr/bin/python3 -m http.server -b 127.0.0.1 $port"
	read_pidfile "$PF" >/dev/null
	assert [ -e "$f" ]
	assert [ "$ELAPSED" -ge 600 ]
	run -0 python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' "http://127.0.0.1:$port/"
}

@test "timeout: a program never ready is stopped after about the timeout" {
	timed_run --separate-stderr -125 "$DAEMONIZE" --wait=1 -p "$PF" --wait-for "path:$BATS_TEST_TMPDIR/never" sleep "$MARK"
	assert_equal "$stderr" "daemonize: sleep was not ready within 1 second; stopped it"
	assert [ "$ELAPSED" -ge 1000 ]
	assert [ "$ELAPSED" -lt "$(slow 3000)" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ ! -e "$PF" ]
}

@test "timeout: a program that ignores TERM is killed" {
	timed_run -125 "$DAEMONIZE" --wait=0.5 -p "$PF" --notify sh -c "trap '' TERM; exec sleep $MARK"
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert [ "$ELAPSED" -lt "$(slow 8000)" ]
}

@test "bad --wait values are usage errors" {
	run --separate-stderr -2 "$DAEMONIZE" --wait=abc true
	assert_equal "$stderr" "daemonize: --wait abc: expected seconds, more than 0 and at most 86400"
	run -2 "$DAEMONIZE" --wait=0 true
	run --separate-stderr -2 "$DAEMONIZE" --wait-for bogus true
	assert_equal "$stderr" "daemonize: --wait-for bogus: expected tcp:HOST:PORT or path:FILE"
	run -2 "$DAEMONIZE" --wait-for tcp:host true
	run -2 "$DAEMONIZE" --notify-fd 2 true
	run -2 "$DAEMONIZE" --wait -f true
	run --separate-stderr -2 "$DAEMONIZE" --wait=86401 true
	assert_equal "$stderr" "daemonize: --wait 86401: expected seconds, more than 0 and at most 86400"
	run --separate-stderr -2 "$DAEMONIZE" --wait=1.5s true
	assert_equal "$stderr" "daemonize: --wait 1.5s: expected seconds, more than 0 and at most 86400"
	# A fraction past the day is past it too.
	run --separate-stderr -2 "$DAEMONIZE" --wait=86400.5 true
	assert_equal "$stderr" "daemonize: --wait 86400.5: expected seconds, more than 0 and at most 86400"
	run --separate-stderr -2 "$DAEMONIZE" -r --restart-delay=86400.001 true
	assert_equal "$stderr" "daemonize: --restart-delay 86400.001: expected seconds, at most 86400"
	run --separate-stderr -2 "$DAEMONIZE" --notify-fd 5 --keep-fd 5 true
	assert_equal "$stderr" "daemonize: --notify-fd 5: also given to --keep-fd"
}

# in_caller_state PYTHON-STATEMENTS CMD...: run CMD from a python3 that
# first changes its own signal state, which CMD inherits.
in_caller_state() {
	local state=$1
	shift
	python3 -c "
import os, signal, sys
$state
os.execv(sys.argv[1], sys.argv[1:])" "$@"
}

@test "a caller that ignores SIGCHLD: --wait still sees the program die, and how" {
	run --separate-stderr -125 in_caller_state \
		'signal.signal(signal.SIGCHLD, signal.SIG_IGN)' \
		"$DAEMONIZE" --wait=2 -p "$PF" sh -c 'exit 3'
	assert_equal "$stderr" "daemonize: sh exited with status 3 before it was ready"
	assert [ ! -e "$PF" ]
	# With a condition, too: no timeout, no TERM to a pid not ours.
	timed_run --separate-stderr -125 in_caller_state \
		'signal.signal(signal.SIGCHLD, signal.SIG_IGN)' \
		"$DAEMONIZE" --wait=10 -p "$PF" --wait-for "path:$BATS_TEST_TMPDIR/never" \
		sh -c 'exit 4'
	assert_equal "$stderr" "daemonize: sh exited with status 4 before it was ready"
	# Well before --wait's 10 s, with room for python3 and a loaded machine.
	assert [ "$ELAPSED" -lt "$(slow 6000)" ]
	assert [ ! -e "$PF" ]
}

@test "a caller that blocks every signal: --wait still sees the program die" {
	run --separate-stderr -125 in_caller_state \
		'signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())' \
		"$DAEMONIZE" --wait=2 -p "$PF" sh -c 'exit 3'
	assert_equal "$stderr" "daemonize: sh exited with status 3 before it was ready"
	assert [ ! -e "$PF" ]
	# And a program that lives is handed no blocked signal.
	run -0 in_caller_state \
		'signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())' \
		"$DAEMONIZE" --wait=0.3 -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(status_field "$PID" SigBlk)" 0000000000000000
}

none_left() {
	[ -z "$(procs_with_arg "$MARK")" ]
}

@test "a failed --wait stops what the program started too: nothing holds the lock" {
	# Timed out: the program and the helper it started in the background.
	run --separate-stderr -125 "$DAEMONIZE" --wait=0.5 -p "$PF" \
		--wait-for "path:$BATS_TEST_TMPDIR/never" sh -c "sleep $MARK & exec sleep $MARK"
	track_marker "$MARK"
	assert_equal "$stderr" "daemonize: sh was not ready within 0.500 seconds; stopped it"
	wait_until 5 none_left
	assert [ ! -e "$PF" ]
	# Died before it was ready, its helper still running.
	run --separate-stderr -125 "$DAEMONIZE" --wait=5 -p "$PF" \
		--wait-for "path:$BATS_TEST_TMPDIR/never" sh -c "sleep $MARK & sleep 0.2; exit 3"
	track_marker "$MARK"
	assert_equal "$stderr" "daemonize: sh exited with status 3 before it was ready"
	wait_until 5 none_left
	# Closed its --notify-fd without a word.
	run --separate-stderr -125 "$DAEMONIZE" --notify-fd 5 -p "$PF" \
		sh -c "sleep $MARK 5>&- & exec 5>&-; exec sleep $MARK"
	track_marker "$MARK"
	assert_equal "$stderr" "daemonize: sh closed descriptor 5 without writing a line"
	wait_until 5 none_left
	# Nothing holds the lock: the next start is not refused.
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	read_pidfile "$PF" >/dev/null
}
