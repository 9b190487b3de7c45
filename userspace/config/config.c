// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborderd's configuration file: libconfig syntax, checked strictly. Every
 * key is known (a typo is an error, not a silently ignored setting), every
 * value is type- and range-checked, names are unique and references point
 * to something. The first problem found is reported as one line,
 * "FILE:LINE: key.path: what is wrong". Documentation/configuration.md is
 * the reference; keep the two in step.
 */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/log.h"
#include "config/config.h"
#include "ipsec/keyfile.h"

/* Far more than any sane configuration; bounds what is read and parsed. */
#define XBD_CONFIG_MAX_BYTES (4u << 20)
#define XBD_IFNAME_MAX 16 /* IFNAMSIZ */
#define XBD_PORT_FLOOR 1024

struct ctx {
	const char *name; /* file name for messages */
	struct xbd_config *cfg;
};

/* Keeps a message on one line whatever the file's strings contain. */
static void scrub(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int cerr_at(const struct ctx *c, unsigned int line, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int cerr_at(const struct ctx *c, unsigned int line, const char *path, const char *fmt, ...)
{
	char what[XB_ERRMSG_MAX], msg[2 * XB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(msg, sizeof(msg), "%s:%u: %s%s%s", c->name, line, path ? path : "",
			 path ? ": " : "", what);
	else /* about the file as a whole */
		snprintf(msg, sizeof(msg), "%s: %s%s%s", c->name, path ? path : "",
			 path ? ": " : "", what);
	scrub(msg);
	return xb_err(EINVAL, "%s", msg);
}

#define cerr(c, s, path, ...) cerr_at(c, config_setting_source_line(s), path, __VA_ARGS__)

/* "a.b" + "." + "c", bounded; paths are short, our own key names. */
static void join(char *out, size_t len, const char *base, const char *key)
{
	if (base && *base)
		snprintf(out, len, "%s.%s", base, key);
	else
		snprintf(out, len, "%s", key);
}

/* The same, returning OUT, for use inside an argument list. */
static const char *keypath(char *out, size_t len, const char *base, const char *key)
{
	join(out, len, base, key);
	return out;
}

/* ---------------------------------------------------------------- keys */

/* The edit distance between two short key names, capped. */
static unsigned int distance(const char *a, const char *b)
{
	unsigned int prev[32], cur[32], i, j;
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 31 || lb >= 31)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			unsigned int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

/* Every member of GROUP must be one of KEYS (NULL-terminated). */
static int check_keys(const struct ctx *c, const config_setting_t *group, const char *path,
		      const char *const *keys)
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const char *name = config_setting_name(s), *best = NULL;
		unsigned int k, bestd = 3;

		for (k = 0; keys[k] && strcmp(name, keys[k]); k++)
			;
		if (keys[k])
			continue;
		/* unknown: suggest the nearest known key, if it is near */
		for (k = 0; keys[k]; k++) {
			unsigned int d = distance(name, keys[k]);

			if (d < bestd) {
				bestd = d;
				best = keys[k];
			}
		}
		if (best)
			return cerr(c, s, NULL, "unknown key '%s' in %s (did you mean '%s'?)", name,
				    *path ? path : "the top level", best);
		return cerr(c, s, NULL, "unknown key '%s' in %s", name,
			    *path ? path : "the top level");
	}
	return 0;
}

/* ---------------------------------------------------------------- values */

/*
 * Each getter: 1 when KEY is absent (OUT untouched), 0 when present and
 * valid, -EINVAL with the message set otherwise.
 */
static int get_string(const struct ctx *c, const config_setting_t *group, const char *path,
		      const char *key, char *out, size_t len)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	char p[128];
	const char *v;

	if (!s)
		return 1;
	join(p, sizeof(p), path, key);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cerr(c, s, p, "expected a string in double quotes");
	v = config_setting_get_string(s);
	if (strlen(v) >= len)
		return cerr(c, s, p, "longer than %zu characters", len - 1);
	strcpy(out, v);
	return 0;
}

static int get_uint(const struct ctx *c, const config_setting_t *group, const char *path,
		    const char *key, uint32_t min, uint32_t max, uint32_t *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;
	char p[128];

	if (!s)
		return 1;
	join(p, sizeof(p), path, key);
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cerr(c, s, p, "expected an integer");
	v = config_setting_get_int64(s);
	if (v < (long long)min || v > (long long)max)
		return cerr(c, s, p, "%lld is out of range (%u-%u)", v, min, max);
	*out = (uint32_t)v;
	return 0;
}

static int get_bool(const struct ctx *c, const config_setting_t *group, const char *path,
		    const char *key, bool *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	char p[128];

	if (!s)
		return 1;
	join(p, sizeof(p), path, key);
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cerr(c, s, p, "expected true or false");
	*out = config_setting_get_bool(s);
	return 0;
}

static int missing(const struct ctx *c, const config_setting_t *group, const char *path,
		   const char *key)
{
	char p[128];

	join(p, sizeof(p), path, key);
	return cerr(c, group, p, "missing (required)");
}

/* A required string: absent is an error. */
static int need_string(const struct ctx *c, const config_setting_t *group, const char *path,
		       const char *key, char *out, size_t len)
{
	int err = get_string(c, group, path, key, out, len);

	if (err == 1)
		return missing(c, group, path, key);
	return err;
}

/* Values of enums in config.h that this version does not implement yet. */
static const char *const future_names[] = { "tls", NULL };

/* One of NAMES (NULL-terminated; "" marks a hole); *OUT is the index. */
static int get_enum(const struct ctx *c, const config_setting_t *group, const char *path,
		    const char *key, const char *const *names, int *out)
{
	const config_setting_t *s;
	char v[64], p[128], list[256] = "";
	int err, i;

	err = get_string(c, group, path, key, v, sizeof(v));
	if (err == -EINVAL) {
		/* too long or not a string: either way not one of NAMES */
		s = config_setting_get_member(group, key);
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return err;
		v[0] = '\0';
	} else if (err) {
		return err;
	}
	for (i = 0; names[i]; i++) {
		if (v[0] && !strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	}
	s = config_setting_get_member(group, key);
	join(p, sizeof(p), path, key);
	for (i = 0; future_names[i]; i++)
		if (!strcmp(config_setting_get_string(s), future_names[i]))
			return cerr(c, s, p, "'%s' is not supported by this version yet",
				    future_names[i]);
	for (i = 0; names[i]; i++) {
		if (!*names[i])
			continue; /* a hole: no longer (or not yet) accepted */
		strncat(list, *list ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	return cerr(c, s, p, "'%.64s' is not one of %s", config_setting_get_string(s), list);
}

/* ---------------------------------------------------------------- syntax */

/* Names of listeners, media interfaces and peers: used in logs and JSON. */
static bool valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= XBD_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9'))
			continue;
		if (i > 0 && (ch == '-' || ch == '_' || ch == '.'))
			continue;
		return false;
	}
	return true;
}

/* A Linux netdev name (dev_valid_name()), printable ASCII only. */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= XBD_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '/' || *s == ':')
			return false;
	return true;
}

/* A DNS host name: labels of letters, digits and inner hyphens. */
static bool valid_hostname(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		if (ch == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

/* "*", ".suffix", a host name, or an IPv6 literal in brackets. */
static bool valid_domain(const char *s)
{
	size_t n = strlen(s);

	if (!strcmp(s, "*"))
		return true;
	if (s[0] == '.')
		return valid_hostname(s + 1);
	if (s[0] == '[' && n > 2 && n < 48 && s[n - 1] == ']') {
		char buf[48];
		struct xb_addr a;

		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		return !xb_parse_addr(buf, &a) && a.family == XB_AF_INET6;
	}
	return valid_hostname(s);
}

/* An absolute path of printable characters. */
static int check_path(const struct ctx *c, const config_setting_t *group, const char *path,
		      const char *key, const char *v, size_t max)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	const char *p;
	char kp[128];

	join(kp, sizeof(kp), path, key);
	if (v[0] != '/')
		return cerr(c, s, kp, "'%.64s' is not an absolute path", v);
	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return cerr(c, s, kp, "contains a control character");
	if (strlen(v) >= max)
		return cerr(c, s, kp, "longer than %zu characters", max - 1);
	return 0;
}

/*
 * Checks on the raw text that libconfig 1.5 does not make itself: it
 * silently truncates integers to 32 bits (so 4294967297 would read as 1)
 * and it follows @include directives (which would let a string reach any
 * file, and would break FILE:LINE). Strings and comments are skipped the
 * way libconfig's scanner skips them.
 */
static int prescan(const struct ctx *c, const char *t)
{
	unsigned int line = 1;
	bool bol = true; /* only blanks so far on this line */
	const char *p = t;

	while (*p) {
		char ch = *p;

		if (ch == '\n') {
			line++;
			bol = true;
			p++;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f') {
			p++;
			continue;
		}
		if (bol && ch == '@')
			return cerr_at(c, line, NULL,
				       "@include and other directives are not supported");
		bol = false;
		if (ch == '#' || (ch == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (ch == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			p += *p ? 2 : 0;
			continue;
		}
		if (ch == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (*p == '\n')
					line++;
			}
			p += *p ? 1 : 0;
			continue;
		}
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		    ch == '*') {
			/* a setting name or keyword; digits inside it are not numbers */
			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			       (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '*')
				p++;
			continue;
		}
		if (ch >= '0' && ch <= '9') {
			const char *start = p;
			size_t digits = 0;

			if (ch == '0' && (p[1] == 'x' || p[1] == 'X'))
				p += 2;
			while (*p == '0' && p[1] >= '0' && p[1] <= '9')
				p++; /* leading zeros do not make it larger */
			for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			       (*p >= 'A' && *p <= 'F');
			     p++)
				digits++;
			if (digits > 9)
				return cerr_at(c, line, NULL, "number '%.*s' is too large",
					       (int)(p - start < 24 ? p - start : 24), start);
			continue;
		}
		p++;
	}
	return 0;
}

