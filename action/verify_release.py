#!/usr/bin/env python3
"""Checks a downloaded vigil release with the standard library only.

GitHub's runners have python3 but not minisign, so the action's download path
(download.sh) uses this file:

  verify   a minisign signature (prehashed `ED`: BLAKE2b-512 of the file, then Ed25519),
           its key id, and the global signature over signature || trusted comment;
           optionally the trusted comment's `file:` and `tag:` fields
  sha256   a file's SHA-256, in hex
  extract  a .tar.gz or .zip into a new folder: top-level regular files only, nothing
           that could land outside the folder (no `..`, absolute paths, links, devices)

Ed25519 verification follows RFC 8032 (sections 5.1.3 decoding, 5.1.4 point addition,
5.1.7 verification), written from the RFC's description: verification only, so no
secret is ever handled and timing does not matter. The signature is accepted when
the encoding of [S]B - [k]A equals R, with S < L and A not of small order (as
libsodium, which minisign uses, checks). The minisign formats follow minisign's
published description (public key: "Ed" || key id || key; signature: algorithm ||
key id || signature, trusted comment line, global signature).

Errors go to stderr as one line each and the exit code is 1 (a check failed) or 2
(usage, or a file that is not of the expected form).
"""
from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import os
import shutil
import stat
import sys
import tarfile
import zipfile

# ---------------------------------------------------------------- Ed25519 (RFC 8032)

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _recover_x(y: int, sign: int) -> int | None:
    """x from y and x's low bit (RFC 8032 5.1.3 steps 2-4); None if there is none."""
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    vxx = (v * x * x) % P
    if vxx == u:
        pass
    elif vxx == (-u) % P:
        x = (x * SQRT_M1) % P
    else:
        return None
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = P - x
    return x


def _decode_point(b: bytes):
    if len(b) != 32:
        return None
    n = int.from_bytes(b, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, (x * y) % P)


def _encode_point(pt) -> bytes:
    x, y, z, _ = pt
    zi = pow(z, P - 2, P)
    x, y = (x * zi) % P, (y * zi) % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _add(p1, p2):
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = ((y1 - x1) * (y2 - x2)) % P
    b = ((y1 + x1) * (y2 + x2)) % P
    c = (t1 * 2 * D * t2) % P
    d = (z1 * 2 * z2) % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return ((e * f) % P, (g * h) % P, (f * g) % P, (e * h) % P)


def _double(p1):
    x1, y1, z1, _ = p1
    a = (x1 * x1) % P
    b = (y1 * y1) % P
    c = (2 * z1 * z1) % P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return ((e * f) % P, (g * h) % P, (f * g) % P, (e * h) % P)


IDENTITY = (0, 1, 1, 0)


def _mul(k: int, pt):
    q = IDENTITY
    while k:
        if k & 1:
            q = _add(q, pt)
        pt = _double(pt)
        k >>= 1
    return q


def _neg(pt):
    x, y, z, t = pt
    return ((-x) % P, y, z, (-t) % P)


_BY = (4 * pow(5, P - 2, P)) % P
BASE = (_recover_x(_BY, 0), _BY, 1, (_recover_x(_BY, 0) * _BY) % P)


def _is_identity(pt) -> bool:
    x, y, z, _ = pt
    return x % P == 0 and (y - z) % P == 0


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 5.1.7, cofactorless, with a canonical S and a public key not of small order."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decode_point(public_key)
    if a is None or _is_identity(_mul(8, a)):
        return False
    r_bytes = signature[:32]
    if _decode_point(r_bytes) is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(r_bytes + public_key + message).digest(), "little") % L
    check = _add(_mul(s, BASE), _neg(_mul(k, a)))
    return _encode_point(check) == r_bytes


# ---------------------------------------------------------------- minisign

MAX_SMALL_FILE = 64 * 1024  # public keys and .minisig files are a few hundred bytes


class Malformed(Exception):
    """A key or signature file that is not of minisign's form (exit 2)."""


