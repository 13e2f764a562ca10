//! The Account step's sign-in flows against the simulated tenant. The system browser is the
//! simulator's player, which signs in and answers the consent page like a person.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use m365_sim::player::{play, Person};
use m365_sim::sandbox::demo_seed;
use m365_sim::tenant::seed::{Seed, TenantSeed, UserSeed};
use onboard::cloud::graph_get::graph_get;
use onboard::{
    app_registration::client_secret_key,
    catalog::Diagnosis,
    cloud::Cloud,
    identity::{
        begin_embedded_sign_in, find_service_principal, finish_embedded_sign_in, sign_in_app_only,
        sign_in_with_browser, sign_in_with_device_code, AccessToken, AppOnlySetup, AppOnlyTarget,
        ChannelKind, GraphAudience, OutlookAudience, Resource, SignInRequest,
        OBJECT_ID_PLACEHOLDER,
    },
    mailbox::{verify_mailbox_access, SendAsStatus},
    platform::{MemoryStore, Secret, SecretStore},
    profile::{
        refresh_token_key, MailboxChoice, NewProfile, ProfileCloud, ProfileStore, Session, SignIn,
        SignInFlow,
    },
};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use support::sim::{sim_cloud, sim_cloud_with};
use tokio::sync::oneshot;

const APP: &str = "0d3c8e4f-5a6b-4c7d-8e9f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox~secret-value-not-for-production-0001";
const TENANT_ID: &str = "6f1f4c2e-9a51-4f3e-8d8b-0c7e2a3b4d5e";
const ALICE_OID: &str = "3c9a5f7e-2b1d-4e8f-9a6c-1d2e3f4a5b6c";
const CALLBACK: &str =
    "https://helpdesk.contoso.test/api/v1/external_credentials/microsoft365/callback";
const WAIT: Duration = Duration::from_secs(20);

fn request(cloud: &Cloud, channel: ChannelKind, hint: &str) -> SignInRequest {
    SignInRequest {
        cloud: cloud.clone(),
        tenant: "contoso.test".into(),
        client_id: APP.into(),
        client_secret: Some(Secret::new(SECRET)),
        channel,
        login_hint: Some(hint.into()),
    }
}

fn person(user: &str, password: &str, decision: &str) -> Person {
    Person {
        user: user.into(),
        password: password.into(),
        decision: decision.into(),
    }
}

/// A browser that plays `person` in the background, as a real one would.
fn browser(person: Person) -> impl FnOnce(&str) -> Result<(), Diagnosis> {
    move |url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move { play(&url, &person).await });
        Ok(())
    }
}

