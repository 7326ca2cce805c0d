#!/bin/bash
# Runs inside the system test's Debian container, under systemd as PID 1: installs the package the README's way
# and checks the service as an operator would. One line per check in OUT/results ("ok NAME" or "FAIL NAME: why"),
# then DONE. Only loopback: the platform is `herald sim` on 127.0.0.1.
out=${1:-/out}
exec > "$out/inside.log" 2>&1
set -x
results=$out/results
: > "$results"
pass() { echo "ok $1" >> "$results"; }
fail() { echo "FAIL $1: $2" >> "$results"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "$*"; fi; }
# Waits up to $1 seconds for a command to succeed.
until_true() { local limit=$1; shift; for _ in $(seq 1 $((limit * 10))); do "$@" && return 0; sleep 0.1; done; return 1; }
finish() { echo DONE >> "$results"; exit 0; }
# The packaged configuration plus one Telegram account on the simulator, its token a credential file.
configure_account() {
    cp /root/herald.toml.orig /etc/herald/herald.toml
    cat >> /etc/herald/herald.toml <<'TOML'

[accounts.shop_bot]
platform = "telegram"
api_base_url = "http://127.0.0.1:8089"
token_file = "/etc/herald/credentials/shop_bot.token"
updates = "off"
TOML
}

cd /root
# Install: exactly the README's command (the dependencies are Debian's and already present: no network here).
check install apt-get install -y -q ./herald_*.deb
check version-printed test -n "$(herald --version)"

# The service starts on its own, with no account configured, and says so
check active until_true 20 systemctl is-active --quiet herald
# The unit's malloc settings reach the daemon (herald-bench memory measures with them).
check malloc-settings sh -c "tr '\\0' '\\n' < /proc/\$(systemctl show -p MainPID --value herald)/environ > /tmp/herald.environ && grep -qx MALLOC_ARENA_MAX=2 /tmp/herald.environ && grep -qx MALLOC_MMAP_THRESHOLD_=32768 /tmp/herald.environ"
status=$(systemctl show -p StatusText --value herald)
check status-text test -n "$status"
check says-no-accounts until_true 10 sh -c "journalctl -u herald --no-pager | grep -q 'no account'"
check user-and-group sh -c "getent passwd herald && getent group herald-submit | grep -q herald"
check spool-modes sh -c "[ \$(stat -c %a /var/spool/herald/incoming) = 2770 ] && [ \$(stat -c %G /var/spool/herald/incoming) = herald-submit ]"
check database-private sh -c "[ \$(stat -c %a /var/lib/herald/herald.sqlite) = 640 ]"
# The container has no man-db to look herald(8) up with: the page's presence is checked on its own.
verify=$(systemd-analyze verify --man=no herald.service 2>&1)
check verify-silent test -z "$verify"
check man-page test -s /usr/share/man/man8/herald.8.gz
check completion test -s /usr/share/bash-completion/completions/herald
exposure=$(systemd-analyze security herald.service 2>/dev/null | awk '/Overall exposure level/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+[.][0-9]+$/) print $i}')
check exposure-at-most-2 python3 -c "import sys; sys.exit(0 if float('${exposure:-99}') <= 2.0 else 1)"

# A platform on loopback, and an account pointed at it with its token as a credential file (root:herald 0640)
systemd-run --unit=herald-sim -p DynamicUser=yes /usr/bin/herald sim --port 8089
check simulator until_true 20 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8089/_/report')"
echo '123456:TEST-token' > /etc/herald/credentials/shop_bot.token
chown root:herald /etc/herald/credentials/shop_bot.token
chmod 0640 /etc/herald/credentials/shop_bot.token
cp /etc/herald/herald.toml /root/herald.toml.orig
configure_account
check reload systemctl reload herald
check reload-logged until_true 10 sh -c "journalctl -u herald --no-pager | grep -q 'configuration reloaded'"