class Failed(Exception):
    """A check that did not pass (exit 1)."""


def _read_small(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SMALL_FILE + 1)
    except OSError as e:
        raise Malformed(f"{path}: cannot read the {what}: {e.strerror}") from None
    if len(data) > MAX_SMALL_FILE:
        raise Malformed(f"{path}: the {what} is larger than {MAX_SMALL_FILE} bytes")
    return data


def _b64(text: str, where: str, length: int) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Malformed(f"{where}: not base64") from None
    if len(raw) != length:
        raise Malformed(f"{where}: {len(raw)} bytes of base64 data, expected {length}")
    return raw


def key_id_hex(key_id: bytes) -> str:
    """minisign shows a key id as the 8 bytes read as a little-endian number, in hex."""
    return f"{int.from_bytes(key_id, 'little'):016X}"


def parse_public_key(text: str, where: str) -> tuple[bytes, bytes]:
    """(key id, Ed25519 key) from a minisign public key file or its base64 line alone."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines and lines[0].startswith("untrusted comment:"):
        lines = lines[1:]
    if len(lines) != 1:
        raise Malformed(f"{where}: expected a minisign public key (an untrusted comment line, then one base64 line)")
    raw = _b64(lines[0], f"{where}: the public key", 42)
    if raw[:2] != b"Ed":
        raise Malformed(f"{where}: the key's algorithm is {raw[:2]!r}, expected b'Ed' (Ed25519)")
    return raw[2:10], raw[10:42]


class Signature:
    def __init__(self, algorithm: bytes, key_id: bytes, sig: bytes, trusted_comment: bytes, global_sig: bytes):
        self.algorithm = algorithm
        self.key_id = key_id
        self.sig = sig
        self.trusted_comment = trusted_comment
        self.global_sig = global_sig


def parse_signature(data: bytes, where: str) -> Signature:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines = lines[:-1]
    lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]
    if len(lines) != 4:
        raise Malformed(f"{where}: {len(lines)} lines, expected 4 (untrusted comment, signature, trusted comment, global signature)")
    if not lines[0].startswith(b"untrusted comment:"):
        raise Malformed(f"{where}: line 1 does not start with 'untrusted comment:'")
    prefix = b"trusted comment: "
    if not lines[2].startswith(prefix):
        raise Malformed(f"{where}: line 3 does not start with 'trusted comment: '")
    try:
        sig_line, global_line = lines[1].decode("ascii"), lines[3].decode("ascii")
    except UnicodeDecodeError:
        raise Malformed(f"{where}: the signature lines are not ASCII base64") from None
    raw = _b64(sig_line, f"{where}: line 2 (the signature)", 74)
    global_sig = _b64(global_line, f"{where}: line 4 (the global signature)", 64)
    return Signature(raw[:2], raw[2:10], raw[10:74], lines[2][len(prefix):], global_sig)


def blake2b_file(path: str) -> bytes:
    h = hashlib.blake2b(digest_size=64)
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as e:
        raise Malformed(f"{path}: cannot read the signed file: {e.strerror}") from None
    return h.digest()


def comment_fields(comment: bytes) -> dict[str, str]:
    """vigil's trusted comment: tab-separated `name:value` fields."""
    fields: dict[str, str] = {}
    for part in comment.decode("utf-8", "replace").split("\t"):
        name, sep, value = part.partition(":")
        if sep:
            fields.setdefault(name, value)
    return fields


def printable(text: str) -> str:
    """The text with control characters shown as \\xNN, for one-line messages."""
    return "".join(c if c.isprintable() or c == "\t" else f"\\x{ord(c):02x}" for c in text)


