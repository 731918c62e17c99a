//! A progress bar on stderr for long scans, shown only when stderr is a terminal.
use std::{io::IsTerminal, sync::OnceLock};

use indicatif::{ProgressBar, ProgressStyle};

#[derive(Default)]
pub struct Progress(OnceLock<ProgressBar>);

impl vigil_core::Progress for Progress {
    /// A bar over `total` items, or nothing when stderr is not a terminal or the job is small.
    fn start(&self, total: u64, unit: &str) {
        if !std::io::stderr().is_terminal() || total < 1000 {
            return;
        }
        let bar = ProgressBar::new(total);
        let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        let _ = self.0.set(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(b) = self.0.get() {
            b.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.0.get() {
            b.finish_and_clear();
        }
    }
}
