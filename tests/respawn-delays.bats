#!/usr/bin/env bats
# -r/--respawn's restart delays: how they grow, start over and stay as
# asked above the cap (SPEC section 6, Supervision).  A file of its own:
# its delays are real, a minute and more of waiting, which runs beside
# the other test files.

# shellcheck disable=SC2154 # bats sets $output

load helpers/common

setup() {
	supervisor_setup
}

@test "a crash loop: delays grow, then it gives up and removes its pidfiles" {
	start_crashing --output "$LOG" --restart-delay 0.1 --max-restarts 5 \
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

@test "restarts that have left --restart-window no longer count" {
	# A run of 0.4 s, restarted at once: any 1 s holds two restarts
	# before the one due, never the three that would end it.
	start_crashing --output "$LOG" --restart-delay 0 --max-restarts 3 \
		--restart-window 1 sh -c 'sleep 0.4; exit 1'
	restarted() { [ "$(grep -c '^daemonize: restarting sh' "$LOG")" -ge 6 ]; }
	wait_until 15 restarted
	assert pid_alive "$SUP"
	refute grep -q 'giving up' "$LOG"
	# The same runs against a window of 2 s: the fourth within it ends it.
	kill "$SUP"
	wait_until 5 pid_gone "$SUP"
	rm -f "$PF" "$CPF"
	start_crashing --output "$LOG.2" --restart-delay 0 --max-restarts 3 \
		--restart-window 2 sh -c 'sleep 0.4; exit 1'
	wait_until 15 pid_gone "$SUP"
	assert_equal "$(grep -c '^daemonize: restarting sh' "$LOG.2")" 3
	assert grep -q 'daemonize: sh restarted 3 times within 2 s; giving up' "$LOG.2"
}

@test "a child that lived 10 s is not dying young: the delay starts over" {
	runs=$BATS_TEST_TMPDIR/runs
	cat >"$BATS_TEST_TMPDIR/prog" <<SH
#!/bin/sh
n=\$(cat "$runs" 2>/dev/null || echo 0)
echo \$((n + 1)) >"$runs"
[ "\$n" -eq 2 ] && sleep 10.2
[ "\$n" -ge 4 ] && exec sleep $MARK
exit 1
SH
	chmod 755 "$BATS_TEST_TMPDIR/prog"
	start_crashing --output "$LOG" --restart-delay 0.1 "$BATS_TEST_TMPDIR/prog"
	five_runs() { [ "$(cat "$runs")" -ge 5 ]; }
	wait_until 20 five_runs
	run grep -o 'restarting .* in [0-9.]* s' "$LOG"
	assert_output "restarting $BATS_TEST_TMPDIR/prog in 0.100 s
restarting $BATS_TEST_TMPDIR/prog in 0.200 s
restarting $BATS_TEST_TMPDIR/prog in 0.100 s
restarting $BATS_TEST_TMPDIR/prog in 0.200 s"
	track_marker "$MARK"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
	assert [ ! -e "$PF" ]
}

@test "--restart-delay above the 60 s cap: every delay is the one asked for" {
	start_crashing --output "$LOG" --restart-delay 60.5 sh -c 'exit 1'
	# Read in the shell: this polls for two minutes.
	two_delays() {
		local line n=0
		while IFS= read -r line; do
			[[ $line != "daemonize: restarting"* ]] || n=$((n + 1))
		done <"$LOG"
		[ "$n" -ge 2 ]
	}
	wait_until 70 two_delays
	run grep '^daemonize: restarting' "$LOG"
	assert_line --index 0 "daemonize: restarting sh in 60.500 s"
	assert_line --index 1 "daemonize: restarting sh in 60.500 s"
	kill -TERM "$SUP"
	wait_until 5 pid_gone "$SUP"
}
