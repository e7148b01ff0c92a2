#!/usr/bin/env python3
"""A scripted SFTP session with asyncssh's SFTP client, for Ferry's interop tests.

Logs in with the private key --key, checks the server's host key against --known-hosts, and runs
every step below; each must succeed. Transfers use asyncssh's defaults (parallel requests).

Prints one JSON line: {"ok": true, "steps": [...], "upload": {"path", "bytes", "sha256"},
"download": {...}, "realpath": ..., "statvfs": {...}} or {"ok": false, "step": ..., "error": ...};
exit status 0 or 1.
"""

import argparse
import asyncio
import hashlib
import os
import sys
import traceback

import asyncssh

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import peer_common as common  # noqa: E402


class StepFailure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise StepFailure(message)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


async def session(args, result):
    steps = result["steps"]
    current = {"step": "connect"}

    def step(name):
        current["step"] = name
        steps.append(name)

    try:
        async with asyncssh.connect(
            args.host,
            port=args.port,
            username=args.user,
            client_keys=[args.key],
            known_hosts=args.known_hosts,
            agent_path=None,
            config=[],
            password=None,
            kbdint_auth=False,
            login_timeout=30,
        ) as conn:
            async with conn.start_sftp_client() as sftp:
                local = args.local_file
                size = os.path.getsize(local)
                local_sha = sha256_file(local)

                step("realpath")
                home = await sftp.realpath(".")
                expect(home == "/", "realpath('.'): %r" % home)
                result["realpath"] = await sftp.realpath("a/../b/./c")
                expect(result["realpath"] == "/b/c", "realpath('a/../b/./c'): %r" % result["realpath"])

                step("makedirs")
                await sftp.makedirs("tree/one/two")
                await sftp.makedirs("tree/one/two", exist_ok=True)
                expect(await sftp.isdir("tree/one/two"), "makedirs did not make tree/one/two")

                step("put")
                await sftp.put(local, "tree/one/big.bin")
                attrs = await sftp.stat("tree/one/big.bin")
                expect(attrs.size == size, "put: size %r, wanted %d" % (attrs.size, size))
                result["upload"] = {"path": "/tree/one/big.bin", "bytes": size, "sha256": local_sha}

                step("get")
                back = local + ".back"
                await sftp.get("tree/one/big.bin", back)
                back_sha = sha256_file(back)
                expect(back_sha == local_sha, "get: checksum %s, wanted %s" % (back_sha, local_sha))
                result["download"] = {"path": "/tree/one/big.bin", "bytes": size, "sha256": back_sha}

                step("remote_copy")
                # With handles it closes: given paths, remote_copy opens both files and never closes them,
                # and an upload appears under its name only once closed.
                async with sftp.open("tree/one/big.bin", "rb") as source:
                    async with sftp.open("tree/one/two/copy.bin", "wb") as target:
                        await sftp.remote_copy(source, target)
                copy = local + ".copy"
                await sftp.get("tree/one/two/copy.bin", copy)
                expect(sha256_file(copy) == local_sha, "remote_copy: the copy differs")

                step("glob")
                for name in ("a.txt", "b.txt", "c.log"):
                    async with sftp.open("tree/one/" + name, "wb") as handle:
                        await handle.write(name.encode())
                matches = sorted(await sftp.glob("tree/*/*.txt"))
                expect(matches == ["tree/one/a.txt", "tree/one/b.txt"], "glob: %r" % matches)
                matches = sorted(await sftp.glob("tree/**/*.bin"))
                expect(
                    matches == ["tree/one/big.bin", "tree/one/two/copy.bin"], "glob **: %r" % matches
                )

                step("statvfs")
                vfs = await sftp.statvfs(".")
                result["statvfs"] = {"bsize": vfs.bsize, "blocks": vfs.blocks, "bavail": vfs.bavail}
                expect(vfs.bsize > 0 and vfs.blocks > 0, "statvfs: %r" % vfs)

                step("rmtree")
                await sftp.rmtree("tree")
                expect(not await sftp.exists("tree"), "rmtree left tree behind")
                expect(await sftp.listdir(".") == [".", ".."], "rmtree: %r" % await sftp.listdir("."))

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
    parser.add_argument("--key", required=True)
    parser.add_argument("--known-hosts", required=True)
    parser.add_argument("--local-file", required=True, help="the file to upload (copies go beside it)")
    parser.add_argument("--timeout", type=float, default=240)
    args = parser.parse_args()
    result = {"peer": "asyncssh", "version": asyncssh.__version__, "steps": []}

    async def run():
        await asyncio.wait_for(session(args, result), args.timeout)

    try:
        asyncio.run(run())
    except asyncio.TimeoutError:
        result["ok"] = False
        result["error"] = "timed out after %ss in step %s" % (args.timeout, result["steps"][-1:])
    common.emit(result)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
