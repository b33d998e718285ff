//! Helpers of the SSO tests: the local identity providers of `tests/sso-peers` (started per
//! test, stopped on drop), a browser that follows the login redirects between the app
//! (in-process) and the provider (real HTTP), and the `/verify?loginToken=` outcome.

#![allow(dead_code)]

pub mod saml;

use std::path::PathBuf;
use std::process::Stdio;

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tessera_server::AppState;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::accounts_support::{Api, ok, str_of};
use crate::common::{self, Reply};

/// `tests/sso-peers` of the repository.
pub fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/sso-peers")
}

/// Fails the test unless the npm peers are installed.
pub(crate) fn require_peers() {
    let modules = peers_dir().join("node_modules");
    assert!(
        modules.join("oauth2-mock-server").is_dir() && modules.join("saml-idp").is_dir(),
        "the SSO test identity providers are not installed: run tests/sso-peers/install.sh \
         (npm ci; needs Node >= 18) — looked in {}",
        modules.display()
    );
}

/// A running `oidc-idp.mjs` (oauth2-mock-server), killed on drop.
pub struct OidcIdp {
    /// Issuer URL, e.g. `http://127.0.0.1:40081`.
    pub issuer: String,
    control: String,
    _child: Child,
}

impl OidcIdp {
    /// Starts a fresh provider on free ports.
    pub async fn start() -> OidcIdp {
        require_peers();
        let mut child = Command::new("node")
            .arg("oidc-idp.mjs")
            .current_dir(peers_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node must be installed to run the OIDC test provider");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("the OIDC test provider did not start within 30 s")
            .expect("read")
            .expect("the OIDC test provider exited");
        let parts: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(parts.first(), Some(&"READY"), "unexpected output: {line}");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        OidcIdp {
            issuer: format!("http://127.0.0.1:{}", parts[1]),
            control: format!("http://127.0.0.1:{}/mode", parts[2]),
            _child: child,
        }
    }

    /// Sets what the next ID tokens look like (`email`, `aud`, `nonce`, `tamper`,
    /// `emailVerified`).
    pub async fn set_mode(&self, mode: Value) {
        let r = reqwest::Client::new()
            .post(&self.control)
            .body(mode.to_string())
            .send()
            .await
            .expect("control");
        assert!(r.status().is_success());
    }
}

/// `GET path` through the app; the reply must be a 302 and its `Location` is returned.
pub async fn app_get(state: &AppState, path_and_query: &str) -> String {
    let reply = common::send(
        state,
        Request::get(path_and_query)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    location(&reply)
}

/// The `Location` of a 302 reply.
pub fn location(reply: &Reply) -> String {
    assert_eq!(reply.status.as_u16(), 302, "not a 302: {}", reply.body);
    reply.headers["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// The path and query of an absolute URL.
pub fn path_and_query(url: &str) -> String {
    let u = url::Url::parse(url).expect("url");
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    }
}

/// Follows the provider's authorization URL (no browser: the test provider answers at once
/// with a 302 to our callback) and returns our callback URL.
pub async fn authorize_at_idp(authorization_url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = http.get(authorization_url).send().await.expect("authorize");
    assert_eq!(r.status().as_u16(), 302, "IdP answered {}", r.status());
    r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// What a login flow ended with: `/verify?loginToken=` or `/verify?errorMessage=`.
#[derive(Debug)]
pub struct Verify {
    /// The URL before `/verify` (workspace or front-end URL).
    pub base: String,
    /// The LOGIN token, on success.
    pub login_token: Option<String>,
    /// The error message, on failure.
    pub error: Option<String>,
}

/// Parses `<base>/verify?...`.
pub fn verify(url: &str) -> Verify {
    let (base, _) = url
        .split_once("/verify?")
        .unwrap_or_else(|| panic!("not a /verify URL: {url}"));
    let u = url::Url::parse(url).expect("url");
    let get = |name: &str| {
        u.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    Verify {
        base: base.to_owned(),
        login_token: get("loginToken"),
        error: get("errorMessage"),
    }
}

/// The whole browser round trip from a start path of the app: start → IdP → callback.
/// Returns the app's final redirect.
pub async fn browser_login(state: &AppState, start: &str) -> Verify {
    let at_idp = app_get(state, start).await;
    let callback = authorize_at_idp(&at_idp).await;
    verify(&app_get(state, &path_and_query(&callback)).await)
}

/// Exchanges a LOGIN token for an access token at `origin` and proves it works on
/// `/graphql`; returns the access token.
pub async fn access_from_login(api: &Api, login_token: &str, origin: &str) -> String {
    let (access, _) = api.exchange(login_token, origin).await;
    let people = ok(&api
        .gql(Some(&access), "{ people { totalCount } }", json!({}))
        .await);
    assert!(people["people"]["totalCount"].is_number(), "{people}");
    access
}

/// The JSON payload of a JWT (not verified).
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64");
    serde_json::from_slice(&bytes).expect("json")
}

/// Creates an OIDC provider in the workspace of `access`; returns its id.
pub async fn create_oidc_provider(
    api: &Api,
    access: &str,
    issuer: &str,
    client_id: &str,
) -> String {
    let r = api
        .meta(
            Some(access),
            "mutation($i: SetupOIDCSsoInput!) { createOIDCIdentityProvider(input: $i) { id type issuer name status } }",
            json!({"i": {"name": "Test IdP", "issuer": issuer, "clientID": client_id, "clientSecret": "very-secret-value"}}),
        )
        .await;
    let out = &ok(&r)["createOIDCIdentityProvider"];
    assert_eq!(out["type"], "OIDC");
    assert_eq!(out["status"], "Active");
    assert_eq!(out["issuer"], issuer);
    assert!(!r.body.contains("very-secret-value"));
    str_of(&out["id"])
}

/// Sets a provider's status through `editSSOIdentityProvider`.
pub async fn set_status(api: &Api, access: &str, id: &str, status: &str) -> Reply {
    api.meta(
        Some(access),
        "mutation($i: EditSsoInput!) { editSSOIdentityProvider(input: $i) { id type issuer name status } }",
        json!({"i": {"id": id, "status": status}}),
    )
    .await
}

/// Runs `async fn name(AppState, OidcIdp)` on SQLite and on PostgreSQL, with a fresh OIDC
/// provider and the accounts configuration `config(&idp)`: `both_idp!(name, config);`.
#[macro_export]
macro_rules! both_idp {
    ($name:ident, $config:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let idp = $crate::sso_support::OidcIdp::start().await;
                let (state, _dir) =
                    $crate::accounts_support::sqlite_state(super::$config(&idp)).await;
                super::$name(state, idp).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let idp = $crate::sso_support::OidcIdp::start().await;
                let state = $crate::accounts_support::pg_state(super::$config(&idp)).await;
                super::$name(state, idp).await;
            }
        }
    };
}
