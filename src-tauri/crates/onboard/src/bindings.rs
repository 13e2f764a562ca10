//! The TypeScript declarations of every type that crosses to the front end, generated from the
//! Rust types so the two sides cannot drift. `make types` rewrites ui/src/lib/bindings.ts; a test
//! fails while the committed file is stale.

use crate::{
    app_registration::*, catalog::*, cloud::*, export::*, health::*, identity::*, mailbox::*,
    message::*, platform::*, profile::*, renewal::*, server::*,
};
use ts_rs::{Config, TS};

pub fn typescript() -> String {
    let cfg = Config::new();
    let decls = [
        Diagnosis::decl(&cfg),
        Folder::decl(&cfg),
        HelpdeskGroup::decl(&cfg),
        ArchiveCounts::decl(&cfg),
        ServerKind::decl(&cfg),
        HostName::decl(&cfg),
        ServerCheckInput::decl(&cfg),
        ServerCheck::decl(&cfg),
        CheckStatus::decl(&cfg),
        CheckStep::decl(&cfg),
        ServerProbe::decl(&cfg),
        WizardStep::decl(&cfg),
        ServerDraft::decl(&cfg),
        AppDraft::decl(&cfg),
        AccountDraft::decl(&cfg),
        OptionsDraft::decl(&cfg),
        Draft::decl(&cfg),
        SecretStoreStatus::decl(&cfg),
        CloudPreset::decl(&cfg),
        TlsMode::decl(&cfg),
        Cloud::decl(&cfg),
        TenantInfo::decl(&cfg),
        Identity::decl(&cfg),
        SandboxInfo::decl(&cfg),
        ChannelKind::decl(&cfg),
        PermissionType::decl(&cfg),
        Permission::decl(&cfg),
        PermissionCheck::decl(&cfg),
        TenantForm::decl(&cfg),
        AppInput::decl(&cfg),
        SecretExpiry::decl(&cfg),
        AppCheck::decl(&cfg),
        ConsentGranted::decl(&cfg),
        DeviceCodePrompt::decl(&cfg),
        DesiredApp::decl(&cfg),
        Action::decl(&cfg),
        Change::decl(&cfg),
        ExistingApp::decl(&cfg),
        Plan::decl(&cfg),
        NewSecret::decl(&cfg),
        Applied::decl(&cfg),
        AppliedOnce::decl(&cfg),
        MailboxRef::decl(&cfg),
        ProfileCloud::decl(&cfg),
        SignInFlow::decl(&cfg),
        Resource::decl(&cfg),
        GrantedScopes::decl(&cfg),
        FolderRef::decl(&cfg),
        ArchiveMode::decl(&cfg),
        ChannelSetup::decl(&cfg),
        Profile::decl(&cfg),
        ProfileList::decl(&cfg),
        Deleted::decl(&cfg),
        MailboxChoice::decl(&cfg),
        NewProfile::decl(&cfg),
        NeedsSignIn::decl(&cfg),
        SignInSummary::decl(&cfg),
        AppOnlyTarget::decl(&cfg),
        ServicePrincipal::decl(&cfg),
        AppOnlySetup::decl(&cfg),
        SendAsStatus::decl(&cfg),
        MailboxAccess::decl(&cfg),
        InboxFacts::decl(&cfg),
        ImapCheck::decl(&cfg),
        SmtpCheck::decl(&cfg),
        Connected::decl(&cfg),
        MessageSummary::decl(&cfg),
        MessagePage::decl(&cfg),
        SearchScope::decl(&cfg),
        SearchQuery::decl(&cfg),
        SearchHit::decl(&cfg),
        SearchPage::decl(&cfg),
        SearchProgress::decl(&cfg),
        AttachmentInfo::decl(&cfg),
        RemoteImageFailure::decl(&cfg),
        MessageView::decl(&cfg),
        SecretRef::decl(&cfg),
        IncludedSecrets::decl(&cfg),
        ProfileRecord::decl(&cfg),
        CloudRecord::decl(&cfg),
        ChannelConfig::decl(&cfg),
        ExportFormat::decl(&cfg),
        ExportOptions::decl(&cfg),
        SecretsIncluded::decl(&cfg),
        Export::decl(&cfg),
        Imported::decl(&cfg),
        CopyValue::decl(&cfg),
        CopyCard::decl(&cfg),
        Health::decl(&cfg),
        HealthCheck::decl(&cfg),
        ProfileHealth::decl(&cfg),
        Expiring::decl(&cfg),
        AppSecret::decl(&cfg),
        AppSecrets::decl(&cfg),
        WrittenExport::decl(&cfg),
        ExportAction::decl(&cfg),
        ExportStep::decl(&cfg),
        RenewalPlan::decl(&cfg),
        ExportDone::decl(&cfg),
        Renewed::decl(&cfg),
        RenewedOnce::decl(&cfg),
    ];
    let mut out = String::from("// Generated from the Rust core by `make types`; do not edit.\n");
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_bindings_are_current() {
        crate::generated_file::assert_current(
            "ui/src/lib/bindings.ts",
            &super::typescript(),
            "UPDATE_BINDINGS",
            "run `make types` and commit it",
        );
    }
}
