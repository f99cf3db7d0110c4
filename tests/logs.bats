#!/usr/bin/env bats
# Logs that look after themselves (SPEC section 9, Logs): rotation by size
# inside the supervisor, a timestamp on every line, and the logrotate
# recipes (move and reopen on ALRM, copytruncate) with a program that does
# not handle HUP.
# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # bats sets $output, $stderr; scripts are single-quoted; each test is a subshell

load helpers/common

setup() {
	supervisor_setup
}

# A test that mounted a file system of its own ($SMALL) leaves none,
# whether it got to its end or not.
teardown() {
	kill_tracked
	if [ -n "${SMALL:-}" ] && mountpoint -q "$SMALL"; then
		umount -l "$SMALL"
	fi
}

# A writer of 30000 numbered lines in bursts, once the test has read its
# pids (start_supervisor marks it: child-read), which then exits; the
# supervisor gives up after it (--max-restarts 0).
numbers_writer() {
	printf '%s\n' 'import os, sys, time' \
		"while not os.path.exists('$BATS_TEST_TMPDIR/child-read'):" \
		'    time.sleep(0.01)' \
		'for i in range(1, 30001):' \
		'    sys.stdout.write("%d\n" % i)' \
		'    if i % 500 == 0:' \
		'        sys.stdout.flush()' \
		'        time.sleep(0.002)'
}

# rotated_files: LOG.N ... LOG.1 LOG, oldest first, that exist.
rotated_files() {
	local n=1
	while [ -e "$LOG.$n" ]; do
		n=$((n + 1))
	done
	while [ "$n" -gt 1 ]; do
		n=$((n - 1))
		echo "$LOG.$n"
	done
	echo "$LOG"
}

# program_lines FILE...: the lines the program wrote, without the
# supervisor's own.
program_lines() {
	cat "$@" | grep -v '^daemonize:' || true
}

# larger_than BYTES FILE...: "SIZE FILE" of each FILE past BYTES, from one
# stat for them all (the files of a rotation are a hundred or more).
larger_than() {
	local max=$1
	shift
	stat -c '%s %n' -- "$@" | awk -v max="$max" '$1 > max'
}

# last_bytes FILE...: the last byte of each FILE as od shows it ("\n"
# for a newline), one after another, from one tail for them all.
last_bytes() {
	tail -q -c 1 -- "$@" | od -An -c | tr -d ' \n'
}

# lines_at_least FILE N: FILE has N or more lines from the program.
lines_at_least() {
	[ -f "$1" ] && [ "$(program_lines "$1" | wc -l)" -ge "$2" ]
}

# has_line FILE LINE: FILE holds LINE.
has_line() {
	[ -f "$1" ] && grep -qxF -- "$2" "$1"
}

@test "--output-max-size under a steady writer: each line once, in order, no file past its size" {
	numbers_writer >"$BATS_TEST_TMPDIR/w.py"
	start_supervisor --output "$LOG" --output-max-size 8k --output-keep 100 \
		--max-restarts 0 python3 "$BATS_TEST_TMPDIR/w.py"
	wait_until 60 pid_gone "$SUP"
	mapfile -t files < <(rotated_files)
	# 30000 lines of up to 6 bytes and the supervisor's own: 21 or more.
	assert [ "${#files[@]}" -ge 21 ]
	program_lines "${files[@]}" >"$BATS_TEST_TMPDIR/all"
	seq 1 30000 >"$BATS_TEST_TMPDIR/expected"
	run -0 cmp "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/expected"
	assert_equal "$(larger_than 8192 "${files[@]}")" ""
	# Every file ends with a whole line.
	assert_equal "$(last_bytes "${files[@]}")" "$(printf '\\n%.0s' "${files[@]}")"
	# Full ones were filled to within one line of the size.
	assert [ "$(stat -c %s "${files[0]}")" -gt $((8192 - 7)) ]
}

