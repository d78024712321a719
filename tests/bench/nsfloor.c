/* SPDX-License-Identifier: MIT */
/*
 * nsfloor: the kernel's own cost, for tests/bench/run and docs/performance.md.
 * Built by the bench (no library, no dependency); needs root.
 *
 *   nsfloor create PREFIX N   create named namespaces PREFIX1..PREFIXN the way
 *                             iproute2 does (file under /run/netns, unshare,
 *                             bind mount), all in this one process: the floor
 *                             any lab builder pays for its namespaces
 *   nsfloor delete PREFIX N   detach-unmount and unlink them (like `ip netns del`)
 *   nsfloor barrier [MS [ROUNDS]]
 *                             return once the kernel has finished freeing every
 *                             network namespace released before this call
 *                             (see below); exit 1 after MS ms (default 60000);
 *                             ROUNDS sentinels one after the other (default 2)
 *   nsfloor release PREFIX MODE
 *                             remove every /run/netns name starting with
 *                             PREFIX, in natural order, from this one small
 *                             process; MODE is
 *                               plain   detach-unmount and unlink (what
 *                                       `ip netns del` does, nothing else)
 *                               check   plain, after a statx of the name's
 *                                       mount id (the proof of ownership
 *                                       `reuselab down` needs), not held
 *                               hold    check through an O_PATH fd that
 *                                       holds the namespace until every name
 *                                       is gone (`reuselab down` until
 *                                       2026-12-01)
 *                               phased  check every name, then unmount them
 *                                       all, then unlink them all (what
 *                                       `reuselab down` does now)
 *                             the floor of a teardown with that much checking
 *   nsfloor rusage FILE CMD [ARG...]
 *                             run CMD, write "EXIT WALL_MS MAXRSS_KIB" to FILE:
 *                             wall time from fork to wait4, and the peak RSS
 *                             that wait4 reports (measured from this small
 *                             process, not from a big interpreter whose
 *                             pre-exec size the kernel would count)
 *   nsfloor veths K MODE      create K veth pairs in a fresh anonymous namespace
 *                             with one netlink request (and one ack) each and
 *                             print the time; MODE is
 *                               same    both ends in that namespace
 *                               cross   peer placed in a second namespace by fd
 *                               bridge  cross, and the near end created up and
 *                                       enslaved to a bridge
 *                               addrs   bridge, plus 2 IPv4 + 1 IPv6 (nodad)
 *                                       addresses on each peer end and the
 *                                       peer end set up (what a lab host gets)
 *                             MODE+q: also ask for one tx and one rx queue
 *                             on both ends (IFLA_NUM_TX/RX_QUEUES), which spares
 *                             the kernel a synchronize_net() per veth
 *
 * The barrier.  `ip netns del` and `reuselab down` return once the names are
 * gone; the kernel frees the namespaces later, in cleanup_net(), which runs on
 * one ordered workqueue and takes every namespace queued so far as one batch.
 * Devices (veths, bridges) are unregistered there.  To see the end of that
 * work from outside, the barrier releases a sentinel namespace S and waits
 * until S is freed: S was queued after everything released before, so when
 * S is freed, so are they.  S is owned by a fresh user namespace U2 that
 * only S keeps alive (cleanup_net drops net->user_ns as its very last step),
 * and U2 is counted against max_user_namespaces = 1 of a private user
 * namespace U.  Trying unshare(CLONE_NEWUSER) inside U fails with ENOSPC
 * exactly as long as U2 exists.  The wait is therefore never too early; it
 * may be late by about one RCU grace period (U2 is freed from a work item).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define RUN_DIR "/run/netns"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int die(const char *fmt, ...)
{
	va_list ap;

	fputs("nsfloor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* What iproute2's netns_add does once: /run/netns exists and is a shared mount. */