/* ---------------------------------------------------------------- sections */

static const char *const transport_names[] = { "udp", "tcp", "", NULL }; /* tls: issue 6 */
static const char *const media_mode_names[] = { "relay", "direct", NULL };
static const char *const srtp_policy_names[] = { "pass", "none", "sdes", NULL };
/* Only what this version enforces; tls comes with issue 6. ipsec-* need
 * the peer's ipsec group (load_peer_ipsec). */
static const char *const security_names[] = { "none",	      "",	    "ipsec-transport",
					      "ipsec-tunnel", "colocation", NULL };
static const char *const log_level_names[] = { "err", "warn", "info", "debug", NULL };

static int load_daemon(const struct ctx *c, const config_setting_t *root)
{
	static const char *const keys[] = { "domain",	 "control_socket", "pin_dir",
					    "state_dir", "log_level",	   "log_syslog",
					    "max_calls", "max_message",	   NULL };
	const config_setting_t *g = config_setting_get_member(root, "xborderd");
	struct xbd_config *cfg = c->cfg;
	int err, level;

	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cerr(c, g, "xborderd", "expected a group { ... }");
	err = check_keys(c, g, "xborderd", keys);
	if (err)
		return err;
	err = get_string(c, g, "xborderd", "domain", cfg->domain, sizeof(cfg->domain));
	if (err < 0)
		return err;
	if (!err && (!valid_hostname(cfg->domain)))
		return cerr(c, config_setting_get_member(g, "domain"), "xborderd.domain",
			    "'%.64s' is not a valid domain name", cfg->domain);
	err = get_string(c, g, "xborderd", "control_socket", cfg->control_socket,
			 sizeof(cfg->control_socket));
	if (err < 0 ||
	    (!err && (err = check_path(c, g, "xborderd", "control_socket", cfg->control_socket,
				       sizeof(((struct sockaddr_un *)0)->sun_path)))))
		return err;
	err = get_string(c, g, "xborderd", "pin_dir", cfg->pin_dir, sizeof(cfg->pin_dir));
	if (err < 0 || (!err && (err = check_path(c, g, "xborderd", "pin_dir", cfg->pin_dir,
						  sizeof(cfg->pin_dir)))))
		return err;
	err = get_string(c, g, "xborderd", "state_dir", cfg->state_dir, sizeof(cfg->state_dir));
	if (err < 0 || (!err && (err = check_path(c, g, "xborderd", "state_dir", cfg->state_dir,
						  sizeof(cfg->state_dir)))))
		return err;
	err = get_enum(c, g, "xborderd", "log_level", log_level_names, &level);
	if (err < 0)
		return err;
	if (!err)
		cfg->log_level = level;
	err = get_bool(c, g, "xborderd", "log_syslog", &cfg->log_syslog);
	if (err < 0)
		return err;
	err = get_uint(c, g, "xborderd", "max_calls", 1, 1000000, &cfg->max_calls);
	if (err < 0)
		return err;
	err = get_uint(c, g, "xborderd", "max_message", 1024, 65535, &cfg->max_message);
	return err < 0 ? err : 0;
}

static int load_timers(const struct ctx *c, const config_setting_t *root)
{
	static const char *const keys[] = { "t1_ms",	     "t2_ms",	   "t4_ms",
					    "timer_c_s",     "tcp_idle_s", "media_timeout_s",
					    "media_check_s", NULL };
	const config_setting_t *g = config_setting_get_member(root, "timers");
	struct xbd_timers *t = &c->cfg->timers;
	int err;

	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cerr(c, g, "timers", "expected a group { ... }");
	err = check_keys(c, g, "timers", keys);
	if (err)
		return err;
	if ((err = get_uint(c, g, "timers", "t1_ms", 10, 10000, &t->t1_ms)) < 0 ||
	    (err = get_uint(c, g, "timers", "t2_ms", 10, 64000, &t->t2_ms)) < 0 ||
	    (err = get_uint(c, g, "timers", "t4_ms", 10, 64000, &t->t4_ms)) < 0 ||
	    (err = get_uint(c, g, "timers", "timer_c_s", 1, 3600, &t->timer_c_s)) < 0 ||
	    (err = get_uint(c, g, "timers", "tcp_idle_s", 1, 86400, &t->tcp_idle_s)) < 0 ||
	    (err = get_uint(c, g, "timers", "media_timeout_s", 0, 86400, &t->media_timeout_s)) <
		    0 ||
	    (err = get_uint(c, g, "timers", "media_check_s", 1, 3600, &t->media_check_s)) < 0)
		return err;
	if (t->t1_ms >= t->t2_ms) {
		const config_setting_t *s = config_setting_get_member(g, "t2_ms");

		return cerr(c, s ? s : g, "timers.t2_ms", "must be larger than t1_ms (%u)",
			    t->t1_ms);
	}
	if (t->media_timeout_s && t->media_check_s > t->media_timeout_s) {
		const config_setting_t *s = config_setting_get_member(g, "media_check_s");

		return cerr(c, s ? s : g, "timers.media_check_s",
			    "must not be larger than media_timeout_s (%u)", t->media_timeout_s);
	}
	return 0;
}

/* The list LISTNAME at the top level: NULL and 0 when absent. */
static int get_list(const struct ctx *c, const config_setting_t *root, const char *listname,
		    unsigned int max, const config_setting_t **out)
{
	const config_setting_t *l = config_setting_get_member(root, listname);
	int i, n;

	*out = NULL;
	if (!l)
		return 0;
	if (!config_setting_is_list(l))
		return cerr(c, l, listname, "expected a list ( { ... }, { ... } )");
	n = config_setting_length(l);
	if ((unsigned int)n > max)
		return cerr(c, l, listname, "more than %u entries", max);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		char p[64];

		if (!config_setting_is_group(e)) {
			snprintf(p, sizeof(p), "%s.[%d]", listname, i);
			return cerr(c, e, p, "expected a group { ... }");
		}
	}
	*out = l;
	return 0;
}

static int load_name(const struct ctx *c, const config_setting_t *g, const char *path, char *out)
{
	int err = need_string(c, g, path, "name", out, XBD_NAME_MAX);
	char p[128];

	if (err)
		return err;
	if (!valid_name(out)) {
		join(p, sizeof(p), path, "name");
		return cerr(c, config_setting_get_member(g, "name"), p,
			    "'%.64s' is not a valid name (letters, digits, '-', '_', '.'; "
			    "starting with a letter or digit)",
			    out);
	}
	return 0;
}

/* An optional address (family 0 when absent). */
static int load_addr(const struct ctx *c, const config_setting_t *g, const char *path,
		     const char *key, bool required, struct xb_addr *out)
{
	char v[XB_PARSE_MAX], p[128];
	int err = get_string(c, g, path, key, v, sizeof(v));

	if (err == 1 && required)
		return missing(c, g, path, key);
	if (err)
		return err < 0 ? err : 0;
	if (xb_parse_addr(v, out)) {
		join(p, sizeof(p), path, key);
		return cerr(c, config_setting_get_member(g, key), p, "%s", xb_errmsg());
	}
	return 0;
}

