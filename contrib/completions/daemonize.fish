# fish completion for daemonize(1)
#
# daemonize stops reading options at the first word that is not one (the
# program): from there on, the program's own completion takes over.

# The short and long options that take a value in the next word.
set -g __daemonize_short_value c E e l m o p u
set -g __daemonize_long_value chdir env stderr lock umask stdout pidfile \
    user cap child-pidfile chroot cpu-affinity env-file group ionice \
    keep-fd kill-mode kill-whom limit max-restarts nice notify-fd \
    oom-score-adj output output-keep output-max-size restart \
    restart-delay restart-window runtime-dir sched signal stop-timeout \
    success-exit-status syslog-facility wait-for

# Print the words from the program on (the current one included) and
# succeed, once the options have ended; fail while they go on.
function __daemonize_program
    set -l tokens (commandline -opc) (commandline -ct)
    set -l n (count $tokens)
    set -l i 2
    while test $i -lt $n
        set -l w $tokens[$i]
        set -l value 0
        switch $w
            case --
                printf '%s\n' $tokens[(math $i + 1)..$n]
                return 0
            case '--*=*'
            case '--?*'
                # The whole name, or a prefix of only one (getopt_long).
                set -l name (string sub -s 3 -- $w)
                if contains -- $name $__daemonize_long_value
                    set value 1
                else
                    set -l all $__daemonize_long_value syslog timestamp \
                        wait append foreground help respawn verbose \
                        version clear-env init kill no-new-privs notify \
                        status stop
                    set -l found (string match -- "$name*" $all)
                    if test (count $found) -eq 1
                        and contains -- $found $__daemonize_long_value
                        set value 1
                    end
                end
            case '-?*'
                # A cluster: an option with a value takes the rest of the
                # word, or else the next word.
                for c in (string split '' -- (string sub -s 2 -- $w))
                    if contains -- $c $__daemonize_short_value
                        test (string sub -s -1 -- $w) = $c
                        and set value 1
                        break
                    end
                end
            case '*'
                printf '%s\n' $tokens[$i..$n]
                return 0
        end
        if test $value -eq 1
            set i (math $i + 1)
            # The current word is this option's value.
            test $i -ge $n; and return 1
        end
        set i (math $i + 1)
    end
    # The current word: an option, or else the program.
    string match -q -- '-*' $tokens[$n]; and return 1
    printf '%s\n' $tokens[$n]
end

function __daemonize_options
    not __daemonize_program >/dev/null
end

# The program and its arguments, as the program itself completes them.
function __daemonize_complete_program
    set -l words (__daemonize_program)
    if test (count $words) -le 1
        __fish_complete_command
    else
        __fish_complete_subcommand --commandline $words
    end
end

