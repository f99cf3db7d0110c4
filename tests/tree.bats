#!/usr/bin/env bats
# The whole process tree (SPEC section 9): the daemon is what holds its
# lock, with the process group daemonize made for it.  --stop ends all of
# it, --signal reaches the main pid or the whole daemon, --status and a
# refused start name a live process; the supervisor ends what each child
# leaves; -f -r and --init run as a container's first process.
# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # bats sets $output, $stderr; scripts are single-quoted; each test is a subshell

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

# no_marked: nothing carrying $MARK runs any more.
no_marked() {
	[ -z "$(procs_with_arg "$MARK")" ]
}

# marked_count: how many processes carry $MARK.
marked_count() {
	procs_with_arg "$MARK" | wc -l
}

# marked N: exactly N processes carry $MARK.
marked() {
	[ "$(marked_count)" -eq "$1" ]
}

# after_main_exits: the main pid (from $PF) has exited and one helper
# carrying $MARK is left; sets PID and HELPER.
after_main_exits() {
	PID=$(read_pidfile "$PF")
	wait_until 5 pid_gone "$PID"
	wait_until 5 marked 1
	track_marker "$MARK"
	HELPER=$(procs_with_arg "$MARK")
}

# A program that starts a helper and waits for it: sh, then sleep $MARK.
start_with_helper() {
	run -0 "$DAEMONIZE" -p "$PF" -E M="$MARK" sh -c 'sleep "$M" & wait'
	PID=$(read_pidfile "$PF")
	wait_until 5 marked 1
	track_marker "$MARK"
	HELPER=$(procs_with_arg "$MARK")
}

@test "a script with a helper: --stop ends both, frees the lock, and it starts again" {
	start_with_helper
	run --separate-stderr -0 timeout 20 "$DAEMONIZE" --stop --stop-timeout 5 -p "$PF"
	assert_equal "$stderr" ""
	assert pid_gone "$PID"
	assert pid_gone "$HELPER"
	assert [ ! -e "$PF" ]
	start_with_helper
	run -0 timeout 20 "$DAEMONIZE" --stop -p "$PF"
	assert no_marked
}

@test "a helper that ignores TERM: --stop says who is left, --kill ends it" {
	run -0 "$DAEMONIZE" -p "$PF" -E M="$MARK" sh -c \
		'sh -c "trap \"\" TERM; exec sleep \$M" & wait'
	PID=$(read_pidfile "$PF")
	wait_until 5 marked 1
	track_marker "$MARK"
	HELPER=$(procs_with_arg "$MARK")
	run --separate-stderr -1 timeout 20 "$DAEMONIZE" --stop --stop-timeout 0.5 -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: still running after TERM: pid $HELPER holds the lock"
	assert pid_alive "$HELPER"
	run --separate-stderr -0 timeout 20 "$DAEMONIZE" --stop --kill --stop-timeout 0.5 -p "$PF"
	assert_equal "$stderr" ""
	assert pid_gone "$HELPER"
	assert [ ! -e "$PF" ]
}

@test "a helper that left the group with setsid but holds the lock: --kill ends it too" {
	run -0 "$DAEMONIZE" -p "$PF" -E M="$MARK" sh -c 'setsid sleep "$M" & wait'
	PID=$(read_pidfile "$PF")
	wait_until 5 marked 1
	track_marker "$MARK"
	HELPER=$(procs_with_arg "$MARK")
	# setsid(1) carries $MARK before it calls setsid().
	wait_until 5 runs_program "$HELPER" sleep "$MARK"
	# It really left: a session, and so a group, of its own.
	assert_equal "$(proc_field "$HELPER" 6)" "$HELPER"
	run --separate-stderr -1 timeout 20 "$DAEMONIZE" --stop --stop-timeout 0.5 -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: still running after TERM: pid $HELPER holds the lock"
	assert pid_gone "$PID"
	run --separate-stderr -0 timeout 20 "$DAEMONIZE" --stop --kill --stop-timeout 0.5 -p "$PF"
	assert_equal "$stderr" ""
	assert pid_gone "$HELPER"
}