static int prepare_run_dir(void)
{
	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (mount(RUN_DIR, RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

static void ns_path(char *buf, size_t len, const char *prefix, unsigned i)
{
	snprintf(buf, len, RUN_DIR "/%s%u", prefix, i);
}

static void delete_range(const char *prefix, unsigned n)
{
	char path[512];

	for (unsigned i = 1; i <= n; i++) {
		ns_path(path, sizeof(path), prefix, i);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
}

static int cmd_create(const char *prefix, unsigned n)
{
	char path[512];
	int orig, fd, r;

	r = prepare_run_dir();
	if (r < 0)
		return die(RUN_DIR ": %s", strerror(-r));
	orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return die("/proc/self/ns/net: %s", strerror(errno));
	for (unsigned i = 1; i <= n; i++) {
		ns_path(path, sizeof(path), prefix, i);
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0) {
			r = die("%s: %s", path, strerror(errno));
			delete_range(prefix, i - 1);
			return r;
		}
		close(fd);
		if (unshare(CLONE_NEWNET) < 0 ||
		    mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0) {
			r = die("%s: %s", path, strerror(errno));
			setns(orig, CLONE_NEWNET);
			delete_range(prefix, i);
			return r;
		}
	}
	if (setns(orig, CLONE_NEWNET) < 0)
		return die("setns back: %s", strerror(errno));
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, text, strlen(text));
	close(fd);
	return w == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* One round: release a sentinel namespace and wait until the kernel freed it. */
static int barrier_once(double timeout_ms)
{
	struct timespec pause = { 0, 200 * 1000 };
	double t0;
	pid_t pid;
	int st, r;

	if (unshare(CLONE_NEWUSER) < 0)
		return die("barrier: unshare(CLONE_NEWUSER): %s", strerror(errno));
	/* A nested user namespace needs our ids mapped in this one. */
	r = write_file("/proc/self/uid_map", "0 0 1");
	if (!r)
		r = write_file("/proc/self/setgroups", "deny");
	if (!r)
		r = write_file("/proc/self/gid_map", "0 0 1");
	if (!r)
		r = write_file("/proc/sys/user/max_user_namespaces", "1");
	if (r < 0)
		return die("barrier: setting up the private user namespace: %s", strerror(-r));
	pid = fork();
	if (pid < 0)
		return die("barrier: fork: %s", strerror(errno));
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0 ? 1 : 0);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return die("barrier: sentinel namespace could not be made");
	/* The sentinel is released (its only process is gone): wait for its end. */
	t0 = now_ms();
	while (unshare(CLONE_NEWUSER) < 0) {
		if (errno != ENOSPC)
			return die("barrier: unshare: %s", strerror(errno));
		if (now_ms() - t0 > timeout_ms) {
			fprintf(stderr, "nsfloor: barrier: kernel still busy after %.0f ms\n",
				timeout_ms);
			return 1;
		}
		nanosleep(&pause, NULL);
	}
	return 0;
}

/*
 * Two rounds.  A namespace's last reference is not always dropped by the
 * syscall that removes its name: a netlink socket that was open in it drops
 * its reference from an RCU callback, and a lazily unmounted nsfs mount may
 * be released after a grace period too.  Such a namespace can be queued for
 * cleanup after a sentinel released right away.  The first round's
 * cleanup_net() runs rcu_barrier(), so once it is over every such deferred
 * release has happened; the second round then waits for their cleanup.
 */
static int cmd_barrier(double timeout_ms, int rounds)
{
	double t0 = now_ms();

	for (int i = 0; i < rounds; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return die("barrier: fork: %s", strerror(errno));
		if (pid == 0)
			_exit(barrier_once(timeout_ms));
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
			return die("barrier: round %d failed", i + 1);
		if (WEXITSTATUS(st) != 0)
			return WEXITSTATUS(st);
	}
	printf("%.3f\n", now_ms() - t0);
	return 0;
}

/* ---- veths: one rtnetlink request and its ack at a time ---- */

struct req {
	struct nlmsghdr nh;
	char buf[1024];
};

static struct rtattr *attr_put(struct nlmsghdr *nh, unsigned short type, const void *data,
			       size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void attr_end(struct nlmsghdr *nh, struct rtattr *nest)
{
	nest->rta_len = (char *)nh + nh->nlmsg_len - (char *)nest;
}

static int talk(int fd, struct nlmsghdr *nh)
{
	static unsigned seq;
	char buf[4096];
	ssize_t n;

	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = ++seq;
	if (send(fd, nh, nh->nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n))
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	return -EPROTO;
}

static void link_msg(struct req *r, int ifindex, unsigned flags)
{
	struct ifinfomsg *ifm;

	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifm));
	r->nh.nlmsg_type = RTM_NEWLINK;
	r->nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = NLMSG_DATA(&r->nh);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	ifm->ifi_change = flags;
}

static int add_addr(int fd, int ifindex, int family, const char *text, unsigned plen)
{
	struct req r;
	struct ifaddrmsg *ifa;
	unsigned char a[16];
	unsigned flags = IFA_F_NODAD;

	if (inet_pton(family, text, a) != 1)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	r.nh.nlmsg_type = RTM_NEWADDR;
	r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = NLMSG_DATA(&r.nh);
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	attr_put(&r.nh, IFA_LOCAL, a, family == AF_INET ? 4 : 16);
	attr_put(&r.nh, IFA_ADDRESS, a, family == AF_INET ? 4 : 16);
	if (family == AF_INET6)
		attr_put(&r.nh, IFA_FLAGS, &flags, sizeof(flags));
	return talk(fd, &r.nh);
}

static int cmd_veths(unsigned k, const char *arg)
{
	/* MODE+q: ask for one tx and one rx queue (IFLA_NUM_TX/RX_QUEUES) on both ends */
	int oneq = strlen(arg) > 2 && !strcmp(arg + strlen(arg) - 2, "+q");
	int cross, bridge, addrs, fd_a, fd_b = -1, sock_a, sock_b = -1, r, br = 100000;
	unsigned one = 1;
	double t0, t1;
	struct req q;
	char mode[16], name[IFNAMSIZ], text[64];

	snprintf(mode, sizeof(mode), "%.*s", (int)strlen(arg) - (oneq ? 2 : 0), arg);
	cross = strcmp(mode, "same") != 0;
	bridge = !strcmp(mode, "bridge") || !strcmp(mode, "addrs");
	addrs = !strcmp(mode, "addrs");
	if (strcmp(mode, "same") && strcmp(mode, "cross") && !bridge)
		return die("veths: MODE is same, cross, bridge or addrs");
	/* Namespaces are anonymous: they die with this process. */
	if (unshare(CLONE_NEWNET) < 0)
		return die("unshare: %s", strerror(errno));
	fd_a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	sock_a = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (cross) {
		if (unshare(CLONE_NEWNET) < 0)
			return die("unshare: %s", strerror(errno));
		fd_b = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		sock_b = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	}
	if (fd_a < 0 || sock_a < 0 || (cross && (fd_b < 0 || sock_b < 0)))
		return die("setup: %s", strerror(errno));
	(void)fd_a;

	t0 = now_ms();
	if (bridge) {
		struct rtattr *li;

		link_msg(&q, br, IFF_UP);
		attr_put(&q.nh, IFLA_IFNAME, "br0", 4);
		li = attr_put(&q.nh, IFLA_LINKINFO, NULL, 0);
		attr_put(&q.nh, IFLA_INFO_KIND, "bridge", 7);
		attr_end(&q.nh, li);
		r = talk(sock_a, &q.nh);
		if (r < 0)
			return die("bridge: %s", strerror(-r));
	}
	for (unsigned i = 1; i <= k; i++) {
		struct rtattr *li, *data, *peer;
		struct ifinfomsg *pifm;
		int near = (int)(10 + i), far = (int)(10 + i + k);

		link_msg(&q, near, bridge ? IFF_UP : 0);
		snprintf(name, sizeof(name), "v%u", i);
		attr_put(&q.nh, IFLA_IFNAME, name, strlen(name) + 1);
		if (oneq) {
			attr_put(&q.nh, IFLA_NUM_TX_QUEUES, &one, sizeof(one));
			attr_put(&q.nh, IFLA_NUM_RX_QUEUES, &one, sizeof(one));
		}
		if (bridge)
			attr_put(&q.nh, IFLA_MASTER, &br, sizeof(br));
		li = attr_put(&q.nh, IFLA_LINKINFO, NULL, 0);
		attr_put(&q.nh, IFLA_INFO_KIND, "veth", 5);
		data = attr_put(&q.nh, IFLA_INFO_DATA, NULL, 0);
		peer = attr_put(&q.nh, VETH_INFO_PEER, NULL, sizeof(struct ifinfomsg));
		pifm = RTA_DATA(peer);
		memset(pifm, 0, sizeof(*pifm));
		pifm->ifi_index = far;
		snprintf(name, sizeof(name), cross ? "e%u" : "p%u", i);
		attr_put(&q.nh, IFLA_IFNAME, name, strlen(name) + 1);
		if (cross)
			attr_put(&q.nh, IFLA_NET_NS_FD, &fd_b, sizeof(fd_b));
		if (oneq) {
			attr_put(&q.nh, IFLA_NUM_TX_QUEUES, &one, sizeof(one));
			attr_put(&q.nh, IFLA_NUM_RX_QUEUES, &one, sizeof(one));
		}
		attr_end(&q.nh, peer);
		attr_end(&q.nh, data);
		attr_end(&q.nh, li);
		r = talk(sock_a, &q.nh);
		if (r < 0)
			return die("veth %u: %s", i, strerror(-r));
		if (addrs) {
			snprintf(text, sizeof(text), "10.%u.%u.1", i >> 8, i & 255);
			r = add_addr(sock_b, far, AF_INET, text, 24);
			snprintf(text, sizeof(text), "172.16.%u.%u", i >> 8, i & 255);
			if (!r)
				r = add_addr(sock_b, far, AF_INET, text, 16);
			snprintf(text, sizeof(text), "fd00::%x", i);
			if (!r)
				r = add_addr(sock_b, far, AF_INET6, text, 64);
			if (!r) {
				link_msg(&q, far, IFF_UP);
				q.nh.nlmsg_flags = 0;
				r = talk(sock_b, &q.nh);
			}
			if (r < 0)
				return die("addrs %u: %s", i, strerror(-r));
		}
	}
	t1 = now_ms();
	printf("%u %s %.3f ms total %.1f us/pair\n", k, arg, t1 - t0, (t1 - t0) * 1e3 / k);
	return 0;
}

static int cmp_natural(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* The names under prefix, sorted, into *ret (n of them); -1 on failure. */
static int list_names(const char *prefix, char ***ret, size_t *ret_n)
{
	DIR *d = opendir(RUN_DIR);
	struct dirent *e;
	char **v = NULL, **nv;
	size_t n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strdup(e->d_name))) {
			free(nv ? nv : v);
			closedir(d);
			return -1;
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_natural);
	*ret = v;
	*ret_n = n;
	return 0;
}

