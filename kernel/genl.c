// SPDX-License-Identifier: GPL-2.0
/*
 * The "xborder" generic netlink family: add, replace, delete and dump SRTP
 * contexts, and the module's info. include/uapi/xborder/genl.h documents
 * every command and attribute. The policy does the range checks; what it
 * cannot express (required attributes, unsupported suites) is refused here
 * with an extended-ack message naming the attribute.
 */
#include <linux/module.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "xborder.h"

static struct netlink_range_validation xb_srtcp_index_range = {
	.min = 0,
	.max = 0x7fffffff,
};

static const struct nla_policy xb_policy[XBORDER_A_MAX + 1] = {
	[XBORDER_A_CTX_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[XBORDER_A_SUITE] = NLA_POLICY_RANGE(NLA_U16, 1, XBORDER_SRTP_SUITE_MAX),
	[XBORDER_A_DIRECTION] = NLA_POLICY_RANGE(NLA_U8, 1, XBORDER_SRTP_DIR_MAX),
	[XBORDER_A_MASTER_KEY] = NLA_POLICY_EXACT_LEN(XBORDER_SRTP_KEY_LEN),
	[XBORDER_A_MASTER_SALT] = NLA_POLICY_EXACT_LEN(XBORDER_SRTP_SALT_LEN),
	[XBORDER_A_SSRC] = { .type = NLA_U32 },
	[XBORDER_A_ROC] = { .type = NLA_U32 },
	[XBORDER_A_SEQ] = { .type = NLA_U16 },
	[XBORDER_A_REPLAY_WINDOW] =
		NLA_POLICY_RANGE(NLA_U16, XBORDER_SRTP_WINDOW_MIN, XBORDER_SRTP_WINDOW_MAX),
	[XBORDER_A_SRTCP_INDEX] = NLA_POLICY_FULL_RANGE(NLA_U32, &xb_srtcp_index_range),
	/* reply-only attributes are refused in requests */
	[XBORDER_A_SSRC_FIXED] = { .type = NLA_REJECT },
	[XBORDER_A_STATS] = { .type = NLA_REJECT },
	[XBORDER_A_VERSION] = { .type = NLA_REJECT },
	[XBORDER_A_SELFTEST] = { .type = NLA_REJECT },
	[XBORDER_A_SUITES] = { .type = NLA_REJECT },
	[XBORDER_A_CTX_COUNT] = { .type = NLA_REJECT },
	[XBORDER_A_CTX_MAX] = { .type = NLA_REJECT },
	[XBORDER_A_PAD] = { .type = NLA_REJECT },
};

static struct genl_family xb_family;

/* Every message of ours names the module, as NL_SET_ERR_MSG_MOD does. */
#define xb_err_attr(extack, attr, msg) NL_SET_ERR_MSG_ATTR(extack, attr, KBUILD_MODNAME ": " msg)

/* The attribute must be there; else say which one is missing (a macro:
 * extack messages must be string literals). */
#define xb_need(info, attr, msg)                                          \
	({                                                                \
		bool __ok = !!(info)->attrs[attr];                        \
		if (!__ok) {                                              \
			NL_SET_ERR_MSG_MOD((info)->extack, msg);          \
			NL_SET_ERR_ATTR_MISS((info)->extack, NULL, attr); \
		}                                                         \
		__ok;                                                     \
	})

static int xb_parse_params(struct genl_info *info, struct xb_srtp_params *p)
{
	struct nlattr **a = info->attrs;

	memset(p, 0, sizeof(*p));
	if (!xb_need(info, XBORDER_A_CTX_ID, "context id (XBORDER_A_CTX_ID) is required") ||
	    !xb_need(info, XBORDER_A_SUITE, "crypto suite (XBORDER_A_SUITE) is required") ||
	    !xb_need(info, XBORDER_A_DIRECTION, "direction (XBORDER_A_DIRECTION) is required") ||
	    !xb_need(info, XBORDER_A_MASTER_KEY, "master key (XBORDER_A_MASTER_KEY) is required") ||
	    !xb_need(info, XBORDER_A_MASTER_SALT,
		     "master salt (XBORDER_A_MASTER_SALT) is required"))
		return -EINVAL;
	p->id = nla_get_u32(a[XBORDER_A_CTX_ID]);
	p->suite = nla_get_u16(a[XBORDER_A_SUITE]);
	if (p->suite == XBORDER_SRTP_AEAD_AES_128_GCM) {
		xb_err_attr(info->extack, a[XBORDER_A_SUITE],
			    "AEAD_AES_128_GCM is not supported by this module");
		return -EOPNOTSUPP;
	}
	p->dir = nla_get_u8(a[XBORDER_A_DIRECTION]);
	nla_memcpy(p->key, a[XBORDER_A_MASTER_KEY], sizeof(p->key));
	nla_memcpy(p->salt, a[XBORDER_A_MASTER_SALT], sizeof(p->salt));
	if (a[XBORDER_A_SSRC]) {
		p->ssrc_fixed = true;
		p->ssrc = nla_get_u32(a[XBORDER_A_SSRC]);
	}
	if (a[XBORDER_A_ROC])
		p->roc = nla_get_u32(a[XBORDER_A_ROC]);
	if (a[XBORDER_A_SEQ]) {
		p->have_seq = true;
		p->seq = nla_get_u16(a[XBORDER_A_SEQ]);
	}
	p->window = a[XBORDER_A_REPLAY_WINDOW] ? nla_get_u16(a[XBORDER_A_REPLAY_WINDOW])
					       : XBORDER_SRTP_WINDOW_DEFAULT;
	if (a[XBORDER_A_SRTCP_INDEX]) {
		p->have_srtcp_index = true;
		p->srtcp_index = nla_get_u32(a[XBORDER_A_SRTCP_INDEX]);
	}
	return 0;
}

static int xb_add_or_replace(struct genl_info *info, bool replace)
{
	struct xb_srtp_params p;
	struct xb_srtp_ctx *c;
	int err;

	err = xb_parse_params(info, &p);
	if (!err) {
		c = xb_ctx_create(&p);
		if (IS_ERR(c)) {
			err = PTR_ERR(c);
			if (err == -ENOMEM)
				NL_SET_ERR_MSG_MOD(info->extack, "out of memory");
			else
				NL_SET_ERR_MSG_MOD(
					info->extack,
					"cannot set up the AES and HMAC-SHA1 transforms");
		}
	}
	memzero_explicit(&p, sizeof(p)); /* the master key and salt */
	if (err)
		return err;
	err = xb_ctx_insert(c, replace);
	if (!err)
		return 0;
	if (err == -EEXIST)
		xb_err_attr(info->extack, info->attrs[XBORDER_A_CTX_ID],
			    "a context with this id exists (replace it instead)");
	else if (err == -ENOENT)
		xb_err_attr(info->extack, info->attrs[XBORDER_A_CTX_ID],
			    "no context with this id to replace");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "context table full (module parameter max_contexts)");
	xb_ctx_destroy(c);
	return err;
}