static int load_media(const struct ctx *c, const config_setting_t *root)
{
	static const char *const keys[] = { "name",  "device", "address", "advertise",
					    "ports", "xdp",    NULL };
	struct xbd_config *cfg = c->cfg;
	const config_setting_t *l;
	unsigned int i, j;
	int err;

	err = get_list(c, root, "media", XBD_MAX_MEDIA_IFACES, &l);
	if (err || !l)
		return err;
	for (i = 0; i < (unsigned int)config_setting_length(l); i++) {
		const config_setting_t *g = config_setting_get_elem(l, i), *s;
		struct xbd_media_iface *m = &cfg->media[i];
		char path[32], ports[32], p[64];

		snprintf(path, sizeof(path), "media.[%u]", i);
		if ((err = check_keys(c, g, path, keys)) || (err = load_name(c, g, path, m->name)))
			return err;
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->media[j].name, m->name))
				return cerr(c, config_setting_get_member(g, "name"), path,
					    "media interface name '%s' is used twice", m->name);
		err = get_string(c, g, path, "device", m->device, sizeof(m->device));
		if (err < 0)
			return err;
		if (!err && !valid_ifname(m->device))
			return cerr(c, config_setting_get_member(g, "device"),
				    keypath(p, sizeof(p), path, "device"),
				    "'%.64s' is not a valid interface name (1-15 characters)",
				    m->device);
		if ((err = load_addr(c, g, path, "address", true, &m->address)) ||
		    (err = load_addr(c, g, path, "advertise", false, &m->advertise)))
			return err;
		err = need_string(c, g, path, "ports", ports, sizeof(ports));
		if (err)
			return err;
		s = config_setting_get_member(g, "ports");
		snprintf(p, sizeof(p), "%s.ports", path);
		if (xb_parse_port_range(ports, &m->port_min, &m->port_max))
			return cerr(c, s, p, "%s", xb_errmsg());
		if (m->port_min < XBD_PORT_FLOOR)
			return cerr(c, s, p, "'%s' starts below %u", ports, XBD_PORT_FLOOR);
		if (m->port_min % 2)
			return cerr(c, s, p, "'%s' must start on an even port (RTP even, RTCP odd)",
				    ports);
		if (m->port_max - m->port_min + 1 < 2)
			return cerr(c, s, p, "'%s' holds no RTP/RTCP port pair", ports);
		for (j = 0; j < i; j++) {
			const struct xbd_media_iface *o = &cfg->media[j];

			if (xb_addr_equal(&o->address, &m->address) && m->port_min <= o->port_max &&
			    o->port_min <= m->port_max)
				return cerr(c, s, p,
					    "'%s' overlaps the ports of media interface '%s' on "
					    "the same address",
					    ports, o->name);
		}
		m->xdp = m->device[0] != '\0';
		err = get_bool(c, g, path, "xdp", &m->xdp);
		if (err < 0)
			return err;
		if (m->xdp && !m->device[0])
			return cerr(c, config_setting_get_member(g, "xdp"),
				    keypath(p, sizeof(p), path, "xdp"),
				    "needs a device to attach to");
		cfg->n_media++;
	}
	return 0;
}

static int load_listeners(const struct ctx *c, const config_setting_t *root)
{
	static const char *const keys[] = { "name",  "transport", "address",  "port",
					    "media", "advertise", "redirect", NULL };
	struct xbd_config *cfg = c->cfg;
	const config_setting_t *l;
	unsigned int i, j;
	int err, tr;

	err = get_list(c, root, "listeners", XBD_MAX_LISTENERS, &l);
	if (err)
		return err;
	if (!l || config_setting_length(l) == 0)
		return cerr_at(c, l ? config_setting_source_line(l) : 0, "listeners",
			       "at least one listener is required");
	for (i = 0; i < (unsigned int)config_setting_length(l); i++) {
		const config_setting_t *g = config_setting_get_elem(l, i);
		struct xbd_listener *ls = &cfg->listeners[i];
		char path[32], p[64];
		uint32_t port = 5060;

		snprintf(path, sizeof(path), "listeners.[%u]", i);
		if ((err = check_keys(c, g, path, keys)) || (err = load_name(c, g, path, ls->name)))
			return err;
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->listeners[j].name, ls->name))
				return cerr(c, config_setting_get_member(g, "name"), path,
					    "listener name '%s' is used twice", ls->name);
		tr = XBD_TRANSPORT_UDP;
		err = get_enum(c, g, path, "transport", transport_names, &tr);
		if (err < 0)
			return err;
		ls->transport = tr;
		if ((err = load_addr(c, g, path, "address", true, &ls->local.a)) ||
		    (err = load_addr(c, g, path, "advertise", false, &ls->advertise)))
			return err;
		err = get_uint(c, g, path, "port", 1, 65535, &port);
		if (err < 0)
			return err;
		ls->local.port = (uint16_t)port;
		for (j = 0; j < i; j++) {
			const struct xbd_listener *o = &cfg->listeners[j];

			if (o->transport == ls->transport && o->local.port == ls->local.port &&
			    xb_addr_equal(&o->local.a, &ls->local.a))
				return cerr(c, g, path,
					    "same transport, address and port as listener '%s'",
					    o->name);
		}
		err = get_string(c, g, path, "media", ls->media, sizeof(ls->media));
		if (err < 0)
			return err;
		if (!err && !xbd_config_media(cfg, ls->media))
			return cerr(c, config_setting_get_member(g, "media"),
				    keypath(p, sizeof(p), path, "media"),
				    "no media interface named '%.64s'", ls->media);
		if ((err = get_bool(c, g, path, "redirect", &ls->redirect)) < 0)
			return err;
		cfg->n_listeners++;
	}
	return 0;
}

/* ---------------------------------------------------------------- discovery */

static const char *const discovery_names[] = { "static", "dns", "enum", "federation", NULL };

/* "ADDR:PORT", "[V6]:PORT", or a bare ADDR or [V6] (DEFPORT). */
static int parse_endpoint_or_addr(const char *v, uint16_t defport, struct xb_endpoint *ep)
{
	size_t n = strlen(v);

	if (n > 2 && n < XB_PARSE_MAX && v[0] == '[' && v[n - 1] == ']') {
		char a[XB_PARSE_MAX];

		memcpy(a, v + 1, n - 2);
		a[n - 2] = '\0';
		ep->port = defport;
		return xb_parse_addr(a, &ep->a) || ep->a.family != XB_AF_INET6 ? -EINVAL : 0;
	}
	if (strchr(v, ']') || (strchr(v, ':') && strchr(v, ':') == strrchr(v, ':')))
		return xb_parse_endpoint(v, ep);
	ep->port = defport;
	return xb_parse_addr(v, &ep->a);
}

static int load_dns(const struct ctx *c, const config_setting_t *root)
{
	static const char *const keys[] = { "servers",	 "timeout_ms",	"attempts", "cache_size",
					    "enum_apex", "blocklist_s", NULL };
	const config_setting_t *g = config_setting_get_member(root, "dns"), *a;
	struct xbd_dns *d = &c->cfg->dns;
	unsigned int i;
	int err;

	d->timeout_ms = 1000;
	d->attempts = 2;
	d->cache_size = 1024;
	strcpy(d->enum_apex, "e164.arpa");
	d->blocklist_s = 30;
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cerr(c, g, "dns", "expected a group { ... }");
	if ((err = check_keys(c, g, "dns", keys)))
		return err;
	if ((err = get_uint(c, g, "dns", "timeout_ms", 10, 30000, &d->timeout_ms)) < 0 ||
	    (err = get_uint(c, g, "dns", "attempts", 1, 10, &d->attempts)) < 0 ||
	    (err = get_uint(c, g, "dns", "cache_size", 0, 1000000, &d->cache_size)) < 0 ||
	    (err = get_uint(c, g, "dns", "blocklist_s", 1, 86400, &d->blocklist_s)) < 0)
		return err;
	err = get_string(c, g, "dns", "enum_apex", d->enum_apex, sizeof(d->enum_apex));
	if (err < 0)
		return err;
	if (!err && !valid_hostname(d->enum_apex))
		return cerr(c, config_setting_get_member(g, "enum_apex"), "dns.enum_apex",
			    "'%.64s' is not a valid domain name", d->enum_apex);
	a = config_setting_get_member(g, "servers");
	if (!a)
		return 0;
	if (!config_setting_is_array(a) && !config_setting_is_list(a))
		return cerr(c, a, "dns.servers", "expected an array of strings [ \"...\", ... ]");
	if (config_setting_length(a) > XBD_MAX_DNS_SERVERS)
		return cerr(c, a, "dns.servers", "more than %u servers", XBD_MAX_DNS_SERVERS);
	for (i = 0; i < (unsigned int)config_setting_length(a); i++) {
		const config_setting_t *e = config_setting_get_elem(a, i);
		const char *v;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cerr(c, e, "dns.servers",
				    "expected an array of strings [ \"...\", ... ]");
		v = config_setting_get_string(e);
		if (strlen(v) >= XB_PARSE_MAX ||
		    parse_endpoint_or_addr(v, 53, &d->servers[d->n_servers]))
			return cerr(c, e, "dns.servers",
				    "'%.64s' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT", v);
		d->n_servers++;
	}
	return 0;
}

