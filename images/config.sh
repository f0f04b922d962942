# mbox firmware image: where the configuration lives.  Sourced by /init,
# mbox-snmpd and mbox-supervise.
MBOX_CFG=/config/mbox.cfg
# The last good copy of MBOX_CFG: mboxd (--last-good) writes it each time
# MBOX_CFG runs, and starts with it when MBOX_CFG is invalid.
MBOX_LAST_GOOD=/config/mbox.last-good.cfg

# Prints the file the box runs with: MBOX_CFG when it is valid, else the
# last good copy when that is; status 1 when neither is.
mbox_usable_config() {
	if mboxd --check "$MBOX_CFG" >/dev/null 2>&1; then
		echo "$MBOX_CFG"
	elif [ -f "$MBOX_LAST_GOOD" ] && mboxd --check "$MBOX_LAST_GOOD" >/dev/null 2>&1; then
		echo "$MBOX_LAST_GOOD"
	else
		return 1
	fi
}
