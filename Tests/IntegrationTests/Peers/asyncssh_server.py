#!/usr/bin/env python3
"""SSH server peer built on asyncssh, for Ferry's integration tests.

Same command line, channel behaviour and JSON lines as paramiko_server.py ("peer": "asyncssh"):
listens on 127.0.0.1:--port (0 picks a free port), prints "READY <port>", accepts --user with the
password from --password-env and/or the keys in --authorized-keys, and serves subsystem/exec
"echo", "discard" and exec "exit N". Extra options: --kex-algs, --encryption-algs, --mac-algs,
--signature-algs (comma separated lists, passed to asyncssh.listen). Never reads ~/.ssh.
"""

import argparse
import asyncio
import sys

import asyncssh

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import peer_common as common  # noqa: E402


class KexCounter(common.MessageCounter):
    """Counts completed key exchanges per connection (asyncssh prefixes messages with "[conn=N")."""

    def __init__(self):
        super().__init__("Completed key exchange")
        self.per_connection = {}

    def emit(self, record):
        message = str(record.msg)
        if self.text in message and message.startswith("[conn="):
            key = message[1:].split("]")[0].split(",")[0]
            self.per_connection[key] = self.per_connection.get(key, 0) + 1


KEX = KexCounter()


class Session(asyncssh.SSHServerSession):
    """One session channel: subsystem/exec "echo", "discard" or exec "exit N"."""

    def __init__(self):
        self.chan = None
        self.kind = None
        self.name = None
        self.action = None
        self.received = common.Digest()
        self.sent = 0
        self.status = 0
        self.reported = False

    def connection_made(self, chan):
        self.chan = chan

    def shell_requested(self):
        return False

    def pty_requested(self, term_type, term_size, term_modes):
        return False

    def exec_requested(self, command):
        self.kind, self.name, self.action = "exec", command, common.parse_server_command(command)
        return True

    def subsystem_requested(self, subsystem):
        action = common.parse_server_command(subsystem)
        if action is None or action[0] == "exit":
            return False
        self.kind, self.name, self.action = "subsystem", subsystem, action
        return True

    def session_started(self):
        if self.action is None:
            self.chan.write_stderr(("unknown command: %s\n" % self.name).encode())
            self.status = 127

    def data_received(self, data, datatype):
        if datatype is not None:
            return
        self.received.update(data)
        if self.action is not None and self.action[0] == "echo":
            self.chan.write(data)
            self.sent += len(data)

    # Back-pressure for echo: stop reading while our send window is full.
    def pause_writing(self):
        self.chan.pause_reading()

    def resume_writing(self):
        self.chan.resume_reading()

    def eof_received(self):
        if self.action is not None and self.action[0] == "exit":
            self.status = self.action[1]
        self.chan.write_eof()
        self.chan.exit(self.status)
        self.report()
        return False

    def connection_lost(self, exc):
        self.report("%s: %s" % (type(exc).__name__, exc) if exc else "channel closed before EOF")

    def report(self, error=None):
        if self.reported or self.kind is None:
            return
        self.reported = True
        record = {
            "event": "channel",
            "kind": self.kind,
            "name": self.name,
            "bytes_received": self.received.count,
            "sha256_received": self.received.hexdigest(),
            "bytes_sent": self.sent,
            "exit_status": self.status,
            "peer": "asyncssh",
        }
        if error:
            record["error"] = error
        common.emit(record)


def make_server_class(args, state):
    class Server(asyncssh.SSHServer):
        def connection_made(self, conn):
            self.conn = conn
            self.context = conn.logger._context if hasattr(conn.logger, "_context") else ""

        def connection_lost(self, exc):
            record = {"event": "connection", "kex_count": KEX.per_connection.get(self.context), "peer": "asyncssh"}
            if exc is not None:
                record["error"] = "%s: %s" % (type(exc).__name__, exc)
            common.emit(record)
            state["closed"] += 1
            if args.max_connections and state["closed"] >= args.max_connections:
                state["done"].set()

        def begin_auth(self, username):
            if args.authorized_keys and username == args.user:
                self.conn.set_authorized_keys(args.authorized_keys)
            return True

        def password_auth_supported(self):
            return args.password is not None

        def validate_password(self, username, password):
            ok = username == args.user and password == args.password
            common.emit({"event": "auth", "method": "password", "user": username, "accepted": ok, "peer": "asyncssh"})
            return ok

        def public_key_auth_supported(self):
            return bool(args.authorized_keys)

        def auth_completed(self):
            common.emit({"event": "auth", "user": args.user, "accepted": True, "peer": "asyncssh"})

        def session_requested(self):
            return Session()

    return Server


async def serve(args):
    state = {"closed": 0, "done": asyncio.Event()}
    options = dict(
        server_host_keys=args.host_key,
        encoding=None,
        allow_pty=False,
        agent_forwarding=False,
        x11_forwarding=False,
        config=None,
    )
    for name in ("kex_algs", "encryption_algs", "mac_algs", "signature_algs"):
        value = common.split_list(getattr(args, name))
        if value is not None:
            options[name] = value
    if args.rekey_bytes:
        options["rekey_bytes"] = args.rekey_bytes
    server = await asyncssh.listen("127.0.0.1", args.port, server_factory=make_server_class(args, state), **options)
    common.emit_ready(server.sockets[0].getsockname()[1])
    await state["done"].wait()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_server_arguments(parser)
    parser.add_argument("--kex-algs", metavar="LIST", help="comma separated kex_algs")
    parser.add_argument("--encryption-algs", metavar="LIST", help="comma separated encryption_algs")
    parser.add_argument("--mac-algs", metavar="LIST", help="comma separated mac_algs")
    parser.add_argument("--signature-algs", metavar="LIST", help="comma separated signature_algs")
    args = common.resolve_server_arguments(parser.parse_args())
    asyncssh.set_debug_level(1)
    KEX.attach("asyncssh")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
