#!/usr/bin/env bats
# What a service manager gives a service (SPEC section 9, Service
# settings): env files, a runtime directory, the OOM score, I/O and CPU
# scheduling, CPU affinity, no_new_privs and ambient capabilities across
# -u, each read from /proc or the tools that read it; each bad value a
# clean error with nothing left behind.
# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # bats sets $output, $stderr; scripts are single-quoted; each test is a subshell

load helpers/common

setup() {
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
}

# environ_of PID NAME: the value of NAME in PID's environment.
environ_of() {
	tr '\0' '\n' <"/proc/$1/environ" | sed -n "s/^$2=//p"
}

@test "--env-file: quotes, comments and blank lines, applied in order with -E" {
	local f=$BATS_TEST_TMPDIR/env
	cat >"$f" <<'EOF'
# a comment

A=from-file
B = spaced words  
C='single $HOME "kept"'
D="double \"escaped\" \\ back"
E=
	INDENTED=yes
EOF
	start_sleep -E A=before --env-file "$f" -E B=after
	assert_equal "$(environ_of "$PID" A)" from-file
	assert_equal "$(environ_of "$PID" B)" after
	assert_equal "$(environ_of "$PID" C)" 'single $HOME "kept"'
	assert_equal "$(environ_of "$PID" D)" 'double "escaped" \ back'
	run -0 grep -qxz 'E=' "/proc/$PID/environ"
	assert_equal "$(environ_of "$PID" INDENTED)" yes
}

@test "--env-file is read before -u: a file only root may read" {
	is_root || skip "needs root to run the daemon as another user"
	local f=$BATS_TEST_TMPDIR/secret.env
	echo 'TOKEN=s3cret' >"$f"
	chmod 600 "$f"
	start_sleep -u nobody --env-file "$f"
	assert_equal "$(environ_of "$PID" TOKEN)" s3cret
	assert_equal "$(status_field "$PID" Uid | awk '{ print $1 }')" 65534
}

@test "--env-file is read to its end, not to its size: files of /proc that say 0" {
	# Their size reads as 0, and their content is there all the same.
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" --env-file /proc/sys/kernel/hostname sleep "$MARK"
	assert_equal "$stderr" "daemonize: /proc/sys/kernel/hostname:1: expected NAME=VALUE"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --env-file /proc/self/environ sleep "$MARK"
	assert_equal "$stderr" "daemonize: --env-file /proc/self/environ: holds a NUL byte"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--env-file: a malformed line names FILE:LINE, exit 2; a missing file 125, or nothing with -" {
	local f=$BATS_TEST_TMPDIR/env
	printf 'GOOD=1\n\nnot an assignment\n' >"$f"
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" --env-file "$f" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $f:3: expected NAME=VALUE"
	printf 'A="unclosed\n' >"$f"
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" --env-file "$f" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $f:1: no closing quote"
	printf "A='x' y\n" >"$f"
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" --env-file "$f" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $f:1: text after the closing quote"
	printf 'OK=crlf\r\n1A=x\n' >"$f"
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" --env-file "$f" sleep "$MARK"
	assert_equal "$stderr" "daemonize: $f:2: expected NAME=VALUE"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --env-file "$f.none" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --env-file $f.none: No such file or directory"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --env-file "$BATS_TEST_TMPDIR" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --env-file $BATS_TEST_TMPDIR: not a regular file"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	head -c 1100000 /dev/zero | tr '\0' '#' >"$f.big"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --env-file "$f.big" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --env-file $f.big: File too large"
	mkfifo "$f.fifo"
	run --separate-stderr -125 timeout 10 "$DAEMONIZE" -p "$PF" --env-file "$f.fifo" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --env-file $f.fifo: not a regular file"
	printf 'A=1\0\n' >"$f.nul"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --env-file "$f.nul" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --env-file $f.nul: holds a NUL byte"
	start_sleep --env-file "-$f.none" -E X=1
	assert_equal "$(environ_of "$PID" X)" 1
}

