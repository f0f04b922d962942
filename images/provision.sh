# mbox firmware image: provisioning of a box's own credentials and settings
# (docs/security.md, "Provisioning").  Sourced by /init, which runs
# mbox_provision on the first boot only, and by tools/flash, which checks
# management settings with mgmt_check before it writes anything.
# POSIX sh (busybox ash and bash).

# Whether $1 is a dotted IPv4 address.
ipv4_valid() {
	case "$1" in *[!0-9.]*|.*|*.|*..*|'') return 1 ;; esac
	[ "$(echo "$1" | tr -cd . | wc -c)" = 3 ] || return 1
	for o in $(echo "$1" | tr . ' '); do
		[ "${#o}" -le 3 ] && [ "$o" -le 255 ] || return 1
	done
}

# Checks a mgmt.cfg (images/mgmt.cfg says what it holds).  Prints what is
# wrong, "FILE:LINE: ...", and returns 1 on any error.
mgmt_check() {
	_f=$1 _n=0 _bad=0
	while IFS= read -r _l || [ -n "$_l" ]; do
		_n=$((_n + 1))
		_l=$(printf '%s' "$_l" | tr -d '\r')
		case "$_l" in ''|'#'*) continue ;; esac
		_k=${_l%%=*} _v=${_l#*=}
		_why=
		case "$_k" in
		interface) case "$_v" in ''|auto) ;; *[!A-Za-z0-9_.-]*) _why="expected auto or a kernel interface name" ;; esac ;;
		address)
			case "$_v" in
			''|dhcp) ;;
			*/*) { ipv4_valid "${_v%/*}" && case "${_v#*/}" in ''|*[!0-9]*) false ;; *) [ "${_v#*/}" -le 32 ] ;; esac; } ||
				_why="expected dhcp or an IPv4 address with its prefix length, such as 192.0.2.10/24" ;;
			*) _why="expected dhcp or an IPv4 address with its prefix length, such as 192.0.2.10/24" ;;
			esac ;;
		gateway|dns) [ -z "$_v" ] || ipv4_valid "$_v" || _why="expected an IPv4 address" ;;
		*) _why="unknown key '$_k', expected interface, address, gateway or dns (KEY=VALUE)" ;;
		esac
		if [ -n "$_why" ]; then
			echo "$_f:$_n: error: $_k=\"$_v\": $_why"
			_bad=1
		fi
	done < "$_f"
	return $_bad
}

# What configuration $1 provides, for the log (no passphrase): its SNMPv3
# users, sysName and trap sinks.
mbox_summary() {
	mboxd --snmpd-conf "$1" 2>/dev/null | sed -n 's/^rwuser \([^ ]*\) .*/user \1 (write)/p;
		s/^rouser \([^ ]*\) .*/user \1 (read)/p; s/^sysName /sysName /p; s/^trap2sink \([^ ]*\) .*/trap sink \1/p' |
		tr '\n' ',' | sed 's/,$//; s/,/, /g'
}

