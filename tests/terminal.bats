#!/usr/bin/env bats
# As a person at a terminal: start a daemon from a shell inside tmux, kill
# the tmux server, and the daemon lives on without a terminal.
# shellcheck disable=SC2154 # bats sets $output, $stderr, $status; scripts for sh -c are single-quoted

load helpers/common

setup() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	PF=$BATS_TEST_TMPDIR/d.pid
	MARK=$(unique_marker)
	SOCK=$BATS_TEST_TMPDIR/sock
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	kill_tracked
}

@test "a daemon started in tmux survives the tmux server and has no terminal" {
	tmux -S "$SOCK" new-session -d -x 120 -y 30 "exec bash --norc --noprofile"
	shell=$(tmux -S "$SOCK" display-message -p '#{pane_pid}')
	assert [ "$(proc_field "$shell" 7)" != 0 ]
	tmux -S "$SOCK" send-keys "'$DAEMONIZE' -p '$PF' sleep $MARK; echo rc=\$?" Enter
	wait_until 10 file_nonempty "$PF"
	pid=$(read_pidfile "$PF")
	capture() { tmux -S "$SOCK" capture-pane -p | grep -q '^rc=0$'; }
	wait_until 10 capture
	assert_equal "$(proc_field "$pid" 7)" 0
	if ! setsid_fallback; then
		assert [ "$(proc_field "$pid" 6)" != "$(proc_field "$shell" 6)" ]
	fi
	assert [ "$(proc_field "$pid" 5)" != "$(proc_field "$shell" 5)" ]
	tmux -S "$SOCK" kill-server
	wait_until 10 pid_gone "$shell"
	pid_alive "$pid"
	assert_equal "$(proc_field "$pid" 7)" 0
	assert_equal "$(procs_with_arg "$MARK")" "$pid"
}

@test "the terminal's hangup and interrupt do not reach the daemon" {
	tmux -S "$SOCK" new-session -d -x 120 -y 30 "exec bash --norc --noprofile"
	tmux -S "$SOCK" send-keys "'$DAEMONIZE' -p '$PF' sleep $MARK" Enter
	pid=$(read_pidfile "$PF")
	# The pid is written before the exec.
	wait_until 5 runs_program "$pid" sleep "$MARK"
	tmux -S "$SOCK" send-keys C-c
	tmux -S "$SOCK" send-keys C-z
	tmux -S "$SOCK" send-keys C-\\
	tmux -S "$SOCK" kill-session
	wait_until 5 tmux_gone
	pid_alive "$pid"
	assert_equal "$(proc_field "$pid" 3)" S
}

tmux_gone() {
	! tmux -S "$SOCK" has-session 2>/dev/null
}
