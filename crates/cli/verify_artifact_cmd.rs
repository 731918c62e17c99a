//! `vigil verify-artifact`: check a signed release against its keys and expectations.
use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use vigil_core::{
    config::Config,
    release::{
        now_unix, parse_duration, verify_release, CheckStatus, Expectations, ReleaseConfig,
        VerifyKeys, VerifyOptions, VerifyReport,
    },
};
use vigil_signature::{sshkey::SshPublicKey, PublicKey};

use crate::{
    args::{Format, VerifyArtifactArgs},
    exit::{note, write_ok, Code, Error},
};

fn read(path: &Path, flag: &str) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|e| format!("{flag} {}: {e}", path.display()).into())
}

pub fn run(args: &VerifyArtifactArgs) -> Result<Code, Error> {
    let dir = match (&args.dir, args.artifacts.first()) {
        (Some(d), _) => d.clone(),
        (None, Some(a)) => a
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        (None, None) => PathBuf::from("."),
    };
    // The expectations are the verifier's policy: looked for from the current folder.
    let config = crate::load_config(&args.config, &std::env::current_dir()?)?;
    let rc: &ReleaseConfig = &config.release;
    let root = config.root();
    let from_config = |p: &Option<PathBuf>| p.as_ref().map(|p| ReleaseConfig::resolve(root, p));

    let minisign_path = args
        .minisign_key
        .clone()
        .or_else(|| from_config(&rc.minisign_key));
    let ssh_path = args.ssh_key.clone().or_else(|| from_config(&rc.ssh_key));
    let mut keys = VerifyKeys::default();
    if let Some(p) = &minisign_path {
        let key = PublicKey::from_minisign(&read(p, "minisign key")?)
            .map_err(|e| format!("minisign key {}: {e}", p.display()))?;
        keys.minisign = Some(key);
    }
    if let Some(p) = &ssh_path {
        let (key, _) = SshPublicKey::from_openssh(&read(p, "ssh key")?)
            .map_err(|e| format!("ssh key {}: {e}", p.display()))?;
        keys.ssh = Some(key);
    }
    if keys.minisign.is_none() && keys.ssh.is_none() {
        return Err("no key to verify against: pass --minisign-key FILE and/or --ssh-key FILE, or set [release] minisign_key / ssh_key in .vigil.toml".into());
    }
    let max_age = match args.max_age.as_ref().or(rc.max_age.as_ref()) {
        Some(s) => Some(parse_duration(s).map_err(|m| format!("--max-age: {m}"))?),
        None => None,
    };
    let expect = Expectations {
        tag: args.tag.clone(),
        commit: args.commit.clone(),
        repository: args.repository.clone().or_else(|| rc.repository.clone()),
        builder: args.builder.clone().or_else(|| rc.builder.clone()),
        max_age,
    };
    let options = VerifyOptions {
        dir,
        artifacts: args.artifacts.clone(),
        keys,
        expect,
        require_provenance: args.require_provenance || rc.require_provenance.unwrap_or(false),
        require_per_file: args.per_file,
        now: now_unix(),
        threads: args.threads,
    };
    let report = verify_release(&options);
    write_report(args.format, &report, &config)?;
    Ok(if report.failed() > 0 {
        Code::Findings
    } else if report.malformed() > 0 {
        Code::Usage
    } else if report.incomplete() > 0 {
        Code::Incomplete
    } else {
        Code::Clean
    })
}

fn label(s: &CheckStatus) -> (&'static str, &str) {
    match s {
        CheckStatus::Passed(m) => ("ok", m),
        CheckStatus::Failed(m) => ("FAILED", m),
        CheckStatus::Malformed(m) => ("MALFORMED", m),
        CheckStatus::Incomplete(m) => ("UNREADABLE", m),
        CheckStatus::Skipped(m) => ("skipped", m),
    }
}

fn write_report(format: Format, report: &VerifyReport, _config: &Config) -> Result<(), Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        Format::Human => report.checks.iter().try_for_each(|c| {
            let (tag, msg) = label(&c.status);
            writeln!(out, "{tag:<10} {}: {}: {msg}", c.subject, c.check)
        }),
        Format::Json => {
            let checks: Vec<serde_json::Value> = report
                .checks
                .iter()
                .map(|c| {
                    let (tag, msg) = label(&c.status);
                    serde_json::json!({
                        "subject": c.subject,
                        "check": c.check,
                        "status": tag.to_ascii_lowercase(),
                        "message": msg,
                    })
                })
                .collect();
            let v = serde_json::json!({ "ok": report.ok(), "checks": checks });
            writeln!(out, "{v}")
        }
    };
    write_ok(written.and_then(|()| out.flush()))?;
    if report.ok() {
        note(&format!("verified: {} checks passed", report.passed()));
    } else {
        note(&format!(
            "verification FAILED: {} failed, {} malformed, {} unreadable, {} passed",
            report.failed(),
            report.malformed(),
            report.incomplete(),
            report.passed()
        ));
    }
    Ok(())
}
