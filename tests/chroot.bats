#!/usr/bin/env bats
# --chroot DIR: files opened as the caller sees them, the program looked up
# inside the new root.  Needs root and busybox-static.
# shellcheck disable=SC2154 # bats sets $stderr

load helpers/common

setup() {
	is_root || skip "needs root"
	[ -x /bin/busybox ] || skip "busybox-static is not installed"
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$ROOT/bin" "$ROOT/tmp" "$ROOT/var"
	cp /bin/busybox "$ROOT/bin/busybox"
	ln -s busybox "$ROOT/bin/sleep"
}

@test "the program runs inside the new root" {
	run -0 "$DAEMONIZE" -p "$PF" --chroot "$ROOT" /bin/busybox sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(readlink "/proc/$pid/root")" "$ROOT"
	assert_equal "$(readlink "/proc/$pid/cwd")" "$ROOT"
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "PATH lookup and -c are interpreted inside the new root" {
	PATH=/bin run -0 "$DAEMONIZE" -p "$PF" -c /var --chroot "$ROOT" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(readlink "/proc/$pid/exe")" "$ROOT/bin/busybox"
	assert_equal "$(readlink "/proc/$pid/cwd")" "$ROOT/var"
}

@test "pidfile and output are opened outside, before the chroot" {
	run -0 "$DAEMONIZE" -p "$PF" -o "$BATS_TEST_TMPDIR/out" --chroot "$ROOT" \
		/bin/busybox sh -c "echo inside; exec sleep $MARK"
	pid=$(read_pidfile "$PF")
	wait_until 5 file_nonempty "$BATS_TEST_TMPDIR/out"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" inside
	assert [ ! -e "$ROOT$PF" ]
}

@test "a program missing inside the new root: 127, nothing left" {
	run --separate-stderr -127 "$DAEMONIZE" -p "$PF" --chroot "$ROOT" "$(command -v sleep)" "$MARK"
	assert_equal "$stderr" "daemonize: $(command -v sleep): No such file or directory"
	assert [ ! -e "$PF" ]
	PATH=/usr/bin run --separate-stderr -127 "$DAEMONIZE" -p "$PF" --chroot "$ROOT" dz-none
	assert_equal "$stderr" "daemonize: dz-none: command not found"
	assert [ ! -e "$PF" ]
}

@test "a chroot directory that does not exist: 125, nothing left" {
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --chroot "$BATS_TEST_TMPDIR/none" /bin/busybox sleep "$MARK"
	assert_equal "$stderr" "daemonize: --chroot $BATS_TEST_TMPDIR/none: No such file or directory"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "a chroot path that is not a directory: 125, nothing left" {
	touch "$BATS_TEST_TMPDIR/file"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --chroot "$BATS_TEST_TMPDIR/file" /bin/busybox sleep "$MARK"
	assert_equal "$stderr" "daemonize: --chroot $BATS_TEST_TMPDIR/file: Not a directory"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "root without CAP_SYS_CHROOT: the daemon's failure is reported, 125, nothing left" {
	run --separate-stderr -125 without_caps sys_chroot "$DAEMONIZE" -p "$PF" --chroot "$ROOT" /bin/busybox sleep "$MARK"
	assert_equal "$stderr" "daemonize: chroot $ROOT: Operation not permitted"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	run -0 "$DAEMONIZE" -p "$PF" --chroot "$ROOT" /bin/busybox sleep "$MARK"
	read_pidfile "$PF" >/dev/null
}

@test "--chroot when not root: 125" {
	run --separate-stderr -125 as_nobody "$DAEMONIZE" --chroot "$ROOT" /bin/busybox true
	assert_equal "$stderr" "daemonize: --chroot $ROOT: only root can change the root directory"
}
