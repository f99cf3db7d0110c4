# bash completion for daemonize(1)                         -*- shell-script -*-
# shellcheck shell=bash
#
# Installed as "daemonize" in bash-completion's completions directory,
# which loads it the first time daemonize is completed.  It uses
# bash-completion's helpers (_init_completion, _filedir, _usergroup,
# _command_offset).
#
# daemonize stops reading options at the first word that is not one (the
# program): from there on, the program's own completion takes over.

# Options taking a value: the value is the next word or follows "=".
_daemonize_opts_value='-c --chdir -E --env -e --stderr -l --lock -m --umask
	-o --stdout -p --pidfile -u --user --cap --child-pidfile --chroot
	--cpu-affinity --env-file --group --ionice --keep-fd --kill-mode
	--kill-whom --limit --max-restarts --nice --notify-fd --oom-score-adj
	--output --output-keep --output-max-size --restart --restart-delay
	--restart-window --runtime-dir --sched --signal --stop-timeout
	--success-exit-status --syslog-facility --wait-for'
# Options whose value is optional and only ever follows "=".
_daemonize_opts_optional='--syslog --timestamp --wait'
# Options without a value.
_daemonize_opts_flag='-a --append -f --foreground -h --help -r --respawn
	-v --verbose -V --version --clear-env --init --kill --no-new-privs
	--notify --status --stop'
# The short options that take a value (src/options.c's shortopts).
_daemonize_short_value=ceElmopu

# The long option a word names, as getopt_long reads it: the whole name,
# or a prefix of only one ("--pid" is --pidfile).  Prints nothing when
# there is none or the prefix is ambiguous.
_daemonize_longopt()
{
    local name=${1%%=*} o found='' n=0
    for o in $_daemonize_opts_value $_daemonize_opts_optional \
        $_daemonize_opts_flag; do
        [[ $o == --* ]] || continue
        if [[ $o == "$name" ]]; then
            printf '%s\n' "$o"
            return
        fi
        if [[ $o == "$name"* ]]; then
            found=$o
            n=$((n + 1))
        fi
    done
    ((n == 1)) && printf '%s\n' "$found"
}

# Complete the value of option $1 (a long option's full name, or a short
# option) from $cur.
_daemonize_value()
{
    local IFS=$' \t\n'
    case $1 in
        -p | --pidfile | -o | --stdout | -e | --stderr | -l | --lock | \
            --output | --child-pidfile)
            _filedir
            ;;
        --env-file)
            # -FILE: a missing FILE is no error.
            if [[ $cur == -* ]]; then
                cur=${cur#-}
                _filedir
                COMPREPLY=("${COMPREPLY[@]/#/-}")
            else
                _filedir
            fi
            ;;
        -c | --chdir | --chroot | --runtime-dir)
            _filedir -d
            ;;
        -u | --user)
            _usergroup
            ;;
        --group)
            mapfile -t COMPREPLY < <(compgen -g -- "$cur")
            ;;
        -E | --env)
            if [[ $cur != *=* ]]; then
                mapfile -t COMPREPLY < <(compgen -e -S = -- "$cur")
                compopt -o nospace
            fi
            ;;
        --signal)
            local sigs='HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV
                USR2 PIPE ALRM TERM CHLD CONT STOP TSTP TTIN TTOU URG XCPU
                XFSZ VTALRM PROF WINCH IO SYS RTMIN RTMAX'
            # TERM, SIGTERM or term alike.
            local up=${cur^^}
            if [[ $up == SIG* ]]; then
                mapfile -t COMPREPLY < <(compgen -P SIG -W "$sigs" -- \
                    "${up:3}")
            else
                mapfile -t COMPREPLY < <(compgen -W "$sigs" -- "$up")
            fi
            ;;
        --limit)
            # RESOURCE=VALUE (src/limits.c); the value is the user's.
            if [[ $cur != *=* ]]; then
                mapfile -t COMPREPLY < <(compgen -S = -W 'as core cpu data
                    fsize memlock nofile nproc rss stack' -- "$cur")
                compopt -o nospace
            fi
            ;;
        --kill-mode)
            mapfile -t COMPREPLY < <(compgen -W 'control-group process' \
                -- "$cur")
            ;;
        --kill-whom)
            mapfile -t COMPREPLY < <(compgen -W 'main all' -- "$cur")
            ;;
        --restart)
            mapfile -t COMPREPLY < <(compgen -W 'always on-failure' \
                -- "$cur")
            ;;
        --timestamp)
            mapfile -t COMPREPLY < <(compgen -W 'utc local tai64n' \
                -- "$cur")
            ;;
        --ionice)
            mapfile -t COMPREPLY < <(compgen -W 'realtime best-effort idle' \
                -- "$cur")
            ;;
        --sched)
            mapfile -t COMPREPLY < <(compgen -W 'other batch idle fifo rr' \
                -- "$cur")
            ;;
        --syslog-facility)
            mapfile -t COMPREPLY < <(compgen -W 'auth authpriv cron daemon
                ftp kern local0 local1 local2 local3 local4 local5 local6
                local7 lpr mail news syslog user uucp' -- "$cur")
            ;;
        --cap)
            # CAP[,CAP...], named as cap_from_name(3) does, without cap_.
            local prefix=
            [[ $cur == *,* ]] && prefix=${cur%,*},
            mapfile -t COMPREPLY < <(compgen -P "$prefix" -W 'chown
                dac_override dac_read_search fowner fsetid kill setgid
                setuid setpcap linux_immutable net_bind_service
                net_broadcast net_admin net_raw ipc_lock ipc_owner
                sys_module sys_rawio sys_chroot sys_ptrace sys_pacct
                sys_admin sys_boot sys_nice sys_resource sys_time
                sys_tty_config mknod lease audit_write audit_control
                setfcap mac_override mac_admin syslog wake_alarm
                block_suspend audit_read perfmon bpf checkpoint_restore' \
                -- "${cur##*,}")
            compopt -o nospace
            ;;
        --wait-for)
            if [[ $cur == path:* ]]; then
                cur=${cur#path:}
                _filedir
            elif [[ $cur != *:* ]]; then
                mapfile -t COMPREPLY < <(compgen -W 'tcp: path:' -- "$cur")
                compopt -o nospace
            fi
            ;;
    esac
    # Numbers, sizes, durations, tags: nothing to offer.
}

