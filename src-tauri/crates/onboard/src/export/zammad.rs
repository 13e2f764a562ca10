//! Zammad's two Microsoft 365 channels: the app credentials (`ExternalCredential`
//! `microsoft_graph` or `microsoft365`) and the channel record (`area`, `group_id`, `active`,
//! `options` with `inbound`/`outbound`/`auth`, `preferences`), with the keys and types Zammad's
//! own code writes (shared/reference/EXPORT-TARGETS.md), and a README with a `rails runner`
//! loader.
//!
//! Group and archive state are what the wizard was given: a Zammad id, or a name the loader
//! resolves. No access token is exported: `auth.created_at` is the Unix epoch, so Zammad renews
//! the token (from the refresh token) before its first fetch.

use crate::export::secrets::{included, omitted, seal_whole};
use crate::{
    catalog::{Diagnosis, MailProtocol},
    cloud::{CloudPreset, TlsMode},
    export::{ChannelConfig, ExportSecrets, SecretHandling},
    identity::ChannelKind,
    profile::{MailboxRef, ProfileCloud},
};
use serde_json::{json, Map, Value};

/// The value of the document's `format`.
pub const ZAMMAD_FORMAT: &str = "m365-onboard/zammad-channel";

/// What differs between the Graph and the IMAP channel.
struct Kind {
    provider: &'static str,
    area: &'static str,
}

const GRAPH: Kind = Kind {
    provider: "microsoft_graph",
    area: "MicrosoftGraph::Account",
};
const IMAP: Kind = Kind {
    provider: "microsoft365",
    area: "Microsoft365::Account",
};

pub(super) fn render(
    config: &ChannelConfig,
    secrets: &ExportSecrets,
    handling: &SecretHandling,
) -> Result<(String, Option<String>), Diagnosis> {
    let kind = match config.channel {
        ChannelKind::GraphDelegated => GRAPH,
        ChannelKind::ImapDelegated => IMAP,
        ChannelKind::GraphApplication => {
            return Err(refused("app-only access (client credentials)"))
        }
    };
    if !config.flow.has_refresh_token() {
        return Err(refused("app-only access (client credentials)"));
    }
    let cloud = match config.cloud.place {
        ProfileCloud::Preset {
            preset: CloudPreset::China,
        } => return Err(refused("the China cloud (21Vianet)")),
        ProfileCloud::Preset {
            preset: CloudPreset::Usgov | CloudPreset::UsgovDod,
        } => "us_gov",
        _ => "global",
    };
    let setup = config.setup.as_ref().ok_or_else(|| {
        Diagnosis::new(
            "export.no_setup",
            "The channel options are not chosen yet",
            format!(
                "Zammad's channel needs a destination group, and the profile “{}” has no channel options.",
                config.profile.name
            ),
            "Finish the Channel options step in the wizard, or pass --group (and --server, --fqdn) to export.",
        )
    })?;
    if setup.group.is_empty() {
        return Err(Diagnosis::field(
            "Destination group",
            "export.no_group",
            "Zammad files every new ticket of the channel in a group, and none was chosen.",
            "Type the Zammad group's name or id in the Channel options step (or pass --group).",
        ));
    }

    let signed_in = config.signed_in_as.username.as_str();
    let (mut inbound, outbound) = if config.channel == ChannelKind::GraphDelegated {
        let mut options = json!({ "user": signed_in });
        if let MailboxRef::Shared { address, .. } = &config.mailbox {
            options["shared_mailbox"] = address.as_str().into();
        }
        let outbound = json!({ "adapter": "microsoft_graph_outbound", "options": options.clone() });
        options["folder_id"] = setup.folder.id.as_str().into();
        (
            json!({ "adapter": "microsoft_graph_inbound", "options": options }),
            outbound,
        )
    } else {
        let cloud_endpoints = &config.cloud.endpoints;
        let imap = cloud_endpoints.mail_endpoint(MailProtocol::Imap)?;
        let smtp = cloud_endpoints.mail_endpoint(MailProtocol::Smtp)?;
        let (ssl, default_port) = match imap.tls {
            TlsMode::Implicit => ("ssl", 993),
            TlsMode::Starttls => ("starttls", 143),
            TlsMode::None => ("off", 143),
        };
        // Over IMAP a shared mailbox is opened by naming it, with the delegate's token; SMTP
        // signs in as the delegate, who sends as the shared address.
        let mut options = json!({
            "auth_type": "XOAUTH2",
            "host": imap.host,
            "ssl": ssl,
            "ssl_verify": true,
            "user": config.mailbox.address(),
            "folder": setup.folder.id,
        });
        if imap.port != default_port {
            options["port"] = imap.port.into();
        }
        let outbound = json!({
            "adapter": "smtp",
            "options": {
                "host": smtp.host,
                "port": smtp.port,
                "user": signed_in,
                "authentication": "xoauth2",
                "ssl_verify": true,
            }
        });
        (json!({ "adapter": "imap", "options": options }), outbound)
    };
    let inbound_options = &mut inbound["options"];
    inbound_options["keep_on_server"] = setup.keep_on_server.into();
    if let Some(archive) = &setup.archive {
        inbound_options["archive"] = true.into();
        inbound_options["archive_before"] = archive
            .before
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            .into();
        inbound_options["archive_state_id"] = archive.state.as_str().into();
    }
    if config.channel == ChannelKind::GraphDelegated {
        inbound_options["cloud"] = cloud.into();
    }

    let values = included(secrets, handling);
    let auth = json!({
        "access_token": null,
        "refresh_token": values.refresh_token,
        "expires_in": 0,
        "scope": scope(config),
        "token_type": "Bearer",
        "id_token": null,
        "created_at": "1970-01-01T00:00:00Z",
        "provider": kind.provider,
        "type": "XOAUTH2",
        "client_id": config.client_id,
        "client_secret": values.client_secret,
        "client_tenant": config.tenant_id,
    });
    let mut doc = json!({
        "format": ZAMMAD_FORMAT,
        "version": 1,
        "exported_at": config.exported_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "mailbox": config.mailbox.address(),
        "external_credential": {
            "name": kind.provider,
            "credentials": {
                "client_id": config.client_id,
                "client_secret": values.client_secret,
                "client_tenant": config.tenant_id,
                "cloud": cloud,
            }
        },
        "channel": {
            "area": kind.area,
            "group_id": setup.group,
            "active": true,
            "options": { "inbound": inbound, "outbound": outbound, "auth": auth },
            "preferences": {},
        },
    });
    let needed = secrets_needed(config, &values);
    if !needed.is_empty() {
        doc["secrets_needed"] = Value::Array(needed);
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| {
        Diagnosis::new(
            "export.json",
            "The export could not be written as JSON",
            e.to_string(),
            "Report this as a bug.",
        )
    })? + "\n";
    Ok((
        seal_whole(text, handling)?,
        Some(readme(config, kind, handling)),
    ))
}

