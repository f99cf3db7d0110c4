/* Ordinary builds: no coverage counts to save before exec or _exit. */
#include "config.h"

#include "daemonize.h"

void
coverage_flush(void)
{
}
