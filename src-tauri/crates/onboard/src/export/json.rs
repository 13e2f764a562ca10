//! The neutral JSON export: the channel config itself, which `import` reads back. Secrets, when
//! asked for, go into its `secrets` block: sealed with age, or in clear.

use crate::export::secrets::included;
use crate::{
    catalog::Diagnosis,
    export::{ChannelConfig, ExportSecrets, IncludedSecrets, SecretHandling},
};

pub(super) fn render(
    config: &ChannelConfig,
    secrets: &ExportSecrets,
    handling: &SecretHandling,
) -> Result<String, Diagnosis> {
    let mut config = config.clone();
    let values = included(secrets, handling);
    config.secrets = match handling {
        SecretHandling::Omit => None,
        SecretHandling::Encrypt(passphrase) => Some(IncludedSecrets::Age {
            armored: crate::export::seal(&to_json(&values)?.into_bytes(), passphrase)?,
        }),
        SecretHandling::Plain => Some(IncludedSecrets::Plain {
            client_secret: values.client_secret,
            refresh_token: values.refresh_token,
        }),
    };
    Ok(to_json(&config)? + "\n")
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Diagnosis> {
    serde_json::to_string_pretty(value).map_err(|e| {
        Diagnosis::new(
            "export.json",
            "The export could not be written as JSON",
            e.to_string(),
            "Report this as a bug.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::export::secrets::tests::{secrets, CLIENT_SECRET, REFRESH_TOKEN};
    use crate::platform::Secret;

    #[test]
    fn the_secrets_block_follows_the_handling() {
        let c = config();
        let plain: ChannelConfig =
            serde_json::from_str(&render(&c, &secrets(), &SecretHandling::Plain).unwrap()).unwrap();
        assert_eq!(
            plain.secrets,
            Some(IncludedSecrets::Plain {
                client_secret: Some(CLIENT_SECRET.into()),
                refresh_token: Some(REFRESH_TOKEN.into()),
            })
        );
        let pass = Secret::new("a long passphrase");
        let sealed: ChannelConfig = serde_json::from_str(
            &render(&c, &secrets(), &SecretHandling::Encrypt(pass.clone())).unwrap(),
        )
        .unwrap();
        let Some(IncludedSecrets::Age { armored }) = &sealed.secrets else {
            panic!("{:?}", sealed.secrets)
        };
        let opened: serde_json::Value =
            serde_json::from_slice(&crate::export::open(armored, &pass, "t").unwrap()).unwrap();
        assert_eq!(opened["refresh_token"], REFRESH_TOKEN);
        assert_eq!(
            ChannelConfig {
                secrets: None,
                ..sealed
            },
            c,
            "everything else as it was"
        );
    }
}
