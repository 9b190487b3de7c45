// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic netlink client of xborder.ko (include/uapi/xborder/genl.h),
 * on libnl-genl-3. Requests are synchronous: one netlink socket, one
 * request at a time, the kernel's extended-ack message kept as the error.
 * The socket is capped (NETLINK_CAP_ACK): an error never echoes a request,
 * which for add and replace carries the keys, back into our buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "common/err.h"
#include "srtp/srtp.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct xb_srtp_nl {
	struct nl_sock *sk;
	int family;
	/* the current request's outcome, from the callbacks */
	int error;     /* -errno from the kernel, 0 */
	char ext[256]; /* its extended-ack message, or "" */
	int (*cb)(const struct xb_srtp_state *st, void *arg);
	void *cb_arg;
	int cb_ret;
	struct xb_srtp_info *info;
};

static struct nla_policy attr_policy[XBORDER_A_MAX + 1] = {
	[XBORDER_A_CTX_ID] = { .type = NLA_U32 },
	[XBORDER_A_SUITE] = { .type = NLA_U16 },
	[XBORDER_A_DIRECTION] = { .type = NLA_U8 },
	[XBORDER_A_SSRC] = { .type = NLA_U32 },
	[XBORDER_A_SSRC_FIXED] = { .type = NLA_FLAG },
	[XBORDER_A_ROC] = { .type = NLA_U32 },
	[XBORDER_A_SEQ] = { .type = NLA_U16 },
	[XBORDER_A_REPLAY_WINDOW] = { .type = NLA_U16 },
	[XBORDER_A_SRTCP_INDEX] = { .type = NLA_U32 },
	[XBORDER_A_STATS] = { .type = NLA_NESTED },
	[XBORDER_A_VERSION] = { .type = NLA_STRING },
	[XBORDER_A_SELFTEST] = { .type = NLA_U32 },
	[XBORDER_A_SUITES] = { .type = NLA_U32 },
	[XBORDER_A_CTX_COUNT] = { .type = NLA_U32 },
	[XBORDER_A_CTX_MAX] = { .type = NLA_U32 },
};

static struct nla_policy stats_policy[XBORDER_STATS_MAX + 1] = {
	[XBORDER_STATS_PACKETS] = { .type = NLA_U64 },
	[XBORDER_STATS_BYTES] = { .type = NLA_U64 },
	[XBORDER_STATS_RTCP_PACKETS] = { .type = NLA_U64 },
	[XBORDER_STATS_AUTH_FAIL] = { .type = NLA_U64 },
	[XBORDER_STATS_REPLAY_FAIL] = { .type = NLA_U64 },
	[XBORDER_STATS_MALFORMED] = { .type = NLA_U64 },
	[XBORDER_STATS_SSRC_MISMATCH] = { .type = NLA_U64 },
	[XBORDER_STATS_ERRORS] = { .type = NLA_U64 },
};

/* The kernel's error, and its extended-ack message if it sent one. */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct xb_srtp_nl *nl = arg;
	size_t off = sizeof(*e);

	nl->error = e->error;
	nl->ext[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off), NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->ext, sizeof(nl->ext), "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

/* The result of the request just made, as 0 or an xb_err(). */
static int outcome(struct xb_srtp_nl *nl, int nlerr, const char *what)
{
	int err = nl->error;

	if (!err && nlerr < 0)
		return xb_err(EIO, "%s: netlink: %s", what, nl_geterror(nlerr));
	if (!err)
		return 0;
	if (err == -EPERM)
		return xb_err(EPERM, "%s: permission denied (CAP_NET_ADMIN needed)", what);
	if (nl->ext[0])
		return xb_err(err, "%s: %s (%s)", what, nl->ext, strerror(-err));
	return xb_err(err, "%s: %s", what, strerror(-err));
}

int xb_srtp_nl_open(struct xb_srtp_nl **nlp)
{
	struct xb_srtp_nl *nl;
	int one = 1, fd;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return xb_err(ENOMEM, "out of memory");
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return xb_err(ENOMEM, "out of memory");
	}
	if (genl_connect(nl->sk)) {
		xb_srtp_nl_close(nl);
		return xb_err(EIO, "cannot open a generic netlink socket");
	}
	fd = nl_socket_get_fd(nl->sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_disable_auto_ack(nl->sk);
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_error, nl);
	nl->family = genl_ctrl_resolve(nl->sk, XBORDER_GENL_NAME);
	if (nl->family < 0) {
		xb_srtp_nl_close(nl);
		return xb_err(ENOENT,
			      "xborder.ko is not loaded (no generic netlink family \"%s\"; "
			      "modprobe xborder or insmod build/module/$(uname -r)/xborder.ko)",
			      XBORDER_GENL_NAME);
	}
	*nlp = nl;
	return 0;
}

