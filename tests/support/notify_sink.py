#!/usr/bin/python3
"""An SMTP sink and an HTTP receiver for the agent's notification tests (src/agent/notify_send_test.cc).

    notify_sink.py OUTDIR CERT KEY USER PASSWORD

SMTP (Debian's python3-aiosmtpd): STARTTLS with CERT/KEY required before AUTH, AUTH (PLAIN or
LOGIN) required, each accepted message saved as OUTDIR/mail-N.json {mechanism, from, to, data}.
HTTP: POST /hook saves OUTDIR/hook-N.json {path, headers, body}; POST /slow answers after 5 s;
GET any other path saves OUTDIR/ping-N.json {path}. Prints "ready SMTP_PORT HTTP_PORT" once both
listen, and runs until SIGTERM.
"""
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

outdir, cert, key, user, password = sys.argv[1:6]
counter = {"n": 0}
lock = threading.Lock()


def save(prefix, doc):
    with lock:
        counter["n"] += 1
        path = os.path.join(outdir, "%s-%d.json" % (prefix, counter["n"]))
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f)
    os.rename(path + ".tmp", path)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Handler:
    async def handle_DATA(self, server, session, envelope):
        save("mail", {"mechanism": getattr(session, "mechanism", ""), "from": envelope.mail_from,
                      "to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login.decode() == user and auth_data.password.decode() == password
    session.mechanism = mechanism
    return AuthResult(success=ok, handled=False)


class Http(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if self.path.split("?")[0] == "/slow":
            time.sleep(5)
        else:
            save("hook", {"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self):
        save("ping", {"path": self.path})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"OK")


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
smtp_port = free_port()
controller = Controller(Handler(), hostname="127.0.0.1", port=smtp_port, tls_context=context,
                        require_starttls=True, auth_required=True, auth_require_tls=True,
                        authenticator=authenticator)
controller.start()
http = ThreadingHTTPServer(("127.0.0.1", 0), Http)
http.daemon_threads = True
threading.Thread(target=http.serve_forever, daemon=True).start()
print("ready %d %d" % (smtp_port, http.server_address[1]), flush=True)
while True:  # until SIGTERM (its default action ends the process)
    time.sleep(3600)
