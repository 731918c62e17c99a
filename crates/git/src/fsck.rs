//! What `git fsck` would say is wrong with a commit's or tag's header, so that a
//! malformed object is reported (`malformed`, naming the fault and git's own id for it)
//! instead of stopping a whole audit. Follows git's fsck.c: `verify_headers`,
//! `fsck_commit`, `fsck_tag_standalone` and `fsck_ident`, for the errors (not the
//! warnings). Only the header is read; it never fails.

/// The first problem git fsck reports in the header of commit `raw`, or `None`.
/// `hex_len` is the length of an object id (40, or 64 in a SHA-256 repository).
pub fn commit_problem(raw: &[u8], hex_len: usize) -> Option<String> {
    let header = match header(raw) {
        Ok(h) => h,
        Err(p) => return Some(p),
    };
    let mut lines = header.split(|&b| b == b'\n').peekable();
    match lines.next().and_then(|l| l.strip_prefix(b"tree ")) {
        None => return Some("missingTree: the first line is not `tree <id>`".into()),
        Some(id) if !is_hex_id(id, hex_len) => {
            return Some(format!(
                "badTreeSha1: the tree line does not hold a {hex_len}-digit object id"
            ))
        }
        Some(_) => {}
    }
    let mut parents = 0;
    while let Some(id) = lines.peek().and_then(|l| l.strip_prefix(b"parent ")) {
        parents += 1;
        if !is_hex_id(id, hex_len) {
            return Some(format!(
                "badParentSha1: parent line {parents} does not hold a {hex_len}-digit object id"
            ));
        }
        lines.next();
    }
    let mut authors = 0;
    while let Some(ident) = lines.peek().and_then(|l| l.strip_prefix(b"author ")) {
        authors += 1;
        if let Some(p) = ident_problem(ident) {
            return Some(format!("{p} (author line)"));
        }
        lines.next();
    }
    match authors {
        0 => return Some("missingAuthor: no `author` line after the tree and parents".into()),
        1 => {}
        n => return Some(format!("multipleAuthors: {n} author lines")),
    }
    match lines.next().and_then(|l| l.strip_prefix(b"committer ")) {
        None => Some("missingCommitter: no `committer` line after the author".into()),
        Some(ident) => ident_problem(ident).map(|p| format!("{p} (committer line)")),
    }
}

/// The first problem git fsck reports in the header of tag `raw`, or `None`.
pub fn tag_problem(raw: &[u8], hex_len: usize) -> Option<String> {
    let header = match header(raw) {
        Ok(h) => h,
        Err(p) => return Some(p),
    };
    let mut lines = header.split(|&b| b == b'\n').peekable();
    match lines.next().and_then(|l| l.strip_prefix(b"object ")) {
        None => return Some("missingObject: the first line is not `object <id>`".into()),
        Some(id) if !is_hex_id(id, hex_len) => {
            return Some(format!(
                "badObjectSha1: the object line does not hold a {hex_len}-digit object id"
            ))
        }
        Some(_) => {}
    }
    match lines.next().and_then(|l| l.strip_prefix(b"type ")) {
        None => return Some("missingTypeEntry: no `type` line after the object".into()),
        Some(t) if !matches!(t, b"commit" | b"tree" | b"blob" | b"tag") => {
            return Some("badType: the type is not commit, tree, blob or tag".into())
        }
        Some(_) => {}
    }
    if lines.next().and_then(|l| l.strip_prefix(b"tag ")).is_none() {
        return Some("missingTagEntry: no `tag` line after the type".into());
    }
    // A tag without a tagger is only a note to git fsck (very old tags have none).
    let ident = lines.next().and_then(|l| l.strip_prefix(b"tagger "))?;
    ident_problem(ident).map(|p| format!("{p} (tagger line)"))
}

/// The header (up to the blank line), or what is wrong with the object as a whole:
/// a NUL byte in the header, or no blank line after it (`verify_headers`).
fn header(raw: &[u8]) -> Result<&[u8], String> {
    let end = raw.windows(2).position(|w| w == b"\n\n");
    let header = match end {
        Some(i) => &raw[..i],
        // git accepts an object that ends right after its header's last line.
        None if raw.ends_with(b"\n") => &raw[..raw.len() - 1],
        None => return Err("unterminatedHeader: the header does not end with a line break".into()),
    };
    if header.contains(&0) {
        return Err("nulInHeader: a NUL byte in the header".into());
    }
    Ok(header)
}

