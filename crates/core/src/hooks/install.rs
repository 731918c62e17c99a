//! Putting the shims into a hooks folder and taking them out: a hook that is not
//! vigil's moves aside to `<name>.pre-vigil` (the shim runs it first) and comes back on
//! uninstall. Every hook is checked before anything changes, so a refusal leaves the
//! folder as it was.
use std::{
    fs,
    io::{self, Read},
    path::{Path, PathBuf},
};

use super::{is_vigil_shim, shim, Action, Hook, HookChange, HookError, PREVIOUS_SUFFIX};

/// A shim is a few hundred bytes: a bigger file is not one.
const MAX_SHIM_SIZE: u64 = 16 * 1024;

/// What is at a hook's path.
enum Existing {
    Absent,
    /// vigil's shim, with this content and mode.
    Vigils {
        content: Vec<u8>,
        executable: bool,
    },
    /// Anything else: another script, a symbolic link, a folder.
    Foreign,
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> HookError + '_ {
    move |source| HookError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Looks at `path` without following a symbolic link.
fn existing(path: &Path) -> Result<Existing, HookError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(io_error(path)(e)),
    };
    if !meta.file_type().is_file() || meta.len() > MAX_SHIM_SIZE {
        return Ok(Existing::Foreign);
    }
    let mut content = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_SHIM_SIZE).read_to_end(&mut content))
        .map_err(io_error(path))?;
    if !is_vigil_shim(&content) {
        return Ok(Existing::Foreign);
    }
    Ok(Existing::Vigils {
        content,
        executable: is_executable(&meta),
    })
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777 == 0o755
}

#[cfg(not(unix))]
fn is_executable(_: &fs::Metadata) -> bool {
    true
}

fn exists(path: &Path) -> Result<bool, HookError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(path)(e)),
    }
}

fn previous_of(path: &Path, hook: Hook) -> PathBuf {
    path.with_file_name(format!("{}{PREVIOUS_SUFFIX}", hook.name()))
}

/// Writes the shim at `path`, where nothing is (a new file: never through a link).
fn write_shim(path: &Path, hook: Hook) -> Result<(), HookError> {
    use std::io::Write;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o755);
    }
    let mut f = opts.open(path).map_err(io_error(path))?;
    f.write_all(shim(hook).as_bytes()).map_err(io_error(path))?;
    // The umask may have taken bits off the mode `open` was given.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(0o755))
            .map_err(io_error(path))?;
    }
    Ok(())
}

fn rename(from: &Path, to: &Path) -> Result<(), HookError> {
    fs::rename(from, to).map_err(io_error(from))
}

fn remove(path: &Path) -> Result<(), HookError> {
    fs::remove_file(path).map_err(io_error(path))
}