fn http(cloud: &Cloud) -> reqwest::Client {
    let ca =
        reqwest::Certificate::from_pem(cloud.extra_ca_pem.as_deref().unwrap().as_bytes()).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// What the simulator knows of an access token (as Dovecot asks it).
async fn introspect(cloud: &Cloud, token: &Secret) -> Value {
    http(cloud)
        .post(format!("{}/_sim/introspect", cloud.authority))
        .form(&[("token", token.expose())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn demo_with(change: impl FnOnce(&mut Seed)) -> Seed {
    let mut seed = demo_seed().unwrap();
    change(&mut seed);
    seed
}

#[tokio::test]
async fn browser_sign_in_of_a_user_mailbox_and_of_a_shared_mailbox_delegate() {
    let (sim, cloud) = sim_cloud().await;

    // A user mailbox over IMAP: an Outlook-audience token and Alice's identity.
    let open = browser(person("alice@contoso.test", "sandbox-alice", "accept"));
    let req = request(&cloud, ChannelKind::ImapDelegated, "alice@contoso.test");
    let signed = sign_in_with_browser(req, open, WAIT, std::future::pending())
        .await
        .unwrap();
    assert_eq!(signed.identity.object_id, ALICE_OID);
    assert_eq!(signed.identity.tenant_id, TENANT_ID);
    assert_eq!(signed.identity.username, "alice@contoso.test");
    assert_eq!(signed.identity.display_name.as_deref(), Some("Alice Admin"));
    for s in [
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "https://outlook.office.com/SMTP.Send",
        "openid",
    ] {
        assert!(
            signed.granted_scopes.iter().any(|g| g == s),
            "{s} in {:?}",
            signed.granted_scopes
        );
    }
    assert!(signed.tokens.refresh_token.is_some());
    assert_eq!(signed.resource, Resource::Outlook);
    let outlook = signed.access_token::<OutlookAudience>().unwrap();
    assert_eq!(
        introspect(&cloud, outlook.secret()).await["aud"],
        "https://outlook.office.com"
    );
    assert_eq!(
        signed.access_token::<GraphAudience>().unwrap_err().code,
        "token.wrong_audience"
    );
    let summary = serde_json::to_value(signed.summary()).unwrap();
    assert_eq!(summary["identity"]["object_id"], ALICE_OID);
    assert!(!summary.to_string().contains(outlook.secret().expose()));

    // Alice as the delegate of support@ over Graph: the .Shared scopes, and the Inbox opens.
    let open = browser(person("alice@contoso.test", "sandbox-alice", "accept"));
    let req = request(&cloud, ChannelKind::GraphDelegated, "alice@contoso.test");
    let signed = sign_in_with_browser(req, open, WAIT, std::future::pending())
        .await
        .unwrap();
    assert_eq!(signed.identity.object_id, ALICE_OID);
    for s in [
        "Mail.ReadWrite.Shared",
        "Mail.Send.Shared",
        "Mail.ReadWrite",
    ] {
        assert!(
            signed.granted_scopes.iter().any(|g| g == s),
            "{s} in {:?}",
            signed.granted_scopes
        );
    }
    let graph = signed.access_token::<GraphAudience>().unwrap();
    let access =
        verify_mailbox_access(&cloud, &graph, "support@contoso.test", "alice@contoso.test")
            .await
            .unwrap();
    assert!(access.shared && access.inbox_readable);
    assert!(matches!(
        access.send_as,
        SendAsStatus::LeftToSendTest { .. }
    ));
    let own = verify_mailbox_access(&cloud, &graph, "alice@contoso.test", "alice@contoso.test")
        .await
        .unwrap();
    assert_eq!((own.shared, own.send_as), (false, SendAsStatus::Own));
    sim.stop().await;
}

#[tokio::test]
async fn declined_consent_and_admin_only_consent_are_explained() {
    // The app is not consented yet, and users of the tenant may not consent to it themselves.
    let seed = demo_with(|s| {
        s.tenants[0].admin_consent_required = true;
        s.tenants[0].apps[0].admin_consented = false;
    });
    let (sim, cloud) = sim_cloud_with(seed).await;

    // An admin is asked, and declines.
    let open = browser(person("alice@contoso.test", "sandbox-alice", "decline"));
    let req = request(&cloud, ChannelKind::GraphDelegated, "alice@contoso.test");
    let d = sign_in_with_browser(req, open, WAIT, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(d.code, "aadsts.65004", "{d:?}");
    assert!(d.fix.contains("Admin consent step"), "{}", d.fix);

    // A user who may not consent: the admin consent step is the way on.
    let open = browser(person("bob@contoso.test", "sandbox-bob", "accept"));
    let req = request(&cloud, ChannelKind::GraphDelegated, "bob@contoso.test");
    let d = sign_in_with_browser(req, open, WAIT, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(d.code, "aadsts.90094", "{d:?}");
    assert!(d.fix.contains("Go to the Admin consent step"), "{}", d.fix);
    sim.stop().await;
}

#[tokio::test]
async fn a_delegate_without_full_access_is_told_the_exact_fix() {
    let seed = demo_with(|s| {
        s.tenants[0].shared_mailboxes[0]
            .full_access
            .retain(|u| u != "bob@contoso.test")
    });
    let (sim, cloud) = sim_cloud_with(seed).await;
    let open = browser(person("bob@contoso.test", "sandbox-bob", "accept"));
    let req = request(&cloud, ChannelKind::GraphDelegated, "bob@contoso.test");
    let signed = sign_in_with_browser(req, open, WAIT, std::future::pending())
        .await
        .unwrap();
    let graph = signed.access_token::<GraphAudience>().unwrap();
    let d = verify_mailbox_access(&cloud, &graph, "support@contoso.test", "bob@contoso.test")
        .await
        .unwrap_err();
    assert_eq!(d.code, "mailbox.no_full_access");
    assert_eq!(
        d.title,
        "No Full Access for bob@contoso.test on support@contoso.test"
    );
    assert!(d.fix.contains(
        "Add-MailboxPermission -Identity support@contoso.test -User bob@contoso.test -AccessRights FullAccess"
    ));
    sim.stop().await;
}

/// The navigation the wizard's window would make: the authorize URL, followed until it leaves
/// for the helpdesk's callback (auto sign-in, consent already given), which is not loaded.
async fn navigate_to_callback(cloud: &Cloud, authorize_url: &str) -> String {
    let res = http(cloud).get(authorize_url).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_servers_own_callback_is_captured_and_redeemed_with_that_redirect_uri() {
    let (sim, cloud) = sim_cloud().await;
    let req = request(&cloud, ChannelKind::GraphDelegated, "alice@contoso.test");

    let pending = begin_embedded_sign_in(req.clone(), CALLBACK).unwrap();
    assert!(pending.authorize_url().contains(&format!(
        "redirect_uri={}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    )));
    let navigation = navigate_to_callback(&cloud, pending.authorize_url()).await;
    assert!(
        navigation.starts_with(CALLBACK) && pending.is_callback(&navigation),
        "{navigation}"
    );
    let signed = finish_embedded_sign_in(pending, &navigation).await.unwrap();
    assert_eq!(signed.identity.object_id, ALICE_OID);
    assert!(signed.granted_scopes.iter().any(|s| s == "Mail.ReadWrite"));

    // The same navigation handed to another sign-in: its state does not match.
    let other = begin_embedded_sign_in(req.clone(), CALLBACK).unwrap();
    let d = finish_embedded_sign_in(other, &navigation)
        .await
        .unwrap_err();
    assert_eq!(d.code, "sign_in.state");

    // A navigation elsewhere is not the callback, whatever its query says.
    let pending = begin_embedded_sign_in(req.clone(), CALLBACK).unwrap();
    let elsewhere = navigation.replacen("helpdesk.contoso.test", "evil.test", 1);
    let d = finish_embedded_sign_in(pending, &elsewhere)
        .await
        .unwrap_err();
    assert_eq!(d.code, "sign_in.not_callback");

    // A redirect URI that is not https is refused before anything opens.
    let d = begin_embedded_sign_in(req, "http://helpdesk.contoso.test/cb").unwrap_err();
    assert_eq!(d.code, "sign_in.redirect_uri");
    sim.stop().await;
}

#[tokio::test]
async fn device_code_sign_in_of_a_mailbox_user() {
    let (sim, cloud) = sim_cloud().await;
    let approve = cloud.clone();
    let req = request(&cloud, ChannelKind::ImapDelegated, "alice@contoso.test");
    let signed = sign_in_with_device_code(
        req,
        move |prompt| {
            // The person enters the code and approves, elsewhere.
            let user_code = prompt.user_code.clone();
            tokio::spawn(async move {
                let res = http(&approve)
                    .post(format!("{}/_sim/device", approve.authority))
                    .json(&serde_json::json!({
                        "user_code": user_code, "upn": "alice@contoso.test", "decision": "approve"
                    }))
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success());
            });
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(signed.identity.object_id, ALICE_OID);
    assert_eq!(signed.identity.tenant_id, TENANT_ID);
    assert!(signed
        .granted_scopes
        .iter()
        .any(|s| s == "https://outlook.office.com/IMAP.AccessAsUser.All"));
    assert!(signed.tokens.refresh_token.is_some());
    sim.stop().await;
}

#[tokio::test]
async fn app_only_tokens_for_graph_and_for_imap_smtp_and_the_exchange_setup() {
    let secret = Secret::new(SECRET);
    // The demo app may read the directory in this variant, so its service principal is found.
    let seed = demo_with(|s| {
        s.tenants[0].apps[0]
            .application
            .push("Application.Read.All".into())
    });
    let (sim, cloud) = sim_cloud_with(seed).await;

    let graph = sign_in_app_only(&cloud, "contoso.test", APP, &secret, AppOnlyTarget::Graph)
        .await
        .unwrap();
    assert!(
        graph.roles.iter().any(|r| r == "Mail.ReadWrite"),
        "{:?}",
        graph.roles
    );
    let at = introspect(&cloud, &graph.tokens.access_token).await;
    assert_eq!(
        (at["aud"].as_str(), at["username"].is_null()),
        (Some("https://graph.microsoft.com"), true)
    );

    let imap = sign_in_app_only(
        &cloud,
        "contoso.test",
        APP,
        &secret,
        AppOnlyTarget::ImapSmtp,
    )
    .await
    .unwrap();
    assert_eq!(
        introspect(&cloud, &imap.tokens.access_token).await["aud"],
        "https://outlook.office.com"
    );
    assert_eq!(
        imap.access_token::<GraphAudience>().unwrap_err().code,
        "token.wrong_audience"
    );
    let graph_token = graph.access_token::<GraphAudience>().unwrap();
    let sp = find_service_principal(&cloud, &graph_token, APP)
        .await
        .unwrap();
    assert!(uuid::Uuid::parse_str(&sp.object_id).is_ok(), "{sp:?}");
    let setup = AppOnlySetup::new(
        APP,
        TENANT_ID,
        &sp.display_name,
        "support@contoso.test",
        Some(&sp),
    );
    assert!(setup.script.contains(&format!(
        "New-ServicePrincipal -AppId '{APP}' -ObjectId '{}'",
        sp.object_id
    )));
    assert!(setup.script.contains(&format!(
        "Add-MailboxPermission -Identity 'support@contoso.test' -User '{}' -AccessRights FullAccess",
        sp.object_id
    )));
    sim.stop().await;

    // Without directory read, the lookup is refused and the script explains its placeholder.
    let (sim, cloud) = sim_cloud().await;
    let graph = sign_in_app_only(&cloud, "contoso.test", APP, &secret, AppOnlyTarget::Graph)
        .await
        .unwrap();
    let refused = find_service_principal(&cloud, &graph.access_token().unwrap(), APP).await;
    assert!(refused.is_err());
    let setup = AppOnlySetup::new(
        APP,
        TENANT_ID,
        "Helpdesk (sandbox)",
        "support@contoso.test",
        None,
    );
    assert!(setup.script.contains(OBJECT_ID_PLACEHOLDER));
    assert!(setup
        .script
        .contains("Enterprise applications > Helpdesk (sandbox)"));
    sim.stop().await;
}

#[tokio::test]
async fn one_refresh_token_gives_a_graph_and_an_outlook_token() {
    let (sim, cloud) = sim_cloud().await;
    let open = browser(person("alice@contoso.test", "sandbox-alice", "accept"));
    let req = request(&cloud, ChannelKind::ImapDelegated, "alice@contoso.test");
    let signed = sign_in_with_browser(req, open, WAIT, std::future::pending())
        .await
        .unwrap();
    let first_refresh = signed.tokens.refresh_token.clone().unwrap();

    // The sign-in becomes a profile; the session asks each resource for its own token.
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    secrets
        .put(&client_secret_key(APP), &Secret::new(SECRET))
        .unwrap();
    let session =
        Session::new(ProfileStore::new(dir.path()), secrets.clone()).with_sandbox(cloud.clone());
    let sign_in = SignIn {
        identity: signed.identity.clone(),
        audience: signed.resource,
        tokens: signed.tokens.clone(),
        flow: SignInFlow::Browser,
    };
    let new = NewProfile {
        name: None,
        mailbox: MailboxChoice::User,
        client_id: APP.into(),
        confidential_client: true,
        cloud: ProfileCloud::Sandbox,
        channel: ChannelKind::ImapDelegated,
    };
    let profile = session.connect(new, &sign_in).unwrap();
    session.forget(&profile.name); // no cached tokens: both come from the refresh token

    let outlook: AccessToken<OutlookAudience> = session.token(&profile.name).await.unwrap();
    assert_eq!(
        introspect(&cloud, outlook.secret()).await["aud"],
        "https://outlook.office.com"
    );
    let rotated = secrets
        .get(&refresh_token_key(&profile.name))
        .unwrap()
        .unwrap();
    assert_ne!(rotated, first_refresh, "the refresh token rotates");

    let graph: AccessToken<GraphAudience> = session.token(&profile.name).await.unwrap();
    assert_eq!(
        introspect(&cloud, graph.secret()).await["aud"],
        "https://graph.microsoft.com"
    );
    let inbox = graph_get(&cloud, graph.secret(), "/me/mailFolders/inbox")
        .await
        .unwrap();
    assert_eq!(inbox["displayName"], "Inbox");
    // The Graph token of an IMAP sign-in opens the shared mailbox Alice is a delegate of.
    verify_mailbox_access(&cloud, &graph, "support@contoso.test", "alice@contoso.test")
        .await
        .unwrap();

    // Graph refuses the Outlook token (the typed API would not even let it be sent).
    let d = graph_get(&cloud, outlook.secret(), "/me")
        .await
        .unwrap_err();
    assert_eq!(d.code, "graph.InvalidAuthenticationToken", "{d:?}");
    sim.stop().await;
}

fn other_tenant() -> TenantSeed {
    TenantSeed {
        id: "7a7a7a7a-1b1b-4c2c-8d3d-4e4e4e4e4e4e".into(),
        domains: vec!["fabrikam.test".into()],
        admin_consent_required: false,
        smtp_client_auth: true,
        users: vec![UserSeed {
            id: "9e9e9e9e-0000-4000-8000-00000000000e".into(),
            upn: "erin@fabrikam.test".into(),
            password: "sandbox-erin".into(),
            display_name: "Erin".into(),
            admin: true,
            licensed: true,
            auto_sign_in: true,
            personal: false,
            password_changed: None,
        }],
        shared_mailboxes: vec![],
        apps: vec![],
    }
}

#[tokio::test]
async fn an_account_of_another_tenant_is_refused() {
    // A multitenant app: a tampered authorize URL (organizations instead of the configured
    // tenant) lets a Fabrikam account sign in and come back with this sign-in's state.
    let seed = demo_with(|s| {
        s.tenants[0].apps[0].sign_in_audience = "AzureADMultipleOrgs".into();
        s.tenants.push(other_tenant());
    });
    let (sim, cloud) = sim_cloud_with(seed).await;
    let req = request(&cloud, ChannelKind::GraphDelegated, "erin@fabrikam.test");
    let pending = begin_embedded_sign_in(req, CALLBACK).unwrap();
    let tampered = pending
        .authorize_url()
        .replacen("/contoso.test/", "/organizations/", 1);
    let navigation = navigate_to_callback(&cloud, &tampered).await;
    let d = finish_embedded_sign_in(pending, &navigation)
        .await
        .unwrap_err();
    assert_eq!(d.code, "sign_in.wrong_tenant", "{d:?}");
    assert!(
        d.detail.contains("erin@fabrikam.test") && d.detail.contains(TENANT_ID),
        "{}",
        d.detail
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_personal_account_never_reaches_the_wizard() {
    // Microsoft refuses a personal account on its own page; nothing comes back to the listener,
    // and the page's message is one the catalog explains.
    let seed = demo_with(|s| {
        let mut personal = other_tenant();
        personal.id = onboard::identity::PERSONAL_ACCOUNT_TENANT.into();
        personal.domains = vec!["outlook.test".into()];
        personal.users[0].upn = "dave@outlook.test".into();
        personal.users[0].personal = true;
        s.tenants.push(personal);
    });
    let (sim, cloud) = sim_cloud_with(seed).await;
    // The browser shows whatever Microsoft's page says.
    let (tx, page) = oneshot::channel();
    let client = http(&cloud);
    let open = move |url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move {
            let res = client.get(&url).send().await.unwrap();
            let _ = tx.send((res.status().as_u16(), res.text().await.unwrap()));
        });
        Ok(())
    };
    let req = request(&cloud, ChannelKind::ImapDelegated, "dave@outlook.test");
    let d = sign_in_with_browser(req, open, Duration::from_secs(3), std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(d.code, "loopback.timeout");
    let (status, shown) = page.await.unwrap();
    assert_eq!(status, 400);
    assert!(shown.contains("AADSTS50020"), "{shown}");
    assert_eq!(onboard::catalog::diagnose(&shown).code, "aadsts.50020");
    sim.stop().await;
}

/// Replaces the value of `name` in `url`'s query.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

#[tokio::test]
async fn a_tampered_authorize_request_is_caught_at_redemption() {
    let (sim, cloud) = sim_cloud().await;
    let req = request(&cloud, ChannelKind::GraphDelegated, "alice@contoso.test");

    // Another nonce (an ID token injected from another sign-in): the nonce check refuses it.
    let pending = begin_embedded_sign_in(req.clone(), CALLBACK).unwrap();
    let tampered = with_param(pending.authorize_url(), "nonce", "attackers-nonce");
    let navigation = navigate_to_callback(&cloud, &tampered).await;
    let d = finish_embedded_sign_in(pending, &navigation)
        .await
        .unwrap_err();
    assert_eq!(d.code, "id_token.nonce", "{d:?}");

    // Another PKCE challenge (a code obtained by someone else): the verifier does not match.
    let pending = begin_embedded_sign_in(req, CALLBACK).unwrap();
    let challenge =
        onboard::identity::pkce::s256_challenge("attackers-verifier-attackers-verifier-0123");
    let tampered = with_param(pending.authorize_url(), "code_challenge", &challenge);
    let navigation = navigate_to_callback(&cloud, &tampered).await;
    let d = finish_embedded_sign_in(pending, &navigation)
        .await
        .unwrap_err();
    assert_eq!(d.code, "aadsts.501481", "{d:?}");
    sim.stop().await;
}
