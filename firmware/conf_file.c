/* The configuration file on disk: read it, and write a new text over it
 * atomically (a crash leaves the old file or the new one, never half). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

struct mbox_config *mbox_config_load(const char *file, struct mbox_diag *d)
{
	FILE *f = fopen(file, "r");
	char *text = NULL;
	size_t size = 0;
	struct mbox_config *cfg;

	if (!f || getdelim(&text, &size, '\0', f) < 0) {
		mbox_diag_error(d, file, 0, "cannot read: %s", f ? (ferror(f) ? strerror(errno) : "empty file") : strerror(errno));
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	cfg = mbox_config_parse(file, text, d);
	free(text);
	return cfg;
}
int mbox_config_write_file(const char *file, const char *text, char *err, size_t err_size)
{
	char tmp[4096], dir[4096];
	const char *slash = strrchr(file, '/');
	size_t len = strlen(text);
	int fd, dfd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) + 1 : 1, slash ? file : ".");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		snprintf(err, err_size, "%s: %s", fd < 0 ? tmp : file, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	close(fd);
	if (rename(tmp, file) < 0) {
		snprintf(err, err_size, "%s: %s", file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int mbox_config_save(const struct mbox_config *cfg, char *err, size_t err_size)
{
	return mbox_config_write_file(cfg->file, cfg->text, err, err_size);
}