/*
 * Mount id of the name (fd < 0) or of what fd holds.  STATX_MNT_ID, where
 * reuselab asks for the unique id (Linux 6.8): the same cost, and this also
 * runs where that is missing.
 */
static int mount_id(int dir, const char *name, int fd, uint64_t *id)
{
	struct statx stx;
	int r = fd < 0 ? statx(dir, name, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx)
		       : statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx);

	if (r == 0)
		*id = stx.stx_mnt_id;
	return r;
}

/* An unmount or unlink that failed: the name is left, so the run is no floor. */
static int removal_failed(int r, const char *what, const char *name)
{
	if (r == 0 || errno == EINVAL || errno == ENOENT)
		return 0;
	fprintf(stderr, "nsfloor: release: %s %s: %s\n", what, name, strerror(errno));
	return 1;
}

/* Check every name, then unmount them all, then unlink them all. */
static int release_phased(int dir, char **names, size_t n)
{
	char path[512];
	uint64_t id;
	int failed = 0;

	for (size_t i = 0; i < n; i++)
		if (mount_id(dir, names[i], -1, &id) < 0)
			return die("release: %s: %s", names[i], strerror(errno));
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), RUN_DIR "/%s", names[i]);
		failed |= removal_failed(umount2(path, MNT_DETACH), "umount2", names[i]);
	}
	for (size_t i = 0; i < n; i++)
		failed |= removal_failed(unlinkat(dir, names[i], 0), "unlink", names[i]);
	return failed;
}

