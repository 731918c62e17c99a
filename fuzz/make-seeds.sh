#!/usr/bin/env bash
# Writes the seed corpora, fuzz/corpus/<target>/, from the real tools: git, ssh-keygen,
# gpg, minisign, sha256sum and vigil itself (its keygen and sign), plus the project's
# own configuration fixtures. Small on purpose (committed); the fuzzer grows its own
# corpus in fuzz/corpus-run/ (ignored).
#
#   fuzz/make-seeds.sh VIGIL_BINARY [FOLDER]
#
# FOLDER: where to write them (default fuzz/corpus, which it replaces).
# Keys and tokens made here are throwaway test material. Not byte-for-byte
# reproducible (the tools pick fresh keys); the committed seeds are one run of it.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$PWD
vigil=$(realpath "${1:?usage: fuzz/make-seeds.sh VIGIL_BINARY}")
out=$(realpath -m "${2:-fuzz/corpus}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GNUPGHOME=$work/gnupg GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
mkdir -m 700 "$GNUPGHOME"
sep=$'\n-8<-\n'   # vigil_fuzz::SEPARATOR, between the parts of one input
rm -rf "$out"
for t in git_signed ssh allowed_signers openpgp minisign sums dsse config ci_event detector; do
  mkdir -p "$out/$t"
done
# put KIND NAME: stdin becomes a seed of the target reading KIND (ssh reads keys and
# signatures; config reads .vigil.toml, .gitleaks.toml and baselines)
put() {
  case $1 in
  ssh_key | sshsig) cat >"$out/ssh/$1-$2" ;;
  vigil_config | gitleaks | baseline) cat >"$out/config/$1-$2" ;;
  *) cat >"$out/$1/$2" ;;
  esac
}

# --- keys: SSH (each type ssh-keygen makes, a CA and a certificate), OpenPGP, minisign
cd "$work"
ssh-keygen -q -t ed25519 -N '' -C dev-ed25519@example.com -f ssh-ed25519
for k in ecdsa-256 ecdsa-384 ecdsa-521 rsa-1024; do
  ssh-keygen -q -t "${k%-*}" -b "${k#*-}" -N '' -C "dev-$k@example.com" -f "ssh-$k"
done
ssh-keygen -q -t ed25519 -N '' -C ca@example.com -f ca
ssh-keygen -q -s ca -I dev -n dev@example.com -V 20250101:20300101 ssh-ed25519.pub
python3 - <<'EOF' >sk.pub
import base64, struct
def s(b): return struct.pack(">I", len(b)) + b
ed = s(b"sk-ssh-ed25519@openssh.com") + s(b"\x11" * 32) + s(b"ssh:")
ec = s(b"sk-ecdsa-sha2-nistp256@openssh.com") + s(b"nistp256") + s(b"\x04" + b"\x22" * 64) + s(b"ssh:")
print("sk-ssh-ed25519@openssh.com", base64.b64encode(ed).decode(), "sk@example.com")
print("sk-ecdsa-sha2-nistp256@openssh.com", base64.b64encode(ec).decode(), "sk-ec@example.com")
EOF
gpg -q --batch --passphrase '' --quick-gen-key 'Dev <dev@example.com>' ed25519 sign 2y 2>/dev/null
gpg -q --batch --passphrase '' --quick-gen-key 'Rsa Dev <rsa@example.com>' rsa2048 sign 2y 2>/dev/null
printf 'fuzz\nfuzz\n' | minisign -G -W -p mini.pub -s mini.key >/dev/null 2>&1 || true
[ -s mini.key ] || minisign -G -W -p mini.pub -s mini.key >/dev/null

# ssh_key: key lines, certificates, blobs
n=0
for f in ssh-*.pub ca.pub ssh-ed25519-cert.pub; do
  n=$((n + 1)); put ssh_key "line-$n" <"$f"
  cut -d' ' -f2 "$f" | base64 -d | put ssh_key "blob-$n"
done
put ssh_key sk-lines <sk.pub

# sshsig: each key type, armored and binary, then the message
echo 'the signed message' >msg
for k in ed25519 ecdsa-256 rsa-1024; do
  ssh-keygen -q -Y sign -n git -f "ssh-$k" msg
  { cat msg.sig; printf '%s' "$sep"; cat msg; } | put sshsig "armored-$k"
  { sed '1d;$d' msg.sig | base64 -d; printf '%s' "$sep"; cat msg; } | put sshsig "binary-$k"
  rm msg.sig
done
ssh-keygen -q -Y sign -n file -f ssh-ed25519 -O hashalg=sha256 msg
{ cat msg.sig; printf '%s' "$sep"; cat msg; } | put sshsig armored-sha256
rm msg.sig
ssh-keygen -q -Y sign -n git -f ssh-ed25519 -O hashalg=sha512 msg </dev/null
{ cat msg.sig; printf '%s' "$sep"; cat msg; } | put sshsig armored-plain
rm msg.sig