@test "--runtime-dir: made for the -u user, mode 0755, whatever the umask" {
	is_root || skip "needs root to run the daemon as another user"
	local dir=$BATS_TEST_TMPDIR/run
	start_sleep -u nobody -m 077 --runtime-dir "$dir"
	assert_equal "$(stat -c '%U %G %a %F' "$dir")" "nobody nogroup 755 directory"
	kill "$PID"
	wait_until 5 pid_gone "$PID"
	# It stays, and a second start finds it the user's.
	rm -f "$PF"
	start_sleep -u nobody --runtime-dir "$dir"
	assert_equal "$(stat -c '%U %a' "$dir")" "nobody 755"
}

@test "--runtime-dir: another owner's directory, a symbolic link, a pidfile inside: refused, nothing left" {
	is_root || skip "needs root to run the daemon as another user"
	local dir=$BATS_TEST_TMPDIR/run
	mkdir "$dir"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" -u nobody --runtime-dir "$dir" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --runtime-dir $dir: owned by uid 0, not by uid 65534"
	ln -s "$dir" "$dir.link"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --runtime-dir "$dir.link" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --runtime-dir $dir.link: not a directory, or a symbolic link"
	assert [ ! -e "$PF" ]
	# The pidfile in the user's directory: CVE-2017-14159's class.
	run --separate-stderr -2 "$DAEMONIZE" -p "$dir.new/d.pid" -u nobody --runtime-dir "$dir.new" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --runtime-dir $dir.new: $dir.new/d.pid would lie in a directory the daemon's user owns, who could replace it; keep it elsewhere"
	assert [ ! -e "$dir.new" ]
	# A start that fails later removes the directory it made.
	run -127 "$DAEMONIZE" -p "$PF" -u nobody --runtime-dir "$dir.new" /nonexistent/program
	assert [ ! -e "$dir.new" ]
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

# has_cap N: this shell has capability number N in its effective set.
has_cap() {
	[ $((0x$(status_field $$ CapEff) >> $1 & 1)) -eq 1 ]
}

@test "--runtime-dir and the pidfile given relative to the caller's directory" {
	is_root || skip "needs root to run the daemon as another user"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr -2 "$DAEMONIZE" -p run/d.pid -u nobody --runtime-dir run/ sleep "$MARK"
	assert_equal "$stderr" "daemonize: --runtime-dir $BATS_TEST_TMPDIR/run: run/d.pid would lie in a directory the daemon's user owns, who could replace it; keep it elsewhere"
	assert [ ! -e run ]
	run -0 "$DAEMONIZE" -p d.pid -u nobody --runtime-dir run sleep "$MARK"
	PID=$(read_pidfile "$BATS_TEST_TMPDIR/d.pid")
	assert_equal "$(stat -c '%U %a' "$BATS_TEST_TMPDIR/run")" "nobody 755"
}

@test "--oom-score-adj: in /proc, lowered as root before -u" {
	start_sleep --oom-score-adj 500
	assert_equal "$(cat "/proc/$PID/oom_score_adj")" 500
	is_root || skip "needs root to lower the score and change user"
	# CAP_SYS_RESOURCE is 24; some containers do not grant it.
	has_cap 24 || skip "this root may not lower an OOM score (no CAP_SYS_RESOURCE)"
	rm -f "$PF"
	start_sleep -u nobody --oom-score-adj -900
	assert_equal "$(cat "/proc/$PID/oom_score_adj")" -900
}

@test "--ionice: the class and level ionice -p reads" {
	start_sleep --ionice idle
	assert_equal "$(ionice -p "$PID")" idle
	rm -f "$PF"
	start_sleep --ionice best-effort:6
	assert_equal "$(ionice -p "$PID")" "best-effort: prio 6"
	is_root || skip "needs root for the realtime class"
	rm -f "$PF"
	start_sleep --ionice realtime
	assert_equal "$(ionice -p "$PID")" "realtime: prio 4"
}

@test "--sched: the policy and priority chrt -p reads" {
	start_sleep --sched batch
	run -0 chrt -p "$PID"
	assert_line --index 0 --partial "SCHED_BATCH"
	rm -f "$PF"
	start_sleep --sched idle
	run -0 chrt -p "$PID"
	assert_line --index 0 --partial "SCHED_IDLE"
	is_root || skip "needs root for a realtime policy"
	rm -f "$PF"
	start_sleep --sched fifo:10 -u nobody
	run -0 chrt -p "$PID"
	assert_line --index 0 --partial "SCHED_FIFO"
	assert_line --index 1 --partial "priority: 10"
}

@test "--cpu-affinity: the list taskset takes, in Cpus_allowed_list" {
	start_sleep --cpu-affinity 0
	assert_equal "$(status_field "$PID" Cpus_allowed_list)" 0
	[ "$(nproc --all)" -ge 2 ] || skip "one CPU only"
	rm -f "$PF"
	start_sleep --cpu-affinity 0-1:1
	assert_equal "$(status_field "$PID" Cpus_allowed_list)" 0-1
	rm -f "$PF"
	start_sleep --cpu-affinity 1,0
	assert_equal "$(status_field "$PID" Cpus_allowed_list)" 0-1
}

@test "--no-new-privs: NoNewPrivs in /proc" {
	start_sleep
	assert_equal "$(status_field "$PID" NoNewPrivs)" 0
	rm -f "$PF"
	start_sleep --no-new-privs
	assert_equal "$(status_field "$PID" NoNewPrivs)" 1
}

@test "--cap: ambient across -u, nothing more" {
	is_root || skip "needs root to change user"
	"$DAEMONIZE" -V | grep -qx 'caps: libcap' || skip "built without libcap"
	start_sleep -u nobody --cap net_bind_service,CAP_NET_RAW
	# net_bind_service is 10, net_raw 13.
	assert_equal "$(status_field "$PID" CapAmb)" 0000000000002400
	assert_equal "$(status_field "$PID" CapEff)" 0000000000002400
	assert_equal "$(status_field "$PID" CapPrm)" 0000000000002400
	rm -f "$PF"
	start_sleep -u nobody
	assert_equal "$(status_field "$PID" CapEff)" 0000000000000000
	assert_equal "$(status_field "$PID" CapAmb)" 0000000000000000
}

# maps_libcap PID: the lines of PID's memory map that are libcap's.
maps_libcap() {
	grep 'libcap\.so' "/proc/$1/maps" || true
}

@test "the dynamic build loads libcap for --cap alone" {
	"$DAEMONIZE" -V | grep -qx 'caps: libcap' || skip "built without libcap"
	# A supervisor lives on: nothing it ran, nor anything before, mapped
	# libcap.
	# shellcheck disable=SC2034 # start_supervisor's child pidfile
	local CPF=$BATS_TEST_TMPDIR/child.pid
	start_supervisor sleep "$MARK"
	grep -q '/ld-linux' "/proc/$SUP/maps" || skip "a static build"
	assert_equal "$(maps_libcap "$SUP")" ""
	run -0 "$DAEMONIZE" -V
	assert_line 'libcap: loaded for --cap'
}

@test "the dynamic build says why it cannot load libcap for --cap" {
	"$DAEMONIZE" -V | grep -qx 'libcap: loaded for --cap' ||
		skip "libcap is linked in or absent"
	is_root || skip "needs root for a mount namespace"
	# glibc 2.36 leaks the path of a library it failed to load.
	skip_under_valgrind "a failed dlopen leaks inside the C library"
	local lib
	lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libcap\.so\.2 (.*x86-64.*) => //p' | head -n 1)
	[ -n "$lib" ] || lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libcap\.so\.2 .* => //p' | head -n 1)
	[ -n "$lib" ] || skip "no libcap.so.2 known to ldconfig"
	lib=$(readlink -f "$lib")
	# With libcap unreadable (a file of no bytes over it), --cap fails.
	run --separate-stderr -125 unshare -m sh -c 'mount --bind /dev/null "$1" &&
		shift && exec "$@"' sh "$lib" "$DAEMONIZE" -p "$PF" -u nobody \
		--cap net_bind_service sleep "$MARK"
	assert_regex "$stderr" "^daemonize: --cap net_bind_service: .*libcap\.so\.2: .+$"
	assert_equal "${#stderr_lines[@]}" 1
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
	# Only a start needs the names: --status does not fail for them.
	run -3 unshare -m sh -c 'mount --bind /dev/null "$1" && shift &&
		exec "$@"' sh "$lib" "$DAEMONIZE" --cap net_bind_service \
		--status -p "$PF"
}

# port_free PORT: nothing accepts on 127.0.0.1:PORT.
port_free() {
	! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

@test "--cap net_bind_service: a python3 server as nobody accepts on 127.0.0.1:80" {
	is_root || skip "needs root to change user"
	"$DAEMONIZE" -V | grep -qx 'caps: libcap' || skip "built without libcap"
	port_free 80 || skip "something already listens on port 80"
	run -0 "$DAEMONIZE" -p "$PF" -u nobody --cap net_bind_service \
		--wait-for tcp:127.0.0.1:80 python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 80))
s.listen(5)
while True:
    c, _ = s.accept()
    c.sendall(b"hello from port 80\n")
    c.close()'
	PID=$(read_pidfile "$PF")
	assert_equal "$(status_field "$PID" Uid | awk '{ print $1 }')" 65534
	run -0 timeout 5 python3 -c '
import socket
print(socket.create_connection(("127.0.0.1", 80)).recv(64).decode().strip())'
	assert_output "hello from port 80"
	# Without the capability, the same start fails: it was the capability.
	kill "$PID"
	wait_until 5 pid_gone "$PID"
	rm -f "$PF"
	run -125 "$DAEMONIZE" -p "$PF" -u nobody --wait=2 python3 -c '
import socket
socket.socket().bind(("127.0.0.1", 80))'
}