@test "--output-keep N: exactly N older files, the oldest dropped, the newest lines kept" {
	numbers_writer >"$BATS_TEST_TMPDIR/w.py"
	start_supervisor --output "$LOG" --output-max-size 4k --output-keep 3 \
		--max-restarts 0 python3 "$BATS_TEST_TMPDIR/w.py"
	wait_until 60 pid_gone "$SUP"
	assert [ -f "$LOG.1" ]
	assert [ -f "$LOG.2" ]
	assert [ -f "$LOG.3" ]
	assert [ ! -e "$LOG.4" ]
	program_lines "$LOG.3" "$LOG.2" "$LOG.1" "$LOG" >"$BATS_TEST_TMPDIR/kept"
	first=$(head -n 1 "$BATS_TEST_TMPDIR/kept")
	# A tail of the sequence, whole: from some line to the last.
	seq "$first" 30000 >"$BATS_TEST_TMPDIR/expected"
	run -0 cmp "$BATS_TEST_TMPDIR/kept" "$BATS_TEST_TMPDIR/expected"
	assert [ "$first" -gt 20000 ]
}

@test "--output-keep 0: the file is emptied at its size, and stays whole lines" {
	numbers_writer >"$BATS_TEST_TMPDIR/w.py"
	start_supervisor --output "$LOG" --output-max-size 4k --output-keep 0 \
		--max-restarts 0 python3 "$BATS_TEST_TMPDIR/w.py"
	wait_until 60 pid_gone "$SUP"
	assert [ ! -e "$LOG.1" ]
	assert [ "$(stat -c %s "$LOG")" -le 4096 ]
	program_lines "$LOG" >"$BATS_TEST_TMPDIR/kept"
	first=$(head -n 1 "$BATS_TEST_TMPDIR/kept")
	seq "$first" 30000 >"$BATS_TEST_TMPDIR/expected"
	run -0 cmp "$BATS_TEST_TMPDIR/kept" "$BATS_TEST_TMPDIR/expected"
}

@test "a line longer than the size or the pipe is never split: it gets a file of its own" {
	start_supervisor --output "$LOG" --output-max-size 1k --output-keep 10 \
		--max-restarts 0 python3 -c '
import os, sys, time
sys.stdout.write("before\n" + "x" * 40000 + "\nafter\n")
sys.stdout.flush()
# Not gone, with its pidfile, before start_supervisor has read it.
for _ in range(3000):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.01)' "$BATS_TEST_TMPDIR/child-read"
	wait_until 30 pid_gone "$SUP"
	mapfile -t files < <(rotated_files)
	# (awk: grep's repetition counts stop at 32767)
	run -0 awk 'length($0) == 40000 && !/[^x]/ { print FILENAME }' "${files[@]}"
	long=$output
	assert [ -n "$long" ]
	assert_equal "$(wc -l <"$long")" 1
	program_lines "${files[@]}" >"$BATS_TEST_TMPDIR/all"
	assert_equal "$(sed -n 1p "$BATS_TEST_TMPDIR/all")" before
	assert_equal "$(sed -n 3p "$BATS_TEST_TMPDIR/all")" after
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/all")" 3
}

# A program that writes lines 1..200 over about half a second.
paced_writer() {
	printf '%s\n' 'import sys, time' \
		'for i in range(1, 201):' \
		'    sys.stdout.write("line %d\n" % i)' \
		'    sys.stdout.flush()' \
		'    time.sleep(0.002)'
}

# check_stamps FORMAT FILE BEFORE AFTER: every line of FILE starts with a
# stamp of FORMAT, parsed back, between BEFORE and AFTER (seconds since
# the epoch, with a fraction), never going back; the program's 200 lines
# follow their stamps.
check_stamps() {
	python3 - "$@" <<'PYEOF'
import datetime, re, sys
fmt, path, before, after = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
pattern = {
    "utc": r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (.*)",
    "local": r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) (.*)",
    "tai64n": r"@([0-9a-f]{24}) (.*)",
}[fmt]
last, lines = None, []
for raw in open(path, encoding="ascii").read().splitlines():
    m = re.fullmatch(pattern, raw)
    assert m, "no %s stamp: %r" % (fmt, raw)
    if fmt == "tai64n":
        secs = int(m.group(1)[:16], 16) - (1 << 62) - 10
        t = secs + int(m.group(1)[16:], 16) / 1e9
    else:
        t = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp()
    assert before - 0.01 <= t <= after + 0.01, "%s out of [%s, %s]" % (t, before, after)
    assert last is None or t >= last, "went back: %s after %s" % (t, last)
    last = t
    lines.append(m.group(2))
program = [l for l in lines if not l.startswith("daemonize:")]
assert program == ["line %d" % i for i in range(1, 201)], program[:3]
assert any(l.startswith("daemonize: python3") for l in lines)
PYEOF
}

