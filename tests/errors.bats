#!/usr/bin/env bats
# Errors are reported before daemonize returns (SPEC section 3): one line
# "daemonize: WHAT: REASON", the documented status, and nothing left
# behind: no process, no pidfile, no lock.
# shellcheck disable=SC2154,SC2016 # bats sets $output, $stderr, $status; scripts for sh -c are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

# fails STATUS PATTERN daemonize-args...: exactly one line on stderr
# matching PATTERN (an extended regex), nothing on stdout, status STATUS.
fails() {
	local status=$1 pattern=$2
	shift 2
	run --separate-stderr -"$status" "$DAEMONIZE" "$@"
	assert_output ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_regex "$stderr" "$pattern"
}

# Nothing left behind: no pidfile, and the lock is free (a new start works).
nothing_left() {
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	read_pidfile "$PF" >/dev/null
}

@test "missing program: 127" {
	fails 127 '^daemonize: /nonexistent/prog: No such file or directory$' \
		-p "$PF" /nonexistent/prog "$MARK"
	nothing_left
}

@test "program not in PATH: 127" {
	fails 127 '^daemonize: dz-no-such-command: command not found$' \
		-p "$PF" dz-no-such-command "$MARK"
	nothing_left
}

@test "an empty program name: 127" {
	fails 127 '^daemonize: : command not found$' -p "$PF" ''
	nothing_left
}

@test "a PATH match that cannot be executed: 126, unless a later one can" {
	mkdir "$BATS_TEST_TMPDIR/noexec" "$BATS_TEST_TMPDIR/dir" "$BATS_TEST_TMPDIR/exec"
	printf '#!/bin/sh\necho "$0" >"$2"\nexec sleep "$1"\n' >"$BATS_TEST_TMPDIR/noexec/dz-prog"
	chmod 644 "$BATS_TEST_TMPDIR/noexec/dz-prog"
	mkdir "$BATS_TEST_TMPDIR/dir/dz-prog"
	cp "$BATS_TEST_TMPDIR/noexec/dz-prog" "$BATS_TEST_TMPDIR/exec/dz-prog"
	chmod 755 "$BATS_TEST_TMPDIR/exec/dz-prog"
	ran=$BATS_TEST_TMPDIR/ran
	PATH=$BATS_TEST_TMPDIR/noexec:/usr/bin:/bin fails 126 '^daemonize: dz-prog: Permission denied$' \
		-p "$PF" dz-prog "$MARK" "$ran"
	PATH=$BATS_TEST_TMPDIR/dir:/usr/bin:/bin fails 126 '^daemonize: dz-prog: Permission denied$' \
		-p "$PF" dz-prog "$MARK" "$ran"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$ran" ]
	# As execvp(3) does: the first executable match wins.
	PATH=$BATS_TEST_TMPDIR/noexec:$BATS_TEST_TMPDIR/dir:$BATS_TEST_TMPDIR/exec:/usr/bin:/bin \
		run -0 "$DAEMONIZE" -p "$PF" dz-prog "$MARK" "$ran"
	read_pidfile "$PF" >/dev/null
	wait_until 5 file_nonempty "$ran"
	assert_equal "$(cat "$ran")" "$BATS_TEST_TMPDIR/exec/dz-prog"
}

@test "relative paths when the caller's directory is gone: reported, not guessed" {
	skip_under_valgrind "valgrind itself warns about a deleted working directory"
	mkdir "$BATS_TEST_TMPDIR/gone"
	cd "$BATS_TEST_TMPDIR/gone"
	rmdir "$BATS_TEST_TMPDIR/gone"
	fails 127 '^daemonize: \./prog: No such file or directory$' -p "$PF" ./prog "$MARK"
	fails 125 '^daemonize: rel\.pid: No such file or directory$' -p rel.pid sleep "$MARK"
	assert [ ! -e /rel.pid ]
	cd "$BATS_TEST_TMPDIR"
	nothing_left
}

@test "a message too long for one line is cut, and still one line with its reason" {
	long=/$(printf 'x%.0s' $(seq 1 5000))
	fails 125 '^daemonize: /xxxxxxxxxx.*xxx\.\.\.: File ?name too long$' \
		-p "$PF" "$long" "$MARK"
	assert [ "${#stderr}" -lt 1024 ]
	nothing_left
}

