/* SPDX-License-Identifier: MIT */
/*
 * What `matrix` and `run --matrix` share: which address axes (--axes) and
 * which of the node's addresses stand for them (--addr AXIS=ADDRESS), and
 * how a result is printed and becomes an exit status.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"

int cmd_matrix_proto(const char *cmd, const char *arg, unsigned *ret_mask)
{
	if (strcmp(arg, "tcp") && strcmp(arg, "udp")) {
		cmd_err("%s: --proto takes tcp or udp, not '%s'", cmd, arg);
		return -EINVAL;
	}
	*ret_mask = 1u << (strcmp(arg, "tcp") ? MX_UDP : MX_TCP);
	return 0;
}

int cmd_matrix_axes(const char *cmd, const char *arg, unsigned *ret_mask)
{
	static const struct {
		const char *name;
		unsigned mask;
	} sets[] = {{"v4", MX_AXES_V4}, {"dual", MX_AXES_DUAL}, {"all", MX_AXES_ALL}};
	char buf[256], *save = NULL;
	unsigned mask = 0;

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (!strcmp(arg, sets[i].name)) {
			*ret_mask = sets[i].mask;
			return 0;
		}
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned a = matrix_addr_parse(tok);

		if (a >= MX_N_ADDR) {
			cmd_err("%s: --axes: unknown axis '%s' (v4, dual, all, or a list of: "
				"wildcard,A,alias,other,v6-wildcard,v6only-wildcard,v6,"
				"mapped-wildcard,mapped-A)",
				cmd, tok);
			return -EINVAL;
		}
		mask |= 1u << a;
	}
	if (!mask) {
		cmd_err("%s: --axes: empty", cmd);
		return -EINVAL;
	}
	*ret_mask = mask;
	return 0;
}

int cmd_matrix_addr(const char *cmd, char *arg, struct matrix_config *cfg)
{
	char *eq = strchr(arg, '='), probe[sizeof(struct in6_addr)];
	unsigned a;

	if (eq)
		*eq = '\0';
	a = eq ? matrix_addr_parse(arg) : MX_N_ADDR;
	if (eq)
		*eq = '=';
	if (a != MX_ADDR_A && a != MX_ADDR_ALIAS && a != MX_ADDR_OTHER && a != MX_ADDR_V6) {
		cmd_err("%s: --addr %s: expected A=, alias=, other= or v6= and an address", cmd,
			arg);
		return -EINVAL;
	}
	if (inet_pton(a == MX_ADDR_V6 ? AF_INET6 : AF_INET, eq + 1, probe) != 1) {
		cmd_err("%s: --addr %s: '%s' is not an IPv%c address", cmd, arg, eq + 1,
			a == MX_ADDR_V6 ? '6' : '4');
		return -EINVAL;
	}
	cfg->want[a] = eq + 1;
	return 0;
}

int cmd_matrix_run_error(int r, const struct matrix_result *res, const char *node,
			 const char *where)
{
	/* An --addr that is no address, or one the node does not hold, is the
	 * user's; so is a configuration matrix_run refuses (-EINVAL, no why). */
	if (res->why_wanted && (r == -EADDRNOTAVAIL || r == -EINVAL)) {
		cmd_err("matrix: node '%s' (%s): %s", node, where, res->why);
		return EXIT_USAGE;
	}
	if (r == -EINVAL) {
		cmd_err("matrix: %s: the matrix's configuration is out of range (protocols, axes "
			"or ports)", where);
		return EXIT_USAGE;
	}
	if (r == -EINTR) /* cfg.stop: the caller says which signal */
		return EXIT_SYSTEM;
	/* A node without a usable IPv4 address is the lab's, not the user's. */
	if (r == -EADDRNOTAVAIL)
		cmd_err("matrix: node '%s' (%s): %s", node, where,
			res->why[0] ? res->why : "no usable IPv4 address");
	else if (r == -ENOSPC)
		cmd_err("matrix: %s: no free port left in 10000-32767 for the cells (TIME-WAIT "
			"sockets of earlier runs hold them for 60 s; fewer --axes need fewer)",
			where);
	else
		cmd_err("matrix: %s: %s", where, strerror(-r));
	return EXIT_SYSTEM;
}

int cmd_matrix_print(const char *cmd, const struct matrix_result *res, bool json)
{
	int r = json ? matrix_write_json(res, stdout)
		     : matrix_write_grid(res, stdout, isatty(STDOUT_FILENO));

	char what[64];

	if (r == 0)
		return EXIT_OK;
	snprintf(what, sizeof(what), "%s: writing the output", cmd);
	return cmd_output_error(what, r);
}

int cmd_matrix_status(const struct matrix_result *res)
{
	size_t setup = 0;

	for (size_t i = 0; i < res->n_cells; i++)
		setup += res->cells[i].result == MATRIX_SETUP;
	if (!setup)
		return EXIT_OK;
	cmd_err("matrix: %zu cell%s could not be set up (see 'error' cells)", setup,
		setup == 1 ? "" : "s");
	return EXIT_SYSTEM;
}