static int load_federations(const struct ctx *c, const config_setting_t *root)
{
	static const char *const keys[] = { "name", "proxy", "tls_cert", "tls_key", "tls_ca", NULL };
	static const char *const tls_keys[] = { "tls_cert", "tls_key", "tls_ca" };
	struct xbd_config *cfg = c->cfg;
	const config_setting_t *l;
	unsigned int i, j, k;
	int err;

	err = get_list(c, root, "federations", XBD_MAX_FEDERATIONS, &l);
	if (err || !l)
		return err;
	for (i = 0; i < (unsigned int)config_setting_length(l); i++) {
		const config_setting_t *g = config_setting_get_elem(l, i);
		struct xbd_federation *f = &cfg->federations[i];
		char path[32], p[64], v[XB_PARSE_MAX];
		char *tls[3] = { f->tls_cert, f->tls_key, f->tls_ca };

		snprintf(path, sizeof(path), "federations.[%u]", i);
		if ((err = check_keys(c, g, path, keys)) || (err = load_name(c, g, path, f->name)))
			return err;
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->federations[j].name, f->name))
				return cerr(c, config_setting_get_member(g, "name"), path,
					    "federation name '%s' is used twice", f->name);
		err = get_string(c, g, path, "proxy", v, sizeof(v));
		if (err < 0)
			return err;
		if (!err && parse_endpoint_or_addr(v, 5060, &f->proxy))
			return cerr(c, config_setting_get_member(g, "proxy"),
				    keypath(p, sizeof(p), path, "proxy"),
				    "'%.64s' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT", v);
		for (k = 0; k < 3; k++) {
			err = get_string(c, g, path, tls_keys[k], tls[k], XBD_NAME_MAX);
			if (err < 0)
				return err;
			if (!err && !valid_name(tls[k]))
				return cerr(c, config_setting_get_member(g, tls_keys[k]),
					    keypath(p, sizeof(p), path, tls_keys[k]),
					    "'%.64s' is not a valid name (letters, digits, '-', "
					    "'_', '.'; starting with a letter or digit)",
					    tls[k]);
		}
		cfg->n_federations++;
	}
	return 0;
}

/*
 * The peer's discovery and federation keys, before its next_hop: static
 * needs next_hop (checked by the caller), the others refuse it; a
 * federation with a proxy makes the proxy the next hop.
 */
static int load_peer_discovery(const struct ctx *c, const config_setting_t *g, const char *path,
			       struct xbd_peer *peer)
{
	const config_setting_t *s = config_setting_get_member(g, "federation");
	const struct xbd_federation *f;
	char p[64];
	int e = XBD_DISCOVERY_STATIC, err;

	if ((err = get_enum(c, g, path, "discovery", discovery_names, &e)) < 0)
		return err;
	peer->discovery = e;
	if (e != XBD_DISCOVERY_STATIC && config_setting_get_member(g, "next_hop"))
		return cerr(c, config_setting_get_member(g, "next_hop"),
			    keypath(p, sizeof(p), path, "next_hop"),
			    "only with discovery \"static\" (this peer's is \"%s\")",
			    xbd_discovery_name(peer->discovery));
	if (e != XBD_DISCOVERY_FEDERATION) {
		if (s)
			return cerr(c, s, keypath(p, sizeof(p), path, "federation"),
				    "only with discovery \"federation\"");
		return 0;
	}
	err = need_string(c, g, path, "federation", peer->federation, sizeof(peer->federation));
	if (err)
		return err;
	f = xbd_config_federation(c->cfg, peer->federation);
	if (!f)
		return cerr(c, s, keypath(p, sizeof(p), path, "federation"),
			    "no federation named '%.64s'", peer->federation);
	peer->next_hop = f->proxy; /* family 0 for a TLS-based federation */
	return 0;
}

const struct xbd_federation *xbd_config_federation(const struct xbd_config *cfg, const char *name)
{
	unsigned int i;

	if (!cfg || !name)
		return NULL;
	for (i = 0; i < cfg->n_federations; i++)
		if (!strcmp(cfg->federations[i].name, name))
			return &cfg->federations[i];
	return NULL;
}

const char *xbd_discovery_name(enum xbd_discovery d)
{
	if ((unsigned int)d >= sizeof(discovery_names) / sizeof(discovery_names[0]) - 1)
		return "?";
	return discovery_names[d];
}

static int load_peer_domains(const struct ctx *c, const config_setting_t *g, const char *path,
			     struct xbd_peer *peer, unsigned int idx)
{
	const config_setting_t *a = config_setting_get_member(g, "domains");
	struct xbd_config *cfg = c->cfg;
	unsigned int i, j, k;
	char p[64];

	if (!a)
		return 0;
	snprintf(p, sizeof(p), "%s.domains", path);
	if (!config_setting_is_array(a) && !config_setting_is_list(a))
		return cerr(c, a, p, "expected an array of strings [ \"...\", ... ]");
	if (config_setting_length(a) > XBD_MAX_PEER_DOMAINS)
		return cerr(c, a, p, "more than %u domains", XBD_MAX_PEER_DOMAINS);
	for (i = 0; i < (unsigned int)config_setting_length(a); i++) {
		const config_setting_t *e = config_setting_get_elem(a, i);
		const char *d;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cerr(c, e, p, "expected an array of strings [ \"...\", ... ]");
		d = config_setting_get_string(e);
		if (strlen(d) >= XBD_DOMAIN_MAX || !valid_domain(d))
			return cerr(c, e, p,
				    "'%.64s' is not a domain (host name, '.suffix' or '*')", d);
		/* the same domain twice would make routing depend on file order */
		for (j = 0; j <= idx; j++) {
			const struct xbd_peer *o = &cfg->peers[j];
			unsigned int n = j == idx ? i : o->n_domains;

			for (k = 0; k < n; k++)
				if (!strcasecmp(o->domains[k], d))
					return cerr(c, e, p,
						    "domain '%s' is already routed to peer '%s'", d,
						    o->name);
		}
		strcpy(peer->domains[i], d);
		peer->n_domains++;
	}
	return 0;
}

static int load_peer_prefixes(const struct ctx *c, const config_setting_t *g, const char *path,
			      struct xbd_peer *peer, unsigned int idx)
{
	const config_setting_t *a = config_setting_get_member(g, "prefixes");
	struct xbd_config *cfg = c->cfg;
	unsigned int i, j, k;
	char p[64];

	if (!a)
		return 0;
	snprintf(p, sizeof(p), "%s.prefixes", path);
	if (!config_setting_is_array(a) && !config_setting_is_list(a))
		return cerr(c, a, p, "expected an array of strings [ \"...\", ... ]");
	if (config_setting_length(a) > XBD_MAX_PEER_PREFIXES)
		return cerr(c, a, p, "more than %u prefixes", XBD_MAX_PEER_PREFIXES);
	for (i = 0; i < (unsigned int)config_setting_length(a); i++) {
		const config_setting_t *e = config_setting_get_elem(a, i);
		struct xb_addr pa;
		unsigned int plen;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cerr(c, e, p, "expected an array of strings [ \"...\", ... ]");
		if (xb_parse_prefix(config_setting_get_string(e), &pa, &plen))
			return cerr(c, e, p, "%s", xb_errmsg());
		/* an identical prefix elsewhere would make the source ambiguous */
		for (j = 0; j <= idx; j++) {
			const struct xbd_peer *o = &cfg->peers[j];
			unsigned int n = j == idx ? i : o->n_prefixes;

			for (k = 0; k < n; k++)
				if (o->prefix_lens[k] == plen &&
				    xb_addr_equal(&o->prefixes[k], &pa))
					return cerr(c, e, p,
						    "prefix '%s' is already used by peer '%s'",
						    config_setting_get_string(e), o->name);
		}
		peer->prefixes[i] = pa;
		peer->prefix_lens[i] = plen;
		peer->n_prefixes++;
	}
	return 0;
}

/* ---------------------------------------------------------------- ipsec */

static const char *const ipsec_mode_names[] = { "transport", "tunnel", NULL };
static const char *const ipsec_alg_names[] = { "rfc4106(gcm(aes))", "cbc(aes)+hmac(sha256)", NULL };
static const char *const ipsec_keys_names[] = { "static", "ike", NULL };

