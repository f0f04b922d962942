/* libFuzzer target: the configuration parser and graph validation (what
 * `mboxd --check` and a reload run) on arbitrary text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *quiet;
	char *text = malloc(size + 1);
	struct mbox_diag d = { 0 };
	struct mbox_config *cfg;

	if (!quiet)
		quiet = fopen("/dev/null", "w");
	d.out = quiet;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = mbox_config_parse("fuzz.cfg", text, &d);
	/* Either a configuration or at least one error, never both or neither. */
	if (!cfg == !d.errors)
		abort();
	mbox_config_free(cfg);
	free(text);
	return 0;
}