# allowed_signers: options of every kind, then revoked keys, then "principal\nkey"
{
  echo '# trusted signers'
  echo "dev@example.com $(cut -d' ' -f1,2 ssh-ed25519.pub)"
  echo "*@example.com,!bad@example.com namespaces=\"git,file\" $(cut -d' ' -f1,2 ssh-ecdsa-256.pub)"
  echo "rsa@example.com valid-after=\"20250101\",valid-before=\"20300101Z\" $(cut -d' ' -f1,2 ssh-rsa-1024.pub)"
  echo "\"quoted user\" cert-authority $(cut -d' ' -f1,2 ca.pub) ca"
  echo "sk@example.com $(head -1 sk.pub)"
  printf '%s' "$sep"
  echo '# revoked'; cut -d' ' -f1,2 ssh-ecdsa-521.pub
  printf '%s' "$sep"
  echo dev@example.com; cat ssh-ed25519-cert.pub
} | put allowed_signers full
{ echo "dev@example.com $(cat ssh-ed25519.pub)"; printf '%s' "$sep"; printf '%s' "$sep"; echo dev@example.com; cat ssh-ed25519.pub; } \
  | put allowed_signers one

# openpgp: keyring (armored, binary), then a detached signature, then the payload
for who in dev rsa; do
  gpg -q --batch -a --export "$who@example.com" >"$who.asc"
  gpg -q --batch --export "$who@example.com" >"$who.gpg"
  gpg -q --batch -u "$who@example.com" -a --detach-sign -o "$who.sig.asc" msg
  gpg -q --batch -u "$who@example.com" --detach-sign -o "$who.sig" msg
  { cat "$who.asc"; printf '%s' "$sep"; cat "$who.sig.asc"; printf '%s' "$sep"; cat msg; } | put openpgp "armored-$who"
  { cat "$who.gpg"; printf '%s' "$sep"; cat "$who.sig"; printf '%s' "$sep"; cat msg; } | put openpgp "binary-$who"
done
{ cat dev.asc rsa.asc; printf '%s' "$sep"; cat rsa.sig.asc; printf '%s' "$sep"; echo tampered; } | put openpgp two-keys

# minisign: public key, signature, message, secret key (unencrypted; and encrypted with
# the password "fuzz" under small scrypt limits, which the target opens)
minisign -S -s mini.key -m msg -t 'timestamp:1767225600	file:msg' >/dev/null 2>&1 </dev/null
{ cat mini.pub; printf '%s' "$sep"; cat msg.minisig; printf '%s' "$sep"; cat msg; printf '%s' "$sep"; cat mini.key; } \
  | put minisign minisign-tool
minisign -S -l -s mini.key -m msg -x legacy.minisig >/dev/null 2>&1 </dev/null
{ cat mini.pub; printf '%s' "$sep"; cat legacy.minisig; printf '%s' "$sep"; cat msg; } | put minisign legacy
python3 - mini.key <<'EOF' >encrypted.key
import base64, hashlib, struct, sys
lines = open(sys.argv[1]).read().splitlines()
raw = bytearray(base64.b64decode(lines[1]))
kid, kp = raw[54:62], raw[62:126]
chk = hashlib.blake2b(b"Ed" + kid + kp, digest_size=32).digest()
payload = bytes(kid + kp) + chk
ops, mem = 524288, 1 << 25   # scrypt N=2^14, r=8, p=1 (libsodium's pickparams)
stream = hashlib.scrypt(b"fuzz", salt=bytes(raw[6:38]), n=1 << 14, r=8, p=1, maxmem=1 << 26, dklen=104)
enc = bytes(a ^ b for a, b in zip(payload, stream))
out = b"EdScB2" + bytes(raw[6:38]) + struct.pack("<QQ", ops, mem) + enc
print("untrusted comment: minisign encrypted secret key")
print(base64.b64encode(out).decode())
EOF
{ printf '%s' "$sep"; printf '%s' "$sep"; printf '%s' "$sep"; cat encrypted.key; } | put minisign encrypted-key

# vigil's own release files: SHA256SUMS, minisign, SSHSIG, DSSE provenance
mkdir rel
printf 'binary\n' >rel/app.tar.gz
printf 'odd\n' >'rel/we\ird name.txt'
"$vigil" keygen --out-dir . --name v --unencrypted >/dev/null
"$vigil" sign --key v.key --tag v1.0.0 --commit 0123456789abcdef0123456789abcdef01234567 \
  --repository https://example.com/app --timestamp 1767225600 rel/app.tar.gz 'rel/we\ird name.txt' >/dev/null