/* A count that may exceed 9 digits: an integer, or a string of digits. */
static int get_u64(const struct ctx *c, const config_setting_t *group, const char *path,
		   const char *key, uint64_t *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;
	char p[128];

	if (!s)
		return 1;
	join(p, sizeof(p), path, key);
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		if (v < 0)
			return cerr(c, s, p,
				    "%lld is out of range (write large values as a string of "
				    "digits, \"10000000000\")",
				    v);
		*out = (uint64_t)v;
		return 0;
	case CONFIG_TYPE_STRING:
		if (xb_parse_u64(config_setting_get_string(s), UINT64_MAX, out))
			return cerr(c, s, p, "%s", xb_errmsg());
		return 0;
	default:
		return cerr(c, s, p, "expected an integer or a string of digits");
	}
}

/* An SPI: decimal or hex (hex above 0x7fffffff reads back negative). */
static int get_spi(const struct ctx *c, const config_setting_t *group, const char *path,
		   const char *key, uint32_t *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	long long v;
	char p[128];

	if (!s)
		return 1;
	join(p, sizeof(p), path, key);
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cerr(c, s, p, "expected an integer (0x100-0xffffffff)");
	v = config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT &&
	    config_setting_get_format(s) == CONFIG_FORMAT_HEX)
		v = (uint32_t)v;
	if (v < 0x100 || v > 0xffffffffLL)
		return cerr(c, s, p, "%lld is out of range (0x100-0xffffffff; 1-255 are reserved)",
			    v);
	*out = (uint32_t)v;
	return 0;
}

static bool addr_is_any(const struct xb_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->addr, zero, sizeof(zero));
}

/* Do two prefixes share an address? */
static bool prefixes_overlap(const struct xb_addr *a, unsigned int la, const struct xb_addr *b,
			     unsigned int lb)
{
	struct xb_addr x = *a, y = *b;
	unsigned int l = la < lb ? la : lb;

	if (a->family != b->family)
		return false;
	xb_addr_mask(&x, l);
	xb_addr_mask(&y, l);
	return !memcmp(x.addr, y.addr, sizeof(x.addr));
}

/* An array of prefixes of FAMILY, none overlapping another. */
static int load_ipsec_prefixes(const struct ctx *c, const config_setting_t *b, const char *path,
			       const char *key, uint8_t family, struct xb_addr *addrs,
			       unsigned int *plens, unsigned int *n)
{
	const config_setting_t *a = config_setting_get_member(b, key);
	unsigned int i, j;
	char p[128];

	if (!a)
		return 1;
	join(p, sizeof(p), path, key);
	if (!config_setting_is_array(a) && !config_setting_is_list(a))
		return cerr(c, a, p, "expected an array of strings [ \"...\", ... ]");
	if (config_setting_length(a) == 0)
		return cerr(c, a, p, "must not be empty");
	if (config_setting_length(a) > XBD_IPSEC_MAX_SUBNETS)
		return cerr(c, a, p, "more than %u prefixes", XBD_IPSEC_MAX_SUBNETS);
	for (i = 0; i < (unsigned int)config_setting_length(a); i++) {
		const config_setting_t *e = config_setting_get_elem(a, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cerr(c, e, p, "expected an array of strings [ \"...\", ... ]");
		if (xb_parse_prefix(config_setting_get_string(e), &addrs[i], &plens[i]))
			return cerr(c, e, p, "%s", xb_errmsg());
		if (addrs[i].family != family)
			return cerr(c, e, p, "'%s' is not of the tunnel's address family (%s)",
				    config_setting_get_string(e),
				    family == XB_AF_INET ? "IPv4" : "IPv6");
		for (j = 0; j < i; j++)
			if (prefixes_overlap(&addrs[i], plens[i], &addrs[j], plens[j]))
				return cerr(c, e, p, "'%s' overlaps another prefix of the list",
					    config_setting_get_string(e));
		*n = i + 1;
	}
	return 0;
}

/* Append ADDR as a host prefix unless it is already covered. */
static void add_host(struct xb_addr *addrs, unsigned int *plens, unsigned int *n,
		     const struct xb_addr *addr)
{
	unsigned int i, bits = xb_addr_bits(addr->family);

	if (!addr->family || addr_is_any(addr) || *n >= XBD_IPSEC_MAX_SUBNETS)
		return;
	for (i = 0; i < *n; i++)
		if (prefixes_overlap(&addrs[i], plens[i], addr, bits))
			return;
	addrs[*n] = *addr;
	plens[*n] = bits;
	(*n)++;
}

static int load_ipsec_lifetime(const struct ctx *c, const config_setting_t *b, const char *path,
			       struct xbd_ipsec *ip)
{
	static const char *const keys[] = {
		"soft_bytes",	"hard_bytes", "soft_packets", "hard_packets", "soft_seconds",
		"hard_seconds", NULL
	};
	const config_setting_t *l = config_setting_get_member(b, "lifetime");
	struct {
		const char *key;
		uint64_t *v;
	} f[] = {
		{ "soft_bytes", &ip->soft.bytes },     { "hard_bytes", &ip->hard.bytes },
		{ "soft_packets", &ip->soft.packets }, { "hard_packets", &ip->hard.packets },
		{ "soft_seconds", &ip->soft.seconds }, { "hard_seconds", &ip->hard.seconds },
	};
	char lp[64], p[128];
	unsigned int i;
	int err;

	if (!l)
		return 0;
	join(lp, sizeof(lp), path, "lifetime");
	if (!config_setting_is_group(l))
		return cerr(c, l, lp, "expected a group { ... }");
	if ((err = check_keys(c, l, lp, keys)))
		return err;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((err = get_u64(c, l, lp, f[i].key, f[i].v)) < 0)
			return err;
	/* the kernel counts seconds in 32 bits of its timer arithmetic */
	if (ip->soft.seconds > 0xffffffffULL || ip->hard.seconds > 0xffffffffULL)
		return cerr(c, l, lp, "seconds above 4294967295");
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i += 2) {
		uint64_t soft = *f[i].v, hard = *f[i + 1].v;

		if (soft && hard && soft >= hard)
			return cerr(c, config_setting_get_member(l, f[i].key),
				    keypath(p, sizeof(p), lp, f[i].key),
				    "must be smaller than %s (%llu)", f[i + 1].key,
				    (unsigned long long)hard);
	}
	return 0;
}

/* Static keys: SPIs and key files, read and checked now. */
static int load_ipsec_keys(const struct ctx *c, const config_setting_t *b, const char *path,
			   struct xbd_ipsec *ip)
{
	static const char *const names[] = { "key_in", "key_out" };
	char *paths[] = { ip->key_in, ip->key_out };
	struct xb_ipsec_key k[2];
	char p[128];
	unsigned int i;
	int err;

	if ((err = get_spi(c, b, path, "spi_in", &ip->spi_in)) == 1)
		return missing(c, b, path, "spi_in");
	if (err || (err = get_spi(c, b, path, "spi_out", &ip->spi_out)) < 0)
		return err;
	if (err == 1)
		return missing(c, b, path, "spi_out");
	for (i = 0; i < 2; i++) {
		if ((err = need_string(c, b, path, names[i], paths[i], XBD_KEYPATH_MAX)) ||
		    (err = check_path(c, b, path, names[i], paths[i], XBD_KEYPATH_MAX)))
			goto out;
		err = xb_ipsec_key_load(paths[i], ip->alg, &k[i]);
		if (err) {
			err = cerr(c, config_setting_get_member(b, names[i]),
				   keypath(p, sizeof(p), path, names[i]), "%s", xb_errmsg());
			goto out;
		}
	}
	/* the same key both ways would reuse AES-GCM nonces */
	if (k[0].len == k[1].len && !memcmp(k[0].bytes, k[1].bytes, k[0].len))
		err = cerr(c, config_setting_get_member(b, "key_out"),
			   keypath(p, sizeof(p), path, "key_out"),
			   "holds the same key as key_in; each direction needs its own key");
out:
	xb_ipsec_key_wipe(&k[0]);
	xb_ipsec_key_wipe(&k[1]);
	return err;
}

/* The traffic two IPsec peers protect must not overlap: the kernel would
 * pick one of them by priority, silently. */
static bool ipsec_overlap(const struct xbd_ipsec *a, const struct xbd_ipsec *b)
{
	unsigned int i, j, k, l;

	for (i = 0; i < a->n_local_subnets; i++)
		for (j = 0; j < a->n_remote_subnets; j++)
			for (k = 0; k < b->n_local_subnets; k++)
				for (l = 0; l < b->n_remote_subnets; l++)
					if (prefixes_overlap(
						    &a->local_subnets[i], a->local_plens[i],
						    &b->local_subnets[k], b->local_plens[k]) &&
					    prefixes_overlap(
						    &a->remote_subnets[j], a->remote_plens[j],
						    &b->remote_subnets[l], b->remote_plens[l]))
						return true;
	return false;
}

