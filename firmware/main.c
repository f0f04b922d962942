/* mboxd: command line, and the control thread's loop. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dataplane.h"
#include "log.h"
#include "stats.h"

#ifndef MBOX_VERSION
#define MBOX_VERSION "0.0.0-dev"
#endif

static volatile sig_atomic_t got_stop, got_reload, got_dump;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else if (sig == SIGUSR1)
		got_dump = 1;
	else
		got_stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mboxd -c FILE [-v] [--syslog]   run the firmware\n"
		"       mboxd --check FILE             validate FILE and exit (no DPDK, no hugepages)\n"
		"       mboxd --list-elements          describe every element kind\n"
		"       mboxd --version\n"
		"signals: SIGHUP re-reads FILE, SIGUSR1 logs every counter, SIGTERM stops\n");
}

static int check(const char *file)
{
	struct mbox_diag d = { .out = stderr };
	struct mbox_config *cfg = mbox_config_load(file, &d);

	if (!cfg) {
		fprintf(stderr, "%s: %u error(s)\n", file, d.errors);
		return 1;
	}
	printf("%s: OK (%u ports, %u elements, %u workers)\n", file, cfg->n_ports,
	       cfg->n_elements, cfg->dpdk.workers);
	mbox_config_free(cfg);
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

static int run(const char *file)
{
	struct mbox_diag d = { .out = stderr };
	struct mbox_config *cfg = mbox_config_load(file, &d);
	const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };

	if (!cfg) {
		log_err("%s: %u error(s); not starting", file, d.errors);
		return 2;
	}
	log_info("mbox %s starting with %s", MBOX_VERSION, file);
	if (mbox_dataplane_start(cfg) < 0)
		return 1;
	install_signals();
	for (unsigned ticks = 0; !got_stop; ticks++) {
		nanosleep(&tick, NULL);
		if (got_reload) {
			got_reload = 0;
			mbox_dataplane_reload(file);
		}
		if (got_dump) {
			got_dump = 0;
			mbox_stats_dump(stderr);
		}
		if (ticks % 10 == 0)
			mbox_ports_poll_links(mbox_dataplane_generation()->cfg);
	}
	log_info("stopping; final counters follow");
	mbox_stats_dump(stderr);
	mbox_dataplane_stop();
	log_info("stopped");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", required_argument, NULL, 'k' },
		{ "list-elements", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "syslog", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *file = NULL;
	bool verbose = false, use_syslog = false;
	int c;

	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			file = optarg;
			break;
		case 'k':
			return check(optarg);
		case 'l':
			mbox_kinds_print(stdout);
			return 0;
		case 'v':
			verbose = true;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'V':
			printf("mboxd %s\n", MBOX_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!file || optind != argc) {
		usage(stderr);
		return 2;
	}
	mbox_log_init(verbose ? LOG_DEBUG : LOG_INFO, use_syslog);
	return run(file);
}