put sums vigil <rel/SHA256SUMS
(cd rel && sha256sum app.tar.gz 'we\ird name.txt') | put sums sha256sum
(cd rel && sha256sum -b app.tar.gz) | put sums binary-mode
{ cat v.pub; printf '%s' "$sep"; cat rel/SHA256SUMS.minisig; printf '%s' "$sep"; cat rel/SHA256SUMS; printf '%s' "$sep"; cat v.key; } \
  | put minisign vigil
{ cat rel/SHA256SUMS.sig; printf '%s' "$sep"; cat rel/SHA256SUMS; } | put sshsig vigil
{ cat rel/provenance.intoto.jsonl; printf '%s' "$sep"; cat v.pub; printf '%s' "$sep";
  head -1 rel/provenance.intoto.jsonl | python3 -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)["payload"]))'
} | put dsse vigil
{ cat v.allowed_signers; printf '%s' "$sep"; printf '%s' "$sep"; echo release@vigil; cat v.ssh.pub; } | put allowed_signers vigil

# git_signed: real commit and tag objects: unsigned, SSH- and OpenPGP-signed, a merge
# with a mergetag, a SHA-256 repository's signed commit
g() { git -c user.name=Dev -c user.email=dev@example.com -c init.defaultBranch=main \
  -c gpg.ssh.allowedSignersFile=/dev/null "$@"; }
g init -q repo
cd repo
g commit -q --allow-empty -m 'plain commit'
git cat-file commit HEAD | put git_signed commit-plain
g -c gpg.format=ssh -c user.signingkey="$work/ssh-ed25519" commit -q --allow-empty -S -m 'ssh signed'
git cat-file commit HEAD | put git_signed commit-ssh
g -c user.signingkey=dev@example.com commit -q --allow-empty -S -m 'gpg signed'
git cat-file commit HEAD | put git_signed commit-gpg
g -c gpg.format=ssh -c user.signingkey="$work/ssh-ed25519" tag -s -m 'ssh tag' v1
git cat-file tag v1 | put git_signed tag-ssh
g -c user.signingkey=dev@example.com tag -s -m 'gpg tag' v2
git cat-file tag v2 | put git_signed tag-gpg
g checkout -q -b side HEAD~1
g commit -q --allow-empty -m side
g -c user.signingkey=dev@example.com tag -s -m 'side tag' v3
g checkout -q main
g -c user.signingkey=dev@example.com merge -q --no-ff -S -m merge v3 >/dev/null 2>&1
git cat-file commit HEAD | put git_signed merge-mergetag
cd "$work"
g init -q --object-format=sha256 repo256
cd repo256
g -c gpg.format=ssh -c user.signingkey="$work/ssh-ed25519" commit -q --allow-empty -S -m 'sha256'
git cat-file commit HEAD | put git_signed commit-sha256-ssh
cd "$work"

# configuration: the project's own .vigil.toml files, the gitleaks fixture
cd "$project"
n=0
for f in .github/vigil.toml $(find examples docs -name '*.vigil.toml' -o -name '.vigil.toml' 2>/dev/null); do
  n=$((n + 1)); put vigil_config "config-$n" <"$f"
done
python3 - "$out/config" <<'EOF'
import pathlib, re, sys
# each ```toml block of the docs that looks like a .vigil.toml
n = 0
for p in sorted(pathlib.Path("docs").glob("*.md")):
    for b in re.findall(r"```toml\n(.*?)```", p.read_text(), re.S):
        if re.search(r"^\[(scan|allowlist|verify|release|\[rule\]\])", b, re.M):
            n += 1
            pathlib.Path(sys.argv[1], f"vigil_config-docs-{n:02d}-{p.stem}").write_text(b)
EOF
put vigil_config everything <<'EOF'
[scan]
max_file_size = 1048576
disable_rules = ["generic-password"]
fingerprint_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
fail_on = "medium"

[allowlist]
paths = ["tests/**", "*.lock"]
regexes = ['^EXAMPLE']
regex_target = "line"
stopwords = ["dummy"]

[[rule]]
id = "internal-token"
description = "Internal service token"
keywords = ["itk_"]
regex = '''\b(itk_[0-9a-f]{32})\b'''
secret_group = 1
entropy = 3.0
severity = "high"
tags = ["internal"]
remediation = "Revoke it in the admin console."
remediation_url = "https://example.com/tokens"
examples = ["token = itk_0123456789abcdef0123456789abcdef"]
negative_examples = ["itk_short"]

[rule.allowlist]
paths = ["**/testdata/**"]
stopwords = ["sample"]

[release]
minisign_key = "release/vigil.pub"
ssh_key = "release/vigil.ssh.pub"
repository = "https://example.com/app"
builder = "https://github.com/*"
max_age = "90d"
require_provenance = true