void xb_srtp_nl_close(struct xb_srtp_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

static struct nl_msg *request(struct xb_srtp_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
			 XBORDER_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	nl->error = 0;
	nl->ext[0] = '\0';
	return msg;
}

/* Send msg (freed) and read until the kernel's answer is complete. */
static int transact(struct xb_srtp_nl *nl, struct nl_msg *msg, bool ack, const char *what)
{
	int r;

	r = nl_send_auto(nl->sk, msg);
	/* the message may hold keys: wipe the buffer before freeing it */
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	if (r < 0)
		return xb_err(EIO, "%s: cannot send: %s", what, nl_geterror(r));
	r = ack ? nl_wait_for_ack(nl->sk) : nl_recvmsgs_default(nl->sk);
	return outcome(nl, r, what);
}

static int put_params(struct nl_msg *msg, const struct xb_srtp_params *p)
{
	if (nla_put_u32(msg, XBORDER_A_CTX_ID, p->id) ||
	    nla_put_u16(msg, XBORDER_A_SUITE, p->suite) ||
	    nla_put_u8(msg, XBORDER_A_DIRECTION, p->dir) ||
	    nla_put(msg, XBORDER_A_MASTER_KEY, sizeof(p->key), p->key) ||
	    nla_put(msg, XBORDER_A_MASTER_SALT, sizeof(p->salt), p->salt) ||
	    (p->have_ssrc && nla_put_u32(msg, XBORDER_A_SSRC, p->ssrc)) ||
	    (p->roc && nla_put_u32(msg, XBORDER_A_ROC, p->roc)) ||
	    (p->have_seq && nla_put_u16(msg, XBORDER_A_SEQ, p->seq)) ||
	    (p->window && nla_put_u16(msg, XBORDER_A_REPLAY_WINDOW, p->window)) ||
	    (p->have_srtcp_index && nla_put_u32(msg, XBORDER_A_SRTCP_INDEX, p->srtcp_index)))
		return -EMSGSIZE;
	return 0;
}

int xb_srtp_nl_add(struct xb_srtp_nl *nl, const struct xb_srtp_params *p, bool replace)
{
	const char *what = replace ? "replacing the SRTP context" : "adding the SRTP context";
	struct nl_msg *msg;

	msg = request(nl, replace ? XBORDER_CMD_SRTP_REPLACE : XBORDER_CMD_SRTP_ADD, NLM_F_ACK);
	if (!msg)
		return xb_err(ENOMEM, "out of memory");
	if (put_params(msg, p)) {
		explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
		nlmsg_free(msg);
		return xb_err(EMSGSIZE, "%s: message too long", what);
	}
	return transact(nl, msg, true, what);
}

int xb_srtp_nl_del(struct xb_srtp_nl *nl, uint32_t id)
{
	struct nl_msg *msg = request(nl, XBORDER_CMD_SRTP_DEL, NLM_F_ACK);

	if (!msg)
		return xb_err(ENOMEM, "out of memory");
	if (nla_put_u32(msg, XBORDER_A_CTX_ID, id)) {
		nlmsg_free(msg);
		return xb_err(EMSGSIZE, "message too long");
	}
	return transact(nl, msg, true, "deleting the SRTP context");
}

static int parse_state(struct nl_msg *msg, struct xb_srtp_state *st)
{
	struct nlattr *tb[XBORDER_A_MAX + 1], *sb[XBORDER_STATS_MAX + 1];
	int i;

	memset(st, 0, sizeof(*st));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, XBORDER_A_MAX, attr_policy) ||
	    !tb[XBORDER_A_CTX_ID] || !tb[XBORDER_A_SUITE] || !tb[XBORDER_A_DIRECTION])
		return -EPROTO;
	st->id = nla_get_u32(tb[XBORDER_A_CTX_ID]);
	st->suite = nla_get_u16(tb[XBORDER_A_SUITE]);
	st->dir = nla_get_u8(tb[XBORDER_A_DIRECTION]);
	if (tb[XBORDER_A_SSRC]) {
		st->have_ssrc = true;
		st->ssrc = nla_get_u32(tb[XBORDER_A_SSRC]);
	}
	st->ssrc_fixed = tb[XBORDER_A_SSRC_FIXED] != NULL;
	if (tb[XBORDER_A_ROC])
		st->roc = nla_get_u32(tb[XBORDER_A_ROC]);
	if (tb[XBORDER_A_SEQ]) {
		st->have_seq = true;
		st->seq = nla_get_u16(tb[XBORDER_A_SEQ]);
	}
	if (tb[XBORDER_A_REPLAY_WINDOW])
		st->window = nla_get_u16(tb[XBORDER_A_REPLAY_WINDOW]);
	if (tb[XBORDER_A_SRTCP_INDEX])
		st->srtcp_index = nla_get_u32(tb[XBORDER_A_SRTCP_INDEX]);
	if (tb[XBORDER_A_STATS] &&
	    nla_parse_nested(sb, XBORDER_STATS_MAX, tb[XBORDER_A_STATS], stats_policy) == 0)
		for (i = 1; i <= XBORDER_STATS_MAX; i++)
			if (sb[i])
				st->stats[i] = nla_get_u64(sb[i]);
	return 0;
}

