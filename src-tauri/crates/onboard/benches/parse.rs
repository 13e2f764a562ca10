//! Parse throughput: the preview's message summary plus HTML sanitizing (`parse_message`) over
//! the project's real mail corpus, beside Ruby's `mail` gem (the parser Zammad uses) and Python's
//! `email` package doing the same reads on the same files, in the same run. Each measures whole
//! passes over the corpus for at least a second. Prints a markdown table (README.md, "Benchmarks").
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const MIN_TIME: Duration = Duration::from_secs(1);
/// Debian's Python (scripts/setup.sh installs it), not whatever `python3` a shell finds first.
const PYTHON: &str = "/usr/bin/python3";

/// The real mail of tests/corpus (the simulator's seed uses the same files). Not its hostile/
/// folder: synthetic attack mail, which the hostile-input tests cover.
fn corpus(repo: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo.join("tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
}

/// MB/s (10^6 bytes) of whole passes over `raws`, repeated for at least `MIN_TIME`.
fn ours(raws: &[Vec<u8>]) -> f64 {
    let (mut bytes, started) = (0, Instant::now());
    while started.elapsed() < MIN_TIME {
        for raw in raws {
            std::hint::black_box(onboard::message::parse_message(
                std::hint::black_box(raw),
                false,
            ));
            bytes += raw.len();
        }
    }
    bytes as f64 / started.elapsed().as_secs_f64() / 1e6
}

/// A peer script's MB/s: it is given the seconds to run and the files, and prints the figure.
fn peer(interpreter: &str, script: &Path, files: &[PathBuf]) -> f64 {
    let out = Command::new(interpreter)
        .arg(script)
        .arg(MIN_TIME.as_secs_f64().to_string())
        .args(files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().parse().unwrap_or_else(|_| {
        panic!(
            "{interpreter} {}: {}{text}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn version(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = here.join("../../..").canonicalize().unwrap();
    let files = corpus(&repo);
    let raws: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let size: usize = raws.iter().map(Vec::len).sum();
    let peers = here.join("benches/peers");

    let load = std::fs::read_to_string("/proc/loadavg").unwrap();
    let rust = ours(&raws);
    let ruby = peer("ruby", &peers.join("parse.rb"), &files);
    let python = peer(PYTHON, &peers.join("parse.py"), &files);

    println!(
        "Parse throughput over the mail corpus: {} messages, {:.0} KB (tests/corpus without its hostile/ folder); passes repeated for at least {} s each, one after the other. Load average before: {}.\n",
        files.len(),
        size as f64 / 1e3,
        MIN_TIME.as_secs(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("| parser | reads | MB/s | this wizard ÷ it |");
    println!("|---|---|---:|---:|");
    println!("| this wizard (mail-parser + ammonia) | headers, text, HTML **sanitized**, attachments | {rust:.2} | 1.0 |");
    let gem = version("ruby", &["-rmail", "-e", "print Mail::VERSION.version"]);
    let rb = version("ruby", &["-e", "print RUBY_VERSION"]);
    println!("| Ruby `mail` {gem} (Ruby {rb}) | headers, text and HTML decoded, attachments; no sanitizing | {ruby:.2} | {:.1} |", rust / ruby);
    let py = version(
        PYTHON,
        &["-c", "import platform; print(platform.python_version())"],
    );
    println!("| Python {py} `email` (policy.default) | headers, text and HTML decoded, attachments; no sanitizing | {python:.2} | {:.1} |", rust / python);
    println!();
}
