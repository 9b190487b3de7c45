/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: a Unix stream socket carrying one JSON object per
 * line each way. Request {"cmd": "call list", "args": {...}}; reply
 * {"ok": true, "result": ...} or {"ok": false, "error": "one line"}.
 * xborderd serves it; xborderctl (and operators' scripts) are clients.
 */
#ifndef XB_CTL_H
#define XB_CTL_H

#include <jansson.h>
#include <stddef.h>

#include "evloop/evloop.h"

#define XBC_DEFAULT_SOCKET "/run/xborder/xborderd.sock"
#define XBC_MAX_LINE 65536

struct xbc_server;

/*
 * A handler returns the result (a new reference; json_null() for none), or
 * NULL after writing a one-line reason into ERR.
 */
typedef json_t *(*xbc_handler)(void *arg, json_t *args, char *err, size_t errlen);

/* Listens on PATH (replacing a stale socket file; refusing a live one). */
struct xbc_server *xbc_server_new(struct xb_loop *loop, const char *path);
int xbc_register(struct xbc_server *s, const char *cmd, xbc_handler h, void *arg);
void xbc_server_free(struct xbc_server *s);

/*
 * The pure part of the server, exposed for tests and fuzzing. Parses one
 * request line (LEN bytes, no newline, not necessarily NUL-terminated) into
 * its command (NUL-terminated in CMD) and arguments (*ARGS: a new reference
 * to an object, {} when absent). 0, or -EINVAL with a one-line reason in
 * ERR.
 */
#define XBC_CMD_MAX 64
int xbc_parse_request(const char *line, size_t len, char cmd[XBC_CMD_MAX], json_t **args, char *err,
		      size_t errlen);
/* The reply object the server sends for one request line (new reference). */
json_t *xbc_server_reply(struct xbc_server *s, const char *line, size_t len);
/* Connected clients (tests). */
unsigned int xbc_server_clients(const struct xbc_server *s);

/* Client: one request, waits at most TIMEOUT_MS. 0 and *RESULT, or -errno
 * with xb_errmsg() (the daemon's error text for {"ok": false}). */
int xbc_request(const char *path, const char *cmd, json_t *args, json_t **result, int timeout_ms);

#endif
