// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The last sequence numbers of removed outbound SAs, kept in a small file
 * of the state directory: with static keys the peer's inbound SA outlives
 * a clean restart of ours, and it would drop a re-created SA's packets
 * (sequence numbers from 1 again) as replays. One line per SA:
 * "DESTINATION 0xSPI OSEQ".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "ipsec/model.h"

#define SEQ_MAX_ENTRIES 65536
#define SEQ_LINE_MAX 128

void xb_ipsec_seq_free(struct xb_seqs *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static struct xb_seq_entry *find(const struct xb_seqs *s, const struct xb_addr *dst, uint32_t spi)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].spi == spi && xb_addr_equal(&s->e[i].dst, dst))
			return &s->e[i];
	return NULL;
}

uint32_t xb_ipsec_seq_get(const struct xb_seqs *s, const struct xb_addr *dst, uint32_t spi)
{
	const struct xb_seq_entry *e = find(s, dst, spi);

	return e ? e->oseq : 0;
}

int xb_ipsec_seq_put(struct xb_seqs *s, const struct xb_addr *dst, uint32_t spi, uint32_t oseq)
{
	struct xb_seq_entry *e = find(s, dst, spi);

	if (e) {
		e->oseq = oseq;
		return 0;
	}
	if (s->n >= SEQ_MAX_ENTRIES)
		return -ENOSPC;
	if (s->n == s->cap) {
		unsigned int ncap = s->cap ? s->cap * 2 : 16;
		struct xb_seq_entry *p = realloc(s->e, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->e = p;
		s->cap = ncap;
	}
	e = &s->e[s->n++];
	e->dst = *dst;
	e->spi = spi;
	e->oseq = oseq;
	return 0;
}

/* One line; false for anything malformed (skipped, not fatal). */
static bool parse_line(char *line, struct xb_seq_entry *e)
{
	char *save = NULL, *addr = strtok_r(line, " \t\n", &save);
	char *spi = strtok_r(NULL, " \t\n", &save), *seq = strtok_r(NULL, " \t\n", &save);
	char *end;
	unsigned long v;

	if (!addr || !spi || !seq || strtok_r(NULL, " \t\n", &save) || xb_parse_addr(addr, &e->dst))
		return false;
	if (strncmp(spi, "0x", 2) || !spi[2] || strlen(spi) > 10)
		return false;
	errno = 0;
	v = strtoul(spi + 2, &end, 16);
	if (*end || errno || v > 0xffffffffUL)
		return false;
	e->spi = (uint32_t)v;
	if (xb_parse_u32(seq, 0xffffffffu, &e->oseq))
		return false;
	return true;
}

int xb_ipsec_seq_load(const char *path, struct xb_seqs *s)
{
	char line[SEQ_LINE_MAX];
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : xb_err(errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) && s->n < SEQ_MAX_ENTRIES) {
		struct xb_seq_entry e;

		if (!strchr(line, '\n') && !feof(f)) {
			int ch; /* too long: skip the rest of it */

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		if (parse_line(line, &e) && xb_ipsec_seq_put(s, &e.dst, e.spi, e.oseq)) {
			fclose(f);
			xb_ipsec_seq_free(s);
			return xb_err(ENOMEM, "%s: out of memory", path);
		}
	}
	fclose(f);
	return 0;
}

int xb_ipsec_seq_save(const char *path, const struct xb_seqs *s)
{
	char tmp[4200], dir[4096], a[XB_ADDRSTRLEN], *slash;
	unsigned int i;
	FILE *f;
	int fd;

	if (strlen(path) >= sizeof(dir))
		return xb_err(ENAMETOOLONG, "%s: path too long", path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) && errno != EEXIST)
			return xb_err(errno, "%s: %s", dir, strerror(errno));
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return xb_err(errno, "%s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return xb_err(errno, "%s: %s", tmp, strerror(errno));
	}
	for (i = 0; i < s->n; i++)
		fprintf(f, "%s 0x%08x %u\n", xb_fmt_addr(&s->e[i].dst, a, sizeof(a)), s->e[i].spi,
			s->e[i].oseq);
	if (fflush(f) || fsync(fileno(f)) || ferror(f)) {
		fclose(f);
		unlink(tmp);
		return xb_err(EIO, "%s: write failed", tmp);
	}
	fclose(f);
	if (rename(tmp, path)) {
		unlink(tmp);
		return xb_err(errno, "%s: %s", path, strerror(errno));
	}
	return 0;
}
