//! Writes the man page and the bash, zsh and fish completions of `directconnect-exporter`,
//! generated from its clap definitions (`directconnect_exporter::cli::Cli`):
//!
//! ```sh
//! cargo run --example man-and-completions -- OUT_DIR
//! ```
//!
//! `OUT_DIR/man/directconnect-exporter.1`, `OUT_DIR/completions/directconnect-exporter.bash`,
//! `OUT_DIR/completions/_directconnect-exporter` (zsh) and
//! `OUT_DIR/completions/directconnect-exporter.fish`. `scripts/deb` runs it before
//! packaging; nothing it writes is committed.
//!
//! An example rather than a build script or a second binary: a build script cannot link the
//! crate's own library (where `Cli` lives), an extra `[[bin]]` would be installed by
//! `cargo install`, and `main.rs` stays about running the exporter. `cargo build
//! --all-targets` (the test suite's build) already compiles it.

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;
use directconnect_exporter::app::EX_USAGE;
use directconnect_exporter::cli::Cli;

const BIN: &str = "directconnect-exporter";

/// What a packager needs beyond `--help`: where the package keeps its settings.
const FILES_SECTION: &str = r#".SH FILES
.TP
\fI/etc/directconnect\-exporter/config.yml\fR
The configuration file (\fB\-\-config.file\fR) of the packaged systemd service.
.TP
\fI/etc/default/directconnect\-exporter\fR
Environment of the systemd service: \fBDX_EXPORTER_*\fR flags and \fBAWS_*\fR variables.
"#;

/// The man page, section 1, in roff.
fn man_page() -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.extend_from_slice(FILES_SECTION.as_bytes());
    Ok(out)
}

/// The completion script for `shell`.
fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    out
}

/// Every generated file: its path under the output directory and its content.
fn files() -> io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let completions = Path::new("completions");
    Ok(vec![
        (Path::new("man").join(format!("{BIN}.1")), man_page()?),
        (
            completions.join(format!("{BIN}.bash")),
            completion(Shell::Bash),
        ),
        (completions.join(format!("_{BIN}")), completion(Shell::Zsh)),
        (
            completions.join(format!("{BIN}.fish")),
            completion(Shell::Fish),
        ),
    ])
}

/// Writes every file under `out_dir`, creating directories; prints each path.
fn write_all(out_dir: &Path) -> io::Result<()> {
    for (rel, content) in files()? {
        let path = out_dir.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, content)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        println!("{}", path.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out_dir] = args.as_slice() else {
        eprintln!("usage: man-and-completions OUT_DIR");
        return ExitCode::from(EX_USAGE);
    };
    match write_all(Path::new(out_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("man-and-completions: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--name` of every argument, clap's own `--help` and `--version` included.
    fn long_flags() -> Vec<String> {
        let mut cmd = Cli::command();
        cmd.build();
        let flags: Vec<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_long())
            .map(|l| format!("--{l}"))
            .collect();
        assert!(flags.len() > 10, "too few flags found: {flags:?}");
        flags
    }

    /// The man page as a reader sees it: roff's escaped hyphens (`\-`) made plain.
    fn man_text() -> String {
        String::from_utf8(man_page().unwrap())
            .unwrap()
            .replace("\\-", "-")
    }

    /// The flags of the OPTIONS section: the first line after each `.TP` lists an option's
    /// spellings, e.g. `\fB-h\fR, \fB--help\fR` or `\fB--demo\fR`.
    fn documented_flags(man: &str) -> Vec<String> {
        let lines: Vec<&str> = man.lines().collect();
        lines
            .windows(2)
            .filter(|w| w[0] == ".TP")
            .flat_map(|w| w[1].split("\\fB").skip(1))
            .filter_map(|s| s.split("\\fR").next())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_man_page_documents_every_long_flag() {
        let documented = documented_flags(&man_text());
        let missing: Vec<_> = long_flags()
            .into_iter()
            .filter(|f| !documented.contains(f))
            .collect();
        assert!(
            missing.is_empty(),
            "flags missing from the man page: {missing:?}"
        );
    }

    #[test]
    fn the_man_page_names_each_flags_environment_variable() {
        let man = man_text();
        let mut cmd = Cli::command();
        cmd.build();
        let vars: Vec<_> = cmd.get_arguments().filter_map(|a| a.get_env()).collect();
        assert!(vars.len() > 10, "too few environment variables: {vars:?}");
        for var in vars {
            let var = var.to_str().unwrap();
            assert!(
                man.contains(&format!("\\fB{var}\\fR")),
                "{var} missing from the man page"
            );
        }
    }

    #[test]
    fn the_man_page_is_section_one_with_the_usual_sections() {
        let man = man_text();
        assert!(
            man.contains(".TH directconnect-exporter 1 "),
            "no section-1 title line"
        );
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES"] {
            assert!(
                man.contains(&format!("\n.SH {section}\n")),
                "no {section} section"
            );
        }
    }

    #[test]
    fn every_completion_script_offers_every_long_flag() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let script = String::from_utf8(completion(shell)).unwrap();
            for flag in long_flags() {
                // fish lists flags without their leading dashes (`-l web.config.file`).
                let name = flag.trim_start_matches('-');
                assert!(script.contains(name), "{shell}: {flag} missing");
            }
        }
    }
}
