/* SPDX-License-Identifier: MIT */
/*
 * Test helper (compiled by tests/integration/reliability.bats): run argv,
 * wait for it, print its peak resident set in KiB (ru_maxrss from wait4) on
 * stderr as "maxrss KIB", and exit with its status (128+N when killed by N).
 * Usage: maxrss PROGRAM [ARG...]
 */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	pid_t pid;
	int st;

	if (argc < 2) {
		fprintf(stderr, "usage: maxrss PROGRAM [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("maxrss: exec");
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("maxrss: wait4");
			return 2;
		}
	}
	fprintf(stderr, "maxrss %ld\n", ru.ru_maxrss);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
