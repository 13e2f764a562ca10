fn main() {
    // Only the commands listed here exist for the webview; each gets an `allow-*` permission that
    // the main window's capability must grant explicitly.
    let commands = &[
        "check_server",
        "probe_server",
        "load_draft",
        "save_draft",
        "secret_store_status",
        "start_sandbox",
        "stop_sandbox",
        "check_app",
        "client_secret_saved",
        "admin_sign_in_start",
        "admin_sign_in_finish",
        "admin_sign_in_cancel",
        "plan_app",
        "apply_app",
        "consent_link",
        "grant_admin_consent",
        "cancel_admin_consent",
        "open_link",
        "list_profiles",
        "delete_profile",
        "cancel_sign_in",
        "sign_in_mailbox",
        "reverify_profile",
        "last_health",
        "check_health",
        "renewal_sign_in_start",
        "renewal_plan",
        "renewal_apply",
        "renewal_retire",
        "mailbox_folders",
        "archive_counts",
        "preview_page",
        "preview_message",
        "preview_raw",
        "save_attachment",
        "preview_search",
        "preview_search_stop",
        "save_message",
        "fetch_test",
        "send_test",
        "helpdesk_groups",
        "export_channel",
        "copy_cards",
        "choose_import_file",
        "import_profile",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}
