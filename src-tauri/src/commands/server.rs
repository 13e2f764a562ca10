use onboard::{Diagnosis, ServerCheck, ServerCheckInput};

#[tauri::command]
pub async fn check_server(input: ServerCheckInput) -> Result<ServerCheck, Diagnosis> {
    onboard::check_server(&input)
}
