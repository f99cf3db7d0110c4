#!/usr/bin/env bats
# -u USER, and refusing to run with borrowed privileges.  The -u tests need
# root; they are skipped, with the reason, otherwise.
# shellcheck disable=SC2154,SC2016 # bats sets $output, $stderr, $status; scripts for sh -c are single-quoted

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
	chmod 755 "$BATS_TEST_TMPDIR"
}

need_root() {
	is_root || skip "needs root"
}

@test "-u nobody: uid, gid and groups are nobody's, all four fields" {
	need_root
	run -0 "$DAEMONIZE" -p "$PF" -u nobody sleep "$MARK"
	pid=$(read_pidfile "$PF")
	uid=$(id -u nobody)
	gid=$(id -g nobody)
	assert_equal "$(status_field "$pid" Uid)" "$uid $uid $uid $uid"
	assert_equal "$(status_field "$pid" Gid)" "$gid $gid $gid $gid"
	assert_equal "$(status_field "$pid" Groups | tr -s ' ' | sed 's/ $//')" \
		"$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"
}

@test "-u nobody: the pidfile stays root's and is held read-only" {
	need_root
	run -0 "$DAEMONIZE" --pidfile "$PF" --user nobody sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(stat -c '%u %g %a' "$PF")" "0 0 644"
	assert_equal "$(extra_fds "$pid")" "$PF"
	assert_equal "$(fd_mode "$pid" "$(lock_fd "$pid")")" r
	# The daemon itself cannot rewrite it.
	run as_nobody sh -c "echo 1 > '$PF'"
	assert_failure
	assert_equal "$(cat "$PF")" "$pid"
}

@test "-u nobody: a pidfile left nobody's, or writable by all, is taken back first" {
	need_root
	local mode
	# daemonize 1.7 gave the pidfile to the -u user: left so by an
	# upgrade, it let the daemon rewrite the pid --stop signals.
	for mode in 644 666; do
		: >"$PF"
		chown nobody "$PF" && chmod "$mode" "$PF"
		run -0 "$DAEMONIZE" -p "$PF" -u nobody sleep "$MARK"
		pid=$(read_pidfile "$PF")
		assert_equal "$mode: $(stat -c '%u %a' "$PF")" "$mode: 0 644"
		run as_nobody sh -c "echo 1 > '$PF'"
		assert_failure
		run -0 "$DAEMONIZE" --stop -p "$PF"
		assert pid_gone "$pid"
	done
}

@test "-u nobody: the program cannot regain root" {
	need_root
	out=$BATS_TEST_TMPDIR/regain
	run -0 "$DAEMONIZE" -u nobody -o "$out" /usr/bin/python3 -c '
import os
for name, call in (("setuid", lambda: os.setuid(0)), ("seteuid", lambda: os.seteuid(0)),
                   ("setgid", lambda: os.setgid(0)), ("setgroups", lambda: os.setgroups([0]))):
    try:
        call()
        print(name, "succeeded")
    except PermissionError:
        print(name, "refused")
print("uid", os.getuid(), os.geteuid())
'
	wait_until 5 grep -q '^uid' "$out"
	assert_equal "$(cat "$out")" "setuid refused
seteuid refused
setgid refused
setgroups refused
uid $(id -u nobody) $(id -u nobody)"
}

@test "-u sets HOME, USER and LOGNAME; -E can still override" {
	need_root
	run -0 "$DAEMONIZE" -p "$PF" -u nobody -E LOGNAME=custom sleep "$MARK"
	pid=$(read_pidfile "$PF")
	env=$(tr '\0' '\n' <"/proc/$pid/environ")
	assert grep -qx "HOME=$(getent passwd nobody | cut -d: -f6)" <<<"$env"
	assert grep -qx 'USER=nobody' <<<"$env"
	assert grep -qx 'LOGNAME=custom' <<<"$env"
}

@test "-u USER:GROUP takes GROUP as the primary and only group" {
	need_root
	grp=$(getent group nogroup >/dev/null && echo nogroup || echo nobody)
	gid=$(getent group "$grp" | cut -d: -f3)
	run -0 "$DAEMONIZE" -p "$PF" -u "nobody:$grp" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(status_field "$pid" Gid)" "$gid $gid $gid $gid"
	assert_equal "$(status_field "$pid" Groups | tr -d ' ')" "$gid"
}

@test "-u accepts numeric ids" {
	need_root
	uid=$(id -u nobody)
	run -0 "$DAEMONIZE" -p "$PF" -u "$uid" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(status_field "$pid" Uid)" "$uid $uid $uid $uid"
}

