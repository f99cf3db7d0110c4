#!/usr/bin/env bats
# -r/--respawn: daemonize stays as the supervisor and keeps the program
# running (SPEC section 6, Supervision).
# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # bats sets $stderr and runs each test in a subshell; scripts are single-quoted

load helpers/common

setup() {
	supervisor_setup
}

teardown() {
	kill_tracked
	# The syslog test's daemon made /dev/log; it is gone with it.
	if [ -n "${RSYSLOG:-}" ]; then
		rm -f /dev/log
	fi
	if [ -n "${SMALL:-}" ] && mountpoint -q "$SMALL"; then
		umount -l "$SMALL"
	fi
}

# start_rsyslog: a syslog daemon on /dev/log writing "facility.severity
# tag: message" lines to $BATS_TEST_TMPDIR/syslog; skips where it cannot.
start_rsyslog() {
	is_root || skip "needs root to run a syslog daemon on /dev/log"
	command -v rsyslogd >/dev/null || skip "rsyslog is not installed"
	# /dev/log is one for the whole machine: where test suites run side
	# by side, their syslog tests take turns (flock's lock file, named
	# alike by every suite), and the lock goes with the test's process.
	local lockdir=/run/lock
	[ -d "$lockdir" ] || lockdir=/tmp
	exec {DEVLOG_LOCK}>>"$lockdir/daemonize-tests-dev-log.lock"
	flock -w "$(slow 600)" "$DEVLOG_LOCK" || fail "/dev/log stayed taken"
	[ ! -e /dev/log ] || skip "/dev/log already exists: another syslog daemon"
	cat >"$BATS_TEST_TMPDIR/rsyslog.conf" <<CONF
module(load="imuxsock" SysSock.Name="/dev/log")
template(name="dz" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\\n")
*.* action(type="omfile" file="$BATS_TEST_TMPDIR/syslog" template="dz")
CONF
	rsyslogd -n -f "$BATS_TEST_TMPDIR/rsyslog.conf" -i "$BATS_TEST_TMPDIR/rsyslog.pid" 3>&- {DEVLOG_LOCK}>&- &
	RSYSLOG=$!
	track_pid "$RSYSLOG"
	wait_until 10 test -S /dev/log
}

# stop_rsyslog: stop it, its lines all written.
stop_rsyslog() {
	kill "$RSYSLOG"
	wait_until 5 pid_gone "$RSYSLOG"
	rm -f /dev/log
}

# start_supervisor_with CMD... -- ARGS...: the same, with daemonize run by
# CMD (prlimit, setpriv), which changes the state the caller leaves it.
start_supervisor_with() {
	local pre=()
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	run -0 "${pre[@]}" "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" "$@"
	SUP=$(read_pidfile "$PF")
	CHILD=$(read_pidfile "$CPF")
}

child_changed() {
	local now
	now=$(cat "$CPF" 2>/dev/null) || return 1
	[ -n "$now" ] && [ "$now" != "$1" ] && pid_alive "$now"
}

# no_zombie_children: none of the supervisor's children, from the kernel's
# own list of them, is a zombie.  Read in the shell: polled hundreds of
# times, a fork each would be most of a test's time.
no_zombie_children() {
	local p stat
	local -a children
	read -r -a children 2>/dev/null <"/proc/$SUP/task/$SUP/children" || true
	for p in "${children[@]}"; do
		{ read -r stat <"/proc/$p/stat"; } 2>/dev/null || continue
		[[ ${stat##*) } != Z* ]] || return 1
	done
}

# The fewest descriptors the supervisor has over 100 samples: while it
# starts a child it holds that child's exec pipe until the exec.  The
# samples are spread over 0.2 s, so that they do not all fall within the
# start of one child that lives a few milliseconds.  (A glob, not find |
# wc: 100 samples would be 200 forks of this shell.)
steady_fds() {
	untraced steady_fds_sampled
}

steady_fds_sampled() {
	local min=999999
	local -a fds
	for _ in {1..100}; do
		fds=("/proc/$SUP/fd/"*)
		[ "${#fds[@]}" -lt "$min" ] && min=${#fds[@]}
		pause 0.002
	done
	pause_done
	echo "$min"
}

@test "kill -9 of the child: a new child, the same supervisor" {
	start_supervisor --restart-delay 0.2 sleep "$MARK"
	assert_equal "$(proc_field "$CHILD" 4)" "$SUP"
	assert_equal "$(tr '\0' ' ' <"/proc/$CHILD/cmdline")" "sleep $MARK "
	kill -KILL "$CHILD"
	wait_until 5 child_changed "$CHILD"
	new=$(read_pidfile "$CPF")
	assert [ "$new" != "$CHILD" ]
	assert_equal "$(cat "$PF")" "$SUP"
	assert_equal "$(proc_field "$new" 4)" "$SUP"
	pid_alive "$SUP"
}

@test "the supervisor is a proper daemon holding the lock" {
	start_supervisor sleep "$MARK"
	assert_equal "$(proc_field "$SUP" 7)" 0
	assert [ "$(proc_field "$SUP" 6)" != "$SUP" ]
	assert_equal "$(readlink "/proc/$SUP/cwd")" /
	assert_equal "$(readlink "/proc/$SUP/fd/0")" /dev/null
	run --separate-stderr -1 "$DAEMONIZE" -r -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already running, pid $SUP"
	# The child holds the lock too (it is part of the daemon), and
	# nothing else of the supervisor's.
	wait_until 5 prints "$PF" extra_fds "$CHILD"
	assert_equal "$(extra_fds "$CHILD")" "$PF"
}

@test "a child that can no longer be executed: logged, retried, then given up" {
	skip_under_valgrind "a failed execve kills valgrind itself"
	# It waits for "go": given up, the supervisor removes its pidfile,
	# which start_crashing must read first, however slow the caller is.
	printf '#!/bin/sh\nuntil [ -e "%s/go" ]; do sleep 0.01; done\nrm -f "$0"\nexit 1\n' \
		"$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/once"
	chmod 755 "$BATS_TEST_TMPDIR/once"
	start_crashing --output "$LOG" --restart-delay 0.1 --max-restarts 2 \
		--restart-window 60 "$BATS_TEST_TMPDIR/once"
	touch "$BATS_TEST_TMPDIR/go"
	wait_until 10 pid_gone "$SUP"
	prog=$BATS_TEST_TMPDIR/once
	CHILD=$(sed -n '1s/.*(pid \([0-9]*\)).*/\1/p' "$LOG")
	assert_equal "$(cat "$LOG")" "daemonize: $prog (pid $CHILD) exited with status 1
daemonize: restarting $prog in 0.100 s
daemonize: $prog cannot be started: No such file or directory
daemonize: restarting $prog in 0.200 s
daemonize: $prog cannot be started: No such file or directory
daemonize: $prog restarted 2 times within 60 s; giving up"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
}

@test "a restart that fails says what failed, in the words of a first start" {
	mkdir "$BATS_TEST_TMPDIR/wd"
	start_supervisor --output "$LOG" --restart-delay 0.1 --max-restarts 1 \
		-c "$BATS_TEST_TMPDIR/wd" sh -c "exec sleep $MARK"
	rmdir "$BATS_TEST_TMPDIR/wd"
	kill -KILL "$CHILD"
	wait_until 10 pid_gone "$SUP"
	assert_equal "$(sed -n 3p "$LOG")" "daemonize: sh cannot be started: chdir $BATS_TEST_TMPDIR/wd: No such file or directory"
	# While no child runs, the child pidfile names none.
	assert [ ! -e "$CPF" ]
}

@test "the child pidfile is empty while the supervisor waits to restart" {
	start_crashing --output "$LOG" --restart-delay 30 sh -c 'sleep 0.2; exit 1'
	waiting() { grep -q '^daemonize: restarting' "$LOG"; }
	wait_until 5 waiting
	assert [ -e "$CPF" ]
	assert [ ! -s "$CPF" ]
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
}

@test "TERM while waiting to restart: done at once, not after the delay" {
	start_crashing --output "$LOG" --restart-delay 30 sh -c 'exit 1'
	wait_until 5 grep -q 'restarting sh in 30.000 s' "$LOG"
	# HUP while there is no child: nothing to forward, nothing started.
	kill -HUP "$SUP"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
	assert_equal "$(grep -c 'exited with status 1' "$LOG")" 1
}

@test "TERM: the child gets TERM, both are gone, pidfiles removed" {
	start_supervisor --stop-timeout 5 sh -c \
		"trap 'echo got-term > $BATS_TEST_TMPDIR/term; exit 0' TERM; : >$BATS_TEST_TMPDIR/armed; sleep $MARK & wait"
	wait_armed
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	pid_gone "$CHILD"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/term")" got-term
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
	# The whole group went: nothing of the child is left.
	wait_until 5 prints "" procs_with_arg "$MARK"
}

@test "a child that ignores TERM is killed after --stop-timeout" {
	start_supervisor --stop-timeout 1 --output "$LOG" sh -c "trap '' TERM; : >$BATS_TEST_TMPDIR/armed; sleep $MARK & wait"
	wait_armed
	start=$(date +%s%N)
	kill -TERM "$SUP"
	wait_until 10 pid_gone "$SUP"
	elapsed=$((($(date +%s%N) - start) / 1000000))
	pid_gone "$CHILD"
	assert [ "$elapsed" -ge 1000 ]
	assert [ "$elapsed" -lt "$(slow 5000)" ]
	assert grep -q 'did not stop within 1.000 s; killing it' "$LOG"
	assert [ ! -e "$PF" ]
}

@test "HUP, USR1 and the others are forwarded to the child, real-time ones too; none ends the supervisor" {
	# Real-time ones as the shell numbers them (glibc's): from RTMIN+1,
	# as a musl build cannot catch 34, which musl keeps for itself; up to
	# RTMAX-1, as valgrind keeps 64 for itself.
	local sigs='HUP USR1 USR2 QUIT WINCH PWR IO PROF RTMIN+1 RTMIN+3 RTMAX-2 RTMAX-1'
	start_supervisor sh -c "for s in $sigs; do trap \"echo \$s >> $BATS_TEST_TMPDIR/sigs\" \$s; done; : >$BATS_TEST_TMPDIR/armed; while :; do sleep 0.05; done"
	wait_armed
	for sig in $sigs; do
		kill -s "$sig" "$SUP"
		wait_until 5 grep -qx -- "$sig" "$BATS_TEST_TMPDIR/sigs"
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/sigs")" "$(tr ' ' '\n' <<<"$sigs")"
	assert_equal "$(cat "$CPF")" "$CHILD"
	pid_alive "$SUP"
}

@test "--keep-fd: every child gets the descriptor" {
	exec 5>>"$BATS_TEST_TMPDIR/kept"
	start_supervisor --keep-fd 5 --restart-delay 0.1 sh -c "echo \$\$ >&5; exec sleep $MARK"
	exec 5>&-
	assert_equal "$(readlink "/proc/$CHILD/fd/5")" "$BATS_TEST_TMPDIR/kept"
	# Its line written, before it is killed.
	wait_until 5 runs_program "$CHILD" sleep "$MARK"
	kill -KILL "$CHILD"
	wait_until 5 child_changed "$CHILD"
	new=$(read_pidfile "$CPF")
	assert_equal "$(readlink "/proc/$new/fd/5")" "$BATS_TEST_TMPDIR/kept"
	two_lines() { [ "$(wc -l <"$BATS_TEST_TMPDIR/kept")" -eq 2 ]; }
	wait_until 5 two_lines
	assert_equal "$(cat "$BATS_TEST_TMPDIR/kept")" "$CHILD
$new"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	pid_gone "$new"
	assert [ ! -e "$PF" ]
}

@test "a child killed by a real-time signal: logged with its name as kill -l gives it" {
	# 50 is RTMAX-14 with glibc and with musl alike.
	start_supervisor --output "$LOG" --max-restarts 0 sh -c "$(after_read) kill -50 \$\$"
	wait_until 5 pid_gone "$SUP"
	assert grep -qx "daemonize: sh (pid $CHILD) was killed by signal RTMAX-14" "$LOG"
}

@test "a last line without a newline is not lost, and gets one" {
	start_supervisor -o "$LOG" -e "$LOG.err" --max-restarts 0 \
		sh -c "$(after_read)"' printf "no newline"; printf "nor here" >&2'
	wait_until 5 pid_gone "$SUP"
	assert_equal "$(head -n 1 "$LOG")" "no newline"
	assert_equal "$(head -n 1 "$LOG.err")" "nor here"
	assert_equal "$(sed -n 2p "$LOG.err")" "daemonize: sh (pid $CHILD) exited with status 0"
}

@test "HUP when the log cannot be reopened: said in the old log, output goes on there" {
	mkdir "$BATS_TEST_TMPDIR/logs"
	start_supervisor --output "$BATS_TEST_TMPDIR/logs/log" sh -c \
		"trap 'echo after-hup' HUP; echo before; while :; do sleep 0.05; done"
	wait_until 5 grep -qx before "$BATS_TEST_TMPDIR/logs/log"
	mv "$BATS_TEST_TMPDIR/logs/log" "$BATS_TEST_TMPDIR/logs/old"
	mkdir "$BATS_TEST_TMPDIR/logs/log"
	kill -HUP "$SUP"
	wait_until 5 grep -qx after-hup "$BATS_TEST_TMPDIR/logs/old"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/logs/old")" "before
daemonize: reopening $BATS_TEST_TMPDIR/logs/log: Is a directory; still writing to the old file
after-hup"
	pid_alive "$SUP"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	assert [ ! -e "$PF" ]
}

@test "the log's directory moved away: it is reopened where it went, never by its old path" {
	mkdir "$BATS_TEST_TMPDIR/logs"
	start_supervisor --output "$BATS_TEST_TMPDIR/logs/log" sh -c \
		"trap 'echo after-hup' HUP; echo before; while :; do sleep 0.05; done"
	wait_until 5 grep -qx before "$BATS_TEST_TMPDIR/logs/log"
	# The supervisor holds the directory: a new one at the old path,
	# even a link to elsewhere, is not where the log goes.
	mv "$BATS_TEST_TMPDIR/logs" "$BATS_TEST_TMPDIR/moved"
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$BATS_TEST_TMPDIR/logs"
	kill -HUP "$SUP"
	wait_until 5 grep -qx after-hup "$BATS_TEST_TMPDIR/moved/log"
	assert [ ! -e "$BATS_TEST_TMPDIR/elsewhere/log" ]
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
}

@test "an output that fails (RLIMIT_FSIZE) loses the lines, not the supervisor" {
	# The caller's limit is the supervisor's: past 100,000 bytes each
	# write raises SIGXFSZ, which must not kill it.  (Not less: the
	# caller of an instrumented build writes its own reports too.)
	start_supervisor_with prlimit --fsize=100000 -- -o "$LOG" --restart-delay 0.1 \
		sh -c "seq 50000; exec sleep $MARK"
	kill -KILL "$CHILD"
	wait_until 5 child_changed "$CHILD"
	pid_alive "$SUP"
	assert [ "$(stat -c %s "$LOG")" -le 100000 ]
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
}

@test "a long program path: each message whole, on one line" {
	dir=$BATS_TEST_TMPDIR/$(printf 'd%.0s' $(seq 1 200))/$(printf 'e%.0s' $(seq 1 200))
	mkdir -p "$dir"
	prog=$dir/$(printf 'f%.0s' $(seq 1 200))
	printf '#!/bin/sh\n%s\nexit 3\n' "$(after_read)" >"$prog"
	chmod 755 "$prog"
	start_supervisor --output "$LOG" --max-restarts 0 "$prog"
	wait_until 5 pid_gone "$SUP"
	assert_equal "$(wc -l <"$LOG")" 2
	assert_equal "$(head -n 1 "$LOG")" "daemonize: $prog (pid $CHILD) exited with status 3"
	assert_equal "$(sed -n 2p "$LOG")" "daemonize: $prog restarted 0 times within 60 s; giving up"
	assert [ ! -e "$PF" ]
}

@test "1,000 rapid respawns: no zombie, steady descriptors and memory" {
	# Each child lives a few milliseconds, so that the checks below see
	# the restarts happen rather than only their end.
	run -0 "$DAEMONIZE" -r -p "$PF" --output "$LOG" --restart-delay 0 sleep 0.003
	SUP=$(read_pidfile "$PF")
	# The log is followed from one descriptor, a line at a time, into
	# restarts: a grep of it on every poll was a fork and an exec each,
	# most of the test's time.  A line not yet whole waits in carry.
	local log_fd restarts=0 carry='' line
	exec {log_fd}<"$LOG"
	count_restarts() {
		while IFS= read -r -u "$log_fd" line; do
			line=$carry$line carry=
			[[ $line != 'daemonize: restarting'* ]] || restarts=$((restarts + 1))
		done
		carry=$carry$line
	}
	restarts_past() { count_restarts; [ "$restarts" -gt "$1" ]; }
	wait_until 10 restarts_past 9
	fds10=$(steady_fds)
	rss10=$(status_field "$SUP" VmRSS)
	checks=0
	# A child that has just exited is a zombie until the supervisor reaps
	# it: one seen must be gone a moment later; zombies left unreaped
	# would pile up and never all be gone.
	while untraced count_restarts; [ "$restarts" -lt 1000 ]; do
		wait_until 1 no_zombie_children
		checks=$((checks + 1))
		[ "$checks" -lt 2000 ] || fail "fewer than 1000 restarts"
		# The next check comes with a restart of its own.
		wait_until 5 restarts_past "$restarts"
	done
	exec {log_fd}<&-
	assert_equal "$(steady_fds)" "$fds10"
	# Sanitizer and valgrind runtimes keep freed memory on purpose.
	if [ -z "${DAEMONIZE_INSTRUMENTED:-}" ]; then
		assert_equal "$(status_field "$SUP" VmRSS)" "$rss10"
	fi
	# Checked while it ran, not only after: on a loaded machine each
	# check is slow and the 1,000 restarts may be over in a few.
	assert [ "$checks" -ge 2 ]
}

# restarted_times PIDFILE N: the child in PIDFILE was started N times.
restarted_times() {
	local seen pid
	seen=$BATS_TEST_TMPDIR/seen.$(basename "$1")
	pid=$(cat "$1" 2>/dev/null) || return 1
	[ -n "$pid" ] || return 1
	grep -qx "$pid" "$seen" 2>/dev/null || echo "$pid" >>"$seen"
	[ "$(wc -l <"$seen")" -ge "$2" ]
}

@test "-f -r whose output is a pipe with no reader left: the supervisor loses lines, not its life" {
	# The child's output and the supervisor's own lines all meet EPIPE;
	# the supervisor ignores SIGPIPE (as SIGXFSZ), and the child, which
	# has it at its default, dies of it as it would anywhere.
	{ "$DAEMONIZE" -f -r -p "$PF" --child-pidfile "$CPF" --restart-delay 0.1 \
		sh -c 'sleep 0.3; echo out; echo err >&2; exit 3' 2>&1 | true; } &
	SUP=$(read_pidfile "$PF")
	wait_until 10 restarted_times "$CPF" 3
	pid_alive "$SUP"
	assert_equal "$(proc_field "$SUP" 3)" S
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
}

@test "--child-pidfile on a full file system: 125 at the first start, nothing left; said in the log at a restart" {
	is_root || skip "needs root to mount a tmpfs"
	# Unmounted by teardown, whatever the outcome.
	local full=$BATS_TEST_TMPDIR/full
	mkdir "$full"
	mount -t tmpfs -o size=4k,nr_inodes=16 tmpfs "$full" ||
		skip "cannot mount a tmpfs here"
	SMALL=$full
	dd if=/dev/zero of="$full/filler" bs=1k count=64 2>/dev/null || true
	# The file can be made (an inode), its pid not written (a block).
	run --separate-stderr "$DAEMONIZE" -r -p "$PF" --child-pidfile "$full/c.pid" sleep "$MARK"
	track_marker "$MARK"
	local first_status=$status first_stderr=$stderr
	local left_pf left_cpf left_procs
	[ -e "$PF" ] && left_pf=yes || left_pf=no
	[ -e "$full/c.pid" ] && left_cpf=yes || left_cpf=no
	left_procs=$(procs_with_arg "$MARK")
	# Room for the first pid, not for a restart's: filled once it runs.
	rm "$full/filler"
	CPF=$full/c2.pid
	start_supervisor --output "$LOG" --restart-delay 1 sleep "$MARK"
	kill -KILL "$CHILD"
	# Emptied as the child exits, which frees its block: filled then,
	# during the restart's delay.
	is_empty() { [ ! -s "$CPF" ]; }
	wait_until 5 is_empty
	dd if=/dev/zero of="$full/filler" bs=1k count=64 2>/dev/null || true
	wait_until 10 grep -q "^daemonize: $full/c2.pid: No space left on device; pid [0-9]* is not in it\$" "$LOG"
	local cpf_size
	cpf_size=$(stat -c %s "$full/c2.pid")
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	assert_equal "$first_status" 125
	assert_equal "$first_stderr" "daemonize: $full/c.pid: No space left on device"
	assert_equal "$left_pf $left_cpf" "no no"
	assert_equal "$left_procs" ""
	# Never a part of a pid: empty, it names no child.
	assert_equal "$cpf_size" 0
}

@test "output: 100 MB on stdout and stderr arrive whole" {
	head -c 37000000 /dev/urandom | base64 -w 100 >"$BATS_TEST_TMPDIR/a"
	head -c 37000000 /dev/urandom | base64 -w 100 >"$BATS_TEST_TMPDIR/b"
	# The child waits for "go", so that its pid can be read first.
	start_supervisor -o "$LOG.out" -e "$LOG.err" --max-restarts 0 \
		sh -c "while [ ! -e '$BATS_TEST_TMPDIR/go' ]; do sleep 0.02; done
			cat '$BATS_TEST_TMPDIR/a' & cat '$BATS_TEST_TMPDIR/b' >&2; wait"
	touch "$BATS_TEST_TMPDIR/go"
	wait_until 60 pid_gone "$SUP"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/a")
	assert_equal "$(stat -c %s "$LOG.out")" "$size"
	assert_equal "$(md5sum <"$LOG.out")" "$(md5sum <"$BATS_TEST_TMPDIR/a")"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/b")
	assert_equal "$(head -c "$size" "$LOG.err" | md5sum)" "$(md5sum <"$BATS_TEST_TMPDIR/b")"
	assert_equal "$(tail -c +$((size + 1)) "$LOG.err" | head -n 1)" \
		"daemonize: sh (pid $CHILD) exited with status 0"
	rm -f "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" "$LOG.out" "$LOG.err"
}

@test "rotation with mv and HUP loses and doubles no line" {
	# The writer goes on while each file is moved, but never more than a
	# quarter of its lines ahead of the moves: on a slow machine (under
	# valgrind) it had written all before the third, and nothing was
	# left for a file after it.
	start_supervisor --output "$LOG" --max-restarts 0 /usr/bin/python3 -c '
import os, signal, sys, time
signal.signal(signal.SIGHUP, signal.SIG_IGN)
log = sys.argv[1]
i = 0
for part in range(4):
    for _ in range(7500):
        i += 1
        sys.stdout.write("%d\n" % i)
        if i % 100 == 0:
            sys.stdout.flush()
            time.sleep(0.005)
    sys.stdout.flush()
    # Until this part'"'"'s file was moved, and a new one opened.
    while part < 3 and not (os.path.exists("%s.%d" % (log, part + 1)) and
                            os.path.exists(log)):
        time.sleep(0.01)
' "$LOG"
	for n in 1 2 3; do
		# Each file gets lines of its own before it is moved away.
		wait_until 10 file_nonempty "$LOG"
		mv "$LOG" "$LOG.$n"
		kill -HUP "$SUP"
	done
	wait_until 30 pid_gone "$SUP"
	cat "$LOG.1" "$LOG.2" "$LOG.3" "$LOG" | grep -v '^daemonize:' >"$BATS_TEST_TMPDIR/all"
	seq 1 30000 >"$BATS_TEST_TMPDIR/expected"
	run -0 cmp "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/expected"
	# Each file got a share.
	for n in 1 2 3; do
		assert [ "$(grep -vc '^daemonize:' "$LOG.$n")" -gt 0 ]
	done
	assert [ "$(grep -vc '^daemonize:' "$LOG")" -gt 0 ]
}

@test "a newer instance's pidfile survives the older one's stop" {
	run -0 "$DAEMONIZE" -r -p "$PF" sleep "$MARK"
	first=$(read_pidfile "$PF")
	rm "$PF"
	run -0 "$DAEMONIZE" -r -p "$PF" sleep "$MARK"
	second=$(read_pidfile "$PF")
	assert [ "$first" != "$second" ]
	kill -TERM "$first"
	wait_until 5 pid_gone "$first"
	assert_equal "$(cat "$PF")" "$second"
	kill -TERM "$second"
	wait_until 5 pid_gone "$second"
	assert [ ! -e "$PF" ]
}

@test "a program that cannot be executed: the first start fails at once" {
	skip_under_valgrind "a failed execve kills valgrind itself"
	run --separate-stderr -127 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" /nonexistent/prog
	assert_equal "$stderr" "daemonize: /nonexistent/prog: No such file or directory"
	printf '#!/nonexistent/interpreter\n' >"$BATS_TEST_TMPDIR/script"
	chmod 755 "$BATS_TEST_TMPDIR/script"
	run --separate-stderr -126 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" "$BATS_TEST_TMPDIR/script"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/script: bad interpreter: No such file or directory"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
}

@test "a --child-pidfile that cannot be created: 125, nothing left" {
	run --separate-stderr -125 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$BATS_TEST_TMPDIR/none/c.pid" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/none/c.pid: No such file or directory"
	assert [ ! -e "$PF" ]
	run --separate-stderr -125 "$DAEMONIZE" -r -p "$PF" --child-pidfile /dev/null sleep "$MARK"
	assert_equal "$stderr" "daemonize: /dev/null: not a regular file"
	assert [ -c /dev/null ]
	assert [ ! -e "$PF" ]
	mkfifo "$CPF"
	run --separate-stderr -125 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $CPF: not a regular file"
	assert [ -p "$CPF" ]
	assert [ ! -e "$PF" ]
	rm "$CPF"
	echo precious >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$CPF"
	run --separate-stderr -125 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $CPF: is a symbolic link, refusing to follow it"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" precious
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "-u: the child runs as the user, the supervisor keeps root's pidfiles" {
	is_root || skip "needs root"
	start_supervisor -u nobody sleep "$MARK"
	assert_equal "$(status_field "$CHILD" Uid | cut -d' ' -f1)" "$(id -u nobody)"
	assert_equal "$(stat -c %U "$PF" "$CPF" | sort -u)" root
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	assert [ ! -e "$PF" ]
}

@test "--syslog: each line reaches syslog with the tag, at info or err" {
	start_rsyslog
	start_supervisor --syslog=dz-test --syslog-facility local3 --max-restarts 0 \
		sh -c "$(after_read)"' echo to-out; echo to-err >&2; printf last-without-newline; sleep 1'
	wait_until 10 grep -q 'giving up' "$BATS_TEST_TMPDIR/syslog"
	stop_rsyslog
	run cat "$BATS_TEST_TMPDIR/syslog"
	assert_line "local3.info dz-test[$SUP]: to-out"
	assert_line "local3.err dz-test[$SUP]: to-err"
	assert_line "local3.info dz-test[$SUP]: last-without-newline"
	assert_line --regexp "^local3.notice dz-test\[$SUP\]: daemonize: sh \(pid $CHILD\) exited with status 0\$"
}

@test "without --output or --syslog, what the supervisor says (giving up) goes to syslog" {
	start_rsyslog
	start_supervisor --max-restarts 0 sh -c "$(after_read)"' echo lost; sleep 0.3; exit 3'
	wait_until 10 grep -q 'giving up' "$BATS_TEST_TMPDIR/syslog"
	wait_until 5 pid_gone "$SUP"
	stop_rsyslog
	run cat "$BATS_TEST_TMPDIR/syslog"
	assert_line "daemon.notice daemonize[$SUP]: daemonize: sh (pid $CHILD) exited with status 3"
	assert_line "daemon.err daemonize[$SUP]: daemonize: sh restarted 0 times within 60 s; giving up"
	# The program's own output had nowhere to go but /dev/null.
	refute_line --partial lost
}

@test "HUP after the daemon's user swapped its log for a symlink: root's file untouched" {
	is_root || skip "needs root"
	open_for_nobody
	logs=$BATS_TEST_TMPDIR/logs
	mkdir "$logs"
	chown nobody "$logs"
	secret=$BATS_TEST_TMPDIR/secret
	echo root-only >"$secret"
	chmod 600 "$secret"
	start_supervisor -u nobody --output "$logs/log" sh -c \
		"trap 'echo after-hup' HUP; echo before; while :; do sleep 0.05; done"
	wait_until 5 grep -qx before "$logs/log"
	# The user owns the directory: it moves the log and links root's file.
	as_nobody sh -c "mv '$logs/log' '$logs/old' && ln -s '$secret' '$logs/log'"
	kill -HUP "$SUP"
	wait_until 5 grep -qx after-hup "$logs/old"
	assert_equal "$(cat "$secret")" root-only
	# A coverage build's child, as nobody, says it cannot write root's
	# counters: not the program's output.
	assert_equal "$(grep -v '^profiling:' "$logs/old")" "before
daemonize: reopening $logs/log: is a symbolic link, refusing to follow it; still writing to the old file
after-hup"
	assert [ -L "$logs/log" ]
	# A FIFO in its place is no log either, and cannot hang the supervisor.
	as_nobody sh -c "rm '$logs/log' && mkfifo '$logs/log'"
	kill -HUP "$SUP"
	wait_until 5 grep -q 'not a regular file' "$logs/old"
	# Nor a hard link to root's file, where such links are not protected
	# (fs.protected_hardlinks=0): root makes it here, as the user could.
	rm "$logs/log"
	ln "$secret" "$logs/log"
	kill -HUP "$SUP"
	wait_until 5 grep -q "^daemonize: reopening $logs/log: has another hard link, refusing to write to it; still writing to the old file\$" "$logs/old"
	assert_equal "$(cat "$secret")" root-only
	pid_alive "$SUP"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
}

@test "a log that is a symlink or not a regular file is refused at the start" {
	ln -s "$BATS_TEST_TMPDIR/target" "$LOG"
	run --separate-stderr "$DAEMONIZE" -r -p "$PF" --output "$LOG" sleep "$MARK"
	track_marker "$MARK"
	assert_equal "$status" 125
	assert_equal "$stderr" "daemonize: $LOG: is a symbolic link, refusing to follow it"
	assert [ ! -e "$BATS_TEST_TMPDIR/target" ]
	assert [ ! -e "$PF" ]
	rm "$LOG"
	mkfifo "$LOG"
	run --separate-stderr timeout "$(slow 5)" "$DAEMONIZE" -r -p "$PF" --output "$LOG" sleep "$MARK"
	track_marker "$MARK"
	assert_equal "$status" 125
	assert_equal "$stderr" "daemonize: $LOG: not a regular file"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "-v and a leftover writer flooding a log on a full tmpfs: TERM still stops the supervisor, and the writer" {
	is_root || skip "needs root to mount a small tmpfs"
	SMALL=$BATS_TEST_TMPDIR/small
	mkdir "$SMALL"
	mount -t tmpfs -o size=64k tmpfs "$SMALL" || skip "cannot mount a tmpfs"
	# Each run leaves a writer behind that keeps the log pipe full, out
	# of the child's group and deaf to TERM: it lasts until the KILL that
	# follows --stop-timeout.
	start_crashing -v --output "$SMALL/log" --restart-delay 0.1 --stop-timeout 1 \
		sh -c "setsid sh -c 'trap \"\" TERM; exec yes $MARK' & sleep 0.3; exit 1"
	a_writer() { [ "$(procs_with_arg "$MARK" | wc -l)" -ge 1 ]; }
	wait_until 10 a_writer
	track_marker "$MARK"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	assert [ ! -e "$PF" ]
	track_marker "$MARK"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "a full disk loses whole lines, never glues one to the next, and says so once" {
	is_root || skip "needs root to mount a small tmpfs"
	SMALL=$BATS_TEST_TMPDIR/small
	mkdir "$SMALL"
	mount -t tmpfs -o size=256k tmpfs "$SMALL" || skip "cannot mount a tmpfs"
	head -c 200000 /dev/zero >"$SMALL/filler"
	start_supervisor --output "$SMALL/log" sh -c \
		'i=0; while :; do i=$((i + 1)); echo "line-$i-of-a-long-enough-run"; done'
	full() { [ "$(df --output=avail -B1 "$SMALL" | tail -n 1)" -lt 4096 ]; }
	wait_until 10 full
	# The supervisor goes on writing, and failing, on the full disk.
	writes() { awk '$1 == "syscw:" { print $2 }' "/proc/$SUP/io"; }
	writes_past() { [ "$(writes)" -gt "$1" ]; }
	wait_until 10 writes_past "$(($(writes) + 20))"
	rm "$SMALL/filler"
	grown() { [ "$(stat -c %s "$SMALL/log")" -gt 100000 ]; }
	wait_until 10 grown
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	# Every line whole: the program's, or the one note of the loss.
	run grep -cvE '^(line-[0-9]+-of-a-long-enough-run|daemonize: .*)$' "$SMALL/log"
	assert_output 0
	run grep -c '^daemonize: output lost: No space left on device$' "$SMALL/log"
	assert [ "$output" -ge 1 ]
}

@test "a signal and a stop that come while the child starts wait for its exec, then reach the program" {
	command -v strace >/dev/null || skip "needs strace to slow execve down"
	skip_under_valgrind "strace and valgrind do not trace the same process"
	local log=$BATS_TEST_TMPDIR/log
	# Every execve takes 0.5 s more: each child is still on its way to
	# exec when the signals below arrive.
	# (An ASan build's leak check cannot run under ptrace: it is left out.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_enter=500000 \
		"$DAEMONIZE_BINARY" -r -p "$PF" --child-pidfile "$CPF" --output "$log" \
		--restart-delay 0.1 sleep "$MARK" </dev/null >/dev/null 2>&1 &
	track_pid $!
	SUP=$(read_pidfile "$PF")
	CHILD=$(read_pidfile "$CPF")
	# USR1 before the exec is passed on after it: sleep dies of it then,
	# rather than the child on its way, whose defaults are back already.
	kill -USR1 "$SUP"
	wait_until 10 grep -q "(pid $CHILD) was killed by signal USR1" "$log"
	wait_until 10 new_child "$CPF" "$CHILD"
	CHILD=$(read_pidfile "$CPF")
	# TERM before the exec: the stop is kept, then the program stopped.
	kill -TERM "$SUP"
	wait_until 10 pid_gone "$SUP"
	assert [ ! -e "$PF" ]
	run grep -c "cannot be started" "$log"
	assert_output 0
	assert grep -q "(pid $CHILD) was killed by signal TERM" "$log"
	track_marker "$MARK"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "bad supervision values are usage errors" {
	run -2 "$DAEMONIZE" -r --restart-delay x true
	run -2 "$DAEMONIZE" -r --max-restarts -1 true
	run -2 "$DAEMONIZE" -r --syslog-facility nosuch true
	run --separate-stderr -2 "$DAEMONIZE" --syslog true
	assert_equal "$stderr" "daemonize: --syslog: only with --respawn, whose supervisor carries the lines"
	run -2 "$DAEMONIZE" -r --wait=1 true
	# -f -r is a container's first process (tree.bats); --wait is not.
	run --separate-stderr -2 env -u NOTIFY_SOCKET "$DAEMONIZE" --init --wait=1 true
	assert_equal "$stderr" "daemonize: --wait: in the foreground, only with --notify, --notify-fd or --wait-for under a service manager (NOTIFY_SOCKET)"
	run --separate-stderr -2 "$DAEMONIZE" --child-pidfile "$CPF" true
	assert_equal "$stderr" "daemonize: --child-pidfile: only with --respawn"
	assert [ ! -e "$CPF" ]
}

@test "a stopped program is continued after TERM, so that it can act on it" {
	start_supervisor --stop-timeout 20 sh -c 'kill -STOP $$; sleep 1000'
	wait_until 5 prints T proc_field "$CHILD" 3
	kill -TERM "$SUP"
	# Well before --stop-timeout: TERM reached it at once.
	wait_until 5 pid_gone "$SUP"
	assert pid_gone "$CHILD"
}
