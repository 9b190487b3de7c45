/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing and formatting of the things operators type: addresses,
 * address:port endpoints, prefixes, ports, port ranges, MACs, numbers and
 * on/off switches. Every parser takes a NUL-terminated string from outside,
 * accepts exactly one canonical spelling family (no leading blanks, no
 * trailing garbage, no signs), returns 0 or -EINVAL and leaves a one-line
 * message in xb_errmsg().
 *
 * Addresses use the fast-path layout (include/uapi/xborder/fastpath.h): 16
 * bytes, IPv4 in the first 4 with the rest zero; ports are in host order
 * here and converted where they meet the map ABI.
 */
#ifndef XB_COMMON_ADDR_H
#define XB_COMMON_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest input a parser looks at; longer strings are rejected. */
#define XB_PARSE_MAX 256

/* Room for "[ffff:...:ffff]:65535" or "ffff:...:ffff/128" and a NUL. */
#define XB_ADDRSTRLEN 56
#define XB_MACSTRLEN 18

struct xb_addr {
	uint8_t family; /* XB_AF_INET or XB_AF_INET6 */
	uint8_t addr[16];
};

struct xb_endpoint {
	struct xb_addr a;
	uint16_t port; /* host order, 1..65535 */
};

int xb_parse_addr(const char *s, struct xb_addr *out);
/* "192.0.2.1:5060" or "[2001:db8::1]:5060"; port 1..65535. */
int xb_parse_endpoint(const char *s, struct xb_endpoint *out);
/*
 * "192.0.2.0/24", "2001:db8::/32", or a bare address (a host prefix). Bits
 * beyond the prefix length are cleared, so "10.1.2.3/8" means 10.0.0.0/8.
 */
int xb_parse_prefix(const char *s, struct xb_addr *out, unsigned int *plen);
/* 1..65535 */
int xb_parse_port(const char *s, uint16_t *port);
/* "LO-HI" with 1 <= LO <= HI <= 65535, or a single port. */
int xb_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);
/* Decimal, 0..max. */
int xb_parse_u64(const char *s, uint64_t max, uint64_t *out);
int xb_parse_u32(const char *s, uint32_t max, uint32_t *out);
/* "02:00:5e:10:00:01" (hex pairs separated by ':' or '-'). */
int xb_parse_mac(const char *s, uint8_t mac[6]);
/* on/off, yes/no, true/false, 1/0 */
int xb_parse_bool(const char *s, bool *out);

unsigned int xb_addr_bits(uint8_t family);
bool xb_addr_equal(const struct xb_addr *a, const struct xb_addr *b);
/* Clear every bit after the first plen. */
void xb_addr_mask(struct xb_addr *a, unsigned int plen);

const char *xb_fmt_addr(const struct xb_addr *a, char *buf, size_t len);
const char *xb_fmt_endpoint(const struct xb_endpoint *e, char *buf, size_t len);
const char *xb_fmt_prefix(const struct xb_addr *a, unsigned int plen, char *buf, size_t len);
const char *xb_fmt_mac(const uint8_t mac[6], char *buf, size_t len);

#endif
