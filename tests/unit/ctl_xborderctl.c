// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborderctl's daemon commands (call, peer, stats, config) against a
 * control socket server with canned handlers that return the shapes of
 * Documentation/xborderctl-daemon.md: the real binary, the real socket,
 * its exact output and exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "ctl/ctl.h"
#include "evloop/evloop.h"
#include "kselftest_harness.h"

static json_t *h_call_list(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_pack("[{s:i, s:s, s:s, s:s, s:s, s:s, s:n, s:s, s:i, s:i, s:i},"
			 " {s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i}]",
			 "id", 1, "call_id", "abc@h", "state", "established", "from",
			 "sip:alice@a.example", "to", "sip:bob@b.example", "caller_peer", "inside",
			 "callee_peer", "media_mode", "relay", "created", 1700000000, "duration_s",
			 3725, "streams", 4,
			 /* a From a hostile peer chose: escape sequences must not get through */
			 "id", 12, "call_id", "x@y", "state", "calling", "from",
			 "sip:\x1b[31mevil@b.example", "to", "sip:carol@a.example", "caller_peer",
			 "ssp-b", "callee_peer", "inside", "media_mode", "direct", "created",
			 1700000100, "duration_s", 0, "streams", 0);
}

static json_t *h_call_show(void *arg, json_t *args, char *err, size_t errlen)
{
	const char *id = json_string_value(json_object_get(args, "id"));

	if (!id || (strcmp(id, "1") && strcmp(id, "abc@h"))) {
		snprintf(err, errlen, "no call '%s'", id ? id : "");
		return NULL;
	}
	return json_pack("{s:i, s:s, s:s, s:{s:s, s:s}, s:{s:[{s:i, s:i}]}}", "id", 1, "call_id",
			 "abc@h", "state", "established", "caller", "listener", "inside", "source",
			 "10.1.0.2:5060", "media", "streams", "packets", 10, "bytes", 1720);
}

static json_t *h_call_end(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_pack("{s:b, s:i, s:s}", "ended", 1, "id", 1, "call_id", "abc@h");
}

static json_t *h_peer_list(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_pack("[{s:s, s:[s,s], s:s, s:s, s:s, s:s, s:s}]", "name", "ssp-b", "domains",
			 "b.example", ".b.example", "next_hop", "10.9.0.2:5060", "transport", "udp",
			 "security", "none", "media_mode", "relay", "state", "up");
}

static json_t *h_stats(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_pack("{s:i, s:{s:i, s:i}}", "uptime_s", 42, "calls", "active", 1, "total", 10);
}

static json_t *h_reload(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_pack("{s:b, s:s, s:i, s:i, s:i, s:[s]}", "reloaded", 1, "path", "/etc/x.conf",
			 "peers", 3, "listeners", 2, "media", 2, "restart_needed",
			 "listeners.inside.address");
}

static void on_term(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	xb_loop_stop(loop);
}

static pid_t start_fake_daemon(const char *path)
{
	int pfd[2], status;
	char ok = 1;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct xb_loop *loop = xb_loop_new();
		struct xbc_server *s;

		close(pfd[0]);
		xb_log_init("fake-xborderd", XB_LOG_ERR);
		s = loop ? xbc_server_new(loop, path) : NULL;
		if (!s || xbc_register(s, "call list", h_call_list, NULL) ||
		    xbc_register(s, "call show", h_call_show, NULL) ||
		    xbc_register(s, "call end", h_call_end, NULL) ||
		    xbc_register(s, "peer list", h_peer_list, NULL) ||
		    xbc_register(s, "stats", h_stats, NULL) ||
		    xbc_register(s, "config reload", h_reload, NULL) ||
		    xb_loop_add_signal(loop, SIGTERM, on_term, NULL))
			_exit(1);
		if (write(pfd[1], "", 1) != 1)
			_exit(1);
		xb_loop_run(loop);
		xbc_server_free(s);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &ok, 1) != 1 || ok != 0) {
		close(pfd[0]);
		if (pid > 0)
			waitpid(pid, &status, 0);
		return -1;
	}
	close(pfd[0]);
	return pid;
}

