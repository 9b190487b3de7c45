// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket server and client (wire format in ctl.h and
 * Documentation/xborderctl-daemon.md). The server never blocks: every
 * client has a bounded input buffer (one line) and a bounded output queue,
 * and a client that breaks either bound is dropped. Anything a client sends
 * is hostile; nothing it sends can reach a handler except through
 * xbc_parse_request().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "ctl/ctl.h"

#define XBC_MAX_COMMANDS 64
#define XBC_MAX_CLIENTS 64
/* A client with this much unread output when its next reply is due is gone. */
#define XBC_MAX_QUEUED (4u << 20)
/* One reply (and what the client accepts) is never larger than this. */
#define XBC_MAX_REPLY (64u << 20)
#define XBC_READS_PER_WAKEUP 16

struct xbc_command {
	char name[XBC_CMD_MAX];
	xbc_handler h;
	void *arg;
};

struct xbc_client {
	struct xbc_server *s;
	struct xbc_client *next;
	int fd;
	char in[XBC_MAX_LINE + 1]; /* one line and its newline */
	size_t in_len;
	char *out; /* queued reply bytes: out[out_off..out_len) */
	size_t out_len, out_off, out_cap;
	bool eof;     /* peer shut down its side: close once flushed */
	bool closing; /* close once flushed, read nothing more */
	bool want_out;
};

struct xbc_server {
	struct xb_loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* the socket file we made, to unlink only that one */
	ino_t ino;
	struct xbc_command cmds[XBC_MAX_COMMANDS];
	unsigned int n_cmds;
	struct xbc_client *clients;
	unsigned int n_clients;
};

/* Replace what would break a one-line message. */
/* Error text is one line of printable ASCII: parse errors quote the input
 * and may cut a UTF-8 sequence, which JSON strings cannot carry. */
static void scrub(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* ---------------------------------------------------------------- requests */

static bool valid_cmd(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

int xbc_parse_request(const char *line, size_t len, char cmd[XBC_CMD_MAX], json_t **args, char *err,
		      size_t errlen)
{
	json_error_t jerr;
	json_t *req, *c, *a;
	const char *key;
	json_t *v;

	*args = NULL;
	cmd[0] = '\0';
	if (len > XBC_MAX_LINE) {
		snprintf(err, errlen, "request line longer than %u bytes", XBC_MAX_LINE);
		return -EINVAL;
	}
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		snprintf(err, errlen, "malformed JSON: %s", jerr.text);
		scrub(err);
		return -EINVAL;
	}
	if (!json_is_object(req)) {
		snprintf(err, errlen, "a request is a JSON object {\"cmd\": ..., \"args\": {...}}");
		goto bad;
	}
	json_object_foreach(req, key, v)
	{
		if (strcmp(key, "cmd") && strcmp(key, "args")) {
			snprintf(err, errlen, "unknown request key '%.32s' (cmd, args)", key);
			scrub(err);
			goto bad;
		}
	}
	c = json_object_get(req, "cmd");
	if (!json_is_string(c)) {
		snprintf(err, errlen, "\"cmd\" is missing or not a string");
		goto bad;
	}
	if (json_string_length(c) >= XBC_CMD_MAX ||
	    strlen(json_string_value(c)) != json_string_length(c) ||
	    !valid_cmd(json_string_value(c))) {
		snprintf(err, errlen, "\"cmd\" is not a command name");
		goto bad;
	}
	a = json_object_get(req, "args");
	if (a && !json_is_object(a) && !json_is_null(a)) {
		snprintf(err, errlen, "\"args\" must be an object");
		goto bad;
	}
	strcpy(cmd, json_string_value(c));
	*args = a && json_is_object(a) ? json_incref(a) : json_object();
	json_decref(req);
	if (!*args) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
bad:
	json_decref(req);
	return -EINVAL;
}

static json_t *reply_error(const char *msg)
{
	char text[256];
	json_t *r;

	snprintf(text, sizeof(text), "%s", msg);
	scrub(text);
	r = json_pack("{s:b, s:s}", "ok", 0, "error", text);
	return r ? r : json_pack("{s:b, s:s}", "ok", 0, "error", "out of memory");
}

static const struct xbc_command *find_cmd(const struct xbc_server *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n_cmds; i++)
		if (!strcmp(s->cmds[i].name, name))
			return &s->cmds[i];
	return NULL;
}