# stamped_run FORMAT [ENV...]: the paced writer under --timestamp=FORMAT;
# sets BEFORE and AFTER.
stamped_run() {
	local fmt=$1
	shift
	paced_writer >"$BATS_TEST_TMPDIR/w.py"
	BEFORE=$(date +%s.%N)
	run -0 env "$@" "$DAEMONIZE" --init -o "$LOG" --timestamp="$fmt" \
		python3 "$BATS_TEST_TMPDIR/w.py"
	AFTER=$(date +%s.%N)
}

@test "--timestamp (utc): ISO 8601 with milliseconds, parsed back, in order, the supervisor's lines too" {
	paced_writer >"$BATS_TEST_TMPDIR/w.py"
	BEFORE=$(date +%s.%N)
	run -0 "$DAEMONIZE" --init -o "$LOG" --timestamp python3 "$BATS_TEST_TMPDIR/w.py"
	AFTER=$(date +%s.%N)
	run -0 check_stamps utc "$LOG" "$BEFORE" "$AFTER"
	run -0 grep -c 'Z line ' "$LOG"
	assert_output 200
}

@test "--timestamp=local: local time with its offset" {
	stamped_run local TZ=Asia/Kolkata
	run -0 check_stamps local "$LOG" "$BEFORE" "$AFTER"
	run -0 grep -c '^[-0-9T:.]*+05:30 line ' "$LOG"
	assert_output 200
	stamped_run local TZ=America/St_Johns
	run -0 check_stamps local "$LOG" "$BEFORE" "$AFTER"
	run -0 grep -c '^[-0-9T:.]*-0[23]:30 line ' "$LOG"
	assert_output 200
}

@test "--timestamp=tai64n: what daemontools' tai64nlocal reads" {
	stamped_run tai64n
	run -0 check_stamps tai64n "$LOG" "$BEFORE" "$AFTER"
	command -v tai64nlocal >/dev/null || skip "daemontools is not installed"
	TZ=UTC tai64nlocal <"$LOG" >"$BATS_TEST_TMPDIR/local"
	# "2026-11-29 17:43:34.127061143 line 1", as tai64n itself would give.
	run -0 grep -c '^[0-9-]* [0-9:.]* line ' "$BATS_TEST_TMPDIR/local"
	assert_output 200
	first=$(head -n 1 "$BATS_TEST_TMPDIR/local" | cut -d' ' -f1,2)
	secs=$(TZ=UTC date -d "$first" +%s.%N)
	assert awk -v t="$secs" -v b="$BEFORE" -v a="$AFTER" 'BEGIN { exit !(t >= b - 0.01 && t <= a + 0.01) }'
}

@test "--timestamp and --output-max-size together: the stamp counts toward the size" {
	numbers_writer >"$BATS_TEST_TMPDIR/w.py"
	start_supervisor --output "$LOG" --timestamp --output-max-size 8k \
		--output-keep 200 --max-restarts 0 python3 "$BATS_TEST_TMPDIR/w.py"
	wait_until 60 pid_gone "$SUP"
	mapfile -t files < <(rotated_files)
	assert_equal "$(larger_than 8192 "${files[@]}")" ""
	cat "${files[@]}" | cut -d' ' -f2- | grep -v '^daemonize:' >"$BATS_TEST_TMPDIR/all"
	seq 1 30000 >"$BATS_TEST_TMPDIR/expected"
	run -0 cmp "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/expected"
	# No line without a stamp.
	run -1 grep -hv '^[-0-9T:.]*Z ' "${files[@]}"
}

# A program that does not handle HUP (a HUP would end it), writing
# numbered lines until $BATS_TEST_TMPDIR/stop appears, then "end N".
hup_naive_writer() {
	printf '%s\n' '#!/bin/sh' \
		'i=0' \
		'while [ ! -e "$1/stop" ]; do' \
		'	i=$((i + 1))' \
		'	echo "$i"' \
		'	sleep 0.002' \
		'done' \
		'echo "end $i"' \
		'exec sleep "$2"' >"$BATS_TEST_TMPDIR/writer"
	chmod +x "$BATS_TEST_TMPDIR/writer"
}

