// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket, over a real Unix socket in a temporary directory: a
 * server process on its own event loop, and clients (xbc_request and raw
 * sockets) in the test process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "ctl/ctl.h"
#include "evloop/evloop.h"
#include "kselftest_harness.h"

static struct xbc_server *the_server;

static json_t *h_echo(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_incref(args);
}

static json_t *h_fail(void *arg, json_t *args, char *err, size_t errlen)
{
	snprintf(err, errlen, "it failed: %s", "reason");
	return NULL;
}

static json_t *h_clients(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_integer(xbc_server_clients(the_server));
}

/* About 1 MiB per reply. */
static json_t *h_big(void *arg, json_t *args, char *err, size_t errlen)
{
	static char blob[1 << 20];

	memset(blob, 'b', sizeof(blob) - 1);
	return json_string(blob);
}

static void on_term(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	xb_loop_stop(loop);
}

/*
 * Runs a server on PATH in a child; returns its pid once it listens, or -1
 * with the child's error in ERR.
 */
static pid_t start_server(const char *path, char *err, size_t errlen)
{
	int pfd[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct xb_loop *loop = xb_loop_new();
		struct xbc_server *s;

		close(pfd[0]);
		xb_log_init("ctl-test", XB_LOG_ERR);
		s = loop ? xbc_server_new(loop, path) : NULL;
		if (!s) {
			if (write(pfd[1], xb_errmsg(), strlen(xb_errmsg())) < 0)
				_exit(2);
			_exit(1);
		}
		the_server = s;
		if (xbc_register(s, "echo", h_echo, NULL) ||
		    xbc_register(s, "fail", h_fail, NULL) ||
		    xbc_register(s, "clients", h_clients, NULL) ||
		    xbc_register(s, "big", h_big, NULL) ||
		    xb_loop_add_signal(loop, SIGTERM, on_term, NULL))
			_exit(3);
		if (write(pfd[1], "", 1) != 1)
			_exit(4);
		close(pfd[1]);
		xb_loop_run(loop);
		xbc_server_free(s);
		xb_loop_free(loop);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], err, errlen - 1);
	close(pfd[0]);
	err[n > 0 ? n : 0] = '\0';
	if (n == 1 && err[0] == '\0')
		return pid;
	waitpid(pid, &status, 0);
	return -1;
}

static void stop_server(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
}

/* A blocking client socket with a 2 s receive timeout. */
static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 2 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int send_str(int fd, const char *s)
{
	size_t len = strlen(s);

	return send(fd, s, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* One reply line (without the newline) into BUF; -1 on EOF or timeout. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got + 1 < len) {
		ssize_t n = recv(fd, buf + got, 1, 0);

		if (n <= 0)
			return -1;
		if (buf[got] == '\n') {
			buf[got] = '\0';
			return (int)got;
		}
		got++;
	}
	return -1;
}

/* Sends LINE, returns the parsed reply (or NULL). */
static json_t *raw_request(int fd, const char *line)
{
	char buf[8192];

	if (send_str(fd, line) || read_line(fd, buf, sizeof(buf)) < 0)
		return NULL;
	return json_loads(buf, 0, NULL);
}

static const char *reply_error(json_t *r)
{
	json_t *e = json_object_get(r, "error");

	if (!json_is_false(json_object_get(r, "ok")))
		return "(not an error reply)";
	return json_is_string(e) ? json_string_value(e) : "(no error text)";
}

FIXTURE(ctl) {
	char dir[64];
	char path[128];
	pid_t pid;
};