# A member of herald-submit drops jobs and follows them; someone outside the group cannot
useradd -m -G herald-submit writer
useradd -m outsider
cat > /tmp/import.json <<'JOB'
{"type": "subscribers", "id": "st-import", "account": "shop_bot", "action": "import", "subscribers": ["5001", "5002", "5003"]}
JOB
cat > /tmp/campaign.json <<'JOB'
{"type": "campaign", "id": "st-campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hello from the system test"}]}}
JOB
chmod 0644 /tmp/import.json /tmp/campaign.json
check writer-submits runuser -u writer -- herald submit --wait --timeout 60 /tmp/import.json
check writer-campaign runuser -u writer -- herald submit --wait --timeout 60 /tmp/campaign.json
check sent-to-platform until_true 30 sh -c "herald report st-campaign --format json | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"funnel\"][\"sent\"] == 3 else 1)'"
check outsider-refused sh -c "! runuser -u outsider -- herald submit /tmp/import.json 2>/tmp/outsider.err && grep -q 'cannot write into the spool' /tmp/outsider.err"
check journal-fields sh -c "journalctl -u herald HERALD_JOB_ID=st-campaign -o json --no-pager | grep -q '\"HERALD_EVENT\" *: *\"accepted\"'"

# A broken configuration makes the reload fail, visibly, and the service keeps running
echo 'rate = ' >> /etc/herald/herald.toml
check reload-refused sh -c "! systemctl reload herald"
check still-active systemctl is-active --quiet herald
configure_account
check reload-again systemctl reload herald

# A secret as a systemd credential (LoadCredential= in a drop-in) instead of a path in the configuration
mkdir -p /etc/systemd/system/herald.service.d
printf '[Service]\nLoadCredential=shop_bot.token:/etc/herald/credentials/shop_bot.token\n' > /etc/systemd/system/herald.service.d/credentials.conf
sed -i '/^token_file = /d' /etc/herald/herald.toml
systemctl daemon-reload
check restart-with-credential systemctl restart herald
check active-with-credential until_true 20 systemctl is-active --quiet herald
cat > /tmp/message.json <<'JOB'
{"type": "message", "id": "st-credential", "account": "shop_bot", "to": ["5001"], "message": {"modules": [{"type": "text", "text": "Sent with a credential"}]}}
JOB
chmod 0644 /tmp/message.json
check submitted-with-credential runuser -u writer -- herald submit --wait --timeout 60 /tmp/message.json
check sent-with-credential until_true 20 python3 -c "import sqlite3, sys; row = sqlite3.connect('file:/var/lib/herald/herald.sqlite?mode=ro', uri=True).execute(\"SELECT d.state FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.job_id = 'st-credential'\").fetchone(); sys.exit(0 if row and row[0] == 'sent' else 1)"
check credential-not-in-config sh -c "! grep -q '^token_file' /etc/herald/herald.toml"

# Hardening holds at run time: outside its state and spool directories the daemon cannot write
pid=$(systemctl show -p MainPID --value herald)
check cannot-write-usr sh -c "! nsenter -t $pid -m -S \$(id -u herald) -G \$(id -g herald) touch /usr/herald-escape 2>/dev/null"
check can-write-spool nsenter -t "$pid" -m -S "$(id -u herald)" -G "$(id -g herald)" touch /var/spool/herald/done/.probe
check no-new-privileges sh -c "grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$pid/status"

