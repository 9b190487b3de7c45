// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborderctl call | peer | stats | config: one request to xborderd's control
 * socket, the result printed as a table (or as JSON with -j). What the
 * daemon sends comes partly from SIP peers (From/To URIs), so every string
 * is made safe for a terminal before it is printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/json.h"
#include "ctl/ctl.h"
#include "xborderctl/daemon.h"

#define ID_MAX 512 /* a call number or a Call-ID */
#define CELL_MAX 512

const char ctl_daemon_usage[] = "  call list | show ID | end ID          (xborderd; -s SOCKET)\n"
				"  peer list | stats | config reload    (xborderd; -s SOCKET)\n";

/* Printable ASCII only: no escape sequences reach the terminal. */
static void safe_copy(char *out, size_t len, const char *s)
{
	size_t i = 0;

	for (; *s && i + 1 < len; s++)
		out[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[i] = '\0';
}

/* One JSON value as table text. */
static const char *cell(json_t *v, char *buf, size_t len)
{
	char *dump;

	switch (json_typeof(v)) {
	case JSON_STRING:
		safe_copy(buf, len, json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, len, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "yes");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "no");
		break;
	case JSON_ARRAY: {
		size_t i, used = 0;
		json_t *e;

		buf[0] = '\0';
		json_array_foreach(v, i, e)
		{
			char one[CELL_MAX];

			cell(e, one, sizeof(one));
			used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 i ? "," : "", one);
			if (used >= len)
				break;
		}
		if (!json_array_size(v))
			snprintf(buf, len, "-");
		break;
	}
	case JSON_OBJECT:
		dump = json_dumps(v, JSON_COMPACT);
		safe_copy(buf, len, dump ? dump : "{}");
		free(dump);
		break;
	default: /* null or missing */
		snprintf(buf, len, "-");
		break;
	}
	return buf;
}

/* ---------------------------------------------------------------- tables */

#define TABLE_MAX_COLS 16

struct table {
	unsigned int ncols, nrows; /* ncols <= TABLE_MAX_COLS */
	const char *const *heads;
	char **cells; /* nrows * ncols, malloc'd */
};

static int table_add(struct table *t, json_t *row, const char *const *keys,
		     void (*fmt)(const char *key, json_t *v, char *buf, size_t len))
{
	char **cells = realloc(t->cells, sizeof(char *) * (t->nrows + 1) * t->ncols);
	unsigned int i;

	if (!cells)
		return -ENOMEM;
	t->cells = cells;
	for (i = 0; i < t->ncols; i++) {
		char buf[CELL_MAX];

		fmt(keys[i], json_object_get(row, keys[i]), buf, sizeof(buf));
		cells[t->nrows * t->ncols + i] = strdup(buf);
		if (!cells[t->nrows * t->ncols + i]) {
			while (i--)
				free(cells[t->nrows * t->ncols + i]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

static void print_cell(const char *s, size_t width, bool last)
{
	if (last)
		printf("%s\n", s);
	else
		printf("%-*s  ", (int)width, s);
}

static void table_print(const struct table *t)
{
	size_t width[TABLE_MAX_COLS] = { 0 };
	unsigned int r, i;

	for (i = 0; i < t->ncols; i++) {
		width[i] = strlen(t->heads[i]);
		for (r = 0; r < t->nrows; r++)
			if (strlen(t->cells[r * t->ncols + i]) > width[i])
				width[i] = strlen(t->cells[r * t->ncols + i]);
	}
	for (i = 0; i < t->ncols; i++)
		print_cell(t->heads[i], width[i], i + 1 == t->ncols);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++)
			print_cell(t->cells[r * t->ncols + i], width[i], i + 1 == t->ncols);
}

static void table_free(struct table *t)
{
	unsigned int i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* Prints the array RES as a table of KEYS under HEADS. */
static int print_table(json_t *res, const char *const *keys, const char *const *heads,
		       unsigned int ncols,
		       void (*fmt)(const char *key, json_t *v, char *buf, size_t len))
{
	struct table t = { .ncols = ncols, .heads = heads };
	json_t *row;
	size_t i;

	if (!json_is_array(res))
		return xb_err(EPROTO, "xborderd sent a result that is not a list");
	json_array_foreach(res, i, row)
	{
		if (table_add(&t, row, keys, fmt)) {
			table_free(&t);
			return xb_err(ENOMEM, "out of memory");
		}
	}
	table_print(&t);
	table_free(&t);
	return 0;
}

static void fmt_plain(const char *key, json_t *v, char *buf, size_t len)
{
	cell(v, buf, len);
}

static void fmt_duration(long long s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 3600)
		snprintf(buf, len, "%lld:%02lld", s / 60, s % 60);
	else
		snprintf(buf, len, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

static void fmt_call(const char *key, json_t *v, char *buf, size_t len)
{
	if (!strcmp(key, "duration_s") && json_is_integer(v))
		fmt_duration(json_integer_value(v), buf, len);
	else
		cell(v, buf, len);
}

/* ---------------------------------------------------------------- key: value */

/* Every scalar in V, one "a.b.c  value" line each, in the daemon's order. */
static void flatten(json_t *v, const char *prefix, json_t *lines)
{
	char key[256], buf[CELL_MAX];
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_object(v) && json_object_size(v)) {
		json_object_foreach(v, k, e)
		{
			char safe[128];

			safe_copy(safe, sizeof(safe), k);
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", safe);
			flatten(e, key, lines);
		}
		return;
	}
	if (json_is_array(v)) {
		bool scalars = true;

		json_array_foreach(v, i, e) if (json_is_object(e) || json_is_array(e))
			scalars = false;
		if (!scalars) {
			json_array_foreach(v, i, e)
			{
				snprintf(key, sizeof(key), "%s[%zu]", prefix, i);
				flatten(e, key, lines);
			}
			return;
		}
	}
	json_array_append_new(lines, json_pack("[s,s]", *prefix ? prefix : "result",
					       cell(v, buf, sizeof(buf))));
}

static int print_flat(json_t *res)
{
	json_t *lines = json_array(), *l;
	size_t i, width = 0;

	if (!lines)
		return xb_err(ENOMEM, "out of memory");
	flatten(res, "", lines);
	json_array_foreach(lines, i, l) if (strlen(json_string_value(json_array_get(l, 0))) > width)
		width = strlen(json_string_value(json_array_get(l, 0)));
	json_array_foreach(lines, i, l)
		printf("%-*s  %s\n", (int)width, json_string_value(json_array_get(l, 0)),
		       json_string_value(json_array_get(l, 1)));
	json_decref(lines);
	return 0;
}

/* ---------------------------------------------------------------- commands */

static int print_calls(json_t *res)
{
	static const char *const keys[] = { "id",	  "state",	 "from",
					    "to",	  "caller_peer", "callee_peer",
					    "media_mode", "duration_s",	 "streams" };
	static const char *const heads[] = { "ID",     "STATE", "FROM",	    "TO",     "CALLER",
					     "CALLEE", "MEDIA", "DURATION", "STREAMS" };

	return print_table(res, keys, heads, 9, fmt_call);
}

static int print_peers(json_t *res)
{
	static const char *const keys[] = { "name",	"domains",    "next_hop", "transport",
					    "security", "media_mode", "state" };
	static const char *const heads[] = { "NAME",	 "DOMAINS", "NEXT-HOP", "TRANSPORT",
					     "SECURITY", "MEDIA",   "STATE" };

	return print_table(res, keys, heads, 7, fmt_plain);
}

static int print_ended(json_t *res)
{
	char id[64], cid[CELL_MAX];

	printf("ended call %s (%s)\n", cell(json_object_get(res, "id"), id, sizeof(id)),
	       cell(json_object_get(res, "call_id"), cid, sizeof(cid)));
	return 0;
}

static int print_reload(json_t *res)
{
	json_t *restart = json_object_get(res, "restart_needed"), *e;
	char path[CELL_MAX], a[32], b[32], c[32], what[CELL_MAX];
	size_t i;

	printf("reloaded %s: %s peers, %s listeners, %s media interfaces\n",
	       cell(json_object_get(res, "path"), path, sizeof(path)),
	       cell(json_object_get(res, "peers"), a, sizeof(a)),
	       cell(json_object_get(res, "listeners"), b, sizeof(b)),
	       cell(json_object_get(res, "media"), c, sizeof(c)));
	json_array_foreach(restart, i, e)
		printf("restart needed for: %s\n", cell(e, what, sizeof(what)));
	return 0;
}

struct daemon_cmd {
	const char *object, *command; /* command NULL: the object alone */
	const char *wire;	      /* "cmd" on the control socket */
	bool takes_id;
	int (*print)(json_t *res);
};

static const struct daemon_cmd cmds[] = {
	{ "call", "list", "call list", false, print_calls },
	{ "call", "show", "call show", true, print_flat },
	{ "call", "end", "call end", true, print_ended },
	{ "peer", "list", "peer list", false, print_peers },
	{ "stats", NULL, "stats", false, print_flat },
	{ "config", "reload", "config reload", false, print_reload },
};

bool ctl_daemon_object(const char *object)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].object, object))
			return true;
	return false;
}

