#!/usr/bin/env python3
"""Writes the breadth benchmark's corpus: one item per file, and a manifest.

    bench/breadth/generate.py OUT [--seed 20]

Reads formats.toml (credential formats: documented prefix, length, alphabet, checksum),
templates.toml (how each is written in real configs) and negatives.toml (false-positive
probes) from this folder. Values are random over each format's documented alphabet and
length, drawn from a generator seeded with --seed: the same seed writes the same corpus.
OUT is emptied first if generate.py wrote it (it holds manifest.jsonl) or it is
empty; any other OUT is refused. The items go into OUT/corpus (the folder to scan), and
OUT/manifest.jsonl gets one JSON object per item: path (relative to OUT/corpus),
positive, family, format (positives) or kind (negatives), provider, context, class
(positives: named, split, bare or encoded), secret (as written in the file), lines
([first, last], 1-based: where the secret is), url (the source of the format's facts or
of a documented example value).
"""
import argparse
import base64
import binascii
import json
import random
import re
import shutil
import sys
import tomllib
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent

ALPHABETS = {
    "an": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "lan": "abcdefghijklmnopqrstuvwxyz0123456789",
    "uan": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "dig": "0123456789",
    "low": "abcdefghijklmnopqrstuvwxyz",
    "up": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "b32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "b64": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "b64u": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    "az": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-",
    "bech": "qpzry9x8gf2tvdw0s3jn54khce6mua7l",
    "BECH": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
}
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PASS_CHARS = ALPHABETS["an"] + "!*._-~"
FUNCS = {"crc62", "crc32hex", "uuid", "UUIDU", "b64bytes", "b64ubytes", "jwt", "pem", "pgp",
         "pgppub", "basic", "b64pem", "pass"}
TOKEN = re.compile(r"\{([A-Za-z0-9]+)(?::([^{}]*))?\}")
# Substrings that make a value look like a placeholder (a filter may rightly drop it):
# random parts of positives never contain them.
PLACEHOLDERISH = ("example", "test", "xxxx", "1234", "sample", "dummy", "fake", "abcd",
                  "0000", "aaaa", "demo", "todo", "temp")


def crc62(data: str) -> str:
    n = binascii.crc32(data.encode()) & 0xFFFFFFFF
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(6, "0")


