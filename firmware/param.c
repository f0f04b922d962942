#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	}
	return "?";
}

int mbox_value_from_text(const struct mbox_param *q, const char *text,
			 struct mbox_value *v, char *msg, size_t msg_size)
{
	char *end;

	switch (q->type) {
	case MBOX_P_UINT: {
		unsigned long long x;

		errno = 0;
		x = strtoull(text, &end, 0);
		if (*text == '\0' || *text == '-' || *end != '\0' || errno ||
		    x < q->min || x > q->max) {
			snprintf(msg, msg_size, "\"%s\" is not valid, expected %s", text, mbox_ptype_text(q));
			return -1;
		}
		v->u = x;
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
	case MBOX_P_PORT:
	case MBOX_P_LIST:
	case MBOX_P_STRLIST:
		snprintf(msg, msg_size, "cannot be given as text, expected %s", mbox_ptype_text(q));
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
