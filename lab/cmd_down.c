/* SPDX-License-Identifier: MIT */
/* STUB: replaced by the real implementation. */
#include "lab/cmd.h"

int cmd_down(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cmd_err("down: not implemented yet");
	return EXIT_SYSTEM;
}
