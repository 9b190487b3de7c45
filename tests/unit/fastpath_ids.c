// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stream ids when several processes write the same pinned maps (xborderd
 * and xborderctl): each handle caches the ids in use and must never hand
 * out one another handle allocated since. Two handles on one pin directory
 * stand in for the two processes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <xborder/fastpath.h>

#include "common/err.h"
#include "fastpath/fastpath.h"
#include "kselftest_harness.h"

FIXTURE(ids) {
	char mnt[64];
	char pin[96];
	struct xb_fp *a, *b;
};

FIXTURE_SETUP(ids) {
	struct xb_fp_opts o = { .max_streams = 64 };

	/* A private BPF filesystem: nothing is left behind in /sys/fs/bpf. */
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/xbtest-ids-%d", getpid());
	ASSERT_EQ(0, mkdir(self->mnt, 0700));
	ASSERT_EQ(0, mount("bpf", self->mnt, "bpf", 0, NULL));
	snprintf(self->pin, sizeof(self->pin), "%s/xborder", self->mnt);
	o.pin_dir = self->pin;
	ASSERT_EQ(0, xb_fp_open(&o, &self->a)) TH_LOG("%s", xb_errmsg());
	ASSERT_EQ(0, xb_fp_open(&o, &self->b)) TH_LOG("%s", xb_errmsg());
	ASSERT_FALSE(xb_fp_created(self->b));
}

FIXTURE_TEARDOWN(ids) {
	xb_fp_close(self->a);
	xb_fp_close(self->b);
	umount2(self->mnt, MNT_DETACH);
	rmdir(self->mnt);
}

static uint32_t add(struct __test_metadata *_metadata, struct xb_fp *fp, uint16_t port)
{
	struct xb_stream_key k = { .family = XB_AF_INET, .port = htons(port) };
	struct xb_stream s = { .flags = XB_F_DROP };
	int err;

	k.addr[0] = 10, k.addr[3] = 1;
	err = xb_fp_stream_add(fp, &k, &s, false);
	EXPECT_EQ(0, err) TH_LOG("port %u: %s", port, xb_errmsg());
	return err ? 0 : s.stats_idx;
}

static void del(struct __test_metadata *_metadata, struct xb_fp *fp, uint16_t port)
{
	struct xb_stream_key k = { .family = XB_AF_INET, .port = htons(port) };

	k.addr[0] = 10, k.addr[3] = 1;
	EXPECT_EQ(0, xb_fp_stream_del(fp, &k)) TH_LOG("%s", xb_errmsg());
}

TEST_F(ids, interleaved_writers_never_share_an_id) {
	uint8_t seen[64] = { 0 };
	int i;

	/* a, b, a, b...: each allocation must see the other's last one */
	for (i = 0; i < 40; i++) {
		uint32_t id = add(_metadata, i % 2 ? self->b : self->a, 20000 + i);

		ASSERT_LT(id, 64);
		EXPECT_EQ(0, seen[id]) TH_LOG("id %u handed out twice", id);
		seen[id] = 1;
	}
}

TEST_F(ids, lowest_free_id_is_reused) {
	EXPECT_EQ(1, add(_metadata, self->a, 20000));
	EXPECT_EQ(2, add(_metadata, self->a, 20002));
	EXPECT_EQ(3, add(_metadata, self->b, 20004));
	/* a frees 2 and takes it back at once, without a rescan */
	del(_metadata, self->a, 20002);
	EXPECT_EQ(2, add(_metadata, self->a, 20006));
	/* b frees 1; a has not seen that (no allocation since), skips it... */
	del(_metadata, self->b, 20000);
	EXPECT_EQ(4, add(_metadata, self->a, 20008));
	/* ...until b allocates: then a rescans and finds 1 free again */
	EXPECT_EQ(1, add(_metadata, self->b, 20010));
	EXPECT_EQ(5, add(_metadata, self->a, 20012));
}

TEST_F(ids, config_writes_keep_the_generation) {
	struct xb_config c;
	uint32_t gen;

	add(_metadata, self->a, 20000);
	ASSERT_EQ(0, xb_fp_config_get(self->a, &c));
	gen = c.id_gen;
	EXPECT_NE(0, gen);
	c.id_gen = 0;
	c.relay_port_min = 20000;
	c.relay_port_max = 29999;
	ASSERT_EQ(0, xb_fp_config_set(self->b, &c)) TH_LOG("%s", xb_errmsg());
	ASSERT_EQ(0, xb_fp_config_get(self->a, &c));
	EXPECT_EQ(gen, c.id_gen);
	EXPECT_EQ(20000, c.relay_port_min);
	/* b's next allocation is not fooled into a stale map */
	EXPECT_EQ(2, add(_metadata, self->b, 20002));
}

TEST_HARNESS_MAIN
