#!/usr/bin/env python3
"""SSH server peer built on paramiko, for Ferry's integration tests.

Listens on 127.0.0.1:--port (0 picks a free port) with the --host-key files, prints "READY <port>"
on stdout once listening, and accepts --user with the password in the environment variable named
by --password-env and/or the public keys in --authorized-keys.

Session channels: subsystem or exec "echo" (send everything back; on the client's EOF send EOF,
exit-status 0 and close), "discard" (read everything, send nothing, then exit-status 0) and exec
"exit N" (read until EOF, then exit-status N). Anything else is refused (subsystem) or ends with
exit-status 127 (exec). Shells and ptys are refused.

One JSON line per finished channel goes to stdout, e.g.
  {"event": "channel", "kind": "subsystem", "name": "echo", "bytes_received": N,
   "sha256_received": "...", "bytes_sent": N, "exit_status": 0, "peer": "paramiko"}
and one per authentication attempt and per closed connection ("event": "auth" / "connection",
the latter with "kex_count"). Runs until killed, or exits 0 after --max-connections connections.
"""

import argparse
import logging
import socket
import sys
import threading

import paramiko

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import peer_common as common  # noqa: E402


class ConnectionLog(logging.Handler):
    """Counts completed key exchanges of one transport from paramiko's log."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.kex_count = 0

    def emit(self, record):
        if str(record.msg).startswith("Switch to new keys"):
            self.kex_count += 1


class Server(paramiko.ServerInterface):
    def __init__(self, args, authorized):
        self.args = args
        self.authorized = authorized

    def get_allowed_auths(self, username):
        methods = []
        if self.authorized:
            methods.append("publickey")
        if self.args.password is not None:
            methods.append("password")
        return ",".join(methods)

    def check_auth_password(self, username, password):
        ok = (
            self.args.password is not None
            and username == self.args.user
            and password == self.args.password
        )
        common.emit({"event": "auth", "method": "password", "user": username, "accepted": ok, "peer": "paramiko"})
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username, key):
        ok = username == self.args.user and (key.get_name(), key.get_base64()) in self.authorized
        # paramiko calls this for the signature-less query and again for the signed request.
        common.emit(
            {
                "event": "auth",
                "method": "publickey",
                "key_type": key.get_name(),
                "user": username,
                "accepted": ok,
                "peer": "paramiko",
            }
        )
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_subsystem_request(self, channel, name):
        action = common.parse_server_command(name)
        if action is None or action[0] == "exit":
            return False
        start_handler(channel, "subsystem", name, action)
        return True

    def check_channel_exec_request(self, channel, command):
        command = command.decode("utf-8", "replace") if isinstance(command, bytes) else command
        start_handler(channel, "exec", command, common.parse_server_command(command))
        return True

    def check_channel_shell_request(self, channel):
        return False

    def check_channel_pty_request(self, channel, term, width, height, pixelwidth, pixelheight, modes):
        return False


def start_handler(channel, kind, name, action):
    thread = threading.Thread(target=handle_channel, args=(channel, kind, name, action), daemon=True)
    thread.start()


def handle_channel(channel, kind, name, action):
    received = common.Digest()
    sent = 0
    status = 0
    error = None
    try:
        if action is None:
            channel.sendall_stderr(("unknown command: %s\n" % name).encode())
            status = 127
        while True:
            data = channel.recv(common.CHUNK)
            if not data:
                break
            received.update(data)
            if action is not None and action[0] == "echo":
                channel.sendall(data)
                sent += len(data)
        if action is not None and action[0] == "exit":
            status = action[1]
        channel.shutdown_write()
        channel.send_exit_status(status)
    except Exception as exc:
        error = "%s: %s" % (type(exc).__name__, exc)
    finally:
        channel.close()
    record = {
        "event": "channel",
        "kind": kind,
        "name": name,
        "bytes_received": received.count,
        "sha256_received": received.hexdigest(),
        "bytes_sent": sent,
        "exit_status": status,
        "peer": "paramiko",
    }
    if error:
        record["error"] = error
    common.emit(record)


def serve_connection(sock, address, args, host_keys, authorized, disabled, done):
    transport = None
    connection_log = ConnectionLog()
    logger = logging.getLogger("paramiko.transport.%s.%d" % address)
    error = None
    try:
        transport = paramiko.Transport(sock, disabled_algorithms=disabled)
        transport.set_log_channel(logger.name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(connection_log)
        logger.propagate = False
        if args.rekey_bytes:
            transport.packetizer.REKEY_BYTES = args.rekey_bytes
        for key in host_keys:
            transport.add_server_key(key)
        transport.start_server(server=Server(args, authorized))
        # paramiko closes a Channel when it is garbage collected: keep every accepted one alive.
        channels = []
        while transport.is_active():
            channel = transport.accept(timeout=0.5)
            if channel is not None:
                channels.append(channel)
    except Exception as exc:
        error = "%s: %s" % (type(exc).__name__, exc)
    finally:
        if transport is not None:
            transport.close()
        record = {"event": "connection", "kex_count": connection_log.kex_count, "peer": "paramiko"}
        if error:
            record["error"] = error
        common.emit(record)
        done()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_server_arguments(parser)
    parser.add_argument(
        "--disabled-algorithms", metavar="JSON", help='paramiko disabled_algorithms, e.g. \'{"kex": [...]}\''
    )
    args = common.resolve_server_arguments(parser.parse_args())
    disabled = common.parse_json_option(args.disabled_algorithms, "--disabled-algorithms")
    host_keys = [paramiko.PKey.from_path(path) for path in args.host_key]
    authorized = set(common.load_authorized_keys(args.authorized_keys))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    common.emit_ready(listener.getsockname()[1])

    lock = threading.Lock()
    finished = [0]
    all_done = threading.Event()

    def done():
        with lock:
            finished[0] += 1
            if args.max_connections and finished[0] >= args.max_connections:
                all_done.set()

    accepted = 0
    listener.settimeout(0.5)
    while not all_done.is_set():
        if args.max_connections and accepted >= args.max_connections:
            all_done.wait(0.5)
            continue
        try:
            sock, address = listener.accept()
        except socket.timeout:
            continue
        sock.settimeout(None)
        accepted += 1
        threading.Thread(
            target=serve_connection,
            args=(sock, address, args, host_keys, authorized, disabled, done),
            daemon=True,
        ).start()
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