/* Runs xborderctl with ARGS; its stdout+stderr into OUT, returns the exit status. */
static int run(const char *sock, const char *args, char *out, size_t len)
{
	const char *build = getenv("XB_BUILD") ? getenv("XB_BUILD") : "build";
	char cmd[512];
	size_t got = 0;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/bin/xborderctl -s '%s' %s 2>&1", build, sock, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (got + 1 < len && fgets(out + got, (int)(len - got), f))
		got += strlen(out + got);
	out[got] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(cli) {
	char dir[64], path[128];
	pid_t pid;
};

FIXTURE_SETUP(cli) {
	const char *build = getenv("XB_BUILD") ? getenv("XB_BUILD") : "build";
	char bin[256];

	snprintf(bin, sizeof(bin), "%s/bin/xborderctl", build);
	ASSERT_EQ(0, access(bin, X_OK)) TH_LOG("%s not built (run from the repository root)", bin);
	strcpy(self->dir, "/tmp/xb-cli-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/ctl.sock", self->dir);
	self->pid = start_fake_daemon(self->path);
	ASSERT_LT(0, self->pid);
}

FIXTURE_TEARDOWN(cli) {
	int st;

	if (self->pid > 0) {
		kill(self->pid, SIGTERM);
		waitpid(self->pid, &st, 0);
	}
	rmdir(self->dir);
}

TEST_F(cli, call_list_table_and_json) {
	char out[4096];

	ASSERT_EQ(0, run(self->path, "call list", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_STREQ("ID  STATE        FROM                     TO                   CALLER  "
		     "CALLEE  MEDIA   DURATION  STREAMS\n"
		     "1   established  sip:alice@a.example      sip:bob@b.example    inside  "
		     "-       relay   1:02:05   4\n"
		     "12  calling      sip:?[31mevil@b.example  sip:carol@a.example  ssp-b   "
		     "inside  direct  0:00      0\n",
		     out);
	/* "call" alone is "call list" */
	ASSERT_EQ(0, run(self->path, "call", out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "ID  STATE", 9));

	ASSERT_EQ(0, run(self->path, "-j call list", out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "[{\"id\":1,\"call_id\":\"abc@h\",\"state\":\"established\"", 48))
	TH_LOG("%s", out);
	EXPECT_EQ(NULL, strchr(out, '\x1b')); /* escaped as \u001B in JSON */
	EXPECT_NE(NULL, strstr(out, "\\u001B[31mevil")) TH_LOG("%s", out);
	EXPECT_EQ('\n', out[strlen(out) - 1]);
	EXPECT_TRUE(strchr(out, '\n') == out + strlen(out) - 1); /* one line */
}

TEST_F(cli, call_show_and_end) {
	char out[4096];

	ASSERT_EQ(0, run(self->path, "call show 1", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_STREQ("id                        1\n"
		     "call_id                   abc@h\n"
		     "state                     established\n"
		     "caller.listener           inside\n"
		     "caller.source             10.1.0.2:5060\n"
		     "media.streams[0].packets  10\n"
		     "media.streams[0].bytes    1720\n",
		     out);
	ASSERT_EQ(0, run(self->path, "call show abc@h", out, sizeof(out)));
	EXPECT_EQ(1, run(self->path, "call show 7", out, sizeof(out)));
	EXPECT_STREQ("xborderctl: no call '7'\n", out);
	ASSERT_EQ(0, run(self->path, "call end 1", out, sizeof(out)));
	EXPECT_STREQ("ended call 1 (abc@h)\n", out);
	ASSERT_EQ(0, run(self->path, "-j call end 1", out, sizeof(out)));
	EXPECT_STREQ("{\"ended\":true,\"id\":1,\"call_id\":\"abc@h\"}\n", out);
}

TEST_F(cli, peers_stats_reload) {
	char out[4096];

	ASSERT_EQ(0, run(self->path, "peer list", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_STREQ(
		"NAME   DOMAINS               NEXT-HOP       TRANSPORT  SECURITY  MEDIA  STATE\n"
		"ssp-b  b.example,.b.example  10.9.0.2:5060  udp        none      relay  up\n",
		out);
	ASSERT_EQ(0, run(self->path, "stats", out, sizeof(out)));
	EXPECT_STREQ("uptime_s      42\ncalls.active  1\ncalls.total   10\n", out);
	ASSERT_EQ(0, run(self->path, "-j stats", out, sizeof(out)));
	EXPECT_STREQ("{\"uptime_s\":42,\"calls\":{\"active\":1,\"total\":10}}\n", out);
	ASSERT_EQ(0, run(self->path, "config reload", out, sizeof(out)));
	EXPECT_STREQ("reloaded /etc/x.conf: 3 peers, 2 listeners, 2 media interfaces\n"
		     "restart needed for: listeners.inside.address\n",
		     out);
}

TEST_F(cli, command_line_errors) {
	char out[4096];

	EXPECT_EQ(2, run(self->path, "call show", out, sizeof(out)));
	EXPECT_STREQ("xborderctl: call show needs a call ID (from call list) or a Call-ID (see "
		     "xborderctl help)\n",
		     out);
	EXPECT_EQ(2, run(self->path, "call list extra", out, sizeof(out)));
	EXPECT_STREQ(
		"xborderctl: unexpected argument 'extra' for call list (see xborderctl help)\n",
		out);
	EXPECT_EQ(2, run(self->path, "call frob", out, sizeof(out)));
	EXPECT_STREQ("xborderctl: unknown command 'frob' for call (see xborderctl help)\n", out);
	EXPECT_EQ(2, run(self->path, "stats now", out, sizeof(out)));
	EXPECT_EQ(2, run(self->path, "config", out, sizeof(out)));
	EXPECT_STREQ("xborderctl: config needs a command (see xborderctl help)\n", out);
}

TEST(daemon_not_running) {
	char out[512], want[512];

	EXPECT_EQ(1, run("/tmp/xb-cli-none/none.sock", "call list", out, sizeof(out)));
	snprintf(want, sizeof(want),
		 "xborderctl: cannot reach xborderd at %s: No such file or directory\n",
		 "/tmp/xb-cli-none/none.sock");
	EXPECT_STREQ(want, out);
}

TEST_HARNESS_MAIN
