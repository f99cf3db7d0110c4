#!/usr/bin/env bats
# The manual's SECURITY CONSIDERATIONS, read statement by statement
# against the binary, where a test can tell.  Each test names what it
# holds the page to.
# shellcheck disable=SC2154 # bats sets $output, $stderr, $status

load helpers/common

setup() {
	is_root || skip "the statements are about what root does"
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

@test "refuses to run when its ids differ or it is installed setuid or setgid: 125" {
	# A sanitizer's runtime, set-id, answers for itself before main.
	[ -z "${DAEMONIZE_INSTRUMENTED:-}" ] || skip "a sanitizer build, installed setuid, is its runtime's"
	open_for_nobody
	local copy=$BATS_TEST_TMPDIR/dz mode
	cp "$DAEMONIZE_BINARY" "$copy"
	for mode in 4755 2755; do
		chmod "$mode" "$copy"
		run --separate-stderr -125 as_nobody "$copy" sleep "$MARK"
		assert_equal "$stderr" "daemonize: refusing to run setuid or setgid"
		# The bit alone is refused, even for root, whose ids agree.
		run --separate-stderr -125 "$copy" sleep "$MARK"
		assert_equal "$stderr" "daemonize: refusing to run setuid or setgid"
	done
	chmod 755 "$copy"
	run --separate-stderr -125 setpriv --ruid=nobody "$copy" sleep "$MARK"
	assert_equal "$stderr" "daemonize: refusing to run setuid or setgid"
	run --separate-stderr -125 setpriv --rgid=nogroup --keep-groups "$copy" sleep "$MARK"
	assert_equal "$stderr" "daemonize: refusing to run setuid or setgid"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "ids: groups, group and user set real, effective and saved alike, as initgroups would" {
	run -0 "$DAEMONIZE" -p "$PF" -u nobody sleep "$MARK"
	PID=$(read_pidfile "$PF")
	local uid gid
	uid=$(id -u nobody) gid=$(id -g nobody)
	assert_equal "$(status_field "$PID" Uid)" "$uid $uid $uid $uid"
	assert_equal "$(status_field "$PID" Gid)" "$gid $gid $gid $gid"
	assert_equal "$(status_field "$PID" Groups)" "$(id -G nobody)"
	# Not root any more: no capability left to take root back with.
	assert_equal "$(status_field "$PID" CapEff)" 0000000000000000
	assert_equal "$(status_field "$PID" CapPrm)" 0000000000000000
}

@test "pidfile: made by the caller, root's under -u, never through a link, held read-only" {
	run -0 "$DAEMONIZE" -p "$PF" -u nobody sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(stat -c %u "$PF")" 0
	# Written before the change of user: the pid is there, by root.
	assert_equal "$(cat "$PF")" "$PID"
	local fd
	fd=$(lock_fd "$PID")
	assert_equal "$(readlink "/proc/$PID/fd/$fd")" "$PF"
	assert_equal "$(fd_mode "$PID" "$fd")" r
	ln -s "$PF" "$BATS_TEST_TMPDIR/link.pid"
	run --separate-stderr -125 "$DAEMONIZE" -p "$BATS_TEST_TMPDIR/link.pid" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/link.pid: is a symbolic link, refusing to follow it"
}

@test "descriptors: none beyond 0-2, the locks, --keep-fd and --notify-fd; with -r, nothing of the supervisor's" {
	local lock=$BATS_TEST_TMPDIR/lock
	exec 7</dev/null 8</dev/null
	run -0 "$DAEMONIZE" -p "$PF" -l "$lock" --keep-fd 7 sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(extra_fds "$PID")" "/dev/null $PF $lock"
	assert [ -e "/proc/$PID/fd/7" ]
	assert [ ! -e "/proc/$PID/fd/8" ]
	# Each child holds the lock too, read-only, and nothing of the
	# supervisor's own (its child pidfile, its log, its pipes).
	supervisor_setup
	start_supervisor --output "$LOG" --keep-fd 7 sleep "$MARK"
	assert_equal "$(extra_fds "$CHILD")" "/dev/null $PF"
	assert_equal "$(fd_mode "$CHILD" "$(lock_fd "$CHILD" | grep -vx 7)")" r
	assert [ -e "/proc/$CHILD/fd/7" ]
	exec 7<&- 8<&-
}

@test "-u, --group and --chroot are for root only" {
	local opt
	for opt in "-u nobody" "--group nogroup" "--chroot /"; do
		# shellcheck disable=SC2086 # opt is words
		run --separate-stderr -125 as_nobody "$DAEMONIZE" $opt sleep "$MARK"
		assert_regex "$stderr" "^daemonize: ${opt%% *}( [^ ]*)?: only root can "
	done
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--group alone leaves the user id at root" {
	run -0 "$DAEMONIZE" -p "$PF" --group nogroup sleep "$MARK"
	PID=$(read_pidfile "$PF")
	local gid
	gid=$(getent group nogroup | cut -d: -f3)
	assert_equal "$(status_field "$PID" Uid)" "0 0 0 0"
	assert_equal "$(status_field "$PID" Gid)" "$gid $gid $gid $gid"
	assert_equal "$(status_field "$PID" Groups)" "$gid"
}

@test "-r: the supervisor keeps root, the child changes user, and neither pidfile is the program's to write" {
	supervisor_setup
	open_for_nobody
	start_supervisor -u nobody sleep "$MARK"
	local uid
	uid=$(id -u nobody)
	assert_equal "$(status_field "$SUP" Uid)" "0 0 0 0"
	assert_equal "$(status_field "$CHILD" Uid)" "$uid $uid $uid $uid"
	assert_equal "$(stat -c %u "$PF")" 0
	assert_equal "$(stat -c %u "$CPF")" 0
	run as_nobody sh -c "echo 1 >'$PF'"
	assert_failure
	run as_nobody sh -c "echo 1 >'$CPF'"
	assert_failure
	assert_equal "$(cat "$PF")" "$SUP"
	assert_equal "$(cat "$CPF")" "$CHILD"
}

@test "the files of --wait-for path: are looked for with the caller's privileges" {
	local dir=$BATS_TEST_TMPDIR/root-only
	mkdir -m 700 "$dir"
	touch "$dir/ready"
	run -0 timeout "$(slow 10)" "$DAEMONIZE" -p "$PF" -u nobody \
		--wait=5 --wait-for "path:$dir/ready" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	run -1 as_nobody test -e "$dir/ready"
}

@test "the pidfile and the lock file: never a link, a regular file of one link only" {
	local lock=$BATS_TEST_TMPDIR/lock precious=$BATS_TEST_TMPDIR/precious
	echo root-only >"$precious"
	ln -s "$precious" "$lock"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" -l "$lock" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $lock: is a symbolic link, refusing to follow it"
	rm "$lock"
	ln "$precious" "$lock"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" -l "$lock" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $lock: has another hard link, refusing to write to it"
	mkfifo "$PF"
	run --separate-stderr -125 timeout "$(slow 5)" "$DAEMONIZE" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $PF: not a regular file"
	assert_equal "$(cat "$precious")" root-only
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "-o, -e, --output and --child-pidfile: never a link, no other hard link, not the kernel's files" {
	local f=$BATS_TEST_TMPDIR/f precious=$BATS_TEST_TMPDIR/precious args
	echo root-only >"$precious"
	for args in "-o" "-e" "-r --output" "-r --child-pidfile"; do
		ln -sf "$precious" "$f"
		# shellcheck disable=SC2086 # args are words
		run --separate-stderr -125 "$DAEMONIZE" -p "$PF" $args "$f" sleep "$MARK"
		assert_equal "$stderr" "daemonize: $f: is a symbolic link, refusing to follow it"
		rm "$f"
		ln "$precious" "$f"
		# shellcheck disable=SC2086 # args are words
		run --separate-stderr -125 "$DAEMONIZE" -p "$PF" $args "$f" sleep "$MARK"
		assert_equal "$stderr" "daemonize: $f: has another hard link, refusing to write to it"
		rm "$f"
		# shellcheck disable=SC2086 # args are words
		run --separate-stderr -125 "$DAEMONIZE" -p "$PF" $args /proc/sys/kernel/hostname sleep "$MARK"
		assert_regex "$stderr" "^daemonize: /proc/sys/kernel/hostname: on the kernel's proc file system, refusing to"
	done
	assert_equal "$(cat "$precious")" root-only
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--chroot: the working directory is never left outside the new root" {
	[ -x /bin/busybox ] || skip "busybox-static is not installed"
	local root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/bin" "$root/var"
	cp /bin/busybox "$root/bin/busybox"
	run -0 "$DAEMONIZE" -p "$PF" --chroot "$root" -c /var /bin/busybox sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(readlink "/proc/$PID/root")" "$root"
	assert_equal "$(readlink "/proc/$PID/cwd")" "$root/var"
}

@test "--nice is applied while still privileged: a niceness below 0 for nobody" {
	run -0 "$DAEMONIZE" -p "$PF" -u nobody --nice -5 sleep "$MARK"
	PID=$(read_pidfile "$PF")
	assert_equal "$(proc_field "$PID" 19)" -5
}

@test "--limit is applied while still privileged: a hard limit above the caller's, for nobody" {
	# Raising a hard limit takes CAP_SYS_RESOURCE (bit 24), which a
	# container's root may lack.
	local eff hard
	eff=$(status_field $$ CapEff)
	(((0x$eff >> 24) & 1)) || skip "root here lacks CAP_SYS_RESOURCE"
	hard=$(ulimit -Hn)
	run -0 "$DAEMONIZE" -p "$PF" -u nobody --limit "nofile=$((hard + 1000))" sleep "$MARK"
	PID=$(read_pidfile "$PF")
	run -0 grep -E "^Max open files +$((hard + 1000)) +$((hard + 1000)) " "/proc/$PID/limits"
}
