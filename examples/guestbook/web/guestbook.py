"""The guestbook: a small web app that keeps entries in PostgreSQL and mails a notification for
each new one through the stack's SMTP service. Only Python's standard library and Debian's
python3-psycopg2.

  GET  /          a page with the form and the entries
  POST /entries   store an entry (JSON {"name", "message"} or an HTML form), mail the owner
  GET  /entries   the entries, newest first (JSON)
  GET  /mail      the messages delivered to the owner's Maildir (JSON; the mail volume is mounted
                  read-only so the demo can show that the notification arrived)
  GET  /health    200 when the database answers, 503 otherwise

Configuration comes from the environment; passwords come from files (Compose secrets) and are
never logged.
"""

import datetime
import email.utils
import html
import json
import os
import signal
import smtplib
import ssl
import sys
import time
import unicodedata
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import psycopg2

MAX_BODY = 16 * 1024
MAX_NAME = 100
MAX_MESSAGE = 2000
LIST_LIMIT = 200


def log(text):
    print(f"guestbook: {text}", file=sys.stderr, flush=True)


def read_secret(variable):
    path = os.environ.get(variable)
    if not path:
        sys.exit(f"guestbook: {variable} is not set (the path of a secret file)")
    try:
        with open(path, encoding="utf-8") as f:
            value = f.read().rstrip("\r\n")
    except OSError as e:
        sys.exit(f"guestbook: cannot read the secret {path}: {e.strerror}")
    if not value:
        sys.exit(f"guestbook: the secret {path} is empty")
    return value


class Config:
    def __init__(self):
        env = os.environ.get
        self.port = int(env("PORT", "8000"))
        self.db = dict(
            host=env("DB_HOST", "db"),
            port=int(env("DB_PORT", "5432")),
            dbname=env("DB_NAME", "guestbook"),
            user=env("DB_USER", "guestbook"),
            password=read_secret("DB_PASSWORD_FILE"),
            connect_timeout=5,
            application_name="guestbook",
        )
        self.smtp_host = env("SMTP_HOST", "smtp")
        self.smtp_port = int(env("SMTP_PORT", "587"))
        self.smtp_user = env("SMTP_USER", "guestbook")
        self.smtp_password = read_secret("SMTP_PASSWORD_FILE")
        self.mail_from = env("MAIL_FROM", "guestbook@guestbook.test")
        self.mail_to = env("MAIL_TO", "owner@guestbook.test")
        self.maildir = env("MAILDIR", "")


SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL,
    message     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz
)
"""


class Store:
    """One connection per request: a guestbook sees few requests, and a fresh connection
    survives a database restart without any reconnect logic."""

    def __init__(self, params):
        self.params = params

    def connect(self):
        return psycopg2.connect(**self.params)

    def migrate(self, deadline_seconds=60):
        # depends_on already waits for the database to be healthy; the retry covers a database
        # that restarts while we start.
        deadline = time.monotonic() + deadline_seconds
        while True:
            try:
                with self.connect() as conn, conn.cursor() as cur:
                    cur.execute(SCHEMA)
                conn.close()
                return
            except psycopg2.OperationalError as e:
                if time.monotonic() > deadline:
                    raise
                log(f"database not ready ({str(e).strip()}); retrying")
                time.sleep(2)

    def add(self, name, message):
        conn = self.connect()
        try:
            with conn, conn.cursor() as cur:
                cur.execute(
                    "INSERT INTO entries (name, message) VALUES (%s, %s)"
                    " RETURNING id, name, message, created_at, notified_at",
                    (name, message))
                return entry_json(cur.fetchone())
        finally:
            conn.close()

    def mark_notified(self, entry_id):
        conn = self.connect()
        try:
            with conn, conn.cursor() as cur:
                cur.execute("UPDATE entries SET notified_at = now() WHERE id = %s"
                            " RETURNING notified_at", (entry_id,))
                return cur.fetchone()[0].isoformat()
        finally:
            conn.close()

    def list(self):
        conn = self.connect()
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT id, name, message, created_at, notified_at FROM entries"
                            " ORDER BY id DESC LIMIT %s", (LIST_LIMIT,))
                return [entry_json(row) for row in cur.fetchall()]
        finally:
            conn.close()

    def ping(self):
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            conn.close()


def entry_json(row):
    id_, name, message, created_at, notified_at = row
    return {
        "id": id_,
        "name": name,
        "message": message,
        "created_at": created_at.isoformat(),
        "notified_at": notified_at.isoformat() if notified_at else None,
    }


class Mailer:
    def __init__(self, config):
        self.config = config
        # The SMTP service's certificate is self-signed and made at its start, so it cannot be
        # verified; TLS still keeps the password off the wire. The private stack network is
        # what makes "smtp" the right server.
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE

    def notify(self, entry):
        c = self.config
        msg = EmailMessage()
        msg["Subject"] = f"New guestbook entry #{entry['id']} from {entry['name']}"
        msg["From"] = c.mail_from
        msg["To"] = c.mail_to
        msg["Date"] = email.utils.formatdate(usegmt=True)
        msg["Message-ID"] = email.utils.make_msgid(domain=c.mail_from.rpartition("@")[2])
        msg.set_content(f"{entry['name']} wrote at {entry['created_at']}:\n\n"
                        f"{entry['message']}\n")
        with smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=15) as smtp:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                # Never send the password in clear text.
                raise smtplib.SMTPException("the server does not offer STARTTLS")
            smtp.starttls(context=self.tls)
            smtp.ehlo()
            smtp.login(c.smtp_user, c.smtp_password)
            smtp.send_message(msg)


def clean_text(value, limit, field):
    """Strips the text and refuses what would not make a sensible entry. Control characters
    (other than newlines and tabs in the message) are refused, which also keeps the name safe
    for the mail's Subject header."""
    if value is None:
        raise ValueError(f"{field} is missing")
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string")
    value = value.replace("\r\n", "\n").strip()
    if not value:
        raise ValueError(f"{field} is empty")
    if len(value) > limit:
        raise ValueError(f"{field} is longer than {limit} characters")
    allowed = "\n\t" if field == "message" else ""
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            raise ValueError(f"{field} contains a control character")
    return value


class Handler(BaseHTTPRequestHandler):
    server_version = "guestbook/1"
    protocol_version = "HTTP/1.1"

    # Set by main().
    store = None
    mailer = None
    config = None

    def log_message(self, fmt, *args):
        # The healthcheck polls every few seconds; its lines would bury everything else.
        if self.path != "/health":
            log(f"{self.address_string()} {fmt % args}")

    def send_body(self, status, body, content_type, headers=()):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status, value, headers=()):
        self.send_body(status, json.dumps(value, ensure_ascii=False, indent=2) + "\n",
                       "application/json; charset=utf-8", headers)

    def fail(self, status, text):
        # The request's body may be unread; the connection cannot carry another request.
        self.close_connection = True
        self.send_json(status, {"error": text})

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        try:
            if path == "/":
                self.send_body(200, render_page(self.store.list()), "text/html; charset=utf-8")
            elif path == "/entries":
                self.send_json(200, {"entries": self.store.list()})
            elif path == "/mail":
                self.get_mail()
            elif path == "/health":
                self.get_health()
            else:
                self.fail(404, f"no such page: {path}")
        except psycopg2.Error as e:
            log(f"database error: {str(e).strip()}")
            self.fail(503, "the database is not available")

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path != "/entries":
            if path in ("/", "/mail", "/health"):
                self.close_connection = True
                self.send_json(405, {"error": f"cannot POST to {path}"}, [("Allow", "GET, HEAD")])
            else:
                self.fail(404, f"no such page: {path}")
            return
        try:
            fields, from_form = self.read_fields()
            name = clean_text(fields.get("name"), MAX_NAME, "name")
            message = clean_text(fields.get("message"), MAX_MESSAGE, "message")
        except ValueError as e:
            self.fail(400, str(e))
            return
        try:
            entry = self.store.add(name, message)
        except psycopg2.Error as e:
            log(f"database error: {str(e).strip()}")
            self.fail(503, "the database is not available; the entry was not stored")
            return

        # The entry is stored before the mail goes out: a mail problem must not lose it, and
        # notified_at records whether the owner was told.
        result = dict(entry, notified=False)
        try:
            self.mailer.notify(entry)
            result["notified_at"] = self.store.mark_notified(entry["id"])
            result["notified"] = True
        except (OSError, smtplib.SMTPException, psycopg2.Error) as e:
            log(f"entry {entry['id']}: notification not sent: {e}")
            result["mail_error"] = str(e)

        if from_form and "text/html" in self.headers.get("Accept", ""):
            self.send_body(303, "", "text/plain", [("Location", "/")])
        else:
            self.send_json(201, result)

    def read_fields(self):
        length = self.headers.get("Content-Length")
        if length is None:
            raise ValueError("a body with Content-Length is required")
        try:
            length = int(length)
        except ValueError:
            raise ValueError("Content-Length is not a number") from None
        if length < 0 or length > MAX_BODY:
            raise ValueError(f"the body must be at most {MAX_BODY} bytes")
        body = self.rfile.read(length)
        content_type = self.headers.get_content_type()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the body is not UTF-8") from None
        if content_type == "application/json":
            try:
                fields = json.loads(text)
            except json.JSONDecodeError as e:
                raise ValueError(f"the body is not valid JSON: {e}") from None
            if not isinstance(fields, dict):
                raise ValueError('the JSON body must be an object {"name": ..., "message": ...}')
            return fields, False
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True, max_num_fields=10)
            return {k: v[0] for k, v in form.items()}, True
        raise ValueError("send application/json or application/x-www-form-urlencoded")

    def get_mail(self):
        maildir = self.config.maildir
        if not maildir:
            self.fail(404, "no Maildir is configured (MAILDIR)")
            return
        self.send_json(200, {"mailbox": self.config.mail_to,
                             "messages": read_maildir(maildir)})

    def get_health(self):
        try:
            self.store.ping()
        except psycopg2.Error as e:
            self.send_json(503, {"status": "unhealthy", "database": str(e).strip()})
            return
        self.send_json(200, {"status": "ok", "database": "ok"})


