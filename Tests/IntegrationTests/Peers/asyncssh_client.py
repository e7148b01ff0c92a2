#!/usr/bin/env python3
"""SSH client peer built on asyncssh, for Ferry's integration tests.

Same command line and JSON line as paramiko_client.py ("peer": "asyncssh"), plus algorithm
options --kex-algs, --encryption-algs, --mac-algs, --signature-algs and --host-key-algs (comma
separated lists, passed to asyncssh.connect). Never reads ~/.ssh: no config file, no default
keys, no agent, known_hosts only from --known-hosts.

Exit status: 0 on success, 1 on failure (JSON line has "ok": false and "error"), 2 on usage
errors, 3 when --timeout expires.
"""

import argparse
import asyncio
import sys
import time

import asyncssh

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import peer_common as common  # noqa: E402

KEX_SEEN = []


def _record_kex(original):
    def get_kex(conn, alg):
        KEX_SEEN.append(alg.decode())
        return original(conn, alg)

    return get_kex


# asyncssh keeps the agreed kex algorithm only while the exchange runs; record it on the way in.
asyncssh.connection.get_kex = _record_kex(asyncssh.connection.get_kex)


async def check_host_key(args, conn, result):
    key = conn.get_server_host_key()
    key_type, key_base64 = key.export_public_key("openssh").decode().split()[:2]
    result["host_key"] = "%s %s" % (key_type, key_base64)
    if args.host_key_policy == "record":
        common.append_known_host(args.known_hosts, args.host, args.port, key_type, key_base64)


async def run_channel(args, conn, result):
    process = await conn.create_process(
        command=args.command, subsystem=args.subsystem, encoding=None, term_type=None
    )
    received = common.Digest()
    stderr = bytearray()
    output = open(args.output, "wb") if args.output else None

    async def read_stdout():
        while True:
            data = await process.stdout.read(common.CHUNK)
            if not data:
                break
            received.update(data)
            if output:
                output.write(data)

    async def read_stderr():
        while True:
            data = await process.stderr.read(common.CHUNK)
            if not data:
                break
            if len(stderr) < 4096:
                stderr.extend(data[: 4096 - len(stderr)])

    async def write_stdin():
        sent = common.Digest()
        for chunk in common.send_source(args):
            process.stdin.write(chunk)
            sent.update(chunk)
            await process.stdin.drain()
        process.stdin.write_eof()
        return sent

    sent, _, _ = await asyncio.gather(write_stdin(), read_stdout(), read_stderr())
    if output:
        output.close()
    completed = await process.wait(check=False)
    result.update(
        exit_status=completed.exit_status,
        bytes_sent=sent.count,
        sha256_sent=sent.hexdigest(),
        bytes_received=received.count,
        sha256_received=received.hexdigest(),
        stderr=stderr.decode("utf-8", "replace"),
    )


async def session(args, result):
    options = dict(
        port=args.port,
        username=args.user,
        password=args.password,
        client_keys=args.key or None,
        known_hosts=args.known_hosts if args.host_key_policy == "check" else None,
        config=None,
        agent_path=None,
        agent_forwarding=False,
        connect_timeout=args.timeout,
        login_timeout=args.timeout,
    )
    if not args.key and args.password is None:
        options["preferred_auth"] = "none"
    for name in ("kex_algs", "encryption_algs", "mac_algs", "signature_algs", "server_host_key_algs"):
        value = common.split_list(getattr(args, name))
        if value is not None:
            options[name] = value
    if args.rekey_bytes:
        options["rekey_bytes"] = args.rekey_bytes

    try:
        conn = await asyncssh.connect(args.host, **options)
    except asyncssh.PermissionDenied as error:
        result["auth"] = "refused"
        if args.expect_auth_failure:
            result["ok"] = True
        else:
            result["error"] = "authentication refused: %s" % error
        return
    async with conn:
        result["auth"] = "accepted"
        await check_host_key(args, conn, result)
        result["algorithms"] = {
            "kex": KEX_SEEN[-1] if KEX_SEEN else None,
            "cipher_cs": conn.get_extra_info("send_cipher"),
            "cipher_sc": conn.get_extra_info("recv_cipher"),
            "mac_cs": conn.get_extra_info("send_mac"),
            "mac_sc": conn.get_extra_info("recv_mac"),
        }
        if args.expect_auth_failure:
            result["error"] = "authentication unexpectedly succeeded"
            return
        if args.command is not None or args.subsystem is not None:
            await run_channel(args, conn, result)
            if result["exit_status"] != args.expect_exit_status:
                result["error"] = "exit status %s, expected %s" % (result["exit_status"], args.expect_exit_status)
                return
        result["ok"] = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_client_arguments(parser)
    parser.add_argument("--kex-algs", metavar="LIST", help="comma separated kex_algs")
    parser.add_argument("--encryption-algs", metavar="LIST", help="comma separated encryption_algs")
    parser.add_argument("--mac-algs", metavar="LIST", help="comma separated mac_algs")
    parser.add_argument("--signature-algs", metavar="LIST", help="comma separated signature_algs")
    parser.add_argument("--host-key-algs", dest="server_host_key_algs", metavar="LIST", help="server_host_key_algs")
    args = common.resolve_client_arguments(parser.parse_args())

    result = {"ok": False, "peer": "asyncssh", "version": asyncssh.__version__, "auth": None}
    common.start_watchdog(args.timeout, result)
    asyncssh.set_debug_level(1)
    kex_log = common.MessageCounter("Completed key exchange").attach("asyncssh")

    started = time.monotonic()
    try:
        asyncio.run(session(args, result))
    except Exception as error:
        result["ok"] = False
        result["error"] = "%s: %s" % (type(error).__name__, error)
    result["kex_count"] = kex_log.count
    result["elapsed"] = round(time.monotonic() - started, 3)
    common.emit(result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
