#!/bin/bash
# pid-reuse.sh DAEMONIZE PIDFILE TRACE CONTROL-OPTIONS...: run in a PID
# namespace of its own (unshare --pid --fork --mount-proc), where pids
# can be steered.  Starts a daemon, runs the control command under strace
# with its signal held back a second, and meanwhile kills the daemon and
# gives its pid to a new process (ns_last_pid).  Exits 0 when that
# process was left alone, 1 when the signal reached it, 2 when the pid
# could not be reused; the control command's stderr is in TRACE.err.
D=$1 PF=$2 TRACE=$3
shift 3
"$D" -p "$PF" sleep 1000.1 || exit 2
read -r pid <"$PF" || exit 2
# The first kill(2) is a look at the daemon's group, not a signal.
strace -qq -o "$TRACE" -e trace=kill,pidfd_send_signal \
	-e inject=pidfd_send_signal:delay_enter=1000000 \
	-e inject=kill:delay_enter=1000000:when=2+ \
	"$D" "$@" -p "$PF" 2>"$TRACE.err" &
control=$!
for _ in $(seq 500); do
	grep -q SIGTERM "$TRACE" 2>/dev/null && break
	sleep 0.01
done
kill -KILL "$pid"
for _ in $(seq 500); do
	[ -e "/proc/$pid" ] || break
	sleep 0.01
done
echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
sleep 1000.2 &
newcomer=$!
[ "$newcomer" = "$pid" ] || exit 2
wait "$control"
sleep 0.2
kill -0 "$newcomer" 2>/dev/null || exit 1
kill "$newcomer"