static int check_ipsec_peers(const struct ctx *c, const config_setting_t *b, const char *path,
			     unsigned int idx)
{
	const struct xbd_ipsec *ip = &c->cfg->peers[idx].ipsec;
	char p[128], ab[XB_ADDRSTRLEN];
	unsigned int j;

	for (j = 0; j < idx; j++) {
		const struct xbd_peer *o = &c->cfg->peers[j];
		const struct xbd_ipsec *oi = &o->ipsec;

		if (!oi->enabled)
			continue;
		if (xb_addr_equal(&oi->local, &ip->local) &&
		    xb_addr_equal(&oi->remote, &ip->remote))
			return cerr(c, b, path,
				    "peer '%s' has the same local and remote addresses (one IPsec "
				    "connection per address pair)",
				    o->name);
		if (ipsec_overlap(ip, oi))
			return cerr(c, b, path, "its selectors overlap those of peer '%s'",
				    o->name);
		if (ip->keys != XBD_IPSEC_KEYS_STATIC || oi->keys != XBD_IPSEC_KEYS_STATIC)
			continue;
		if (oi->spi_in == ip->spi_in && xb_addr_equal(&oi->local, &ip->local))
			return cerr(c, config_setting_get_member(b, "spi_in"),
				    keypath(p, sizeof(p), path, "spi_in"),
				    "0x%x is already used by peer '%s' toward %s", ip->spi_in,
				    o->name, xb_fmt_addr(&ip->local, ab, sizeof(ab)));
		if (oi->spi_out == ip->spi_out && xb_addr_equal(&oi->remote, &ip->remote))
			return cerr(c, config_setting_get_member(b, "spi_out"),
				    keypath(p, sizeof(p), path, "spi_out"),
				    "0x%x is already used by peer '%s' toward %s", ip->spi_out,
				    o->name, xb_fmt_addr(&ip->remote, ab, sizeof(ab)));
	}
	return 0;
}

/* The peer's "ipsec" group, required exactly when security is ipsec-*. */
static int load_peer_ipsec(const struct ctx *c, const config_setting_t *g, const char *peer_path,
			   unsigned int idx)
{
	static const char *const keys[] = { "mode",	 "keys",	   "local",
					    "remote",	 "local_subnets",  "remote_subnets",
					    "algorithm", "spi_in",	   "spi_out",
					    "key_in",	 "key_out",	   "replay_window",
					    "lifetime",	 "rekey_switch_s", "rekey_grace_s",
					    NULL };
	const config_setting_t *b = config_setting_get_member(g, "ipsec"), *s;
	struct xbd_peer *peer = &c->cfg->peers[idx];
	struct xbd_ipsec *ip = &peer->ipsec;
	const struct xbd_listener *ls = xbd_config_listener(c->cfg, peer->listener);
	const struct xbd_media_iface *m = xbd_config_media(c->cfg, peer->media);
	bool want = peer->security == XBD_SECURITY_IPSEC_TRANSPORT ||
		    peer->security == XBD_SECURITY_IPSEC_TUNNEL;
	char path[48], p[128], ab[XB_ADDRSTRLEN];
	unsigned int i, bits;
	int err, e;

	join(path, sizeof(path), peer_path, "ipsec");
	if (!b) {
		if (want)
			return cerr(c, g, path, "missing (required when security is \"%s\")",
				    xbd_security_name(peer->security));
		return 0;
	}
	if (!want)
		return cerr(
			c, b, path,
			"only for security \"ipsec-transport\" or \"ipsec-tunnel\" (security is "
			"\"%s\")",
			xbd_security_name(peer->security));
	if (!config_setting_is_group(b))
		return cerr(c, b, path, "expected a group { ... }");
	if ((err = check_keys(c, b, path, keys)))
		return err;
	ip->enabled = true;
	ip->mode = peer->security == XBD_SECURITY_IPSEC_TUNNEL ? XBD_IPSEC_TUNNEL
							       : XBD_IPSEC_TRANSPORT;
	e = ip->mode;
	if ((err = get_enum(c, b, path, "mode", ipsec_mode_names, &e)) < 0)
		return err;
	if (e != (int)ip->mode)
		return cerr(c, config_setting_get_member(b, "mode"),
			    keypath(p, sizeof(p), path, "mode"),
			    "\"%s\" contradicts security \"%s\"", ipsec_mode_names[e],
			    xbd_security_name(peer->security));
	e = XBD_IPSEC_KEYS_STATIC;
	if ((err = get_enum(c, b, path, "keys", ipsec_keys_names, &e)) < 0)
		return err;
	ip->keys = e;
	e = XBD_IPSEC_AES_GCM;
	if ((err = get_enum(c, b, path, "algorithm", ipsec_alg_names, &e)) < 0)
		return err;
	ip->alg = e;

	/* the endpoints: by default the signaling addresses */
	if ((err = load_addr(c, b, path, "local", false, &ip->local)) ||
	    (err = load_addr(c, b, path, "remote", false, &ip->remote)))
		return err;
	if (!ip->local.family) {
		if (addr_is_any(&ls->local.a))
			return cerr(
				c, b, keypath(p, sizeof(p), path, "local"),
				"missing (required when listener '%s' binds a wildcard address)",
				ls->name);
		ip->local = ls->local.a;
	}
	if (!ip->remote.family)
		ip->remote = peer->next_hop.a;
	s = config_setting_get_member(b, "local");
	if (addr_is_any(&ip->local))
		return cerr(c, s ? s : b, keypath(p, sizeof(p), path, "local"),
			    "must not be a wildcard address");
	s = config_setting_get_member(b, "remote");
	if (addr_is_any(&ip->remote) || xb_addr_equal(&ip->remote, &ip->local))
		return cerr(c, s ? s : b, keypath(p, sizeof(p), path, "remote"),
			    "must be a unicast address other than local");
	if (ip->remote.family != ip->local.family)
		return cerr(c, s ? s : b, keypath(p, sizeof(p), path, "remote"),
			    "local and remote are of different address families");
	bits = xb_addr_bits(ip->local.family);

	if (ip->mode == XBD_IPSEC_TRANSPORT) {
		/* ESP protects the SIP packets themselves: their addresses */
		s = config_setting_get_member(b, "local");
		if (!addr_is_any(&ls->local.a) && !xb_addr_equal(&ip->local, &ls->local.a))
			return cerr(c, s ? s : b, keypath(p, sizeof(p), path, "local"),
				    "must be listener '%s''s address %s in transport mode",
				    ls->name, xb_fmt_addr(&ls->local.a, ab, sizeof(ab)));
		s = config_setting_get_member(b, "remote");
		if (!xb_addr_equal(&ip->remote, &peer->next_hop.a))
			return cerr(c, s ? s : b, keypath(p, sizeof(p), path, "remote"),
				    "must be next_hop's address %s in transport mode",
				    xb_fmt_addr(&peer->next_hop.a, ab, sizeof(ab)));
		for (i = 0; i < 2; i++) {
			const char *k = i ? "remote_subnets" : "local_subnets";

			if ((s = config_setting_get_member(b, k)))
				return cerr(c, s, keypath(p, sizeof(p), path, k),
					    "only in tunnel mode");
		}
		ip->local_port = ls->local.port;
		ip->remote_port = peer->next_hop.port;
		/* for the overlap checks: the one host pair */
		ip->local_subnets[0] = ip->local;
		ip->local_plens[0] = bits;
		ip->n_local_subnets = 1;
		ip->remote_subnets[0] = ip->remote;
		ip->remote_plens[0] = bits;
		ip->n_remote_subnets = 1;
	} else {
		err = load_ipsec_prefixes(c, b, path, "local_subnets", ip->local.family,
					  ip->local_subnets, ip->local_plens, &ip->n_local_subnets);
		if (err < 0)
			return err;
		if (err == 1) {
			/* our signaling and media addresses */
			add_host(ip->local_subnets, ip->local_plens, &ip->n_local_subnets,
				 ls->local.a.family == ip->local.family ? &ls->local.a
									: &ip->local);
			if (m && m->address.family == ip->local.family)
				add_host(ip->local_subnets, ip->local_plens, &ip->n_local_subnets,
					 &m->address);
			if (!ip->n_local_subnets)
				add_host(ip->local_subnets, ip->local_plens, &ip->n_local_subnets,
					 &ip->local);
		}
		err = load_ipsec_prefixes(c, b, path, "remote_subnets", ip->remote.family,
					  ip->remote_subnets, ip->remote_plens,
					  &ip->n_remote_subnets);
		if (err < 0)
			return err;
		if (err == 1) {
			/* the peer's signaling address and its known sources */
			add_host(ip->remote_subnets, ip->remote_plens, &ip->n_remote_subnets,
				 &peer->next_hop.a);
			for (i = 0; i < peer->n_prefixes; i++) {
				const struct xb_addr *pa = &peer->prefixes[i];
				unsigned int k, pl = peer->prefix_lens[i];
				bool dup = false;

				if (pa->family != ip->remote.family)
					continue;
				for (k = 0; k < ip->n_remote_subnets; k++)
					dup = dup || prefixes_overlap(&ip->remote_subnets[k],
								      ip->remote_plens[k], pa, pl);
				if (!dup && ip->n_remote_subnets < XBD_IPSEC_MAX_SUBNETS) {
					ip->remote_subnets[ip->n_remote_subnets] = *pa;
					ip->remote_plens[ip->n_remote_subnets++] = pl;
				}
			}
		}
	}

	if (ip->keys == XBD_IPSEC_KEYS_STATIC) {
		if ((err = load_ipsec_keys(c, b, path, ip)))
			return err;
	} else {
		static const char *const unused[] = { "spi_in", "spi_out", "key_in", "key_out" };

		for (i = 0; i < 4; i++)
			if ((s = config_setting_get_member(b, unused[i])))
				return cerr(c, s, keypath(p, sizeof(p), path, unused[i]),
					    "not used with keys = \"ike\" (the IKE daemon "
					    "negotiates SPIs and keys)");
	}
	ip->replay_window = 64;
	ip->rekey_switch_s = 30;
	ip->rekey_grace_s = 60;
	if ((err = get_uint(c, b, path, "replay_window", 0, 4096, &ip->replay_window)) < 0 ||
	    (err = get_uint(c, b, path, "rekey_switch_s", 0, 3600, &ip->rekey_switch_s)) < 0 ||
	    (err = get_uint(c, b, path, "rekey_grace_s", 0, 3600, &ip->rekey_grace_s)) < 0 ||
	    (err = load_ipsec_lifetime(c, b, path, ip)))
		return err;
	return check_ipsec_peers(c, b, path, idx);
}

