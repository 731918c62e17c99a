//! The shim each hook file holds: a small POSIX sh script that runs
//! `vigil hook <name> "$@"`, after the hook it replaced if there was one. The copies in
//! the repository's `hooks/` folder are these texts (a test keeps them equal).
use super::Hook;

/// The line that marks a hook file as vigil's: install and uninstall touch only files
/// that carry it.
pub const MARKER: &str = "# installed by vigil hook install";

/// The suffix of the hook a shim replaced (`pre-commit.pre-vigil`), which the shim runs first.
pub const PREVIOUS_SUFFIX: &str = ".pre-vigil";

/// The shim for `hook`.
pub fn shim(hook: Hook) -> String {
    let name = hook.name();
    let mut s = format!(
        r#"#!/bin/sh
{MARKER}
# Runs `vigil hook {name}`, after the hook this file replaced ({name}{PREVIOUS_SUFFIX}
# beside it) if there was one. `vigil hook uninstall` removes this file and puts that
# hook back.
previous="$(dirname -- "$0")/{name}{PREVIOUS_SUFFIX}"
if ! command -v vigil >/dev/null 2>&1; then
	echo "vigil: the {name} hook needs vigil, which is not on PATH: install it with cargo install --locked --path <vigil checkout>" >&2
	exit 127
fi
"#
    );
    match hook {
        Hook::PreCommit => s.push_str(&format!(
            r#"if [ -x "$previous" ]; then
	"$previous" "$@" || exit $?
fi
exec vigil hook {name} "$@"
"#
        )),
        // git writes the refs being pushed on stdin: both hooks must read all of it.
        Hook::PrePush => s.push_str(&format!(
            r#"if [ -x "$previous" ]; then
	input=$(mktemp) || exit 1
	trap 'rm -f "$input"' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cat >"$input" || exit 1
	"$previous" "$@" <"$input" || exit $?
	vigil hook {name} "$@" <"$input"
	exit $?
fi
exec vigil hook {name} "$@"
"#
        )),
    }
    s
}

/// Whether a hook file's content is one of vigil's shims (of any version): a script
/// whose first lines carry [`MARKER`].
pub fn is_vigil_shim(content: &[u8]) -> bool {
    content.starts_with(b"#!")
        && content
            .split(|&b| b == b'\n')
            .take(4)
            .any(|line| line == MARKER.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shim_is_marked_and_calls_its_hook() {
        for hook in Hook::ALL {
            let text = shim(hook);
            assert!(text.starts_with("#!/bin/sh\n"));
            assert!(is_vigil_shim(text.as_bytes()));
            assert!(text.contains(&format!("exec vigil hook {} \"$@\"\n", hook.name())));
            assert!(text.contains(&format!("/{}.pre-vigil\"", hook.name())));
            assert!(text.contains("exit 127"));
        }
    }

    #[test]
    fn other_scripts_are_not_vigils() {
        assert!(!is_vigil_shim(b"#!/bin/sh\nexec make lint\n"));
        assert!(!is_vigil_shim(b""));
        // The marker as data, not as the script's own comment line.
        assert!(!is_vigil_shim(
            b"#!/bin/sh\necho '# installed by vigil hook install'\n"
        ));
        assert!(!is_vigil_shim(
            b"no shebang\n# installed by vigil hook install\n"
        ));
    }

    /// The copies in the repository's `hooks/` folder are what `shim` builds
    /// (`VIGIL_UPDATE_HOOKS=1 cargo test -p vigil-core hooks_folder` rewrites them).
    #[test]
    fn the_hooks_folder_holds_the_shims() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hooks");
        for hook in Hook::ALL {
            let path = folder.join(hook.name());
            if std::env::var_os("VIGIL_UPDATE_HOOKS").is_some() {
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(&path, shim(hook)).unwrap();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::Permissions::from_mode(0o755);
                    std::fs::set_permissions(&path, mode).unwrap();
                }
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                on_disk,
                shim(hook),
                "{} differs from shim({:?})",
                path.display(),
                hook
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).map(|m| m.permissions().mode());
                assert_eq!(
                    mode.ok().map(|m| m & 0o777),
                    Some(0o755),
                    "{}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn shims_are_valid_sh() {
        for hook in Hook::ALL {
            let out = std::process::Command::new("sh")
                .args(["-n", "-c", &shim(hook)])
                .output();
            let out = out.ok().filter(|o| o.status.success());
            assert!(out.is_some(), "sh -n rejects the {} shim", hook.name());
        }
    }

    /// Runs the pre-push shim from a hooks folder with a stub `vigil` first on PATH
    /// that records its arguments and stdin; `previous` is the kept hook, if any.
    #[cfg(unix)]
    fn run_pre_push(previous: Option<&str>) -> (Option<i32>, String, String) {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let (bin, hooks) = (tmp.path().join("bin"), tmp.path().join("hooks"));
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&hooks).unwrap();
        let log = tmp.path().join("log");
        let script = |path: &std::path::Path, text: &str| {
            std::fs::write(path, text).unwrap();
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        let log_s = log.display();
        script(
            &bin.join("vigil"),
            &format!("#!/bin/sh\necho \"vigil $*\" >>'{log_s}'\ncat >>'{log_s}'\n"),
        );
        if let Some(body) = previous {
            script(
                &hooks.join("pre-push.pre-vigil"),
                &format!("#!/bin/sh\nexec >>'{log_s}'\n{body}\n"),
            );
        }
        script(&hooks.join("pre-push"), &shim(Hook::PrePush));
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut child = std::process::Command::new(hooks.join("pre-push"))
            .args(["origin", "https://example.com/r.git"])
            .env("PATH", path)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        let refs = "refs/heads/main 1111 refs/heads/main 0000\n";
        child
            .stdin
            .take()
            .unwrap()
            .write_all(refs.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let leftovers = std::fs::read_dir(&hooks).unwrap().count();
        assert!(leftovers <= 2, "the shim left files in the hooks folder");
        (
            out.status.code(),
            std::fs::read_to_string(&log).unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[cfg(unix)]
    #[test]
    fn pre_push_feeds_stdin_to_the_kept_hook_and_to_vigil() {
        let (code, log, _) = run_pre_push(Some("echo \"old $*\"; cat"));
        assert_eq!(code, Some(0));
        let refs = "refs/heads/main 1111 refs/heads/main 0000\n";
        assert_eq!(
            log,
            format!(
                "old origin https://example.com/r.git\n{refs}\
                 vigil hook pre-push origin https://example.com/r.git\n{refs}"
            )
        );
        let (code, log, _) = run_pre_push(None);
        assert_eq!(code, Some(0));
        assert_eq!(
            log,
            format!("vigil hook pre-push origin https://example.com/r.git\n{refs}")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_kept_hook_stops_the_push_before_vigil() {
        let (code, log, _) = run_pre_push(Some("echo refused; exit 3"));
        assert_eq!(code, Some(3));
        assert_eq!(log, "refused\n");
    }
}
