#!/bin/bash
# Run the daemonize under test under valgrind's memcheck, for the suite's
# valgrind pass: DAEMONIZE_WRAPPER=tests/helpers/valgrind.sh make check.
#
# Every process of daemonize's own is checked: the caller, the middle
# process, the daemon up to its exec, the --respawn supervisor and its
# children up to theirs (valgrind follows forks).  --trace-children=yes
# would follow the exec into the program as well; the programs the tests
# run are not ours to check, so every exec'd path is skipped.
#
# Reports go to one file per process in VALGRIND_LOGDIR; with --quiet a
# clean process leaves its file empty, so any non-empty file is a failure.
# Over a whole suite pids wrap, and a later process of an earlier one's
# pid would empty its report or, run as another user, be refused the
# file: each name also holds the time this run began.  bash's clock, not
# a command: a test may leave no process to spare (RLIMIT_NPROC).
: "${DAEMONIZE_BINARY:?DAEMONIZE_BINARY must name the binary}"
: "${VALGRIND_LOGDIR:?VALGRIND_LOGDIR must name a directory for reports}"
# --vgdb=no: no gdbserver pipes in /tmp, which a process that has changed
# user or root could not remove again (and would say so).
# --read-inline-info=no: a report's stack shows no inlined frames, and
# each of the suite's thousands of starts reads an eighth less debug
# information; what is found is the same.
exec valgrind --quiet --tool=memcheck --vgdb=no --read-inline-info=no \
	--trace-children=yes \
	--trace-children-skip='*' --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--track-fds=no --log-file="$VALGRIND_LOGDIR/vg.$EPOCHREALTIME.%p" \
	"$DAEMONIZE_BINARY" "$@"
