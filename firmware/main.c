/* mboxd: command line, and the control thread's loop. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "config.h"
#include "dataplane.h"
#include "log.h"
#include "runtime.h"
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
		"usage: mboxd -c FILE [--last-good COPY] [-v] [--syslog] [--restart-count N]   run the firmware\n"
		"         --last-good: keep a copy of FILE at COPY whenever FILE runs, and start\n"
		"         with COPY when FILE is invalid\n"
		"       mboxd --check FILE             validate FILE and exit (no DPDK, no hugepages)\n"
		"       mboxd --list-elements          describe every element kind\n"
		"       mboxd --snmpd-conf FILE        print snmpd.conf for FILE's snmp section\n"
		"       mboxd --provision BASE FRAGMENT [PASSPHRASES]\n"
		"         print BASE with FRAGMENT's sections over it and the SNMPv3 users' passphrases\n"
		"         (lines \"NAME AUTH_PASS [PRIV_PASS]\", \"-\": stdin) when the result is valid\n"
		"       mboxd --version\n"
		"signals: SIGHUP re-reads FILE, SIGUSR1 logs every counter, SIGTERM stops\n");
}

static void print_summary(const struct mbox_config *cfg)
{
	printf("%s: OK (%u ports, %u elements, %u workers)\n", cfg->file, cfg->n_ports,
	       cfg->n_elements, cfg->dpdk.workers);
}

static void print_snmpd_conf(const struct mbox_config *cfg)
{
	mbox_snmpd_conf_write(cfg, stdout);
}

/* --check and --snmpd-conf: validate file, then print something of it. */
static int with_config(const char *file, void (*print)(const struct mbox_config *))
{
	struct mbox_diag d = { .out = stderr };
	struct mbox_config *cfg = mbox_config_load(file, &d);

	if (!cfg) {
		fprintf(stderr, "%s: %u error(s)\n", file, d.errors);
		return 1;
	}
	if (d.warnings)
		fprintf(stderr, "%s: %u warning(s)\n", file, d.warnings);
	print(cfg);
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
	/* A write to a peer that went away (the AgentX master stopped first, a
	 * closed log pipe) is an error to handle, not a reason to die before
	 * the final counters are out. */
	signal(SIGPIPE, SIG_IGN);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The configuration to start with: file, or when it is invalid, the last
 * good copy (if any).  The copy is parsed again under file's name so that
 * reloads and saves still go to file. */
static struct mbox_config *start_config(const char *file)
{
	const char *copy = mbox_last_good_path();
	struct mbox_diag d = { .out = stderr }, copy_d = { .out = stderr };
	struct mbox_config *cfg = mbox_config_load(file, &d), *good;
	char why[1024];

	if (cfg)
		return cfg;
	if (!copy) {
		log_err("%s: %u error(s); not starting", file, d.errors);
		return NULL;
	}
	good = mbox_config_load(copy, &copy_d);
	if (!good) {
		log_err("%s: %u error(s), and the last good configuration %s: %u error(s); not starting",
			file, d.errors, copy, copy_d.errors);
		return NULL;
	}
	cfg = mbox_config_parse(file, good->text, &copy_d);
	mbox_config_free(good);
	if (cfg) {
		snprintf(why, sizeof(why), "%s: %u error(s); starting with the last good configuration %s",
			 file, d.errors, copy);
		mbox_last_good_used(&d, why);
	}
	return cfg;
}

static int run(const char *file, unsigned restart_count)
{
	struct mbox_config *cfg = start_config(file);
	uint64_t next_tick;

	if (!cfg)
		return 2;
	log_info("mbox %s starting with %s%s", MBOX_VERSION, file,
		 mbox_dataplane_status()->source == MBOX_SOURCE_LAST_GOOD ? " (its last good copy)" : "");
	if (mbox_dataplane_start(cfg) < 0)
		return 1;
	install_signals();
	cfg = mbox_dataplane_generation()->cfg;
	if (mbox_agent_enabled(cfg) && mbox_agent_start(cfg, restart_count) < 0)
		return 1;
	/* Started: the file's text is good. */
	if (mbox_dataplane_status()->source == MBOX_SOURCE_FILE)
		mbox_last_good_record(cfg);
	next_tick = now_ms() + 100;
	for (unsigned ticks = 0; !got_stop;) {
		uint64_t now = now_ms();

		/* Serve SNMP until the next 100 ms tick (or a signal). */
		if (now < next_tick) {
			mbox_agent_wait((unsigned)(next_tick - now));
			if (!got_reload && !got_dump)
				continue;
		} else {
			next_tick += 100;
			ticks++;
			mbox_agent_tick();
			mbox_generation_control(mbox_dataplane_generation());
			mbox_ports_rearm_rx(mbox_dataplane_generation()->cfg);
			if (ticks % 10 == 0)
				mbox_ports_poll_links(mbox_dataplane_generation()->cfg);
		}
		if (got_reload) {
			got_reload = 0;
			mbox_dataplane_reload(file);
		}
		if (got_dump) {
			got_dump = 0;
			mbox_stats_dump(stderr);
		}
	}
	log_info("stopping; final counters follow");
	mbox_agent_stop();
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
		{ "restart-count", required_argument, NULL, 'r' },
		{ "snmpd-conf", required_argument, NULL, 'S' },
		{ "last-good", required_argument, NULL, 'g' },
		{ "provision", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *file = NULL;
	bool verbose = false, use_syslog = false;
	unsigned restart_count = 0;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			file = optarg;
			break;
		case 'k':
			return with_config(optarg, print_summary);
		case 'S':
			return with_config(optarg, print_snmpd_conf);
		case 'P':
			if (argc - optind < 2 || argc - optind > 3) {
				usage(stderr);
				return 2;
			}
			return mbox_provision(argv[optind], argv[optind + 1], argc - optind == 3 ? argv[optind + 2] : NULL);
		case 'l':
			mbox_kinds_print(stdout);
			return 0;
		case 'g':
			mbox_last_good_init(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'r':
			restart_count = (unsigned)strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0') {
				fprintf(stderr, "mboxd: --restart-count: \"%s\" is not a number\n", optarg);
				return 2;
			}
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
	return run(file, restart_count);
}
