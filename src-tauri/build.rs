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
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}