def verify_minisign(key_text: str, key_where: str, sig_path: str, file_path: str,
                    tag: str | None = None, file_name: str | None = None) -> str:
    """Checks everything and returns the trusted comment; raises Failed or Malformed."""
    key_id, public_key = parse_public_key(key_text, key_where)
    sig = parse_signature(_read_small(sig_path, "minisign signature"), sig_path)
    if sig.algorithm == b"Ed":
        raise Failed(f"{sig_path}: a legacy (not prehashed) minisign signature: vigil releases are signed prehashed ('ED'), so this one is refused")
    if sig.algorithm != b"ED":
        raise Malformed(f"{sig_path}: signature algorithm {sig.algorithm!r}, expected b'ED' (prehashed Ed25519)")
    if sig.key_id != key_id:
        raise Failed(f"{sig_path}: signed by key {key_id_hex(sig.key_id)}, but the trusted key is {key_id_hex(key_id)}")
    if not ed25519_verify(public_key, blake2b_file(file_path), sig.sig):
        raise Failed(f"{sig_path}: the signature does not match {file_path} (the file or the signature was changed)")
    if not ed25519_verify(public_key, sig.sig + sig.trusted_comment, sig.global_sig):
        raise Failed(f"{sig_path}: the trusted comment's signature is invalid (the comment was changed)")
    comment = sig.trusted_comment.decode("utf-8", "replace")
    fields = comment_fields(sig.trusted_comment)
    if file_name is not None and fields.get("file") != file_name:
        raise Failed(f"{sig_path}: the trusted comment names file {printable(fields.get('file', '(none)'))!r}, expected {file_name!r}")
    if tag is not None and fields.get("tag") != tag:
        raise Failed(f"{sig_path}: the trusted comment names tag {printable(fields.get('tag', '(none)'))!r}, expected {tag!r}")
    return comment


# ---------------------------------------------------------------- archives

MAX_MEMBERS = 64
MAX_TOTAL = 1 << 30  # 1 GiB unpacked, far above a release binary


def _member_name(name: str, archive: str) -> str | None:
    """The member's file name if it is a plain top-level name; None for the `.` folder."""
    if name in (".", "./"):
        return None
    if name.startswith("./"):
        name = name[2:]
    bad = (
        not name
        or "/" in name
        or "\\" in name
        or ":" in name
        or name in (".", "..")
        or any(ord(c) < 32 for c in name)
    )
    if bad:
        raise Failed(f"{archive}: the entry {printable(name)!r} is not a plain file name at the archive's top level: refused, nothing extracted")
    return name


def _plan_tar(archive: str):
    plan = []
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for count, m in enumerate(tar, 1):
                if count > MAX_MEMBERS:
                    raise Failed(f"{archive}: more than {MAX_MEMBERS} entries: refused, nothing extracted")
                name = _member_name(m.name, archive)
                if name is None:
                    if m.isdir():
                        continue
                    raise Failed(f"{archive}: the entry {printable(m.name)!r} is not a plain file name: refused, nothing extracted")
                if not m.isfile():
                    kind = "a link" if (m.issym() or m.islnk()) else "a folder" if m.isdir() else "not a regular file"
                    raise Failed(f"{archive}: the entry {printable(m.name)!r} is {kind}: refused, nothing extracted")
                plan.append((name, m.size, bool(m.mode & 0o111)))
    except (tarfile.TarError, OSError, EOFError) as e:
        raise Failed(f"{archive}: not a readable .tar.gz: {e}") from None
    return plan


def _plan_zip(archive: str):
    plan = []
    try:
        with zipfile.ZipFile(archive) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise Failed(f"{archive}: more than {MAX_MEMBERS} entries: refused, nothing extracted")
            for i in infos:
                name = _member_name(i.filename, archive)
                mode = i.external_attr >> 16
                if name is None:
                    if i.is_dir():
                        continue
                    raise Failed(f"{archive}: the entry {printable(i.filename)!r} is not a plain file name: refused, nothing extracted")
                # Unix zips record the file type in the high bits; Windows ones leave it 0.
                if i.is_dir() or stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                    raise Failed(f"{archive}: the entry {printable(i.filename)!r} is not a regular file: refused, nothing extracted")
                plan.append((name, i.file_size, bool(mode & 0o111)))
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise Failed(f"{archive}: not a readable .zip: {e}") from None
    return plan


