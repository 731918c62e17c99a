//! `vigil hook pre-commit` and `vigil hook pre-push`, which git runs through the shims
//! `vigil hook install` puts in place. Quiet when the change is clean; when it is not,
//! the message says where, what, how to revoke it and how to proceed, and nothing else.
use clap::Args;
use vigil_core::{
    baseline::{Entry, BASELINE_FILE},
    hooks::{plan, Hook},
    model::Finding,
    report::{printable, printable_message},
    verify::command::{Selection, Trust, VerifyCommand, VerifyResult},
    BaselineChoice, ConfigSource, GitSource, NoProgress, ScanRequest, ScanResult, Source,
};

use crate::exit::{note, say, Code, Error};

/// What git passes a hook (pre-push: the remote's name and address), not used.
#[derive(Args)]
pub struct HookRunArgs {
    #[arg(
        value_name = "GIT_ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub git_args: Vec<String>,
}

pub fn run(hook: Hook) -> Result<Code, Error> {
    let cwd = std::env::current_dir()?;
    let env = |k: &str| std::env::var(k).ok();
    let plan = match plan(hook, &cwd, &mut std::io::stdin().lock(), &env) {
        Ok(p) => p,
        Err(e) if e.is_incomplete() => {
            note(&format!("error: {e}"));
            note("push not checked: the commits to scan could not all be read");
            return Ok(Code::Incomplete);
        }
        Err(e) => return Err(e.into()),
    };
    if plan.sources.is_empty() {
        return Ok(Code::Clean);
    }
    let baseline = plan.root.join(BASELINE_FILE);
    let baseline = baseline.is_file().then_some(baseline);
    let mut findings: Vec<Finding> = Vec::new();
    for what in &plan.sources {
        let request = ScanRequest {
            source: Source::Git {
                repo: plan.root.clone(),
                what: what.clone(),
            },
            config: ConfigSource::default(),
            max_file_size: None,
            gitignore: false,
            no_archives: false,
            threads: 0,
            memory: None,
            decode_depth: 2,
            baseline: match &baseline {
                Some(path) => BaselineChoice::File(path.clone()),
                None => BaselineChoice::Off,
            },
            fail_on: None,
            resolved: true,
            explain: false,
            checkpoint: None,
            since_last_scan: None,
        };
        let prepared = request.prepare()?;
        for w in &prepared.warnings {
            note(w);
        }
        match prepared.run(&NoProgress)? {
            ScanResult::Incomplete(e) => {
                note(&format!("error: {e}"));
                note("not checked: the commits to scan could not all be read");
                return Ok(Code::Incomplete);
            }
            ScanResult::Done(run) => {
                for e in &run.outcome.errors {
                    note(&format!("error: {e}"));
                }
                if findings.is_empty()
                    && run.outcome.findings.is_empty()
                    && !run.outcome.errors.is_empty()
                {
                    return Ok(Code::Incomplete);
                }
                findings.extend(run.outcome.findings);
            }
        }
    }
    if !findings.is_empty() {
        blocked(hook, &findings, baseline.is_some());
        return Ok(Code::Findings);
    }
    if hook == Hook::PrePush {
        return verify_on_push(&plan.root, &plan.sources);
    }
    Ok(Code::Clean)
}

/// With `[verify] on_push = true`, the pushed commits' signatures are verified too,
/// under the repository's trust policy.
fn verify_on_push(root: &std::path::Path, sources: &[GitSource]) -> Result<Code, Error> {
    let loaded = ConfigSource::default().load(root)?;
    if loaded.config.verify.on_push != Some(true) {
        return Ok(Code::Clean);
    }
    let mut failed = Vec::new();
    for source in sources {
        let Some(selection) = Selection::of_source(source) else {
            continue;
        };
        let command = VerifyCommand {
            repo: root.to_path_buf(),
            selection,
            tags: false,
            trust: Trust::Policy(ConfigSource::default()),
            key_time: None,
            now: None,
            ignore_start: false,
            trusted_base: None,
            resolved: true,
        };
        match command.prepare()?.run()? {
            VerifyResult::Incomplete(e) => {
                note(&format!("error: {e}"));
                note("push not checked: the commits to verify could not all be read");
                return Ok(Code::Incomplete);
            }
            VerifyResult::Done(v) => {
                failed.extend(v.verdicts.into_iter().filter(|o| !o.verdict.passes()));
            }
        }
    }
    if failed.is_empty() {
        return Ok(Code::Clean);
    }
    let mut text = format!(
        "push blocked: {} commit{} fail the trust policy ([verify] on_push)\n\n",
        failed.len(),
        if failed.len() == 1 { "" } else { "s" }
    );
    for v in &failed {
        text.push_str(&format!(
            "  commit {}  {}: {}\n",
            &v.id[..v.id.len().min(12)],
            v.verdict.as_str(),
            printable_message(&v.reason)
        ));
    }
    text.push_str(
        "\nSign them with a key the policy trusts (git commit --amend -S, or git rebase \
         --exec 'git commit --amend --no-edit -S'), then push again.\n",
    );
    say(&format!("vigil: {text}"));
    Ok(Code::Findings)
}

/// The message at the moment of the block.
fn blocked(hook: Hook, findings: &[Finding], has_baseline: bool) {
    let n = findings.len();
    let what = match hook {
        Hook::PreCommit => "commit",
        Hook::PrePush => "push",
    };
    let mut text = format!(
        "{what} blocked: {n} secret{} found\n",
        if n == 1 { "" } else { "s" }
    );
    for f in findings {
        let commit = f
            .origin
            .commit
            .as_ref()
            .map(|c| format!(" (commit {})", &c.id[..c.id.len().min(12)]))
            .unwrap_or_default();
        text.push_str(&format!(
            "\n  {}:{}{commit}  {}  {} ({} chars)\n",
            printable(&f.origin.path),
            f.location.line,
            printable(&f.rule),
            printable(&f.secret.redacted()),
            f.secret.len()
        ));
        if let Some(r) = &f.remediation {
            text.push_str(&format!("    revoke: {}\n", printable(r)));
        }
        if let Some(u) = &f.remediation_url {
            text.push_str(&format!("            {}\n", printable(u)));
        }
    }
    let baseline = if has_baseline {
        BASELINE_FILE.to_owned()
    } else {
        format!("{BASELINE_FILE} at the repository's top level (the hooks read it there)")
    };
    text.push_str("\nTo proceed, either:\n");
    match hook {
        Hook::PreCommit => text.push_str(
            "  - revoke the credential, remove it from the file, and `git add` the file again; or\n",
        ),
        Hook::PrePush => text.push_str(
            "  - revoke the credential and rewrite the commits that hold it (git rebase -i); or\n",
        ),
    }
    text.push_str(
        "  - if it is not a secret, put `vigil:allow` in a comment on its line, or accept it\n",
    );
    text.push_str(&format!("    by adding this line to {baseline}:\n"));
    for f in findings {
        text.push_str(&format!(
            "      {}\n",
            printable_message(&Entry::of(f, None, None).to_line())
        ));
    }
    if hook == Hook::PreCommit {
        text.push_str(
            "`git commit --no-verify` skips this hook; the pre-push hook and CI still check.\n",
        );
    }
    say(&format!("vigil: {text}"));
}