json_t *xbc_server_reply(struct xbc_server *s, const char *line, size_t len)
{
	char cmd[XBC_CMD_MAX], err[256] = "";
	const struct xbc_command *c;
	json_t *args, *result;

	if (xbc_parse_request(line, len, cmd, &args, err, sizeof(err)))
		return reply_error(err);
	c = find_cmd(s, cmd);
	if (!c) {
		json_decref(args);
		snprintf(err, sizeof(err), "unknown command '%s' (try 'help')", cmd);
		return reply_error(err);
	}
	result = c->h(c->arg, args, err, sizeof(err));
	json_decref(args);
	if (!result) {
		if (!err[0])
			snprintf(err, sizeof(err), "%s failed", cmd);
		err[sizeof(err) - 1] = '\0';
		return reply_error(err);
	}
	return json_pack("{s:b, s:o}", "ok", 1, "result", result);
}

/* Built-in commands. */
static json_t *cmd_ping(void *arg, json_t *args, char *err, size_t errlen)
{
	return json_pack("{s:b}", "pong", 1);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *cmd_help(void *arg, json_t *args, char *err, size_t errlen)
{
	struct xbc_server *s = arg;
	const char *names[XBC_MAX_COMMANDS];
	json_t *list = json_array();
	unsigned int i;

	if (!list)
		return NULL;
	for (i = 0; i < s->n_cmds; i++)
		names[i] = s->cmds[i].name;
	qsort(names, s->n_cmds, sizeof(names[0]), cmp_names);
	for (i = 0; i < s->n_cmds; i++)
		json_array_append_new(list, json_string(names[i]));
	return list;
}

int xbc_register(struct xbc_server *s, const char *cmd, xbc_handler h, void *arg)
{
	struct xbc_command *c;

	if (!s || !cmd || !h || strlen(cmd) >= XBC_CMD_MAX || !valid_cmd(cmd))
		return xb_err(EINVAL, "invalid control command '%.64s'", cmd ? cmd : "");
	if (find_cmd(s, cmd))
		return xb_err(EEXIST, "control command '%s' is already registered", cmd);
	if (s->n_cmds >= XBC_MAX_COMMANDS)
		return xb_err(ENOSPC, "more than %u control commands", XBC_MAX_COMMANDS);
	c = &s->cmds[s->n_cmds++];
	strcpy(c->name, cmd);
	c->h = h;
	c->arg = arg;
	return 0;
}

/* ---------------------------------------------------------------- clients */

static void client_free(struct xbc_client *cl)
{
	struct xbc_server *s = cl->s;
	struct xbc_client **pp;

	for (pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	s->n_clients--;
	xb_loop_del_fd(s->loop, cl->fd);
	close(cl->fd);
	free(cl->out);
	free(cl);
}

static void client_update_events(struct xbc_client *cl)
{
	bool want = cl->out_off < cl->out_len;

	if (want == cl->want_out)
		return;
	cl->want_out = want;
	xb_loop_mod_fd(cl->s->loop, cl->fd, want ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* Write what can be written now. -errno when the client is gone. */
static int client_flush(struct xbc_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		cl->out_off += (size_t)n;
	}
	if (cl->out_off == cl->out_len)
		cl->out_off = cl->out_len = 0;
	client_update_events(cl);
	return 0;
}

/* Queue REPLY (consumed) and a newline. -ENOBUFS when the client does not read. */
static int client_queue(struct xbc_client *cl, json_t *reply)
{
	size_t pending = cl->out_len - cl->out_off, n;
	char *text;

	if (!reply)
		reply = reply_error("out of memory");
	if (pending > XBC_MAX_QUEUED) {
		json_decref(reply);
		return -ENOBUFS;
	}
	text = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(reply);
	if (text && strlen(text) > XBC_MAX_REPLY) {
		free(text);
		text = json_dumps(reply = reply_error("reply too large"), JSON_COMPACT);
		json_decref(reply);
	}
	if (!text)
		return -ENOMEM;
	n = strlen(text);
	if (cl->out_off) { /* reclaim the part already sent */
		memmove(cl->out, cl->out + cl->out_off, pending);
		cl->out_off = 0;
		cl->out_len = pending;
	}
	if (cl->out_len + n + 1 > cl->out_cap) {
		size_t cap = cl->out_len + n + 1 + 4096;
		char *p = realloc(cl->out, cap);

		if (!p) {
			free(text);
			return -ENOMEM;
		}
		cl->out = p;
		cl->out_cap = cap;
	}
	memcpy(cl->out + cl->out_len, text, n);
	cl->out[cl->out_len + n] = '\n';
	cl->out_len += n + 1;
	free(text);
	return 0;
}

/* Answer every complete line in the input buffer. */
static int client_process(struct xbc_client *cl)
{
	size_t start = 0;
	int err = 0;

	while (!cl->closing && start < cl->in_len) {
		char *nl = memchr(cl->in + start, '\n', cl->in_len - start);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - (cl->in + start));
		if (len && cl->in[start + len - 1] == '\r')
			len--;
		if (len > XBC_MAX_LINE) {
			/* cannot happen with the buffer size, but keep the rule local */
			cl->closing = true;
			err = client_queue(cl, reply_error("request line too long"));
			break;
		}
		if (len) /* blank lines are keep-alives */
			err = client_queue(cl, xbc_server_reply(cl->s, cl->in + start, len));
		start = (size_t)(nl - cl->in) + 1;
		if (err)
			return err;
	}
	if (start) {
		memmove(cl->in, cl->in + start, cl->in_len - start);
		cl->in_len -= start;
	}
	if (!cl->closing && cl->in_len == sizeof(cl->in)) {
		char msg[64];

		/* a full buffer without a newline: the line is too long */
		snprintf(msg, sizeof(msg), "request line longer than %u bytes", XBC_MAX_LINE);
		cl->closing = true;
		cl->in_len = 0;
		err = client_queue(cl, reply_error(msg));
	}
	if (!cl->closing && cl->eof && cl->in_len) {
		/* a last request without its newline */
		err = client_queue(cl, xbc_server_reply(cl->s, cl->in, cl->in_len));
		cl->in_len = 0;
	}
	return err;
}

static void on_client(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xbc_client *cl = arg;
	int i, err = 0;

	if (events & EPOLLIN && !cl->closing && !cl->eof) {
		for (i = 0; i < XBC_READS_PER_WAKEUP && !cl->closing && cl->in_len < sizeof(cl->in);
		     i++) {
			ssize_t n = recv(fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len,
					 MSG_DONTWAIT);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n < 0) {
				client_free(cl);
				return;
			}
			if (n == 0) {
				cl->eof = true;
				break;
			}
			cl->in_len += (size_t)n;
			err = client_process(cl);
			if (err)
				break;
		}
		if (!err && cl->eof)
			err = client_process(cl);
	} else if (events & (EPOLLHUP | EPOLLERR) && !(events & EPOLLOUT)) {
		err = -ECONNRESET;
	}
	if (!err)
		err = client_flush(cl);
	if (err) {
		if (err == -ENOBUFS)
			xb_log(XB_LOG_WARN, "control socket: dropping a client that does not read "
					    "its replies");
		client_free(cl);
		return;
	}
	if ((cl->closing || cl->eof) && cl->out_len == cl->out_off) {
		client_free(cl);
		return;
	}
	if (cl->closing || cl->eof)
		/* nothing more to read: wait for EPOLLOUT only, or EPOLLIN (EOF) spins */
		xb_loop_mod_fd(loop, fd, EPOLLOUT);
}

static void on_accept(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xbc_server *s = arg;
	int i;

	for (i = 0; i < 16; i++) {
		struct xbc_client *cl;
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				xb_log(XB_LOG_WARN, "control socket: accept: %s", strerror(errno));
			return;
		}
		if (s->n_clients >= XBC_MAX_CLIENTS) {
			close(cfd);
			xb_log(XB_LOG_WARN, "control socket: more than %u clients, refusing one",
			       XBC_MAX_CLIENTS);
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (!cl) {
			close(cfd);
			continue;
		}
		cl->s = s;
		cl->fd = cfd;
		if (xb_loop_add_fd(loop, cfd, EPOLLIN, on_client, cl)) {
			close(cfd);
			free(cl);
			continue;
		}
		cl->next = s->clients;
		s->clients = cl;
		s->n_clients++;
	}
}

unsigned int xbc_server_clients(const struct xbc_server *s)
{
	return s ? s->n_clients : 0;
}

/* ---------------------------------------------------------------- server */

static int fill_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!path || !*path)
		return xb_err(EINVAL, "no control socket path");
	if (strlen(path) >= sizeof(sa->sun_path))
		return xb_err(ENAMETOOLONG,
			      "control socket path longer than %zu characters: %.64s...",
			      sizeof(sa->sun_path) - 1, path);
	strcpy(sa->sun_path, path);
	return 0;
}

