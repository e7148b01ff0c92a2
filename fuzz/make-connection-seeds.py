#!/usr/bin/env python3
"""Writes the seed inputs of the connection fuzzer into fuzz/connection-corpus/.

Each input is one selector byte (even: the engine is a server, odd: a client) followed by what the peer
sends: an identification line and plaintext binary packets (RFC 4253 §6, no MAC), so the fuzzer starts
from inputs that reach the key exchange.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "connection-corpus")


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def namelist(names):
    return string(",".join(names))


def packet(payload):
    padding = 8 - (5 + len(payload)) % 8
    if padding < 4:
        padding += 8
    return struct.pack(">IB", 1 + len(payload) + padding, padding) + payload + bytes(padding)


def kexinit(kex, hostkeys, follows=False):
    ciphers = ["aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr"]
    macs = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-256"]
    return (bytes([20]) + bytes(range(16)) + namelist(kex) + namelist(hostkeys) + namelist(ciphers) * 2
            + namelist(macs) * 2 + namelist(["none"]) * 2 + namelist([]) * 2 + bytes([1 if follows else 0])
            + struct.pack(">I", 0))


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    client_kex = ["curve25519-sha256", "ecdh-sha2-nistp256", "ext-info-c", "kex-strict-c-v00@openssh.com"]
    server_kex = ["curve25519-sha256", "kex-strict-s-v00@openssh.com"]
    hostkeys = ["ssh-ed25519", "rsa-sha2-512"]
    curve_point = bytes([9]) + bytes(31)
    p256_point = bytes([4]) + bytes(range(64))
    ident_c = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"
    ident_s = b"SSH-2.0-OpenSSH_9.2\r\n"
    write("server-kexinit", b"\x00" + ident_c + packet(kexinit(client_kex, hostkeys)))
    write("server-kexinit-ecdh", b"\x00" + ident_c + packet(kexinit(client_kex, hostkeys))
          + packet(bytes([30]) + string(curve_point)))
    write("server-guess", b"\x00" + ident_c + packet(kexinit(["ecdh-sha2-nistp256"] + client_kex, hostkeys, True))
          + packet(bytes([30]) + string(p256_point)) + packet(bytes([30]) + string(p256_point)))
    write("server-ignore-first", b"\x00" + ident_c + packet(bytes([2]) + string("x")) + packet(kexinit(client_kex, hostkeys)))
    write("server-unknown", b"\x00" + ident_c + packet(kexinit(client_kex, hostkeys)) + packet(bytes([200, 1, 2])))
    write("client-kexinit", b"\x01" + b"banner line\r\n" + ident_s + packet(kexinit(server_kex, hostkeys)))
    write("client-reply", b"\x01" + ident_s + packet(kexinit(server_kex, hostkeys))
          + packet(bytes([31]) + string(string("ssh-ed25519") + string(bytes(32))) + string(curve_point)
                   + string(string("ssh-ed25519") + string(bytes(64)))))


if __name__ == "__main__":
    main()