static int load_peer(const struct ctx *c, const config_setting_t *g, unsigned int idx)
{
	static const char *const keys[] = { "name",	  "domains",  "next_hop",   "transport",
					    "listener",	  "media",    "media_mode", "security",
					    "latching",	  "prefixes", "ipsec",	    "discovery",
					    "federation", "srtp",     NULL };
	struct xbd_config *cfg = c->cfg;
	struct xbd_peer *peer = &cfg->peers[idx];
	const struct xbd_listener *ls;
	char path[32], p[64], v[XB_PARSE_MAX];
	const config_setting_t *s;
	int err, e;
	unsigned int j;

	snprintf(path, sizeof(path), "peers.[%u]", idx);
	if ((err = check_keys(c, g, path, keys)) || (err = load_name(c, g, path, peer->name)))
		return err;
	for (j = 0; j < idx; j++)
		if (!strcmp(cfg->peers[j].name, peer->name))
			return cerr(c, config_setting_get_member(g, "name"), path,
				    "peer name '%s' is used twice", peer->name);
	if ((err = load_peer_domains(c, g, path, peer, idx)))
		return err;

	e = XBD_TRANSPORT_UDP;
	if ((err = get_enum(c, g, path, "transport", transport_names, &e)) < 0)
		return err;
	peer->transport = e;

	if ((err = load_peer_discovery(c, g, path, peer)))
		return err;
	if (peer->discovery != XBD_DISCOVERY_STATIC)
		goto listener; /* found per request, or the federation's proxy */
	if ((err = need_string(c, g, path, "next_hop", v, sizeof(v))))
		return err;
	s = config_setting_get_member(g, "next_hop");
	snprintf(p, sizeof(p), "%s.next_hop", path);
	if (strchr(v, ']') || (strchr(v, ':') && strchr(v, ':') == strrchr(v, ':'))) {
		if (xb_parse_endpoint(v, &peer->next_hop))
			return cerr(c, s, p, "%s", xb_errmsg());
	} else {
		/* a bare address: the default SIP port */
		if (xb_parse_addr(v, &peer->next_hop.a))
			return cerr(c, s, p, "'%.64s' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT",
				    v);
		peer->next_hop.port = 5060;
	}

listener:
	if ((err = need_string(c, g, path, "listener", peer->listener, sizeof(peer->listener))))
		return err;
	s = config_setting_get_member(g, "listener");
	snprintf(p, sizeof(p), "%s.listener", path);
	ls = xbd_config_listener(cfg, peer->listener);
	if (!ls)
		return cerr(c, s, p, "no listener named '%.64s'", peer->listener);
	/* the listener's socket is what sends to the next hop */
	if (ls->transport != peer->transport)
		return cerr(c, s, p, "listener '%s' is %s but the peer's transport is %s", ls->name,
			    xbd_transport_name(ls->transport), xbd_transport_name(peer->transport));
	if (peer->next_hop.a.family && ls->local.a.family != peer->next_hop.a.family)
		return cerr(c, s, p, "listener '%s' is %s but next_hop is %s", ls->name,
			    ls->local.a.family == XB_AF_INET ? "IPv4" : "IPv6",
			    peer->next_hop.a.family == XB_AF_INET ? "IPv4" : "IPv6");

	e = XBD_MEDIA_RELAY;
	if ((err = get_enum(c, g, path, "media_mode", media_mode_names, &e)) < 0)
		return err;
	peer->media_mode = e;
	err = get_string(c, g, path, "media", peer->media, sizeof(peer->media));
	if (err < 0)
		return err;
	if (err == 1 && peer->media_mode == XBD_MEDIA_RELAY)
		return cerr(c, g, keypath(p, sizeof(p), path, "media"),
			    "missing (required when media_mode is \"relay\")");
	if (!err && !xbd_config_media(cfg, peer->media))
		return cerr(c, config_setting_get_member(g, "media"),
			    keypath(p, sizeof(p), path, "media"),
			    "no media interface named '%.64s'", peer->media);

	e = XBD_SRTP_PASS;
	if ((err = get_enum(c, g, path, "srtp", srtp_policy_names, &e)) < 0)
		return err;
	peer->srtp = e;
	/* SRTP is bridged by the relay: nothing to do for direct media */
	if (peer->srtp != XBD_SRTP_PASS && peer->media_mode == XBD_MEDIA_DIRECT)
		return cerr(c, config_setting_get_member(g, "srtp"),
			    keypath(p, sizeof(p), path, "srtp"),
			    "\"%s\" needs media_mode \"relay\" (direct media is not touched)",
			    srtp_policy_names[peer->srtp]);

	e = XBD_SECURITY_NONE;
	if ((err = get_enum(c, g, path, "security", security_names, &e)) < 0)
		return err;
	peer->security = e;
	if ((err = get_bool(c, g, path, "latching", &peer->latching)) < 0)
		return err;
	if ((err = load_peer_prefixes(c, g, path, peer, idx)))
		return err;
	if (peer->security == XBD_SECURITY_COLOCATION && !peer->n_prefixes)
		return cerr(c, g, keypath(p, sizeof(p), path, "prefixes"),
			    "required when security is \"colocation\"");
	return load_peer_ipsec(c, g, path, idx);
}

static int load_peers(const struct ctx *c, const config_setting_t *root)
{
	struct xbd_config *cfg = c->cfg;
	const config_setting_t *l;
	unsigned int i, n;
	int err;

	err = get_list(c, root, "peers", XBD_MAX_PEERS, &l);
	if (err || !l)
		return err;
	n = config_setting_length(l);
	if (!n)
		return 0;
	cfg->peers = calloc(n, sizeof(*cfg->peers));
	if (!cfg->peers)
		return xb_err(ENOMEM, "%s: out of memory for %u peers", c->name, n);
	for (i = 0; i < n; i++) {
		err = load_peer(c, config_setting_get_elem(l, i), i);
		if (err)
			return err;
		cfg->n_peers++;
	}
	return 0;
}

static void set_defaults(struct xbd_config *cfg)
{
	strcpy(cfg->control_socket, "/run/xborder/xborderd.sock");
	strcpy(cfg->pin_dir, XB_PIN_DIR);
	strcpy(cfg->state_dir, "/run/xborder");
	cfg->log_level = XB_LOG_INFO;
	cfg->max_calls = 10000;
	cfg->max_message = 65535;
	cfg->timers = (struct xbd_timers){
		.t1_ms = 500,
		.t2_ms = 4000,
		.t4_ms = 5000,
		.timer_c_s = 180,
		.tcp_idle_s = 300,
		.media_timeout_s = 60,
		.media_check_s = 5,
	};
}