_daemonize()
{
    local cur prev words cword split
    # user:group and tcp:host:port are one word; so is --opt=value, split
    # again into option (prev) and value (cur).
    _init_completion -s -n : || return

    # Where the options end, and whether the current word is the value of
    # the option before it.
    local i j w o need opt='' prog=''
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        need=''
        case $w in
            --)
                prog=$((i + 1))
                break
                ;;
            --*=*) ;;
            --?*)
                o=$(_daemonize_longopt "$w")
                [[ $o && " ${_daemonize_opts_value//[$'\t\n']/ } " == \
                    *" $o "* ]] && need=$o
                ;;
            -?*)
                # A cluster of short options; one taking a value takes the
                # rest of the word, or else the next word.
                for ((j = 1; j < ${#w}; j++)); do
                    if [[ $_daemonize_short_value == *"${w:j:1}"* ]]; then
                        ((j == ${#w} - 1)) && need=-${w:j:1}
                        break
                    fi
                done
                ;;
            *)
                prog=$i
                break
                ;;
        esac
        if [[ $need ]]; then
            if ((i + 1 == cword)); then
                opt=$need
                break
            fi
            ((i++))
        fi
    done

    if [[ $prog || (! $opt && $split != true && $cur != -*) ]]; then
        # The program, then its arguments: complete as for the program
        # alone, found in the words as bash split them (at = and :).
        [[ $prog ]] || prog=$cword
        local k raw=1 acc
        for ((k = 1; k < prog; k++)); do
            acc=${COMP_WORDS[raw++]}
            while [[ $acc != "${words[k]}" && $raw -lt ${#COMP_WORDS[@]} &&
                ${#acc} -lt ${#words[k]} ]]; do
                acc+=${COMP_WORDS[raw++]}
            done
        done
        _command_offset "$raw"
        return
    fi

    if [[ $opt ]]; then
        _daemonize_value "$opt"
    elif [[ $split == true ]]; then
        # --opt=value: every option with a value, optional ones included.
        o=$(_daemonize_longopt "$prev")
        [[ $o ]] && _daemonize_value "$o"
    else
        local IFS=$' \t\n'
        mapfile -t COMPREPLY < <(compgen -W "$_daemonize_opts_value \
            $_daemonize_opts_optional $_daemonize_opts_flag" -- "$cur")
    fi
    __ltrim_colon_completions "$cur"
} &&
    complete -F _daemonize daemonize

# ex: filetype=sh
