//! `vigil rules`: the rules in force.
use std::io::Write;

use clap::Args;
use serde_json::json;
use vigil_core::{report::printable, rules::rules_in_force};

use crate::{
    exit::{note, write_ok, Code, Error},
    options::Format,
};

#[derive(Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::options::Format,
    #[command(flatten)]
    pub config: crate::options::ScanConfigArgs,
}

pub fn run(args: &RulesArgs) -> Result<Code, Error> {
    let cwd = std::env::current_dir()?;
    let (rules, loaded) = rules_in_force(&args.config.source(), &cwd)?;
    for w in &loaded.warnings {
        note(w);
    }
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    let s = &r.info;
                    json!({
                        "id": s.id,
                        "description": s.description,
                        "severity": s.severity.as_str(),
                        "tags": s.tags,
                        "keywords": r.keywords,
                        "generic": r.generic,
                        "source": r.source,
                        "remediation": { "text": s.remediation, "url": s.remediation_url },
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &json!({ "version": 1, "rules": list }))
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
        Format::Human => (|| {
            let width = rules
                .iter()
                .map(|r| printable(&r.info.id).chars().count())
                .max()
                .unwrap_or(0);
            for r in &rules {
                writeln!(
                    out,
                    "{:<width$}  {:<8}  {}",
                    printable(&r.info.id),
                    r.info.severity.as_str(),
                    printable(&r.info.description)
                )?;
            }
            writeln!(out, "{} rules", rules.len())
        })(),
    };
    write_ok(written)?;
    Ok(Code::Clean)
}
