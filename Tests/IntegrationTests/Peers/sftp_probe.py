#!/usr/bin/env python3
"""SFTP probes built on paramiko, for Ferry's robustness tests.

Logs in to --host/--port as --user with the password in the environment variable named by
--password-env (host key checked against --known-hosts), then runs one scenario:

  escape   Tries to leave the user's directory (paths with "..", absolute paths, symbolic links out,
           NUL bytes, overlong and odd Unicode names). --planted NAME is a link someone planted in
           the user's directory; --outside DIR is a directory outside it that must stay untouched.
           Prints one JSON line: {"ok": true, "steps": [{"step": ..., "ok": bool, "error": ...,
           "data": base64 of every byte read, "names": [...]}, ...]}.
  upload   Opens --path for writing, writes --first bytes, prints "STARTED", waits until the file
           --go exists, writes the rest up to --size bytes and closes. Prints one JSON line:
           {"ok": bool, "error": ..., "bytes": N}.

Exit status: 0 when the JSON line was printed, 2 on usage errors.
"""

import argparse
import base64
import json
import os
import socket
import sys
import time

import paramiko

sys.dont_write_bytecode = True


def connect(args):
    sock = socket.create_connection((args.host, args.port), timeout=30)
    transport = paramiko.Transport(sock)
    transport.start_client(timeout=30)
    key = transport.get_remote_server_key()
    known = paramiko.HostKeys(args.known_hosts)
    name = "[%s]:%d" % (args.host, args.port)
    entry = known.lookup(name)
    if entry is None or key.get_name() not in entry or entry[key.get_name()] != key:
        raise paramiko.SSHException("host key for %s not in %s" % (name, args.known_hosts))
    transport.auth_password(args.user, os.environ[args.password_env])
    return transport, paramiko.SFTPClient.from_transport(transport)


def text(value):
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else str(value)


class Steps:
    def __init__(self, sftp):
        self.sftp = sftp
        self.steps = []

    def run(self, step, action):
        record = {"step": step, "ok": False}
        try:
            result = action(self.sftp)
            record["ok"] = True
            if isinstance(result, bytes):
                record["data"] = base64.b64encode(result).decode()
            elif isinstance(result, list):
                record["names"] = [text(name) for name in result]
            elif result is not None:
                record["value"] = text(result)
        except Exception as error:  # noqa: BLE001 - every failure is an outcome to report
            record["error"] = "%s: %s" % (type(error).__name__, error)
        self.steps.append(record)
        return record


def read(path):
    def action(sftp):
        with sftp.open(path, "rb") as handle:
            return handle.read()

    return action


def write(path, data):
    def action(sftp):
        with sftp.open(path, "wb") as handle:
            handle.write(data)

    return action