def read_maildir(maildir):
    """Headers of the delivered messages, oldest first. A Maildir that does not exist yet
    simply has no messages: Postfix creates it with the first delivery."""
    found = []
    parser = BytesHeaderParser(policy=policy.default)
    for sub in ("new", "cur"):
        directory = os.path.join(maildir, sub)
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            continue
        for name in names:
            if name.startswith("."):
                continue
            path = os.path.join(directory, name)
            try:
                with open(path, "rb") as f:
                    headers = parser.parse(f)
                delivered = os.stat(path).st_mtime
            except OSError:
                continue  # moved or removed while we looked
            found.append((delivered, name, {
                "subject": str(headers.get("Subject", "")),
                "from": str(headers.get("From", "")),
                "to": str(headers.get("To", "")),
                "date": str(headers.get("Date", "")),
                "delivered_at": datetime.datetime.fromtimestamp(
                    delivered, datetime.timezone.utc).isoformat(),
                "file": f"{sub}/{name}",
            }))
    found.sort(key=lambda item: (item[0], item[1]))
    return [message for _, _, message in found]


def render_page(entries):
    items = "\n".join(
        f"<li><strong>{html.escape(e['name'])}</strong> "
        f"<small>{html.escape(e['created_at'])}</small>"
        f"<p style=\"white-space: pre-wrap\">{html.escape(e['message'])}</p></li>"
        for e in entries) or "<li>No entries yet.</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Guestbook</title></head>
<body>
<h1>Guestbook</h1>
<form method="post" action="/entries">
<p><label>Name <input name="name" maxlength="{MAX_NAME}" required></label></p>
<p><label>Message<br><textarea name="message" rows="4" cols="60" maxlength="{MAX_MESSAGE}"
required></textarea></label></p>
<p><button>Sign</button></p>
</form>
<ul>
{items}
</ul>
</body></html>
"""


def main():
    config = Config()
    store = Store(config.db)
    store.migrate()
    Handler.store = store
    Handler.mailer = Mailer(config)
    Handler.config = config

    server = ThreadingHTTPServer(("0.0.0.0", config.port), Handler)
    server.daemon_threads = True

    # As PID 1 the process gets no default signal handling: without this, `stop` would wait
    # for its timeout and then kill.
    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)

    log(f"listening on port {config.port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopping")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
