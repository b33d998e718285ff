//! Accounts end to end through the router, on SQLite and PostgreSQL: sign-up into a new
//! workspace, activation, user tokens on `/graphql` and `/metadata`, tenant isolation,
//! sign-in, identical errors for a wrong password and an unknown e-mail, rate limits,
//! rotating refresh tokens with reuse detection, sign-out, and refused tokens.

mod accounts_support;
mod common;

use accounts_support::{Api, PASSWORD, email, message, ok, str_of};
use base64::Engine;
use chrono::{Duration, Utc};
use serde_json::json;
use tessera_server::auth::user_tokens::{UserClaims, UserTokenType, sign_user_token};
use tessera_server::{AppState, AuthConfig};

const PERSON: &str = "mutation { createPerson(data: {name: {firstName: \"Ada\", lastName: \"Lovelace\"}}) { id createdBy { source workspaceMemberId name } } }";
const CURRENT_USER: &str = "{ currentUser { id email hasPassword workspaceMember { id userEmail name { firstName lastName } userWorkspaceId } currentWorkspace { id displayName activationStatus workspaceMembersCount } currentUserWorkspace { id } workspaces { id } userWorkspaces { id } availableWorkspaces { availableWorkspacesForSignIn { id } } } }";

fn defaults() -> AuthConfig {
    AuthConfig::default()
}

fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64");
    serde_json::from_slice(&bytes).expect("json")
}

