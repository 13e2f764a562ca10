//! The wizard's sandbox: the simulator with the bundled demo tenant, an SMTP sink, and the real
//! Dovecot stack when Dovecot is installed, all on loopback, all gone after `stop`.

use crate::exchange::smtp_sink::SmtpSink;
use crate::{RunningSim, Seed};
use serde::Serialize;
use std::path::Path;
use std::process::Command;

pub const DEMO_SEED: &str = include_str!("../seeds/demo.json");
/// The mail stack's script and templates travel inside the binary, so a packaged app has them.
const STACK_FILES: [(&str, &str); 5] = [
    (
        "mail-stack.sh",
        include_str!("../../../../tests/mail-stack/mail-stack.sh"),
    ),
    (
        "dovecot.conf.in",
        include_str!("../../../../tests/mail-stack/dovecot.conf.in"),
    ),
    (
        "oauth2.conf.ext.in",
        include_str!("../../../../tests/mail-stack/oauth2.conf.ext.in"),
    ),
    (
        "shared-mailbox-check",
        include_str!("../../../../tests/mail-stack/shared-mailbox-check"),
    ),
    (
        "smtp-client-auth-check",
        include_str!("../../../../tests/mail-stack/smtp-client-auth-check"),
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct MailStack {
    pub imap: String,
    pub smtp: String,
    /// The CA of the stack's IMAP/SMTP certificates (PEM).
    #[serde(skip)]
    pub ca_pem: String,
}

/// The bundled demo tenant. Its mailboxes are filled from the project's mail corpus (paths in the
/// seed are relative to `seeds/`); a build without the corpus beside it gets empty mailboxes.
pub fn demo_seed() -> Result<Seed, String> {
    let mut seed = Seed::from_json(DEMO_SEED)?;
    let seeds = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"));
    if seeds.join("../../../../tests/corpus").is_dir() {
        seed.base_dir = seeds.to_path_buf();
    } else {
        seed.mailboxes.clear();
    }
    Ok(seed)
}

pub struct Sandbox {
    pub sim: RunningSim,
    pub sink: SmtpSink,
    /// `None` when Dovecot is not installed or cannot run here; `why_no_mail` says which.
    pub mail: Option<MailStack>,
    pub why_no_mail: Option<String>,
    pub ca_pem: String,
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub async fn start() -> Result<Self, String> {
        let seed = demo_seed()?;
        let sim =
            RunningSim::start("127.0.0.1:0".parse().map_err(|e| format!("{e}"))?, seed).await?;
        let ca_pem = std::fs::read_to_string(&sim.endpoints.ca_file).map_err(|e| e.to_string())?;
        let dir = tempfile::Builder::new()
            .prefix("m365-sandbox-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let sink = SmtpSink::start_for(&dir.path().join("sent"), sim.sim.clone())
            .await
            .map_err(|e| e.to_string())?;
        sim.set_outgoing(([127, 0, 0, 1], sink.port).into());
        let (mail, why_no_mail) = match start_stack(dir.path(), &sim, sink.port) {
            Ok(m) => (Some(m), None),
            Err(why) => (None, Some(why)),
        };
        Ok(Self {
            sim,
            sink,
            mail,
            why_no_mail,
            ca_pem,
            dir,
        })
    }

    pub async fn stop(self) {
        if self.mail.is_some() {
            let _ = Command::new(self.dir.path().join("stack-files/mail-stack.sh"))
                .arg("stop")
                .arg(self.dir.path().join("stack"))
                .status();
        }
        self.sink.stop();
        self.sim.stop().await;
    }
}

/// The stack is Debian's Dovecot driven by a shell script: Linux only.
#[cfg(not(target_os = "linux"))]
fn start_stack(_: &Path, _: &RunningSim, _: u16) -> Result<MailStack, String> {
    Err("IMAP and SMTP are not simulated on this system: the sandbox's mail half is the Dovecot stack, which runs on Linux. The Graph channels work fully here; try IMAP and SMTP against a real mailbox or in the sandbox on Linux.".into())
}

#[cfg(target_os = "linux")]
fn start_stack(dir: &Path, sim: &RunningSim, relay_port: u16) -> Result<MailStack, String> {
    let dovecot_installed = ["/usr/sbin/dovecot", "/usr/bin/dovecot"]
        .iter()
        .any(|p| Path::new(p).exists());
    if !dovecot_installed {
        return Err(
            "Dovecot is not installed (make run installs it); IMAP and SMTP are not simulated."
                .into(),
        );
    }
    let files = dir.join("stack-files");
    std::fs::create_dir_all(&files).map_err(|e| e.to_string())?;
    for (name, text) in STACK_FILES {
        let path = files.join(name);
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        // The scripts: mail-stack.sh and the passdb helpers, which have no extension.
        if !name.contains('.') || name.ends_with(".sh") {
            set_executable(&path)?;
        }
    }
    let out = Command::new(files.join("mail-stack.sh"))
        .env("MAIL_ROOT", &sim.endpoints.mail_root)
        .arg("start")
        .arg(dir.join("stack"))
        .arg(&sim.endpoints.introspection_url)
        .arg(&sim.endpoints.ca_file)
        .arg(relay_port.to_string())
        .arg(std::process::id().to_string())
        .output()
        .map_err(|e| format!("IMAP and SMTP are not simulated: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "IMAP and SMTP are not simulated: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let port = |k: &str| info[k].as_u64().unwrap_or_default();
    let ca_pem = std::fs::read_to_string(info["ca_file"].as_str().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    Ok(MailStack {
        imap: format!("127.0.0.1:{}", port("imaps")),
        smtp: format!("127.0.0.1:{}", port("submission")),
        ca_pem,
    })
}

#[cfg(target_os = "linux")]
fn set_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())
}

/// The names in the demo seed that the wizard prefills.
pub struct DemoFacts {
    pub tenant_domain: String,
    pub client_id: String,
    pub user: String,
    pub shared_mailbox: String,
    pub helpdesk_fqdn: String,
}

pub fn demo_facts() -> DemoFacts {
    let seed: serde_json::Value = serde_json::from_str(DEMO_SEED).unwrap_or_default();
    let t = &seed["tenants"][0];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    DemoFacts {
        tenant_domain: text(&t["domains"][0]),
        client_id: text(&t["apps"][0]["client_id"]),
        user: text(&t["users"][0]["upn"]),
        shared_mailbox: text(&t["shared_mailboxes"][0]["address"]),
        helpdesk_fqdn: format!("helpdesk.{}", text(&t["domains"][0])),
    }
}