[verify]
allowed_signers = ".vigil/allowed_signers"
revoked_keys = ".vigil/revoked_keys"
keyring = ".vigil/keyring.asc"
start = "9fceb02d0ae598e95dc970b74767f19372d61af8"
tags = true
key_time = "claimed"
forge_keys = ["968479A1AFF927E37D1A566BB5690EEEBB952194"]
on_push = true
EOF
{ cat fixtures/gitleaks/repo/.gitleaks.toml; printf '%s' "$sep"; cat fixtures/gitleaks/repo/.gitleaksignore; } \
  | put gitleaks fixture

# baseline: one made by vigil over the sample app, with reasons and expiry dates
(cd "$work" && cp -r "$project/examples/leaky-app" app && cd app && git init -q . \
  && "$vigil" baseline create . --reason 'accepted # for now' --expires 2999-01-01 >/dev/null 2>&1)
put baseline vigil-create <"$work/app/.vigil-baseline"

# ci_event: GitHub events and GitLab pipelines over the fuzz repository's commits
# (crates/fuzz/src/ci.rs makes them with these fixed dates and names)
cd "$work"
git -c user.name=Fuzz -c user.email=fuzz@example.com -c commit.gpgsign=false -c init.defaultBranch=main init -q ci
cd ci
c() { git -c user.name=Fuzz -c user.email=fuzz@example.com -c commit.gpgsign=false "$@"; }
c commit -q --allow-empty -m root; c branch side; c commit -q --allow-empty -m main
c checkout -q side; c commit -q --allow-empty -m side; c checkout -q main
root=$(git rev-parse main~1) main=$(git rev-parse main) side=$(git rev-parse side)
zero=0000000000000000000000000000000000000000
gh() { printf 'GITHUB_ACTIONS=true\nGITHUB_EVENT_NAME=%s\nGITHUB_EVENT_PATH=/event.json\n\n%s\n' "$1" "$2"; }
gh push "{\"ref\":\"refs/heads/main\",\"before\":\"$root\",\"after\":\"$main\"}" | put ci_event gh-push
gh push "{\"ref\":\"refs/heads/side\",\"before\":\"$main\",\"after\":\"$side\",\"forced\":true}" | put ci_event gh-force
gh push "{\"ref\":\"refs/heads/new\",\"before\":\"$zero\",\"after\":\"$side\"}" | put ci_event gh-new-branch
gh push "{\"ref\":\"refs/tags/v1\",\"before\":\"$zero\",\"after\":\"$main\"}" | put ci_event gh-tag
gh push "{\"ref\":\"refs/heads/old\",\"before\":\"$main\",\"after\":\"$zero\",\"deleted\":true}" | put ci_event gh-deleted
gh pull_request "{\"pull_request\":{\"base\":{\"sha\":\"$root\"},\"head\":{\"sha\":\"$side\"}}}" | put ci_event gh-pr
gh merge_group "{\"merge_group\":{\"base_sha\":\"$root\",\"head_sha\":\"$main\"}}" | put ci_event gh-merge-group
gh schedule '{}' | put ci_event gh-schedule
gl() { printf 'GITLAB_CI=true\n%s\n' "$1"; }
gl "CI_PIPELINE_SOURCE=push
CI_COMMIT_BEFORE_SHA=$root
CI_COMMIT_SHA=$main" | put ci_event gl-push
gl "CI_PIPELINE_SOURCE=push
CI_COMMIT_TAG=v1
CI_COMMIT_SHA=$main" | put ci_event gl-tag
gl "CI_PIPELINE_SOURCE=merge_request_event
CI_MERGE_REQUEST_DIFF_BASE_SHA=$root
CI_COMMIT_SHA=$side" | put ci_event gl-mr
gl "CI_PIPELINE_SOURCE=push
CI_COMMIT_BEFORE_SHA=$zero
CI_COMMIT_SHA=$side" | put ci_event gl-new
cd "$project"

# detector: the labelled corpus and the sample app are its seeds where they are
# (fuzz/seeds.txt); the few here reach the decoding pass and the inline markers
python3 - "$out/detector" <<'EOF'
import base64, pathlib, sys, urllib.parse
d = pathlib.Path(sys.argv[1])
tok = "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"  # a rule example (github.toml): fake
(d / "base64").write_text("config: " + base64.b64encode(("token = " + tok).encode()).decode() + "\n")
(d / "percent").write_text("url=https://x/?t=" + urllib.parse.quote('password="' + tok + '"', safe="") + "\n")
(d / "escaped").write_text('"{\\"token\\": \\"' + tok + '\\"}"\n')
(d / "inline-allow").write_text("token = " + tok + "  # vigil:allow\n")
(d / "long-line").write_text(("key=" + "A" * 60 + ";") * 40 + tok + "\n")
(d / "crlf").write_text("a=1\r\nGITHUB_TOKEN=" + tok + "\r\n\r\n")
EOF
du -sh "$out"
