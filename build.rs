//! Stamps the git revision into the binary for `aws_directconnect_exporter_build_info`:
//! `DX_EXPORTER_REVISION` when set (e.g. by an image build), else `git rev-parse`, else
//! `unknown`.

use std::process::Command;

/// `git ARGS` trimmed, when git runs and succeeds with some output.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=DX_EXPORTER_REVISION");
    // Asked of git rather than assumed to be .git/: in a worktree `.git` is a file, and
    // watching paths that do not exist would rebuild the crate every time.
    for (dir, file) in [("--git-dir", "HEAD"), ("--git-common-dir", "refs/heads")] {
        if let Some(dir) = git(&["rev-parse", dir]) {
            println!("cargo:rerun-if-changed={dir}/{file}");
        }
    }
    let revision = std::env::var("DX_EXPORTER_REVISION")
        .ok()
        .filter(|r| !r.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=DX_EXPORTER_GIT_REVISION={revision}");
}
