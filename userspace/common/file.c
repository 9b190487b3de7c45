// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/file.h"

int xb_split_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return -1;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

int xb_check_private_file(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st))
		return xb_err(errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return xb_err(EINVAL, "%s is not a regular file", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return xb_err(EPERM, "%s must belong to root or to this process's user", path);
	if (st.st_mode & 077)
		return xb_err(EPERM, "%s is accessible by others (mode %03o): chmod 600 it", path,
			      (unsigned int)(st.st_mode & 0777));
	return 0;
}