# A stop with sends in flight (the platform answering in 3 s) drains within its budget, and a start finishes the
# campaign with nobody skipped
sim() { python3 -c "import urllib.request, sys; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8089' + sys.argv[1], data=sys.argv[2].encode(), headers={'Content-Type': 'application/json'}))" "$@"; }
in_state() { python3 -c "import sqlite3, sys; n = sqlite3.connect('file:/var/lib/herald/herald.sqlite?mode=ro', uri=True).execute(\"SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.job_id = 'st-drain' AND d.state = ?\", (sys.argv[1],)).fetchone()[0]; sys.exit(0 if n >= int(sys.argv[2]) else 1)" "$@"; }
sim /_/faults '{"latency_ms": 3000}'
sed 's/st-campaign/st-drain/' /tmp/campaign.json > /tmp/drain.json
chmod 0644 /tmp/drain.json
runuser -u writer -- herald submit /tmp/drain.json > /dev/null
check in-flight-before-stop until_true 30 in_state sending 1
start=$(date +%s)
check stop systemctl stop herald
check stop-in-budget test $(( $(date +%s) - start )) -le 45
check drained-cleanly sh -c "journalctl -u herald --no-pager | grep -q 'drain'"
sim /_/faults '{"latency_ms": 0}'
check start-again systemctl start herald
check active-again until_true 20 systemctl is-active --quiet herald
check drain-campaign-finished until_true 60 in_state sent 3

# kill -9 by systemd mid-intake: restarted (Restart=on-failure), and every job dropped is accepted once
for n in $(seq 1 20); do
    printf '{"type": "subscribers", "id": "st-kill-%s", "account": "shop_bot", "action": "tag", "tags": ["k"], "subscribers": ["5001"]}' "$n" > /tmp/kill-$n.json
done
chmod 0644 /tmp/kill-*.json
runuser -u writer -- herald submit /tmp/kill-*.json > /dev/null
systemctl kill -s KILL herald
check restarted-after-kill until_true 30 sh -c "[ \$(systemctl show -p NRestarts --value herald) -ge 1 ] && systemctl is-active --quiet herald"
check nothing-lost-after-kill until_true 30 sh -c "[ \$(ls /var/spool/herald/incoming /var/spool/herald/active | grep -c json) = 0 ] && [ \$(ls /var/spool/herald/done | grep -c '~kill-') = 20 ]"
check each-accepted-once python3 -c "import sqlite3, sys; n = sqlite3.connect('file:/var/lib/herald/herald.sqlite?mode=ro', uri=True).execute(\"SELECT count(*) FROM jobs WHERE id LIKE 'st-kill-%' AND state = 'completed'\").fetchone()[0]; sys.exit(0 if n == 20 else 1)"
check no-rejections-after-kill test -z "$(ls /var/spool/herald/failed)"

# A hung daemon (stopped: its loops cannot beat) is killed by the watchdog and started again
restarts=$(systemctl show -p NRestarts --value herald)
kill -STOP "$(systemctl show -p MainPID --value herald)"
check watchdog-restart until_true 150 sh -c "[ \$(systemctl show -p NRestarts --value herald) -gt $restarts ] && systemctl is-active --quiet herald"
check watchdog-journal sh -c "journalctl -u herald --no-pager | grep -qi 'watchdog timeout'"

# An upgrade keeps the data and the configuration as the administrator left it, and restarts the service
pid_before=$(systemctl show -p MainPID --value herald)
check upgrade apt-get install -y -q ./next.deb
check upgraded sh -c "dpkg-query -W -f='\${Version}' herald | grep -q '+next'"
check active-after-upgrade until_true 20 sh -c "systemctl is-active --quiet herald && [ \$(systemctl show -p MainPID --value herald) != $pid_before ]"
check config-kept-on-upgrade grep -q '^\[accounts.shop_bot\]' /etc/herald/herald.toml
check data-kept-on-upgrade sh -c "herald report st-campaign --format json | grep -q '\"sent\":3'"

# Removing keeps the data; purging removes the user, the unit and the data
check remove apt-get remove -y -q herald
check data-kept-after-remove test -f /var/lib/herald/herald.sqlite
check purge apt-get purge -y -q herald
check data-gone-after-purge sh -c "[ ! -e /var/lib/herald ] && [ ! -e /var/spool/herald ] && [ ! -e /etc/herald ]"
check user-gone-after-purge sh -c "! getent passwd herald && ! getent group herald-submit"
check unit-gone-after-purge sh -c "[ ! -e /lib/systemd/system/herald.service ] && ! systemctl cat herald >/dev/null 2>&1"

finish