@test "--cap the caller lacks: 125, a clear line, nothing left" {
	is_root || skip "needs root to change user"
	"$DAEMONIZE" -V | grep -qx 'caps: libcap' || skip "built without libcap"
	run --separate-stderr -125 without_caps net_bind_service "$DAEMONIZE" -p "$PF" \
		-u nobody --cap net_bind_service sleep "$MARK"
	assert_equal "$stderr" "daemonize: --cap net_bind_service: Operation not permitted"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "a setting the kernel refuses at start: 125, the option named, nothing left" {
	# CPU 100: within every C library's cpu_set_t, beyond this machine.
	[ "$(nproc --all)" -le 100 ] || skip "this machine has a CPU 100"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" --cpu-affinity 100 sleep "$MARK"
	assert_equal "$stderr" "daemonize: --cpu-affinity 100: Invalid argument"
	assert [ ! -e "$PF" ]
	is_root || skip "needs root to drop a capability"
	run --separate-stderr -125 without_caps sys_resource "$DAEMONIZE" -p "$PF" \
		--oom-score-adj -500 sleep "$MARK"
	assert_equal "$stderr" "daemonize: --oom-score-adj -500: Permission denied"
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "a kernel without a setting's system call (ENOSYS): 125 naming the option, nothing left" {
	[ -x "${DENY_SYSCALL:-}" ] || skip "no seccomp helper"
	local dir=$BATS_TEST_TMPDIR/run
	while read -r call opt value; do
		run --separate-stderr -125 "$DENY_SYSCALL" "$call" "$DAEMONIZE" -p "$PF" \
			--runtime-dir "$dir" "$opt" "$value" sleep "$MARK"
		assert_equal "$stderr" "daemonize: $opt $value: Function not implemented"
		assert [ ! -e "$PF" ]
		assert [ ! -e "$dir" ]
	done <<'EOF'
ioprio_set --ionice idle
sched_setscheduler --sched batch
sched_setaffinity --cpu-affinity 0
EOF
	if is_root && "$DAEMONIZE" -V | grep -qx 'caps: libcap'; then
		run --separate-stderr -125 "$DENY_SYSCALL" capset "$DAEMONIZE" -p "$PF" \
			-u nobody --cap net_bind_service sleep "$MARK"
		assert_equal "$stderr" "daemonize: --cap net_bind_service: Function not implemented"
		assert [ ! -e "$PF" ]
	fi
	assert_equal "$(procs_with_arg "$MARK")" ""
}

@test "--runtime-dir: a link planted in a directory the user owns is never followed; root's own links are" {
	is_root || skip "needs root to run the daemon as another user"
	local nb=$BATS_TEST_TMPDIR/nb
	mkdir "$nb" "$BATS_TEST_TMPDIR/target"
	chown nobody "$nb"
	ln -s "$BATS_TEST_TMPDIR/target" "$nb/p"
	chown -h nobody "$nb/p"
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" -u nobody --runtime-dir "$nb/p/evil" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --runtime-dir $nb/p/evil: not a directory, or a symbolic link"
	assert [ ! -e "$BATS_TEST_TMPDIR/target/evil" ]
	# A trailing slash names the link, not where it points.
	run --separate-stderr -125 "$DAEMONIZE" -p "$PF" -u nobody --runtime-dir "$nb/p/" sleep "$MARK"
	assert_equal "$stderr" "daemonize: --runtime-dir $nb/p: not a directory, or a symbolic link"
	# A link of root's in root's own directory (as /var/run): followed.
	ln -s "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/rootlink"
	start_sleep -u nobody --runtime-dir "$BATS_TEST_TMPDIR/rootlink/app"
	assert_equal "$(stat -c %U "$BATS_TEST_TMPDIR/target/app")" nobody
}

@test "the settings reach every child of a supervisor" {
	local cpf=$BATS_TEST_TMPDIR/child.pid child
	run -0 "$DAEMONIZE" -r -p "$PF" --child-pidfile "$cpf" --oom-score-adj 300 \
		--ionice idle --no-new-privs --restart-delay 0.1 sleep "$MARK"
	SUP=$(read_pidfile "$PF")
	child=$(read_pidfile "$cpf")
	assert_equal "$(cat "/proc/$child/oom_score_adj")" 300
	assert_equal "$(ionice -p "$child")" idle
	assert_equal "$(status_field "$child" NoNewPrivs)" 1
	# The supervisor itself keeps its own.
	assert_equal "$(status_field "$SUP" NoNewPrivs)" 0
	kill "$child"
	wait_until 5 pid_gone "$child"
	wait_until 5 new_child "$cpf" "$child"
	child=$(read_pidfile "$cpf")
	# Its pid is written at the fork: look once it has made its exec.
	wait_until 5 runs_program "$child" sleep "$MARK"
	assert_equal "$(cat "/proc/$child/oom_score_adj")" 300
}

@test "bad setting values: one line, exit 2, nothing left" {
	local bad
	while IFS='|' read -r opt value expected; do
		run --separate-stderr -2 "$DAEMONIZE" -p "$PF" "$opt" "$value" sleep "$MARK"
		assert_equal "$stderr" "daemonize: $opt $value: expected $expected"
	done <<'EOF'
--oom-score-adj|1001|-1000 to 1000
--oom-score-adj|x|-1000 to 1000
--ionice|fast|realtime, best-effort or idle, with :0 to :7 for the first two
--ionice|idle:1|realtime, best-effort or idle, with :0 to :7 for the first two
--ionice|best-effort:8|realtime, best-effort or idle, with :0 to :7 for the first two
--sched|fifo|other, batch or idle, or fifo or rr with a priority from 1 to 99 (fifo:10)
--sched|rr:100|other, batch or idle, or fifo or rr with a priority from 1 to 99 (fifo:10)
--sched|batch:5|other, batch or idle, or fifo or rr with a priority from 1 to 99 (fifo:10)
--sched|deadline|other, batch or idle, or fifo or rr with a priority from 1 to 99 (fifo:10)
--cpu-affinity|3-1|a list of CPUs such as 0,2-3 or 0-7:2
--cpu-affinity|0,,1|a list of CPUs such as 0,2-3 or 0-7:2
--cpu-affinity|1024|a list of CPUs such as 0,2-3 or 0-7:2
--cpu-affinity|2:2|a list of CPUs such as 0,2-3 or 0-7:2
EOF
	if "$DAEMONIZE" -V | grep -qx 'caps: libcap'; then
		bad="capability names such as net_bind_service, comma-separated"
	else
		bad="capability names, but daemonize was built without libcap"
	fi
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" -u nobody --cap net_bind_servic sleep "$MARK"
	assert_equal "$stderr" "daemonize: --cap net_bind_servic: expected $bad"
	if "$DAEMONIZE" -V | grep -qx 'caps: libcap'; then
		run --separate-stderr -2 "$DAEMONIZE" -p "$PF" --cap net_bind_service sleep "$MARK"
		assert_equal "$stderr" "daemonize: --cap: only with -u, whose user would otherwise lose them"
		if is_root; then
			run --separate-stderr -2 "$DAEMONIZE" -p "$PF" -u root --cap net_raw sleep "$MARK"
			assert_equal "$stderr" "daemonize: --cap: -u root is root, who keeps every capability"
		fi
	fi
	assert [ ! -e "$PF" ]
	assert_equal "$(procs_with_arg "$MARK")" ""
}