static int on_ctx(struct nl_msg *msg, void *arg)
{
	struct xb_srtp_nl *nl = arg;
	struct xb_srtp_state st;

	if (nl->cb_ret)
		return NL_SKIP;
	if (parse_state(msg, &st)) {
		nl->cb_ret = xb_err(EPROTO, "malformed context from the kernel");
		return NL_SKIP;
	}
	nl->cb_ret = nl->cb(&st, nl->cb_arg);
	return NL_SKIP;
}

static int get_one(const struct xb_srtp_state *st, void *arg)
{
	*(struct xb_srtp_state *)arg = *st;
	return 0;
}

int xb_srtp_nl_get(struct xb_srtp_nl *nl, uint32_t id, struct xb_srtp_state *st)
{
	struct nl_msg *msg = request(nl, XBORDER_CMD_SRTP_GET, 0);
	int err;

	if (!msg)
		return xb_err(ENOMEM, "out of memory");
	if (nla_put_u32(msg, XBORDER_A_CTX_ID, id)) {
		nlmsg_free(msg);
		return xb_err(EMSGSIZE, "message too long");
	}
	memset(st, 0, sizeof(*st));
	nl->cb = get_one;
	nl->cb_arg = st;
	nl->cb_ret = 0;
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_ctx, nl);
	err = transact(nl, msg, false, "reading the SRTP context");
	if (!err && nl->cb_ret)
		err = nl->cb_ret;
	if (!err && st->id != id)
		err = xb_err(EPROTO, "the kernel answered for context %u, not %u", st->id, id);
	return err;
}

int xb_srtp_nl_dump(struct xb_srtp_nl *nl, int (*cb)(const struct xb_srtp_state *st, void *arg),
		    void *arg)
{
	struct nl_msg *msg = request(nl, XBORDER_CMD_SRTP_GET, NLM_F_DUMP);
	int err;

	if (!msg)
		return xb_err(ENOMEM, "out of memory");
	nl->cb = cb;
	nl->cb_arg = arg;
	nl->cb_ret = 0;
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_ctx, nl);
	err = transact(nl, msg, false, "listing the SRTP contexts");
	return err ? err : nl->cb_ret;
}

static int on_info(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XBORDER_A_MAX + 1];
	struct xb_srtp_nl *nl = arg;
	struct xb_srtp_info *info = nl->info;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, XBORDER_A_MAX, attr_policy))
		return NL_SKIP;
	if (tb[XBORDER_A_VERSION])
		snprintf(info->version, sizeof(info->version), "%.*s",
			 nla_len(tb[XBORDER_A_VERSION]),
			 (const char *)nla_data(tb[XBORDER_A_VERSION]));
	if (tb[XBORDER_A_SELFTEST])
		info->selftest = nla_get_u32(tb[XBORDER_A_SELFTEST]);
	if (tb[XBORDER_A_SUITES])
		info->suites = nla_get_u32(tb[XBORDER_A_SUITES]);
	if (tb[XBORDER_A_CTX_COUNT])
		info->count = nla_get_u32(tb[XBORDER_A_CTX_COUNT]);
	if (tb[XBORDER_A_CTX_MAX])
		info->max = nla_get_u32(tb[XBORDER_A_CTX_MAX]);
	return NL_SKIP;
}

int xb_srtp_nl_info(struct xb_srtp_nl *nl, struct xb_srtp_info *info)
{
	struct nl_msg *msg = request(nl, XBORDER_CMD_INFO, 0);

	if (!msg)
		return xb_err(ENOMEM, "out of memory");
	memset(info, 0, sizeof(*info));
	nl->info = info;
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_info, nl);
	return transact(nl, msg, false, "reading the module's info");
}
