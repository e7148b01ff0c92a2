#!/usr/bin/env python3
"""A scripted SFTP session with paramiko's SFTPClient, for Ferry's interop tests.

Logs in with a password (from the environment variable named by --password-env), checks the
server's host key against --known-hosts, and runs every step below; each must succeed. With
--reader and --reader-password-env it then logs in as a user without write permissions and
checks that an upload and a mkdir are refused with EACCES.

Prints one JSON line: {"ok": true, "steps": [...], "upload": {"path", "bytes", "sha256"},
"download": {...}} or {"ok": false, "step": ..., "error": ...}; exit status 0 or 1.
"""

import argparse
import errno
import hashlib
import os
import stat
import sys
import traceback

import paramiko

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import peer_common as common  # noqa: E402


class StepFailure(Exception):
    pass


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def connect(args, user, password):
    client = paramiko.SSHClient()
    client.load_host_keys(args.known_hosts)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        args.host,
        port=args.port,
        username=user,
        password=password,
        allow_agent=False,
        look_for_keys=False,
        timeout=30,
        banner_timeout=30,
        auth_timeout=30,
    )
    return client


def expect(condition, message):
    if not condition:
        raise StepFailure(message)


def session(args, result):
    steps = result["steps"]
    current = {"step": "connect"}

    def step(name):
        current["step"] = name
        steps.append(name)

    try:
        client = connect(args, args.user, os.environ[args.password_env])
        sftp = client.open_sftp()
        sftp.get_channel().settimeout(120)
        local = args.local_file
        size = os.path.getsize(local)
        local_sha = sha256_file(local)

        step("mkdir")
        sftp.mkdir("inbox")
        expect(stat.S_ISDIR(sftp.stat("inbox").st_mode), "inbox is not a directory")

        step("put")
        if args.pipelined_put:
            attrs = sftp.put(local, "inbox/big.bin", confirm=True)
        else:
            # One write at a time: paramiko's put pipelines its writes but then collects their replies in
            # request order, discarding any that come early, and waits forever for those (the protocol lets a
            # server reply in any order).
            with open(local, "rb") as source, sftp.open("inbox/big.bin", "wb") as target:
                for chunk in iter(lambda: source.read(32768), b""):
                    target.write(chunk)
            attrs = sftp.stat("inbox/big.bin")
        expect(attrs.st_size == size, "put reported size %r, wanted %d" % (attrs.st_size, size))
        result["upload"] = {"path": "/inbox/big.bin", "bytes": size, "sha256": local_sha}

        step("stat")
        attrs = sftp.stat("inbox/big.bin")
        expect(attrs.st_size == size and stat.S_ISREG(attrs.st_mode), "stat: %r" % attrs)

        step("listdir_attr")
        listing = {entry.filename: entry for entry in sftp.listdir_attr("inbox")}
        expect(list(listing) == ["big.bin"], "listdir_attr: %r" % list(listing))
        expect(listing["big.bin"].st_size == size, "listdir_attr size: %r" % listing["big.bin"])

        step("get")
        back = local + ".back"
        sftp.get("inbox/big.bin", back)
        back_sha = sha256_file(back)
        expect(back_sha == local_sha, "get: checksum %s, wanted %s" % (back_sha, local_sha))
        result["download"] = {"path": "/inbox/big.bin", "bytes": size, "sha256": back_sha}

        step("rename")
        sftp.rename("inbox/big.bin", "inbox/renamed.bin")
        expect(sorted(sftp.listdir("inbox")) == ["renamed.bin"], "rename: %r" % sftp.listdir("inbox"))

        step("posix_rename")
        with sftp.open("inbox/other.bin", "w") as handle:
            handle.write(b"to be replaced")
        sftp.posix_rename("inbox/renamed.bin", "inbox/other.bin")
        expect(sorted(sftp.listdir("inbox")) == ["other.bin"], "posix_rename: %r" % sftp.listdir("inbox"))
        expect(sftp.stat("inbox/other.bin").st_size == size, "posix_rename did not replace the target")
        sftp.posix_rename("inbox/other.bin", "inbox/final.bin")

        step("chmod")
        sftp.chmod("inbox/final.bin", 0o640)
        mode = stat.S_IMODE(sftp.stat("inbox/final.bin").st_mode)
        expect(mode == 0o640, "chmod: mode %o" % mode)

        step("utime")
        sftp.utime("inbox/final.bin", (1_500_000_000, 1_600_000_000))
        attrs = sftp.stat("inbox/final.bin")
        expect(attrs.st_mtime == 1_600_000_000, "utime: mtime %r" % attrs.st_mtime)
        expect(attrs.st_atime == 1_500_000_000, "utime: atime %r" % attrs.st_atime)

        step("symlink")
        # paramiko sends (target, link path), in the order OpenSSH's sftp-server expects.
        sftp.symlink("final.bin", "inbox/link")
        expect(stat.S_ISLNK(sftp.lstat("inbox/link").st_mode), "symlink: lstat is not a link")
        expect(sftp.stat("inbox/link").st_size == size, "symlink: stat does not follow the link")

        step("readlink")
        target = sftp.readlink("inbox/link")
        expect(target == "final.bin", "readlink: %r" % target)

        step("append")
        with sftp.open("inbox/log.txt", "w") as handle:
            handle.write(b"first line\n")
        with sftp.open("inbox/log.txt", "a") as handle:
            handle.write(b"second line\n")
        with sftp.open("inbox/log.txt", "r") as handle:
            text = handle.read()
        expect(text == b"first line\nsecond line\n", "append: %r" % text)

        step("remove")
        for name in ("link", "final.bin", "log.txt"):
            sftp.remove("inbox/" + name)
        expect(sftp.listdir("inbox") == [], "remove: %r" % sftp.listdir("inbox"))
        try:
            sftp.stat("inbox/final.bin")
            raise StepFailure("stat of a removed file succeeded")
        except FileNotFoundError:
            pass

        step("rmdir")
        sftp.rmdir("inbox")
        expect("inbox" not in sftp.listdir("."), "rmdir: %r" % sftp.listdir("."))

        sftp.close()
        client.close()

        if args.reader:
            step("reader-denied")
            client = connect(args, args.reader, os.environ[args.reader_password_env])
            sftp = client.open_sftp()
            sftp.listdir(".")
            for what, action in (
                ("upload", lambda: sftp.put(local, "denied.bin")),
                ("mkdir", lambda: sftp.mkdir("denied")),
            ):
                try:
                    action()
                    raise StepFailure("reader %s was allowed" % what)
                except PermissionError as error:
                    expect(error.errno == errno.EACCES, "reader %s: errno %r" % (what, error.errno))
                except IOError as error:
                    expect(error.errno == errno.EACCES, "reader %s: %r" % (what, error))
            sftp.close()
            client.close()

        result["ok"] = True
    except Exception as error:  # noqa: BLE001 - reported in the JSON line
        result["ok"] = False
        result["step"] = current["step"]
        result["error"] = "%s: %s" % (type(error).__name__, error)
        result["traceback"] = traceback.format_exc()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-env", required=True)
    parser.add_argument("--known-hosts", required=True)
    parser.add_argument("--local-file", required=True, help="the file to upload (its copy goes beside it)")
    parser.add_argument(
        "--pipelined-put", action="store_true", help="upload with SFTPClient.put(confirm=True)"
    )
    parser.add_argument("--reader")
    parser.add_argument("--reader-password-env")
    parser.add_argument("--log-file", help="paramiko's debug log (diagnostics)")
    args = parser.parse_args()
    if args.log_file:
        paramiko.util.log_to_file(args.log_file, level="DEBUG")
    result = {"peer": "paramiko", "version": paramiko.__version__, "steps": []}
    session(args, result)
    common.emit(result)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