# logrotate_conf RECIPE: the recipe for RECIPE's path from the shipped
# contrib/daemonize.logrotate, made to rotate $LOG and signal $PF, in the
# test's directory, owned by root and private, as logrotate wants it.
logrotate_conf() {
	local conf=$BATS_TEST_TMPDIR/logrotate.conf other=$BATS_TEST_TMPDIR/other.log
	case $1 in
	reopen) sed -e "s|/var/log/myservice.log|$LOG|" \
		-e "s|/var/log/legacy.log|$other|" ;;
	copytruncate) sed -e "s|/var/log/legacy.log|$LOG|" \
		-e "s|/var/log/myservice.log|$other|" ;;
	esac <"$BATS_TEST_DIRNAME/../contrib/daemonize.logrotate" |
		sed -e "s|/run/myservice.pid|$PF|" \
			-e "s|daemonize --signal|$DAEMONIZE --signal|" >"$conf"
	chmod 600 "$conf"
}

run_logrotate() {
	run -0 timeout 30 logrotate -f -s "$BATS_TEST_TMPDIR/logrotate.state" \
		"$BATS_TEST_TMPDIR/logrotate.conf"
}

@test "logrotate, move and reopen on ALRM: a program that does not handle HUP is never restarted, no line lost or doubled" {
	command -v logrotate >/dev/null || skip "logrotate is not installed"
	hup_naive_writer
	logrotate_conf reopen
	start_supervisor --output "$LOG" "$BATS_TEST_TMPDIR/writer" \
		"$BATS_TEST_TMPDIR" "$MARK"
	wait_until 10 lines_at_least "$LOG" 20
	run_logrotate
	wait_until 10 lines_at_least "$LOG" 20
	run_logrotate
	wait_until 10 lines_at_least "$LOG" 20
	touch "$BATS_TEST_TMPDIR/stop"
	wait_until 10 grep -q '^end ' "$LOG"
	last=$(sed -n 's/^end //p' "$LOG")
	# The recipe compresses all but the newest moved file.
	gzip -dc "$LOG.2.gz" >"$LOG.2"
	program_lines "$LOG.2" "$LOG.1" "$LOG" | grep -v '^end ' >"$BATS_TEST_TMPDIR/all"
	seq 1 "$last" >"$BATS_TEST_TMPDIR/expected"
	run -0 cmp "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/expected"
	# Each file got a share, and the program is the one first started.
	assert [ "$(program_lines "$LOG.2" | wc -l)" -ge 20 ]
	assert [ "$(program_lines "$LOG.1" | wc -l)" -ge 20 ]
	assert_equal "$(cat "$CPF")" "$CHILD"
	assert pid_alive "$CHILD"
	run -1 grep -h '^daemonize:' "$LOG.2" "$LOG.1" "$LOG"
}

@test "logrotate copytruncate: no NUL byte, no restart, each line once" {
	command -v logrotate >/dev/null || skip "logrotate is not installed"
	logrotate_conf copytruncate
	start_supervisor --output "$LOG" sh -c '
		i=0
		while [ $i -lt 500 ]; do i=$((i + 1)); echo "$i"; done
		while [ ! -e "$1/go" ]; do sleep 0.02; done
		while [ $i -lt 1000 ]; do i=$((i + 1)); echo "$i"; done
		exec sleep "$2"' sh "$BATS_TEST_TMPDIR" "$MARK"
	wait_until 10 has_line "$LOG" 500
	run_logrotate
	touch "$BATS_TEST_TMPDIR/go"
	wait_until 10 has_line "$LOG" 1000
	# Written at the end of the emptied file: no hole of NULs before it.
	run -0 cmp "$LOG" <(seq 501 1000)
	run -0 cmp "$LOG.1" <(seq 1 500)
	assert [ ! -e "$BATS_TEST_TMPDIR/other.log.1" ]
	assert_equal "$(tr -d '\000' <"$LOG" | wc -c)" "$(stat -c %s "$LOG")"
	assert_equal "$(cat "$CPF")" "$CHILD"
	assert pid_alive "$CHILD"
}

@test "ALRM reopens without reaching the program; HUP still reaches it" {
	start_supervisor --output "$LOG" sh -c \
		'trap "echo hup" HUP; trap "echo alrm" ALRM; echo up; while :; do sleep 0.02; done'
	wait_until 5 has_line "$LOG" up
	mv "$LOG" "$LOG.old"
	kill -ALRM "$SUP"
	wait_until 5 test -e "$LOG"
	kill -HUP "$SUP"
	wait_until 5 has_line "$LOG" hup
	run -1 grep -x alrm "$LOG" "$LOG.old"
	assert_equal "$(cat "$CPF")" "$CHILD"
}

