#!/usr/bin/env bats
# Readiness relayed to a service manager (SPEC section 9): in the
# foreground under a manager's NOTIFY_SOCKET, daemonize sends READY=1 and
# MAINPID= once the program is ready by --wait-for, --notify or
# --notify-fd, and STOPPING=1 when it is asked to stop.  The manager here
# is a small receiver on a socket of the test's own.
# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # bats sets $output, $stderr; scripts are single-quoted; each test is a subshell

load helpers/common

setup() {
	SOCK=$BATS_TEST_TMPDIR/notify
	MSGS=$BATS_TEST_TMPDIR/messages
	MARK=$(unique_marker)
	start_manager
}

# start_manager: a datagram socket at $SOCK; each message it receives
# becomes one line of $MSGS, its newlines turned to spaces.
start_manager() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", " ").strip() + "\n")
' "$SOCK" "$MSGS" &
	track_pid $!
	wait_until 5 test -S "$SOCK"
	: >>"$MSGS"
}

# has_message TEXT: the manager received TEXT.
has_message() {
	grep -qxF -- "$1" "$MSGS"
}

# relayed ARGS...: daemonize in the foreground under the manager, in the
# background of this test; sets DZ.
relayed() {
	NOTIFY_SOCKET=$SOCK "$DAEMONIZE" -f "$@" &
	DZ=$!
	track_pid "$DZ"
}

# dz_exited STATUS: daemonize ends, with STATUS.
dz_exited() {
	local rc=0
	wait_until 10 pid_gone "$DZ"
	wait "$DZ" || rc=$?
	assert_equal "$rc" "$1"
}

# A server that starts listening on $PORT after half a second.
late_server() {
	printf '%s\n' 'import socket, sys, time' \
		'time.sleep(0.5)' \
		'open(sys.argv[2], "w").close()' \
		's = socket.socket()' \
		's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)' \
		's.bind(("127.0.0.1", int(sys.argv[1])))' \
		's.listen(5)' \
		'time.sleep(1000)' >"$BATS_TEST_TMPDIR/server.py"
}