@test "-u when not root: 125, nothing started" {
	need_root
	run --separate-stderr -125 as_nobody "$DAEMONIZE" -u nobody sleep "$MARK"
	assert_equal "$stderr" "daemonize: -u nobody: only root can change user"
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "root without CAP_SETUID and CAP_SETGID: -u and --group fail in the daemon, 125, nothing left" {
	need_root
	grp=$(getent group nogroup >/dev/null && echo nogroup || echo nobody)
	run --separate-stderr -125 without_caps setuid,setgid "$DAEMONIZE" -p "$PF" -u nobody sleep "$MARK"
	assert_equal "$stderr" "daemonize: changing to user nobody: Operation not permitted"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	run --separate-stderr -125 without_caps setgid "$DAEMONIZE" -p "$PF" --group "$grp" sleep "$MARK"
	assert_equal "$stderr" "daemonize: changing to group $grp: Operation not permitted"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	# A uid of no passwd entry has no name, and is still a user to become.
	run --separate-stderr -125 without_caps setuid,setgid "$DAEMONIZE" -p "$PF" -u "54321:$grp" sleep "$MARK"
	assert_equal "$stderr" "daemonize: changing to user 54321:$grp: Operation not permitted"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	# The lock went with the failed starts.
	run -0 "$DAEMONIZE" -p "$PF" sleep "$MARK"
	read_pidfile "$PF" >/dev/null
}

@test "-u with an unknown group: 125" {
	need_root
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" -u nobody:dz-no-such-group sleep "$MARK"
	assert_equal "$stderr" "daemonize: -u nobody:dz-no-such-group: no such group"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "refuses to run from a setuid or setgid executable" {
	need_root
	cp "$DAEMONIZE_BINARY" "$BATS_TEST_TMPDIR/suid"
	chmod 4755 "$BATS_TEST_TMPDIR/suid"
	run --separate-stderr -125 "$BATS_TEST_TMPDIR/suid" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: refusing to run setuid or setgid"
	chmod 2755 "$BATS_TEST_TMPDIR/suid"
	run --separate-stderr -125 "$BATS_TEST_TMPDIR/suid" -p "$PF" sleep "$MARK"
	assert_equal "$stderr" "daemonize: refusing to run setuid or setgid"
	# Run by an ordinary user, the ids differ as well.
	chmod 4755 "$BATS_TEST_TMPDIR/suid"
	run -125 as_nobody "$BATS_TEST_TMPDIR/suid" sleep "$MARK"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "-u 65534:65534 and -u nobody:nogroup by numbers and names" {
	need_root
	grp=$(getent group nogroup >/dev/null && echo nogroup || echo nobody)
	gid=$(getent group "$grp" | cut -d: -f3)
	uid=$(id -u nobody)
	run -0 "$DAEMONIZE" -p "$PF" -u "$uid:$gid" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(status_field "$pid" Uid)" "$uid $uid $uid $uid"
	assert_equal "$(status_field "$pid" Gid)" "$gid $gid $gid $gid"
	assert_equal "$(status_field "$pid" Groups | tr -d ' ')" "$gid"
}

@test "a numeric uid with no passwd entry needs a group" {
	need_root
	run --separate-stderr -125 "$DAEMONIZE" -u 54321 sleep "$MARK"
	assert_equal "$stderr" "daemonize: -u 54321: no such user"
	# 2^32 is no id at all, not root wrapped around.
	run --separate-stderr -2 "$DAEMONIZE" -u 4294967296 sleep "$MARK"
	assert_equal "$stderr" "daemonize: -u 4294967296: expected names or ids from 0 to 4294967294"
	assert_equal "$(procs_with_arg "$MARK")" ""
	# Nameless, homeless: the caller's HOME, USER and LOGNAME are not
	# handed on as if they were its.
	run -0 env HOME=/root USER=root LOGNAME=root \
		"$DAEMONIZE" -p "$PF" -u 54321:54321 sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(status_field "$pid" Uid)" "54321 54321 54321 54321"
	assert_equal "$(status_field "$pid" Groups | tr -d ' ')" 54321
	assert_equal "$(tr '\0' '\n' <"/proc/$pid/environ" | grep -E '^(HOME|USER|LOGNAME)=')" ""
}

@test "numeric ids above INT_MAX, up to UINT_MAX - 1, are ids; UINT_MAX and past it are usage errors" {
	need_root
	local id
	for id in 3000000000 4294967294; do
		run -0 "$DAEMONIZE" -p "$PF.$id" -u "$id:$id" sleep "$MARK"
		pid=$(read_pidfile "$PF.$id")
		assert_equal "$(status_field "$pid" Uid)" "$id $id $id $id"
		assert_equal "$(status_field "$pid" Gid)" "$id $id $id $id"
	done
	# (uid_t)-1 is what setresuid(2) takes for "unchanged": out of the
	# bounds, as is anything longer.
	for id in 4294967295:1 1:4294967295 99999999999999999999:1; do
		run --separate-stderr -2 "$DAEMONIZE" -u "$id" sleep "$MARK"
		assert_equal "$stderr" "daemonize: -u $id: expected names or ids from 0 to 4294967294"
	done
	run --separate-stderr -2 "$DAEMONIZE" --group 4294967295 sleep "$MARK"
	assert_equal "$stderr" "daemonize: --group 4294967295: expected a name or an id from 0 to 4294967294"
	# The two started above, and nothing from the refused.
	assert_equal "$(procs_with_arg "$MARK" | wc -l)" 2
}

@test "--group alone changes only the groups" {
	need_root
	grp=$(getent group nogroup >/dev/null && echo nogroup || echo nobody)
	gid=$(getent group "$grp" | cut -d: -f3)
	run -0 "$DAEMONIZE" -p "$PF" --group "$grp" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(status_field "$pid" Uid)" "0 0 0 0"
	assert_equal "$(status_field "$pid" Gid)" "$gid $gid $gid $gid"
	assert_equal "$(status_field "$pid" Groups | tr -d ' ')" "$gid"
	run --separate-stderr -2 "$DAEMONIZE" -u "nobody:$grp" --group "$grp" true
	assert_equal "$stderr" "daemonize: -u nobody:$grp --group $grp: two groups given"
}

@test "-u nobody --group GROUP is nobody with GROUP as the only group" {
	need_root
	grp=$(getent group nogroup >/dev/null && echo nogroup || echo nobody)
	gid=$(getent group "$grp" | cut -d: -f3)
	run -0 "$DAEMONIZE" -p "$PF" -u nobody --group "$grp" sleep "$MARK"
	pid=$(read_pidfile "$PF")
	assert_equal "$(status_field "$pid" Uid | cut -d' ' -f1)" "$(id -u nobody)"
	assert_equal "$(status_field "$pid" Groups | tr -d ' ')" "$gid"
}

@test "a real server as nobody with a root-owned pidfile" {
	need_root
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run -0 "$DAEMONIZE" -u nobody -p "$PF" /usr/bin/python3 -m http.server -b 127.0.0.1 "$port"
	pid=$(read_pidfile "$PF")
	fetch() {
		python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' \
			"http://127.0.0.1:$port/"
	}
	wait_until 10 fetch
	assert_equal "$(status_field "$pid" Uid)" "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)"
	assert_equal "$(stat -c '%U %a' "$PF")" "root 644"
	assert_equal "$(readlink "/proc/$pid/cwd")" /
}

@test "-u: PATH is searched as the user, so a directory of root's does not hide the program" {
	need_root
	open_for_nobody
	mkdir -m 700 "$BATS_TEST_TMPDIR/rootonly"
	mkdir -m 755 "$BATS_TEST_TMPDIR/public"
	# The two differ only in what they add to the sleep: 0 or 0.0.
	printf '#!/bin/sh\nexec sleep "$1" 0\n' >"$BATS_TEST_TMPDIR/rootonly/dz-prog"
	printf '#!/bin/sh\nexec sleep "$1" 0.0\n' >"$BATS_TEST_TMPDIR/public/dz-prog"
	chmod 755 "$BATS_TEST_TMPDIR/rootonly/dz-prog" "$BATS_TEST_TMPDIR/public/dz-prog"
	PATH=$BATS_TEST_TMPDIR/rootonly:$BATS_TEST_TMPDIR/public:$PATH \
		run -0 "$DAEMONIZE" -p "$PF" -u nobody dz-prog "$MARK"
	pid=$(read_pidfile "$PF")
	wait_until 5 runs_program "$pid" sleep "$MARK" 0.0
	# Root itself still gets the first one.
	PATH=$BATS_TEST_TMPDIR/rootonly:$BATS_TEST_TMPDIR/public:$PATH \
		run -0 "$DAEMONIZE" -p "$BATS_TEST_TMPDIR/root.pid" dz-prog "$MARK"
	pid=$(read_pidfile "$BATS_TEST_TMPDIR/root.pid")
	wait_until 5 runs_program "$pid" sleep "$MARK" 0
	# Only behind a directory the user cannot search: EACCES, as execvp
	# says it, so 126, from the daemon, and nothing left.
	run --separate-stderr -126 env PATH="$BATS_TEST_TMPDIR/rootonly:$PATH" \
		"$DAEMONIZE" -p "$BATS_TEST_TMPDIR/none.pid" -u nobody dz-prog "$MARK"
	assert_equal "$stderr" "daemonize: $BATS_TEST_TMPDIR/rootonly/dz-prog: Permission denied"
	assert [ ! -e "$BATS_TEST_TMPDIR/none.pid" ]
}