/* The file's settings into CFG (already holding the defaults). */
static int load_text(const struct ctx *c, const char *text)
{
	static const char *const sections[] = { "xborderd", "listeners", "media",	"peers",
						"timers",   "dns",	 "federations", NULL };
	config_setting_t *root;
	config_t lc;
	int err;

	if (strlen(text) > XBD_CONFIG_MAX_BYTES)
		return xb_err(EFBIG, "%s: larger than %u bytes", c->name, XBD_CONFIG_MAX_BYTES);
	err = prescan(c, text);
	if (err)
		return err;
	config_init(&lc);
	if (!config_read_string(&lc, text)) {
		err = cerr_at(c, config_error_line(&lc), NULL, "%s", config_error_text(&lc));
	} else {
		/* in this order: each section's references point to earlier ones */
		static int (*const loaders[])(const struct ctx *, const config_setting_t *) = {
			load_daemon, load_timers,      load_media, load_listeners,
			load_dns,    load_federations, load_peers,
		};
		unsigned int i;

		root = config_root_setting(&lc);
		err = check_keys(c, root, "", sections);
		for (i = 0; !err && i < sizeof(loaders) / sizeof(loaders[0]); i++)
			err = loaders[i](c, root);
	}
	config_destroy(&lc);
	return err;
}

int xbd_config_parse(const char *text, const char *name, struct xbd_config *cfg)
{
	struct ctx c = { .name = name ? name : "(config)", .cfg = cfg };
	int err;

	memset(cfg, 0, sizeof(*cfg));
	if (!text)
		return xb_err(EINVAL, "%s: no configuration text", c.name);
	snprintf(cfg->path, sizeof(cfg->path), "%s", c.name);
	set_defaults(cfg);
	err = load_text(&c, text);
	if (err) {
		/* nothing half-loaded is left for a caller to mistake for a config */
		free(cfg->peers);
		memset(cfg, 0, sizeof(*cfg));
	}
	return err;
}

int xbd_config_load(const char *path, struct xbd_config *cfg)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, err;

	memset(cfg, 0, sizeof(*cfg));
	if (!path || !*path)
		return xb_err(EINVAL, "no configuration file given");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return xb_err(errno, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return xb_err(EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size > XBD_CONFIG_MAX_BYTES) {
		close(fd);
		return xb_err(EFBIG, "%s: larger than %u bytes", path, XBD_CONFIG_MAX_BYTES);
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return xb_err(ENOMEM, "%s: out of memory", path);
	}
	/* the file may change while read: never read more than was allocated */
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = xb_err(errno, "cannot read %s: %s", path, strerror(errno));
			close(fd);
			free(text);
			return err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	if (strlen(text) != got) {
		free(text);
		return xb_err(EINVAL, "%s: contains a NUL byte", path);
	}
	err = xbd_config_parse(text, path, cfg);
	free(text);
	return err;
}

void xbd_config_free(struct xbd_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->peers);
	cfg->peers = NULL;
	cfg->n_peers = 0;
}

/* ---------------------------------------------------------------- lookups */

const struct xbd_listener *xbd_config_listener(const struct xbd_config *cfg, const char *name)
{
	unsigned int i;

	if (!cfg || !name)
		return NULL;
	for (i = 0; i < cfg->n_listeners; i++)
		if (!strcmp(cfg->listeners[i].name, name))
			return &cfg->listeners[i];
	return NULL;
}

const struct xbd_media_iface *xbd_config_media(const struct xbd_config *cfg, const char *name)
{
	unsigned int i;

	if (!cfg || !name)
		return NULL;
	for (i = 0; i < cfg->n_media; i++)
		if (!strcmp(cfg->media[i].name, name))
			return &cfg->media[i];
	return NULL;
}

const struct xbd_peer *xbd_config_peer(const struct xbd_config *cfg, const char *name)
{
	unsigned int i;

	if (!cfg || !name)
		return NULL;
	for (i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	return NULL;
}

const struct xbd_peer *xbd_config_route(const struct xbd_config *cfg, const char *host)
{
	const struct xbd_peer *suffix = NULL, *any = NULL;
	size_t hlen, best = 0;
	unsigned int i, k;

	if (!cfg || !host)
		return NULL;
	hlen = strnlen(host, XBD_DOMAIN_MAX + 1);
	/* "b.example." is the same host as "b.example" */
	if (hlen > 1 && host[hlen - 1] == '.')
		hlen--;
	if (hlen == 0 || hlen >= XBD_DOMAIN_MAX)
		return NULL;
	for (i = 0; i < cfg->n_peers; i++) {
		const struct xbd_peer *p = &cfg->peers[i];

		for (k = 0; k < p->n_domains; k++) {
			const char *d = p->domains[k];
			size_t dlen = strlen(d);

			if (d[0] == '*' && !d[1]) {
				if (!any)
					any = p;
			} else if (d[0] == '.') {
				/* ".b.example" matches "x.b.example", not "b.example" */
				if (hlen > dlen && dlen > best &&
				    !strncasecmp(host + hlen - dlen, d, dlen)) {
					best = dlen;
					suffix = p;
				}
			} else if (dlen == hlen && !strncasecmp(host, d, hlen)) {
				return p;
			}
		}
	}
	return suffix ? suffix : any;
}

/* Does ADDR fall inside PREFIX/PLEN? */
static bool prefix_match(const struct xb_addr *prefix, unsigned int plen,
			 const struct xb_addr *addr)
{
	struct xb_addr a = *addr;

	if (prefix->family != addr->family)
		return false;
	xb_addr_mask(&a, plen);
	return !memcmp(a.addr, prefix->addr, 16);
}

const struct xbd_peer *xbd_config_peer_by_source(const struct xbd_config *cfg,
						 const struct xb_addr *src)
{
	const struct xbd_peer *best = NULL;
	unsigned int i, k, best_len = 0;

	if (!cfg || !src)
		return NULL;
	for (i = 0; i < cfg->n_peers; i++)
		if (xb_addr_equal(&cfg->peers[i].next_hop.a, src))
			return &cfg->peers[i];
	for (i = 0; i < cfg->n_peers; i++) {
		const struct xbd_peer *p = &cfg->peers[i];

		for (k = 0; k < p->n_prefixes; k++)
			if ((!best || p->prefix_lens[k] > best_len) &&
			    prefix_match(&p->prefixes[k], p->prefix_lens[k], src)) {
				best = p;
				best_len = p->prefix_lens[k];
			}
	}
	return best;
}

const char *xbd_transport_name(enum xbd_transport t)
{
	switch (t) {
	case XBD_TRANSPORT_UDP:
		return "udp";
	case XBD_TRANSPORT_TCP:
		return "tcp";
	case XBD_TRANSPORT_TLS:
		return "tls";
	}
	return "?";
}

const char *xbd_media_mode_name(enum xbd_media_mode m)
{
	return m == XBD_MEDIA_DIRECT ? "direct" : "relay";
}

const char *xbd_security_name(enum xbd_security s)
{
	switch (s) {
	case XBD_SECURITY_NONE:
		return "none";
	case XBD_SECURITY_TLS:
		return "tls";
	case XBD_SECURITY_IPSEC_TRANSPORT:
		return "ipsec-transport";
	case XBD_SECURITY_IPSEC_TUNNEL:
		return "ipsec-tunnel";
	case XBD_SECURITY_COLOCATION:
		return "colocation";
	}
	return "?";
}

const char *xbd_srtp_policy_name(enum xbd_srtp_policy s)
{
	if ((unsigned int)s >= sizeof(srtp_policy_names) / sizeof(srtp_policy_names[0]) - 1)
		return "?";
	return srtp_policy_names[s];
}

const char *xbd_ipsec_mode_name(enum xbd_ipsec_mode m)
{
	return m == XBD_IPSEC_TUNNEL ? "tunnel" : "transport";
}

const char *xbd_ipsec_alg_name(enum xbd_ipsec_alg a)
{
	return a == XBD_IPSEC_AES_CBC_SHA256 ? "cbc(aes)+hmac(sha256)" : "rfc4106(gcm(aes))";
}

const char *xbd_ipsec_keys_name(enum xbd_ipsec_keys k)
{
	return k == XBD_IPSEC_KEYS_IKE ? "ike" : "static";
}

const char *xbd_log_level_name(int level)
{
	if (level < 0 || level > XB_LOG_DEBUG)
		return "?";
	return log_level_names[level];
}