def _open_members(archive: str):
    """Yields (name, readable) for each regular file, in archive order."""
    if archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            for i in z.infolist():
                if not i.is_dir():
                    with z.open(i) as f:
                        yield _member_name(i.filename, archive), f
    else:
        with tarfile.open(archive, "r:gz") as tar:
            for m in tar:
                if m.isfile():
                    f = tar.extractfile(m)
                    yield _member_name(m.name, archive), f


def extract(archive: str, dest: str, binary: str) -> str:
    """Unpacks the archive into dest (which must not exist) and returns the binary's path."""
    plan = _plan_zip(archive) if archive.endswith(".zip") else _plan_tar(archive)
    names = [n for n, _, _ in plan]
    if len(set(n.lower() for n in names)) != len(names):
        raise Failed(f"{archive}: an entry name appears twice: refused, nothing extracted")
    if binary not in names:
        raise Failed(f"{archive}: no {binary!r} at the archive's top level: refused, nothing extracted")
    if sum(size for _, size, _ in plan) > MAX_TOTAL:
        raise Failed(f"{archive}: unpacks to more than {MAX_TOTAL} bytes: refused, nothing extracted")
    if os.path.lexists(dest):
        raise Failed(f"{dest}: already exists; extract into a new folder")
    parent = os.path.dirname(os.path.abspath(dest))
    staging = os.path.join(parent, "." + os.path.basename(dest) + ".partial")
    if os.path.lexists(staging):
        raise Failed(f"{staging}: left over from an earlier run; remove it")
    os.mkdir(staging, 0o755)
    sizes = {n: s for n, s, _ in plan}
    executable = {n for n, _, x in plan if x} | {binary}
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        for name, f in _open_members(archive):
            written = 0
            fd = os.open(os.path.join(staging, name), flags, 0o755 if name in executable else 0o644)
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    written += len(chunk)
                    if written > sizes[name]:
                        raise Failed(f"{archive}: {name!r} holds more bytes than its header says")
                    out.write(chunk)
        os.rename(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return os.path.join(dest, binary)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- command line

def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="verify_release.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="check a minisign signature (prehashed) of FILE")
    key = v.add_mutually_exclusive_group(required=True)
    key.add_argument("-p", "--public-key", metavar="FILE", help="minisign public key file")
    key.add_argument("-P", "--public-key-string", metavar="KEY", help="the key's base64 line (RW...)")
    v.add_argument("-x", "--signature", metavar="SIG", help="the .minisig file (default: FILE.minisig)")
    v.add_argument("--tag", help="require the trusted comment's tag: field to equal TAG")
    v.add_argument("--file-name", help="require the trusted comment's file: field to equal NAME")
    v.add_argument("file", metavar="FILE")
    s = sub.add_parser("sha256", help="print FILE's SHA-256 in hex")
    s.add_argument("file", metavar="FILE")
    e = sub.add_parser("extract", help="unpack a release archive into a new folder")
    e.add_argument("--archive", required=True)
    e.add_argument("--dest", required=True, help="a folder that does not exist yet")
    e.add_argument("--binary", required=True, help="the file that must be at the top level (vigil or vigil.exe)")
    args = ap.parse_args(argv)
    try:
        if args.command == "verify":
            if args.public_key is not None:
                text = _read_small(args.public_key, "public key").decode("utf-8", "replace")
                where = args.public_key
            else:
                text, where = args.public_key_string, "the public key given with -P"
            comment = verify_minisign(text, where, args.signature or args.file + ".minisig", args.file,
                                      tag=args.tag, file_name=args.file_name)
            print("Signature and comment signature verified")
            print("Trusted comment: " + printable(comment))
        elif args.command == "sha256":
            print(sha256_file(args.file))
        else:
            print(extract(args.archive, args.dest, args.binary))
    except Failed as err:
        print(str(err), file=sys.stderr)
        return 1
    except Malformed as err:
        print(str(err), file=sys.stderr)
        return 2
    except OSError as err:
        print(f"{err.filename or ''}: {err.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