static int xb_cmd_add(struct sk_buff *skb, struct genl_info *info)
{
	return xb_add_or_replace(info, false);
}

static int xb_cmd_replace(struct sk_buff *skb, struct genl_info *info)
{
	return xb_add_or_replace(info, true);
}

static int xb_cmd_del(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (!xb_need(info, XBORDER_A_CTX_ID, "context id (XBORDER_A_CTX_ID) is required"))
		return -EINVAL;
	err = xb_ctx_delete(nla_get_u32(info->attrs[XBORDER_A_CTX_ID]));
	if (err == -ENOENT)
		xb_err_attr(info->extack, info->attrs[XBORDER_A_CTX_ID], "no context with this id");
	return err;
}

static const int xb_stat_attr[XB_ST_COUNT] = {
	[XB_ST_PACKETS] = XBORDER_STATS_PACKETS,
	[XB_ST_BYTES] = XBORDER_STATS_BYTES,
	[XB_ST_RTCP_PACKETS] = XBORDER_STATS_RTCP_PACKETS,
	[XB_ST_AUTH_FAIL] = XBORDER_STATS_AUTH_FAIL,
	[XB_ST_REPLAY_FAIL] = XBORDER_STATS_REPLAY_FAIL,
	[XB_ST_MALFORMED] = XBORDER_STATS_MALFORMED,
	[XB_ST_SSRC_MISMATCH] = XBORDER_STATS_SSRC_MISMATCH,
	[XB_ST_ERRORS] = XBORDER_STATS_ERRORS,
};