async fn sign_up_activate_and_use(state: AppState) {
    let api = Api { state };
    let a_email = email("ada");
    let (agnostic, _) = api.sign_up(&a_email, PASSWORD).await;

    // A workspace-agnostic token knows the user, not a workspace.
    let me = ok(&api.meta(Some(&agnostic), CURRENT_USER, json!({})).await);
    assert_eq!(me["currentUser"]["email"], a_email.as_str());
    assert_eq!(me["currentUser"]["hasPassword"], true);
    assert_eq!(me["currentUser"]["workspaces"], json!([]));
    assert!(me["currentUser"]["workspaceMember"].is_null());
    let r = api
        .gql(Some(&agnostic), "{ people { totalCount } }", json!({}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));

    let (ws, login, url) = api.new_workspace(&agnostic, "Acme Inc").await;
    assert!(url.contains("acme-inc-"), "{url}");
    let (access, _) = api.exchange(&login, &url).await;
    let c = claims(&access);
    assert_eq!(c["type"], "ACCESS");
    assert_eq!(c["workspaceId"], ws.as_str());
    assert_eq!(c["sub"], c["userId"]);
    let member_id = str_of(&c["workspaceMemberId"]);

    // Before activation the workspace has no data API.
    let r = api
        .gql(Some(&access), "{ people { totalCount } }", json!({}))
        .await;
    assert!(r.error_code().is_some(), "{}", r.body);
    let status = ok(&api
        .meta(
            Some(&access),
            "{ currentWorkspace { activationStatus } }",
            json!({}),
        )
        .await);
    assert_eq!(
        status["currentWorkspace"]["activationStatus"],
        "PENDING_CREATION"
    );

    let activated = api.activate(&access).await;
    assert_eq!(activated["id"], ws.as_str());
    assert_eq!(activated["displayName"], "Acme Inc");
    assert_eq!(activated["workspaceMembersCount"], 1.0);
    let again = api
        .meta(
            Some(&access),
            "mutation { activateWorkspace(data: {}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(again.error_code().as_deref(), Some("CONFLICT"));

    let me = ok(&api.meta(Some(&access), CURRENT_USER, json!({})).await)["currentUser"].clone();
    assert_eq!(me["workspaceMember"]["id"], member_id.as_str());
    assert_eq!(me["workspaceMember"]["userEmail"], a_email.as_str());
    assert_eq!(me["currentWorkspace"]["id"], ws.as_str());
    assert_eq!(me["currentWorkspace"]["activationStatus"], "ACTIVE");
    assert_eq!(me["currentUserWorkspace"]["id"], c["userWorkspaceId"]);
    assert_eq!(me["workspaces"].as_array().map(Vec::len), Some(1));
    let cw = ok(&api
        .meta(
            Some(&access),
            "{ currentWorkspace { id displayName workspaceUrls { subdomainUrl } } }",
            json!({}),
        )
        .await);
    assert_eq!(cw["currentWorkspace"]["id"], ws.as_str());
    assert_eq!(
        cw["currentWorkspace"]["workspaceUrls"]["subdomainUrl"],
        url.as_str()
    );

    // The access token works on /metadata (data model) and /graphql (records).
    let objects = ok(&api
        .meta(
            Some(&access),
            "{ objects(paging: {first: 100}) { edges { node { nameSingular } } } }",
            json!({}),
        )
        .await);
    assert!(
        objects["objects"]["edges"]
            .as_array()
            .is_some_and(|e| e.len() > 5)
    );
    let created = ok(&api.gql(Some(&access), PERSON, json!({})).await)["createPerson"].clone();
    assert_eq!(created["createdBy"]["source"], "MANUAL");
    assert_eq!(
        created["createdBy"]["workspaceMemberId"],
        member_id.as_str()
    );
    let person_id = str_of(&created["id"]);
    let people = ok(&api
        .gql(Some(&access), "{ people { totalCount } }", json!({}))
        .await);
    assert_eq!(people["people"]["totalCount"], 1);

    // Another user's workspace does not see the record, and their token cannot reach A's.
    let b = api.member_with_workspace("bob").await;
    let theirs = ok(&api
        .gql(Some(&b.access), "{ people { totalCount } }", json!({}))
        .await);
    assert_eq!(theirs["people"]["totalCount"], 0);
    let lookup = api
        .gql(
            Some(&b.access),
            "query($id: UUID!) { person(filter: {id: {eq: $id}}) { id } }",
            json!({"id": person_id}),
        )
        .await;
    assert!(lookup.json()["data"]["person"].is_null(), "{}", lookup.body);
    // B's identity in A's workspace, correctly signed: B is not a member of A.
    let bc = claims(&b.access);
    let mut forged = UserClaims::new(
        UserTokenType::Access,
        str_of(&bc["userId"]),
        Utc::now() + Duration::minutes(5),
    );
    forged.user_id = Some(str_of(&bc["userId"]));
    forged.workspace_id = Some(ws.clone());
    forged.workspace_member_id = Some(str_of(&bc["workspaceMemberId"]));
    forged.user_workspace_id = Some(str_of(&bc["userWorkspaceId"]));
    let forged = sign_user_token(common::SECRET, &forged);
    let r = api
        .gql(Some(&forged), "{ people { totalCount } }", json!({}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    let r = api
        .meta(Some(&forged), "{ currentWorkspace { id } }", json!({}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    // A's login token cannot be exchanged on B's origin.
    let r = api.exchange_reply(&login, &b.url).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
}
both_with!(sign_up_activate_and_use, defaults);

async fn sign_in_and_credential_errors(state: AppState) {
    let api = Api { state };
    let m = api.member_with_workspace("carol").await;

    let r = api.sign_in(&m.email.to_uppercase(), PASSWORD).await;
    let data = ok(&r);
    let c = claims(&str_of(
        &data["signIn"]["tokens"]["accessOrWorkspaceAgnosticToken"]["token"],
    ));
    assert_eq!(c["type"], "WORKSPACE_AGNOSTIC");
    let list = data["signIn"]["availableWorkspaces"]["availableWorkspacesForSignIn"].clone();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], m.workspace_id.as_str());
    // The per-workspace login token of sign-in opens the workspace.
    let (access, _) = api.exchange(&str_of(&list[0]["loginToken"]), &m.url).await;
    ok(&api
        .gql(Some(&access), "{ people { totalCount } }", json!({}))
        .await);

    // The two-step browser flow.
    let r = api
        .meta(
            None,
            "mutation($e: String!, $p: String!, $o: String!) { getLoginTokenFromCredentials(email: $e, password: $p, origin: $o) { loginToken { token } } }",
            json!({"e": m.email, "p": PASSWORD, "o": m.url}),
        )
        .await;
    let login = str_of(&ok(&r)["getLoginTokenFromCredentials"]["loginToken"]["token"]);
    let (access, _) = api.exchange(&login, &m.url).await;
    assert_eq!(claims(&access)["workspaceId"], m.workspace_id.as_str());
    // A login token works once; a validly signed one that was never issued does not work.
    let r = api.exchange_reply(&login, &m.url).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    let mut unissued = UserClaims::new(
        UserTokenType::Login,
        m.email.clone(),
        Utc::now() + Duration::minutes(5),
    );
    unissued.workspace_id = Some(m.workspace_id.clone());
    unissued.jti = Some(uuid::Uuid::new_v4().to_string());
    let r = api
        .exchange_reply(&sign_user_token(common::SECRET, &unissued), &m.url)
        .await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));

    // Wrong password and unknown e-mail: same code, same message.
    let wrong = api.sign_in(&m.email, "not the password").await;
    let unknown = api.sign_in(&email("nobody"), PASSWORD).await;
    assert_eq!(wrong.error_code().as_deref(), Some("FORBIDDEN"));
    assert_eq!(unknown.error_code(), wrong.error_code());
    assert_eq!(message(&unknown), message(&wrong));
    assert!(wrong.json()["data"].is_null());

    // checkUserExists (public).
    let r = ok(&api
        .meta(None, "query($e: String!) { checkUserExists(email: $e) { exists availableWorkspacesCount isEmailVerified } }", json!({"e": m.email}))
        .await);
    assert_eq!(r["checkUserExists"]["exists"], true);
    assert_eq!(r["checkUserExists"]["availableWorkspacesCount"], 1.0);

    // Signing up twice with the same e-mail (any case) is a conflict; weak passwords are refused.
    let r = api
        .meta(None, "mutation($e: String!) { signUp(email: $e, password: \"another password\") { tokens { refreshToken { token } } } }", json!({"e": m.email.to_uppercase()}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("CONFLICT"));
    let r = api
        .meta(None, "mutation($e: String!) { signUp(email: $e, password: \"short\") { tokens { refreshToken { token } } } }", json!({"e": email("weak")}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("BAD_USER_INPUT"));

    // With an API key: the workspace answers, user-only operations are FORBIDDEN.
    let (_, api_key) = tessera_server::create_workspace(&api.state, "Keyed", false)
        .await
        .expect("workspace");
    let r = api.meta(Some(&api_key), CURRENT_USER, json!({})).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    let r = api
        .meta(
            Some(&api_key),
            "mutation { activateWorkspace(data: {}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    ok(&api
        .meta(
            Some(&api_key),
            "{ currentWorkspace { id activationStatus } }",
            json!({}),
        )
        .await);

    // Operations that need a user answer UNAUTHENTICATED without a token.
    let r = api.meta(None, CURRENT_USER, json!({})).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    let r = api
        .meta(
            None,
            "mutation { signUpInNewWorkspace { workspace { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
}
both_with!(sign_in_and_credential_errors, defaults);

fn tight_limits() -> AuthConfig {
    AuthConfig {
        login_attempts_per_email: 3,
        login_attempts_per_ip: 5,
        trust_forwarded_for: true,
        ..AuthConfig::default()
    }
}

async fn login_attempts_are_rate_limited(state: AppState) {
    let api = Api { state };
    let target = email("dave");
    api.sign_up(&target, PASSWORD).await;
    for _ in 0..3 {
        let r = api.sign_in(&target, "wrong password").await;
        assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    }
    // The e-mail's budget is spent: even the right password is refused now.
    let r = api.sign_in(&target, PASSWORD).await;
    assert_eq!(r.error_code().as_deref(), Some("RATE_LIMITED"));
    // Other accounts are not affected.
    let other = email("erin");
    api.sign_up(&other, PASSWORD).await;
    ok(&api.sign_in(&other, PASSWORD).await);

    // Per client IP: 5 checks, whatever the e-mail.
    const SIGN_IN: &str = "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { tokens { refreshToken { token } } } }";
    for i in 0..5 {
        let r = api
            .meta_from(
                "203.0.113.7",
                SIGN_IN,
                json!({"e": email(&format!("x{i}")), "p": PASSWORD}),
            )
            .await;
        assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"), "{}", r.body);
    }
    let r = api
        .meta_from(
            "203.0.113.7",
            SIGN_IN,
            json!({"e": email("x5"), "p": PASSWORD}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("RATE_LIMITED"));
    let r = api
        .meta_from("203.0.113.8", SIGN_IN, json!({"e": other, "p": PASSWORD}))
        .await;
    ok(&r);
}
both_with!(login_attempts_are_rate_limited, tight_limits);

fn peer_limits() -> AuthConfig {
    AuthConfig {
        login_attempts_per_ip: 2,
        ..AuthConfig::default()
    }
}

/// Without a trusted proxy the TCP peer is the client: `X-Forwarded-For` is ignored.
async fn the_tcp_peer_is_rate_limited(state: AppState) {
    let api = Api { state };
    const SIGN_IN: &str = "mutation($e: String!) { signIn(email: $e, password: \"whatever pw\") { tokens { refreshToken { token } } } }";
    for i in 0..2 {
        let r = api
            .meta_from_peer(
                "198.51.100.4:5000",
                SIGN_IN,
                json!({"e": email(&format!("p{i}"))}),
            )
            .await;
        assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"), "{}", r.body);
    }
    let r = api
        .meta_from_peer("198.51.100.4:6000", SIGN_IN, json!({"e": email("p2")}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("RATE_LIMITED"));
    let r = api
        .meta_from_peer("198.51.100.5:5000", SIGN_IN, json!({"e": email("p3")}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    // A spoofed X-Forwarded-For does not give a fresh budget.
    for i in 0..3 {
        let r = api
            .meta_from("192.0.2.1", SIGN_IN, json!({"e": email(&format!("q{i}"))}))
            .await;
        assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"), "{}", r.body);
    }
}
both_with!(the_tcp_peer_is_rate_limited, peer_limits);

async fn refresh_tokens_rotate_and_reuse_revokes_the_session(state: AppState) {
    let api = Api { state };
    let m = api.member_with_workspace("frank").await;

    let p1 = ok(&api.renew(&m.refresh).await)["renewToken"]["tokens"].clone();
    let access1 = str_of(&p1["accessOrWorkspaceAgnosticToken"]["token"]);
    let refresh1 = str_of(&p1["refreshToken"]["token"]);
    assert_ne!(refresh1, m.refresh);
    assert_eq!(claims(&access1)["workspaceId"], m.workspace_id.as_str());
    ok(&api
        .gql(Some(&access1), "{ people { totalCount } }", json!({}))
        .await);
    // The used refresh token is spent.
    let p2 = ok(&api.renew(&refresh1).await)["renewToken"]["tokens"].clone();
    let refresh2 = str_of(&p2["refreshToken"]["token"]);

    // Presenting refresh1 again: refused, and the whole session is revoked...
    let r = api.renew(&refresh1).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    // ... so the newest refresh token of that session fails too.
    let r = api.renew(&refresh2).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    let r = api.renew(&m.refresh).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));

    // Another session of the same user is unaffected; signOut ends it.
    let list = ok(&api.sign_in(&m.email, PASSWORD).await)["signIn"]["availableWorkspaces"]
        ["availableWorkspacesForSignIn"]
        .clone();
    let (access, refresh) = api.exchange(&str_of(&list[0]["loginToken"]), &m.url).await;
    let renewed =
        ok(&api.renew(&refresh).await)["renewToken"]["tokens"]["refreshToken"]["token"].clone();
    let renewed = str_of(&renewed);
    let out = ok(&api
        .meta(
            Some(&access),
            "mutation($t: String) { signOut(refreshToken: $t) }",
            json!({"t": renewed}),
        )
        .await);
    assert_eq!(out["signOut"], true);
    let r = api.renew(&renewed).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));

    // Workspace-agnostic refresh tokens renew into workspace-agnostic pairs.
    let agnostic_refresh = str_of(
        &ok(&api.sign_in(&m.email, PASSWORD).await)["signIn"]["tokens"]["refreshToken"]["token"],
    );
    let pair = ok(&api.renew(&agnostic_refresh).await)["renewToken"]["tokens"].clone();
    assert_eq!(
        claims(&str_of(&pair["accessOrWorkspaceAgnosticToken"]["token"]))["type"],
        "WORKSPACE_AGNOSTIC"
    );
}
both_with!(
    refresh_tokens_rotate_and_reuse_revokes_the_session,
    defaults
);

async fn bad_tokens_are_unauthenticated(state: AppState) {
    let api = Api { state };
    let m = api.member_with_workspace("gina").await;
    let c = claims(&m.access);
    let base = |exp: chrono::DateTime<Utc>| {
        let mut claims = UserClaims::new(UserTokenType::Access, str_of(&c["userId"]), exp);
        claims.user_id = Some(str_of(&c["userId"]));
        claims.workspace_id = Some(m.workspace_id.clone());
        claims.workspace_member_id = Some(str_of(&c["workspaceMemberId"]));
        claims.user_workspace_id = Some(str_of(&c["userWorkspaceId"]));
        claims
    };
    // Control: a token minted the same way, valid, is accepted.
    let valid = sign_user_token(common::SECRET, &base(Utc::now() + Duration::minutes(5)));
    ok(&api
        .gql(Some(&valid), "{ people { totalCount } }", json!({}))
        .await);

    let expired = sign_user_token(common::SECRET, &base(Utc::now() - Duration::seconds(5)));
    let wrong_secret = sign_user_token("another secret", &base(Utc::now() + Duration::minutes(5)));
    let parts: Vec<&str> = m.access.split('.').collect();
    let mut payload = c.clone();
    payload["userWorkspaceId"] = json!(uuid::Uuid::new_v4().to_string());
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        engine.encode(payload.to_string()),
        parts[2]
    );
    let none = format!(
        "{}.{}.",
        engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let hs512 = format!(
        "{}.{}.{}",
        engine.encode(r#"{"alg":"HS512","typ":"JWT"}"#),
        parts[1],
        parts[2]
    );
    let mut other_ws = base(Utc::now() + Duration::minutes(5));
    other_ws.workspace_id = Some(uuid::Uuid::new_v4().to_string());
    let other_ws = sign_user_token(common::SECRET, &other_ws);
    let mut login = UserClaims::new(
        UserTokenType::Login,
        m.email.clone(),
        Utc::now() + Duration::minutes(5),
    );
    login.workspace_id = Some(m.workspace_id.clone());
    let login = sign_user_token(common::SECRET, &login);
    for (name, token) in [
        ("expired", &expired),
        ("wrong secret", &wrong_secret),
        ("tampered", &tampered),
        ("alg none", &none),
        ("HS512 header", &hs512),
        ("other workspace", &other_ws),
        ("refresh as bearer", &m.refresh),
        ("login as bearer", &login),
    ] {
        let r = api
            .gql(Some(token), "{ people { totalCount } }", json!({}))
            .await;
        assert_eq!(
            r.error_code().as_deref(),
            Some("UNAUTHENTICATED"),
            "{name} on /graphql: {}",
            r.body
        );
        let r = api
            .meta(Some(token), "{ currentWorkspace { id } }", json!({}))
            .await;
        assert_eq!(
            r.error_code().as_deref(),
            Some("UNAUTHENTICATED"),
            "{name} on /metadata: {}",
            r.body
        );
    }
}
both_with!(bad_tokens_are_unauthenticated, defaults);