/// Installs the shims for `hooks` in the folder `dir` (created if missing).
pub fn install_in(dir: &Path, hooks: &[Hook]) -> Result<Vec<HookChange>, HookError> {
    let mut plan = Vec::new();
    for &hook in hooks {
        let path = dir.join(hook.name());
        let previous = previous_of(&path, hook);
        let action = match existing(&path)? {
            Existing::Absent if exists(&previous)? => Action::InstalledKeepingPrevious { previous },
            Existing::Absent => Action::Installed,
            Existing::Vigils {
                content,
                executable,
            } => {
                if executable && content == shim(hook).as_bytes() {
                    Action::AlreadyInstalled
                } else {
                    Action::Updated
                }
            }
            Existing::Foreign if exists(&previous)? => {
                return Err(HookError::PreviousExists { path, previous })
            }
            Existing::Foreign => Action::Chained { previous },
        };
        plan.push(HookChange { hook, path, action });
    }
    if plan.iter().any(|c| c.action != Action::AlreadyInstalled) {
        fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    for c in &plan {
        match &c.action {
            Action::Installed | Action::InstalledKeepingPrevious { .. } => {
                write_shim(&c.path, c.hook)?;
            }
            Action::Updated => {
                remove(&c.path)?;
                write_shim(&c.path, c.hook)?;
            }
            Action::Chained { previous } => {
                rename(&c.path, previous)?;
                write_shim(&c.path, c.hook)?;
            }
            _ => {}
        }
    }
    Ok(plan)
}

/// Removes vigil's shims for `hooks` from the folder `dir` and moves back the hooks
/// they replaced. Refuses (changing nothing) when a hook file is not vigil's.
pub fn uninstall_in(dir: &Path, hooks: &[Hook]) -> Result<Vec<HookChange>, HookError> {
    let mut plan = Vec::new();
    for &hook in hooks {
        let path = dir.join(hook.name());
        let previous = previous_of(&path, hook);
        let (ours, kept) = match existing(&path)? {
            Existing::Foreign => return Err(HookError::NotVigils { path }),
            Existing::Vigils { .. } => (true, exists(&previous)?),
            Existing::Absent => (false, exists(&previous)?),
        };
        let action = match (ours, kept) {
            (_, true) => Action::Restored { previous },
            (true, false) => Action::Removed,
            (false, false) => Action::NotInstalled,
        };
        plan.push((HookChange { hook, path, action }, ours));
    }
    for (c, ours) in &plan {
        if *ours {
            remove(&c.path)?;
        }
        if let Action::Restored { previous } = &c.action {
            rename(previous, &c.path)?;
        }
    }
    Ok(plan.into_iter().map(|(c, _)| c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &[u8] = b"#!/bin/sh\necho old hook\n";

    fn actions(changes: &[HookChange]) -> Vec<Action> {
        changes.iter().map(|c| c.action.clone()).collect()
    }

    fn read(path: &Path) -> Vec<u8> {
        fs::read(path).unwrap_or_default()
    }

    #[test]
    fn installs_into_an_empty_folder_and_a_second_time_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hooks");
        let first = install_in(&dir, &Hook::ALL).unwrap();
        assert_eq!(actions(&first), [Action::Installed, Action::Installed]);
        for hook in Hook::ALL {
            assert_eq!(read(&dir.join(hook.name())), shim(hook).as_bytes());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = fs::metadata(dir.join(hook.name()))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o755);
            }
        }
        let second = install_in(&dir, &Hook::ALL).unwrap();
        assert_eq!(
            actions(&second),
            [Action::AlreadyInstalled, Action::AlreadyInstalled]
        );
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn an_existing_hook_is_kept_beside_and_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(dir.join("pre-commit"), OLD).unwrap();
        let changes = install_in(dir, &[Hook::PreCommit]).unwrap();
        let previous = dir.join("pre-commit.pre-vigil");
        assert_eq!(
            actions(&changes),
            [Action::Chained {
                previous: previous.clone()
            }]
        );
        assert_eq!(read(&previous), OLD);
        assert!(is_vigil_shim(&read(&dir.join("pre-commit"))));
        // A second install sees its own shim and leaves the kept hook alone.
        let again = install_in(dir, &[Hook::PreCommit]).unwrap();
        assert_eq!(actions(&again), [Action::AlreadyInstalled]);
        assert_eq!(read(&previous), OLD);

        let removed = uninstall_in(dir, &[Hook::PreCommit]).unwrap();
        assert_eq!(
            actions(&removed),
            [Action::Restored {
                previous: previous.clone()
            }]
        );
        assert_eq!(read(&dir.join("pre-commit")), OLD);
        assert!(!previous.exists());
    }

    #[test]
    fn never_overwrites_a_kept_hook() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(dir.join("pre-push"), OLD).unwrap();
        fs::write(dir.join("pre-push.pre-vigil"), b"#!/bin/sh\nolder\n").unwrap();
        let e = install_in(dir, &Hook::ALL).unwrap_err();
        assert!(matches!(e, HookError::PreviousExists { .. }), "{e}");
        // Checked before anything changed: not even pre-commit was written.
        assert!(!dir.join("pre-commit").exists());
        assert_eq!(read(&dir.join("pre-push")), OLD);
        assert_eq!(read(&dir.join("pre-push.pre-vigil")), b"#!/bin/sh\nolder\n");
    }

    #[test]
    fn uninstall_refuses_a_hook_vigil_did_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        install_in(dir, &[Hook::PreCommit]).unwrap();
        fs::write(dir.join("pre-push"), OLD).unwrap();
        let e = uninstall_in(dir, &Hook::ALL).unwrap_err();
        assert!(matches!(e, HookError::NotVigils { .. }), "{e}");
        assert!(e.to_string().contains("not installed by vigil"), "{e}");
        assert!(is_vigil_shim(&read(&dir.join("pre-commit"))));
        assert_eq!(read(&dir.join("pre-push")), OLD);
    }

    #[test]
    fn uninstall_without_a_shim_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let changes = uninstall_in(&tmp.path().join("missing"), &Hook::ALL).unwrap();
        assert_eq!(
            actions(&changes),
            [Action::NotInstalled, Action::NotInstalled]
        );
        assert!(!tmp.path().join("missing").exists());
    }

    #[test]
    fn an_older_shim_is_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let older = format!(
            "#!/bin/sh\n{}\nexec vigil hook pre-commit\n",
            super::super::MARKER
        );
        fs::write(dir.join("pre-commit"), &older).unwrap();
        let changes = install_in(dir, &[Hook::PreCommit]).unwrap();
        assert_eq!(actions(&changes), [Action::Updated]);
        assert_eq!(
            read(&dir.join("pre-commit")),
            shim(Hook::PreCommit).as_bytes()
        );
        assert!(!dir.join("pre-commit.pre-vigil").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_moved_aside_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hooks");
        fs::create_dir(&dir).unwrap();
        let target = tmp.path().join("shared-hook");
        fs::write(&target, OLD).unwrap();
        std::os::unix::fs::symlink(&target, dir.join("pre-commit")).unwrap();
        install_in(&dir, &[Hook::PreCommit]).unwrap();
        assert_eq!(read(&target), OLD);
        let kept = dir.join("pre-commit.pre-vigil");
        assert!(fs::symlink_metadata(&kept)
            .unwrap()
            .file_type()
            .is_symlink());
        uninstall_in(&dir, &[Hook::PreCommit]).unwrap();
        assert!(fs::symlink_metadata(dir.join("pre-commit"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(read(&target), OLD);
    }
}
