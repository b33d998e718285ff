//! OpenID Connect login end to end, on SQLite and PostgreSQL, against a real local
//! provider (`oauth2-mock-server` via `tests/sso-peers/oidc-idp.mjs`): a workspace's OIDC
//! provider (`/auth/oidc/login/{id}` → IdP → `/auth/oidc/callback`), and Google and
//! Microsoft sign-in (`/auth/google`, `/auth/microsoft`, issuer overridden to the local
//! provider). Every successful flow ends with a LOGIN token exchanged for an access token
//! that works on `/graphql`. Refused: wrong state, reused state, nonce mismatch, ID token for
//! another audience, tampered ID token, IdP error, inactive and deleted providers, a state
//! of another flow, unknown users and unverified e-mails; a provider of workspace A never
//! logs anyone into workspace B.

mod accounts_support;
mod common;
mod sso_support;

use accounts_support::{Api, email, message, ok, str_of};
use serde_json::json;
use sso_support::{
    OidcIdp, access_from_login, app_get, authorize_at_idp, browser_login, claims,
    create_oidc_provider, path_and_query, set_status, verify,
};
use tessera_server::sso::{SocialProviderConfig, SsoConfig};
use tessera_server::{AppState, AuthConfig};

fn plain(_: &OidcIdp) -> AuthConfig {
    AuthConfig::default()
}

fn social(idp: &OidcIdp) -> AuthConfig {
    let provider = |id: &str, path: &str| SocialProviderConfig {
        client_id: id.to_owned(),
        client_secret: format!("{id}-secret"),
        callback_url: format!("http://localhost:3000{path}"),
        issuer_url: idp.issuer.clone(),
    };
    AuthConfig {
        sso: SsoConfig {
            google: Some(provider("google-client", "/auth/google/redirect")),
            microsoft: Some(provider("microsoft-client", "/auth/microsoft/redirect")),
            ..SsoConfig::default()
        },
        ..AuthConfig::default()
    }
}

const LIST: &str =
    "{ getSSOIdentityProviders { id type issuer name status workspace { id displayName } } }";