FIXTURE_SETUP(ctl) {
	char err[512];

	strcpy(self->dir, "/tmp/xb-ctl-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* the socket's directory does not exist yet: the server makes it */
	snprintf(self->path, sizeof(self->path), "%s/run/ctl.sock", self->dir);
	self->pid = start_server(self->path, err, sizeof(err));
	ASSERT_LT(0, self->pid) TH_LOG("server: %s", err);
}

FIXTURE_TEARDOWN(ctl) {
	char cmd[256];

	stop_server(self->pid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
}

TEST_F(ctl, request_response) {
	json_t *res, *args;
	struct stat st;
	char dir[160];

	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 0777);
	snprintf(dir, sizeof(dir), "%s/run", self->dir);
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(0750, st.st_mode & 0777);

	ASSERT_EQ(0, xbc_request(self->path, "ping", NULL, &res, 2000)) TH_LOG("%s", xb_errmsg());
	EXPECT_TRUE(json_is_true(json_object_get(res, "pong")));
	json_decref(res);

	ASSERT_EQ(0, xbc_request(self->path, "help", NULL, &res, 2000));
	ASSERT_TRUE(json_is_array(res));
	ASSERT_EQ(6, json_array_size(res));
	EXPECT_STREQ("big", json_string_value(json_array_get(res, 0)));
	EXPECT_STREQ("clients", json_string_value(json_array_get(res, 1)));
	EXPECT_STREQ("echo", json_string_value(json_array_get(res, 2)));
	EXPECT_STREQ("fail", json_string_value(json_array_get(res, 3)));
	EXPECT_STREQ("help", json_string_value(json_array_get(res, 4)));
	EXPECT_STREQ("ping", json_string_value(json_array_get(res, 5)));
	json_decref(res);

	args = json_pack("{s:s, s:i, s:[i,i]}", "id", "call-1@x", "n", 42, "l", 1, 2);
	ASSERT_EQ(0, xbc_request(self->path, "echo", args, &res, 2000));
	EXPECT_TRUE(json_equal(args, res));
	json_decref(res);
	json_decref(args);

	/* no args arrive as {} */
	ASSERT_EQ(0, xbc_request(self->path, "echo", NULL, &res, 2000));
	EXPECT_TRUE(json_is_object(res));
	EXPECT_EQ(0, json_object_size(res));
	json_decref(res);

	/* a handler's failure comes back as the daemon's text */
	EXPECT_EQ(-EREMOTEIO, xbc_request(self->path, "fail", NULL, &res, 2000));
	EXPECT_STREQ("it failed: reason", xb_errmsg());
	EXPECT_EQ(NULL, res);
}

TEST_F(ctl, unknown_command) {
	json_t *res;

	EXPECT_EQ(-EREMOTEIO, xbc_request(self->path, "call list", NULL, &res, 2000));
	EXPECT_STREQ("unknown command 'call list' (try 'help')", xb_errmsg());
	EXPECT_EQ(NULL, res);
}

TEST_F(ctl, malformed_json_keeps_connection) {
	int fd = raw_connect(self->path);
	json_t *r;

	ASSERT_LE(0, fd);
	r = raw_request(fd, "{bad\n");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, strncmp(reply_error(r), "malformed JSON: ", 16)) TH_LOG("%s", reply_error(r));
	json_decref(r);

	r = raw_request(fd, "[1,2]\n");
	EXPECT_STREQ("a request is a JSON object {\"cmd\": ..., \"args\": {...}}", reply_error(r));
	json_decref(r);
	r = raw_request(fd, "{\"args\":{}}\n");
	EXPECT_STREQ("\"cmd\" is missing or not a string", reply_error(r));
	json_decref(r);
	r = raw_request(fd, "{\"cmd\":\"echo\",\"args\":[1]}\n");
	EXPECT_STREQ("\"args\" must be an object", reply_error(r));
	json_decref(r);
	r = raw_request(fd, "{\"cmd\":\"echo\",\"cmd\":\"ping\"}\n");
	EXPECT_EQ(0, strncmp(reply_error(r), "malformed JSON: duplicate object key", 36))
	TH_LOG("%s", reply_error(r));
	json_decref(r);
	r = raw_request(fd, "{\"cmd\":\"pi\\u0001ng\"}\n");
	EXPECT_STREQ("\"cmd\" is not a command name", reply_error(r));
	json_decref(r);
	r = raw_request(fd, "{\"cmd\":\"ping\",\"token\":\"x\"}\n");
	EXPECT_STREQ("unknown request key 'token' (cmd, args)", reply_error(r));
	json_decref(r);
	r = raw_request(fd, "{\"cmd\":\"ping\"} trailing\n");
	EXPECT_EQ(0, strncmp(reply_error(r), "malformed JSON: ", 16));
	json_decref(r);

	/* still usable, blank lines ignored, CRLF accepted */
	r = raw_request(fd, "\n\r\n{\"cmd\":\"ping\"}\r\n");
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(json_is_true(json_object_get(r, "ok")));
	EXPECT_TRUE(json_is_true(json_object_get(json_object_get(r, "result"), "pong")));
	json_decref(r);
	close(fd);
}