static bool valid_id(const char *s)
{
	size_t n = strnlen(s, ID_MAX + 1);

	if (n == 0 || n > ID_MAX)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	return true;
}

int cmd_daemon(struct ctl *c, const char *sock, int argc, char **argv)
{
	const struct daemon_cmd *d = NULL;
	const char *object = argv[0], *command = argc > 1 ? argv[1] : NULL;
	json_t *args = NULL, *res;
	int want, r;
	size_t i;

	/* "call" and "peer" alone mean "list", as in iproute2 */
	if (!command && (!strcmp(object, "call") || !strcmp(object, "peer")))
		command = "list";
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].object, object))
			continue;
		if (!cmds[i].command || (command && !strcmp(cmds[i].command, command))) {
			d = &cmds[i];
			break;
		}
	}
	if (!d) {
		if (!command)
			return ctl_usage("%s needs a command", object);
		return ctl_usage("unknown command '%.32s' for %s", command, object);
	}
	want = (d->command ? 2 : 1) + (d->takes_id ? 1 : 0);
	if (argc > 1 && !d->command)
		return ctl_usage("%s takes no arguments", object);
	if (d->takes_id && argc < want)
		return ctl_usage("%s %s needs a call ID (from call list) or a Call-ID", object,
				 d->command);
	if (argc > want && d->command && argc > 1)
		return ctl_usage("unexpected argument '%.32s' for %s %s", argv[want], object,
				 d->command);
	if (d->takes_id) {
		if (!valid_id(argv[2]))
			return ctl_usage("invalid call ID '%.32s'", argv[2]);
		args = json_pack("{s:s}", "id", argv[2]);
		if (!args) {
			xb_err(ENOMEM, "out of memory");
			return ctl_fail();
		}
	}
	r = xbc_request(sock ? sock : XBC_DEFAULT_SOCKET, d->wire, args, &res,
			CTL_DAEMON_TIMEOUT_MS);
	json_decref(args);
	if (r)
		return ctl_fail();
	if (c->json)
		r = xb_json_print(stdout, res) ? xb_err(EIO, "cannot write the output") : 0;
	else {
		r = d->print(res);
		json_decref(res);
	}
	if (!r && fflush(stdout))
		r = xb_err(EIO, "cannot write the output");
	return r ? ctl_fail() : CTL_OK;
}