/* Create the socket's directory (and missing parents) with mode 0750. */
static int make_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *p;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0; /* relative name in the cwd, or in / */
	*p = '\0';
	if (!stat(dir, &st))
		return S_ISDIR(st.st_mode) ? 0 : xb_err(ENOTDIR, "%s is not a directory", dir);
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) && errno != EEXIST)
			return xb_err(errno, "cannot create %s: %s", dir, strerror(errno));
		*p = '/';
	}
	if (mkdir(dir, 0750) && errno != EEXIST)
		return xb_err(errno, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

/*
 * Decide about an existing file at PATH: a socket nobody listens on is left
 * over from a crash and is removed; a live one belongs to another daemon.
 */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, err;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		return xb_err(errno, "cannot check %s: %s", path, strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return xb_err(EEXIST, "%s exists and is not a socket; not replacing it", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return xb_err(errno, "socket: %s", strerror(errno));
	err = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
	close(fd);
	if (!err || err == EAGAIN || err == EINPROGRESS)
		return xb_err(EADDRINUSE,
			      "control socket %s is in use: another xborderd is running", path);
	if (err != ECONNREFUSED)
		return xb_err(err, "cannot check control socket %s: %s", path, strerror(err));
	if (unlink(path) && errno != ENOENT)
		return xb_err(errno, "cannot remove stale control socket %s: %s", path,
			      strerror(errno));
	xb_log(XB_LOG_INFO, "removed stale control socket %s", path);
	return 0;
}

struct xbc_server *xbc_server_new(struct xb_loop *loop, const char *path)
{
	struct xbc_server *s;
	struct sockaddr_un sa;
	struct stat st;

	if (!loop) {
		xb_err(EINVAL, "control socket: no event loop");
		return NULL;
	}
	if (fill_addr(path, &sa) || make_dir(path) || clear_stale(path, &sa))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		xb_err(ENOMEM, "out of memory");
		return NULL;
	}
	s->loop = loop;
	strcpy(s->path, path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		xb_err(errno, "socket: %s", strerror(errno));
		free(s);
		return NULL;
	}
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno == EADDRINUSE)
			/* created between our check and bind: someone else's now */
			xb_err(EADDRINUSE, "control socket %s is in use", path);
		else
			xb_err(errno, "cannot bind control socket %s: %s", path, strerror(errno));
		goto fail;
	}
	if (stat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	if (chmod(path, 0660) || listen(s->fd, 64)) {
		xb_err(errno, "control socket %s: %s", path, strerror(errno));
		goto fail_unlink;
	}
	if (xb_loop_add_fd(loop, s->fd, EPOLLIN, on_accept, s)) {
		xb_err(EIO, "control socket %s: cannot add to the event loop", path);
		goto fail_unlink;
	}
	if (xbc_register(s, "help", cmd_help, s) || xbc_register(s, "ping", cmd_ping, s))
		goto fail_del;
	return s;
fail_del:
	xb_loop_del_fd(loop, s->fd);
fail_unlink:
	unlink(path);
fail:
	close(s->fd);
	free(s);
	return NULL;
}

