/* SPDX-License-Identifier: MIT */
/* lab/kernel without a kernel: cpio newc bytes, module load order from a
 * canned modules.dep, and the report channel's framing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab/kernel/kernel.h"

/* Field i (0 = ino ... 12 = check) of the newc header at h. */
static unsigned long field(const char *h, int i)
{
	char hex[9];

	memcpy(hex, h + 6 + 8 * i, 8);
	hex[8] = '\0';
	return strtoul(hex, NULL, 16);
}

static void test_cpio_bytes(void **state)
{
	struct cpio c;
	char *buf = NULL;
	size_t len = 0, off;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	cpio_init(&c, f);
	assert_int_equal(cpio_add_dir(&c, "bin", 0755), 0);
	assert_int_equal(cpio_add_data(&c, "bin/a", 0644, "xyz", 3), 0);
	assert_int_equal(cpio_add_symlink(&c, "init", "bin/a"), 0);
	assert_int_equal(cpio_finish(&c), 0);
	fclose(f);

	/* dir: 110-byte header + "bin\0" = 114, padded to 116 */
	assert_memory_equal(buf, "070701", 6);
	assert_int_equal(field(buf, 1), S_IFDIR | 0755);
	assert_int_equal(field(buf, 4), 2);  /* nlink */
	assert_int_equal(field(buf, 6), 0);  /* filesize */
	assert_int_equal(field(buf, 11), 4); /* namesize with NUL */
	assert_string_equal(buf + 110, "bin");
	off = 116;
	/* file: header + "bin/a\0" = 116 (aligned), data 3 bytes padded to 4 */
	assert_memory_equal(buf + off, "070701", 6);
	assert_int_equal(field(buf + off, 1), S_IFREG | 0644);
	assert_int_equal(field(buf + off, 6), 3);
	assert_int_equal(field(buf + off, 11), 6);
	assert_string_equal(buf + off + 110, "bin/a");
	assert_memory_equal(buf + off + 116, "xyz\0", 4);
	assert_int_not_equal(field(buf + off, 0), field(buf, 0)); /* distinct inodes */
	off += 120;
	/* symlink: the target is the data */
	assert_int_equal(field(buf + off, 1), S_IFLNK | 0777);
	assert_int_equal(field(buf + off, 6), 5);
	assert_memory_equal(buf + off + 116, "bin/a", 5);
	off += 116 + 8;
	/* trailer, then zeros up to a multiple of 512 */
	assert_memory_equal(buf + off, "070701", 6);
	assert_string_equal(buf + off + 110, "TRAILER!!!");
	assert_int_equal(len % 512, 0);
	for (size_t i = off + 110 + 11; i < len; i++)
		assert_int_equal(buf[i], 0);
	free(buf);
}

static void test_cpio_file_missing(void **state)
{
	struct cpio c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	cpio_init(&c, f);
	assert_int_equal(cpio_add_file(&c, "x", 0644, "/nonexistent/reuselab"), -ENOENT);
	assert_int_equal(cpio_add_file(&c, "x", 0644, "/"), -EINVAL);
	fclose(f);
	assert_int_equal(len, 0); /* nothing half-written */
	free(buf);
}

static char moddir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", moddir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_mods(void **state)
{
	(void)state;
	snprintf(moddir, sizeof(moddir), "/tmp/reuselab-unit-mods.XXXXXX");
	if (!mkdtemp(moddir))
		return -1;
	put("modules.dep", "kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko\n"
			   "kernel/net/802/stp.ko: kernel/net/llc/llc.ko\n"
			   "kernel/net/llc/llc.ko:\n"
			   "kernel/net/ipv4/tcp_diag.ko.xz: kernel/net/ipv4/inet_diag.ko\n"
			   "kernel/net/ipv4/udp_diag.ko: kernel/net/ipv4/inet_diag.ko\n"
			   "kernel/net/ipv4/inet_diag.ko:\n");
	put("modules.builtin", "kernel/drivers/net/veth.ko\n");
	return 0;
}

static int teardown_mods(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/modules.dep", moddir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/modules.builtin", moddir);
	unlink(path);
	return rmdir(moddir);
}

static void test_modules_order(void **state)
{
	char why[KERNEL_WHY_MAX] = "", **v = NULL;
	size_t n = 0;

	(void)state;
	/* veth is built in: nothing to load; deps first, each once */
	assert_int_equal(kernel_modules_order(moddir, kernel_lab_modules, &v, &n, why), 0);
	assert_int_equal(n, 6);
	assert_string_equal(v[0], "kernel/net/llc/llc.ko");
	assert_string_equal(v[1], "kernel/net/802/stp.ko");
	assert_string_equal(v[2], "kernel/net/bridge/bridge.ko");
	assert_string_equal(v[3], "kernel/net/ipv4/inet_diag.ko");
	assert_string_equal(v[4], "kernel/net/ipv4/tcp_diag.ko.xz");
	assert_string_equal(v[5], "kernel/net/ipv4/udp_diag.ko");
	kernel_strv_free(v, n);
}

static void test_modules_missing(void **state)
{
	static const char *const want[] = { "llc", "vxlan", NULL };
	char why[KERNEL_WHY_MAX] = "", **v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(kernel_modules_order(moddir, want, &v, &n, why), -ENOENT);
	assert_non_null(strstr(why, "module vxlan is neither in modules.dep nor built in"));
	assert_int_equal(kernel_modules_order("/nonexistent", want, &v, &n, why), -ENOENT);
	assert_non_null(strstr(why, "/nonexistent/modules.dep"));
}

static void test_chan_round_trip(void **state)
{
	struct kernel_frame f = { .exit_status = 1, .part = { "report\n", "warn\n", "" },
				  .len = { 7, 5, 0 } }, g;
	char *buf;
	size_t len;
	int fd = memfd_create("chan", 0);

	(void)state;
	snprintf(f.release, sizeof(f.release), "6.1.0-57-cloud-amd64");
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "noise " KERNEL_CHAN_MAGIC " booted\n", 30), 30);
	assert_int_equal(kernel_chan_write(fd, &f), 0);
	len = (size_t)lseek(fd, 0, SEEK_CUR);
	buf = malloc(len);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	assert_int_equal(kernel_chan_parse(buf, len, &g), 0);
	assert_int_equal(g.exit_status, 1);
	assert_string_equal(g.release, "6.1.0-57-cloud-amd64");
	assert_int_equal(g.len[0], 7);
	assert_memory_equal(g.part[0], "report\n", 7);
	assert_memory_equal(g.part[1], "warn\n", 5);
	assert_int_equal(g.len[2], 0);
	/* cut anywhere before the closing line: no frame */
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(kernel_chan_parse(buf, cut, &g), -EPROTO);
	free(buf);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpio_bytes),
		cmocka_unit_test(test_cpio_file_missing),
		cmocka_unit_test(test_modules_order),
		cmocka_unit_test(test_modules_missing),
		cmocka_unit_test(test_chan_round_trip),
	};

	return cmocka_run_group_tests(tests, setup_mods, teardown_mods);
}