@test "non-executable file: 126" {
	printf '#!/bin/sh\nexec sleep "$1"\n' >"$BATS_TEST_TMPDIR/prog"
	chmod 644 "$BATS_TEST_TMPDIR/prog"
	fails 126 "^daemonize: $BATS_TEST_TMPDIR/prog: Permission denied\$" \
		-p "$PF" "$BATS_TEST_TMPDIR/prog" "$MARK"
	nothing_left
}

@test "a directory: 126" {
	fails 126 "^daemonize: $BATS_TEST_TMPDIR: Is a directory\$" \
		-p "$PF" "$BATS_TEST_TMPDIR" "$MARK"
	nothing_left
}

@test "a script whose #! interpreter is missing: 126" {
	skip_under_valgrind "a failed execve kills valgrind itself"
	printf '#!/nonexistent/interpreter\n' >"$BATS_TEST_TMPDIR/script"
	chmod 755 "$BATS_TEST_TMPDIR/script"
	fails 126 "^daemonize: $BATS_TEST_TMPDIR/script: bad interpreter: No such file or directory\$" \
		-p "$PF" "$BATS_TEST_TMPDIR/script" "$MARK"
	nothing_left
}

@test "a file that is no executable format and has no #!: 126" {
	printf 'sleep 1000\n' >"$BATS_TEST_TMPDIR/noformat"
	chmod 755 "$BATS_TEST_TMPDIR/noformat"
	fails 126 "^daemonize: $BATS_TEST_TMPDIR/noformat: Exec format error\$" \
		-p "$PF" "$BATS_TEST_TMPDIR/noformat" "$MARK"
	nothing_left
}

@test "bad -c directory: 125" {
	fails 125 '^daemonize: chdir /nonexistent/dir: No such file or directory$' \
		-p "$PF" -c /nonexistent/dir sleep "$MARK"
	nothing_left
}

@test "pidfile in a missing directory: 125" {
	fails 125 "^daemonize: $BATS_TEST_TMPDIR/none/d.pid: No such file or directory\$" \
		-p "$BATS_TEST_TMPDIR/none/d.pid" sleep "$MARK"
	nothing_left
}

@test "pidfile in a directory the caller cannot write: 125" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	is_root || skip "needs root to run the caller as nobody"
	mkdir -m 755 "$BATS_TEST_TMPDIR/ro"
	chmod 755 "$BATS_TEST_TMPDIR"
	run --separate-stderr -125 as_nobody "$DAEMONIZE" -p "$BATS_TEST_TMPDIR/ro/d.pid" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/ro/d.pid: Permission denied"
	assert [ ! -e "$BATS_TEST_TMPDIR/ro/d.pid" ]
	nothing_left
}

@test "pidfile that is not a regular file: 125" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	fails 125 "^daemonize: $BATS_TEST_TMPDIR/fifo: not a regular file\$" \
		-p "$BATS_TEST_TMPDIR/fifo" sleep "$MARK"
	assert [ -p "$BATS_TEST_TMPDIR/fifo" ]
	nothing_left
}

@test "an output file that cannot be opened: 125, pidfile removed" {
	fails 125 "^daemonize: /nonexistent/out: No such file or directory\$" \
		-p "$PF" -o /nonexistent/out sleep "$MARK"
	nothing_left
}

@test "a -e file that cannot be opened: 125 naming it, pidfile removed" {
	fails 125 "^daemonize: /nonexistent/err: No such file or directory\$" \
		-p "$PF" -o "$BATS_TEST_TMPDIR/out" -e /nonexistent/err sleep "$MARK"
	nothing_left
}

@test "unknown user: 125" {
	is_root || skip "-u needs root"
	fails 125 '^daemonize: -u dz-no-such-user: no such user$' \
		-p "$PF" -u dz-no-such-user sleep "$MARK"
	nothing_left
}

