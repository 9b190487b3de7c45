// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "common/json.h"

int xb_json_print(FILE *f, json_t *j)
{
	int err = 0;

	if (!j)
		return -ENOMEM;
	if (json_dumpf(j, f, JSON_COMPACT | JSON_PRESERVE_ORDER) || fputc('\n', f) == EOF)
		err = -EIO;
	json_decref(j);
	return err;
}

json_t *xb_json_addr(const struct xb_addr *a)
{
	char buf[XB_ADDRSTRLEN];

	return json_string(xb_fmt_addr(a, buf, sizeof(buf)));
}

json_t *xb_json_endpoint(const struct xb_endpoint *e)
{
	char buf[XB_ADDRSTRLEN];

	return json_string(xb_fmt_endpoint(e, buf, sizeof(buf)));
}

json_t *xb_json_prefix(const struct xb_addr *a, unsigned int plen)
{
	char buf[XB_ADDRSTRLEN];

	return json_string(xb_fmt_prefix(a, plen, buf, sizeof(buf)));
}

json_t *xb_json_mac(const uint8_t mac[6])
{
	char buf[XB_MACSTRLEN];

	return json_string(xb_fmt_mac(mac, buf, sizeof(buf)));
}

json_t *xb_json_u64(uint64_t v)
{
	/* jansson integers are signed 64 bit; counters never get near 2^63 */
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

void xb_json_set(json_t *obj, const char *key, json_t *val)
{
	if (val)
		json_object_set_new(obj, key, val);
}