fn is_hex_id(id: &[u8], hex_len: usize) -> bool {
    id.len() == hex_len && id.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What git's `fsck_ident` finds wrong with `Name <email> 1700000000 +0000` (the line
/// without its header name and line break), or `None`.
fn ident_problem(ident: &[u8]) -> Option<&'static str> {
    if ident.first() == Some(&b'<') {
        return Some("missingNameBeforeEmail: no name before the e-mail");
    }
    let stop = |s: &[u8]| {
        s.iter()
            .position(|b| matches!(b, b'<' | b'>'))
            .unwrap_or(s.len())
    };
    let i = stop(ident);
    match ident.get(i) {
        Some(b'>') => return Some("badName: a `>` in the name"),
        None => return Some("missingEmail: no `<e-mail>`"),
        Some(_) => {}
    }
    if i == 0 || ident[i - 1] != b' ' {
        return Some("missingSpaceBeforeEmail: no space before `<`");
    }
    let rest = &ident[i + 1..];
    let j = stop(rest);
    if rest.get(j) != Some(&b'>') {
        return Some("badEmail: the e-mail is not closed by `>`");
    }
    let rest = &rest[j + 1..];
    let Some(date) = rest.strip_prefix(b" ") else {
        return Some("missingSpaceBeforeDate: no space between the e-mail and the date");
    };
    if date.first() == Some(&b'0') && date.get(1) != Some(&b' ') {
        return Some("zeroPaddedDate: the date starts with a zero");
    }
    let digits = date.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || date.get(digits) != Some(&b' ') {
        return Some("badDate: the date is not a number of seconds followed by a space");
    }
    // git's date_overflows: more than fits in its timestamp_t (and than 2^63 seconds).
    if std::str::from_utf8(&date[..digits])
        .ok()
        .and_then(|d| d.parse::<i64>().ok())
        .is_none()
    {
        return Some("badDateOverflow: the date is too large");
    }
    let tz = &date[digits + 1..];
    let good_tz =
        tz.len() == 5 && matches!(tz[0], b'+' | b'-') && tz[1..].iter().all(u8::is_ascii_digit);
    (!good_tz).then_some(
        "badTimezone: the time zone is not +HHMM or -HHMM at the end of the line (a carriage return, a missing or extra character)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";
    const P: &str = "parent 0123456789abcdef0123456789abcdef01234567\n";
    const A: &str = "author A U <a@x.org> 1700000000 +0100\n";
    const C: &str = "committer C <c@x.org> 1700000000 -0000\n";

    fn commit(header: &str) -> Option<String> {
        commit_problem(format!("{header}\nmessage\n").as_bytes(), 40)
    }

    #[test]
    fn commits_as_git_fsck_reads_them() {
        assert_eq!(commit(&format!("{T}{P}{P}{A}{C}")), None);
        assert_eq!(commit(&format!("{T}{A}{C}gpgsig x\n y\n")), None);
        let cases = [
            (format!("{P}{A}{C}"), "missingTree"),
            (format!("tree 123\n{A}{C}"), "badTreeSha1"),
            (
                format!("{T}parent {}\n{A}{C}", "G".repeat(40)),
                "badParentSha1",
            ),
            (format!("{T}{C}"), "missingAuthor"),
            (format!("{T}{A}{A}{C}"), "multipleAuthors"),
            (format!("{T}{A}"), "missingCommitter"),
            (
                format!("{T}author A <a@x> 1700000000 +0000\r\n{C}"),
                "badTimezone",
            ),
            (
                format!("{T}author A <a@x> 1700000000 +000\n{C}"),
                "badTimezone",
            ),
            (
                format!("{T}author A <a@x> 01700000000 +0000\n{C}"),
                "zeroPaddedDate",
            ),
            (format!("{T}author A <a@x> x +0000\n{C}"), "badDate"),
            (
                format!("{T}author A <a@x> 99999999999999999999 +0000\n{C}"),
                "badDateOverflow",
            ),
            (
                format!("{T}author A <a@x 1700000000 +0000\n{C}"),
                "badEmail",
            ),
            (
                format!("{T}author A a@x 1700000000 +0000\n{C}"),
                "missingEmail",
            ),
            (
                format!("{T}author <a@x> 1700000000 +0000\n{C}"),
                "missingNameBeforeEmail",
            ),
            (
                format!("{T}author A<a@x> 1700000000 +0000\n{C}"),
                "missingSpaceBeforeEmail",
            ),
            (
                format!("{T}author A> <a@x> 1700000000 +0000\n{C}"),
                "badName",
            ),
            (
                format!("{T}author A <a@x>1700000000 +0000\n{C}"),
                "missingSpaceBeforeDate",
            ),
            (
                format!("{T}{A}committer C <c@x> 1 +0000 x\n"),
                "badTimezone",
            ),
            (format!("{T}{A}{C}x\0y\n"), "nulInHeader"),
        ];
        for (header, id) in cases {
            let p = commit(&header).unwrap_or_else(|| panic!("{header:?} passes"));
            assert!(p.starts_with(id), "{header:?}: {p}");
        }
        assert!(commit_problem(format!("{T}{A}C").as_bytes(), 40)
            .unwrap()
            .starts_with("unterminatedHeader"));
        // a SHA-256 repository's ids are 64 digits
        assert!(commit(&format!("{T}{A}{C}")).is_none());
        assert!(commit_problem(format!("{T}{A}{C}\n").as_bytes(), 64)
            .unwrap()
            .starts_with("badTreeSha1"));
    }

    #[test]
    fn tags_as_git_fsck_reads_them() {
        let o = "object 0123456789abcdef0123456789abcdef01234567\n";
        let tag = |h: &str| tag_problem(format!("{h}\nmessage\n").as_bytes(), 40);
        assert_eq!(
            tag(&format!("{o}type commit\ntag v1\ntagger T <t@x> 1 +0000\n")),
            None
        );
        assert_eq!(tag(&format!("{o}type commit\ntag v1\n")), None);
        let cases = [
            ("type commit\ntag v1\n".to_owned(), "missingObject"),
            (format!("{o}tag v1\n"), "missingTypeEntry"),
            (format!("{o}type commits\ntag v1\n"), "badType"),
            (format!("{o}type commit\n"), "missingTagEntry"),
            (
                format!("{o}type commit\ntag v1\ntagger T <t@x> 1 +0000\r\n"),
                "badTimezone",
            ),
        ];
        for (header, id) in cases {
            let p = tag(&header).unwrap_or_else(|| panic!("{header:?} passes"));
            assert!(p.starts_with(id), "{header:?}: {p}");
        }
    }
}