/// The scope the channel's tokens carry, as the token endpoint reports it.
fn scope(config: &ChannelConfig) -> String {
    let cloud = &config.cloud.endpoints;
    let mut parts: Vec<String> = if config.channel == ChannelKind::ImapDelegated {
        let outlook = cloud.outlook_resource.trim_end_matches('/');
        config
            .scopes
            .outlook
            .iter()
            .map(|s| format!("{outlook}/{s}"))
            .collect()
    } else {
        config.scopes.graph.clone()
    };
    parts.extend(["openid", "profile", "email"].map(str::to_owned));
    parts.join(" ")
}

/// For each secret left out: the JSON path it belongs at, the variable the loader reads it
/// from, and where it is.
fn secrets_needed(
    config: &ChannelConfig,
    values: &crate::export::secrets::SecretValues,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut add = |fields: &[&str], env: &str, r: &crate::export::SecretRef| {
        let mut m = Map::new();
        m.insert("fields".into(), json!(fields));
        m.insert("env".into(), env.into());
        m.insert("where".into(), omitted("value", r).into());
        out.push(Value::Object(m));
    };
    if let (Some(r), None) = (&config.client_secret, &values.client_secret) {
        add(
            &[
                "external_credential.credentials.client_secret",
                "channel.options.auth.client_secret",
            ],
            "M365_CLIENT_SECRET",
            r,
        );
    }
    if let (Some(r), None) = (&config.refresh_token, &values.refresh_token) {
        add(
            &["channel.options.auth.refresh_token"],
            "M365_REFRESH_TOKEN",
            r,
        );
    }
    out
}

fn refused(what: &str) -> Diagnosis {
    Diagnosis::new(
        "export.zammad_unsupported",
        "Zammad cannot use this channel",
        format!("Zammad's Microsoft 365 channels do not support {what}."),
        "Connect the mailbox with a signed-in user (IMAP/SMTP or Graph channel) in the global or US Government cloud, or export for email-oauth2-proxy or as an env file instead.",
    )
}

