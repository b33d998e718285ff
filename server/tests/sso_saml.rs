//! SAML 2.0 login end to end, on SQLite and PostgreSQL, against real local `saml-idp`
//! processes (`tests/sso-peers`): SP metadata, AuthnRequest (HTTP-Redirect) → the IdP's
//! sign-in form → its signed `SAMLResponse` (HTTP-POST) → `/auth/saml/callback/{id}` →
//! `/verify?loginToken=` → access token that works on `/graphql`. Refused: replayed,
//! unsigned, tampered, signed by another key, for another audience, for another destination,
//! expired, not yet valid, posted to another provider's ACS, garbage, and an inactive
//! provider; a provider of workspace A never logs anyone into workspace B.

mod accounts_support;
mod common;
mod sso_support;

use accounts_support::{Api, email, ok, str_of};
use serde_json::json;
use sso_support::saml::{
    IdpKey, SamlIdp, SamlIdpOptions, decode, encode, post_response, strip_signatures,
};
use sso_support::{access_from_login, app_get, claims, path_and_query, set_status, verify};
use tessera_server::AppState;
use uuid::Uuid;

const ISSUER: &str = "urn:tessera-test:idp";
const SERVER: &str = "http://localhost:3000";

fn entity(id: Uuid) -> String {
    format!("{SERVER}/auth/saml/login/{id}")
}

fn acs(id: Uuid) -> String {
    format!("{SERVER}/auth/saml/callback/{id}")
}

async fn create_saml(api: &Api, access: &str, id: Uuid, sso_url: &str, cert: &str) {
    let r = api
        .meta(
            Some(access),
            "mutation($i: SetupSAMLSsoInput!) { createSAMLIdentityProvider(input: $i) { id type issuer name status } }",
            json!({"i": {"id": id, "name": "Test SAML", "issuer": ISSUER, "ssoURL": sso_url, "certificate": cert, "fingerprint": null}}),
        )
        .await;
    let out = &ok(&r)["createSAMLIdentityProvider"];
    assert_eq!(out["id"], id.to_string().as_str());
    assert_eq!(out["type"], "SAML");
    assert_eq!(out["status"], "Active");
}

fn refused(url: &str, needle: &str) {
    let v = verify(url);
    assert_eq!(v.login_token, None, "{v:?}");
    assert!(
        v.error.as_deref().unwrap_or("").contains(needle),
        "expected \"{needle}\" in {v:?}"
    );
}

async fn start(api: &Api, id: Uuid) -> String {
    app_get(&api.state, &format!("/auth/saml/login/{id}")).await
}

