/* SPDX-License-Identifier: MIT */
/*
 * Well-formed UTF-8 (RFC 3629): what a program wrote and what a report
 * prints are kept as text only where they are valid, so both ask here.
 */
#include "lab/util/util.h"

size_t utf8_char_len(const unsigned char *s, size_t n)
{
	unsigned lo = 0x80, hi = 0xbf; /* the second byte's range */
	size_t k;

	if (n == 0 || s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		lo = s[0] == 0xe0 ? 0xa0 : lo; /* no overlong forms */
		hi = s[0] == 0xed ? 0x9f : hi; /* no surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		lo = s[0] == 0xf0 ? 0x90 : lo; /* no overlong forms */
		hi = s[0] == 0xf4 ? 0x8f : hi; /* nothing past U+10FFFF */
	} else {
		return 0;
	}
	if (k > n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return k;
}
