#!/usr/bin/env bats
# The init-script story (SPEC section 6, Control): contrib/daemonize-initd
# drives real servers from Debian's packages, memcached and redis, through
# start, status, restart and stop, on 127.0.0.1 only.
# shellcheck disable=SC2154 # bats sets $output and $status

load helpers/common

INITD=$BATS_TEST_DIRNAME/../contrib/daemonize-initd

setup() {
	is_root || skip "needs root (the servers run as their own users)"
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export DAEMONIZE PIDFILE=$BATS_TEST_TMPDIR/server.pid
	export DAEMONIZE_OPTS="" STOP_TIMEOUT=5
	chmod 755 "$BATS_TEST_TMPDIR"
}

teardown() {
	if [ -n "${PIDFILE:-}" ] && [ -e "$PIDFILE" ]; then
		"$DAEMONIZE" --stop --kill --stop-timeout 2 -p "$PIDFILE" || true
	fi
	kill_tracked
	rm -f "/tmp/dz-test-$PORT.rdb"
}

use_memcached() {
	command -v memcached >/dev/null || skip "memcached is not installed"
	export NAME=memcached-test DAEMON=/usr/bin/memcached DAEMON_USER=memcache
	export DAEMON_ARGS="-l 127.0.0.1 -p $PORT -U 0"
	SERVER_USER=memcache
	SERVER_CWD=/
}

use_redis() {
	command -v redis-server >/dev/null || skip "redis-server is not installed"
	command -v redis-cli >/dev/null || skip "redis-cli is not installed"
	export NAME=redis-test DAEMON=/usr/bin/redis-server DAEMON_USER=redis
	export DAEMON_ARGS="--port $PORT --bind 127.0.0.1 --daemonize no --dir /tmp --dbfilename dz-test-$PORT.rdb"
	SERVER_USER=redis
	# redis changes to its --dir itself.
	SERVER_CWD=/tmp
}

# Does the server on PORT answer, as the given pid?
answers() {
	case $NAME in
	memcached-test)
		python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.sendall(b"stats\r\n")
data = b""
while not data.endswith(b"END\r\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.exit(0 if ("STAT pid %s\r\n" % sys.argv[2]).encode() in data else 1)
PY
		;;
	redis-test)
		[ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ] &&
			[ "$(redis-cli -h 127.0.0.1 -p "$PORT" info server 2>/dev/null |
				tr -d '\r' | sed -n 's/^process_id://p')" = "$1" ]
		;;
	esac
}

port_closed() {
	! python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)' "$PORT" 2>/dev/null
}

