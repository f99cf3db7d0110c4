#!/usr/bin/env bats
# -r/--respawn: daemonize stays as the supervisor and keeps the program
# running (SPEC section 6, Supervision).
# shellcheck disable=SC2154,SC2016 # bats sets $stderr; scripts are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/sup.pid
	CPF=$BATS_TEST_TMPDIR/child.pid
	LOG=$BATS_TEST_TMPDIR/log
	MARK=$(unique_marker)
}

teardown() {
	kill_tracked
	# The syslog test's daemon made /dev/log; it is gone with it.
	if [ -n "${RSYSLOG:-}" ]; then
		rm -f /dev/log
	fi
}

# start_supervisor ARGS...: a supervised program; sets SUP and CHILD.
start_supervisor() {
	run -0 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" "$@"
	SUP=$(read_pidfile "$PF")
	CHILD=$(read_pidfile "$CPF")
}

child_changed() {
	local now
	now=$(cat "$CPF" 2>/dev/null) || return 1
	[ -n "$now" ] && [ "$now" != "$1" ] && pid_alive "$now"
}

zombies_of() {
	local p n=0 stat fields
	for p in /proc/[0-9]*/stat; do
		read -r stat 2>/dev/null <"$p" || continue
		read -r -a fields <<<"${stat##*) }"
		if [ "${fields[1]}" = "$SUP" ] && [ "${fields[0]}" = Z ]; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}

# The fewest descriptors the supervisor has over a few samples: while it
# starts a child it briefly holds that child's exec pipe.
steady_fds() {
	local n min=999999
	for _ in $(seq 1 100); do
		n=$(find "/proc/$SUP/fd" -mindepth 1 -maxdepth 1 | wc -l)
		[ "$n" -lt "$min" ] && min=$n
	done
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
	# The child holds nothing of the supervisor's.
	assert_equal "$(extra_fds "$CHILD")" ""
}

@test "a crash loop: delays grow, then it gives up and removes its pidfiles" {
	start_supervisor --output "$LOG" --restart-delay 0.1 --max-restarts 5 \
		--restart-window 60 sh -c 'exit 1'
	wait_until 15 pid_gone "$SUP"
	run grep -o 'restarting sh in [0-9.]* s' "$LOG"
	assert_output "restarting sh in 0.100 s
restarting sh in 0.200 s
restarting sh in 0.400 s
restarting sh in 0.800 s
restarting sh in 1.600 s"
	assert_equal "$(grep -c 'exited with status 1' "$LOG")" 6
	assert grep -q 'daemonize: sh restarted 5 times within 60 s; giving up' "$LOG"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
}

@test "TERM: the child gets TERM, both are gone, pidfiles removed" {
	start_supervisor --stop-timeout 5 sh -c \
		"trap 'echo got-term > $BATS_TEST_TMPDIR/term; exit 0' TERM; sleep $MARK & wait"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	pid_gone "$CHILD"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/term")" got-term
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
	# The whole group went: nothing of the child is left.
	wait_until 5 test -z "$(procs_with_arg "$MARK")"
}

