//! SSO storage on SQLite and PostgreSQL: identity providers are per workspace (another
//! workspace cannot list, change or delete them), login states work once and expire, SAML
//! assertion ids are accepted once (also under concurrency).

mod common;

use chrono::{Duration, Utc};
use tessera_store::{NewSsoLoginState, NewSsoProvider, SsoProviderKind, SsoProviderStatus, Store};
use uuid::Uuid;

async fn providers_are_per_workspace(store: Store) {
    let a = store.create_workspace("A", Vec::new()).await.expect("a");
    let b = store.create_workspace("B", Vec::new()).await.expect("b");
    let id = Uuid::new_v4();
    let created = store
        .create_sso_provider(NewSsoProvider {
            id,
            workspace_id: a,
            name: "Okta",
            kind: SsoProviderKind::Oidc,
            issuer: "https://idp.example",
            client_id: Some("client"),
            client_secret: Some("top-secret"),
            sso_url: None,
            certificate: None,
            fingerprint: None,
        })
        .await
        .expect("create");
    assert_eq!(created.status, SsoProviderStatus::Active);
    assert_eq!(created.client_secret.as_deref(), Some("top-secret"));
    assert!(!format!("{created:?}").contains("top-secret"));
    assert_eq!(
        store.workspace_sso_providers(a).await.expect("list").len(),
        1
    );
    assert!(
        store
            .workspace_sso_providers(b)
            .await
            .expect("list")
            .is_empty()
    );

    // B cannot change or delete A's provider.
    assert!(
        store
            .set_sso_provider_status(b, id, SsoProviderStatus::Inactive)
            .await
            .expect("set")
            .is_none()
    );
    assert!(!store.delete_sso_provider(b, id).await.expect("delete"));
    let p = store
        .sso_provider(id)
        .await
        .expect("get")
        .expect("still there");
    assert_eq!(p.status, SsoProviderStatus::Active);

    let p = store
        .set_sso_provider_status(a, id, SsoProviderStatus::Inactive)
        .await
        .expect("set")
        .expect("updated");
    assert_eq!(p.status, SsoProviderStatus::Inactive);
    assert!(store.delete_sso_provider(a, id).await.expect("delete"));
    assert!(store.sso_provider(id).await.expect("get").is_none());
}
both!(providers_are_per_workspace);

fn state<'a>(key: &'a str, expires_in: Duration) -> NewSsoLoginState<'a> {
    NewSsoLoginState {
        state_key: key,
        kind: "oidc",
        identity_provider_id: Some(Uuid::new_v4()),
        nonce: Some("nonce"),
        pkce_verifier: Some("verifier"),
        saml_request_id: None,
        context: Some(serde_json::json!({"workspaceId": null})),
        expires_at: Utc::now() + expires_in,
    }
}

async fn login_states_work_once(store: Store) {
    let key = format!("key-{}", Uuid::new_v4());
    store
        .create_sso_login_state(state(&key, Duration::minutes(10)))
        .await
        .expect("create");
    let taken = store
        .take_sso_login_state(&key)
        .await
        .expect("take")
        .expect("first take");
    assert_eq!(taken.nonce.as_deref(), Some("nonce"));
    assert_eq!(taken.pkce_verifier.as_deref(), Some("verifier"));
    assert!(!format!("{taken:?}").contains("verifier"));
    assert!(
        store
            .take_sso_login_state(&key)
            .await
            .expect("take")
            .is_none()
    );

    // Expired states are refused.
    let old = format!("old-{}", Uuid::new_v4());
    store
        .create_sso_login_state(state(&old, Duration::seconds(-1)))
        .await
        .expect("create");
    assert!(
        store
            .take_sso_login_state(&old)
            .await
            .expect("take")
            .is_none()
    );

    // Concurrent takes: exactly one wins.
    let key = format!("race-{}", Uuid::new_v4());
    store
        .create_sso_login_state(state(&key, Duration::minutes(10)))
        .await
        .expect("create");
    let takes = futures_util::future::join_all((0..4).map(|_| {
        let store = store.clone();
        let key = key.clone();
        async move { store.take_sso_login_state(&key).await.expect("take") }
    }))
    .await;
    assert_eq!(takes.iter().filter(|t| t.is_some()).count(), 1);
}
both!(login_states_work_once);

async fn assertions_are_accepted_once(store: Store) {
    let provider = Uuid::new_v4();
    let other = Uuid::new_v4();
    let id = format!("_assertion-{}", Uuid::new_v4());
    let until = Utc::now() + Duration::hours(1);
    let results = futures_util::future::join_all((0..4).map(|_| {
        let store = store.clone();
        let id = id.clone();
        async move {
            store
                .record_saml_assertion(provider, &id, until)
                .await
                .expect("record")
        }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| **r).count(), 1, "{results:?}");
    assert!(
        !store
            .record_saml_assertion(provider, &id, until)
            .await
            .expect("record")
    );
    // Ids are per provider.
    assert!(
        store
            .record_saml_assertion(other, &id, until)
            .await
            .expect("record")
    );
}
both!(assertions_are_accepted_once);
