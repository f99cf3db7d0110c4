#!/usr/bin/env bats
# The pidfile is the lock (SPEC section 4): one instance at a time, and
# neither a stale pidfile nor a reused pid can fool it.
# shellcheck disable=SC2154,SC2030,SC2031 # bats sets $output, $stderr, $status; scripts for sh -c are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

@test "the pidfile holds exactly the running program's pid and a newline" {
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(od -An -c "$PF" | tr -d ' ')" "$pid\\n"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
	assert_equal "$(readlink "/proc/$pid/exe")" "$(readlink -f "$(command -v sleep)")"
}

@test "a second start exits 1 naming the running pid, and changes nothing" {
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	run --separate-stderr -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already running, pid $pid"
	assert_equal "$(cat "$PF")" "$pid"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "a second start does not truncate the running instance's log" {
	log=$BATS_TEST_TMPDIR/log
	run -0 "$DAEMONIZE" -p "$PF" -o "$log" sh -c "echo running; exec sleep $MARK"
	read_pidfile "$PF" >/dev/null
	wait_until 5 file_nonempty "$log"
	run -1 "$DAEMONIZE" -p "$PF" -o "$log" sleep "$MARK"
	assert_equal "$(cat "$log")" running
}

@test "after kill -9 of the daemon a new start succeeds" {
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	kill -KILL "$pid"
	wait_until 5 pid_gone "$pid"
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	new=$(read_pidfile "$PF")
	assert [ "$new" != "$pid" ]
	assert_equal "$(procs_with_arg "$MARK")" "$new"
}

@test "a stale pidfile of a dead process does not block" {
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	echo "$dead" >"$PF"
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert [ "$pid" != "$dead" ]
	assert_equal "$(cat "$PF")" "$pid"
}

@test "a pidfile naming an unrelated live process does not block or touch it" {
	sleep 300 &
	other=$!
	track_pid "$other"
	echo "$other" >"$PF"
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert [ "$pid" != "$other" ]
	pid_alive "$other"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "a pidfile with longer stale content is rewritten, not overlaid" {
	echo 123456789012 >"$PF"
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(cat "$PF")" "$pid"
	assert_equal "$(wc -l <"$PF")" 1
}

@test "20 concurrent starts: exactly one daemon, every other exits 1" {
	for i in $(seq 1 20); do
		(
			rc=0
			"$DAEMONIZE" -p "$PF" sleep "$MARK" 2>"$BATS_TEST_TMPDIR/err.$i" || rc=$?
			echo "$rc" >"$BATS_TEST_TMPDIR/rc.$i"
		) &
	done
	wait
	track_marker "$MARK"
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/rc.* | sort | uniq -c | awk '{ print $1 "x" $2 }' | tr '\n' ' ')" "1x0 19x1 "
	pid=$(read_pidfile "$PF")
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
	for i in $(seq 1 20); do
		if [ "$(cat "$BATS_TEST_TMPDIR/rc.$i")" = 1 ]; then
			assert_equal "$(cat "$BATS_TEST_TMPDIR/err.$i")" \
				"daemonize: $PF: already running, pid $pid"
		fi
	done
}

@test "a lock held by a process that wrote no pid: 1, and the file is left alone" {
	echo not-a-pid >"$PF"
	holder=$(hold_lock "$PF")
	run --separate-stderr -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already locked by a running instance"
	assert_equal "$(cat "$PF")" not-a-pid
	assert_equal "$(procs_with_arg "$MARK")" "$holder"
}

@test "a program that closes its descriptors drops the lock; under -r the supervisor keeps it" {
	local closer="import os, sys; os.closerange(3, 65536); os.execvp('sleep', ['sleep', sys.argv[1]])"
	run -0 "$DAEMONIZE" -p "$PF" python3 -c "$closer" "$MARK"
	PID=$(read_pidfile "$PF")
	wait_until 5 runs_program "$PID" sleep "$MARK"
	# As the manual says at -p: not running, and a second start succeeds.
	run -1 "$DAEMONIZE" --status -p "$PF"
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	track_marker "$MARK"
	assert_equal "$(procs_with_arg "$MARK" | wc -l)" 2
	kill_tracked
	supervisor_setup
	start_supervisor python3 -c "$closer" "$MARK"
	wait_until 5 runs_program "$CHILD" sleep "$MARK"
	run -0 "$DAEMONIZE" --status -p "$PF"
	assert_output "$SUP"
	run --separate-stderr -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already running, pid $SUP"
}

@test "a symlinked pidfile is refused and its target left untouched" {
	echo precious >"$BATS_TEST_TMPDIR/target"
	touch -d 2001-01-01 "$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$PF"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: is a symbolic link, refusing to follow it"
	assert [ -L "$PF" ]
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" precious
	assert_equal "$(stat -c %Y "$BATS_TEST_TMPDIR/target")" "$(date -d 2001-01-01 +%s)"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "a file with another hard link is never written: -p, --child-pidfile, -o and --output refuse it" {
	# Where hard links are not protected (fs.protected_hardlinks=0), a
	# daemon user who may write the directory can link root's files
	# there; root makes the link here, as such a user could.
	local precious=$BATS_TEST_TMPDIR/precious link=$BATS_TEST_TMPDIR/link
	local args
	echo root-only >"$precious"
	ln "$precious" "$link"
	for args in "-p $link" "-p $PF -o $link" "-p $PF -e $link" \
	    "-r -p $PF --child-pidfile $link" "-r -p $PF --output $link"; do
		# shellcheck disable=SC2086 # args are words
		run --separate-stderr -125 "$DAEMONIZE" $args sleep "$MARK"
		assert_equal "$stderr" "daemonize: $link: has another hard link, refusing to write to it"
		assert_equal "$(cat "$precious")" root-only
		assert [ ! -e "$PF" ]
	done
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "a dangling symlink is refused and nothing is created behind it" {
	ln -s "$BATS_TEST_TMPDIR/nowhere" "$PF"
	run -125 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert [ -L "$PF" ]
	assert [ ! -e "$BATS_TEST_TMPDIR/nowhere" ]
}

@test "-l takes the lock on a separate file" {
	LK=$BATS_TEST_TMPDIR/d.lock
	run -0 "$DAEMONIZE" -l "$LK" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	run --separate-stderr -1 "$DAEMONIZE" --lock "$LK" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $LK: already locked by a running instance"
	run --separate-stderr -1 "$DAEMONIZE" -l "$LK" -p "$BATS_TEST_TMPDIR/other.pid" sleep "$MARK"
	assert [ ! -e "$BATS_TEST_TMPDIR/other.pid" ]
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
	assert [ ! -s "$LK" ]
	assert_equal "$(extra_fds "$pid")" "$LK $PF"
}

@test "-p F -l F: one file, one lock, one descriptor" {
	run -0 "$DAEMONIZE" -p "$PF" -l "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(extra_fds "$pid")" "$PF"
	run --separate-stderr -1 "$DAEMONIZE" -l "$PF" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: already running, pid $pid"
	run -1 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "the lock is released when the daemon exits" {
	run -0 "$DAEMONIZE" -p "$PF" sh -c "exec sleep 0.3"
	wait_until 5 file_nonempty "$PF"
	wait_until 5 flock -n "$PF" true
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	read_pidfile "$PF" >/dev/null
}

@test "the lock is held from the pidfile's own descriptor" {
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	run flock -n "$PF" true
	assert_equal "$status" 1
}

@test "a relative pidfile is the caller's, written before chdir" {
	cd "$BATS_TEST_TMPDIR"
	run -0 "$DAEMONIZE" -p rel.pid sleep "$MARK"
	pid=$(read_pidfile "$BATS_TEST_TMPDIR/rel.pid")
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
	assert [ ! -e /rel.pid ]
}

@test "a pidfile, lock file, child pidfile or output on /proc or /sys is refused, nothing written" {
	is_root || skip "needs root for a UTS namespace of its own"
	command -v unshare >/dev/null || skip "unshare is not installed"
	local f=/proc/sys/kernel/hostname args
	# In a UTS namespace of its own, so that the host's name is never at
	# stake: daemonize runs there after the name is set.
	for args in "-p $f" "-l $f" "-o $f" "-e $f" "-a -o $f" "-r --child-pidfile $f"; do
		# shellcheck disable=SC2086,SC2016 # args are words; sh -c expands
		run --separate-stderr unshare -u sh -c \
			'hostname dz-kept; "$@"; rc=$?; echo "$(hostname)"; exit "$rc"' \
			sh "$DAEMONIZE" $args sleep "$MARK"
		track_marker "$MARK"
		assert_equal "$status" 125
		assert_equal "$stderr" "daemonize: $f: on the kernel's proc file system, refusing to write to it"
		assert_output dz-kept
	done
	run --separate-stderr -125 "$DAEMONIZE" -p /sys/kernel/uevent_seqnum sleep "$MARK"
	assert_equal "$stderr" "daemonize: /sys/kernel/uevent_seqnum: on the kernel's sysfs file system, refusing to write to it"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

# two_roles_refused FILE MESSAGE ARGS...: daemonize ARGS is a usage error,
# 2 with "daemonize: MESSAGE" (a regex), and FILE was not made.
two_roles_refused() {
	local file=$1 message=$2
	shift 2
	run --separate-stderr "$DAEMONIZE" "$@" sleep "$MARK"
	track_marker "$MARK"
	assert_equal "$status" 2
	assert_regex "$stderr" "^daemonize: $message\$"
	assert [ ! -e "$file" ]
}

@test "one file for two roles is a usage error, nothing created; -p F -l F and --output F still share" {
	local f=$BATS_TEST_TMPDIR/one
	for args in "-p $f -o $f" "-p $f -e $f" "-l $f -o $f" "-r -p $f --child-pidfile $f" \
		"-r --output $f --child-pidfile $f" "-r -l $f --child-pidfile $f"; do
		# shellcheck disable=SC2086 # args are words
		two_roles_refused "$f" "$f: both the [a-z ]+ and [a-z ]+" $args
	done
	# The same file by another name is the same file.
	: >"$f"
	ln -s "$f" "$BATS_TEST_TMPDIR/link"
	run --separate-stderr -2 "$DAEMONIZE" -p "$f" -o "$BATS_TEST_TMPDIR/link" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/link: both the pidfile and standard output"
	rm "$f"
	# And a file not there yet, named through .. or a link to its
	# directory: the program's output would take the pidfile's place.
	local d=$BATS_TEST_TMPDIR/dir
	mkdir "$d" && ln -s "$d" "$BATS_TEST_TMPDIR/dirlink"
	for args in "-p $d/x.pid -o $d/../dir/x.pid" \
		"-p $d/x.pid -o $BATS_TEST_TMPDIR/dirlink/x.pid" \
		"-r -p $d/x.pid --child-pidfile $d/./x.pid"; do
		# shellcheck disable=SC2086 # args are words
		two_roles_refused "$d/x.pid" "[^ ]+/x.pid: both the pidfile and [a-z ]+" $args
	done
	run -0 "$DAEMONIZE" -p "$f" -l "$f" --output "$BATS_TEST_TMPDIR/log" sleep "$MARK"
	read_pidfile "$f" >/dev/null
}
