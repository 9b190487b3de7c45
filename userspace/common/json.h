/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON output (jansson) for the -j switch: one compact document per line. */
#ifndef XB_COMMON_JSON_H
#define XB_COMMON_JSON_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"

/* Print j compactly on one line to f, then release it. Returns 0 or -EIO. */
int xb_json_print(FILE *f, json_t *j);

/* Shorthands that build values from our types (never NULL on success). */
json_t *xb_json_addr(const struct xb_addr *a);
json_t *xb_json_endpoint(const struct xb_endpoint *e);
json_t *xb_json_prefix(const struct xb_addr *a, unsigned int plen);
json_t *xb_json_mac(const uint8_t mac[6]);
json_t *xb_json_u64(uint64_t v);

/* json_object_set_new that ignores a NULL value (allocation failure). */
void xb_json_set(json_t *obj, const char *key, json_t *val);

#endif
