//! How reports render: [`Redaction`] everywhere, [`Color`] for the human reports, both
//! gathered in [`Options`]. A leaf: it imports nothing from the crate.

/// Whether reports show secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// Keep a short prefix and the length (the default everywhere).
    On,
    /// Show the whole secret (`--no-redact`).
    Off,
}

impl Redaction {
    pub fn show(self, secret: &vigil_model::Secret) -> String {
        match self {
            Redaction::On => secret.redacted(),
            Redaction::Off => String::from_utf8_lossy(secret.expose()).into_owned(),
        }
    }
}

/// Whether to use ANSI colour; the CLI decides (terminal, `NO_COLOR`, `--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    On,
    Off,
}

/// How every format renders: redaction everywhere, colour for the human report only.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub redaction: Redaction,
    pub color: Color,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            redaction: Redaction::On,
            color: Color::Off,
        }
    }
}