@test "unknown option: 2, pointing to --help and to the closest option" {
	fails 2 '^daemonize: --no-such-option: unknown option \(see daemonize --help\)$' \
		-p "$PF" --no-such-option sleep "$MARK"
	fails 2 '^daemonize: -j: unknown option \(see daemonize --help\)$' -j sleep "$MARK"
	fails 2 '^daemonize: --pidflie: unknown option; did you mean --pidfile\? \(see daemonize --help\)$' \
		--pidflie "$PF" sleep "$MARK"
	fails 2 '^daemonize: --waitfor: unknown option; did you mean --wait-for\? \(see daemonize --help\)$' \
		-p "$PF" --waitfor tcp:127.0.0.1:1 sleep "$MARK"
	fails 2 '^daemonize: --st: ambiguous option: --status, --stderr, --stdout, --stop, --stop-timeout \(see daemonize --help\)$' \
		--st -p "$PF"
	# Of two as close, the first in alphabetical order: init, not ionice.
	fails 2 '^daemonize: --ince: unknown option; did you mean --init\? \(see daemonize --help\)$' \
		--ince -p "$PF"
	nothing_left
}

@test "a value that must follow '=' but was given as the next word: said, not run as the program" {
	fails 2 '^daemonize: --wait 5: the seconds must follow an equals sign: --wait=5$' \
		-p "$PF" --wait 5 sleep "$MARK"
	fails 2 '^daemonize: --wait 0.5: the seconds must follow an equals sign: --wait=0.5$' \
		-p "$PF" --wait 0.5 sleep "$MARK"
	fails 2 '^daemonize: --timestamp local: the format must follow an equals sign: --timestamp=local$' \
		-r -p "$PF" -o "$BATS_TEST_TMPDIR/log" --timestamp local sleep "$MARK"
	nothing_left
	assert [ ! -e "$BATS_TEST_TMPDIR/log" ]
}

@test "a bare --wait with nothing to wait for says what it waits for" {
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --wait sh -c 'exit 3'
	assert_equal "$stderr" "daemonize: --wait without --notify, --notify-fd or --wait-for: ready means still running after 30 s
daemonize: sh exited with status 3 before it was ready"
	# Seconds given: the user chose to wait them out, nothing is said.
	run --separate-stderr -0 "$DAEMONIZE" -p "$PF" --wait=0.3 sleep "$MARK"
	assert_equal "$stderr" ""
	PID=$(read_pidfile "$PF")
	kill "$PID"
}

@test "--stop with nothing running: 0, and says so" {
	run --separate-stderr -0 "$DAEMONIZE" --stop -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: not running"
	echo 99999999 >"$PF"
	run --separate-stderr -0 "$DAEMONIZE" --stop -p "$PF"
	assert_equal "$stderr" "daemonize: $PF: not running"
	assert [ ! -e "$PF" ]
}

@test "missing or malformed values and no program: 2" {
	fails 2 '^daemonize: -p: missing value$' -p
	fails 2 '^daemonize: --pidfile: missing value$' --pidfile
	fails 2 '^daemonize: -m 8: expected an octal mode from 0 to 0777$' -m 8 true
	fails 2 '^daemonize: -m 1000: expected an octal mode from 0 to 0777$' -m 1000 true
	fails 2 '^daemonize: -E NOEQUALS: expected NAME=VALUE$' -E NOEQUALS true
	fails 2 '^daemonize: --env =x: expected NAME=VALUE$' --env =x true
	fails 2 '^daemonize: -o: empty value$' -o '' true
	fails 2 '^daemonize: --syslog: empty value$' -r --syslog= true
	fails 2 '^daemonize: no program given' -p "$PF"
	nothing_left
}

@test "a failed start leaves a stale pidfile it never locked untouched" {
	echo 12345 >"$PF"
	touch -d '2001-01-01' "$PF"
	fails 127 '^daemonize: /nonexistent: No such file or directory$' \
		-p "$PF" /nonexistent
	assert_equal "$(cat "$PF")" 12345
	assert_equal "$(stat -c %Y "$PF")" "$(date -d 2001-01-01 +%s)"
}

@test "a failure after taking the lock removes the pidfile it emptied" {
	echo 12345 >"$PF"
	fails 125 '^daemonize: chdir /nonexistent: No such file or directory$' \
		-p "$PF" -c /nonexistent sleep "$MARK"
	nothing_left
}

