//! The app's start: the release build (`make bench` builds it) on the X display of `DISPLAY`
//! (Xvfb under `tests/with-session.sh --display`). Time to first paint is from launch until a
//! screenshot of the root window shows the wizard drawn (more colours than a bare window has),
//! polled with `xwd`. Memory is read one second later, from /proc, for the app's process and
//! all its descendants (WebKit's web and network processes). Prints a markdown table.
//! The display must not reset between starts (`tests/with-session.sh` gives Xvfb `-noreset`):
//! a server whose last client leaves resets, and an `xwd` that connects meanwhile is refused.
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

use std::collections::HashSet;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Measured starts; one more start before them fills the caches (a returning user).
const STARTS: usize = 20;
/// A window with text and controls has far more distinct colours than this (anti-aliasing); a
/// blank screen or a window's plain background has one or two.
const DRAWN_COLOURS: usize = 64;
const GIVE_UP: Duration = Duration::from_secs(30);
/// From first paint to reading memory: the wizard shown and settled.
const SETTLE: Duration = Duration::from_secs(1);

/// How often the screen is read while waiting for the first paint: often enough to time it to
/// a frame, rarely enough not to load the X server that is drawing it.
const POLL: Duration = Duration::from_millis(10);

/// The root window's pixels, without `xwd`'s header. A capture that fails says why: xwd's own
/// words, its exit status and the display it was given. xwd walks the windows below the root,
/// so a window destroyed meanwhile (the app's windows come and go while it starts and stops)
/// fails that one capture with `BadWindow`: it is taken again, at most a few times.
fn screen() -> Vec<u8> {
    let mut changed = 0;
    loop {
        match capture() {
            Ok(pixels) => return pixels,
            Err(why) if why.contains("BadWindow") && changed < 5 => changed += 1,
            Err(why) => panic!("{why}"),
        }
    }
}