fn readme(config: &ChannelConfig, kind: Kind, handling: &SecretHandling) -> String {
    let mailbox = config.mailbox.address();
    let decrypt = if matches!(handling, SecretHandling::Encrypt(_)) {
        "The file is encrypted with age (it holds the client secret and the refresh token). On the\n\
         server, decrypt it first with the export's passphrase:\n\n    age -d -o channel.json FILE\n\n"
    } else {
        ""
    };
    let secrets = if handling.includes_secrets() {
        "It includes the client secret and the refresh token: delete it once loaded.\n"
    } else {
        "It holds no secret. The loader reads the ones listed under `secrets_needed` from the\n\
         environment: `M365_CLIENT_SECRET` (the app's client secret) and `M365_REFRESH_TOKEN` (the\n\
         mailbox's refresh token; export again with --include-secrets to carry it, or skip the\n\
         loader and connect the mailbox in Zammad's own UI, which signs in again).\n"
    };
    format!(
        r##"# Zammad channel for {mailbox}

`{provider}` app credentials and a `{area}` channel, exported by {by}.
{secrets}
{decrypt}Load it on the Zammad server (as the zammad user; `zammad run` on package installs):

    zammad run rails r /path/to/load-m365-channel.rb /path/to/channel.json

with this `load-m365-channel.rb`:

```ruby
doc = JSON.parse(File.read(ARGV.fetch(0)))
need = ->(v, env) {{ v.presence || ENV.fetch(env) {{ abort "#{{env}} is not set (see secrets_needed)" }} }}
cred = doc['external_credential']
secret = need.(cred['credentials']['client_secret'], 'M365_CLIENT_SECRET')
ExternalCredential.find_or_initialize_by(name: cred['name'])
                  .update!(credentials: cred['credentials'].merge('client_secret' => secret))
ch = doc['channel']
group = Group.find_by(id: ch['group_id']) || Group.find_by(name: ch['group_id']) or abort "no group #{{ch['group_id']}}"
inbound = ch['options']['inbound']['options']
if (state = inbound['archive_state_id'])
  inbound['archive_state_id'] = (Ticket::State.find_by(id: state) || Ticket::State.find_by(name: state) or abort "no state #{{state}}").id.to_s
end
auth = ch['options']['auth']
auth.merge!('client_secret' => secret, 'refresh_token' => need.(auth['refresh_token'], 'M365_REFRESH_TOKEN'),
            'created_at' => Time.zone.parse(auth['created_at']))
channel = Channel.create!(area: ch['area'], group_id: group.id, active: ch['active'], options: ch['options'],
                          preferences: ch['preferences'], created_by_id: 1, updated_by_id: 1)
EmailAddress.find_or_initialize_by(email: doc['mailbox'])
            .update!(name: "#{{Setting.get('product_name')}} Support", channel_id: channel.id, active: true,
                     created_by_id: 1, updated_by_id: 1)
channel.refresh_xoauth2!
puts "Channel #{{channel.id}} for #{{doc['mailbox']}} in group #{{group.name}}"
```

Zammad renews the access token from the refresh token at once (`created_at` is 1970). The
callback URL registered in Entra stays `{callback}`; Zammad's
System > Base settings must have that FQDN and https.
"##,
        provider = kind.provider,
        area = kind.area,
        by = config.exported_by,
        callback = config
            .setup
            .as_ref()
            .map_or("(none chosen)", |s| s.callback_url.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::channel_config::tests::config;
    use crate::export::secrets::tests::{secrets, CLIENT_SECRET, REFRESH_TOKEN};
    use crate::{identity::Identity, profile::SignInFlow};

    fn doc(c: &ChannelConfig, handling: &SecretHandling) -> Value {
        let (text, readme) = render(c, &secrets(), handling).unwrap();
        assert!(readme.unwrap().contains("rails r"));
        serde_json::from_str(&text).unwrap()
    }

    /// The keys of a JSON object, in order.
    fn keys(v: &Value) -> Vec<&str> {
        v.as_object()
            .unwrap_or_else(|| panic!("not an object: {v}"))
            .keys()
            .map(String::as_str)
            .collect()
    }

    fn graph_config(shared: bool) -> ChannelConfig {
        let mut c = config();
        c.channel = ChannelKind::GraphDelegated;
        c.scopes.graph = [
            "Mail.ReadWrite",
            "Mail.ReadWrite.Shared",
            "Mail.Send",
            "Mail.Send.Shared",
        ]
        .map(str::to_owned)
        .to_vec();
        let setup = c.setup.as_mut().unwrap();
        setup.folder.id = "AAMkAGI2TAAA=".into();
        if !shared {
            c.mailbox = MailboxRef::User {
                address: "alice@contoso.test".into(),
            };
        }
        c
    }

    #[test]
    fn graph_channel_field_by_field() {
        let d = doc(&graph_config(true), &SecretHandling::Plain);
        assert_eq!(keys(&d["external_credential"]), ["name", "credentials"]);
        assert_eq!(d["external_credential"]["name"], "microsoft_graph");
        let cred = &d["external_credential"]["credentials"];
        assert_eq!(
            keys(cred),
            ["client_id", "client_secret", "client_tenant", "cloud"]
        );
        assert_eq!(cred["client_id"], "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f");
        assert_eq!(cred["client_secret"], CLIENT_SECRET);
        assert_eq!(
            cred["client_tenant"],
            "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e"
        );
        assert_eq!(cred["cloud"], "global");

        let ch = &d["channel"];
        assert_eq!(
            keys(ch),
            ["area", "group_id", "active", "options", "preferences"]
        );
        assert_eq!(ch["area"], "MicrosoftGraph::Account");
        assert_eq!(ch["group_id"], "Support L1", "an id or name, as a string");
        assert_eq!(ch["active"], true);
        assert!(ch["preferences"].is_object());
        assert_eq!(keys(&ch["options"]), ["inbound", "outbound", "auth"]);

        let inbound = &ch["options"]["inbound"];
        assert_eq!(inbound["adapter"], "microsoft_graph_inbound");
        let o = &inbound["options"];
        assert_eq!(
            keys(o),
            [
                "user",
                "shared_mailbox",
                "folder_id",
                "keep_on_server",
                "archive",
                "archive_before",
                "archive_state_id",
                "cloud"
            ]
        );
        assert_eq!(o["user"], "alice@contoso.test");
        assert_eq!(o["shared_mailbox"], "support@contoso.test");
        assert_eq!(o["folder_id"], "AAMkAGI2TAAA=", "an id, never a path");
        assert_eq!(o["keep_on_server"], Value::Bool(true));
        assert_eq!(o["archive"], Value::Bool(true));
        assert_eq!(o["archive_before"], "2026-03-01T10:00:00Z");
        assert_eq!(o["archive_state_id"], "closed");
        assert_eq!(o["cloud"], "global");

        let outbound = &ch["options"]["outbound"];
        assert_eq!(outbound["adapter"], "microsoft_graph_outbound");
        assert_eq!(
            outbound["options"],
            json!({ "user": "alice@contoso.test", "shared_mailbox": "support@contoso.test" })
        );

        let auth = &ch["options"]["auth"];
        assert_eq!(
            keys(auth),
            [
                "access_token",
                "refresh_token",
                "expires_in",
                "scope",
                "token_type",
                "id_token",
                "created_at",
                "provider",
                "type",
                "client_id",
                "client_secret",
                "client_tenant"
            ]
        );
        assert_eq!(auth["refresh_token"], REFRESH_TOKEN);
        assert!(auth["access_token"].is_null() && auth["id_token"].is_null());
        assert_eq!(auth["expires_in"], 0);
        assert_eq!(
            auth["scope"],
            "Mail.ReadWrite Mail.ReadWrite.Shared Mail.Send Mail.Send.Shared openid profile email"
        );
        assert_eq!(auth["token_type"], "Bearer");
        assert_eq!(auth["created_at"], "1970-01-01T00:00:00Z");
        assert_eq!(auth["provider"], "microsoft_graph");
        assert_eq!(auth["type"], "XOAUTH2");
        assert_eq!(auth["client_secret"], CLIENT_SECRET);
        assert_eq!(
            auth["client_tenant"],
            "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e"
        );
        assert!(d.get("secrets_needed").is_none());

        // A user mailbox has no shared_mailbox; no archive mode, no archive keys.
        let mut c = graph_config(false);
        c.setup.as_mut().unwrap().archive = None;
        c.setup.as_mut().unwrap().keep_on_server = false;
        let o = &doc(&c, &SecretHandling::Plain)["channel"]["options"]["inbound"]["options"];
        assert_eq!(keys(o), ["user", "folder_id", "keep_on_server", "cloud"]);
        assert_eq!(o["keep_on_server"], Value::Bool(false));
    }

    #[test]
    fn imap_channel_field_by_field() {
        let d = doc(&config(), &SecretHandling::Plain);
        assert_eq!(d["external_credential"]["name"], "microsoft365");
        let ch = &d["channel"];
        assert_eq!(ch["area"], "Microsoft365::Account");
        let inbound = &ch["options"]["inbound"];
        assert_eq!(inbound["adapter"], "imap");
        let o = &inbound["options"];
        assert_eq!(
            keys(o),
            [
                "auth_type",
                "host",
                "ssl",
                "ssl_verify",
                "user",
                "folder",
                "keep_on_server",
                "archive",
                "archive_before",
                "archive_state_id"
            ]
        );
        assert_eq!(o["auth_type"], "XOAUTH2");
        assert_eq!(o["host"], "outlook.office365.com");
        assert_eq!(o["ssl"], "ssl");
        assert_eq!(o["ssl_verify"], Value::Bool(true));
        assert_eq!(
            o["user"], "support@contoso.test",
            "the shared mailbox, named"
        );
        assert_eq!(o["folder"], "INBOX.Inquiries", "the IMAP path");
        assert_eq!(o["keep_on_server"], Value::Bool(true));
        let outbound = &ch["options"]["outbound"];
        assert_eq!(outbound["adapter"], "smtp");
        assert_eq!(
            outbound["options"],
            json!({ "host": "smtp.office365.com", "port": 587, "user": "alice@contoso.test",
                    "authentication": "xoauth2", "ssl_verify": true })
        );
        assert_eq!(ch["options"]["auth"]["provider"], "microsoft365");
        assert_eq!(
            ch["options"]["auth"]["scope"],
            "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send openid profile email"
        );

        // Another port than IMAPS's is named.
        let mut c = config();
        c.cloud.endpoints.imap = "127.0.0.1:10993".into();
        let d = doc(&c, &SecretHandling::Plain);
        assert_eq!(d["channel"]["options"]["inbound"]["options"]["port"], 10993);
    }

    #[test]
    fn without_secrets_the_fields_are_null_and_named() {
        let d = doc(&config(), &SecretHandling::Omit);
        assert!(d["external_credential"]["credentials"]["client_secret"].is_null());
        assert!(d["channel"]["options"]["auth"]["refresh_token"].is_null());
        let needed = d["secrets_needed"].as_array().unwrap();
        assert_eq!(needed[0]["env"], "M365_CLIENT_SECRET");
        assert_eq!(needed[1]["env"], "M365_REFRESH_TOKEN");
        assert!(needed[1]["where"]
            .as_str()
            .unwrap()
            .contains("profile/support@contoso.test/refresh-token"));
    }

    #[test]
    fn what_zammad_cannot_use_is_refused() {
        let mut c = config();
        c.flow = SignInFlow::ClientCredentials;
        c.refresh_token = None;
        assert_eq!(
            render(&c, &secrets(), &SecretHandling::Omit)
                .unwrap_err()
                .code,
            "export.zammad_unsupported"
        );
        let mut c = config();
        c.cloud.place = ProfileCloud::Preset {
            preset: CloudPreset::China,
        };
        assert_eq!(
            render(&c, &secrets(), &SecretHandling::Omit)
                .unwrap_err()
                .code,
            "export.zammad_unsupported"
        );
        let mut c = config();
        c.setup.as_mut().unwrap().group.clear();
        let d = render(&c, &secrets(), &SecretHandling::Omit).unwrap_err();
        assert_eq!(d.field.as_deref(), Some("Destination group"));
        let mut c = config();
        c.setup = None;
        assert_eq!(
            render(&c, &secrets(), &SecretHandling::Omit)
                .unwrap_err()
                .code,
            "export.no_setup"
        );
        let mut c = config();
        c.cloud.place = ProfileCloud::Preset {
            preset: CloudPreset::UsgovDod,
        };
        c.channel = ChannelKind::GraphDelegated;
        c.signed_in_as = Identity {
            username: "bob@contoso.test".into(),
            ..c.signed_in_as
        };
        let d = doc(&c, &SecretHandling::Omit);
        assert_eq!(d["external_credential"]["credentials"]["cloud"], "us_gov");
        assert_eq!(
            d["channel"]["options"]["inbound"]["options"]["user"],
            "bob@contoso.test"
        );
    }
}
