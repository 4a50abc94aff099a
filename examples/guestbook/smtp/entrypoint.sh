#!/bin/bash
# Finishes Postfix's configuration from the environment and the secrets, then runs the command
# (Postfix in the foreground).
#
#   MAIL_DOMAIN         the domain this server delivers for, e.g. guestbook.test
#   MAILBOXES           local parts that get a Maildir, separated by spaces, e.g. "owner"
#   SMTP_USER           the user name clients log in with on port 587
#   SMTP_PASSWORD_FILE  its password (a Compose secret, e.g. /run/secrets/smtp_password)
#
# The login database and the TLS certificate are rebuilt on every start: they are derived from
# the secret and are not data. The mail itself is in /var/mail/vhosts (the data volume).
set -euo pipefail

: "${MAIL_DOMAIN:?}" "${MAILBOXES:?}" "${SMTP_USER:?}" "${SMTP_PASSWORD_FILE:?}"

if [[ ! -r $SMTP_PASSWORD_FILE ]]; then
  echo "smtp: cannot read the password secret $SMTP_PASSWORD_FILE (declare it under the service's secrets:)" >&2
  exit 1
fi
password=$(<"$SMTP_PASSWORD_FILE")
if [[ -z $password ]]; then
  echo "smtp: the password secret $SMTP_PASSWORD_FILE is empty" >&2
  exit 1
fi

postconf -e "myhostname = smtp.$MAIL_DOMAIN" "mydomain = $MAIL_DOMAIN" \
  "virtual_mailbox_domains = $MAIL_DOMAIN"

# One Maildir per mailbox: the trailing slash tells Postfix's virtual agent to use Maildir.
: >/etc/postfix/vmailbox
for box in $MAILBOXES; do
  printf '%s@%s %s/%s/\n' "$box" "$MAIL_DOMAIN" "$MAIL_DOMAIN" "$box" >>/etc/postfix/vmailbox
done

sasldb=/etc/postfix/sasl/sasldb2
rm -f "$sasldb"
printf '%s' "$password" | saslpasswd2 -p -c -f "$sasldb" -u "$MAIL_DOMAIN" "$SMTP_USER"
unset password
chown root:postfix "$sasldb"
chmod 640 "$sasldb"

# Self-signed: it keeps the password off the wire in clear text; it cannot prove the server's
# identity, which the stack's private network does instead.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/CN=smtp.$MAIL_DOMAIN" -keyout /etc/postfix/tls/key.pem -out /etc/postfix/tls/cert.pem \
  2>/dev/null
chown root:postfix /etc/postfix/tls/key.pem /etc/postfix/tls/cert.pem
chmod 640 /etc/postfix/tls/key.pem

# The volume may come from a restore or another engine that did not keep the image's owner.
chown vmail:vmail /var/mail/vhosts
chmod 750 /var/mail/vhosts

exec "$@"