void xbc_server_free(struct xbc_server *s)
{
	struct stat st;

	if (!s)
		return;
	while (s->clients)
		client_free(s->clients);
	xb_loop_del_fd(s->loop, s->fd);
	close(s->fd);
	/* remove the file only if it is still the socket we made */
	if (!stat(s->path, &st) && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	free(s);
}

/* ---------------------------------------------------------------- client */

static int64_t ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Wait for EVENTS on FD until DEADLINE: 0, or -ETIMEDOUT / -errno. */
static int wait_fd(int fd, short events, const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int64_t left = ms_left(deadline);
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int client_connect(const char *path, const struct sockaddr_un *sa,
			  const struct timespec *deadline)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return xb_err(errno, "socket: %s", strerror(errno));
	for (;;) {
		int err;

		if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
			return fd;
		err = errno;
		if (err == EINTR)
			continue;
		if (err != EAGAIN) { /* a full backlog: try again shortly */
			close(fd);
			return xb_err(err, "cannot reach xborderd at %s: %s", path, strerror(err));
		}
		if (ms_left(deadline) <= 0) {
			close(fd);
			return xb_err(ETIMEDOUT, "cannot reach xborderd at %s: %s", path,
				      strerror(ETIMEDOUT));
		}
		poll(NULL, 0, 10);
	}
}

static int send_all(int fd, const char *buf, size_t len, const struct timespec *deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int err;

		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		err = wait_fd(fd, POLLOUT, deadline);
		if (err)
			return err;
	}
	return 0;
}

