#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "conf_internal.h"
#include "param.h"

const char *mbox_ptype_text(const struct mbox_param *q)
{
	static __thread char buf[96];

	switch (q->type) {
	case MBOX_P_UINT:
		snprintf(buf, sizeof(buf), "an integer from %" PRIu64 " to %" PRIu64, q->min, q->max);
		return buf;
	case MBOX_P_BOOL:
		return "true or false";
	case MBOX_P_STRING:
		return "a non-empty string";
	case MBOX_P_MAC:
		return "a MAC address string like \"02:00:00:00:00:01\"";
	case MBOX_P_PORT:
		return "the name of a port (a string)";
	case MBOX_P_LIST:
		return "a list of groups ( { ... }, ... )";
	case MBOX_P_STRLIST:
		return "a list of strings";
	case MBOX_P_IPV4:
		return "an IPv4 address string like \"192.0.2.1\"";
	case MBOX_P_PREFIX:
		return "an IPv4 prefix string like \"192.0.2.0/24\"";
	case MBOX_P_RANGE:
		snprintf(buf, sizeof(buf), "a range string \"LO-HI\" or \"N\" within %" PRIu64 "-%" PRIu64,
			 q->min, q->max);
		return buf;
	case MBOX_P_ENUM: {
		size_t len = (size_t)snprintf(buf, sizeof(buf), "one of");

		for (const char *const *c = q->choices; *c && len < sizeof(buf); c++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s \"%s\"",
						c == q->choices ? "" : ",", *c);
		return buf;
	}
	}
	return "?";
}

/* A decimal integer within [min, max] spanning exactly text[0..len). */
static bool parse_bounded(const char *text, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	char digits[24];
	char *end;
	unsigned long long x;

	if (len == 0 || len >= sizeof(digits) || strspn(text, "0123456789") < len)
		return false;
	memcpy(digits, text, len);
	digits[len] = '\0';
	errno = 0;
	x = strtoull(digits, &end, 10);
	if (errno || *end || x < min || x > max)
		return false;
	*out = x;
	return true;
}

static bool parse_ipv4(const char *text, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		return false;
	*addr = ntohl(a.s_addr);
	return true;
}

static bool parse_prefix(const char *text, uint32_t *addr, uint8_t *len)
{
	const char *slash = strchr(text, '/');
	char host[INET_ADDRSTRLEN];
	uint64_t bits = 32;

	if ((size_t)(slash ? slash - text : (ptrdiff_t)strlen(text)) >= sizeof(host))
		return false;
	snprintf(host, sizeof(host), "%.*s", (int)(slash ? slash - text : (ptrdiff_t)strlen(text)), text);
	if (!parse_ipv4(host, addr) || (slash && !parse_bounded(slash + 1, strlen(slash + 1), 0, 32, &bits)))
		return false;
	*len = (uint8_t)bits;
	/* Host bits must be zero: "10.1.2.3/8" is almost always a typo. */
	return bits == 32 || (*addr & (bits ? ~0u >> bits : ~0u)) == 0;
}

static bool parse_range(const struct mbox_param *q, const char *text, uint64_t *lo, uint64_t *hi)
{
	const char *dash = strchr(text, '-');

	if (!dash)
		return parse_bounded(text, strlen(text), q->min, q->max, lo) && (*hi = *lo, true);
	return parse_bounded(text, (size_t)(dash - text), q->min, q->max, lo) &&
	       parse_bounded(dash + 1, strlen(dash + 1), q->min, q->max, hi) && *lo <= *hi;
}

int mbox_value_from_text(const struct mbox_param *q, const char *text,
			 struct mbox_value *v, char *msg, size_t msg_size)
{
	bool ok = true;

	switch (q->type) {
	case MBOX_P_UINT: {
		struct mbox_int x; /* as the file writes integers: 010 is ten */

		if (!mbox_int_parse(text, strlen(text), &x) || !mbox_int_in(&x, q->min, q->max)) {
			snprintf(msg, msg_size, "\"%s\" is not valid, expected %s", text, mbox_ptype_text(q));
			return -1;
		}
		v->u = x.magnitude;
		break;
	}
	case MBOX_P_BOOL:
		if (!strcmp(text, "true"))
			v->b = true;
		else if (!strcmp(text, "false"))
			v->b = false;
		else {
			snprintf(msg, msg_size, "\"%s\" is not valid, expected %s", text, mbox_ptype_text(q));
			return -1;
		}
		break;
	case MBOX_P_STRING:
		if (*text == '\0') {
			snprintf(msg, msg_size, "empty, expected %s", mbox_ptype_text(q));
			return -1;
		}
		v->s = text;
		break;
	case MBOX_P_MAC:
		if (rte_ether_unformat_addr(text, &v->mac) < 0 || strlen(text) != 17) {
			snprintf(msg, msg_size, "\"%s\" is not valid, expected %s", text, mbox_ptype_text(q));
			return -1;
		}
		break;
	case MBOX_P_IPV4:
		ok = parse_ipv4(text, &v->ip.addr);
		v->ip.len = 32;
		break;
	case MBOX_P_PREFIX:
		ok = parse_prefix(text, &v->ip.addr, &v->ip.len);
		break;
	case MBOX_P_RANGE:
		ok = parse_range(q, text, &v->range.lo, &v->range.hi);
		break;
	case MBOX_P_ENUM:
		ok = false;
		for (unsigned i = 0; q->choices[i] && !ok; i++)
			if (!strcmp(text, q->choices[i])) {
				v->u = i;
				ok = true;
			}
		break;
	case MBOX_P_PORT:
	case MBOX_P_LIST:
	case MBOX_P_STRLIST:
		snprintf(msg, msg_size, "cannot be given as text, expected %s", mbox_ptype_text(q));
		return -1;
	}
	if (!ok) {
		snprintf(msg, msg_size, "\"%s\" is not valid, expected %s", text, mbox_ptype_text(q));
		return -1;
	}
	v->present = true;
	return 0;
}

unsigned mbox_params_count(const struct mbox_param *params)
{
	unsigned n = 0;

	while (params && params[n].name)
		n++;
	return n;
}

void mbox_prefix_text(uint32_t addr, unsigned len, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
	if (len != 32)
		snprintf(buf + strlen(buf), size - strlen(buf), "/%u", len);
}