# free_port: a TCP port nothing listens on now.
free_port() {
	python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

@test "--wait-for tcp: READY=1 with daemonize's pid once the port accepts, not before; STOPPING=1 on TERM, exit 0" {
	local port
	port=$(free_port)
	late_server
	relayed --wait-for "tcp:127.0.0.1:$port" python3 "$BATS_TEST_TMPDIR/server.py" \
		"$port" "$BATS_TEST_TMPDIR/listening"
	wait_until 10 has_message "READY=1 MAINPID=$DZ"
	# Not before the server listened.
	assert [ -e "$BATS_TEST_TMPDIR/listening" ]
	assert_equal "$(wc -l <"$MSGS")" 1
	kill -TERM "$DZ"
	wait_until 10 has_message "STOPPING=1"
	dz_exited 0
	assert_equal "$(cat "$MSGS")" "READY=1 MAINPID=$DZ
STOPPING=1"
}

@test "--notify: the program's READY=1 to daemonize's own socket is relayed, the manager's socket kept from it" {
	relayed --notify python3 -c '
import os, socket, sys, time
open(sys.argv[1], "w").write(os.environ.get("NOTIFY_SOCKET", ""))
time.sleep(0.3)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
addr = os.environ["NOTIFY_SOCKET"]
s.sendto(b"READY=1", "\0" + addr[1:] if addr.startswith("@") else addr)
time.sleep(1000)' "$BATS_TEST_TMPDIR/seen"
	wait_until 10 has_message "READY=1 MAINPID=$DZ"
	run -0 cat "$BATS_TEST_TMPDIR/seen"
	assert_output --regexp '^@'
	refute_output "$SOCK"
	kill -TERM "$DZ"
	dz_exited 0
}

@test "--notify-fd: a line on the descriptor is relayed" {
	relayed --notify-fd 3 sh -c 'sleep 0.3; echo ready >&3; exec sleep "$1"' sh "$MARK"
	wait_until 10 has_message "READY=1 MAINPID=$DZ"
	track_marker "$MARK"
	kill -TERM "$DZ"
	dz_exited 0
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--notify-fd closed without a line: at once, not at --wait's end: STOPPING=1, exit 125, and why" {
	relayed --wait=60 --notify-fd 3 sh -c 'exec 3>&-; exec sleep "$1"' sh "$MARK" \
		2>"$BATS_TEST_TMPDIR/err"
	dz_exited 125
	assert has_message "STOPPING=1"
	run -1 grep READY "$MSGS"
	assert_equal "$(procs_with_arg "$MARK")" ""
	run -0 grep -c "^daemonize: sh closed descriptor 3 without writing a line; stopping it\$" \
		"$BATS_TEST_TMPDIR/err"
	assert_output 1
}

@test "--notify-fd: a program that dies before its line is no give-up: its status, or with -r a restart whose line is relayed" {
	relayed --notify-fd 3 sh -c 'sleep 0.2; exit 3'
	dz_exited 3
	run -1 grep READY "$MSGS"
	local once=$BATS_TEST_TMPDIR/once
	relayed -r --restart-delay 0.1 --notify-fd 3 sh -c '
		if [ ! -e "$1" ]; then touch "$1"; exit 1; fi
		echo ready >&3; exec sleep "$2"' sh "$once" "$MARK"
	wait_until 10 has_message "READY=1 MAINPID=$DZ"
	track_marker "$MARK"
	kill -TERM "$DZ"
	dz_exited 0
	assert_equal "$(grep -c READY "$MSGS")" 1
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--notify-fd: a program that exits without its line has exited, it did not close it" {
	# Its exit closes the descriptor a moment before it can be waited
	# for; many runs, so that the moment is met.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		relayed --notify-fd 3 sh -c 'exit 3' 2>"$BATS_TEST_TMPDIR/err"
		dz_exited 3
		run -1 grep -e closed -e STOPPING "$BATS_TEST_TMPDIR/err" "$MSGS"
	done
}

@test "--notify-fd N with free numbers below N: each restarted child has N" {
	# The caller's 3 to 6, closed by the supervisor, leave room below 7
	# for the pipes it makes for each child: none may land on 7.
	local once=$BATS_TEST_TMPDIR/once
	relayed -r --restart-delay 0.1 --notify-fd 7 sh -c '
		if [ ! -e "$1" ]; then touch "$1"; exit 1; fi
		echo ready >&7; exec sleep "$2"' sh "$once" "$MARK" \
		3</dev/null 4</dev/null 5</dev/null 6</dev/null
	wait_until 10 has_message "READY=1 MAINPID=$DZ"
	track_marker "$MARK"
	kill -TERM "$DZ"
	dz_exited 0
}

@test "--notify-fd N with free numbers below N: an exec failure is told as such" {
	skip_under_valgrind "a failed execve kills valgrind itself"
	printf '#!%s\n' "$BATS_TEST_TMPDIR/no-such-interpreter" >"$BATS_TEST_TMPDIR/bad"
	chmod +x "$BATS_TEST_TMPDIR/bad"
	relayed --notify-fd 7 "$BATS_TEST_TMPDIR/bad" 2>"$BATS_TEST_TMPDIR/err" \
		3</dev/null 4</dev/null 5</dev/null 6</dev/null
	dz_exited 126
	run -0 grep -c "bad interpreter" "$BATS_TEST_TMPDIR/err"
}

@test "--wait-for path, with -r: READY=1 once, the supervisor as the main pid across restarts" {
	local flag=$BATS_TEST_TMPDIR/flag cpf=$BATS_TEST_TMPDIR/child.pid
	relayed -r --child-pidfile "$cpf" --restart-delay 0.1 --wait-for "path:$flag" \
		sh -c 'sleep 0.3; touch "$1"; exec sleep "$2"' sh "$flag" "$MARK"
	wait_until 10 has_message "READY=1 MAINPID=$DZ"
	child=$(read_pidfile "$cpf")
	kill "$child"
	wait_until 5 new_child "$cpf" "$child"
	read_pidfile "$cpf" >/dev/null
	kill -TERM "$DZ"
	wait_until 10 has_message "STOPPING=1"
	assert_equal "$(grep -c READY "$MSGS")" 1
	dz_exited 0
}

@test "not ready within --wait: STOPPING=1, the program stopped, exit 125" {
	relayed --wait=0.5 --wait-for "path:$BATS_TEST_TMPDIR/never" sleep "$MARK"
	dz_exited 125
	assert has_message "STOPPING=1"
	run -1 grep READY "$MSGS"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--notify: ERRNO= before READY=1 fails at once: STOPPING=1, exit 125, the program stopped" {
	relayed --wait=20 --notify python3 -c '
import os, socket, time
addr = os.environ["NOTIFY_SOCKET"]
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"ERRNO=5", "\0" + addr[1:])
time.sleep(1000)' "$MARK"
	dz_exited 125
	assert has_message "STOPPING=1"
	run -1 grep READY "$MSGS"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "the program dies before it is ready: no READY=1, its status is daemonize's" {
	relayed --wait-for "path:$BATS_TEST_TMPDIR/never" sh -c 'sleep 0.2; exit 3'
	dz_exited 3
	run -1 grep READY "$MSGS"
}

@test "without a manager, or without a condition, --wait in the foreground is a usage error" {
	run --separate-stderr -2 env -u NOTIFY_SOCKET "$DAEMONIZE" -f --wait-for "path:$BATS_TEST_TMPDIR/x" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --wait: in the foreground, only with --notify, --notify-fd or --wait-for under a service manager (NOTIFY_SOCKET)"
	run --separate-stderr -2 env NOTIFY_SOCKET="$SOCK" "$DAEMONIZE" -f --wait=1 sleep "$MARK"
	assert_equal "$stderr" "daemonize: --wait: in the foreground, only with --notify, --notify-fd or --wait-for under a service manager (NOTIFY_SOCKET)"
	run --separate-stderr -125 env NOTIFY_SOCKET=vsock:2:1234 "$DAEMONIZE" -f --wait-for "path:$BATS_TEST_TMPDIR/x" sleep "$MARK"
	assert_equal "$stderr" "daemonize: NOTIFY_SOCKET=vsock:2:1234: not a unix socket address"
	assert_equal "$(procs_with_arg "$MARK")" ""
	assert_equal "$(wc -l <"$MSGS")" 0
}

@test "a plain -f under a manager without a condition still runs the program in place" {
	NOTIFY_SOCKET=$SOCK "$DAEMONIZE" -f sleep "$MARK" &
	DZ=$!
	track_pid "$DZ"
	wait_until 5 prints "$DZ" procs_with_arg "$MARK"
	assert_equal "$(wc -l <"$MSGS")" 0
}

@test "a manager's socket no one reads from: the program was ready, the manager could not be told: 125, and that" {
	# A socket bound, then left: the name stays, a send is refused.
	local gone=$BATS_TEST_TMPDIR/gone
	python3 -c '
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$gone"
	NOTIFY_SOCKET=$gone "$DAEMONIZE" -f --wait=1 --notify-fd 3 \
		sh -c 'echo ready >&3; exec sleep "$1"' sh "$MARK" 2>"$BATS_TEST_TMPDIR/err" &
	DZ=$!
	track_pid "$DZ"
	dz_exited 125
	run -0 cat "$BATS_TEST_TMPDIR/err"
	assert_line "daemonize: sh was ready, but the service manager could not be told within 1.000 s: Connection refused; stopping it"
	refute_line --partial "was not ready"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "a manager whose queue is full: READY=1 is sent again until it fits, and no error is said" {
	# A manager that lets its queue fill (net.unix.max_dgram_qlen), then
	# reads only once told to go.
	local full=$BATS_TEST_TMPDIR/full
	python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    while True:
        c.sendto(b"filler", socket.MSG_DONTWAIT, sys.argv[1])
except BlockingIOError:
    pass
open(sys.argv[3], "w").close()
while not os.path.exists(sys.argv[4]):
    time.sleep(0.02)
out = open(sys.argv[2], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", " ").strip() + "\n")
' "$full" "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/filled" "$BATS_TEST_TMPDIR/go" &
	track_pid $!
	wait_until 5 test -e "$BATS_TEST_TMPDIR/filled"
	NOTIFY_SOCKET=$full "$DAEMONIZE" -f --wait=10 --notify-fd 3 \
		sh -c 'echo ready >&3; exec sleep "$1"' sh "$MARK" 2>"$BATS_TEST_TMPDIR/err" &
	DZ=$!
	track_pid "$DZ"
	# It has met the full queue a few times by now.
	pause 0.3
	touch "$BATS_TEST_TMPDIR/go"
	wait_until 10 grep -qxF "READY=1 MAINPID=$DZ" "$BATS_TEST_TMPDIR/got"
	run -0 cat "$BATS_TEST_TMPDIR/err"
	assert_output ""
	kill -TERM "$DZ"
	dz_exited 0
}

@test "-r: a first child ready that the manager could not hear, a second never ready: said as not ready" {
	local gone=$BATS_TEST_TMPDIR/gone
	python3 -c '
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$gone"
	# The first child says it is ready and exits; the next never does.
	NOTIFY_SOCKET=$gone "$DAEMONIZE" -f -r --restart-delay 0.1 --wait=2 --notify-fd 3 \
		sh -c 'if [ ! -e "$1" ]; then : >"$1"; echo ready >&3; exit 1; fi; exec sleep "$2"' \
		sh "$BATS_TEST_TMPDIR/once" "$MARK" 2>"$BATS_TEST_TMPDIR/err" &
	DZ=$!
	track_pid "$DZ"
	dz_exited 125
	run -0 cat "$BATS_TEST_TMPDIR/err"
	assert_line "daemonize: sh was not ready within 2.000 s; stopping it"
	refute_line --partial "was ready, but"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

