//! Helpers of the accounts tests: app states with an accounts configuration, `/metadata` and
//! `/graphql` calls with a bearer token (and optional client IP), and the sign-up →
//! new workspace → activation path.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tessera_server::{AppState, AuthConfig, ServerConfig};
use tessera_store::{Store, StoreConfig};

use crate::common::{self, Reply, SECRET};

/// A test password that passes the password rule.
pub const PASSWORD: &str = "correct horse battery";

/// State over a fresh SQLite dir with `auth`.
pub async fn sqlite_state(auth: AuthConfig) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = ServerConfig {
        app_secret: Some(SECRET.to_owned()),
        auth,
        ..ServerConfig::embedded(dir.path())
    };
    (AppState::new(&config).await.expect("state"), dir)
}

/// State over the PostgreSQL test database with `auth`.
pub async fn pg_state(auth: AuthConfig) -> AppState {
    Store::ensure_database(&common::pg_url())
        .await
        .expect("test database");
    let store = Store::connect(&StoreConfig {
        database_url: Some(common::pg_url()),
        data_dir: std::env::temp_dir(),
    })
    .await
    .expect("connect");
    AppState::from_parts_with_auth(store, SECRET.to_owned(), auth)
}

/// A unique e-mail address for this test run (the PostgreSQL database is shared by runs).
pub fn email(name: &str) -> String {
    format!(
        "{name}-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// Calls the app.
#[derive(Clone)]
pub struct Api {
    /// The app state.
    pub state: AppState,
}

impl Api {
    async fn post(&self, path: &str, token: Option<&str>, ip: Option<&str>, body: Value) -> Reply {
        let mut request = Request::post(path).header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(ip) = ip {
            request = request.header("x-forwarded-for", ip);
        }
        common::send(
            &self.state,
            request.body(Body::from(body.to_string())).expect("request"),
        )
        .await
    }

    /// `POST /metadata`.
    pub async fn meta(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        self.post(
            "/metadata",
            token,
            None,
            json!({"query": query, "variables": variables}),
        )
        .await
    }

    /// `POST /metadata` from a client IP (`X-Forwarded-For`).
    pub async fn meta_from(&self, ip: &str, query: &str, variables: Value) -> Reply {
        self.post(
            "/metadata",
            None,
            Some(ip),
            json!({"query": query, "variables": variables}),
        )
        .await
    }

    /// `POST /graphql`.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        self.post(
            "/graphql",
            token,
            None,
            json!({"query": query, "variables": variables}),
        )
        .await
    }

    /// `POST /metadata` from a TCP peer (the `ConnectInfo` that `serve` attaches).
    pub async fn meta_from_peer(&self, peer: &str, query: &str, variables: Value) -> Reply {
        let addr: std::net::SocketAddr = peer.parse().expect("socket address");
        let mut request = Request::post("/metadata")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"query": query, "variables": variables}).to_string(),
            ))
            .expect("request");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        common::send(&self.state, request).await
    }

    /// `signUp` → the workspace-agnostic access token and refresh token.
    pub async fn sign_up(&self, email: &str, password: &str) -> (String, String) {
        let r = self
            .meta(
                None,
                "mutation($e: String!, $p: String!) { signUp(email: $e, password: $p) { tokens { accessOrWorkspaceAgnosticToken { token expiresAt } refreshToken { token } } availableWorkspaces { availableWorkspacesForSignIn { id } availableWorkspacesForSignUp { id } } } }",
                json!({"e": email, "p": password}),
            )
            .await;
        let data = ok(&r);
        let tokens = &data["signUp"]["tokens"];
        assert_eq!(
            data["signUp"]["availableWorkspaces"]["availableWorkspacesForSignIn"],
            json!([])
        );
        (
            str_of(&tokens["accessOrWorkspaceAgnosticToken"]["token"]),
            str_of(&tokens["refreshToken"]["token"]),
        )
    }

    /// `signUpInNewWorkspace` with an agnostic token → (workspace id, login token, URL).
    pub async fn new_workspace(&self, agnostic: &str, name: &str) -> (String, String, String) {
        let r = self
            .meta(
                Some(agnostic),
                "mutation($n: String) { signUpInNewWorkspace(input: {displayName: $n}) { loginToken { token expiresAt } workspace { id workspaceUrls { subdomainUrl customUrl } } } }",
                json!({"n": name}),
            )
            .await;
        let out = &ok(&r)["signUpInNewWorkspace"];
        (
            str_of(&out["workspace"]["id"]),
            str_of(&out["loginToken"]["token"]),
            str_of(&out["workspace"]["workspaceUrls"]["subdomainUrl"]),
        )
    }

    /// `getAuthTokensFromLoginToken` → (access, refresh).
    pub async fn exchange(&self, login_token: &str, origin: &str) -> (String, String) {
        let r = self.exchange_reply(login_token, origin).await;
        let tokens = &ok(&r)["getAuthTokensFromLoginToken"]["tokens"];
        (
            str_of(&tokens["accessOrWorkspaceAgnosticToken"]["token"]),
            str_of(&tokens["refreshToken"]["token"]),
        )
    }

    /// `getAuthTokensFromLoginToken`, raw.
    pub async fn exchange_reply(&self, login_token: &str, origin: &str) -> Reply {
        self.meta(
            None,
            "mutation($t: String!, $o: String!) { getAuthTokensFromLoginToken(loginToken: $t, origin: $o) { tokens { accessOrWorkspaceAgnosticToken { token } refreshToken { token } } } }",
            json!({"t": login_token, "o": origin}),
        )
        .await
    }

    /// `activateWorkspace` with an access token; returns the workspace.
    pub async fn activate(&self, access: &str) -> Value {
        let r = self
            .meta(
                Some(access),
                "mutation { activateWorkspace(data: {}) { id displayName activationStatus workspaceMembersCount } }",
                json!({}),
            )
            .await;
        ok(&r)["activateWorkspace"].clone()
    }

    /// A new user with an active workspace: (email, workspace id, access, refresh, URL).
    pub async fn member_with_workspace(&self, name: &str) -> Member {
        let email = email(name);
        let (agnostic, _) = self.sign_up(&email, PASSWORD).await;
        let (ws, login, url) = self.new_workspace(&agnostic, name).await;
        let (access, refresh) = self.exchange(&login, &url).await;
        let activated = self.activate(&access).await;
        assert_eq!(activated["activationStatus"], "ACTIVE");
        Member {
            email,
            workspace_id: ws,
            access,
            refresh,
            url,
        }
    }

    /// `renewToken`, raw.
    pub async fn renew(&self, refresh: &str) -> Reply {
        self.meta(
            None,
            "mutation($t: String!) { renewToken(appToken: $t) { tokens { accessOrWorkspaceAgnosticToken { token } refreshToken { token } } } }",
            json!({"t": refresh}),
        )
        .await
    }

    /// `signIn`, raw.
    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        self.meta(
            None,
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { tokens { accessOrWorkspaceAgnosticToken { token } refreshToken { token } } availableWorkspaces { availableWorkspacesForSignIn { id displayName loginToken workspaceUrls { subdomainUrl } } } } }",
            json!({"e": email, "p": password}),
        )
        .await
    }
}

/// A user with an active workspace.
#[derive(Debug, Clone)]
pub struct Member {
    /// E-mail.
    pub email: String,
    /// Workspace id.
    pub workspace_id: String,
    /// ACCESS token.
    pub access: String,
    /// REFRESH token.
    pub refresh: String,
    /// The workspace URL (origin).
    pub url: String,
}

/// `data` of a reply without errors.
pub fn ok(r: &Reply) -> Value {
    let v = r.json();
    assert!(v.get("errors").is_none(), "unexpected errors: {v}");
    v["data"].clone()
}

/// A JSON string.
pub fn str_of(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

/// `errors[0].message`.
pub fn message(r: &Reply) -> String {
    str_of(&r.json()["errors"][0]["message"])
}

/// Runs `async fn name(AppState)` on SQLite and on PostgreSQL with the accounts configuration
/// `config()`: `both_with!(name, config);`.
#[macro_export]
macro_rules! both_with {
    ($name:ident, $config:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (state, _dir) = $crate::accounts_support::sqlite_state(super::$config()).await;
                super::$name(state).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let state = $crate::accounts_support::pg_state(super::$config()).await;
                super::$name(state).await;
            }
        }
    };
}