def escape(args, sftp):
    steps = Steps(sftp)
    planted = args.planted.encode()
    outside = args.outside.encode()
    for path in [b"../../../../etc/passwd", b"/../etc/passwd", b"/etc/passwd", b"/../../../../../etc/passwd",
                 b"sub/../../../etc/passwd", b"./../etc/passwd", b"..//..//etc//passwd", b"/etc/../etc/passwd"]:
        steps.run("read " + text(path), read(path))
    for path in [b"/..", b"..", b"/../..", b"/../etc", b"/etc"]:
        steps.run("list " + text(path), lambda s, p=path: s.listdir(p))
    for path in [b"..", b"/../..", b"../../etc"]:
        steps.run("realpath " + text(path), lambda s, p=path: s.normalize(p))
    steps.run("chdir ..", lambda s: s.chdir(".."))
    steps.run("getcwd", lambda s: s.getcwd())
    steps.run("chdir /", lambda s: s.chdir("/"))

    # Links made through SFTP.
    steps.run("symlink absolute", lambda s: s.symlink("/etc/passwd", "abs-link"))
    steps.run("read absolute link", read(b"abs-link"))
    steps.run("symlink up", lambda s: s.symlink("../../..", "up"))
    steps.run("list up", lambda s: s.listdir("up"))
    steps.run("symlink relative passwd", lambda s: s.symlink("../../../../../../../../etc/passwd", "rel-link"))
    steps.run("read relative link", read(b"rel-link"))
    steps.run("symlink outside", lambda s: s.symlink(args.outside, "out-link"))
    steps.run("write through outside link", write(b"out-link/through-link", b"escaped"))
    steps.run("rename passwd in", lambda s: s.posix_rename("/etc/passwd", "moved-passwd"))

    # A link planted from outside.
    steps.run("read planted", read(planted + b"/passwd"))
    steps.run("list planted", lambda s: s.listdir(planted))
    steps.run("list planted slash", lambda s: s.listdir(planted + b"/"))
    steps.run("stat planted passwd", lambda s: s.stat(planted + b"/passwd").st_size)
    steps.run("write planted", write(planted + b"/ferry-escape", b"escaped"))

    # Writes aimed at the outside directory by climbing.
    climb = b"../../../" + os.path.basename(outside)
    steps.run("write climbing", write(climb + b"/climbed", b"escaped"))
    steps.run("write absolute outside", write(outside + b"/absolute", b"escaped"))
    steps.run("mkdir climbing", lambda s: s.mkdir(climb + b"/made"))
    steps.run("write local", write(b"local.txt", b"local"))
    steps.run("rename climbing", lambda s: s.rename("local.txt", climb + b"/renamed"))

    # NUL bytes, overlong names.
    steps.run("write nul", write(b"nul\x00name", b"nul"))
    steps.run("read passwd nul", read(b"/etc/passwd\x00ignored"))
    steps.run("read dots nul", read(b"x\x00/../../../../etc/passwd"))
    steps.run("mkdir nul", lambda s: s.mkdir(b"dir\x00name"))
    steps.run("write overlong", write(b"n" * 300, b"long"))
    steps.run("mkdir overlong", lambda s: s.mkdir(b"d" * 300))
    steps.run("write overlong path", write(b"/".join([b"p" * 200] * 30), b"long"))

    # Odd Unicode: NFC and NFD spellings are different names; a right-to-left override; a newline.
    nfc, nfd = "caf\u00e9.txt", "cafe\u0301.txt"
    steps.run("write nfc", write(nfc.encode(), b"nfc"))
    steps.run("write nfd", write(nfd.encode(), b"nfd"))
    steps.run("read nfc", read(nfc.encode()))
    steps.run("read nfd", read(nfd.encode()))
    rtl = "invoice\u202egnp.exe"
    steps.run("write rtl", write(rtl.encode(), b"rtl"))
    steps.run("read rtl", read(rtl.encode()))
    steps.run("write newline", write(b"line\nbreak.txt", b"newline"))
    steps.run("read newline", read(b"line\nbreak.txt"))
    steps.run("write invalid utf8", write(b"bad\xff\xfe.txt", b"bytes"))

    steps.run("list root", lambda s: s.listdir("/"))
    return {"ok": True, "steps": steps.steps}


def upload(args, sftp):
    chunk = b"\xa5" * 32768
    written = 0
    handle = sftp.open(args.path, "wb")
    try:
        while written < args.first:
            handle.write(chunk)
            written += len(chunk)
        handle.flush()
        sys.stdout.write("STARTED\n")
        sys.stdout.flush()
        deadline = time.monotonic() + 60
        while not os.path.exists(args.go):
            if time.monotonic() > deadline:
                raise RuntimeError("no go file")
            time.sleep(0.02)
        while written < args.size:
            handle.write(chunk)
            written += len(chunk)
        handle.close()
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": "%s: %s" % (type(error).__name__, error), "bytes": written}
    return {"ok": True, "bytes": written}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["escape", "upload"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-env", required=True)
    parser.add_argument("--known-hosts", required=True)
    parser.add_argument("--planted", default="planted")
    parser.add_argument("--outside", default="/nonexistent")
    parser.add_argument("--path")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--go")
    args = parser.parse_args()
    try:
        transport, sftp = connect(args)
    except Exception as error:  # noqa: BLE001
        print(json.dumps({"ok": False, "error": "connect: %s: %s" % (type(error).__name__, error)}))
        return 0
    try:
        report = escape(args, sftp) if args.scenario == "escape" else upload(args, sftp)
    finally:
        transport.close()
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
