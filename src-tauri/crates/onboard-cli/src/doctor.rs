//! `doctor`: the health of kept profiles, read-only, for people, scripts and monitoring systems.
//! Its exit code follows the Nagios/Icinga plugin convention (0 OK, 1 WARNING, 2 CRITICAL,
//! 3 UNKNOWN), the worst over the profiles checked.

use crate::cloud_args::CloudArgs;
use clap::{Args, ValueEnum};
use onboard::{
    catalog::Diagnosis,
    health::{
        doctor_all, doctor_fleet, nagios_line, DoctorOptions, DoctorReport, Health, LastChecks,
    },
};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

#[derive(Args)]
pub struct Doctor {
    /// The profile to check (repeatable).
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "all",
        required_unless_present = "all"
    )]
    profile: Vec<String>,
    /// Every profile, concurrently (a bound per tenant).
    #[arg(long)]
    all: bool,
    /// A credential expiring within this many days is a WARNING.
    #[arg(long, value_name = "N", default_value_t = 30)]
    warn_days: i64,
    /// text for people (the default), json (as --json) for scripts, nagios for monitoring
    /// systems; it wins over --json.
    #[arg(long, value_enum)]
    format: Option<Format>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Nagios,
}

pub async fn run(args: Doctor, cloud: &CloudArgs, json: bool) -> ExitCode {
    let format = args
        .format
        .unwrap_or(if json { Format::Json } else { Format::Text });
    let report = match check(&args, cloud, format).await {
        Ok(r) => r,
        Err(d) => {
            // Nothing could be checked: UNKNOWN, in the format asked for.
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({ "schema": onboard::health::fleet::SCHEMA, "status": "UNKNOWN", "exit_code": 3, "error": d })
                ),
                Format::Nagios => println!("M365 ONBOARD UNKNOWN - {}: {}", d.title, d.detail),
                Format::Text => eprint!("{}", crate::output::diagnosis_text(&d)),
            }
            return ExitCode::from(Health::Unknown.exit_code());
        }
    };
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        Format::Nagios => println!("{}", nagios_line(&report)),
        Format::Text => print!("{}", text(&report)),
    }
    ExitCode::from(report.exit_code)
}

async fn check(
    args: &Doctor,
    cloud: &CloudArgs,
    format: Format,
) -> Result<DoctorReport, Diagnosis> {
    if args.warn_days < 0 {
        return Err(Diagnosis::field(
            "--warn-days",
            "cli.warn_days",
            format!("{} is not a number of days.", args.warn_days),
            "Give 0 or more, such as --warn-days 30.",
        ));
    }
    let session = crate::sign_in::session(cloud)?;
    let opts = DoctorOptions {
        warn_days: args.warn_days,
    };
    // A progress line for a person at a terminal; scripts and monitoring get none.
    let show = format == Format::Text && std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if show && total > 1 {
            eprint!("\rChecked {done} of {total} profiles");
            if done == total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
    };
    let report = if args.all {
        doctor_fleet(&session, &opts, progress).await?
    } else {
        doctor_all(&session, &args.profile, &opts, progress).await
    };
    // For the wizard's Health view; monitoring's answer does not depend on it.
    if let Err(d) = LastChecks::keep(session.profiles(), &report.profiles) {
        eprintln!("{}: {}", d.title, d.detail);
    }
    if report.profiles.is_empty() {
        return Err(Diagnosis::new(
            "cli.no_profiles",
            "There is no profile to check",
            "No mailbox has been connected on this machine.",
            "Add one with the wizard or `m365-onboard sign-in`.",
        ));
    }
    Ok(report)
}

fn text(report: &DoctorReport) -> String {
    let mut s = String::new();
    for p in &report.profiles {
        s.push_str(&format!(
            "{} {} — {}\n",
            p.status.as_str(),
            p.profile,
            p.channel
        ));
        let width = p
            .checks
            .iter()
            .map(|c| c.label.chars().count())
            .max()
            .unwrap_or(0);
        for c in &p.checks {
            let mark = match c.status {
                Health::Ok => "✓",
                Health::Warning => "!",
                Health::Critical => "✗",
                Health::Unknown => "?",
            };
            s.push_str(&format!("  {mark} {:width$}  {}\n", c.label, c.detail));
            if let Some(cause) = &c.cause {
                s.push_str(&format!("      {cause}\n"));
            }
            if let Some(fix) = &c.fix {
                s.push_str(&format!("      Fix: {fix}\n"));
            }
        }
    }
    s.push_str(&format!(
        "{}: {} profile(s) checked\n",
        report.status.as_str(),
        report.profiles.len()
    ));
    s
}