@test "a rotation that cannot be made is said once per size, and no line is lost" {
	# FILE.1 is a directory: FILE cannot be renamed over it.
	mkdir -p "$LOG.1/full"
	numbers_writer >"$BATS_TEST_TMPDIR/w.py"
	start_supervisor --output "$LOG" --output-max-size 64k --output-keep 1 \
		--max-restarts 0 python3 "$BATS_TEST_TMPDIR/w.py"
	wait_until 60 pid_gone "$SUP"
	program_lines "$LOG" >"$BATS_TEST_TMPDIR/all"
	run -0 cmp "$BATS_TEST_TMPDIR/all" <(seq 1 30000)
	run -0 grep -c "^daemonize: rotating $LOG: Is a directory; still writing to it\$" "$LOG"
	# 170 kB of lines past a 64 kB size: tried at 64 kB and at 128 kB.
	assert_output 2
	assert [ -d "$LOG.1/full" ]
}

@test "the daemon's user cannot steer rotation: symbolic links are moved, never followed" {
	is_root || skip "needs root to run the daemon as another user"
	local dir=$BATS_TEST_TMPDIR/logs victim=$BATS_TEST_TMPDIR/victim
	open_for_nobody
	mkdir "$dir"
	chown nobody "$dir"
	echo precious >"$victim"
	LOG=$dir/log
	# The program, as nobody, writes until a rotation has happened, puts
	# symbolic links to root's file where the next rotation and a reopen
	# would write, and writes on.  It pauses in between until the test has
	# seen all it wrote in the log: no rotation comes while it moves files.
	start_supervisor -u nobody --output "$LOG" --output-max-size 2k \
		--output-keep 3 sh -c '
		i=0
		while [ ! -e "$1.1" ]; do i=$((i + 1)); echo "$i"; done
		echo paused
		while [ ! -e "$3/plant" ]; do sleep 0.02; done
		ln -sf "$2" "$1.2"
		mv "$1" "$1.moved"
		ln -s "$2" "$1"
		echo planted
		while [ ! -e "$3/go" ]; do sleep 0.02; done
		# Enough after it for a rotation, however far i got.
		j=0
		while [ $j -lt 1000 ]; do j=$((j + 1)); echo "more $j"; done
		echo done
		exec sleep "$4"' sh "$LOG" "$victim" "$BATS_TEST_TMPDIR" "$MARK"
	# A rotation comes before a line, never after: once the last line is
	# in the file at $LOG, none is due.
	wait_until 10 has_line "$LOG" paused
	touch "$BATS_TEST_TMPDIR/plant"
	wait_until 10 has_line "$LOG.moved" planted
	kill -ALRM "$SUP"
	wait_until 5 grep -q "^daemonize: reopening $LOG: is a symbolic link" "$LOG.moved"
	touch "$BATS_TEST_TMPDIR/go"
	# The name is no longer the file written to: nothing is shifted, a
	# new file is refused (a link), the output goes on where it was.
	wait_until 10 grep -qx "done" "$LOG.moved"
	run -0 grep -c "^daemonize: rotating $LOG: is a symbolic link, refusing to follow it; still writing to the old file\$" "$LOG.moved" ||
		{ ls -la "$dir"; grep daemonize "$dir"/*; false; }
	assert_equal "$(cat "$victim")" precious
	assert [ -L "$LOG" ]
	assert_equal "$(stat -c %U "$LOG.moved")" root
}

@test "a new file that cannot be made at rotation: said, and every line kept in the one written to" {
	is_root || skip "needs root to mount a file system"
	local small=$BATS_TEST_TMPDIR/small
	mkdir "$small"
	# Room for the directory and one file: the rename works, the new
	# file cannot be made.
	mount -t tmpfs -o size=1m,nr_inodes=2 tmpfs "$small" || skip "cannot mount a tmpfs"
	SMALL=$small
	LOG=$small/log
	numbers_writer >"$BATS_TEST_TMPDIR/w.py"
	run -0 "$DAEMONIZE" -r -p "$PF" --output "$LOG" --output-max-size 64k \
		--output-keep 3 --max-restarts 0 python3 "$BATS_TEST_TMPDIR/w.py"
	SUP=$(read_pidfile "$PF")
	touch "$BATS_TEST_TMPDIR/child-read"
	wait_until 60 pid_gone "$SUP"
	program_lines "$LOG.1" >"$BATS_TEST_TMPDIR/all"
	umount "$small"
	run -0 cmp "$BATS_TEST_TMPDIR/all" <(seq 1 30000)
}

@test "a log emptied by someone else (copytruncate) counts from what it holds" {
	start_supervisor --output "$LOG" --output-max-size 4k --output-keep 3 sh -c '
		i=0
		while [ $i -lt 300 ]; do i=$((i + 1)); echo "line $i"; done
		while [ ! -e "$1/go" ]; do sleep 0.02; done
		while [ $i -lt 600 ]; do i=$((i + 1)); echo "line $i"; done
		exec sleep "$2"' sh "$BATS_TEST_TMPDIR" "$MARK"
	wait_until 10 has_line "$LOG" "line 300"
	# About 3 kB written, then emptied in place: the next 3 kB fit.
	truncate -s 0 "$LOG"
	touch "$BATS_TEST_TMPDIR/go"
	wait_until 10 has_line "$LOG" "line 600"
	assert [ ! -e "$LOG.1" ]
	run -0 cmp "$LOG" <(seq -f 'line %g' 301 600)
}

@test "the log options without a supervisor or a file: one line, exit 2, nothing left" {
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" -o "$LOG" --timestamp sleep 1
	assert_equal "$stderr" "daemonize: --timestamp: only with --respawn or --init, whose supervisor writes the log"
	run --separate-stderr -2 "$DAEMONIZE" -p "$PF" -o "$LOG" --output-max-size 1M sleep 1
	assert_equal "$stderr" "daemonize: --output-max-size: only with --respawn or --init, whose supervisor writes the log"
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" --timestamp sleep 1
	assert_equal "$stderr" "daemonize: --timestamp: needs a log file (-o, -e or --output)"
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" --syslog --output-max-size 1M sleep 1
	assert_equal "$stderr" "daemonize: --output-max-size: not with --syslog, which stamps and keeps its own"
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" -o "$LOG" --output-keep 3 sleep 1
	assert_equal "$stderr" "daemonize: --output-keep: only with --output-max-size"
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" -o "$LOG" --output-max-size 10x sleep 1
	assert_equal "$stderr" "daemonize: --output-max-size 10x: expected a size in bytes, with k, M or G"
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" -o "$LOG" --output-max-size 1M --output-keep 1001 sleep 1
	assert_equal "$stderr" "daemonize: --output-keep 1001: expected 0 to 1000"
	run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" -o "$LOG" --timestamp=iso sleep 1
	assert_equal "$stderr" "daemonize: --timestamp iso: expected utc, local or tai64n"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$LOG" ]
}

@test "a name that rotation would take is no other file's: -e, -p, --child-pidfile refused, exit 2" {
	local args
	for args in "-o $LOG -e $LOG.1" "-o $LOG.3 -e $LOG" "--output $LOG --child-pidfile $LOG.10"; do
		# shellcheck disable=SC2086 # args are words
		run --separate-stderr -2 "$DAEMONIZE" -r -p "$PF" --output-max-size 1M $args sleep "$MARK"
		assert_regex "$stderr" "^daemonize: (-e|-o|--child-pidfile) [^ ]*: a name that rotating (-o|-e|--output) $LOG takes\$"
	done
	# The same, said the other way: a relative name in the same directory.
	run --separate-stderr -2 env -C "$BATS_TEST_TMPDIR" "$DAEMONIZE" -r -p "$LOG.7" --output-max-size 1M --output log sleep "$MARK"
	track_marker "$MARK"
	assert_equal "$stderr" "daemonize: -p $LOG.7: a name that rotating --output log takes"
	assert [ ! -e "$PF" ]
	assert [ ! -e "$LOG" ]
	# Past --output-keep, or with none kept, no rotation takes the name.
	run -0 "$DAEMONIZE" -r -p "$LOG.11" --output-max-size 1M --output "$LOG" sleep "$MARK"
	SUP=$(read_pidfile "$LOG.11")
	run -0 "$DAEMONIZE" -r -p "$PF" --output-max-size 1M --output-keep 0 -o "$LOG.x" -e "$LOG.x.1" sleep "$MARK"
	read_pidfile "$PF" >/dev/null
	# Their children too: a supervisor KILLed by teardown leaves them.
	children_too() { [ "$(procs_with_arg "$MARK" | wc -l)" -ge 4 ]; }
	wait_until 5 children_too
	track_marker "$MARK"
}
