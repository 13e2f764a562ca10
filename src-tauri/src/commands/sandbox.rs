//! The sandbox tenant: the simulator (and Dovecot, when installed) in-process, on loopback.

use m365_sim::sandbox::Sandbox;
use onboard::{
    catalog::Diagnosis,
    cloud::{Cloud, CloudPreset},
    identity::{discover_tenant, SandboxInfo},
    profile::Session,
};
use tauri::State;
use tokio::sync::Mutex;

/// The running sandbox, if any, and what was reported about it.
#[derive(Default)]
pub struct SandboxState(pub Mutex<Option<(Sandbox, SandboxInfo)>>);

#[tauri::command]
pub async fn start_sandbox(
    state: State<'_, SandboxState>,
    session: State<'_, Session>,
) -> Result<SandboxInfo, Diagnosis> {
    let mut running = state.0.lock().await;
    if let Some((_, info)) = running.as_ref() {
        return Ok(info.clone());
    }
    let sandbox = Sandbox::start().await.map_err(|e| {
        Diagnosis::new(
            "sandbox.start",
            "The sandbox tenant could not start",
            e,
            "Check that this machine allows listening on 127.0.0.1, then try again.",
        )
    })?;
    let mut cloud = Cloud::preset(CloudPreset::Global);
    cloud.name = "Sandbox".into();
    cloud.authority = sandbox.sim.endpoints.authority.clone();
    cloud.graph = sandbox.sim.endpoints.graph.clone();
    cloud.extra_ca_pem = Some(sandbox.ca_pem.clone());
    if let Some(mail) = &sandbox.mail {
        (cloud.imap, cloud.smtp) = (mail.imap.clone(), mail.smtp.clone());
        // Dovecot's certificates come from a CA of their own.
        cloud.extra_ca_pem = Some(format!("{}\n{}", sandbox.ca_pem, mail.ca_pem));
    }
    let facts = m365_sim::sandbox::demo_facts();
    let tenant = discover_tenant(&cloud, &facts.tenant_domain).await?;
    let info = SandboxInfo {
        cloud,
        tenant,
        tenant_domain: facts.tenant_domain,
        client_id: facts.client_id,
        user: facts.user,
        shared_mailbox: facts.shared_mailbox,
        helpdesk_fqdn: facts.helpdesk_fqdn,
        mail_note: sandbox.why_no_mail.clone(),
    };
    session.set_sandbox(Some(info.cloud.clone()));
    *running = Some((sandbox, info.clone()));
    Ok(info)
}

#[tauri::command]
pub async fn stop_sandbox(
    state: State<'_, SandboxState>,
    session: State<'_, Session>,
) -> Result<(), Diagnosis> {
    session.set_sandbox(None);
    if let Some((sandbox, _)) = state.0.lock().await.take() {
        sandbox.stop().await;
    }
    Ok(())
}
