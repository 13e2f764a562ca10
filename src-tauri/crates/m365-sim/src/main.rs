//! `m365-sim --listen 127.0.0.1:PORT --seed FILE [--sink-dir DIR]`: prints one JSON line with
//! its endpoints and CA file (and the SMTP sink's port), then serves until interrupted.
#![allow(clippy::print_stdout, clippy::print_stderr)] // the start line is the interface

use m365_sim::{RunningSim, Seed};
use std::net::SocketAddr;
use std::process::ExitCode;

const USAGE: &str =
    "usage: m365-sim --listen ADDR:PORT --seed FILE [--sink-dir DIR]   (port 0 picks a free one)";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(listen), Some(seed)) = (flag("--listen"), flag("--seed")) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(listen) = listen.parse::<SocketAddr>() else {
        eprintln!("--listen: {listen:?} is not ADDR:PORT\n{USAGE}");
        return ExitCode::from(2);
    };
    let seed = match Seed::from_file(std::path::Path::new(&seed)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let running = match RunningSim::start(listen, seed).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("m365-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut announce = serde_json::to_value(&running.endpoints).unwrap_or_default();
    let sink = match flag("--sink-dir") {
        Some(dir) => match m365_sim::exchange::smtp_sink::SmtpSink::start_for(
            std::path::Path::new(&dir),
            running.sim.clone(),
        )
        .await
        {
            Ok(s) => {
                announce["smtp_sink"] = s.port.into();
                running.set_outgoing(([127, 0, 0, 1], s.port).into());
                Some(s)
            }
            Err(e) => {
                eprintln!("m365-sim: SMTP sink in {dir}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    println!("{announce}");
    stopped().await;
    if let Some(s) = sink {
        s.stop();
    }
    running.stop().await;
    ExitCode::SUCCESS
}

/// Ctrl+C or SIGTERM (what `kill` and test harnesses send): either way the CA and mail
/// directories are removed on the way out.
#[cfg(unix)]
async fn stopped() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(t) => t,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Windows has no SIGTERM; Ctrl+C (and Ctrl+Break, which tokio maps to it) stops the simulator.
#[cfg(not(unix))]
async fn stopped() {
    let _ = tokio::signal::ctrl_c().await;
}