# The cidata seed's device (a disk or ISO labelled cidata, as cloud-init's
# NoCloud reads), waiting up to $1 tenths of a second for it to appear.
seed_device() {
	for _ in $(seq "$1"); do
		findfs LABEL=cidata 2>/dev/null && return 0
		findfs LABEL=CIDATA 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Applies the cidata seed on device $1 to /config: its mbox.cfg (sections
# over the image's), mbox-passphrases (the users' passphrases, "NAME
# AUTH_PASS [PRIV_PASS]" lines) and mgmt.cfg, all or nothing.
seed_apply() {
	_m=/run/mbox/seed
	mkdir -p -m 0700 "$_m"
	if ! { mount -t iso9660 -o ro,mode=0400,dmode=0500 "$1" "$_m" 2>/dev/null ||
		mount -t vfat -o ro,umask=0077 "$1" "$_m" 2>/dev/null; }; then
		log "cidata seed $1: cannot mount it (ISO 9660 or FAT expected): ignored"
		return 1
	fi
	_id=$(sed -n 's/^instance-id:[[:space:]]*//p' "$_m/meta-data" 2>/dev/null | tr -d '\r"' | head -n1)
	_frag=/dev/null _pass= _errs=/run/mbox/seed.err
	[ -f "$_m/mbox.cfg" ] && _frag=$_m/mbox.cfg
	[ -f "$_m/mbox-passphrases" ] && _pass=$_m/mbox-passphrases
	: > "$_errs"
	_ok=1
	if [ -f "$_m/mgmt.cfg" ] && ! mgmt_check "$_m/mgmt.cfg" >> "$_errs"; then _ok=0; fi
	if ! mboxd --provision "$MBOX_CFG" "$_frag" $_pass > "$MBOX_CFG.new" 2>> "$_errs"; then _ok=0; fi
	if [ "$_ok" = 1 ]; then
		mv "$MBOX_CFG.new" "$MBOX_CFG"
		[ -f "$_m/mgmt.cfg" ] && tr -d '\r' < "$_m/mgmt.cfg" > /config/mgmt.cfg
		sync
		_mg=
		[ -f "$_m/mgmt.cfg" ] && _mg="; management address $(sed -n 's/^address=//p' /config/mgmt.cfg | tail -n1)"
		log "cidata seed $1 (instance-id ${_id:-none}) applied: $(mbox_summary "$MBOX_CFG")$_mg"
	else
		rm -f "$MBOX_CFG.new"
		log "cidata seed $1 (instance-id ${_id:-none}) refused, nothing of it applied:"
		sed 's/^/mbox-init:   /' "$_errs"
	fi
	umount "$_m"
	rm -f "$_errs"
	[ "$_ok" = 1 ]
}

# A random passphrase for the first-login user when the configuration has
# no SNMPv3 user: 120 bits from the kernel's generator, 20 characters.
first_login_user() {
	_pw=$(head -c 15 /dev/urandom | base64 | tr '+/' '-_')
	_frag=/run/mbox/first-login.cfg
	echo 'snmp = { users = ( { name = "mboxadmin"; write = true; } ); };' > "$_frag"
	_ok=0
	if echo "mboxadmin $_pw" | mboxd --provision "$MBOX_CFG" "$_frag" - > "$MBOX_CFG.new"; then
		mv "$MBOX_CFG.new" "$MBOX_CFG" && sync && _ok=1
		cat <<EOF
mbox-init: ====================================================================
mbox-init: first boot: this box's own SNMPv3 user (SHA + AES, authPriv, may write):
mbox-init:   user mboxadmin, passphrase (authentication and privacy): $_pw
mbox-init: It is in mbox.cfg on the config partition; this console shows it only now.
mbox-init: ====================================================================
EOF
	else
		rm -f "$MBOX_CFG.new"
		log "first boot: $MBOX_CFG is invalid, no first-login user added (SNMP stays closed)"
	fi
	rm -f "$_frag"
	_pw=
	[ "$_ok" = 1 ]
}

# The first boot's provisioning: a cidata seed when there is one, then a
# first-login user when the configuration still has no SNMPv3 user.  The
# marker /config/provisioned makes it happen once: later boots ignore seeds.
mbox_provision() {
	(
		umask 077
		# A box flashed before issue 23 keeps its configuration, and with it
		# the passphrase every image shared.
		grep -qF '"mbox-change-me"' "$MBOX_CFG" 2>/dev/null &&
			log "WARNING: $MBOX_CFG has the passphrase images before issue 23 shared (mbox-change-me): change it"
		if [ -f /config/provisioned ]; then
			dev=$(seed_device 1) && log "cidata seed $dev ignored: this box was provisioned on its first boot"
			exit 0
		fi
		how=none
		if dev=$(seed_device 30); then
			seed_apply "$dev" && how="cidata seed"
		fi
		if ! mboxd --snmpd-conf "$MBOX_CFG" 2>/dev/null | grep -q '^createUser '; then
			first_login_user && how="first-login user"
		fi
		echo "$how" > /config/provisioned
		sync
	)
}