TEST_F(ctl, two_clients_and_pipelining) {
	int a = raw_connect(self->path), b = raw_connect(self->path), i, n = 0;
	char buf[512];
	json_t *r;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	/* B asks first; A's half line waits while B is served */
	ASSERT_EQ(0, send_str(a, "{\"cmd\":\"echo\",\"args\":{\"who\""));
	r = raw_request(b, "{\"cmd\":\"clients\"}\n");
	EXPECT_EQ(2, json_integer_value(json_object_get(r, "result")));
	json_decref(r);
	r = raw_request(a, ":\"a\"}}\n");
	EXPECT_STREQ("a", json_string_value(json_object_get(json_object_get(r, "result"), "who")));
	json_decref(r);

	/* two requests in one write: two replies, in order */
	ASSERT_EQ(0, send_str(b, "{\"cmd\":\"echo\",\"args\":{\"n\":1}}\n"
				 "{\"cmd\":\"echo\",\"args\":{\"n\":2}}\n"));
	ASSERT_LT(0, read_line(b, buf, sizeof(buf)));
	EXPECT_STREQ("{\"ok\":true,\"result\":{\"n\":1}}", buf);
	ASSERT_LT(0, read_line(b, buf, sizeof(buf)));
	EXPECT_STREQ("{\"ok\":true,\"result\":{\"n\":2}}", buf);

	close(a);
	/* wait (bounded) until the server has seen A go: B and the asker remain */
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, xbc_request(self->path, "clients", NULL, &r, 2000));
		n = json_integer_value(r);
		json_decref(r);
		if (n == 2)
			break;
		usleep(10000);
	}
	EXPECT_EQ(2, n);
	/* a request without a newline, then shutdown: still answered */
	ASSERT_EQ(0, send_str(b, "{\"cmd\":\"clients\"}"));
	ASSERT_EQ(0, shutdown(b, SHUT_WR));
	ASSERT_LT(0, read_line(b, buf, sizeof(buf)));
	EXPECT_STREQ("{\"ok\":true,\"result\":1}", buf); /* A is gone */
	EXPECT_EQ(0, recv(b, buf, 1, 0));		 /* and then the server closes */
	close(b);
}

TEST_F(ctl, oversize_line) {
	char *line = malloc(XBC_MAX_LINE + 2), buf[512];
	int fd = raw_connect(self->path);
	json_t *r;

	ASSERT_NE(NULL, line);
	ASSERT_LE(0, fd);
	/* exactly XBC_MAX_LINE bytes is still a request */
	memset(line, ' ', XBC_MAX_LINE);
	memcpy(line, "{\"cmd\":\"ping\"}", 14);
	line[XBC_MAX_LINE] = '\n';
	line[XBC_MAX_LINE + 1] = '\0';
	r = raw_request(fd, line);
	EXPECT_TRUE(json_is_true(json_object_get(r, "ok")));
	json_decref(r);

	/* one byte more: an error, then the connection is closed */
	memset(line, 'x', XBC_MAX_LINE + 1);
	line[XBC_MAX_LINE + 1] = '\0';
	ASSERT_EQ(0, send_str(fd, line));
	ASSERT_LT(0, read_line(fd, buf, sizeof(buf)));
	EXPECT_STREQ("{\"ok\":false,\"error\":\"request line longer than 65536 bytes\"}", buf);
	EXPECT_EQ(0, recv(fd, buf, 1, 0));
	close(fd);
	free(line);

	/* others are unaffected */
	fd = raw_connect(self->path);
	ASSERT_LE(0, fd);
	r = raw_request(fd, "{\"cmd\":\"ping\"}\n");
	EXPECT_TRUE(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	close(fd);
}

/* Reads one reply line of any length; its length, or -1. */
static long read_long_line(int fd)
{
	char buf[65536];
	long total = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK);
		char *nl;

		if (n <= 0)
			return -1;
		nl = memchr(buf, '\n', (size_t)n);
		n = recv(fd, buf, nl ? (size_t)(nl - buf) + 1 : (size_t)n, 0);
		if (n <= 0)
			return -1;
		total += n;
		if (nl)
			return total - 1;
	}
}

/* A client that sends but never reads is dropped; the server goes on. */
TEST_F(ctl, client_that_does_not_read) {
	const char *req = "{\"cmd\":\"big\"}\n";
	struct pollfd pfd = { .events = POLLRDHUP };
	int fd, i, small = 4096;
	json_t *res;

	/* three 1 MiB replies queued (under the 4 MiB bound): all delivered */
	fd = raw_connect(self->path);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, send_str(fd, req));
	usleep(200000); /* let the server queue them all before we read */
	for (i = 0; i < 3; i++)
		EXPECT_LT((1 << 20), read_long_line(fd));
	close(fd);

	/* ten of them (10 MiB) with small buffers and no reading: dropped */
	fd = raw_connect(self->path);
	ASSERT_LE(0, fd);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, send_str(fd, req));
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 10000)) TH_LOG("the server kept a client that does not read");
	EXPECT_TRUE(pfd.revents & POLLRDHUP);
	close(fd);

	ASSERT_EQ(0, xbc_request(self->path, "clients", NULL, &res, 2000))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(1, json_integer_value(res));
	json_decref(res);
	/* and a client that does read gets the whole 1 MiB reply */
	ASSERT_EQ(0, xbc_request(self->path, "big", NULL, &res, 5000)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ((1 << 20) - 1, json_string_length(res));
	json_decref(res);
}

