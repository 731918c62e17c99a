//! Command-line arguments.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "vigil",
    version,
    about = "Continuous security for software delivery pipelines"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan folders, files or stdin (`-`) for leaked credentials.
    ///
    /// Exit codes: 0 nothing found, 1 findings, 2 usage or configuration error,
    /// 3 incomplete (something could not be read).
    Scan(ScanArgs),
    /// List the rules in force (built-in and from .vigil.toml).
    Rules(RulesArgs),
    /// Accept the findings already there (create), drop entries that match nothing any
    /// more (prune), or carry over another scanner's accepted findings (import).
    ///
    /// Exit codes: 0 written, 2 usage or configuration error, 3 incomplete scan (nothing written).
    Baseline(crate::baseline_cmd::BaselineArgs),
    /// Show how vigil reads another scanner's configuration (`migrate gitleaks`).
    Migrate(crate::migrate_cmd::MigrateArgs),
    /// Create a release-signing key (Ed25519, for minisign and ssh-keygen).
    ///
    /// Writes a secret key file (minisign format, password-encrypted unless
    /// --unencrypted), its minisign and OpenSSH public keys, and its allowed_signers line.
    ///
    /// Exit codes: 0 written, 2 usage error (files exist, no password).
    Keygen(KeygenArgs),
    /// Sign release files: SHA256SUMS, its signatures, and SLSA provenance.
    ///
    /// Writes SHA256SUMS, SHA256SUMS.minisig (minisign), SHA256SUMS.sig (SSHSIG,
    /// namespace `file`) and provenance.intoto.jsonl (SLSA provenance in a DSSE
    /// envelope), reading each file once.
    ///
    /// Exit codes: 0 signed, 2 usage error (bad key file, wrong password, a file that cannot be read).
    Sign(SignArgs),
    /// Verify a signed release: digests, signatures and provenance.
    ///
    /// Checks every digest, each signature, the trusted comment, and the provenance's
    /// subjects, source and builder against what is expected.
    ///
    /// Exit codes: 0 verified, 1 a check failed, 2 usage error or malformed signature,
    /// 3 incomplete (a file could not be read).
    VerifyArtifact(VerifyArtifactArgs),
    /// Verify commit and tag signatures (SSH and OpenPGP, in-process) against the trust
    /// policy in .vigil.toml [verify], or against --allowed-signers / --keyring.
    ///
    /// Exit codes: 0 every object passes, 1 an object fails the policy, 2 usage or
    /// configuration error (bad policy, allowed_signers line, keyring), 3 incomplete
    /// (a revision or object is missing).
    Verify(crate::verify_cmd::VerifyArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Where the configuration comes from.
#[derive(Args)]
pub struct ConfigArgs {
    /// Use this configuration file instead of looking for .vigil.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .vigil.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Also read this gitleaks configuration (rules, [extend], allowlists) and the
    /// .gitleaksignore beside it. Without it, a .gitleaks.toml at the repository root is
    /// read when there is no .vigil.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub gitleaks_config: Option<PathBuf>,
}

#[derive(Args)]
pub struct ScanArgs {
    /// Folders and files to scan; `-` reads stdin. Default: the current folder.
    /// With --staged, --range, --since or --history: the repository (default: the current one).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub git: GitSourceArgs,
    /// Scan only shard K of N of a --range/--since/--history scan (for CI matrices); the union of
    /// all N shard reports equals the unsharded report.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Report format (default human). Repeat it for several reports: the n-th --report-path
    /// receives the n-th --format; a format without a path goes to stdout.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<crate::report_out::ReportFormat>,
    /// Write the --format at the same position to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub report_path: Vec<PathBuf>,
    /// One more report: FORMAT to FILE (`-`: stdout), e.g. --report sarif=vigil.sarif. Repeatable.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = crate::report_out::parse_report_spec)]
    pub report: Vec<crate::report_out::ReportSpec>,
    /// Report only findings this baseline file does not accept (see `vigil baseline`).
    #[arg(long, value_name = "FILE", value_parser = crate::report_out::parse_baseline_path)]
    pub baseline: Option<PathBuf>,
    /// Set by `vigil baseline`: keep the findings instead of writing reports.
    #[arg(skip)]
    pub capture: crate::report_out::Capture,
    /// Show whole secrets in the report instead of a short prefix.
    #[arg(long)]
    pub no_redact: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Skip files larger than this (e.g. 500k, 10MiB). Default 10MiB, or [scan] max_file_size.
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Honour .gitignore files while walking folders (off by default: ignored files such as .env hold secrets).
    #[arg(long)]
    pub gitignore: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// How many layers of base64, percent-encoding and escapes to look through (0 turns decoding off).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub decode_depth: u8,
    /// Path to report for stdin, so path-based allowlists apply to it.
    #[arg(long, value_name = "NAME", default_value = "-")]
    pub stdin_name: String,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Git sources: what a commit, a push or an audit adds. At most one.
#[derive(Args)]
#[group(id = "git_source", multiple = false)]
pub struct GitSourceArgs {
    /// The lines the index adds against HEAD (what `git commit` would record): for pre-commit hooks.
    #[arg(long)]
    pub staged: bool,
    /// The lines added by each commit reachable from B and not from A (a push, a merge request).
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Same as --range REV..HEAD.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Every commit reachable from any reference; each blob change is scanned once.
    #[arg(long)]
    pub history: bool,
}

impl GitSourceArgs {
    pub fn any(&self) -> bool {
        self.staged || self.range.is_some() || self.since.is_some() || self.history
    }
}

/// Where the secret key and its password come from (never printed, never logged).
#[derive(Args)]
pub struct SecretKeyArgs {
    /// The secret key file (from `vigil keygen` or `minisign -G`).
    #[arg(long, value_name = "FILE", conflicts_with = "key_env")]
    pub key: Option<PathBuf>,
    /// Read the secret key file's contents from this environment variable (a CI secret).
    #[arg(long, value_name = "NAME")]
    pub key_env: Option<String>,
    /// Read the key's password from this environment variable (default: ask on the terminal).
    #[arg(long, value_name = "NAME")]
    pub password_env: Option<String>,
}

#[derive(Args)]
pub struct KeygenArgs {
    /// Folder for the key files.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Base name: NAME.key, NAME.pub, NAME.ssh.pub, NAME.allowed_signers.
    #[arg(long, value_name = "NAME", default_value = "vigil")]
    pub name: String,
    /// The principal in the allowed_signers line and the OpenSSH key's comment.
    #[arg(long, value_name = "ID", default_value = "release@vigil")]
    pub identity: String,
    /// Write the secret key without a password (for a CI secret, which is protected by the CI).
    #[arg(long, conflicts_with = "password_env")]
    pub unencrypted: bool,
    /// Read the new password from this environment variable (default: ask twice on the terminal).
    #[arg(long, value_name = "NAME")]
    pub password_env: Option<String>,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct SignArgs {
    /// The release files to sign.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub key: SecretKeyArgs,
    /// Where SHA256SUMS and the signatures go; names in SHA256SUMS are relative to it
    /// (default: the folder holding the files).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The version or tag released (default in CI: the tag that triggered the run).
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// The source commit (default in CI: GITHUB_SHA or CI_COMMIT_SHA).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The source repository URL (default in CI: from the CI's variables).
    #[arg(long, value_name = "URL")]
    pub repository: Option<String>,
    /// Signing time as Unix seconds (default: SOURCE_DATE_EPOCH, or now).
    #[arg(long, value_name = "SECONDS")]
    pub timestamp: Option<u64>,
    /// Also write NAME.minisig beside each file (`minisign -Vm NAME` checks it alone).
    #[arg(long)]
    pub per_file: bool,
    /// Do not write provenance.intoto.jsonl.
    #[arg(long)]
    pub no_provenance: bool,
    /// Hashing threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

#[derive(Args)]
pub struct VerifyArtifactArgs {
    /// Artifacts to check (default: every file SHA256SUMS lists).
    #[arg(value_name = "FILE")]
    pub artifacts: Vec<PathBuf>,
    /// The folder holding SHA256SUMS (default: the first FILE's folder, or the current one).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The minisign public key (default: [release] minisign_key).
    #[arg(long, value_name = "FILE")]
    pub minisign_key: Option<PathBuf>,
    /// The OpenSSH public key, to check SHA256SUMS.sig (default: [release] ssh_key).
    #[arg(long, value_name = "FILE")]
    pub ssh_key: Option<PathBuf>,
    /// The tag the signature must name.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// The source commit the signature and provenance must name (full, or 7+ hex digits).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The source repository the provenance must name (default: [release] repository).
    #[arg(long, value_name = "URL")]
    pub repository: Option<String>,
    /// The builder id the provenance must name; `*` at the end matches any rest; `local`
    /// means signed outside CI (default: [release] builder).
    #[arg(long, value_name = "ID")]
    pub builder: Option<String>,
    /// Reject signatures older than this (e.g. 90d, 12h; default: [release] max_age).
    #[arg(long, value_name = "AGE")]
    pub max_age: Option<String>,
    /// Fail if there is no provenance.intoto.jsonl.
    #[arg(long)]
    pub require_provenance: bool,
    /// Require NAME.minisig beside every artifact.
    #[arg(long)]
    pub per_file: bool,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Hashing threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
}