async fn oidc_provider_login(state: AppState, idp: OidcIdp) {
    let api = Api { state };
    let a = api.member_with_workspace("acme").await;
    let b = api.member_with_workspace("globex").await;
    let id = create_oidc_provider(&api, &a.access, &idp.issuer, "tessera-a").await;

    // Listed for A only, never with the secret; B cannot see, edit or delete it.
    let r = api.meta(Some(&a.access), LIST, json!({})).await;
    assert!(!r.body.contains("very-secret-value"));
    let list = ok(&r)["getSSOIdentityProviders"].clone();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["workspace"]["id"], a.workspace_id.as_str());
    let r = api.meta(Some(&b.access), LIST, json!({})).await;
    assert_eq!(ok(&r)["getSSOIdentityProviders"], json!([]));
    let r = set_status(&api, &b.access, &id, "Inactive").await;
    assert_eq!(r.error_code().as_deref(), Some("NOT_FOUND"));
    let r = api
        .meta(
            Some(&b.access),
            "mutation($i: DeleteSsoInput!) { deleteSSOIdentityProvider(input: $i) { identityProviderId } }",
            json!({"i": {"identityProviderId": id}}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("NOT_FOUND"));
    let r = api.meta(None, LIST, json!({})).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));

    // The sign-in answer offers the workspace's active providers.
    let r = api
        .meta(
            None,
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { availableWorkspaces { availableWorkspacesForSignIn { id sso { id type name issuer status } } } } }",
            json!({"e": a.email, "p": accounts_support::PASSWORD}),
        )
        .await;
    let offered = &ok(&r)["signIn"]["availableWorkspaces"]["availableWorkspacesForSignIn"][0];
    assert_eq!(offered["id"], a.workspace_id.as_str());
    assert_eq!(
        offered["sso"],
        json!([{"id": id, "type": "OIDC", "name": "Test IdP", "issuer": idp.issuer, "status": "Active"}])
    );

    // The public authorization URL.
    let r = api
        .meta(
            None,
            "mutation($i: GetAuthorizationUrlForSSOInput!) { getAuthorizationUrlForSSO(input: $i) { id type authorizationURL } }",
            json!({"i": {"identityProviderId": id}}),
        )
        .await;
    let url = ok(&r)["getAuthorizationUrlForSSO"].clone();
    assert_eq!(url["type"], "OIDC");
    assert_eq!(
        url["authorizationURL"],
        format!("http://localhost:3000/auth/oidc/login/{id}").as_str()
    );

    // A new user signs in through the provider: created, joins A, gets a working token.
    let sso_user = email("sso-user");
    idp.set_mode(json!({"email": sso_user})).await;
    let start = path_and_query(&str_of(&url["authorizationURL"]));
    let at_idp = app_get(&api.state, &start).await;
    assert!(at_idp.starts_with(&idp.issuer), "{at_idp}");
    assert!(at_idp.contains("code_challenge_method=S256"), "{at_idp}");
    assert!(at_idp.contains("nonce="), "{at_idp}");
    assert!(at_idp.contains("client_id=tessera-a"), "{at_idp}");
    let done = verify(
        &app_get(
            &api.state,
            &path_and_query(&authorize_at_idp(&at_idp).await),
        )
        .await,
    );
    assert_eq!(done.error, None);
    assert_eq!(done.base, a.url);
    let login = done.login_token.expect("login token");
    let c = claims(&login);
    assert_eq!(c["sub"], sso_user.as_str());
    assert_eq!(c["authProvider"], "sso");
    assert_eq!(c["workspaceId"], a.workspace_id.as_str());

    // The LOGIN token is for A only: refused at B's origin, accepted at A's.
    let r = api.exchange_reply(&login, &b.url).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"), "{}", r.body);
    let access = access_from_login(&api, &login, &a.url).await;
    assert_eq!(claims(&access)["workspaceId"], a.workspace_id.as_str());

    // The SSO user sees A's records, not B's.
    ok(&api
        .gql(
            Some(&b.access),
            "mutation { createPerson(data: {name: {firstName: \"Only\", lastName: \"InB\"}}) { id } }",
            json!({}),
        )
        .await);
    let people = ok(&api
        .gql(
            Some(&access),
            "{ people { edges { node { name { lastName } } } } }",
            json!({}),
        )
        .await);
    assert!(!people.to_string().contains("InB"), "{people}");
    let me = ok(&api
        .meta(
            Some(&access),
            "{ currentUser { email workspaces { id } } }",
            json!({}),
        )
        .await);
    assert_eq!(me["currentUser"]["email"], sso_user.as_str());
    assert_eq!(
        me["currentUser"]["workspaces"].as_array().map(Vec::len),
        Some(1)
    );

    // The same user again (existing user and membership).
    let again = browser_login(&api.state, &start).await;
    access_from_login(&api, &again.login_token.expect("login token"), &a.url).await;

    // An inactive provider refuses logins; active again, it works; deleted, it is gone.
    ok(&set_status(&api, &a.access, &id, "Inactive").await);
    let refused = verify(&app_get(&api.state, &start).await);
    assert_eq!(refused.login_token, None);
    assert!(
        refused
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not active"),
        "{refused:?}"
    );
    assert_eq!(refused.base, a.url);
    ok(&set_status(&api, &a.access, &id, "Active").await);
    assert!(
        browser_login(&api.state, &start)
            .await
            .login_token
            .is_some()
    );
    let r = api
        .meta(
            Some(&a.access),
            "mutation($i: DeleteSsoInput!) { deleteSSOIdentityProvider(input: $i) { identityProviderId } }",
            json!({"i": {"identityProviderId": id}}),
        )
        .await;
    assert_eq!(
        ok(&r)["deleteSSOIdentityProvider"]["identityProviderId"],
        id.as_str()
    );
    let gone = verify(&app_get(&api.state, &start).await);
    assert!(
        gone.error.as_deref().unwrap_or("").contains("not found"),
        "{gone:?}"
    );
}
both_idp!(oidc_provider_login, plain);

/// The callback URL of a started flow (the browser is at our callback, not yet sent).
async fn callback_of(api: &Api, start: &str) -> String {
    path_and_query(&authorize_at_idp(&app_get(&api.state, start).await).await)
}

async fn finish(api: &Api, callback: &str) -> sso_support::Verify {
    verify(&app_get(&api.state, callback).await)
}

fn assert_refused(v: &sso_support::Verify, needle: &str) {
    assert_eq!(v.login_token, None, "{v:?}");
    let error = v.error.as_deref().unwrap_or("");
    assert!(error.contains(needle), "expected \"{needle}\" in {v:?}");
}