def crc24(data: bytes) -> int:
    crc = 0xB704CE
    for b in data:
        crc ^= b << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def wrap64(s: str) -> str:
    return "\n".join(s[i:i + 64] for i in range(0, len(s), 64))


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def chars(self, alpha: str, n: int) -> str:
        return "".join(self.rng.choice(alpha) for _ in range(n))

    def randbytes(self, n: int) -> bytes:
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def uuid4(self) -> str:
        return str(uuid.UUID(bytes=self.randbytes(16), version=4))

    def password(self) -> str:
        n = self.rng.randint(16, 24)
        while True:
            p = self.chars(PASS_CHARS, n)
            if (any(c.isdigit() for c in p) and any(c.isupper() for c in p)
                    and any(c.islower() for c in p) and p[0].isalnum()):
                return p

    def pem(self, label: str, der_hex: str, n: int) -> str:
        body = base64.b64encode(bytes.fromhex(der_hex) + self.randbytes(int(n))).decode()
        return f"-----BEGIN {label}-----\n{wrap64(body)}\n-----END {label}-----"

    def pgp(self, kind: str) -> str:
        tag = b"\x95\x03\x98" if kind == "PRIVATE" else b"\x99\x01\x8d"
        data = tag + b"\x04" + self.randbytes(900 if kind == "PRIVATE" else 400)
        crc = base64.b64encode(crc24(data).to_bytes(3, "big")).decode()
        body = wrap64(base64.b64encode(data).decode())
        return (f"-----BEGIN PGP {kind} KEY BLOCK-----\n\n{body}\n={crc}\n"
                f"-----END PGP {kind} KEY BLOCK-----")

    def jwt(self, kind: str) -> str:
        now = 1_730_000_000 + self.rng.randint(0, 30_000_000)
        alg, sig = "HS256", 32
        if kind in ("supabase", "supabase_anon"):
            role = "service_role" if kind == "supabase" else "anon"
            payload = {"iss": "supabase", "ref": self.chars(ALPHABETS["low"], 20),
                       "role": role, "iat": now, "exp": now + 315_360_000}
        elif kind == "k8s":
            alg, sig = "RS256", 256
            payload = {"iss": "kubernetes/serviceaccount",
                       "kubernetes.io/serviceaccount/namespace": "ci",
                       "kubernetes.io/serviceaccount/service-account.name": "deployer",
                       "kubernetes.io/serviceaccount/service-account.uid": self.uuid4(),
                       "sub": "system:serviceaccount:ci:deployer"}
        elif kind == "jfrog":
            alg, sig = "RS256", 256
            payload = {"sub": f"jfac@{self.chars(ALPHABETS['lan'], 26)}/users/ci",
                       "scp": "applied-permissions/user", "aud": "*@*",
                       "iss": f"jfac@{self.chars(ALPHABETS['lan'], 26)}",
                       "exp": now + 31_536_000, "iat": now, "jti": self.uuid4()}
        elif kind == "turso":
            alg, sig = "EdDSA", 64
            payload = {"a": "rw", "iat": now, "id": self.uuid4()}
        elif kind == "monday":
            payload = {"tid": self.rng.randint(10**8, 10**9), "aai": 11,
                       "uid": self.rng.randint(10**7, 10**8), "iad": "2025-02-11T09:12:44.000Z",
                       "per": "me:write", "actid": self.rng.randint(10**6, 10**7), "rgn": "euc1"}
        else:
            payload = {"sub": self.uuid4(), "iat": now, "exp": now + 86_400}
        enc = lambda o: base64.urlsafe_b64encode(  # noqa: E731
            json.dumps(o, separators=(",", ":")).encode()).decode().rstrip("=")
        s = base64.urlsafe_b64encode(self.randbytes(sig)).decode().rstrip("=")
        return f"{enc({'alg': alg, 'typ': 'JWT'})}.{enc(payload)}.{s}"

    def value(self, pattern: str, avoid_literal_check=True) -> str:
        """Expands a value pattern (see formats.toml). Retries until the random characters
        hold nothing placeholder-like (fixed structure such as a DER header is not checked)."""
        literal = TOKEN.sub("", pattern).lower()
        for _ in range(1000):
            drawn = []  # random characters drawn so far (for the checksums)

            def sub(m):
                name, arg = m.group(1), m.group(2)
                if name in ALPHABETS and arg:
                    lo, _, hi = arg.partition("-")
                    n = self.rng.randint(int(lo), int(hi)) if hi else int(lo)
                    s = self.chars(ALPHABETS[name], n)
                    drawn.append(s)
                    return s
                if name == "crc62":
                    return crc62("".join(drawn))
                if name == "crc32hex":
                    return format(binascii.crc32("".join(drawn).encode()) & 0xFFFFFFFF, "08x")
                if name == "uuid":
                    return self.uuid4()
                if name == "UUIDU":
                    return self.uuid4().upper()
                if name == "b64bytes":
                    return base64.b64encode(self.randbytes(int(arg))).decode()
                if name == "b64ubytes":
                    return base64.urlsafe_b64encode(self.randbytes(int(arg))).decode().rstrip("=")
                if name == "jwt":
                    return self.jwt(arg)
                if name == "pem":
                    return self.pem(*arg.split(":"))
                if name == "b64pem":
                    return base64.b64encode(self.pem(*arg.split(":")).encode() + b"\n").decode()
                if name == "pgp":
                    return self.pgp("PRIVATE")
                if name == "pgppub":
                    return self.pgp("PUBLIC")
                if name == "basic":
                    user = self.chars(ALPHABETS["low"], self.rng.randint(5, 9))
                    return base64.b64encode(f"{user}:{self.password()}".encode()).decode()
                if name == "pass":
                    drawn.append(self.password())
                    return drawn[-1]
                return m.group(0)  # not a generator token: literal text

            v = TOKEN.sub(sub, pattern)
            if not avoid_literal_check:
                return v
            # the random parts (and the literal text around them) hold no placeholder word
            # the pattern's literal text does not already hold
            low = (literal + "|" + "|".join(drawn)).lower()
            if not any(w in low and w not in literal for w in PLACEHOLDERISH):
                return v
        raise SystemExit(f"could not draw a clean value for {pattern!r}")


