//! Reading a release's text files: the text, or missing, or why it could not be read.
use std::{fs, io, path::Path};

pub(super) enum Read {
    Text(String),
    Missing,
    Error(String),
}

pub(super) fn read_text(path: &Path) -> Read {
    match fs::read(path) {
        Ok(b) => match String::from_utf8(b) {
            Ok(s) => Read::Text(s),
            Err(_) => Read::Error("not UTF-8 text".into()),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Read::Missing,
        Err(e) => Read::Error(e.to_string()),
    }
}
