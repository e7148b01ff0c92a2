#!/usr/bin/env python3
"""SSH client peer built on paramiko, for Ferry's integration tests.

Connects to --host/--port as --user, authenticates with --key FILE and/or the password in the
environment variable named by --password-env, optionally runs --exec CMD or --subsystem NAME,
sends --send-bytes N deterministic bytes (and/or --send-file), sends EOF, reads stdout until EOF
and prints one JSON line:

  {"ok": true, "peer": "paramiko", "auth": "accepted", "exit_status": 0, "bytes_sent": N,
   "sha256_sent": "...", "bytes_received": N, "sha256_received": "...", "kex_count": K, ...}

Exit status: 0 on success, 1 on failure (JSON line has "ok": false and "error"), 2 on usage
errors, 3 when --timeout expires.
"""

import argparse
import logging
import socket
import sys
import threading
import time

import paramiko

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import peer_common as common  # noqa: E402


class TransportLog(logging.Handler):
    """Counts completed key exchanges and records the agreed kex algorithm from paramiko's log."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.kex_count = 0
        self.kex = None

    def emit(self, record):
        message = str(record.msg)
        if message.startswith("Switch to new keys"):
            self.kex_count += 1
        elif message.startswith("Kex: "):
            self.kex = message[5:]


def prefer_known_host_key_types(args, transport):
    """Like paramiko's SSHClient: ask first for the host key types known_hosts has for this host."""
    if args.host_key_policy != "check":
        return
    entry = paramiko.HostKeys(args.known_hosts).lookup(common.known_hosts_name(args.host, args.port))
    if not entry:
        return
    known = []
    for key_type in entry.keys():
        known += ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] if key_type == "ssh-rsa" else [key_type]
    options = transport.get_security_options()
    current = list(options.key_types)
    options.key_types = [k for k in current if k in known] + [k for k in current if k not in known]


def check_host_key(args, transport, result):
    key = transport.get_remote_server_key()
    result["host_key"] = "%s %s" % (key.get_name(), key.get_base64())
    if args.host_key_policy == "accept":
        return
    name = common.known_hosts_name(args.host, args.port)
    if args.host_key_policy == "record":
        common.append_known_host(args.known_hosts, args.host, args.port, key.get_name(), key.get_base64())
        return
    known = paramiko.HostKeys(args.known_hosts)
    entry = known.lookup(name)
    if entry is None or key.get_name() not in entry or entry[key.get_name()] != key:
        raise paramiko.SSHException("host key %s for %s not in %s" % (key.get_name(), name, args.known_hosts))


def authenticate(args, transport):
    """Returns True when authenticated, False when the server refused every method we tried."""
    attempts = [lambda key=paramiko.PKey.from_path(path): transport.auth_publickey(args.user, key) for path in args.key]
    if args.password is not None:
        attempts.append(lambda: transport.auth_password(args.user, args.password))
    if not attempts:
        attempts.append(lambda: transport.auth_none(args.user))
    for attempt in attempts:
        try:
            attempt()
        except paramiko.AuthenticationException:
            continue
        if transport.is_authenticated():
            return True
    return transport.is_authenticated()


def run_channel(args, transport, result):
    channel = transport.open_session(timeout=args.timeout)
    if args.command is not None:
        channel.exec_command(args.command)
    else:
        channel.invoke_subsystem(args.subsystem)

    received = common.Digest()
    stderr = bytearray()
    errors = []
    output = open(args.output, "wb") if args.output else None

    def read_stdout():
        try:
            while True:
                data = channel.recv(common.CHUNK)
                if not data:
                    break
                received.update(data)
                if output:
                    output.write(data)
        except Exception as error:  # reported below
            errors.append("reading: %r" % error)

    def read_stderr():
        try:
            while True:
                data = channel.recv_stderr(common.CHUNK)
                if not data:
                    break
                if len(stderr) < 4096:
                    stderr.extend(data[: 4096 - len(stderr)])
        except Exception as error:
            errors.append("reading stderr: %r" % error)

    readers = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for reader in readers:
        reader.start()

    sent = common.Digest()
    for chunk in common.send_source(args):
        channel.sendall(chunk)
        sent.update(chunk)
    channel.shutdown_write()

    for reader in readers:
        reader.join()
    if output:
        output.close()
    if not channel.status_event.wait(args.timeout):
        raise paramiko.SSHException("no exit status received")
    result.update(
        exit_status=channel.recv_exit_status(),
        bytes_sent=sent.count,
        sha256_sent=sent.hexdigest(),
        bytes_received=received.count,
        sha256_received=received.hexdigest(),
        stderr=stderr.decode("utf-8", "replace"),
    )
    channel.close()
    if errors:
        raise paramiko.SSHException("; ".join(errors))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_client_arguments(parser)
    parser.add_argument(
        "--disabled-algorithms",
        metavar="JSON",
        help='paramiko disabled_algorithms, e.g. \'{"pubkeys": ["rsa-sha2-512"]}\'',
    )
    args = common.resolve_client_arguments(parser.parse_args())
    disabled = common.parse_json_option(args.disabled_algorithms, "--disabled-algorithms")

    result = {"ok": False, "peer": "paramiko", "version": paramiko.__version__, "auth": None}
    common.start_watchdog(args.timeout, result)
    transport_log = TransportLog()
    logger = logging.getLogger("paramiko")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(transport_log)
    logger.propagate = False

    started = time.monotonic()
    transport = None
    try:
        sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
        transport = paramiko.Transport(sock, disabled_algorithms=disabled)
        if args.rekey_bytes:
            # Instance attributes shadow the Packetizer class constants.
            transport.packetizer.REKEY_BYTES = args.rekey_bytes
        prefer_known_host_key_types(args, transport)
        transport.start_client(timeout=args.timeout)
        check_host_key(args, transport, result)

        accepted = authenticate(args, transport)
        result["auth"] = "accepted" if accepted else "refused"
        if args.expect_auth_failure:
            result["ok"] = not accepted
            if accepted:
                result["error"] = "authentication unexpectedly succeeded"
        elif not accepted:
            result["error"] = "authentication refused"
        else:
            if args.command is not None or args.subsystem is not None:
                run_channel(args, transport, result)
                if result["exit_status"] != args.expect_exit_status:
                    raise paramiko.SSHException(
                        "exit status %s, expected %s" % (result["exit_status"], args.expect_exit_status)
                    )
            result["ok"] = True
    except Exception as error:
        result["ok"] = False
        result["error"] = "%s: %s" % (type(error).__name__, error)
    finally:
        if transport is not None:
            result["algorithms"] = {
                "kex": transport_log.kex,
                "host_key": transport.host_key_type,
                "cipher_cs": transport.local_cipher,
                "cipher_sc": transport.remote_cipher,
                "mac_cs": transport.local_mac,
                "mac_sc": transport.remote_mac,
            }
            transport.close()
    result["kex_count"] = transport_log.kex_count
    result["elapsed"] = round(time.monotonic() - started, 3)
    common.emit(result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
