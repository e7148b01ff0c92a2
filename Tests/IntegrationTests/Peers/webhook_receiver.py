#!/usr/bin/env python3
"""A webhook receiver for the mirror tests: accepts POSTs on 127.0.0.1:PORT, checks Ferry's HMAC-SHA256
signature (X-Ferry-Timestamp, X-Ferry-Signature: sha256=HEX over "TIMESTAMP.BODY"), and appends one JSON
line per accepted delivery to --log: {"delivery": ID, "event": NAME, "body": {...}}.

  webhook_receiver.py --port N --secret S --log FILE

Answers 204 when the signature is right, 401 when it is not (and logs nothing). Prints "READY" once
listening. Stops on SIGTERM.
"""

import argparse
import hashlib
import hmac
import http.server
import json
import sys

sys.dont_write_bytecode = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True)
    options = parser.parse_args()
    secret = options.secret.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            timestamp = self.headers.get("X-Ferry-Timestamp", "")
            given = self.headers.get("X-Ferry-Signature", "")
            expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(given, expected):
                self.send_response(401)
                self.end_headers()
                return
            record = {
                "delivery": self.headers.get("X-Ferry-Delivery"),
                "event": self.headers.get("X-Ferry-Event"),
                "body": json.loads(body),
            }
            with open(options.log, "a") as log:
                log.write(json.dumps(record) + "\n")
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", options.port), Handler)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
