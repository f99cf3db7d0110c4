#!/usr/bin/env bats
# --clear-env, --nice, --limit and --keep-fd (SPEC sections 2 and 5).
# shellcheck disable=SC2154 # bats sets $output, $stderr, $status

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}


environ_of() {
	tr '\0' '\n' <"/proc/$1/environ"
}

# limit_of PID NAME: "soft hard" of a row of /proc/PID/limits.
limit_of() {
	awk -v n="$2" 'index($0, n) == 1 { print $(NF - 2), $(NF - 1) }' \
		"/proc/$1/limits"
}

@test "--clear-env -E A=1 gives exactly A=1" {
	export DZ_SHOULD_VANISH=1
	start_sleep --clear-env -E A=1
	assert_equal "$(environ_of "$PID")" "A=1"
}

@test "--clear-env alone gives an empty environment" {
	start_sleep --clear-env
	assert_equal "$(wc -c <"/proc/$PID/environ")" 0
}

@test "--clear-env still finds the program in the caller's PATH" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s "$(command -v sleep)" "$BATS_TEST_TMPDIR/bin/dz-sleep"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run -0 "$DAEMONIZE" -p "$PF" --clear-env dz-sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "--clear-env with -u sets HOME, USER, LOGNAME and a default PATH" {
	is_root || skip "needs root"
	start_sleep --clear-env -u nobody -E X=y
	home=$(getent passwd nobody | cut -d: -f6)
	assert_equal "$(environ_of "$PID" | sort)" "HOME=$home
LOGNAME=nobody
PATH=/usr/local/bin:/usr/bin:/bin
USER=nobody
X=y"
}

@test "--nice 5 shows in /proc/PID/stat" {
	start_sleep --nice 5
	assert_equal "$(proc_field "$PID" 19)" 5
}

@test "--nice -5 needs root and works as root" {
	is_root || skip "needs root"
	start_sleep --nice -5
	assert_equal "$(proc_field "$PID" 19)" -5
}

@test "--nice below 0 as root without CAP_SYS_NICE (a container): 125, nothing left" {
	is_root || skip "needs root to drop a capability"
	run --separate-stderr -125 without_caps sys_nice "$DAEMONIZE" -p "$PF" --nice -5 sleep "$MARK"
	assert_equal "$stderr" "daemonize: --nice -5: Permission denied"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	# Raising the niceness needs no privilege.
	run -0 without_caps sys_nice "$DAEMONIZE" -p "$PF" --nice 3 sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(proc_field "$pid" 19)" 3
}

@test "--limit nofile=64 --limit core=0 appear in /proc/PID/limits" {
	skip_under_valgrind "valgrind reserves descriptors under RLIMIT_NOFILE"
	start_sleep --limit nofile=64 --limit core=0
	assert_equal "$(limit_of "$PID" "Max open files")" "64 64"
	assert_equal "$(limit_of "$PID" "Max core file size")" "0 0"
}

@test "--limit SOFT:HARD and unlimited" {
	skip_under_valgrind "valgrind reserves descriptors under RLIMIT_NOFILE"
	start_sleep --limit nofile=32:128 --limit cpu=unlimited --limit stack=8388608:unlimited
	assert_equal "$(limit_of "$PID" "Max open files")" "32 128"
	assert_equal "$(limit_of "$PID" "Max cpu time")" "unlimited unlimited"
	assert_equal "$(limit_of "$PID" "Max stack size")" "8388608 unlimited"
}

@test "an fsize limit applies to the program, not to writing its pidfile" {
	start_sleep --limit fsize=0
	assert_equal "$(limit_of "$PID" "Max file size")" "0 0"
	assert_equal "$(cat "$PF")" "$PID"
}

@test "--keep-fd 5: fd 5 reaches the program at the same number, nothing else" {
	exec 5>"$BATS_TEST_TMPDIR/kept" 6>"$BATS_TEST_TMPDIR/notkept"
	start_sleep --keep-fd 5
	exec 5>&- 6>&-
	assert_equal "$(readlink "/proc/$PID/fd/5")" "$BATS_TEST_TMPDIR/kept"
	assert_equal "$(extra_fds "$PID")" "$PF $BATS_TEST_TMPDIR/kept"
	# Not close-on-exec: the flags in fdinfo have no O_CLOEXEC (02000000).
	flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$PID/fdinfo/5")
	assert_equal "$(( 8#$flags & 8#2000000 ))" 0
}

@test "the program can use a kept descriptor" {
	exec 7>"$BATS_TEST_TMPDIR/out7"
	run -0 "$DAEMONIZE" --keep-fd 7 sh -c 'echo through-seven >&7'
	exec 7>&-
	wait_until 5 file_nonempty "$BATS_TEST_TMPDIR/out7"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out7")" through-seven
}

# bad VALUE STATUS MESSAGE args...: one line, the status, nothing started.
bad() {
	local status=$1 message=$2
	shift 2
	run --separate-stderr -"$status" "$DAEMONIZE" -p "$PF" "$@" sleep "$MARK"
	assert_equal "$stderr" "$message"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "bad values: usage errors with one clear line, nothing left" {
	bad 2 "daemonize: --nice 20: expected a niceness from -20 to 19" --nice 20
	bad 2 "daemonize: --nice x: expected a niceness from -20 to 19" --nice x
	bad 2 "daemonize: --keep-fd x: expected a descriptor number of 3 or more" --keep-fd x
	bad 2 "daemonize: --keep-fd 2: expected a descriptor number of 3 or more" --keep-fd 2
	limit="expected RESOURCE=VALUE or RESOURCE=SOFT:HARD with RESOURCE one of as, core, cpu, data, fsize, memlock, nofile, nproc, rss, stack and VALUE a number or unlimited"
	bad 2 "daemonize: --limit bogus=1: $limit" --limit bogus=1
	bad 2 "daemonize: --limit nofile=1:abc: $limit" --limit nofile=1:abc
	bad 2 "daemonize: --limit nofile=99999999999999999999999: $limit" \
		--limit nofile=99999999999999999999999
	run -2 "$DAEMONIZE" --limit nofile=abc true
	run -2 "$DAEMONIZE" --limit nofile=10:5 true
	run -2 "$DAEMONIZE" --limit nofile true
	run -2 "$DAEMONIZE" --limit nofile=-1 true
	run -2 "$DAEMONIZE" --limit nofile=5:6:7 true
}

@test "bad values: failures (125) with one clear line, nothing left" {
	bad 125 "daemonize: --keep-fd 9: Bad file descriptor" --keep-fd 9
	if ! is_root; then
		bad 125 "daemonize: --nice -5: Permission denied" --nice -5
	fi
	hard=$(ulimit -H -n)
	if [ "$hard" != unlimited ] && ! is_root; then
		bad 125 "daemonize: --limit nofile=$((hard + 1)): Operation not permitted" \
			--limit "nofile=$((hard + 1))"
	fi
	bad 125 "daemonize: --limit nofile=1073741824: Operation not permitted" \
		--limit nofile=1073741824
}
