#!/usr/bin/env bats
# The command line (SPEC section 1): daemonize 1.7's options with long
# names, and the program's own options passed through untouched.
# shellcheck disable=SC2154,SC2016 # bats sets $output, $stderr, $status; scripts for sh -c are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

@test "-h and --help print usage on stdout and exit 0" {
	run --separate-stderr -0 "$DAEMONIZE" -h
	assert_line --index 0 --regexp '^usage: daemonize '
	for opt in --append --chdir --env --stderr --help --lock --umask \
		--stdout --pidfile --user --verbose --version; do
		assert_output --partial -- "$opt"
	done
	assert_equal "$stderr" ""
	run -0 "$DAEMONIZE" --help
	assert_line --index 0 --regexp '^usage: daemonize '
}

# help_options: the long options of --help's option list, one a line, in
# its order.
help_options() {
	"$DAEMONIZE" --help | sed -n 's/^  \(-[a-zA-Z], \|    \)--\([a-z-]*\).*/\2/p'
}

# man_options: the long options the manual lists (.It Fl \-NAME), sorted.
man_options() {
	sed -n 's/^\.It Fl .*/&/p' "$BATS_TEST_DIRNAME/../man/daemonize.1" |
		grep -o 'Fl \\-[a-z][a-z-]*' | sed 's/^Fl \\-//' | sort -u
}

@test "--help, the parser and the manual know the same options" {
	local help man name
	help=$(help_options)
	[ -n "$help" ]
	# Each option once in --help: one table row each.
	assert_equal "$(sort <<<"$help" | uniq -d)" ""
	man=$(man_options)
	# Both ways: every option of --help is in the manual, and no other.
	assert_equal "$(sort -u <<<"$help")" "$man"
	# The parser takes each of them: none is an unknown option.
	while read -r name; do
		run "$DAEMONIZE" "--$name"
		refute_output --partial "unknown option"
	done <<<"$help"
	run -2 "$DAEMONIZE" --no-such-option
	assert_output --partial "unknown option"
}

@test "-V and --version print the version" {
	run -0 "$DAEMONIZE" -V
	assert_line --index 0 --regexp '^daemonize [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 "$DAEMONIZE" --version
	assert_line --index 0 --regexp '^daemonize [0-9]'
}

@test "parsing stops at the program: its options are its own" {
	out=$BATS_TEST_TMPDIR/args
	run -0 "$DAEMONIZE" -o "$out" sh -c 'printf "%s|" "$@"; echo' sh \
		-1 -p x --pidfile=y -- -v
	wait_until 5 file_nonempty "$out"
	assert_equal "$(cat "$out")" "-1|-p|x|--pidfile=y|--|-v|"
	assert [ ! -e x ]
}

@test "daemonize sleep -1 does not take -1 for an option" {
	run --separate-stderr -0 "$DAEMONIZE" sleep -1
	assert_equal "$stderr" ""
}

@test "-- ends our options" {
	run -0 "$DAEMONIZE" -p "$PF" -- sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "every short option has its long name" {
	out=$BATS_TEST_TMPDIR/out
	run -0 "$DAEMONIZE" --pidfile="$PF" --lock "$BATS_TEST_TMPDIR/l" \
		--chdir "$BATS_TEST_TMPDIR" --umask=027 --env X=long \
		--stdout "$out" --stderr "$out" --append \
		sh -c "echo \$X; exec sleep $MARK"
	pid=$(read_pidfile "$PF")
	wait_until 5 file_nonempty "$out"
	assert_equal "$(cat "$out")" long
	assert_equal "$(readlink "/proc/$pid/cwd")" "$BATS_TEST_TMPDIR"
	assert_equal "$(status_field "$pid" Umask)" 0027
	run -1 "$DAEMONIZE" --lock "$BATS_TEST_TMPDIR/l" true
}

@test "-v narrates each step on stderr" {
	run --separate-stderr -0 "$DAEMONIZE" -v -p "$PF" sleep "$MARK"
	read_pidfile "$PF" >/dev/null
	assert_regex "$stderr" "daemonize: program sleep is /.*/sleep"
	assert_regex "$stderr" "daemonize: locked $PF"
	assert_regex "$stderr" "daemonize: chdir /"
	assert_regex "$stderr" "exec /.*/sleep"
	assert_regex "$stderr" "daemonize: sleep is running"
	run --separate-stderr -0 "$DAEMONIZE" -p "$BATS_TEST_TMPDIR/q.pid" sleep "$MARK"
	read_pidfile "$BATS_TEST_TMPDIR/q.pid" >/dev/null
	assert_equal "$stderr" ""
}

@test "closed standard descriptors in the caller are no trap" {
	# Not through run, which gives the command output descriptors of its own.
	rc=0
	"$DAEMONIZE" -p "$PF" sleep "$MARK" <&- >&- 2>&- || rc=$?
	assert_equal "$rc" 0
	pid=$(read_pidfile "$PF")
	assert_equal "$(fd_list "$pid" | cut -d' ' -f1-3)" "0 1 2"
	for fd in 0 1 2; do
		assert_equal "$(readlink "/proc/$pid/fd/$fd")" /dev/null
	done
	assert_equal "$(extra_fds "$pid")" "$PF"
	assert_equal "$(cat "$PF")" "$pid"
	# A failure still reaches a stderr that is open, and cleans up.
	rc=0
	"$DAEMONIZE" -p "$BATS_TEST_TMPDIR/e.pid" -c /nonexistent sleep "$MARK" \
		<&- >&- 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	assert_equal "$rc" 125
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "daemonize: chdir /nonexistent: No such file or directory"
	assert [ ! -e "$BATS_TEST_TMPDIR/e.pid" ]
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}