async fn oidc_forged_and_replayed(state: AppState, idp: OidcIdp) {
    let api = Api { state };
    let a = api.member_with_workspace("initech").await;
    let id = create_oidc_provider(&api, &a.access, &idp.issuer, "tessera-forged").await;
    let start = format!("/auth/oidc/login/{id}");
    idp.set_mode(json!({"email": email("victim")})).await;

    // Wrong state: a state we never issued.
    let callback = callback_of(&api, &start).await;
    let url = url::Url::parse(&format!("http://x{callback}")).expect("url");
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    assert_refused(
        &finish(
            &api,
            &format!("/auth/oidc/callback?code={code}&state=forged-state"),
        )
        .await,
        "invalid or has expired",
    );
    assert_refused(
        &finish(&api, &format!("/auth/oidc/callback?code={code}")).await,
        "invalid or has expired",
    );

    // Reused state: the first callback works, the same one again is refused.
    let callback = callback_of(&api, &start).await;
    let first = finish(&api, &callback).await;
    assert!(first.login_token.is_some(), "{first:?}");
    assert_refused(&finish(&api, &callback).await, "invalid or has expired");

    // Nonce mismatch, another audience, tampered payload (signature no longer matches).
    for (mode, needle) in [
        (json!({"nonce": "not-the-nonce-we-sent"}), "nonce"),
        (json!({"aud": "some-other-client"}), "another client"),
        (json!({"tamper": true}), "signature"),
        (json!({"emailVerified": false}), "No verified email"),
    ] {
        idp.set_mode(mode.clone()).await;
        let v = finish(&api, &callback_of(&api, &start).await).await;
        assert_refused(&v, needle);
        assert_eq!(v.base, a.url, "{mode}");
    }
    idp.set_mode(json!({})).await;

    // The provider reports an error.
    let callback = callback_of(&api, &start).await;
    let url = url::Url::parse(&format!("http://x{callback}")).expect("url");
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    assert_refused(
        &finish(
            &api,
            &format!("/auth/oidc/callback?error=access_denied&state={state}"),
        )
        .await,
        "did not sign you in",
    );

    // Deactivated between the start and the callback.
    let callback = callback_of(&api, &start).await;
    ok(&set_status(&api, &a.access, &id, "Inactive").await);
    assert_refused(&finish(&api, &callback).await, "not active");
    ok(&set_status(&api, &a.access, &id, "Active").await);

    // Unknown provider ids.
    let unknown = uuid::Uuid::new_v4();
    assert_refused(
        &verify(&app_get(&api.state, &format!("/auth/oidc/login/{unknown}")).await),
        "not found",
    );
    assert_refused(
        &verify(&app_get(&api.state, "/auth/oidc/login/not-a-uuid").await),
        "not found",
    );
}
both_idp!(oidc_forged_and_replayed, plain);

