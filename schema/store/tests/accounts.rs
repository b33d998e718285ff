//! Accounts storage on SQLite and PostgreSQL: case-insensitive unique e-mails, pending →
//! active workspaces (a failed activation leaves the workspace pending and retryable),
//! memberships and member records, single-use tokens (also under concurrency), password
//! reset in one transaction.

mod common;

use chrono::{Duration, Utc};
use tessera_store::{AppTokenType, NewAppToken, NewUser, Store, StoreError};

fn unique(name: &str) -> String {
    format!("{name}-{}@Example.com", uuid::Uuid::new_v4().simple())
}

async fn user(store: &Store, email: &str) -> tessera_store::UserRecord {
    store
        .create_user(NewUser {
            email,
            first_name: "Ada",
            last_name: "Lovelace",
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
            locale: "en",
        })
        .await
        .expect("user")
}

async fn users_and_workspaces(store: Store) {
    let email = unique("ada");
    let ada = user(&store, &email).await;
    assert_eq!(ada.email, email.to_lowercase());
    let again = store
        .create_user(NewUser {
            email: &email.to_uppercase(),
            first_name: "",
            last_name: "",
            password_hash: None,
            locale: "en",
        })
        .await;
    assert!(matches!(again, Err(StoreError::UserExists)), "{again:?}");
    let found = store
        .user_by_email(&email.to_uppercase())
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found.id, ada.id);
    assert!(
        !format!("{found:?}").contains("argon2id"),
        "Debug shows the hash"
    );

    // A pending workspace has a membership but no storage.
    let sub = format!("acme-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let (ws, membership) = store
        .create_pending_workspace("Acme", &sub, &ada)
        .await
        .expect("pending");
    assert_eq!(ws.activation_status, "PENDING_CREATION");
    assert!(matches!(
        store.metadata_version(ws.id).await,
        Err(StoreError::WorkspaceNotFound(_))
    ));
    let taken = store.create_pending_workspace("Other", &sub, &ada).await;
    assert!(
        matches!(taken, Err(StoreError::SubdomainTaken)),
        "{taken:?}"
    );
    assert_eq!(
        store
            .workspace_by_subdomain(&sub.to_uppercase())
            .await
            .expect("by subdomain")
            .map(|w| w.id),
        Some(ws.id)
    );

    // Invalid metadata: nothing is created and the workspace stays pending (retryable).
    let mut objects = tessera_metadata::standard::standard_objects();
    let duplicate = objects[0].clone();
    objects.push(duplicate);
    assert!(store.activate_workspace(ws.id, objects).await.is_err());
    assert_eq!(
        store
            .workspace(ws.id)
            .await
            .expect("read")
            .expect("exists")
            .activation_status,
        "PENDING_CREATION"
    );
    let active = store
        .activate_workspace(ws.id, tessera_metadata::standard::standard_objects())
        .await
        .expect("activate");
    assert_eq!(active.activation_status, "ACTIVE");
    let twice = store
        .activate_workspace(ws.id, tessera_metadata::standard::standard_objects())
        .await;
    assert!(
        matches!(twice, Err(StoreError::WorkspaceActivation(_))),
        "{twice:?}"
    );
    let profile = store
        .workspace_member_profile(ws.id, membership.workspace_member_id)
        .await
        .expect("profile")
        .expect("member record");
    assert_eq!(profile.user_email, ada.email);
    assert_eq!(profile.first_name, "Ada");

    // A second member joins; a third workspace knows neither.
    let bob = user(&store, &unique("bob")).await;
    let joined = store.add_workspace_member(ws.id, &bob).await.expect("join");
    assert!(matches!(
        store.add_workspace_member(ws.id, &bob).await,
        Err(StoreError::AlreadyMember)
    ));
    assert!(
        store
            .workspace_member_profile(ws.id, joined.workspace_member_id)
            .await
            .expect("profile")
            .is_some()
    );
    assert_eq!(
        store
            .workspace_memberships(ws.id)
            .await
            .expect("list")
            .len(),
        2
    );
    let other = store
        .create_workspace("Other", tessera_metadata::standard::standard_objects())
        .await
        .expect("other");
    assert!(
        store
            .user_workspace(bob.id, other)
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .workspace_member_profile(other, joined.workspace_member_id)
            .await
            .expect("profile")
            .is_none()
    );
}
both!(users_and_workspaces);

async fn tokens_are_single_use(store: Store) {
    let ada = user(&store, &unique("ada")).await;
    let family = uuid::Uuid::new_v4();
    let refresh = |family| NewAppToken {
        token_type: AppTokenType::RefreshToken,
        user_id: Some(ada.id),
        workspace_id: None,
        value_hash: None,
        family_id: Some(family),
        context: None,
        expires_at: Utc::now() + Duration::days(1),
    };
    let a = store.create_app_token(refresh(family)).await.expect("a");
    let b = store.create_app_token(refresh(family)).await.expect("b");
    let other = store
        .create_app_token(refresh(uuid::Uuid::new_v4()))
        .await
        .expect("other");

    // Concurrent uses of one token: exactly one wins.
    let (x, y) = tokio::join!(store.consume_app_token(a.id), store.consume_app_token(a.id));
    assert_eq!(
        [x.expect("x"), y.expect("y")]
            .iter()
            .filter(|used| **used)
            .count(),
        1
    );
    assert_eq!(store.revoke_token_family(family).await.expect("revoke"), 1);
    assert!(!store.consume_app_token(b.id).await.expect("b"));
    assert!(
        store
            .consume_app_token(other.id)
            .await
            .expect("other family")
    );

    // Expired tokens cannot be used.
    let expired = store
        .create_app_token(NewAppToken {
            expires_at: Utc::now() - Duration::seconds(1),
            ..refresh(uuid::Uuid::new_v4())
        })
        .await
        .expect("expired");
    assert!(!store.consume_app_token(expired.id).await.expect("expired"));

    // Password reset: one transaction, once; it revokes the user's refresh tokens.
    let live = store
        .create_app_token(refresh(uuid::Uuid::new_v4()))
        .await
        .expect("live");
    store
        .create_app_token(NewAppToken {
            token_type: AppTokenType::PasswordResetToken,
            value_hash: Some("feedface"),
            family_id: None,
            ..refresh(family)
        })
        .await
        .expect("reset token");
    assert!(
        store
            .usable_app_token_by_hash(AppTokenType::PasswordResetToken, "feedface")
            .await
            .expect("lookup")
            .is_some()
    );
    let reset = store
        .reset_password_with_token("feedface", "new-hash")
        .await
        .expect("reset");
    assert_eq!(reset, Some(ada.id));
    assert_eq!(
        store
            .user(ada.id)
            .await
            .expect("user")
            .expect("exists")
            .password_hash
            .as_deref(),
        Some("new-hash")
    );
    assert!(
        !store
            .consume_app_token(live.id)
            .await
            .expect("revoked by the reset")
    );
    assert_eq!(
        store
            .reset_password_with_token("feedface", "other")
            .await
            .expect("again"),
        None
    );
}
both!(tokens_are_single_use);