static int xb_put_ctx(struct sk_buff *skb, const struct xb_ctx_view *v)
{
	struct nlattr *nest;
	int i;

	if (nla_put_u32(skb, XBORDER_A_CTX_ID, v->id) ||
	    nla_put_u16(skb, XBORDER_A_SUITE, v->suite) ||
	    nla_put_u8(skb, XBORDER_A_DIRECTION, v->dir) ||
	    (v->have_ssrc && nla_put_u32(skb, XBORDER_A_SSRC, v->ssrc)) ||
	    (v->ssrc_fixed && nla_put_flag(skb, XBORDER_A_SSRC_FIXED)) ||
	    nla_put_u32(skb, XBORDER_A_ROC, v->roc) ||
	    (v->have_seq && nla_put_u16(skb, XBORDER_A_SEQ, v->s_l)) ||
	    nla_put_u16(skb, XBORDER_A_REPLAY_WINDOW, v->window) ||
	    nla_put_u32(skb, XBORDER_A_SRTCP_INDEX, v->srtcp_index))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, XBORDER_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < XB_ST_COUNT; i++)
		if (nla_put_u64_64bit(skb, xb_stat_attr[i], v->stats[i], XBORDER_STATS_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One context as a message; the context must be alive (RCU). */
static int xb_fill_ctx(struct sk_buff *skb, u32 portid, u32 seq, int flags, struct xb_srtp_ctx *c)
{
	struct xb_ctx_view v;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &xb_family, flags, XBORDER_CMD_SRTP_GET);
	if (!hdr)
		return -EMSGSIZE;
	xb_ctx_snapshot(c, &v);
	if (xb_put_ctx(skb, &v)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int xb_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct xb_srtp_ctx *c;
	struct sk_buff *msg;
	int err;

	if (!xb_need(info, XBORDER_A_CTX_ID,
		     "context id (XBORDER_A_CTX_ID) is required (or dump them all)"))
		return -EINVAL;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	c = xb_ctx_lookup_rcu(nla_get_u32(info->attrs[XBORDER_A_CTX_ID]));
	err = c ? xb_fill_ctx(msg, info->snd_portid, info->snd_seq, 0, c) : -ENOENT;
	rcu_read_unlock();
	if (err) {
		if (err == -ENOENT)
			xb_err_attr(info->extack, info->attrs[XBORDER_A_CTX_ID],
				    "no context with this id");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: the next id to look at; args[1]: 1 once past the last. */
static int xb_dump_ctx(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[0];
	struct xb_srtp_ctx *c;

	if (cb->args[1])
		return 0;
	rcu_read_lock();
	for (;;) {
		c = xb_ctx_next_rcu(&id);
		if (!c) {
			cb->args[1] = 1;
			break;
		}
		/* no room left: this one goes first in the next message */
		if (xb_fill_ctx(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, NLM_F_MULTI,
				c))
			break;
		id++;
	}
	rcu_read_unlock();
	cb->args[0] = id;
	return skb->len;
}

static int xb_cmd_info(struct sk_buff *skb, struct genl_info *info)
{
	u32 suites = BIT(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80) |
		     BIT(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32);
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &xb_family, 0, XBORDER_CMD_INFO);
	if (!hdr || nla_put_string(msg, XBORDER_A_VERSION, XB_MODULE_VERSION) ||
	    nla_put_u32(msg, XBORDER_A_SELFTEST, xb_selftest_passed) ||
	    nla_put_u32(msg, XBORDER_A_SUITES, suites) ||
	    nla_put_u32(msg, XBORDER_A_CTX_COUNT, xb_ctx_count()) ||
	    nla_put_u32(msg, XBORDER_A_CTX_MAX, xb_ctx_max())) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops xb_ops[] = {
	{
		.cmd = XBORDER_CMD_INFO,
		.doit = xb_cmd_info,
	},
	{
		.cmd = XBORDER_CMD_SRTP_ADD,
		.doit = xb_cmd_add,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = XBORDER_CMD_SRTP_REPLACE,
		.doit = xb_cmd_replace,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = XBORDER_CMD_SRTP_DEL,
		.doit = xb_cmd_del,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = XBORDER_CMD_SRTP_GET,
		.doit = xb_cmd_get,
		.dumpit = xb_dump_ctx,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family xb_family __ro_after_init = {
	.name = XBORDER_GENL_NAME,
	.version = XBORDER_GENL_VERSION,
	.maxattr = XBORDER_A_MAX,
	.policy = xb_policy,
	.netnsok = true, /* one table for the host, reachable from any netns */
	.module = THIS_MODULE,
	.ops = xb_ops,
	.n_ops = ARRAY_SIZE(xb_ops),
};

int xb_genl_init(void)
{
	return genl_register_family(&xb_family);
}

void xb_genl_exit(void)
{
	genl_unregister_family(&xb_family);
}