@test "the main pid gone, a helper holding the lock: --status, a start and --signal name the helper" {
	run -0 "$DAEMONIZE" -p "$PF" -E M="$MARK" sh -c 'sleep "$M" & exit 0'
	after_main_exits
	run --separate-stderr -0 "$DAEMONIZE" --status -p "$PF"
	assert_output "$HELPER"
	assert_equal "$stderr" "daemonize: $PF: pid $PID has exited, but pid $HELPER still holds the lock"
	run --separate-stderr -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already running, pid $HELPER"
	run --separate-stderr -1 "$DAEMONIZE" --signal HUP -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: pid $PID has exited, but pid $HELPER still holds the lock"
	assert pid_alive "$HELPER"
	run --separate-stderr -0 "$DAEMONIZE" --signal TERM --kill-whom=all -p "$PF"
	assert_equal "$stderr" ""
	wait_until 5 pid_gone "$HELPER"
}

@test "--kill-mode=process: the main pid alone is signalled and counts: 0 once it exits, the holder named" {
	start_with_helper
	# As systemd's KillMode=process: stopped once the main pid is gone,
	# at once rather than after the timeout, whatever it left running.
	run --separate-stderr -0 timeout 20 "$DAEMONIZE" --stop --kill-mode=process --stop-timeout 10 -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: pid $PID stopped; pid $HELPER, which --kill-mode=process leaves running, still holds the lock"
	assert pid_gone "$PID"
	assert pid_alive "$HELPER"
	# The holder keeps the pidfile: to a start it is still an instance.
	assert [ -e "$PF" ]
	run --separate-stderr -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already running, pid $HELPER"
	# Nothing of the main pid is left to stop: the same, and no signal.
	run --separate-stderr -0 "$DAEMONIZE" --stop --kill --kill-mode=process -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: pid $PID stopped; pid $HELPER, which --kill-mode=process leaves running, still holds the lock"
	assert pid_alive "$HELPER"
	run -0 timeout 20 "$DAEMONIZE" --stop -p "$PF"
	assert pid_gone "$HELPER"
}

# has_children PID: PID has a child process (/proc files have no size).
has_children() {
	[ -n "$(cat "/proc/$1/task/$1/children" 2>/dev/null)" ]
}

# exits_logged LOG N: at least N "exited with status" lines in LOG.
exits_logged() {
	[ "$(grep -c 'exited with status' "$1" 2>/dev/null)" -ge "$2" ]
}

# group_is_only PGID: process group PGID is one process, zombies counted.
group_is_only() {
	[ "$(cat /proc/[0-9]*/stat 2>/dev/null | sed 's/^.*) //' |
		awk -v g="$1" '$3 == g' | wc -l)" -eq 1 ]
}

# one_live_child PID: PID has exactly one child, and it is no zombie.
one_live_child() {
	local children
	read -ra children <"/proc/$1/task/$1/children" || true
	[ "${#children[@]}" -eq 1 ] && [ "$(proc_field "${children[0]}" 3)" != Z ]
}