async fn oidc_invalid_issuer(state: AppState, _idp: OidcIdp) {
    let api = Api { state };
    let a = api.member_with_workspace("umbrella").await;
    let r = api
        .meta(
            Some(&a.access),
            "mutation($i: SetupOIDCSsoInput!) { createOIDCIdentityProvider(input: $i) { id } }",
            json!({"i": {"name": "Bad", "issuer": "http://127.0.0.1:9/nothing-here", "clientID": "x", "clientSecret": "y"}}),
        )
        .await;
    assert_eq!(
        r.error_code().as_deref(),
        Some("BAD_USER_INPUT"),
        "{}",
        r.body
    );
    assert_eq!(message(&r), "Invalid issuer");
    let r = api
        .meta(
            None,
            "mutation($i: SetupOIDCSsoInput!) { createOIDCIdentityProvider(input: $i) { id } }",
            json!({"i": {"name": "Bad", "issuer": "http://127.0.0.1:9", "clientID": "x", "clientSecret": "y"}}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    let list = ok(&api.meta(Some(&a.access), LIST, json!({})).await);
    assert_eq!(list["getSSOIdentityProviders"], json!([]));
}
both_idp!(oidc_invalid_issuer, plain);

async fn google_and_microsoft(state: AppState, idp: OidcIdp) {
    let api = Api { state };
    let a = api.member_with_workspace("hooli").await;
    let b = api.member_with_workspace("pied-piper").await;
    idp.set_mode(json!({"email": a.email})).await;

    for (start, provider, client) in [
        ("/auth/google", "google", "google-client"),
        ("/auth/microsoft", "microsoft", "microsoft-client"),
    ] {
        let at_idp = app_get(&api.state, start).await;
        assert!(at_idp.starts_with(&idp.issuer), "{at_idp}");
        assert!(at_idp.contains(&format!("client_id={client}")), "{at_idp}");
        assert!(at_idp.contains("code_challenge_method=S256"), "{at_idp}");
        assert_eq!(
            at_idp.contains("prompt=select_account"),
            provider == "google"
        );
        let done = finish(&api, &path_and_query(&authorize_at_idp(&at_idp).await)).await;
        assert_eq!(done.base, a.url, "{done:?}");
        let login = done.login_token.expect("login token");
        assert_eq!(claims(&login)["authProvider"], provider);
        assert_eq!(claims(&login)["workspaceId"], a.workspace_id.as_str());
        let r = api.exchange_reply(&login, &b.url).await;
        assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
        access_from_login(&api, &login, &a.url).await;
    }

    // Asking for a workspace the user is not a member of.
    let v = browser_login(
        &api.state,
        &format!("/auth/google?workspaceId={}", b.workspace_id),
    )
    .await;
    assert_refused(&v, "not a member");

    // A state of one flow is refused by the other.
    let callback = callback_of(&api, "/auth/google").await;
    let crossed = callback.replace("/auth/google/redirect", "/auth/microsoft/redirect");
    assert_refused(&finish(&api, &crossed).await, "invalid or has expired");
    assert_refused(&finish(&api, &callback).await, "invalid or has expired");

    // Unknown e-mail (no account, no invitation) and unverified e-mail (Google).
    idp.set_mode(json!({"email": email("stranger")})).await;
    assert_refused(
        &browser_login(&api.state, "/auth/microsoft").await,
        "No account",
    );
    idp.set_mode(json!({"email": a.email, "emailVerified": false}))
        .await;
    assert_refused(
        &browser_login(&api.state, "/auth/google").await,
        "No verified email",
    );

    // ID token for another audience on the Google route.
    idp.set_mode(json!({"email": a.email, "aud": "microsoft-client"}))
        .await;
    assert_refused(
        &browser_login(&api.state, "/auth/google").await,
        "another client",
    );
}
both_idp!(google_and_microsoft, social);

/// Stores a personal invitation of `workspace` for `invitee` (as `sendInvitations` does) and
/// returns its secret.
async fn invitation(state: &AppState, workspace: &str, invitee: &str) -> String {
    let secret = tessera_server::accounts::random_secret();
    state
        .store()
        .create_app_token(tessera_store::NewAppToken {
            token_type: tessera_store::AppTokenType::InvitationToken,
            user_id: None,
            workspace_id: Some(workspace.parse().expect("workspace id")),
            value_hash: Some(&tessera_server::accounts::token_hash(&secret)),
            family_id: None,
            context: Some(json!({"email": invitee})),
            expires_at: chrono::Utc::now() + chrono::Duration::days(1),
        })
        .await
        .expect("invitation");
    secret
}

async fn google_with_invitation(state: AppState, idp: OidcIdp) {
    let api = Api { state };
    let a = api.member_with_workspace("invites").await;
    let invitee = email("invitee");
    let secret = invitation(&api.state, &a.workspace_id, &invitee).await;

    // Someone else cannot use the invitation.
    idp.set_mode(json!({"email": email("intruder")})).await;
    let start = format!("/auth/google?workspacePersonalInviteToken={secret}");
    assert_refused(
        &browser_login(&api.state, &start).await,
        "invitation is invalid",
    );

    // The invitee signs up with Google, joins A, and the invitation is used up.
    idp.set_mode(json!({"email": invitee})).await;
    let done = browser_login(&api.state, &start).await;
    assert_eq!(done.base, a.url, "{done:?}");
    let login = done.login_token.expect("login token");
    assert_eq!(claims(&login)["authProvider"], "google");
    let access = access_from_login(&api, &login, &a.url).await;
    let me = ok(&api
        .meta(
            Some(&access),
            "{ currentUser { email hasPassword } }",
            json!({}),
        )
        .await);
    assert_eq!(me["currentUser"]["email"], invitee.as_str());
    assert_eq!(me["currentUser"]["hasPassword"], false);
    assert_refused(
        &browser_login(&api.state, &start).await,
        "invitation is invalid",
    );

    // Now a member: plain Google sign-in works.
    let again = browser_login(&api.state, "/auth/google").await;
    assert!(again.login_token.is_some(), "{again:?}");
}
both_idp!(google_with_invitation, social);

async fn social_disabled(state: AppState, _idp: OidcIdp) {
    let v = verify(&app_get(&state, "/auth/google").await);
    assert_refused(&v, "Google sign-in is not enabled");
    let v = verify(&app_get(&state, "/auth/microsoft/redirect?code=x&state=y").await);
    assert_refused(&v, "Microsoft sign-in is not enabled");
}
both_idp!(social_disabled, plain);
