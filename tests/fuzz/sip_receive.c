// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzzes the proxy's receive path (xbs_proxy_receive): parsing, the 400
 * built from raw bytes, validation, transactions, routing, forwarding,
 * call tracking and the SDP hooks. The input is a sequence of messages
 * separated by "\n@@\n"; the first byte of each picks where it comes from
 * (inside or border listener, UDP or TCP). Responses are built from what
 * the proxy sent before: a message starting "@R" becomes the proxy's last
 * sent request answered with the given status, so transaction paths past
 * the hash-derived branches are reachable. The proxy sends into a fake
 * transport that checks every message it emits parses again; a fresh proxy
 * per input keeps runs independent, and freeing it must leave nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "common/log.h"
#include "config/config.h"
#include "evloop/evloop.h"
#include "sip/message.h"
#include "sip/proxy.h"

#define SEP "\n@@\n"
#define MAX_MSGS 16

static const char conf_text[] =
	"xborderd = { domain = \"a.example\"; max_calls = 4; };\n"
	"media = ( { name = \"inside\"; address = \"10.1.0.1\"; ports = \"20000-20099\"; },\n"
	"          { name = \"border\"; address = \"10.9.0.1\"; ports = \"30000-30099\"; } );\n"
	"listeners = (\n"
	"  { name = \"inside\"; transport = \"udp\"; address = \"10.1.0.1\"; port = 5060;"
	"    media = \"inside\"; },\n"
	"  { name = \"inside-tcp\"; transport = \"tcp\"; address = \"10.1.0.1\"; port = 5060;"
	"    media = \"inside\"; },\n"
	"  { name = \"border\"; transport = \"udp\"; address = \"10.9.0.1\"; port = 5060;"
	"    media = \"border\"; } );\n"
	"peers = (\n"
	"  { name = \"ssp-b\"; domains = [ \"b.example\", \"*\" ]; next_hop = \"10.9.0.2:5060\";"
	"    listener = \"border\"; media = \"border\"; },\n"
	"  { name = \"inside\"; domains = [ \"a.example\" ]; next_hop = \"10.1.0.2:5060\";"
	"    listener = \"inside\"; media = \"inside\"; media_mode = \"direct\";"
	"    prefixes = [ \"10.1.0.0/24\" ]; } );\n"
	"timers = { t1_ms = 10; t2_ms = 40; t4_ms = 20; timer_c_s = 1; };\n";

static struct xbd_config cfg;
static struct xb_loop *loop;
static char *last_request; /* the proxy's last request sent, for "@R" */

static int fake_send(void *arg, const struct xbd_listener *from, const struct xb_endpoint *dest,
		     uint64_t conn_id, uint64_t tag, const char *msg, size_t len)
{
	osip_message_t *m;

	(void)arg;
	(void)from;
	(void)dest;
	(void)conn_id;
	(void)tag;
	/* whatever the proxy builds must itself be a parseable message */
	if (osip_message_init(&m))
		return 0;
	if (osip_message_parse(m, msg, len) != 0) {
		fprintf(stderr, "sent a message that does not parse:\n%.*s\n", (int)len, msg);
		abort();
	}
	if (MSG_IS_REQUEST(m)) {
		free(last_request);
		last_request = strndup(msg, len);
	}
	osip_message_free(m);
	return 0;
}

static int fake_media(void *arg, const struct xbm_req *req, char **out, size_t *out_len)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 10.9.0.1\r\ns=-\r\n"
				  "c=IN IP4 10.9.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n";

	(void)arg;
	if (req->sdp_len && req->sdp[0] != 'v')
		return -EBADMSG;
	*out = strdup(sdp);
	*out_len = sizeof(sdp) - 1;
	return *out ? 0 : -ENOMEM;
}

static int fake_del(void *arg, const char *call_id, const char *tag)
{
	(void)arg;
	(void)call_id;
	(void)tag;
	return 0;
}

static const struct xbs_media_ops media_ops = {
	.offer = fake_media,
	.answer = fake_media,
	.del = fake_del,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	loop = xb_loop_new();
	if (!loop || xbd_config_parse(conf_text, "fuzz.conf", &cfg))
		abort();
	xbs_osip_init();
	xb_log_init("fuzz", XB_LOG_ERR); /* call lines would drown the fuzzer */
	return 0;
}

/* "@R<status>": the last request the proxy sent, answered. */
static char *answer_last(const char *spec, size_t n, size_t *out_len)
{
	osip_message_t *req, *r;
	char *buf = NULL;
	int code = 200;

	if (!last_request || osip_message_init(&req))
		return NULL;
	if (osip_message_parse(req, last_request, strlen(last_request))) {
		osip_message_free(req);
		return NULL;
	}
	if (n >= 5)
		code = (spec[2] - '0') * 100 + (spec[3] - '0') * 10 + (spec[4] - '0');
	if (code < 100 || code > 699)
		code = 200;
	r = xbs_msg_response(req, code, NULL, n > 5 ? "fz" : NULL);
	if (r && n > 5 && spec[5] == 's') {
		static const char sdp[] = "v=0\r\nc=IN IP4 10.9.0.2\r\nm=audio 5 RTP/AVP 0\r\n";

		xbs_msg_set_sdp(r, sdp, sizeof(sdp) - 1);
	}
	if (!r || xbs_msg_to_buf(r, &buf, out_len))
		buf = NULL;
	osip_message_free(r);
	osip_message_free(req);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xbs_proxy_opts o = {
		.loop = loop,
		.cfg = &cfg,
		.send = fake_send,
		.media = &media_ops,
	};
	struct xbs_proxy *p = xbs_proxy_new(&o);
	const char *in = (const char *)data, *end = in + size, *next;
	unsigned int n = 0;

	if (!p)
		abort();
	while (in < end && n++ < MAX_MSGS) {
		size_t len;
		struct xbs_source src = { 0 };
		char *copy, *gen = NULL;
		unsigned char sel;

		next = memmem(in, (size_t)(end - in), SEP, sizeof(SEP) - 1);
		len = next ? (size_t)(next - in) : (size_t)(end - in);
		if (!len) {
			in = next ? next + sizeof(SEP) - 1 : end;
			continue;
		}
		sel = (unsigned char)in[0];
		src.listener = &cfg.listeners[sel % 3];
		src.transport = src.listener->transport;
		src.conn_id = src.transport == XBD_TRANSPORT_TCP ? 7 : 0;
		xb_parse_endpoint(sel & 8 ? "10.9.0.2:5060" : "10.1.0.2:5060", &src.remote);
		src.local = src.listener->local;
		if (len >= 3 && in[1] == '@' && in[2] == 'R')
			gen = answer_last(in + 1, len - 1, &len);
		if (gen) {
			xbs_proxy_receive(p, gen, len, &src);
			osip_free(gen);
		} else if (len > 1) {
			/* an exact-size copy: ASan sees any read past the end */
			copy = malloc(len - 1);
			if (!copy)
				abort();
			memcpy(copy, in + 1, len - 1);
			xbs_proxy_receive(p, copy, len - 1, &src);
			free(copy);
		}
		in = next ? next + sizeof(SEP) - 1 : end;
	}
	/* the control socket's views must hold whatever state is left */
	json_decref(xbs_proxy_call_list(p));
	json_decref(xbs_proxy_stats(p));
	json_decref(xbs_proxy_call_show(p, "1"));
	json_decref(xbs_proxy_call_end(p, "1"));
	xbs_proxy_free(p);
	free(last_request);
	last_request = NULL;
	return 0;
}
