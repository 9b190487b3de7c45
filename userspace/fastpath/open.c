// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening the fast path: find or create the pinned maps, check that they
 * speak our ABI, and load the program on demand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "common/err.h"
#include "common/log.h"
#include "fastpath/internal.h"
#include "xborder.skel.h"

#define SYS_BPFFS "/sys/fs/bpf"

struct map_def {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
};

/* What include/uapi/xborder/fastpath.h promises; pinned maps must match. */
static const struct map_def map_defs[XB_MAP_COUNT] = {
	[XB_MAP_STREAMS] = { "xb_streams", BPF_MAP_TYPE_HASH, sizeof(struct xb_stream_key),
			     sizeof(struct xb_stream) },
	[XB_MAP_STREAM_STATS] = { "xb_stream_stats", BPF_MAP_TYPE_ARRAY, sizeof(__u32),
				  sizeof(struct xb_stream_stats) },
	[XB_MAP_CONFIG] = { "xb_config", BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			    sizeof(struct xb_config) },
	[XB_MAP_STATS] = { "xb_stats", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64) },
	[XB_MAP_TX_PORTS] = { "xb_tx_ports", BPF_MAP_TYPE_DEVMAP_HASH, sizeof(__u32),
			      sizeof(__u32) },
	[XB_MAP_GUARD_PORTS] = { "xb_guard_ports", BPF_MAP_TYPE_HASH,
				 sizeof(struct xb_guard_port_key), sizeof(struct xb_guard_port) },
	[XB_MAP_ALLOW4] = { "xb_allow4", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xb_lpm_key4),
			    sizeof(struct xb_guard_prefix) },
	[XB_MAP_ALLOW6] = { "xb_allow6", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xb_lpm_key6),
			    sizeof(struct xb_guard_prefix) },
	[XB_MAP_BLOCK4] = { "xb_block4", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xb_lpm_key4),
			    sizeof(struct xb_guard_prefix) },
	[XB_MAP_BLOCK6] = { "xb_block6", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xb_lpm_key6),
			    sizeof(struct xb_guard_prefix) },
	[XB_MAP_RATELIMIT] = { "xb_ratelimit", BPF_MAP_TYPE_LRU_HASH, sizeof(struct xb_addr_key),
			       sizeof(struct xb_rate_state) },
	[XB_MAP_SRTP_PROGS] = { "xb_srtp_progs", BPF_MAP_TYPE_PROG_ARRAY, sizeof(__u32),
				sizeof(__u32) },
};

const char *const xb_fp_prog_names[XB_PROG_COUNT] = {
	[XB_PROG_MAIN] = "xb_xdp",
	[XB_PROG_PASS] = "xb_xdp_pass",
};

const char *xb_fp_map_name(enum xb_fp_map map)
{
	return map < XB_MAP_COUNT ? map_defs[map].name : "?";
}

const char *xb_fp_prog_name(enum xb_fp_prog prog)
{
	return prog < XB_PROG_COUNT ? xb_fp_prog_names[prog] : "?";
}

const char *xb_fp_default_pin_dir(void)
{
	const char *env = getenv(XB_PIN_DIR_ENV);

	return env && *env ? env : XB_PIN_DIR;
}

const char *xb_fp_pin_dir(const struct xb_fp *fp)
{
	return fp->pin_dir;
}

int xb_fp_map_fd(const struct xb_fp *fp, enum xb_fp_map map)
{
	return map < XB_MAP_COUNT ? fp->map_fd[map] : -1;
}

bool xb_fp_created(const struct xb_fp *fp)
{
	return fp->created;
}

uint32_t xb_fp_max_streams(const struct xb_fp *fp)
{
	return fp->map_max[XB_MAP_STREAMS];
}

uint64_t xb_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int xb_fp_pin_path(const char *dir, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len)
		return xb_err(ENAMETOOLONG, "pin path too long: %s/%s", dir, name);
	return 0;
}