def distinctive(pattern: str) -> bool:
    """A value a format rule can know without a variable name: a literal run of 3+
    characters, or PEM/PGP armor, or a JWT."""
    if re.search(r"\{(pem|pgp|jwt|b64pem)[:}]", pattern):
        return True
    return any(len(run) >= 3 for run in TOKEN.split(pattern)[::3])


def words(name: str):
    return [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]


def names(fmt) -> dict:
    n = fmt["n"]
    ws = [w.lower() for w in words(n)] or ["secret"]
    svc = (words(fmt["p"]) or ["app"])[0].lower()
    kws = ws[1:] if len(ws) > 1 and ws[0] == svc else ws
    return {
        "NAME": "_".join(w.upper() for w in ws),
        "name": "_".join(ws),
        "camel": ws[0] + "".join(w.title() for w in ws[1:]),
        "Pascal": "".join(w.title() for w in ws),
        "key": "_".join(kws),
        "keyCamel": kws[0] + "".join(w.title() for w in kws[1:]),
        "keyDotted": ".".join(kws),
        "svc": svc,
        "Svc": svc.title(),
        "host": fmt.get("host", f"api.{svc}.com"),
    }


def render(body: str, fields: dict, value: str, gen: Gen):
    """Fills a template in one pass (inserted text is never expanded again). Returns the
    text, the secret as written, and its [first, last] line."""
    out, pos, where, written = [], 0, None, None
    for m in TOKEN.finditer(body):
        out.append(body[pos:m.start()])
        pos = m.end()
        name = m.group(1)
        if name in ("V", "Vj", "Vindent4", "Vb64"):
            if name == "V":
                text = value
            elif name == "Vb64":
                text = base64.b64encode(value.encode()).decode()
            elif name == "Vj":
                text = json.dumps(value)[1:-1]
            else:
                text = "\n".join("    " + ln for ln in value.split("\n"))
            if where is None:
                start = sum(len(s) for s in out)
                where, written = start, (value if name == "Vindent4" else text)
                span_nl = text.count("\n")
        elif name in fields:
            text = fields[name]
        elif (name in ALPHABETS and m.group(2)) or name in FUNCS:
            text = gen.value(m.group(0), avoid_literal_check=False)
        else:
            text = m.group(0)
        out.append(text)
    out.append(body[pos:])
    doc = "".join(out)
    if where is None:
        raise SystemExit(f"template has no {{V}}: {body[:60]!r}")
    first = doc.count("\n", 0, where) + 1
    return doc, written, [first, first + span_nl]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args()

    with open(HERE / "formats.toml", "rb") as f:
        formats = tomllib.load(f)["f"]
    with open(HERE / "templates.toml", "rb") as f:
        tdoc = tomllib.load(f)
    with open(HERE / "negatives.toml", "rb") as f:
        ndoc = tomllib.load(f)
    tpl, generic, bare, split = dict(tdoc["tpl"]), tdoc["generic"], tdoc["bare"], tdoc["split"]
    tpl.update(bare)
    tpl.update(split)
    tpl.update(tdoc["encoded"])

    out = Path(args.out)
    if out.exists():
        # only ever empty a folder this script wrote (or an empty one)
        if not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.jsonl").is_file()):
            print(f"generate.py: {out} exists and is not a breadth corpus (no manifest.jsonl); "
                  "not touching it (remove it, or pick another folder)", file=sys.stderr)
            sys.exit(2)
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen = Gen(args.seed)
    manifest = []
    seen_ids = set()

    def write(rel_dir: str, ctx_file: str, doc: str, entry: dict):
        path = Path(rel_dir) / ctx_file
        full = out / "corpus" / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(doc, encoding="utf-8")
        entry["path"] = str(path)
        manifest.append(entry)

    for fmt in formats:
        if fmt["id"] in seen_ids:
            raise SystemExit(f"duplicate format id {fmt['id']}")
        seen_ids.add(fmt["id"])
        ctxs = [(c, "named") for c in (fmt.get("ctx") or gen.rng.sample(generic, 3))]
        if gen.rng.random() < 1 / 3:
            ctxs.append((gen.rng.choice(sorted(split)), "split"))
        if distinctive(fmt["v"]):
            ctxs.append((gen.rng.choice(sorted(bare)), "bare"))
            if gen.rng.random() < 0.25:
                ctxs.append(("k8s_data", "encoded"))
        for ctx, cls in ctxs:
            if ctx not in tpl:
                raise SystemExit(f"{fmt['id']}: unknown context {ctx}")
            fields = names(fmt)
            for k, pat in (fmt.get("x") or {}).items():
                fields[k] = gen.value(pat) if k not in ("IDNAME", "idkey") else pat
            value = gen.value(fmt["v"])
            file_name, body = tpl[ctx]
            file_name = TOKEN.sub(lambda m: fields.get(m.group(1), m.group(0)), file_name)
            doc, written, lines = render(body, fields, value, gen)
            write(f"pos/{fmt['fam']}/{fmt['id']}--{ctx}", file_name, doc, {
                "positive": True, "family": fmt["fam"], "format": fmt["id"],
                "provider": fmt["p"], "context": ctx, "class": cls, "secret": written, "lines": lines,
                "url": fmt["u"]})

    fams = sorted({f["fam"] for f in formats})
    by_fam = {fam: [f for f in formats if f["fam"] == fam] for fam in fams}
    for i, neg in enumerate(ndoc["neg"]):
        value = gen.value(neg["v"], avoid_literal_check=False)
        doc, written, lines = render(neg["body"], {}, value, gen)
        write(f"neg/{neg['fam']}/{neg['kind']}-{i:03d}", neg["file"], doc, {
            "positive": False, "family": neg["fam"], "kind": neg["kind"],
            "context": neg["file"], "secret": written, "lines": lines,
            "url": neg.get("u", "")})
    placeholders = ndoc["placeholders"]
    for fam in fams:
        for j in range(ndoc["placeholders_per_family"]):
            fmt = gen.rng.choice(by_fam[fam])
            ctx = gen.rng.choice(generic)
            value = placeholders[(j * 5 + fams.index(fam) * 3) % len(placeholders)]
            fields = names(fmt)
            file_name, body = tpl[ctx]
            file_name = TOKEN.sub(lambda m: fields.get(m.group(1), m.group(0)), file_name)
            doc, written, lines = render(body, fields, value, gen)
            write(f"neg/{fam}/placeholder-{j:02d}-{ctx}", file_name, doc, {
                "positive": False, "family": fam, "kind": "placeholder",
                "format": fmt["id"], "context": ctx, "secret": written, "lines": lines,
                "url": ""})

    # The scorer trusts `lines`: check that each names the lines the secret is on.
    for e in manifest:
        lines = (out / "corpus" / e["path"]).read_text(encoding="utf-8").split("\n")
        first, last = e["lines"]
        span = "\n".join(lines[first - 1:last])
        want = e["secret"] if first == last else e["secret"].split("\n")[0]
        if want not in span:
            raise SystemExit(f"{e['path']}: the secret is not on lines {first}-{last}")

    with open(out / "manifest.jsonl", "w", encoding="utf-8") as f:
        for e in manifest:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    pos = sum(1 for e in manifest if e["positive"])
    print(f"breadth corpus: {len(formats)} formats, {len(fams)} families, {pos} positive and "
          f"{len(manifest) - pos} negative items in {out / 'corpus'} (seed {args.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
