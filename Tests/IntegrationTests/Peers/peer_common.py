"""Shared helpers for the SSH peer programs used by Ferry's integration tests.

Everything here is standard library plus `cryptography` (for the deterministic data stream).
"""

import hashlib
import json
import logging
import os
import sys
import threading
import time
import warnings

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CHUNK = 64 * 1024

# Peers may be asked for old algorithms on purpose (e.g. finite-field DH); keep stderr readable.
warnings.filterwarnings("ignore", message=".*deprecated.*")

_print_lock = threading.Lock()


def emit(record):
    """Print one JSON object on one line of stdout (thread safe)."""
    line = json.dumps(record, sort_keys=True)
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def emit_ready(port):
    """The line servers print once they accept connections: "READY <port>"."""
    with _print_lock:
        sys.stdout.write("READY %d\n" % port)
        sys.stdout.flush()


def exit_with_parent():
    """Exit (status 0) once the process that started us is gone, so no server outlives its test run."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class Digest:
    """Counts bytes and their SHA-256."""

    def __init__(self):
        self.count = 0
        self._sha = hashlib.sha256()

    def update(self, data):
        self.count += len(data)
        self._sha.update(data)

    def hexdigest(self):
        return self._sha.hexdigest()


def deterministic_chunks(total, seed=0, chunk=CHUNK):
    """Yield `total` pseudo-random bytes that depend only on `seed`.

    The stream is the AES-128-CTR keystream (key = first 16 bytes of
    SHA-256("ferry-test-data:<seed>"), initial counter block all zero), i.e. the
    encryption of zero bytes. `datagen.py` writes the same stream to a file.
    """
    key = hashlib.sha256(("ferry-test-data:%d" % seed).encode()).digest()[:16]
    encryptor = Cipher(algorithms.AES(key), modes.CTR(b"\x00" * 16)).encryptor()
    zeros = bytes(chunk)
    remaining = total
    while remaining > 0:
        n = min(chunk, remaining)
        yield encryptor.update(zeros if n == chunk else bytes(n))
        remaining -= n


def read_password(env_name):
    if env_name is None:
        return None
    value = os.environ.get(env_name)
    if value is None:
        raise SystemExit("error: environment variable %s (--password-env) is not set" % env_name)
    return value


def parse_json_option(text, option):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise SystemExit("error: %s is not valid JSON: %s" % (option, error))


def split_list(text):
    """'a,b,c' -> ['a', 'b', 'c']; None stays None."""
    if text is None:
        return None
    return [item.strip() for item in text.split(",") if item.strip()]


def known_hosts_name(host, port):
    return host if port == 22 else "[%s]:%d" % (host, port)


def append_known_host(path, host, port, key_type, key_base64):
    with open(path, "a") as f:
        f.write("%s %s %s\n" % (known_hosts_name(host, port), key_type, key_base64))


class MessageCounter(logging.Handler):
    """Counts log records whose message contains a given text (e.g. completed key exchanges)."""

    def __init__(self, text):
        super().__init__(level=logging.DEBUG)
        self.text = text
        self.count = 0

    def emit(self, record):
        if self.text in str(record.msg):
            self.count += 1

    def attach(self, logger_name):
        logger = logging.getLogger(logger_name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        logger.propagate = False
        return self


def start_watchdog(seconds, record):
    """After `seconds`, print a failure JSON line and exit the whole process with status 3."""
    if not seconds or seconds <= 0:
        return

    def fire():
        failure = dict(record)
        failure.update(ok=False, error="timed out after %ss" % seconds)
        emit(failure)
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


def add_client_arguments(parser):
    """The command line shared by paramiko_client.py and asyncssh_client.py."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default=None, help="default: the current user")
    parser.add_argument("--password-env", metavar="VAR", help="log in with the password in environment variable VAR")
    parser.add_argument("--key", metavar="FILE", action="append", default=[], help="private key file (repeatable)")
    parser.add_argument("--known-hosts", metavar="FILE", help="known_hosts file for --host-key-policy check/record")
    parser.add_argument(
        "--host-key-policy",
        choices=["accept", "check", "record"],
        default=None,
        help="accept any host key (default without --known-hosts), check it against --known-hosts "
        "(default with it), or record (append) it to --known-hosts",
    )
    parser.add_argument("--rekey-bytes", type=int, metavar="N", help="rekey after about N bytes")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--exec", metavar="CMD", dest="command", help="run CMD in an exec channel")
    action.add_argument("--subsystem", metavar="NAME", help="open subsystem NAME")
    parser.add_argument("--send-bytes", type=int, default=0, metavar="N", help="send N deterministic bytes")
    parser.add_argument("--seed", type=int, default=0, help="seed of the --send-bytes stream (default 0)")
    parser.add_argument("--send-file", metavar="FILE", help="send the contents of FILE (after --send-bytes)")
    parser.add_argument("--output", metavar="FILE", help="also write the received stdout data to FILE")
    parser.add_argument(
        "--expect-exit-status", type=int, default=0, metavar="N", help="fail unless the exit status is N (default 0)"
    )
    parser.add_argument(
        "--expect-auth-failure", action="store_true", help="succeed only if authentication is refused"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="overall time limit in seconds (default 300)")


def resolve_client_arguments(args):
    import getpass

    if args.user is None:
        args.user = getpass.getuser()
    if args.host_key_policy is None:
        args.host_key_policy = "check" if args.known_hosts else "accept"
    if args.host_key_policy in ("check", "record") and not args.known_hosts:
        raise SystemExit("error: --host-key-policy %s needs --known-hosts" % args.host_key_policy)
    args.password = read_password(args.password_env)
    exit_with_parent()
    return args


def send_source(args):
    """Yield the bytes to send: --send-bytes of the deterministic stream, then --send-file."""
    if args.send_bytes:
        yield from deterministic_chunks(args.send_bytes, args.seed)
    if args.send_file:
        with open(args.send_file, "rb") as f:
            while True:
                data = f.read(CHUNK)
                if not data:
                    break
                yield data


def add_server_arguments(parser):
    """The command line shared by paramiko_server.py and asyncssh_server.py."""
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--host-key", metavar="FILE", action="append", required=True, help="host key (repeatable)")
    parser.add_argument("--user", default=None, help="the only accepted user (default: the current user)")
    parser.add_argument("--password-env", metavar="VAR", help="accept the password in environment variable VAR")
    parser.add_argument("--authorized-keys", metavar="FILE", help="accept the public keys in FILE")
    parser.add_argument("--rekey-bytes", type=int, metavar="N", help="rekey after about N bytes")
    parser.add_argument(
        "--max-connections", type=int, default=0, metavar="N", help="exit after N connections have closed"
    )


def resolve_server_arguments(args):
    import getpass

    if args.user is None:
        args.user = getpass.getuser()
    args.password = read_password(args.password_env)
    if args.password is None and not args.authorized_keys:
        raise SystemExit("error: give --password-env and/or --authorized-keys")
    exit_with_parent()
    return args


def load_authorized_keys(path):
    """[(key_type, base64)] from an authorized_keys file (options prefixes are not supported)."""
    keys = []
    if not path:
        return keys
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split()
            if len(fields) >= 2:
                keys.append((fields[0], fields[1]))
    return keys


def parse_server_command(text):
    """Map an exec command or subsystem name to an action: ('echo',), ('discard',), ('exit', N) or None."""
    words = text.split()
    if words == ["echo"]:
        return ("echo",)
    if words == ["discard"]:
        return ("discard",)
    if len(words) == 2 and words[0] == "exit" and words[1].isdigit():
        return ("exit", int(words[1]))
    return None