# The pids of $DAEMON processes serving $PORT (redis rewrites its
# command line, so the port is looked for anywhere in it).
# (-ef, not readlink: no fork for each process of the machine.)
servers_running() {
	local f p
	for f in /proc/[0-9]*/exe; do
		p=${f#/proc/}
		p=${p%/exe}
		[ "$f" -ef "$DAEMON" ] || continue
		pid_alive "$p" || continue
		if tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$PORT"; then
			echo "$p"
		fi
	done
}

start_ok() {
	run -0 "$INITD" start
	assert_output --regexp "^Started $NAME \\(pid [0-9]+\\)\\.$"
	PID=$(read_pidfile "$PIDFILE")
	wait_until 10 answers "$PID"
}

# The server is a proper daemon (SPEC section 2) running as its user.
proper_daemon() {
	is_ancestor "$(proc_field "$1" 4)"
	assert [ "$(proc_field "$1" 6)" != "$1" ]
	assert_equal "$(proc_field "$1" 7)" 0
	assert_equal "$(readlink "/proc/$1/cwd")" "$SERVER_CWD"
	assert_equal "$(readlink "/proc/$1/fd/0")" /dev/null
	assert_equal "$(status_field "$1" Uid | cut -d' ' -f1)" "$(id -u "$SERVER_USER")"
}

init_cycle() {
	start_ok
	run -0 "$INITD" status
	assert_output "$NAME is running (pid $PID)."
	run -0 "$DAEMONIZE" --status -p "$PIDFILE"
	assert_output "$PID"
	proper_daemon "$PID"

	# Start again: already running, still one server.
	run -0 "$INITD" start
	assert_line "$NAME is already running."
	assert_equal "$(servers_running)" "$PID"

	# Restart: a new pid that answers.
	run -0 "$INITD" restart
	new=$(read_pidfile "$PIDFILE")
	assert [ "$new" != "$PID" ]
	pid_gone "$PID"
	wait_until 10 answers "$new"
	PID=$new

	# Reload and force-reload: HUP to the server, which stays (both
	# servers reload on HUP).
	run -0 "$INITD" reload
	assert_output "Reloaded $NAME."
	run -0 "$INITD" force-reload
	assert_output "Reloaded $NAME."
	assert_equal "$(read_pidfile "$PIDFILE")" "$PID"
	wait_until 10 answers "$PID"

	# Try-restart of a running server: a new pid.
	run -0 "$INITD" try-restart
	assert_line --index 0 "Stopped $NAME."
	new=$(read_pidfile "$PIDFILE")
	assert [ "$new" != "$PID" ]
	wait_until 10 answers "$new"
	PID=$new

	# Without a reload signal: reload is unimplemented (3), force-reload
	# restarts.
	RELOAD_SIGNAL='' run --separate-stderr -3 "$INITD" reload
	assert_equal "$stderr" "$NAME cannot reload: RELOAD_SIGNAL is empty."
	RELOAD_SIGNAL='' run -0 "$INITD" force-reload
	new=$(read_pidfile "$PIDFILE")
	assert [ "$new" != "$PID" ]
	wait_until 10 answers "$new"
	PID=$new

	# kill -9: status 1; start works again.
	kill -KILL "$PID"
	wait_until 5 pid_gone "$PID"
	run -1 "$INITD" status
	assert_output "$NAME is not running, but $PIDFILE remains."
	start_ok

	# Stop: the port closes, status 3, the pidfile is gone.
	run -0 "$INITD" stop
	assert_output "Stopped $NAME."
	wait_until 5 port_closed
	pid_gone "$PID"
	run -3 "$INITD" status
	assert_output "$NAME is not running."
	assert [ ! -e "$PIDFILE" ]
	assert_equal "$(servers_running)" ""

	# Nothing runs: stop says so, try-restart starts nothing, reload is 7.
	run -0 "$INITD" stop
	assert_output "$NAME is not running."
	run -0 "$INITD" try-restart
	assert_output "$NAME is not running."
	assert [ ! -e "$PIDFILE" ]
	run -7 "$INITD" reload
	assert_output "$NAME is not running."
	assert_equal "$(servers_running)" ""
}

edited_pidfile() {
	sleep 300 &
	other=$!
	track_pid "$other"
	echo "$other" >"$PIDFILE"
	run "$INITD" status
	assert [ "$status" -eq 1 ] || [ "$status" -eq 3 ]
	run -0 "$INITD" stop
	pid_alive "$other"
	# And with the server running, an edited pidfile still steers nothing.
	rm -f "$PIDFILE"
	start_ok
	echo "$other" >"$PIDFILE"
	run "$DAEMONIZE" --signal=TERM -p "$PIDFILE"
	assert_failure
	run "$DAEMONIZE" --stop -p "$PIDFILE" --stop-timeout 1
	assert_failure
	pid_alive "$other"
	pid_alive "$PID"
	echo "$PID" >"$PIDFILE"
}

respawn_cycle() {
	export DAEMONIZE_OPTS="--respawn --restart-delay 0.2 --child-pidfile $BATS_TEST_TMPDIR/child.pid"
	run -0 "$INITD" start
	SUP=$(read_pidfile "$PIDFILE")
	child=$(read_pidfile "$BATS_TEST_TMPDIR/child.pid")
	wait_until 10 answers "$child"
	assert_equal "$(proc_field "$child" 4)" "$SUP"
	run -0 "$INITD" status
	assert_output "$NAME is running (pid $SUP)."
	# kill -9 of the server alone: it comes back.
	kill -KILL "$child"
	child_changed() {
		[ "$(cat "$BATS_TEST_TMPDIR/child.pid")" != "$child" ]
	}
	wait_until 10 child_changed
	new=$(read_pidfile "$BATS_TEST_TMPDIR/child.pid")
	wait_until 10 answers "$new"
	# Stop ends the supervisor and the server.
	run -0 "$INITD" stop
	wait_until 5 pid_gone "$SUP"
	wait_until 5 pid_gone "$new"
	wait_until 5 port_closed
	assert [ ! -e "$PIDFILE" ]
	assert [ ! -e "$BATS_TEST_TMPDIR/child.pid" ]
}

@test "memcached: start, status, start again, restart, reload, try-restart, kill -9, stop" {
	use_memcached
	init_cycle
}

@test "memcached: an edited pidfile never makes stop signal another process" {
	use_memcached
	edited_pidfile
}

@test "memcached: the same cycle under --respawn" {
	use_memcached
	respawn_cycle
}

@test "redis: start, status, start again, restart, reload, try-restart, kill -9, stop" {
	use_redis
	init_cycle
}

@test "redis: an edited pidfile never makes stop signal another process" {
	use_redis
	edited_pidfile
}

@test "redis: the same cycle under --respawn" {
	use_redis
	respawn_cycle
}

@test "usage: an unknown action is refused" {
	run -2 "$INITD" frobnicate
	assert_output --partial "usage:"
}