@test "a pidfile that cannot be finished is removed (ENOSPC)" {
	is_root || skip "needs root to mount a tmpfs"
	mkdir "$BATS_TEST_TMPDIR/full"
	mount -t tmpfs -o size=4k,nr_inodes=16 tmpfs "$BATS_TEST_TMPDIR/full" ||
		skip "cannot mount a tmpfs here"
	dd if=/dev/zero of="$BATS_TEST_TMPDIR/full/filler" bs=1k count=64 2>/dev/null || true
	run --separate-stderr "$DAEMONIZE" -p "$BATS_TEST_TMPDIR/full/d.pid" sleep "$MARK"
	umount_rc=0
	[ -e "$BATS_TEST_TMPDIR/full/d.pid" ] && leftover=yes || leftover=no
	umount "$BATS_TEST_TMPDIR/full" || umount_rc=$?
	assert_equal "$status" 125
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/full/d.pid: No space left on device"
	assert_equal "$leftover" no
	assert_equal "$umount_rc" 0
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "too many open files: each limit names what could not be opened" {
	skip_under_valgrind "valgrind reserves descriptors under RLIMIT_NOFILE"
	local n pf=$BATS_TEST_TMPDIR/e.pid cpf=$BATS_TEST_TMPDIR/e.cpid log=$BATS_TEST_TMPDIR/e.log
	local names="($pf|$cpf|$log|$log.err|/dev/null|pipe|creating a pipe|--wait)"
	# EMFILE as glibc and as musl say it.
	local emfile="(Too many open files|No file descriptors available)"
	local free=3
	# The limit bounds descriptor numbers: from the first that leaves the
	# dynamic loader a free number, up past what a start needs.
	while [ -e "/proc/$$/fd/$free" ]; do
		free=$((free + 1))
	done
	# More descriptors never make a start fail that fewer let through:
	# past its second start in a row, a setting has shown all it can.
	local args started
	for args in "-r --child-pidfile $cpf --output $log" "-o $log -e $log.err" "--wait=0.1 -o $log"; do
		started=0
		for n in $(seq $((free + 1)) $((free + 24))); do
			[ "$started" -lt 2 ] || break
			# shellcheck disable=SC2086 # args are words
			run --separate-stderr prlimit --nofile="$n" "$DAEMONIZE" -p "$pf" $args sleep "$MARK"
			track_marker "$MARK"
			if [ "$status" -eq 0 ]; then
				started=$((started + 1))
			else
				assert_equal "$n: $started" "$n: 0"
				assert_equal "$status" 125
				assert_regex "$stderr" "^daemonize: $names: $emfile\$"
				# An output named is one that could not be opened,
				# not one opened before something else failed.
				for f in "$log" "$log.err"; do
					if [[ "$stderr" =~ ^"daemonize: $f: " ]]; then
						assert [ ! -e "$f" ]
					fi
				done
			fi
			kill_tracked
			rm -f "$pf" "$cpf" "$log" "$log.err"
		done
		assert_equal "$args: $started" "$args: 2"
	done
}

@test "no process can be made (RLIMIT_NPROC): fork fails in the caller or the middle process, 125, nothing left" {
	is_root || skip "needs root to run as another user"
	local n r uid
	uid=$(lone_uid)
	# 1: the caller's own fork fails; 2: the middle process's.  Plain
	# (vfork) and with --respawn (fork).
	for r in "" -r; do
		for n in 1 2; do
			# An ASan build's leak check needs a thread of its own,
			# which this limit refuses: it is left out here.
			# shellcheck disable=SC2086 # r is a word or none
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			    run --separate-stderr as_user "$uid" "$uid" prlimit --nproc="$n" "$DAEMONIZE" $r sleep "$MARK"
			track_marker "$MARK"
			assert_equal "nproc=$n ${r:--} $status $stderr" \
			    "nproc=$n ${r:--} 125 daemonize: fork: Resource temporarily unavailable"
			assert_equal "$(procs_with_arg "$MARK")" ""
		done
	done
}
