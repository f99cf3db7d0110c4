/*
 * Numbers as decimal text, without stdio.  The --respawn supervisor lives
 * as long as its service and writes a pid or a message at each restart:
 * printf's machinery (the formatter, the FILE layer, locale tables) would
 * be most of what it keeps of the C library in memory.
 */
#include "config.h"

#include "daemonize.h"

/* The digits of u, written backwards so that they end just before end. */
static char *
decimal_digits(char *end, unsigned long u)
{
	do
		*--end = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	return end;
}

/* n in decimal, at the end of buf; returns where it starts. */
char *
decimal(char buf[DECIMAL_LEN], long n)
{
	char *p = &buf[DECIMAL_LEN - 1];

	*p = '\0';
	/* Negated as unsigned, where LONG_MIN has a positive twin. */
	p = decimal_digits(p, n < 0 ? -(unsigned long)n : (unsigned long)n);
	if (n < 0)
		*--p = '-';
	return p;
}

/* A duration in milliseconds as seconds with three decimals: "1.500". */
char *
decimal_seconds(char buf[DECIMAL_LEN], long ms)
{
	char *p = &buf[DECIMAL_LEN - 1];
	int i;

	if (ms < 0)
		ms = 0;
	*p = '\0';
	for (i = 0; i < 3; i++, ms /= 10)
		*--p = (char)('0' + ms % 10);
	*--p = '.';
	return decimal_digits(p, (unsigned long)ms);
}

/* A duration as given on the command line: "30", or "0.500" for a fraction. */
char *
decimal_duration(char buf[DECIMAL_LEN], long ms)
{
	return ms % 1000 == 0 ? decimal(buf, ms / 1000) :
	    decimal_seconds(buf, ms);
}
