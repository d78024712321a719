/* SPDX-License-Identifier: MIT */
/*
 * daytimed: the article's daytime server (claims.md C12) as a real program,
 * for labs that start it (`d = start daytimed`; topologies/daytime.yml).
 * As in the article: SO_REUSEADDR, bind INADDR_ANY port 10013, listen, and
 * for each connection fork a child that closes the listening socket, writes
 * the time ("%.24s\r\n", 26 bytes) and closes the connection, so the server
 * side closes first and its end of the connection goes to TIME-WAIT.
 *
 *   daytimed [-p PORT] [-n] [-1] [-l SEC] [-k]
 *     -p PORT  listen on PORT instead of 10013
 *     -n       no SO_REUSEADDR (the restart then fails over TIME-WAIT)
 *     -1       the parent exits after its first connection, as the
 *              article's does ("end parent")
 *     -l SEC   each connection's child stays SEC seconds after writing
 *              (the article's sleeps 1 s), still in the process group
 *     -k       the child keeps the listening socket: leaves out the line
 *              the article says "cannot be left out"
 *
 * It prints "bind call OK!" after bind, as the article's does, and on
 * SIGUSR1 how many connections it served; errors go to stderr as perror(3)
 * words them ("bind: Address already in use"), exit status 1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t served;

/* Only async-signal-safe calls here: the count is formatted by hand. */
static void on_usr1(int sig)
{
	static const char head[] = "daytimed: ";
	static const char tail[] = " connections\n";
	char digits[16];
	size_t n = sizeof(digits);
	unsigned v = (unsigned)served;

	(void)sig;
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n);
	(void)!write(1, head, sizeof(head) - 1);
	(void)!write(1, digits + n, sizeof(digits) - n);
	(void)!write(1, tail, sizeof(tail) - 1);
}

static void __attribute__((noreturn)) serve_one(int listenfd, int connfd, unsigned linger,
						 int keep)
{
	char buff[100];
	time_t ticks;

	if (!keep)
		close(listenfd); /* "this line cannot be left out" */
	ticks = time(NULL);
	snprintf(buff, sizeof(buff), "%.24s\r\n", ctime(&ticks));
	if (write(connfd, buff, strlen(buff)) < 0)
		perror("write");
	close(connfd);
	if (linger)
		sleep(linger);
	_exit(0);
}

static int listen_on(unsigned short port, int reuse)
{
	struct sockaddr_in servaddr = {.sin_family = AF_INET,
				       .sin_addr.s_addr = htonl(INADDR_ANY),
				       .sin_port = htons(port)};
	int listenfd, flag = 1;

	if ((listenfd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		perror("socket");
		exit(1);
	}
	if (reuse && setsockopt(listenfd, SOL_SOCKET, SO_REUSEADDR, &flag, sizeof(flag)) == -1) {
		perror("setsockopt");
		exit(1);
	}
	if (bind(listenfd, (struct sockaddr *)&servaddr, sizeof(servaddr)) == -1) {
		perror("bind");
		exit(1);
	}
	printf("bind call OK!\n");
	if (listen(listenfd, 5) == -1) {
		perror("listen");
		exit(1);
	}
	return listenfd;
}

int main(int argc, char **argv)
{
	unsigned long port = 10013, linger = 0;
	int opt, reuse = 1, once = 0, keep = 0, listenfd, connfd;

	while ((opt = getopt(argc, argv, "p:n1l:k")) != -1) {
		char *end;

		switch (opt) {
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || !port || port > 65535) {
				fprintf(stderr, "daytimed: bad port '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			reuse = 0;
			break;
		case '1':
			once = 1;
			break;
		case 'k':
			keep = 1;
			break;
		case 'l':
			linger = strtoul(optarg, &end, 10);
			if (*end || linger > 3600) {
				fprintf(stderr, "daytimed: bad linger '%s'\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: daytimed [-p PORT] [-n] [-1] [-l SEC] [-k]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* stdout is a file: each line as it comes */
	signal(SIGCHLD, SIG_IGN);	  /* children reaped by the kernel */
	signal(SIGUSR1, on_usr1);
	listenfd = listen_on((unsigned short)port, reuse);
	for (;;) {
		if ((connfd = accept(listenfd, NULL, NULL)) == -1) {
			perror("accept");
			exit(1);
		}
		served++;
		if (fork() == 0)
			serve_one(listenfd, connfd, (unsigned)linger, keep);
		close(connfd);
		if (once)
			exit(0); /* end parent */
	}
}