@test "a child that ignores TERM is killed after --stop-timeout" {
	start_supervisor --stop-timeout 1 --output "$LOG" sh -c "trap '' TERM; sleep $MARK & wait"
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

@test "HUP, USR1 and the others are forwarded to the child" {
	start_supervisor sh -c "for s in HUP USR1 USR2 QUIT WINCH; do trap \"echo \$s >> $BATS_TEST_TMPDIR/sigs\" \$s; done; while :; do sleep 0.05; done"
	for sig in HUP USR1 USR2 QUIT WINCH; do
		kill -"$sig" "$SUP"
		wait_until 5 grep -qx "$sig" "$BATS_TEST_TMPDIR/sigs"
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/sigs")" "HUP
USR1
USR2
QUIT
WINCH"
	assert_equal "$(cat "$CPF")" "$CHILD"
	pid_alive "$SUP"
}

@test "1,000 rapid respawns: no zombie, steady descriptors and memory" {
	start_supervisor --output "$LOG" --restart-delay 0 true
	restarts() { grep -c '^daemonize: restarting' "$LOG"; }
	ten_restarts() { [ "$(restarts)" -ge 10 ]; }
	wait_until 10 ten_restarts
	fds10=$(steady_fds)
	rss10=$(status_field "$SUP" VmRSS)
	checks=0
	while [ "$(restarts)" -lt 1000 ]; do
		assert_equal "$(zombies_of)" 0
		checks=$((checks + 1))
		[ "$checks" -lt 2000 ] || fail "fewer than 1000 restarts"
		sleep 0.01
	done
	assert_equal "$(steady_fds)" "$fds10"
	# Sanitizer and valgrind runtimes keep freed memory on purpose.
	if [ -z "${DAEMONIZE_INSTRUMENTED:-}" ]; then
		assert_equal "$(status_field "$SUP" VmRSS)" "$rss10"
	fi
	assert [ "$checks" -gt 3 ]
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
	start_supervisor --output "$LOG" --max-restarts 0 /usr/bin/python3 -c '
import signal, sys, time
signal.signal(signal.SIGHUP, signal.SIG_IGN)
for i in range(1, 30001):
    sys.stdout.write("%d\n" % i)
    if i % 100 == 0:
        sys.stdout.flush()
        time.sleep(0.005)
'
	wait_until 10 test -s "$LOG"
	for n in 1 2 3; do
		sleep 0.3
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
	run --separate-stderr -127 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" /nonexistent/prog
	assert_equal "$stderr" "daemonize: /nonexistent/prog: No such file or directory"
	printf '#!/nonexistent/interpreter\n' >"$BATS_TEST_TMPDIR/script"
	chmod 755 "$BATS_TEST_TMPDIR/script"
	run --separate-stderr -126 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$CPF" "$BATS_TEST_TMPDIR/script"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/script: bad interpreter: No such file or directory"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$CPF" ]
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
	is_root || skip "needs root to run a syslog daemon on /dev/log"
	command -v rsyslogd >/dev/null || skip "rsyslog is not installed"
	[ ! -e /dev/log ] || skip "/dev/log already exists: another syslog daemon"
	cat >"$BATS_TEST_TMPDIR/rsyslog.conf" <<CONF
module(load="imuxsock" SysSock.Name="/dev/log")
template(name="dz" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\\n")
*.* action(type="omfile" file="$BATS_TEST_TMPDIR/syslog" template="dz")
CONF
	rsyslogd -n -f "$BATS_TEST_TMPDIR/rsyslog.conf" -i "$BATS_TEST_TMPDIR/rsyslog.pid" 3>&- &
	RSYSLOG=$!
	track_pid "$RSYSLOG"
	wait_until 10 test -S /dev/log
	start_supervisor --syslog=dz-test --syslog-facility local3 --max-restarts 0 \
		sh -c 'echo to-out; echo to-err >&2; sleep 0.2'
	wait_until 10 grep -q 'giving up' "$BATS_TEST_TMPDIR/syslog"
	kill "$RSYSLOG"
	wait_until 5 pid_gone "$RSYSLOG"
	rm -f /dev/log
	run cat "$BATS_TEST_TMPDIR/syslog"
	assert_line "local3.info dz-test[$SUP]: to-out"
	assert_line "local3.err dz-test[$SUP]: to-err"
	assert_line --regexp "^local3.notice dz-test\[$SUP\]: daemonize: sh \(pid $CHILD\) exited with status 0\$"
}

@test "bad supervision values are usage errors" {
	run -2 "$DAEMONIZE" -r --restart-delay x true
	run -2 "$DAEMONIZE" -r --max-restarts -1 true
	run -2 "$DAEMONIZE" -r --syslog-facility nosuch true
	run --separate-stderr -2 "$DAEMONIZE" --syslog true
	assert_equal "$stderr" "daemonize: --syslog: only with --respawn, whose supervisor carries the lines"
	run -2 "$DAEMONIZE" -r --wait=1 true
}
