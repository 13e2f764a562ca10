//! The one-line summary monitoring systems read (Nagios/Icinga plugin output): the status, what
//! is wrong, and performance data after `|` (`'label'=value;warn;crit;min;max`).

use crate::health::fleet::DoctorReport;
use crate::health::status::Health;

pub fn nagios_line(report: &DoctorReport) -> String {
    let count = |h: Health| report.profiles.iter().filter(|p| p.status == h).count();
    let total = report.profiles.len();
    let summary = if report.status == Health::Ok {
        format!("{total} of {total} profiles OK")
    } else {
        let problems: Vec<String> = report
            .profiles
            .iter()
            .filter(|p| p.status != Health::Ok)
            .map(|p| {
                let worst = p.checks.iter().max_by_key(|c| c.status);
                match worst {
                    Some(c) => format!(
                        "{} {} ({}: {})",
                        p.profile,
                        p.status.as_str(),
                        c.id,
                        c.detail
                    ),
                    None => format!("{} {}", p.profile, p.status.as_str()),
                }
            })
            .collect();
        format!(
            "{} of {total} profiles need attention: {}",
            total - count(Health::Ok),
            problems.join("; ")
        )
    };
    let mut perf = vec![
        format!("profiles={total};;;0"),
        format!("critical={};;1;0", count(Health::Critical)),
        format!("warning={};1;;0", count(Health::Warning)),
        format!("unknown={};;;0", count(Health::Unknown)),
    ];
    for p in &report.profiles {
        let days = p.checks.iter().find_map(|c| c.values.get("days_left"));
        if let Some(days) = days {
            perf.push(format!(
                "'{}_days_left'={days};{};0",
                label(&p.profile),
                report.warn_days
            ));
        }
    }
    // The plugin convention: one line, no `|` in the text.
    let summary = summary.replace(['|', '\n', '\r'], " ");
    format!(
        "M365 ONBOARD {} - {summary} | {}",
        report.status.as_str(),
        perf.join(" ")
    )
}

/// Performance data labels are quoted with `'`; a quote inside is doubled, `=` is not allowed.
fn label(name: &str) -> String {
    name.replace('\'', "''").replace('=', "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::doctor::{HealthCheck, ProfileHealth};
    use std::collections::BTreeMap;

    fn profile(name: &str, status: Health, days_left: Option<i64>) -> ProfileHealth {
        let mut values = BTreeMap::new();
        if let Some(d) = days_left {
            values.insert("days_left".to_owned(), d);
        }
        ProfileHealth {
            profile: name.to_owned(),
            mailbox: name.to_owned(),
            tenant: "t".into(),
            channel: "c".into(),
            status,
            checked_at: "2026-12-07T00:00:00Z".into(),
            checks: vec![HealthCheck {
                id: "secret-expiry".into(),
                label: "Secret expiry".into(),
                status,
                detail: "The client secret expires | soon".into(),
                code: None,
                cause: None,
                fix: None,
                values,
            }],
        }
    }

    #[test]
    fn one_line_with_the_problems_and_performance_data() {
        let report = DoctorReport {
            schema: crate::health::fleet::SCHEMA.into(),
            status: Health::Warning,
            exit_code: 1,
            warn_days: 30,
            profiles: vec![
                profile("a@x.test", Health::Ok, Some(200)),
                profile("o'brien=b@x.test", Health::Warning, Some(12)),
            ],
        };
        let line = nagios_line(&report);
        assert_eq!(
            line,
            "M365 ONBOARD WARNING - 1 of 2 profiles need attention: o'brien=b@x.test WARNING \
             (secret-expiry: The client secret expires   soon) | profiles=2;;;0 critical=0;;1;0 \
             warning=1;1;;0 unknown=0;;;0 'a@x.test_days_left'=200;30;0 \
             'o''brien_b@x.test_days_left'=12;30;0"
        );
        assert_eq!(line.matches('|').count(), 1);
    }
}
