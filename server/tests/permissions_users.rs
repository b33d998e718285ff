//! Roles of signed-in users, end to end: the creator of a workspace is its Admin; a user's
//! access token acts with the role of the user's workspace member, read on every request (a
//! role change applies at once); a user cannot change their own role; another workspace's user
//! sees none of it. On SQLite and PostgreSQL.

mod accounts_support;
mod common;

use accounts_support::{Api, message, ok, str_of};
use serde_json::json;
use tessera_server::{AppState, AuthConfig};

fn defaults() -> AuthConfig {
    AuthConfig::default()
}

const ME: &str = "{ currentUser { workspaceMember { id userWorkspaceId roles { label } } } }";

async fn user_sessions_follow_the_member_role(state: AppState) {
    let api = Api {
        state: state.clone(),
    };
    let owner = api.member_with_workspace("owner").await;
    let token = Some(owner.access.as_str());

    // The creator is Admin: settings and records.
    let me = ok(&api.meta(token, ME, json!({})).await);
    let member = &me["currentUser"]["workspaceMember"];
    assert_eq!(member["roles"], json!([{"label": "Admin"}]), "{me}");
    assert!(member["userWorkspaceId"].is_string(), "{me}");
    let member_id = str_of(&member["id"]);
    let roles = ok(&api
        .meta(
            token,
            "{ getRoles { id label workspaceMembers { id } } }",
            json!({}),
        )
        .await);
    let admin = roles["getRoles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["label"] == "Admin")
        .cloned()
        .expect("Admin");
    assert_eq!(admin["workspaceMembers"], json!([{"id": member_id}]));
    ok(&api
        .gql(
            token,
            r#"mutation { createCompany(data: {name: "Acme"}) { id } }"#,
            json!({}),
        )
        .await);

    // Nobody changes their own role (Twenty's CANNOT_UPDATE_SELF_ROLE).
    let member_role = roles["getRoles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["label"] == "Member")
        .map(|r| str_of(&r["id"]))
        .expect("Member");
    let r = api
        .meta(
            token,
            "mutation($m: UUID!, $r: UUID!) { updateWorkspaceMemberRole(workspaceMemberId: $m, roleId: $r) { id } }",
            json!({"m": member_id, "r": member_role}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"), "{}", r.body);
    assert_eq!(message(&r), "Cannot update self role");

    // A read-only role given to the member (as another admin would) applies to the very next
    // request of the same access token.
    let r = ok(&api
        .meta(
            token,
            "mutation { createOneRole(createRoleInput: {label: \"Viewer\", canReadAllObjectRecords: true}) { id } }",
            json!({}),
        )
        .await);
    let viewer = str_of(&r["createOneRole"]["id"]);
    let ws: tessera_core::WorkspaceId = owner.workspace_id.parse().expect("workspace id");
    state
        .store()
        .assign_role_to_workspace_member(
            ws,
            member_id.parse().expect("uuid"),
            viewer.parse().expect("uuid"),
        )
        .await
        .expect("assign");
    let r = api
        .gql(
            token,
            r#"mutation { createCompany(data: {name: "Nope"}) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"), "{}", r.body);
    assert!(
        message(&r).contains("update object \"company\""),
        "{}",
        r.body
    );
    let companies = ok(&api
        .gql(
            token,
            "{ companies { edges { node { name } } } }",
            json!({}),
        )
        .await);
    assert_eq!(
        companies["companies"]["edges"],
        json!([{"node": {"name": "Acme"}}])
    );
    let r = api.meta(token, "{ getRoles { id } }", json!({})).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"), "{}", r.body);
    assert_eq!(message(&r), "User does not have permission");
    let me = ok(&api.meta(token, ME, json!({})).await);
    assert_eq!(
        me["currentUser"]["workspaceMember"]["roles"],
        json!([{"label": "Viewer"}])
    );

    // Another workspace's user is Admin of their own workspace only.
    let other = api.member_with_workspace("other").await;
    let theirs = ok(&api
        .meta(Some(&other.access), "{ getRoles { id label } }", json!({}))
        .await);
    assert!(!theirs.to_string().contains(&viewer), "{theirs}");
    let companies = ok(&api
        .gql(
            Some(&other.access),
            "{ companies { edges { node { name } } } }",
            json!({}),
        )
        .await);
    assert_eq!(companies["companies"]["edges"], json!([]));
    let r = api
        .meta(
            Some(&other.access),
            "mutation($m: UUID!, $r: UUID!) { updateWorkspaceMemberRole(workspaceMemberId: $m, roleId: $r) { id } }",
            json!({"m": member_id, "r": viewer}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("NOT_FOUND"), "{}", r.body);
}

both_with!(user_sessions_follow_the_member_role, defaults);
