#!/usr/bin/env python3
"""Writes N deterministic pseudo-random bytes: the same stream the client peers send for
--send-bytes N --seed S (AES-128-CTR keystream, see peer_common.deterministic_chunks).

  datagen.py --bytes N [--seed S] [--output FILE]     (default output: stdout)

Prints nothing else; exit status 0 on success.
"""

import argparse
import sys

sys.dont_write_bytecode = True

import peer_common as common  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bytes", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", metavar="FILE")
    args = parser.parse_args()
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    with out:
        for chunk in common.deterministic_chunks(args.bytes, args.seed, chunk=1024 * 1024):
            out.write(chunk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
