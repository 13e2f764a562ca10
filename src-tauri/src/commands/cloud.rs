//! Which cloud a command talks to: the sandbox's while it runs (the wizard is in sandbox mode
//! then), otherwise the national cloud the admin chose.

use super::sandbox::SandboxState;
use onboard::cloud::{Cloud, CloudPreset};

pub async fn resolve(sandbox: &SandboxState, preset: CloudPreset) -> Cloud {
    match sandbox.0.lock().await.as_ref() {
        Some((_, info)) => info.cloud.clone(),
        None => Cloud::preset(preset),
    }
}
