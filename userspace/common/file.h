/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers for the line-based files we read: key files above all. */
#ifndef XB_COMMON_FILE_H
#define XB_COMMON_FILE_H

/*
 * Splits LINE in place into blank-separated words, stopping at a '#'.
 * Returns their number, or -1 when there are more than MAX.
 */
int xb_split_words(char *line, char **w, int max);

/*
 * A file holding secrets (keys): regular, owned by root or by us, and
 * neither readable nor writable by group or others. 0 or -errno with a
 * one-line message in xb_errmsg().
 */
int xb_check_private_file(int fd, const char *path);

#endif
