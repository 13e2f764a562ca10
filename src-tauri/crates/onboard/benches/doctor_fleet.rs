//! `doctor --all` over an MSP's fleet: 200 app-only Graph profiles in 20 simulated tenants (ten
//! mailboxes each), checked concurrently (at most `PER_TENANT` per tenant), with and without
//! 40 ms of latency added by the simulator to every request. Prints a markdown table
//! (docs/benchmarks.md).
#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark's output is its table

#[path = "../tests/support/mod.rs"]
mod support;

use m365_sim::tenant::request_log::{Fault, FaultRule};
use m365_sim::tenant::seed::Seed;
use onboard::{
    health::{doctor_all, DoctorOptions, Health, PER_TENANT},
    identity::{sign_in_app_only, AppOnlyTarget, ChannelKind},
    mailbox::{connect_mailbox, AppConnection, Credentials},
    platform::{MemoryStore, Secret},
    profile::{MailboxChoice, ProfileCloud, ProfileStore, Session},
};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

const TENANTS: usize = 20;
const MAILBOXES: usize = 10;
const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
const LATENCY_MS: u64 = 40;

/// The demo tenant's app, users and settings, cloned into `TENANTS` tenants `t0.test`, …
fn fleet_seed() -> Seed {
    let demo: Value = serde_json::from_str(m365_sim::sandbox::DEMO_SEED).unwrap();
    let template = &demo["tenants"][0];
    let mut tenants = Vec::new();
    let mut mailboxes = serde_json::Map::new();
    for t in 0..TENANTS {
        let mut tenant = template.clone();
        tenant["id"] = format!("{t:08x}-0000-4000-8000-000000000000").into();
        tenant["domains"] = json!([format!("t{t}.test")]);
        tenant["shared_mailboxes"] = json!([]);
        let users: Vec<Value> = (0..MAILBOXES)
            .map(|m| {
                let mut u = template["users"][0].clone();
                u["id"] = format!("{t:08x}-{m:04x}-4000-8000-000000000001").into();
                u["upn"] = format!("box{m}@t{t}.test").into();
                u["admin"] = false.into();
                mailboxes.insert(
                    format!("box{m}@t{t}.test"),
                    json!({ "folders": [{ "name": "Inbox", "well_known": "inbox", "children": [], "messages": [] }] }),
                );
                u
            })
            .collect();
        tenant["users"] = users.into();
        tenants.push(tenant);
    }
    Seed::from_json(&json!({ "tenants": tenants, "mailboxes": mailboxes }).to_string()).unwrap()
}

#[tokio::main]
async fn main() {
    let (sim, cloud) = support::sim::sim_cloud_with(fleet_seed()).await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let session =
        Session::new(ProfileStore::new(dir.path()), secrets.clone()).with_sandbox(cloud.clone());
    let secret = Secret::new(SECRET);
    let mut names = Vec::new();
    for t in 0..TENANTS {
        let tenant = format!("t{t}.test");
        let app = AppConnection {
            cloud: cloud.clone(),
            profile_cloud: ProfileCloud::Sandbox,
            tenant: tenant.clone(),
            client_id: APP.into(),
            client_secret: Some(secret.clone()),
            channel: ChannelKind::GraphApplication,
        };
        for m in 0..MAILBOXES {
            let only = sign_in_app_only(&cloud, &tenant, APP, &secret, AppOnlyTarget::Graph)
                .await
                .unwrap();
            let address = format!("box{m}@{tenant}");
            let choice = MailboxChoice::Shared { address };
            let connected =
                connect_mailbox(&session, &app, choice, Credentials::AppOnly(only), None)
                    .await
                    .unwrap();
            names.push(connected.profile.unwrap().name);
        }
    }
    let opts = DoctorOptions::default();
    println!(
        "`doctor --all` over {} app-only Graph profiles in {TENANTS} tenants, at most {PER_TENANT} per tenant at a time; each profile's checks: tenant, app and secret, secret expiry, token, permissions, mailbox.\n",
        names.len()
    );
    println!("| added latency per request | seconds | profiles per second | requests | statuses |");
    println!("|---|---:|---:|---:|---|");
    for latency in [0, LATENCY_MS] {
        if latency > 0 {
            sim.sim.faults.lock().unwrap().push(FaultRule {
                path_prefix: "/".into(),
                method: None,
                fault: Fault::Latency { ms: latency },
                times: None,
            });
        }
        // A new session each run: no access token cached from the one before.
        let session = Session::new(ProfileStore::new(dir.path()), secrets.clone())
            .with_sandbox(cloud.clone());
        let before = sim.sim.log.lock().unwrap().len();
        let started = Instant::now();
        let report = doctor_all(&session, &names, &opts, |_, _| {}).await;
        let secs = started.elapsed().as_secs_f64();
        let requests = sim.sim.log.lock().unwrap().len() - before;
        let ok = report
            .profiles
            .iter()
            .filter(|p| p.status == Health::Ok)
            .count();
        assert_eq!(
            ok,
            names.len(),
            "{:#?}",
            report.profiles.iter().find(|p| p.status != Health::Ok)
        );
        println!(
            "| {latency} ms | {secs:.2} | {:.0} | {requests} | {ok} OK |",
            names.len() as f64 / secs
        );
    }
    println!();
    sim.stop().await;
}
