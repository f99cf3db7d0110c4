#!/usr/bin/env bats
# The shell completions in contrib/completions: the bash one run through
# bash's own completion machinery (COMP_WORDS, COMP_CWORD, COMP_LINE and
# COMP_POINT set as readline sets them, the function called, COMPREPLY
# read), with bash-completion's helpers, which it uses; the zsh and fish
# ones checked by their shells, when installed.  Every option of --help
# must be completed, so that a new option without completion fails here.
# shellcheck disable=SC2154,SC2016 # bats sets $output, $lines; scripts for bash -c are single-quoted

load helpers/common

COMPLETIONS=$BATS_TEST_DIRNAME/../contrib/completions
SRC=$BATS_TEST_DIRNAME/../src
: "${BASH_COMPLETION:=/usr/share/bash-completion/bash_completion}"

need_bash_completion() {
	[ -r "$BASH_COMPLETION" ] ||
		skip "bash-completion is not installed ($BASH_COMPLETION)"
}

# complete_bash LINE: what the bash completion offers for the end of LINE,
# one a line.  A bash of its own loads bash-completion and our file, splits
# LINE as readline does with the default COMP_WORDBREAKS (at blanks, and a
# run of = or : is a word of its own) and calls the function as complete
# -F would.  compopt works only under a real completion: it does nothing.
complete_bash() {
	run -0 bash --norc --noprofile -c '
		source "$1" || exit 1
		source "$2" || exit 1
		compopt() { :; }
		line=$3
		COMP_LINE=$line
		COMP_POINT=${#line}
		COMP_WORDS=()
		read -ra blank <<<"$line"
		for w in "${blank[@]}"; do
			while [[ $w =~ ^([=:]+|[^=:]+) ]]; do
				COMP_WORDS+=("${BASH_REMATCH[0]}")
				w=${w:${#BASH_REMATCH[0]}}
			done
		done
		[[ $line == *[[:blank:]] ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_daemonize daemonize "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$BASH_COMPLETION" "$COMPLETIONS/daemonize.bash" "$1"
}

# The words offered, sorted, on one line.
offered() {
	printf '%s\n' "${lines[@]}" | sort -u | tr '\n' ' '
}

# help_longopts: every long option daemonize --help names, one a line.
help_longopts() {
	"$DAEMONIZE" --help | grep -o -- '--[a-z][a-z-]*' | sort -u
}

@test "bash: the completion is registered for daemonize" {
	need_bash_completion
	run -0 bash --norc --noprofile -c 'source "$1" && source "$2" &&
		complete -p daemonize' bash "$BASH_COMPLETION" \
		"$COMPLETIONS/daemonize.bash"
	assert_output "complete -F _daemonize daemonize"
}

@test "bash: option names from a prefix" {
	need_bash_completion
	complete_bash 'daemonize --st'
	assert_equal "$(offered)" "--status --stderr --stdout --stop --stop-timeout "
	complete_bash 'daemonize -p x.pid --restart-'
	assert_equal "$(offered)" "--restart-delay --restart-window "
}

@test "bash: every long option of --help is completed, and no other" {
	need_bash_completion
	complete_bash 'daemonize --'
	local opt missing=() offered_opts
	offered_opts=$(offered)
	while read -r opt; do
		[[ " $offered_opts " == *" $opt "* ]] || missing+=("$opt")
	done < <(help_longopts)
	assert_equal "${missing[*]}" ""
	assert_equal "$offered_opts" "$(help_longopts | tr '\n' ' ')"
}

@test "bash: every short option of --help is completed" {
	need_bash_completion
	complete_bash 'daemonize -'
	local opt offered_opts
	offered_opts=$(offered)
	for opt in $("$DAEMONIZE" --help | sed -n 's/^  \(-[a-zA-Z]\),.*/\1/p'); do
		[[ " $offered_opts " == *" $opt "* ]] ||
			fail "$opt is not completed"
	done
}

@test "bash: --signal= and --signal offer the signal names daemonize knows" {
	need_bash_completion
	complete_bash 'daemonize --signal='
	# src/signals.c's table, { "HUP", SIGHUP }, ..., and the bounds of
	# the real-time ones it counts from, "RTMIN" and "RTMAX".
	assert_equal "$(offered)" "$(grep -oE '\{ "[A-Z0-9]*", SIG|"RTM(IN|AX)"' \
		"$SRC/signals.c" | cut -d'"' -f2 | sort -u | tr '\n' ' ')"
	assert_line TERM
	complete_bash 'daemonize -p x.pid --signal=TE'
	assert_output TERM
	complete_bash 'daemonize -p x.pid --signal US'
	assert_equal "$(offered)" "USR1 USR2 "
	complete_bash 'daemonize -p x.pid --signal sigte'
	assert_output SIGTERM
}

@test "bash: --limit offers resource= for each resource daemonize knows" {
	need_bash_completion
	complete_bash 'daemonize --limit '
	# src/limits.c's table: { "nofile", RLIMIT_NOFILE }, ...
	assert_equal "$(offered)" "$(grep -o '{ "[a-z]*",[[:space:]]*RLIMIT_' \
		"$SRC/limits.c" | cut -d'"' -f2 | sed 's/$/=/' | sort -u |
		tr '\n' ' ')"
	assert_line nofile=
	complete_bash 'daemonize --limit=nof'
	assert_output nofile=
	complete_bash 'daemonize --limit nofile='
	assert_output ""
}

@test "bash: -u offers users, then groups after the colon" {
	need_bash_completion
	complete_bash 'daemonize -u '
	assert_line root
	assert_line nobody
	complete_bash 'daemonize --user=nob'
	assert_line nobody
	refute_line root
	complete_bash 'daemonize -u nobody:roo'
	# readline replaces the word after the colon: the group alone.
	assert_line root
	complete_bash 'daemonize --group roo'
	assert_line root
}

@test "bash: files after -p, -o, -e, -l, --output, --child-pidfile, --env-file" {
	need_bash_completion
	local dir=$BATS_TEST_TMPDIR/files opt
	mkdir -p "$dir/sub"
	: >"$dir/app.pid"
	for opt in -p --pidfile -o --stdout -e --stderr -l --lock --output \
		--child-pidfile --env-file; do
		complete_bash "daemonize $opt $dir/app"
		assert_output "$dir/app.pid"
	done
	complete_bash "daemonize -p $dir/"
	assert_line "$dir/app.pid"
	assert_line "$dir/sub"
	complete_bash "daemonize --pidfile=$dir/a"
	assert_output "$dir/app.pid"
	complete_bash "daemonize -fp $dir/a"
	assert_output "$dir/app.pid"
	# --env-file -FILE: a FILE that may be missing.
	complete_bash "daemonize --env-file -$dir/a"
	assert_output "-$dir/app.pid"
}

@test "bash: directories only after -c, --chroot and --runtime-dir" {
	need_bash_completion
	local dir=$BATS_TEST_TMPDIR/dirs opt
	mkdir -p "$dir/subdir"
	: >"$dir/subfile"
	for opt in -c --chdir --chroot --runtime-dir; do
		complete_bash "daemonize $opt $dir/sub"
		assert_output "$dir/subdir"
	done
}

@test "bash: the values of the options that take a word from a list" {
	need_bash_completion
	complete_bash 'daemonize -p x.pid --stop --kill-mode '
	assert_equal "$(offered)" "control-group process "
	complete_bash 'daemonize -p x.pid --signal HUP --kill-whom='
	assert_equal "$(offered)" "all main "
	complete_bash 'daemonize -r --restart '
	assert_equal "$(offered)" "always on-failure "
	complete_bash 'daemonize -r --timestamp='
	assert_equal "$(offered)" "local tai64n utc "
	complete_bash 'daemonize --ionice '
	assert_equal "$(offered)" "best-effort idle realtime "
	complete_bash 'daemonize --sched '
	assert_equal "$(offered)" "batch fifo idle other rr "
	complete_bash 'daemonize -r --syslog --syslog-facility '
	# src/logpipe.c's table: { "daemon", LOG_DAEMON }, ...
	assert_equal "$(offered)" "$(grep -o '{ "[a-z0-9]*", LOG_' \
		"$SRC/logpipe.c" | cut -d'"' -f2 | sort -u | tr '\n' ' ')"
	complete_bash 'daemonize -u nobody --cap net_admin,net_b'
	assert_equal "$(offered)" \
		"net_admin,net_bind_service net_admin,net_broadcast "
	complete_bash 'daemonize --wait-for '
	assert_equal "$(offered)" "path: tcp: "
	complete_bash 'daemonize -E PAT'
	assert_output PATH=
	# Numbers: nothing to offer.
	complete_bash 'daemonize --nice '
	assert_output ""
}

@test "bash: the program's word is a command; --wait, --syslog, --timestamp take no next word" {
	need_bash_completion
	complete_bash 'daemonize slee'
	assert_line sleep
	complete_bash 'daemonize -p x.pid -- slee'
	assert_line sleep
	for opt in --wait --syslog --timestamp; do
		complete_bash "daemonize -r $opt slee"
		assert_line sleep
	done
	# The first -p's value is the second -p.
	complete_bash 'daemonize -p -p slee'
	assert_line sleep
}

@test "bash: after the program, its own completion (bash-completion's for kill)" {
	need_bash_completion
	complete_bash 'daemonize -p x.pid kill -s TE'
	assert_output TERM
	# Words that bash splits at = and : before the program.
	complete_bash 'daemonize --limit=nofile=64 -u root:root -o log kill -s TE'
	assert_output TERM
	# The program's options are its own, not daemonize's.
	complete_bash 'daemonize -p x.pid kill -'
	assert_line -- -s
	assert_line -- -TERM
	refute_line -- -p
	refute_line -- --stop
}

@test "zsh and fish: every long option of --help is completed" {
	local opt missing=()
	while read -r opt; do
		grep -q -- "[{,')*]${opt}[=+,}[]" "$COMPLETIONS/_daemonize" ||
			missing+=("zsh:$opt")
		grep -q -- "-l ${opt#--} " "$COMPLETIONS/daemonize.fish" ||
			missing+=("fish:$opt")
	done < <(help_longopts)
	assert_equal "${missing[*]}" ""
}

@test "zsh: the completion passes zsh -n" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run -0 zsh -n "$COMPLETIONS/_daemonize"
	assert_output ""
}

@test "fish: the completion passes fish --no-execute, and completes" {
	command -v fish >/dev/null || skip "fish is not installed"
	run -0 fish --no-execute "$COMPLETIONS/daemonize.fish"
	assert_output ""
	run -0 fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
		"$COMPLETIONS/daemonize.fish" 'daemonize -p x.pid --signal=TE'
	assert_output --regexp $'^--signal=TERM(\t.*)?$'
	run -0 fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
		"$COMPLETIONS/daemonize.fish" 'daemonize -u nob'
	assert_line --regexp $'^nobody(\t.*)?$'
	run -0 fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
		"$COMPLETIONS/daemonize.fish" 'daemonize -p x.pid --st'
	assert_line --regexp $'^--stop(\t.*)?$'
	run -0 fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
		"$COMPLETIONS/daemonize.fish" 'daemonize -p x.pid slee'
	assert_line --regexp $'^sleep(\t.*)?$'
}