/* libbpf's chatter (verifier logs included) is shown with -v only. */
__attribute__((format(printf, 2, 0))) static int libbpf_print(enum libbpf_print_level level,
							      const char *fmt, va_list ap)
{
	if (xb_log_level() < XB_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/*
 * The default pin directory lives on /sys/fs/bpf, which some systems do
 * not mount; mount it there, as systemd would. Any other directory must
 * already be on a BPF filesystem (tests mount a private one).
 */
static int ensure_bpffs(const char *dir)
{
	if (strncmp(dir, SYS_BPFFS "/", sizeof(SYS_BPFFS)) != 0 || on_bpffs(SYS_BPFFS))
		return 0;
	if (mount("bpf", SYS_BPFFS, "bpf", 0, "mode=0700") && errno != EBUSY)
		return xb_err(errno, "cannot mount the BPF filesystem on " SYS_BPFFS ": %s",
			      strerror(errno));
	xb_log(XB_LOG_INFO, "mounted the BPF filesystem on " SYS_BPFFS);
	return 0;
}

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(buf))
		return xb_err(ENAMETOOLONG, "pin directory name too long");
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return xb_err(errno, "cannot create %s: %s", buf, strerror(errno));
		buf[i] = dir[i];
	}
	return 0;
}

int xb_fp_lock(struct xb_fp *fp)
{
	int i;

	/* bounded: a stuck holder gives an error, not a hang */
	for (i = 0; i < 500; i++) {
		if (flock(fp->dir_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return xb_err(errno, "cannot lock %s: %s", fp->pin_dir, strerror(errno));
		usleep(10000);
	}
	return xb_err(ETIMEDOUT, "%s is locked by another process for more than 5 s", fp->pin_dir);
}

void xb_fp_unlock(struct xb_fp *fp)
{
	flock(fp->dir_fd, LOCK_UN);
}

static int pin_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (xb_fp_pin_path(dir, name, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (stat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : xb_err(errno, "%s: %s", path, strerror(errno));
}

/* Count the pinned maps: 0 (none), XB_MAP_COUNT (all) or in between. */
static int count_pins(const char *dir, int *missing)
{
	int i, n = 0, r;

	*missing = -1;
	for (i = 0; i < XB_MAP_COUNT; i++) {
		r = pin_exists(dir, map_defs[i].name);
		if (r < 0)
			return r;
		if (r)
			n++;
		else if (*missing < 0)
			*missing = i;
	}
	return n;
}

static int open_pinned_map(struct xb_fp *fp, int i)
{
	const struct map_def *d = &map_defs[i];
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	if (xb_fp_pin_path(fp->pin_dir, d->name, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return xb_err(errno, "cannot open pinned map %s: %s", path, strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return xb_err(errno, "%s: cannot read map info: %s", path, strerror(errno));
	}
	if (info.type != d->type || info.key_size != d->key_size ||
	    info.value_size != d->value_size) {
		close(fd);
		return xb_err(EPROTO,
			      "pinned map %s does not match this build (type %u key %u value %u, "
			      "want %u/%u/%u); remove %s after detaching",
			      path, info.type, info.key_size, info.value_size, d->type, d->key_size,
			      d->value_size, fp->pin_dir);
	}
	fp->map_fd[i] = fd;
	fp->map_max[i] = info.max_entries;
	return 0;
}

static int open_pinned(struct xb_fp *fp)
{
	struct xb_config cfg;
	int i, err;

	for (i = 0; i < XB_MAP_COUNT; i++) {
		err = open_pinned_map(fp, i);
		if (err)
			return err;
	}
	err = xb_fp_config_get(fp, &cfg);
	if (err)
		return err;
	if (cfg.abi != XB_FASTPATH_ABI)
		return xb_err(EPROTO,
			      "maps pinned under %s speak fast-path ABI %u, this build speaks %u; "
			      "detach the program and remove %s to start afresh",
			      fp->pin_dir, cfg.abi, XB_FASTPATH_ABI, fp->pin_dir);
	return 0;
}

static int map_index(const char *name)
{
	int i;

	for (i = 0; i < XB_MAP_COUNT; i++)
		if (!strcmp(name, map_defs[i].name))
			return i;
	return -1;
}

int xb_fp_reuse_maps(struct xb_fp *fp, struct bpf_object *obj)
{
	struct bpf_map *map;
	int i, err;

	bpf_object__for_each_map(map, obj)
	{
		i = map_index(bpf_map__name(map));
		if (i < 0)
			continue;
		err = bpf_map__reuse_fd(map, fp->map_fd[i]);
		if (err)
			return xb_err(err, "cannot prepare map %s: %s", map_defs[i].name,
				      strerror(-err));
	}
	return 0;
}

/*
 * Open the skeleton for loading. Creating (no pinned maps yet): every ABI
 * map gets its pin path, so libbpf creates and pins it, streams sized
 * max_streams. Loading programs later: every map re-uses the fd of the
 * pinned map we hold (libbpf 1.1 would refuse to re-use a pinned devmap by
 * path, as the kernel adds BPF_F_RDONLY_PROG to its flags).
 */
static int skel_open(struct xb_fp *fp, bool create, uint32_t max_streams, struct xborder **skelp)
{
	struct bpf_map *map;
	struct xborder *skel;
	char path[PATH_MAX];
	int i, err;

	libbpf_set_print(libbpf_print);
	skel = xborder__open();
	if (!skel)
		return xb_err(errno, "cannot open the embedded BPF object: %s", strerror(errno));
	bpf_object__for_each_map(map, skel->obj)
	{
		i = map_index(bpf_map__name(map));
		if (i < 0)
			continue;
		if (!create) {
			err = bpf_map__reuse_fd(map, fp->map_fd[i]);
		} else {
			err = xb_fp_pin_path(fp->pin_dir, map_defs[i].name, path, sizeof(path));
			if (!err)
				err = bpf_map__set_pin_path(map, path);
			if (!err && max_streams &&
			    (i == XB_MAP_STREAMS || i == XB_MAP_STREAM_STATS))
				err = bpf_map__set_max_entries(map, max_streams);
		}
		if (err) {
			xborder__destroy(skel);
			return xb_err(err, "cannot prepare map %s: %s", map_defs[i].name,
				      strerror(-err));
		}
	}
	*skelp = skel;
	return 0;
}

/* Create and pin the maps (no programs) and stamp the config with our ABI. */
static int create_maps(struct xb_fp *fp, uint32_t max_streams)
{
	struct bpf_program *prog;
	struct xborder *skel;
	struct xb_config cfg;
	int err;

	err = skel_open(fp, true, max_streams, &skel);
	if (err)
		return err;
	bpf_object__for_each_program(prog, skel->obj) bpf_program__set_autoload(prog, false);
	err = xborder__load(skel);
	xborder__destroy(skel);
	if (err)
		return xb_err(err, "cannot create the fast-path maps under %s: %s", fp->pin_dir,
			      strerror(-err));
	for (int i = 0; i < XB_MAP_COUNT; i++) {
		err = open_pinned_map(fp, i);
		if (err)
			return err;
	}
	memset(&cfg, 0, sizeof(cfg));
	err = xb_fp_config_set(fp, &cfg);
	if (err)
		return err;
	fp->created = true;
	xb_log(XB_LOG_DEBUG, "created fast-path maps under %s", fp->pin_dir);
	return 0;
}

int xb_fp_open(const struct xb_fp_opts *opts, struct xb_fp **fpp)
{
	struct xb_fp_opts none = { 0 };
	struct xb_fp *fp;
	int err, i, n, missing;
	const char *dir;

	if (!opts)
		opts = &none;
	dir = opts->pin_dir && *opts->pin_dir ? opts->pin_dir : xb_fp_default_pin_dir();
	if (dir[0] != '/')
		return xb_err(EINVAL, "pin directory must be an absolute path: %s", dir);
	fp = calloc(1, sizeof(*fp));
	if (!fp)
		return xb_err(ENOMEM, "out of memory");
	fp->dir_fd = -1;
	for (i = 0; i < XB_MAP_COUNT; i++)
		fp->map_fd[i] = -1;
	if (strlen(dir) >= sizeof(fp->pin_dir) - 64) {
		err = xb_err(ENAMETOOLONG, "pin directory name too long");
		goto fail;
	}
	strcpy(fp->pin_dir, dir);
	/* "/sys/fs/bpf/xborder/" and "/sys/fs/bpf/xborder" are the same */
	for (n = (int)strlen(fp->pin_dir); n > 1 && fp->pin_dir[n - 1] == '/'; n--)
		fp->pin_dir[n - 1] = '\0';
	fp->ncpus = libbpf_num_possible_cpus();
	if (fp->ncpus <= 0) {
		err = xb_err(fp->ncpus ? fp->ncpus : EINVAL, "cannot count possible CPUs");
		goto fail;
	}

	if (opts->no_create && access(fp->pin_dir, F_OK)) {
		err = xb_err(ENOENT, "no fast path pinned under %s (%s)", fp->pin_dir,
			     strerror(errno));
		goto fail;
	}
	err = ensure_bpffs(fp->pin_dir);
	if (!err && !opts->no_create)
		err = mkdir_p(fp->pin_dir);
	if (err)
		goto fail;
	if (!on_bpffs(fp->pin_dir)) {
		err = xb_err(ENOTSUP, "%s is not on a BPF filesystem (mount -t bpf bpf DIR)",
			     fp->pin_dir);
		goto fail;
	}
	fp->dir_fd = open(fp->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fp->dir_fd < 0) {
		err = xb_err(errno, "cannot open %s: %s", fp->pin_dir, strerror(errno));
		goto fail;
	}

	/* creation happens under the lock, so two openers never race */
	err = xb_fp_lock(fp);
	if (err)
		goto fail;
	n = count_pins(fp->pin_dir, &missing);
	if (n < 0) {
		err = n;
	} else if (n == XB_MAP_COUNT) {
		err = open_pinned(fp);
	} else if (n > 0) {
		err = xb_err(EPROTO, "incomplete fast path under %s: %s is missing; remove %s",
			     fp->pin_dir, map_defs[missing].name, fp->pin_dir);
	} else if (opts->no_create) {
		err = xb_err(ENOENT, "no fast path pinned under %s", fp->pin_dir);
	} else {
		err = create_maps(fp, opts->max_streams);
	}
	xb_fp_unlock(fp);
	if (err)
		goto fail;
	*fpp = fp;
	return 0;
fail:
	xb_fp_close(fp);
	return err;
}

void xb_fp_close(struct xb_fp *fp)
{
	int i;

	if (!fp)
		return;
	for (i = 0; i < XB_MAP_COUNT; i++)
		if (fp->map_fd[i] >= 0)
			close(fp->map_fd[i]);
	if (fp->dir_fd >= 0)
		close(fp->dir_fd);
	free(fp->id_used);
	free(fp);
}

static int open_pinned_prog(struct xb_fp *fp, enum xb_fp_prog prog, uint32_t *id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	if (xb_fp_pin_path(fp->pin_dir, xb_fp_prog_names[prog], path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : xb_err(errno, "cannot open %s: %s", path, strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_PROG_TYPE_XDP) {
		close(fd);
		return xb_err(EPROTO, "%s is not an XDP program", path);
	}
	if (id)
		*id = info.id;
	return fd;
}

uint32_t xb_fp_prog_pinned_id(struct xb_fp *fp, enum xb_fp_prog prog)
{
	uint32_t id = 0;
	int fd;

	if (prog >= XB_PROG_COUNT)
		return 0;
	fd = open_pinned_prog(fp, prog, &id);
	if (fd < 0)
		return 0;
	close(fd);
	return id;
}

/* Load every program against the pinned maps and pin them. */
static int load_and_pin_progs(struct xb_fp *fp)
{
	struct xborder *skel;
	char path[PATH_MAX];
	int err, p;

	err = skel_open(fp, false, 0, &skel);
	if (err)
		return err;
	err = xborder__load(skel);
	if (err) {
		xborder__destroy(skel);
		return xb_err(err, "loading the XDP program failed: %s (-v shows the libbpf log)",
			      strerror(-err));
	}
	for (p = 0; p < XB_PROG_COUNT; p++) {
		struct bpf_program *prog =
			bpf_object__find_program_by_name(skel->obj, xb_fp_prog_names[p]);

		if (!prog) {
			err = xb_err(ENOENT, "the BPF object has no program %s",
				     xb_fp_prog_names[p]);
			break;
		}
		err = xb_fp_pin_path(fp->pin_dir, xb_fp_prog_names[p], path, sizeof(path));
		if (err)
			break;
		/* left over from an interrupted earlier load: keep that one */
		if (!access(path, F_OK))
			continue;
		err = bpf_program__pin(prog, path);
		if (err) {
			err = xb_err(err, "cannot pin %s: %s", path, strerror(-err));
			break;
		}
	}
	xborder__destroy(skel);
	return err;
}

int xb_fp_prog_get(struct xb_fp *fp, enum xb_fp_prog prog, uint32_t *id)
{
	int fd, err;

	if (prog >= XB_PROG_COUNT)
		return xb_err(EINVAL, "unknown program");
	fd = open_pinned_prog(fp, prog, id);
	if (fd != -ENOENT)
		return fd;
	err = xb_fp_lock(fp);
	if (err)
		return err;
	/* someone else may have loaded it while we waited for the lock */
	fd = open_pinned_prog(fp, prog, id);
	if (fd == -ENOENT) {
		err = load_and_pin_progs(fp);
		fd = err ? err : open_pinned_prog(fp, prog, id);
		if (fd == -ENOENT)
			fd = xb_err(ENOENT, "program %s vanished after pinning",
				    xb_fp_prog_names[prog]);
	}
	xb_fp_unlock(fp);
	return fd;
}
