//! Reading a release's text files: the text, or missing, or why it could not be read.
use std::path::Path;

pub(super) enum Read {
    Text(String),
    Missing,
    Error(String),
}

pub(super) fn read_text(path: &Path) -> Read {
    match crate::input::read_text(path) {
        Ok(s) => Read::Text(s),
        Err(e) if e.is_missing() => Read::Missing,
        Err(e) => Read::Error(e.reason()),
    }
}