# lines_in FILE N: FILE has at least N lines.
lines_in() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# group_pids PGID: every live process of process group PGID, one per line.
group_pids() {
	ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

# group_has PGID N: process group PGID has at least N live processes.
group_has() {
	[ "$(group_pids "$1" | wc -l)" -ge "$2" ]
}

@test "--signal: the main pid by default, every process of the daemon with --kill-whom=all" {
	local log=$BATS_TEST_TMPDIR/hups script=$BATS_TEST_TMPDIR/hup.sh pgid pid
	cat >"$script" <<'EOF'
#!/bin/sh
log=$1
trap 'echo main >>"$log"' HUP
sh -c 'trap "echo helper >>\"$1\"" HUP; while :; do sleep 0.05; done' helper "$log" &
while :; do sleep 0.05; done
EOF
	chmod +x "$script"
	run -0 "$DAEMONIZE" -p "$PF" "$script" "$log"
	PID=$(read_pidfile "$PF")
	pgid=$(proc_field "$PID" 5)
	wait_until 5 group_has "$pgid" 3
	for pid in $(group_pids "$pgid"); do track_pid "$pid"; done
	run -0 "$DAEMONIZE" --signal HUP -p "$PF"
	wait_until 5 lines_in "$log" 1
	assert_equal "$(sort "$log" | tr '\n' ' ')" "main "
	# Had the first HUP reached the helper too, its line would be there
	# long before the second round's: the helper is counted once.
	run -0 "$DAEMONIZE" --signal HUP --kill-whom=all -p "$PF"
	wait_until 5 lines_in "$log" 3
	assert_equal "$(sort "$log" | tr '\n' ' ')" "helper main main "
	for pid in $(group_pids "$pgid"); do track_pid "$pid"; done
	run -0 timeout 20 "$DAEMONIZE" --stop -p "$PF"
	assert_equal "$(group_pids "$pgid")" ""
}

@test "a process that merely reads the pidfile is no part of the daemon: never named, never signalled" {
	local reader
	# The reader opens the file first, so it comes first in /proc too.
	: >"$PF"
	# shellcheck disable=SC2217 # it holds the file open; it reads nothing
	sleep "2$MARK" <"$PF" &
	reader=$!
	track_pid "$reader"
	run -0 "$DAEMONIZE" -p "$PF" -E M="$MARK" sh -c \
		'sh -c "trap \"\" TERM; exec sleep \$M" & exit 0'
	after_main_exits
	run --separate-stderr -0 "$DAEMONIZE" --status -p "$PF"
	assert_output "$HELPER"
	run -0 "$DAEMONIZE" --signal USR1 --kill-whom=all -p "$PF"
	run --separate-stderr -0 timeout 20 "$DAEMONIZE" --stop --kill --stop-timeout 0.3 -p "$PF"
	assert pid_gone "$HELPER"
	assert pid_alive "$reader"
	# Nor is an edited pidfile that names the reader obeyed.
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	echo "$reader" >"$BATS_TEST_TMPDIR/edit"
	cat "$BATS_TEST_TMPDIR/edit" >"$PF"
	run --separate-stderr -1 "$DAEMONIZE" --signal=KILL -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: locked, but pid $reader in it does not hold it"
	assert pid_alive "$reader"
	echo "$PID" >"$PF"
	run -0 timeout 20 "$DAEMONIZE" --stop -p "$PF"
}

@test "--stop --kill while a start waits for readiness: the waiting caller is no part of it, and says why" {
	local start
	timeout 20 "$DAEMONIZE" --wait-for "path:$BATS_TEST_TMPDIR/never" --wait=10 -p "$PF" \
		sh -c "trap '' TERM; exec sleep $MARK" 2>"$BATS_TEST_TMPDIR/err" &
	start=$!
	track_pid "$start"
	PID=$(read_pidfile "$PF")
	wait_until 5 marked 1
	run -0 timeout 20 "$DAEMONIZE" --stop --kill --stop-timeout 0.3 -p "$PF"
	local st=0
	wait "$start" || st=$?
	assert_equal "$st" 125
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "daemonize: sh was killed by signal KILL before it was ready"
	assert [ ! -e "$PF" ]
}

@test "--stop leaves alone a file that holds no pid" {
	printf 'root:x:0:0\n' >"$PF"
	run -0 "$DAEMONIZE" --stop -p "$PF"
	assert_equal "$(cat "$PF")" "root:x:0:0"
}

@test "a bad --kill-mode or --kill-whom is a usage error" {
	run --separate-stderr -2 "$DAEMONIZE" --stop --kill-mode=group -p "$PF"
	assert_equal "$stderr" "daemonize: --kill-mode group: expected control-group or process"
	run --separate-stderr -2 "$DAEMONIZE" --signal HUP --kill-whom every -p "$PF"
	assert_equal "$stderr" "daemonize: --kill-whom every: expected main or all"
}

@test "-r: what each child leaves is ended before the next starts, no helpers pile up" {
	local log=$BATS_TEST_TMPDIR/log max=0 n k
	run -0 "$DAEMONIZE" -r --restart-delay 0.1 -p "$PF" --output "$log" \
		-E M="$MARK" sh -c 'sleep "$M" & sleep 0.2; exit 1'
	PID=$(read_pidfile "$PF")
	# Five restarts, each looked at as the next child runs: never more
	# than one helper at a time.
	for k in 1 2 3 4 5; do
		wait_until 10 exits_logged "$log" "$k"
		track_marker "$MARK"
		n=$(marked_count)
		[ "$n" -gt "$max" ] && max=$n
	done
	assert [ "$max" -le 1 ]
	# And it did restart meanwhile, each time ending the helper.
	assert [ "$(grep -c 'exited with status 1' "$log")" -ge 3 ]
	assert [ "$(grep -c 'left running' "$log")" -ge 3 ]
	run -0 timeout 20 "$DAEMONIZE" --stop -p "$PF"
	wait_until 5 no_marked
}

@test "-r: nothing is left after the supervisor's stop, not even a setsid helper that ignores TERM" {
	run -0 "$DAEMONIZE" -r --stop-timeout 1 -p "$PF" -E M="$MARK" sh -c \
		'setsid sh -c "trap \"\" TERM; exec sleep \$M" & sleep "$M"'
	PID=$(read_pidfile "$PF")
	wait_until 5 marked 2
	track_marker "$MARK"
	run --separate-stderr -0 timeout 20 "$DAEMONIZE" --stop --stop-timeout 10 -p "$PF"
	assert_equal "$stderr" ""
	assert pid_gone "$PID"
	assert no_marked
}

@test "-r: a stop while the supervisor ends what a child left: no restart after it, nothing left" {
	local log=$BATS_TEST_TMPDIR/log
	run -0 "$DAEMONIZE" -r --stop-timeout 3 --restart-delay 0.1 -p "$PF" \
		--output "$log" -E M="$MARK" sh -c \
		'setsid sh -c "trap \"\" TERM; exec sleep \$M" & sleep 0.3; exit 1'
	PID=$(read_pidfile "$PF")
	wait_until 5 marked 1
	track_marker "$MARK"
	# The child is gone and its helper, deaf to TERM, has three seconds
	# to go: time enough, on a loaded machine, for the stop to come
	# before the KILL and the restart.
	wait_until 5 grep -q "left running" "$log"
	kill -TERM "$PID"
	wait_until 5 pid_gone "$PID"
	assert [ ! -e "$PF" ]
	assert no_marked
	assert_equal "$(grep -c 'exited with status 1' "$log")" 1
}

@test "-r: --stop --kill with a supervisor too slow to act never says 0 while the program runs" {
	run -0 "$DAEMONIZE" -r -p "$PF" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	# The supervisor and its child both carry the marker.
	wait_until 5 marked 2
	track_marker "$MARK"
	# Stopped, it cannot pass TERM on before --stop's timeout is over.
	kill -STOP "$PID"
	run --separate-stderr timeout 20 "$DAEMONIZE" --stop --kill --stop-timeout 0.3 -p "$PF"
	if [ "$status" -eq 0 ]; then
		assert no_marked
	fi
	assert_equal "$status" 0
	assert pid_gone "$PID"
}

@test "--init: the program's exit status, 128 + N for a signal" {
	run -7 "$DAEMONIZE" --init sh -c 'exit 7'
	run -138 "$DAEMONIZE" --init sh -c 'kill -USR1 $$'
	run --separate-stderr -127 "$DAEMONIZE" --init no-such-program-here
	assert_equal "$stderr" "daemonize: no-such-program-here: command not found"
}

@test "-f -r restarts in the foreground and leaves with TERM" {
	local count=$BATS_TEST_TMPDIR/runs
	"$DAEMONIZE" -f -r --restart-delay 0.1 sh -c 'echo run >>"$1"; exit 3' sh "$count" \
		</dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" &
	local sup=$!
	track_pid "$sup"
	wait_until 10 lines_in "$count" 3
	kill -TERM "$sup"
	run -0 timeout 10 tail --pid="$sup" -f /dev/null
	wait "$sup" || fail "the foreground supervisor did not exit 0"
	grep -q 'exited with status 3' "$BATS_TEST_TMPDIR/err"
}

@test "as PID 1 of a new PID namespace: orphans reaped, TERM ends it within the stop timeout" {
	is_root || skip "needs root for a PID namespace"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	local ns init pgid
	unshare --pid --fork --mount-proc "$DAEMONIZE" --init --stop-timeout 2 \
		-E M="$MARK" sh -c '
		for i in 1 2 3 4 5; do (sleep 0.2 &); done
		trap "" TERM
		exec sleep "$M"' </dev/null >/dev/null 2>&1 &
	ns=$!
	track_pid "$ns"
	wait_until 5 has_children "$ns"
	init=$(cat "/proc/$ns/task/$ns/children")
	init=${init%% *}
	track_pid "$init"
	wait_until 5 marked 1
	track_marker "$MARK"
	# The five orphans (sleep 0.2, in the program's group), once dead,
	# were reaped: nothing is left of the group, zombies included, but
	# the program, and PID 1 has that one child.
	pgid=$(proc_field "$(procs_with_arg "$MARK")" 5)
	wait_until 5 group_is_only "$pgid"
	assert one_live_child "$init"
	# TERM is ignored by the program: KILLed after the 2 s stop timeout.
	kill -TERM "$init"
	run -0 timeout "$(slow 5)" tail --pid="$init" -f /dev/null
	local st=0
	wait "$ns" || st=$?
	assert_equal "$st" 137
	assert no_marked
}

@test "in a PID namespace whose session began outside it: --stop ends the whole daemon" {
	is_root || skip "needs root for a PID namespace"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	# Entered from outside, as a container is: the caller's session has
	# no id in the namespace (getsid says 0), and the daemon's group is
	# still found and ended.
	run --separate-stderr -0 timeout "$(slow 30)" unshare --pid --fork --mount-proc \
		env PF="$PF" M="$MARK" D="$DAEMONIZE" sh -c '
		"$D" -p "$PF" sh -c "sleep \"\$0\" & wait" "$M" || exit 10
		"$D" --stop --stop-timeout 5 -p "$PF" || exit 11
		for f in /proc/[0-9]*/cmdline; do
			tr "\0" " " <"$f" 2>/dev/null | grep -q -e "$M" && exit 12
		done
		exit 0' </dev/null
	assert_equal "$stderr" ""
	assert no_marked
}

@test "a daemon killed between fork and exec is no start: 125, no pidfile, nothing left" {
	[ -n "${DENY_SYSCALL:-}" ] || skip "no seccomp helper on this system"
	"$DAEMONIZE_BINARY" -V | grep -qx 'fork: vfork' ||
		skip "a build that forks for vfork cannot see the daemon's death"
	skip_under_valgrind "valgrind makes every vfork a fork"
	run --separate-stderr -125 "$DENY_SYSCALL" -e KILL setpriority \
		"$DAEMONIZE" -p "$PF" --nice 1 sleep "$MARK"
	assert_equal "$stderr" "daemonize: daemon process killed by signal SYS before exec"
	assert [ ! -e "$PF" ]
	track_marker "$MARK"
	assert no_marked
}

@test "-r: a child killed between fork and exec is no start either: 125, no pidfile" {
	[ -n "${DENY_SYSCALL:-}" ] || skip "no seccomp helper on this system"
	run --separate-stderr -125 "$DENY_SYSCALL" -e KILL setpriority \
		"$DAEMONIZE" -r -p "$PF" --nice 1 sleep "$MARK"
	assert_equal "$stderr" "daemonize: daemon process killed by signal SYS before exec"
	assert [ ! -e "$PF" ]
	track_marker "$MARK"
	assert no_marked
}

@test "--stop from a caller that blocks or ignores SIGALRM still keeps its timeout" {
	local state
	run -0 "$DAEMONIZE" -p "$PF" sh -c "trap '' TERM; exec sleep $MARK"
	PID=$(read_pidfile "$PF")
	for state in 'signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})' \
		'signal.signal(signal.SIGALRM, signal.SIG_IGN)'; do
		run --separate-stderr -1 timeout 10 python3 -c "
import os, signal, sys
$state
os.execv(sys.argv[1], sys.argv[1:])" "$DAEMONIZE" --stop --stop-timeout 0.3 -p "$PF"
		assert_equal "$stderr" "daemonize: $PF: pid $PID still running after TERM"
	done
	run -0 timeout 10 "$DAEMONIZE" --stop --kill --stop-timeout 0.3 -p "$PF"
	wait_until 5 pid_gone "$PID"
}
