//! `m365-sim-browser URL`: a stand-in for the system browser in end-to-end runs. It signs in as
//! `M365_SIM_USER` with `M365_SIM_PASSWORD` and answers the consent page with
//! `M365_SIM_DECISION` (accept or decline), then delivers the redirect to the app.

use m365_sim::player::{play, Person};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: m365-sim-browser URL");
        return ExitCode::from(2);
    };
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let person = Person {
        user: env("M365_SIM_USER", "alice@contoso.test"),
        password: env("M365_SIM_PASSWORD", ""),
        decision: env("M365_SIM_DECISION", "accept"),
    };
    match play(&url, &person).await {
        Ok(end) => {
            eprintln!("m365-sim-browser: reached {end}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("m365-sim-browser: {e}");
            ExitCode::FAILURE
        }
    }
}