async fn saml_login(state: AppState) {
    let api = Api { state };
    let a = api.member_with_workspace("saml-acme").await;
    let b = api.member_with_workspace("saml-globex").await;
    let dir = tempfile::tempdir().expect("tmp");
    let key = IdpKey::generate(dir.path(), "idp");
    let id = Uuid::new_v4();
    let idp = SamlIdp::start(SamlIdpOptions {
        key: &key,
        issuer: ISSUER,
        audience: &entity(id),
        acs_url: &acs(id),
        fixed_acs: false,
        clock_offset_seconds: 0,
    })
    .await;
    let sso_url = format!("{}/saml/sso", idp.base);
    create_saml(&api, &a.access, id, &sso_url, &key.cert_pem).await;

    // A bad certificate is refused at creation; another workspace's provider id too.
    let r = api
        .meta(
            Some(&b.access),
            "mutation($i: SetupSAMLSsoInput!) { createSAMLIdentityProvider(input: $i) { id } }",
            json!({"i": {"id": Uuid::new_v4(), "name": "x", "issuer": ISSUER, "ssoURL": sso_url, "certificate": "not a certificate"}}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("BAD_USER_INPUT"));
    let r = api
        .meta(
            Some(&b.access),
            "mutation($i: SetupSAMLSsoInput!) { createSAMLIdentityProvider(input: $i) { id } }",
            json!({"i": {"id": id, "name": "x", "issuer": ISSUER, "ssoURL": sso_url, "certificate": key.cert_pem}}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("CONFLICT"));

    // SP metadata.
    let reply = common::send(
        &api.state,
        axum::http::Request::get(format!("/auth/saml/metadata/{id}"))
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200);
    assert!(
        reply.body.contains(&format!("entityID=\"{}\"", entity(id))),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("WantAssertionsSigned=\"true\""),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains(&format!("Location=\"{}\"", acs(id))),
        "{}",
        reply.body
    );

    // The public authorization URL points at the login route.
    let r = api
        .meta(
            None,
            "mutation($i: GetAuthorizationUrlForSSOInput!) { getAuthorizationUrlForSSO(input: $i) { id type authorizationURL } }",
            json!({"i": {"identityProviderId": id}}),
        )
        .await;
    let out = ok(&r)["getAuthorizationUrlForSSO"].clone();
    assert_eq!(out["type"], "SAML");
    assert_eq!(out["authorizationURL"], entity(id).as_str());

    // A new user signs in: created, joins A only, gets a working token.
    let user = email("saml-user");
    let authn = start(&api, id).await;
    assert!(authn.starts_with(&sso_url), "{authn}");
    assert!(authn.contains("SAMLRequest="), "{authn}");
    let (action, response) = idp.sign_in(&authn, &user).await;
    assert_eq!(action, acs(id));
    let done = verify(&post_response(&api.state, &path_and_query(&action), &response).await);
    assert_eq!(done.error, None, "{done:?}");
    assert_eq!(done.base, a.url);
    let login = done.login_token.expect("login token");
    let c = claims(&login);
    assert_eq!(c["sub"], user.as_str());
    assert_eq!(c["authProvider"], "sso");
    assert_eq!(c["workspaceId"], a.workspace_id.as_str());
    let r = api.exchange_reply(&login, &b.url).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    let access = access_from_login(&api, &login, &a.url).await;
    assert_eq!(claims(&access)["workspaceId"], a.workspace_id.as_str());
    let me = ok(&api
        .meta(
            Some(&access),
            "{ currentUser { email workspaces { id } } }",
            json!({}),
        )
        .await);
    assert_eq!(
        me["currentUser"]["workspaces"].as_array().map(Vec::len),
        Some(1)
    );

    // Replayed: the same response again.
    refused(
        &post_response(&api.state, &path_and_query(&action), &response).await,
        "invalid or has expired",
    );

    // Unsigned and tampered copies of fresh responses.
    let (_, fresh) = idp.sign_in(&start(&api, id).await, &user).await;
    let unsigned = encode(&strip_signatures(&decode(&fresh)));
    refused(
        &post_response(&api.state, &path_and_query(&action), &unsigned).await,
        "not signed",
    );
    let (_, fresh) = idp.sign_in(&start(&api, id).await, &user).await;
    let tampered = encode(&decode(&fresh).replace(&user, &a.email));
    assert_ne!(tampered, fresh);
    refused(
        &post_response(&api.state, &path_and_query(&action), &tampered).await,
        "not signed",
    );

    // Posted to another provider's ACS (workspace B's provider trusting the same IdP).
    let other = Uuid::new_v4();
    create_saml(&api, &b.access, other, &sso_url, &key.cert_pem).await;
    let (_, for_a) = idp.sign_in(&start(&api, id).await, &user).await;
    refused(
        &post_response(&api.state, &format!("/auth/saml/callback/{other}"), &for_a).await,
        "another identity provider",
    );
    let r = api
        .meta(
            Some(&b.access),
            "{ currentUser { workspaces { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r)["currentUser"]["workspaces"].as_array().map(Vec::len),
        Some(1)
    );

    // Garbage and no response.
    refused(
        &post_response(&api.state, &path_and_query(&action), "bm90IHhtbA==").await,
        "unreadable",
    );
    refused(
        &post_response(&api.state, &path_and_query(&action), "%%%").await,
        "unreadable",
    );

    // Inactive: the login route and a response issued before deactivation are refused.
    let (_, before) = idp.sign_in(&start(&api, id).await, &user).await;
    ok(&set_status(&api, &a.access, &id.to_string(), "Inactive").await);
    refused(&start(&api, id).await, "not active");
    refused(
        &post_response(&api.state, &path_and_query(&action), &before).await,
        "not active",
    );
    ok(&set_status(&api, &a.access, &id.to_string(), "Active").await);
    let (_, after) = idp.sign_in(&start(&api, id).await, &user).await;
    let v = verify(&post_response(&api.state, &path_and_query(&action), &after).await);
    assert!(v.login_token.is_some(), "{v:?}");
    let listed = ok(&api
        .meta(
            Some(&b.access),
            "{ getSSOIdentityProviders { id type } }",
            json!({}),
        )
        .await);
    assert_eq!(
        listed["getSSOIdentityProviders"],
        json!([{"id": other.to_string(), "type": "SAML"}])
    );
    str_of(&listed["getSSOIdentityProviders"][0]["id"]);
}
both!(saml_login);

async fn saml_misaddressed(state: AppState) {
    let api = Api { state };
    let a = api.member_with_workspace("saml-initech").await;
    let dir = tempfile::tempdir().expect("tmp");
    let key = IdpKey::generate(dir.path(), "idp");
    let rogue_key = IdpKey::generate(dir.path(), "rogue");
    let id = Uuid::new_v4();
    let good = SamlIdpOptions {
        key: &key,
        issuer: ISSUER,
        audience: &entity(id),
        acs_url: &acs(id),
        fixed_acs: false,
        clock_offset_seconds: 0,
    };
    let idp = SamlIdp::start(SamlIdpOptions { ..good }).await;
    create_saml(
        &api,
        &a.access,
        id,
        &format!("{}/saml/sso", idp.base),
        &key.cert_pem,
    )
    .await;
    let user = email("saml-victim");
    let acs_path = format!("/auth/saml/callback/{id}");

    let cases: [(SamlIdpOptions<'_>, &str); 5] = [
        (
            SamlIdpOptions {
                audience: "urn:someone-else",
                ..good
            },
            "another audience",
        ),
        (
            SamlIdpOptions {
                acs_url: "http://evil.example/acs",
                fixed_acs: true,
                ..good
            },
            "another destination",
        ),
        (
            SamlIdpOptions {
                clock_offset_seconds: -7200,
                ..good
            },
            "expired",
        ),
        (
            SamlIdpOptions {
                clock_offset_seconds: 7200,
                ..good
            },
            "not valid yet",
        ),
        (
            SamlIdpOptions {
                key: &rogue_key,
                ..good
            },
            "not signed",
        ),
    ];
    for (options, needle) in cases {
        let bad = SamlIdp::start(options).await;
        let (_, response) = bad.sign_in(&start(&api, id).await, &user).await;
        refused(
            &post_response(&api.state, &acs_path, &response).await,
            needle,
        );
    }

    // Nobody was created by the refused responses; the well-configured IdP still works.
    assert!(
        api.state
            .store()
            .user_by_email(&user)
            .await
            .expect("user")
            .is_none()
    );
    let (_, response) = idp.sign_in(&start(&api, id).await, &user).await;
    let v = verify(&post_response(&api.state, &acs_path, &response).await);
    access_from_login(&api, &v.login_token.expect("login token"), &a.url).await;
}
both!(saml_misaddressed);