static int cmd_release(const char *prefix, const char *mode)
{
	int check = !strcmp(mode, "check"), hold = !strcmp(mode, "hold"), dir, first = -1;
	int failed = 0;
	char path[512];
	size_t n = 0;
	char **names = NULL;
	uint64_t id;

	if (!check && !hold && strcmp(mode, "plain") != 0 && strcmp(mode, "phased") != 0)
		return die("release: MODE is plain, check, hold or phased");
	dir = open(RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || list_names(prefix, &names, &n) < 0)
		return die("release: " RUN_DIR ": %s", strerror(errno));
	if (!strcmp(mode, "phased"))
		return release_phased(dir, names, n);
	for (size_t i = 0; i < n; i++) {
		/* As down did: the first namespace is released at once. */
		int fd =
		    hold && i > 0 ? openat(dir, names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;

		if (fd >= 0 && first < 0)
			first = fd;
		if ((check || hold) && mount_id(dir, names[i], fd, &id) < 0)
			return die("release: %s: %s", names[i], strerror(errno));
		snprintf(path, sizeof(path), RUN_DIR "/%s", names[i]);
		failed |= removal_failed(umount2(path, MNT_DETACH), "umount2", names[i]);
		failed |= removal_failed(unlinkat(dir, names[i], 0), "unlink", names[i]);
		free(names[i]);
	}
	if (first >= 0)
		close_range((unsigned)first, ~0U, 0);
	free(names);
	return failed;
}

static int cmd_rusage(const char *out, char **argv)
{
	struct rusage ru;
	double t0, t1;
	pid_t pid;
	int st, rc;
	FILE *f;

	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "nsfloor: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return die("wait4: %s", strerror(errno));
	t1 = now_ms();
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	f = fopen(out, "we");
	if (!f)
		return die("%s: %s", out, strerror(errno));
	fprintf(f, "%d %.3f %ld\n", rc, t1 - t0, ru.ru_maxrss);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "rusage"))
		return cmd_rusage(argv[2], argv + 3);
	if (argc == 4 && !strcmp(argv[1], "create"))
		return cmd_create(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "delete")) {
		delete_range(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
		return 0;
	}
	if (argc >= 2 && argc <= 4 && !strcmp(argv[1], "barrier"))
		return cmd_barrier(argc >= 3 ? strtod(argv[2], NULL) : 60000,
				   argc == 4 ? atoi(argv[3]) : 2);
	if (argc == 4 && !strcmp(argv[1], "release"))
		return cmd_release(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "veths"))
		return cmd_veths((unsigned)strtoul(argv[2], NULL, 10), argv[3]);
	fprintf(stderr,
		"usage: nsfloor create PREFIX N | delete PREFIX N | barrier [MS [ROUNDS]] |"
		" veths K same|cross|bridge|addrs |\n"
		"       release PREFIX plain|check|hold|phased | rusage FILE CMD [ARG...]\n");
	return 2;
}
