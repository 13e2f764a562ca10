//! What the wizard knows about a running sandbox tenant, to show and to prefill.

use crate::{cloud::Cloud, identity::TenantInfo};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SandboxInfo {
    pub cloud: Cloud,
    /// Found by OpenID discovery against the simulator, as for a real tenant.
    pub tenant: TenantInfo,
    pub tenant_domain: String,
    pub client_id: String,
    pub user: String,
    pub shared_mailbox: String,
    pub helpdesk_fqdn: String,
    /// Why IMAP and SMTP are not simulated, when they are not.
    pub mail_note: Option<String>,
}
