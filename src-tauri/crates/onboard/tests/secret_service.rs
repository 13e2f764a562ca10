//! The keyring store against a real Secret Service. `make test` runs the tests inside
//! `dbus-run-session` with an unlocked gnome-keyring-daemon (tests/with-session.sh).

use onboard::platform::{probe_secret_store, KeyringStore, Secret, SecretStore};
use std::process::Command;

/// Looks the entry up with libsecret's own tool, so the test sees the real daemon, not a mock.
fn secret_tool_lookup(service: &str, key: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", key])
        .output()
        .expect("secret-tool (Debian libsecret-tools) is installed by make test");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn stores_reads_and_deletes_in_the_real_secret_service() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the tests through `make test` (tests/with-session.sh)"
    );
    let service = format!("m365-onboard-test-{}", std::process::id());
    let store = KeyringStore::new(&service);
    let key = "profile/alice@contoso.test/refresh-token";

    store.put(key, &Secret::new("first-value")).unwrap();
    store.put(key, &Secret::new("rotated-value")).unwrap();
    assert_eq!(
        store.get(key).unwrap().map(|s| s.expose().to_owned()),
        Some("rotated-value".to_owned())
    );
    assert_eq!(
        secret_tool_lookup(&service, key).as_deref(),
        Some("rotated-value")
    );

    store.delete(key).unwrap();
    assert_eq!(store.get(key).unwrap(), None);
    assert_eq!(secret_tool_lookup(&service, key), None);
    store.delete(key).unwrap();

    let status = probe_secret_store(&store);
    assert!(status.available, "{status:?}");
}