TEST_F(ctl, live_socket_refused) {
	struct xb_loop *loop = xb_loop_new();
	json_t *res;

	ASSERT_NE(NULL, loop);
	EXPECT_EQ(NULL, xbc_server_new(loop, self->path));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "is in use: another xborderd is running"))
	TH_LOG("%s", xb_errmsg());
	xb_loop_free(loop);
	/* the running server's socket was left alone */
	ASSERT_EQ(0, xbc_request(self->path, "ping", NULL, &res, 2000)) TH_LOG("%s", xb_errmsg());
	json_decref(res);
}

TEST(stale_socket_replaced) {
	char dir[] = "/tmp/xb-ctl-XXXXXX", path[64], err[512], cmd[128];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *res;
	pid_t pid;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	/* a socket file nobody listens on, as a crashed daemon leaves it */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	EXPECT_EQ(-ECONNREFUSED, xbc_request(path, "ping", NULL, &res, 500));

	pid = start_server(path, err, sizeof(err));
	ASSERT_LT(0, pid) TH_LOG("server: %s", err);
	EXPECT_EQ(0, xbc_request(path, "ping", NULL, &res, 2000)) TH_LOG("%s", xb_errmsg());
	json_decref(res);
	stop_server(pid);
	/* the server removes its socket when it stops */
	EXPECT_NE(0, access(path, F_OK));

	/* something that is not a socket is never removed */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	pid = start_server(path, err, sizeof(err));
	EXPECT_EQ(-1, pid);
	EXPECT_NE(NULL, strstr(err, "exists and is not a socket")) TH_LOG("%s", err);
	EXPECT_EQ(0, access(path, F_OK));
	stop_server(pid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ASSERT_EQ(0, system(cmd));
}

TEST(client_errors) {
	char dir[] = "/tmp/xb-ctl-XXXXXX", path[64], cmd[128];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *res;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none.sock", dir);
	EXPECT_EQ(-ENOENT, xbc_request(path, "ping", NULL, &res, 500));
	snprintf(cmd, sizeof(cmd), "cannot reach xborderd at %s: No such file or directory", path);
	EXPECT_STREQ(cmd, xb_errmsg());

	/* a listener that never answers */
	snprintf(path, sizeof(path), "%s/mute.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(fd, 4));
	EXPECT_EQ(-ETIMEDOUT, xbc_request(path, "ping", NULL, &res, 200));
	snprintf(cmd, sizeof(cmd), "xborderd at %s did not answer within 200 ms", path);
	EXPECT_STREQ(cmd, xb_errmsg());
	close(fd);

	EXPECT_EQ(-EINVAL, xbc_request(path, "bad\ncmd", NULL, &res, 200));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ASSERT_EQ(0, system(cmd));
}

/* The pure parser, directly. */
TEST(parse_request) {
	char cmd[XBC_CMD_MAX], err[256];
	char longcmd[XBC_CMD_MAX + 20];
	json_t *args;

	ASSERT_EQ(0, xbc_parse_request("{\"cmd\":\"call show\",\"args\":{\"id\":\"7\"}}", 37, cmd,
				       &args, err, sizeof(err)));
	EXPECT_STREQ("call show", cmd);
	EXPECT_STREQ("7", json_string_value(json_object_get(args, "id")));
	json_decref(args);
	/* LEN bounds the input: the rest of the buffer is not read */
	ASSERT_EQ(0,
		  xbc_parse_request("{\"cmd\":\"ping\"}garbage", 14, cmd, &args, err, sizeof(err)));
	json_decref(args);
	ASSERT_EQ(0, xbc_parse_request("{\"cmd\":\"ping\",\"args\":null}", 26, cmd, &args, err,
				       sizeof(err)));
	EXPECT_TRUE(json_is_object(args));
	json_decref(args);

	snprintf(longcmd, sizeof(longcmd), "{\"cmd\":\"%0*d\"}", XBC_CMD_MAX, 0);
	EXPECT_EQ(-EINVAL,
		  xbc_parse_request(longcmd, strlen(longcmd), cmd, &args, err, sizeof(err)));
	EXPECT_STREQ("\"cmd\" is not a command name", err);
	EXPECT_EQ(NULL, args);
	EXPECT_EQ(-EINVAL, xbc_parse_request("", 0, cmd, &args, err, sizeof(err)));
	EXPECT_EQ(NULL, strchr(err, '\n'));
}

TEST_HARNESS_MAIN