/* Read until the first newline; *LINE is malloc'd and NUL-terminated. */
static int recv_line(int fd, char **line, size_t *len, const struct timespec *deadline)
{
	size_t cap = 4096, got = 0;
	char *buf = malloc(cap), *nl;
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (got + 1 >= cap) {
			char *p;

			if (cap >= XBC_MAX_REPLY + 2) {
				free(buf);
				return -EMSGSIZE;
			}
			cap *= 2;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		n = recv(fd, buf + got, cap - got - 1, MSG_DONTWAIT);
		if (n > 0) {
			nl = memchr(buf + got, '\n', (size_t)n);
			got += (size_t)n;
			if (nl) {
				*nl = '\0';
				*line = buf;
				*len = (size_t)(nl - buf);
				return 0;
			}
			continue;
		}
		if (n == 0) {
			free(buf);
			return -ECONNRESET;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			err = -errno;
			free(buf);
			return err;
		}
		err = wait_fd(fd, POLLIN, deadline);
		if (err) {
			free(buf);
			return err;
		}
	}
}

int xbc_request(const char *path, const char *cmd, json_t *args, json_t **result, int timeout_ms)
{
	struct timespec deadline;
	struct sockaddr_un sa;
	json_error_t jerr;
	json_t *req, *reply = NULL, *ok, *res;
	char *text, *line = NULL;
	size_t len;
	int fd, err;

	*result = NULL;
	if (!cmd || strlen(cmd) >= XBC_CMD_MAX || !valid_cmd(cmd))
		return xb_err(EINVAL, "invalid command '%.64s'", cmd ? cmd : "");
	if (args && !json_is_object(args))
		return xb_err(EINVAL, "command arguments must be a JSON object");
	err = fill_addr(path, &sa);
	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms < 0)
		timeout_ms = 0;
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}

	fd = client_connect(path, &sa, &deadline);
	if (fd < 0)
		return fd;
	if (args)
		req = json_pack("{s:s, s:O}", "cmd", cmd, "args", args);
	else
		req = json_pack("{s:s, s:{}}", "cmd", cmd, "args");
	text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!text) {
		close(fd);
		return xb_err(ENOMEM, "out of memory");
	}
	len = strlen(text);
	if (len > XBC_MAX_LINE) {
		free(text);
		close(fd);
		return xb_err(EMSGSIZE, "request longer than %u bytes", XBC_MAX_LINE);
	}
	text[len] = '\n'; /* replaces the NUL; the length is known */
	err = send_all(fd, text, len + 1, &deadline);
	free(text);
	if (!err)
		err = recv_line(fd, &line, &len, &deadline);
	close(fd);
	if (err == -ETIMEDOUT)
		return xb_err(err, "xborderd at %s did not answer within %d ms", path, timeout_ms);
	if (err == -ECONNRESET)
		return xb_err(err, "xborderd at %s closed the connection without a reply", path);
	if (err)
		return xb_err(err, "talking to xborderd at %s: %s", path, strerror(-err));

	reply = json_loadb(line, len, 0, &jerr);
	free(line);
	ok = json_object_get(reply, "ok");
	if (!json_is_object(reply) || !json_is_boolean(ok)) {
		json_decref(reply);
		return xb_err(EPROTO, "xborderd at %s sent a malformed reply", path);
	}
	if (json_is_false(ok)) {
		json_t *e = json_object_get(reply, "error");
		char msg[XB_ERRMSG_MAX];

		snprintf(msg, sizeof(msg), "%s",
			 json_is_string(e) ? json_string_value(e) : "xborderd reported an error");
		scrub(msg);
		json_decref(reply);
		return xb_err(EREMOTEIO, "%s", msg);
	}
	res = json_object_get(reply, "result");
	*result = res ? json_incref(res) : json_null();
	json_decref(reply);
	return 0;
}