fn capture() -> Result<Vec<u8>, String> {
    let out = match Command::new("xwd").args(["-root", "-silent"]).output() {
        Ok(out) => out,
        Err(e) => panic!("xwd could not run ({e}): `scripts/setup.sh bench` installs x11-apps"),
    };
    if !out.status.success() || out.stdout.len() <= 100 {
        let display = std::env::var("DISPLAY").unwrap_or_else(|_| "(DISPLAY is not set)".into());
        return Err(format!(
            "xwd failed on display {display} ({}, {} bytes): {}",
            out.status,
            out.stdout.len(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let be = |at: usize| u32::from_be_bytes(out.stdout[at..at + 4].try_into().unwrap()) as usize;
    // XWD: header_size at 0, ncolors at 76; 12 bytes per colour entry after the header.
    let pixels = be(0) + be(76) * 12;
    Ok(out.stdout[pixels..].to_vec())
}

fn colours(pixels: &[u8]) -> usize {
    let mut seen = HashSet::new();
    for p in pixels.chunks_exact(4) {
        if seen.insert(p) && seen.len() > DRAWN_COLOURS {
            break;
        }
    }
    seen.len()
}

/// A field of a /proc file of `pid`, in KiB.
fn kib(pid: u32, file: &str, name: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

/// `root` and every process below it.
fn tree(root: u32) -> Vec<(u32, String)> {
    let mut parent_of = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        // pid (comm) state ppid …; comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let ppid = stat[close + 1..].split_whitespace().nth(1);
        if let Some(ppid) = ppid.and_then(|p| p.parse::<u32>().ok()) {
            parent_of.push((pid, ppid, stat[open + 1..close].to_owned()));
        }
    }
    let mut out = vec![(root, String::new())];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i].0;
        out.extend(
            parent_of
                .iter()
                .filter(|(_, pp, _)| *pp == parent)
                .map(|(p, _, name)| (*p, name.clone())),
        );
        i += 1;
    }
    out
}

struct Start {
    /// The window on screen, not yet drawn into.
    mapped: Duration,
    paint: Duration,
    main_rss: u64,
    /// The part of `main_rss` that is the process's own (heap, stacks), not mapped files.
    main_anon: u64,
    total_rss: u64,
    total_pss: u64,
    /// Each helper process's name, RSS and PSS (KiB), the app's own first.
    processes: Vec<(String, u64, u64)>,
}

fn start(app: &PathBuf, home: &std::path::Path, blank: &[u8]) -> Start {
    let launched = Instant::now();
    let mut app = Command::new(app);
    app.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("NO_AT_BRIDGE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own group, so the whole tree (WebKit's processes) is stopped together.
    #[cfg(unix)]
    app.process_group(0);
    let mut child = app.spawn().unwrap();
    let pid = child.id();
    let mut mapped = None;
    let paint = loop {
        let s = screen();
        if s != blank {
            mapped.get_or_insert(launched.elapsed());
            if colours(&s) > DRAWN_COLOURS {
                break launched.elapsed();
            }
        }
        assert!(launched.elapsed() < GIVE_UP, "the wizard was not drawn");
        assert!(child.try_wait().unwrap().is_none(), "the app exited");
        std::thread::sleep(POLL);
    };
    std::thread::sleep(SETTLE);
    let procs = tree(pid);
    let (main_rss, main_anon) = (kib(pid, "status", "VmRSS:"), kib(pid, "status", "RssAnon:"));
    let sum = |file, name| procs.iter().map(|(p, _)| kib(*p, file, name)).sum();
    let (total_rss, total_pss) = (sum("status", "VmRSS:"), sum("smaps_rollup", "Pss:"));
    let processes = procs
        .iter()
        .enumerate()
        .map(|(i, (p, name))| {
            let name = if i == 0 { "m365-onboard-app" } else { name };
            (
                name.to_owned(),
                kib(*p, "status", "VmRSS:"),
                kib(*p, "smaps_rollup", "Pss:"),
            )
        })
        .collect();
    // The process group started here: the app and its helpers.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .status();
    let _ = child.wait();
    while screen() != blank {
        std::thread::sleep(POLL);
    }
    Start {
        mapped: mapped.unwrap_or(paint),
        paint,
        main_rss,
        main_anon,
        total_rss,
        total_pss,
        processes,
    }
}

/// A line of the table: what, how a start gives it, its unit and its budget.
type Row = (&'static str, fn(&Start) -> f64, &'static str, &'static str);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// KiB as MB (10^6 bytes), the budgets' unit.
fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// The value at `q` (0.5 the median, 0.95 the 95th percentile: the nearest rank).
fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let rank = (q * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn main() {
    // target/release/deps/app_start-… → target/release/m365-onboard-app
    let exe = std::env::current_exe().unwrap();
    let app = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("m365-onboard-app");
    assert!(
        app.exists(),
        "{} is missing: `make bench` builds it",
        app.display()
    );
    let home = tempfile::tempdir().unwrap();
    let blank = screen();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap();
    start(&app, home.path(), &blank);
    let runs: Vec<Start> = (0..STARTS)
        .map(|_| start(&app, home.path(), &blank))
        .collect();
    let at = |f: &dyn Fn(&Start) -> f64, q| quantile(runs.iter().map(f).collect(), q);
    let mut helpers: Vec<String> = runs[0].processes[1..].iter().map(|p| p.0.clone()).collect();
    helpers.sort();
    println!(
        "App start: release build on Xvfb (1280×900), median of {STARTS} starts after one that fills the caches; memory {} s after first paint. Helper processes: {}. Load average before: {}.\n",
        SETTLE.as_secs(),
        helpers.join(", "),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("| measure | median | p95 | slowest / largest | budget |");
    println!("|---|---:|---:|---:|---:|");
    let rows: [Row; 6] = [
        (
            "window on screen (not yet drawn)",
            |s| ms(s.mapped),
            "ms",
            "",
        ),
        ("time to first paint", |s| ms(s.paint), "ms", "≤ 1000 ms"),
        ("RSS, main process", |s| mb(s.main_rss), "MB", "≤ 150 MB"),
        (
            "of which its own (RssAnon: heap, stacks; the rest is mapped files and shared memory)",
            |s| mb(s.main_anon),
            "MB",
            "",
        ),
        (
            "RSS, in total with WebKit's processes",
            |s| mb(s.total_rss),
            "MB",
            "≤ 450 MB",
        ),
        (
            "PSS, in total (shared pages counted once)",
            |s| mb(s.total_pss),
            "MB",
            "",
        ),
    ];
    for (name, f, unit, budget) in rows {
        let max = runs.iter().map(f).fold(0.0, f64::max);
        println!(
            "| {name} | {:.0} {unit} | {:.0} {unit} | {max:.0} {unit} | {budget} |",
            at(&f, 0.5),
            at(&f, 0.95)
        );
    }
    println!("\nMemory per process, medians of the {STARTS} starts (a process name WebKit gives twice counts as one, summed):\n");
    println!("| process | RSS | PSS |");
    println!("|---|---:|---:|");
    let mut names: Vec<&str> = Vec::new();
    for (name, _, _) in &runs[0].processes {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    for name in names {
        let sum = |s: &Start, pick: fn(&(String, u64, u64)) -> u64| {
            mb(s.processes.iter().filter(|p| p.0 == name).map(pick).sum())
        };
        let rss = quantile(runs.iter().map(|s| sum(s, |p| p.1)).collect(), 0.5);
        let pss = quantile(runs.iter().map(|s| sum(s, |p| p.2)).collect(), 0.5);
        println!("| {name} | {rss:.0} MB | {pss:.0} MB |");
    }
    println!();
}
