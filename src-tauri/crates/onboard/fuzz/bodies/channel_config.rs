//! The neutral JSON import (`parse_channel_config`): a file from anywhere, read as text.

use onboard::export::{parse_channel_config, CHANNEL_CONFIG_FORMAT, CHANNEL_CONFIG_VERSION};

const SOURCE: &str = "fuzz.json";

pub fn channel_config(data: &[u8]) {
    // The import reads the file as UTF-8 text first; other bytes never reach the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_channel_config(text, SOURCE) {
        Ok(config) => {
            assert_eq!(config.format, CHANNEL_CONFIG_FORMAT);
            assert!((1..=CHANNEL_CONFIG_VERSION).contains(&config.version));
            // What the JSON export writes of it, the import reads back unchanged.
            let written = serde_json::to_string_pretty(&config).expect("a config serializes");
            assert_eq!(parse_channel_config(&written, SOURCE), Ok(config.clone()));
            if let Ok(profile) = config.to_profile() {
                assert_eq!(profile.name, config.profile.name);
            }
        }
        // A refusal names the file, says what it is, and how to go on.
        Err(d) => {
            assert!(d.code.starts_with("import."), "{d:?}");
            assert_eq!(d.field.as_deref(), Some(SOURCE));
            assert!(d.detail.contains(SOURCE) && !d.fix.is_empty(), "{d:?}");
        }
    }
}
