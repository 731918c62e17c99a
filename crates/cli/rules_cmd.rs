//! `vigil rules`: the rules in force.
use std::io::Write;

use serde_json::json;
use vigil_secrets::DetectorOptions;

use crate::{
    args::{Format, RulesArgs},
    exit::{write_ok, Code, Error},
};

pub fn run(args: &RulesArgs) -> Result<Code, Error> {
    let cwd = std::env::current_dir()?;
    let config = crate::load_config(&args.config, &cwd)?;
    let detector = config.detector(DetectorOptions::default())?;
    let rules = detector.rules();
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    let s = &r.spec;
                    json!({
                        "id": s.id,
                        "description": s.description,
                        "severity": s.severity.as_str(),
                        "tags": s.tags,
                        "keywords": s.keywords,
                        "generic": s.generic,
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
            let width = rules.iter().map(|r| r.id().len()).max().unwrap_or(0);
            for r in rules {
                writeln!(
                    out,
                    "{:<width$}  {:<8}  {}",
                    r.id(),
                    r.spec.severity.as_str(),
                    r.spec.description
                )?;
            }
            writeln!(out, "{} rules", rules.len())
        })(),
    };
    write_ok(written)?;
    Ok(Code::Clean)
}
