// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket's request handling on arbitrary bytes: the input is
 * cut into lines as a client's stream would be, and each line goes through
 * the server's parser and dispatcher. Every reply must be a well-formed
 * {"ok": ...} object with a one-line error or a result, and whatever the
 * parser accepts must name a command and carry an object of arguments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "ctl/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static struct xb_loop *loop;
static struct xbc_server *server;
static char dir[] = "/tmp/xb-fuzz-ctl-XXXXXX";
static char path[64];

static json_t *h_echo(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_incref(args);
}

/* Fails with a message built from its input, which must come out one line. */
static json_t *h_fail(void *arg, json_t *args, char *err, size_t errlen)
{
	const char *why = json_string_value(json_object_get(args, "why"));

	snprintf(err, errlen, "%s", why ? why : "");
	return NULL;
}

static void cleanup(void)
{
	xbc_server_free(server);
	xb_loop_free(loop);
	rmdir(dir);
}

static void setup(void)
{
	xb_log_init("fuzz", XB_LOG_ERR);
	loop = xb_loop_new();
	if (!loop || !mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	server = xbc_server_new(loop, path);
	if (!server || xbc_register(server, "echo", h_echo, NULL) ||
	    xbc_register(server, "fail", h_fail, NULL))
		abort();
	atexit(cleanup);
}

static void check_reply(json_t *r)
{
	json_t *ok = json_object_get(r, "ok");
	char *text;

	CHECK(json_is_object(r) && json_is_boolean(ok));
	if (json_is_false(ok)) {
		const char *e = json_string_value(json_object_get(r, "error"));

		CHECK(e && *e && !strchr(e, '\n'));
	} else {
		CHECK(json_object_get(r, "result"));
	}
	text = json_dumps(r, JSON_COMPACT);
	CHECK(text && !strchr(text, '\n'));
	free(text);
}

static void one_line(const char *line, size_t len)
{
	char cmd[XBC_CMD_MAX], err[256];
	json_t *args, *r;
	char *copy = malloc(len ? len : 1);

	/* an exact-size copy, so reading past LEN is caught */
	if (!copy)
		return;
	memcpy(copy, line, len);
	if (!xbc_parse_request(copy, len, cmd, &args, err, sizeof(err))) {
		CHECK(cmd[0] && strlen(cmd) < XBC_CMD_MAX && json_is_object(args));
		json_decref(args);
	} else {
		CHECK(args == NULL && err[0] && !strchr(err, '\n'));
	}
	r = xbc_server_reply(server, copy, len);
	check_reply(r);
	json_decref(r);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	if (!server)
		setup();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len)
			one_line(p, len);
		p += len + 1;
	}
	return 0;
}