# USER[:GROUP]
function __daemonize_usergroup
    set -l tok (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    if string match -q -- '*:*' $tok
        set -l user (string replace -r -- ':.*' '' $tok)
        __fish_complete_groups | string replace -r -- '^' "$user:"
    else
        __fish_complete_users
    end
end

# --env-file [-]FILE: -FILE may be missing.
function __daemonize_env_file
    set -l tok (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    set -l dash
    string match -q -- '-*' $tok
    and set dash -
    complete -C"nonexistentcommandooheehoohaahaahdingdongwallawallabingbang "(string sub -s (math (string length -- "$dash") + 1) -- $tok) |
        string replace -r -- '^' "$dash"
end

# --cap CAP[,CAP...]
function __daemonize_caps
    set -l tok (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    set -l prefix (string match -r -- '.*,' $tok)
    for cap in chown dac_override dac_read_search fowner fsetid kill setgid \
            setuid setpcap linux_immutable net_bind_service net_broadcast \
            net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio \
            sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice \
            sys_resource sys_time sys_tty_config mknod lease audit_write \
            audit_control setfcap mac_override mac_admin syslog wake_alarm \
            block_suspend audit_read perfmon bpf checkpoint_restore
        printf '%s%s\n' "$prefix" $cap
    end
end

# --wait-for tcp:HOST:PORT|path:FILE
function __daemonize_wait_for
    set -l tok (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    if string match -q -- 'path:*' $tok
        complete -C"nonexistentcommandooheehoohaahaahdingdongwallawallabingbang "(string sub -s 6 -- $tok) |
            string replace -r -- '^' path:
    else if not string match -q -- '*:*' $tok
        printf '%s\n' 'tcp:'\t'ready when HOST:PORT accepts' \
            'path:'\t'ready when FILE exists'
    end
end

complete -c daemonize -f
complete -c daemonize -n 'not __daemonize_options' \
    -a '(__daemonize_complete_program)'

set -l opt complete -c daemonize -n __daemonize_options
$opt -s a -l append -d 'Append to the -o and -e files'
$opt -l cap -x -a '(__daemonize_caps)' -d 'With -u: keep these capabilities'
$opt -s c -l chdir -x -a '(__fish_complete_directories)' \
    -d 'Working directory of the daemon'
$opt -l child-pidfile -r -F -d "With -r: the current child's pid in FILE"
$opt -l chroot -x -a '(__fish_complete_directories)' \
    -d 'Change the root directory'
$opt -l clear-env -d 'Start from an empty environment'
$opt -l cpu-affinity -x -d 'Run on these CPUs only'
$opt -s E -l env -x -a '(set -xn | string replace -r -- \'$\' =)' \
    -d 'Set an environment variable'
$opt -l env-file -x -a '(__daemonize_env_file)' \
    -d 'Set the NAME=VALUE lines of FILE'
$opt -s e -l stderr -r -F -d 'Standard error to FILE'
$opt -s f -l foreground -d 'Do not fork'
$opt -l group -x -a '(__fish_complete_groups)' -d 'Run with GROUP'
$opt -s h -l help -d 'Show the help and exit'
$opt -l init -d "As a container's first process"
$opt -l ionice -x -a 'realtime best-effort idle' -d 'I/O class[:level]'
$opt -l keep-fd -x -d 'Leave descriptor N open for the program'
$opt -l kill -d 'With --stop: KILL what TERM did not stop'
$opt -l kill-mode -x -a 'control-group process' -d 'What --stop ends'
$opt -l kill-whom -x -a 'main all' -d 'Whom --signal goes to'
$opt -l limit -x -a 'as= core= cpu= data= fsize= memlock= nofile= nproc=
    rss= stack=' -d 'Set a resource limit'
$opt -s l -l lock -r -F -d 'Hold an exclusive lock on FILE'
$opt -s m -l umask -x -d 'Umask of the daemon, octal'
$opt -l max-restarts -x -d 'With -r: give up after N restarts'
$opt -l nice -x -d 'Run at niceness N'
$opt -l no-new-privs -d 'The program can gain no privileges'
$opt -l notify -d 'Ready when the program sends READY=1'
$opt -l notify-fd -x -d 'Ready when the program writes to fd N'
$opt -l oom-score-adj -x -d "The OOM killer's adjustment"
$opt -s o -l stdout -r -F -d 'Standard output to FILE'
$opt -l output -r -F -d 'Standard output and error to FILE'
$opt -l output-keep -x -d 'Rotated files kept'
$opt -l output-max-size -x -d 'With -r: rotate the log before SIZE'
$opt -s p -l pidfile -r -F -d 'Write the pid to FILE and lock it'
$opt -s r -l respawn -d 'Restart the program when it exits'
$opt -l signal -x -a 'HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2
    PIPE ALRM TERM CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF
    WINCH IO SYS RTMIN RTMAX' -d 'Send SIG to the daemon of the pidfile'
$opt -l status -d 'Is the daemon of the pidfile running?'
$opt -l stop -d 'Stop the daemon of the pidfile'
$opt -l restart -x -a 'always on-failure' -d 'With -r: when to restart'
$opt -l restart-delay -x -d 'With -r: first delay before a restart'
$opt -l restart-window -x -d 'With -r: window of --max-restarts'
$opt -l runtime-dir -x -a '(__fish_complete_directories)' \
    -d 'Create DIR, owned by the -u user'
$opt -l sched -x -a 'other batch idle fifo rr' -d 'Scheduling policy'
$opt -l stop-timeout -x -d 'How long TERM has'
$opt -l success-exit-status -x -d 'With --restart on-failure: clean exits'
$opt -l syslog -d "With -r: the program's output to syslog (=TAG)"
$opt -l syslog-facility -x -a 'auth authpriv cron daemon ftp kern local0
    local1 local2 local3 local4 local5 local6 local7 lpr mail news syslog
    user uucp' -d 'With -r: syslog facility'
$opt -l timestamp -a 'utc local tai64n' -d 'With -r: stamp each line (=FMT)'
$opt -s u -l user -x -a '(__daemonize_usergroup)' -d 'Run as USER[:GROUP]'
$opt -s v -l verbose -d 'Narrate each step on standard error'
$opt -s V -l version -d 'Show the version and exit'
$opt -l wait -d 'Return only once the program is ready (=SECONDS)'
$opt -l wait-for -x -a '(__daemonize_wait_for)' \
    -d 'Ready when tcp:HOST:PORT accepts or path:FILE exists'
