#!/usr/bin/env python3
"""Generates a repository of SSH-signed commits for bench/verify.sh.

  gen-signed.py DIR [--commits N]

Writes DIR (a fresh `git init`), an ed25519 key (DIR.key, DIR.key.pub) and its
allowed_signers line (DIR.allowed_signers), then N commits on main, each changing one
file, signed exactly as git signs them: the commit payload goes through
`ssh-keygen -Y sign -n git` and the signature into a `gpgsig` header. Objects are
written as loose objects here (zlib + SHA-1), so the only process per commit is
ssh-keygen; the repository is repacked at the end. Authors rotate among a few people,
all listed in allowed_signers with the one key (so every commit is "good" for both git
and vigil). Dates are fixed.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import zlib

PEOPLE = [
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Alan Turing", "alan@example.com"),
    ("Edsger Dijkstra", "edsger@example.com"),
]


def write_object(git_dir, kind, body):
    data = kind.encode() + b" " + str(len(body)).encode() + b"\0" + body
    oid = hashlib.sha1(data).hexdigest()
    path = os.path.join(git_dir, "objects", oid[:2], oid[2:])
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(zlib.compress(data))
    return oid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--commits", type=int, default=2000)
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    if os.path.exists(d):
        shutil.rmtree(d)
    for p in (d + ".key", d + ".key.pub"):
        if os.path.exists(p):
            os.remove(p)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", "init", "-q", "-b", "main", d], check=True, env=env)
    key = d + ".key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench", "-f", key], check=True)
    pub = " ".join(open(key + ".pub").read().split()[:2])
    with open(d + ".allowed_signers", "w") as f:
        f.write(",".join(e for _, e in PEOPLE) + " " + pub + "\n")
    git_dir = os.path.join(d, ".git")
    parent = None
    t = 1_600_000_000
    files = {}
    for i in range(a.commits):
        name, email = PEOPLE[i % len(PEOPLE)]
        path = "src/module%02d.txt" % (i % 40)
        files[path] = files.get(path, b"") + ("change %d by %s\n" % (i, name)).encode()
        # a two-level tree: src/ with up to 40 files
        entries = b"".join(
            b"100644 " + p.split("/")[1].encode() + b"\0" + bytes.fromhex(write_object(git_dir, "blob", c))
            for p, c in sorted(files.items())
        )
        src = write_object(git_dir, "tree", entries)
        tree = write_object(git_dir, "tree", b"40000 src\0" + bytes.fromhex(src))
        t += 600 + (i * 37) % 3000
        head = "tree %s\n" % tree
        if parent:
            head += "parent %s\n" % parent
        head += "author %s <%s> %d +0000\ncommitter %s <%s> %d +0000\n" % (name, email, t, name, email, t)
        payload = (head + "\nchange %d: update %s\n" % (i, path)).encode()
        sig = subprocess.run(
            ["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", key],
            input=payload, capture_output=True, check=True,
        ).stdout.decode().rstrip("\n").split("\n")
        gpgsig = "gpgsig " + sig[0] + "\n" + "".join(" " + l + "\n" for l in sig[1:])
        raw = (head + gpgsig + "\nchange %d: update %s\n" % (i, path)).encode()
        parent = write_object(git_dir, "commit", raw)
        if (i + 1) % 500 == 0:
            print("  %d commits" % (i + 1), file=sys.stderr)
    subprocess.run(["git", "-C", d, "update-ref", "refs/heads/main", parent], check=True, env=env)
    subprocess.run(["git", "-C", d, "repack", "-adq"], check=True, env=env)
    subprocess.run(["git", "-C", d, "prune-packed"], check=True, env=env)
    with open(os.path.join(git_dir, "vigil-gen-signed"), "w") as f:
        f.write("%d\n" % a.commits)


if __name__ == "__main__":
    main()
