use onboard::{
    catalog::Diagnosis,
    server::{ProbeOptions, ServerCheck, ServerCheckInput, ServerProbe},
};

#[tauri::command]
pub async fn check_server(input: ServerCheckInput) -> Result<ServerCheck, Diagnosis> {
    onboard::server::check_server(&input)
}

/// The offline check again (cheap, and the webview sends input, not results), then the live
/// checks. No extra CA even in sandbox mode: the helpdesk is the admin's own server.
#[tauri::command]
pub async fn probe_server(input: ServerCheckInput) -> Result<ServerProbe, Diagnosis> {
    let check = onboard::server::check_server(&input)?;
    Ok(onboard::server::probe_server(&check, &ProbeOptions::default()).await)
}
