//! Managing roles and API keys through `/metadata`: the settings guards (`DATA_MODEL`,
//! `ROLES`, `API_KEYS_AND_WEBHOOKS`), default roles that cannot change, changes that apply on
//! the next request, key revocation and expiry, role assignment to keys and workspace members
//! (a member's session gets its role), and tenant isolation of roles and keys. On SQLite and
//! PostgreSQL.

mod common;
mod permissions_support;

use std::sync::Arc;

use serde_json::json;
use tessera_core::{Actor, CodedError, ErrorCode, Session};
use tessera_query::{Operation, RecordInput, RecordSelection};
use tessera_server::AppState;

use permissions_support::{ok, refused, setup};

const CREATE_OBJECT: &str =
    "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { nameSingular } }";

fn rocket(n: u32) -> serde_json::Value {
    json!({"input": {"object": {"nameSingular": format!("rocket{n}"), "namePlural": format!("rockets{n}"),
        "labelSingular": format!("Rocket {n}"), "labelPlural": format!("Rockets {n}")}}})
}

async fn guards_and_default_roles(state: AppState) {
    let s = setup(&state, "A").await;
    let (_, member) = s.key(&s.role("Member"), "member").await;

    // Member: all data, no settings. Twenty's exact refusal (data-model.integration-spec.ts).
    let r = member.meta(CREATE_OBJECT, rocket(1)).await;
    assert_eq!(r["data"], json!(null), "{r}");
    assert_eq!(
        r["errors"][0]["message"],
        json!("User does not have permission")
    );
    assert_eq!(r["errors"][0]["extensions"]["code"], json!("FORBIDDEN"));
    for query in ["{ getRoles { id } }", "{ apiKeys { id } }"] {
        refused(
            &member.meta(query, json!({})).await,
            "FORBIDDEN",
            "User does not have permission",
        );
    }
    let r = member
        .meta(
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }",
            json!({"i": {"name": "x", "expiresAt": "2099-01-01T00:00:00Z", "roleId": s.role("Admin")}}),
        )
        .await;
    refused(&r, "FORBIDDEN", "User does not have permission");
    // Reading the data model needs no flag.
    ok(&member
        .meta("{ objects { edges { node { id } } } }", json!({}))
        .await);

    // A custom role with just DATA_MODEL may change the data model, not roles.
    let r = s
        .admin
        .meta(
            "mutation($i: UpsertPermissionFlagsInput!) { upsertPermissionFlags(upsertPermissionFlagsInput: $i) { roleId flag } }",
            json!({"i": {"roleId": s.role("No destroy"), "permissionFlagKeys": ["DATA_MODEL"]}}),
        )
        .await;
    assert_eq!(
        ok(&r)["upsertPermissionFlags"],
        json!([{"roleId": s.role("No destroy"), "flag": "DATA_MODEL"}])
    );
    let (_, modeller) = s.key(&s.role("No destroy"), "modeller").await;
    assert_eq!(
        ok(&modeller.meta(CREATE_OBJECT, rocket(2)).await)["createOneObject"]["nameSingular"],
        json!("rocket2")
    );
    refused(
        &modeller.meta("{ getRoles { id } }", json!({})).await,
        "FORBIDDEN",
        "User does not have permission",
    );
    let r = s
        .admin
        .meta(
            "mutation($i: UpsertPermissionFlagsInput!) { upsertPermissionFlags(upsertPermissionFlagsInput: $i) { flag } }",
            json!({"i": {"roleId": s.role("No destroy"), "permissionFlagKeys": ["NOT_A_FLAG"]}}),
        )
        .await;
    refused(&r, "BAD_USER_INPUT", "NOT_A_FLAG");
    // Flags are replaced: an empty list takes DATA_MODEL away on the next request.
    let r = s
        .admin
        .meta(
            "mutation($i: UpsertPermissionFlagsInput!) { upsertPermissionFlags(upsertPermissionFlagsInput: $i) { flag } }",
            json!({"i": {"roleId": s.role("No destroy"), "permissionFlagKeys": []}}),
        )
        .await;
    assert_eq!(ok(&r)["upsertPermissionFlags"], json!([]));
    refused(
        &modeller.meta(CREATE_OBJECT, rocket(3)).await,
        "FORBIDDEN",
        "User does not have permission",
    );

    // Default roles cannot change or go; labels are unique.
    let r = s
        .admin
        .meta(
            "mutation($i: UpdateRoleInput!) { updateOneRole(updateRoleInput: $i) { id } }",
            json!({"i": {"id": s.role("Admin"), "update": {"label": "Boss"}}}),
        )
        .await;
    refused(&r, "FORBIDDEN", "Role is not editable");
    let r = s
        .admin
        .meta(
            "mutation($id: UUID!) { deleteOneRole(roleId: $id) }",
            json!({"id": s.role("Member")}),
        )
        .await;
    refused(&r, "FORBIDDEN", "Role is not editable");
    let r = s
        .admin
        .meta(
            "mutation { createOneRole(createRoleInput: {label: \"Admin\"}) { id } }",
            json!({}),
        )
        .await;
    refused(&r, "FORBIDDEN", "A role with this label already exists");
    let r = s
        .admin
        .meta(
            "mutation($i: UpsertObjectPermissionsInput!) { upsertObjectPermissions(upsertObjectPermissionsInput: $i) { objectMetadataId } }",
            json!({"i": {"roleId": s.role("Member"), "objectPermissions": [{"objectMetadataId": s.person_object, "canReadObjectRecords": false}]}}),
        )
        .await;
    refused(&r, "FORBIDDEN", "Role is not editable");

    // A custom role's changes apply on the next request.
    let (_, reader) = s.key(&s.role("Read only"), "reader").await;
    ok(&reader.gql("{ people { totalCount } }").await);
    let r = s
        .admin
        .meta(
            "mutation($i: UpdateRoleInput!) { updateOneRole(updateRoleInput: $i) { label canReadAllObjectRecords } }",
            json!({"i": {"id": s.role("Read only"), "update": {"label": "Nothing", "canReadAllObjectRecords": false}}}),
        )
        .await;
    assert_eq!(
        ok(&r)["updateOneRole"],
        json!({"label": "Nothing", "canReadAllObjectRecords": false})
    );
    refused(
        &reader.gql("{ people { totalCount } }").await,
        "FORBIDDEN",
        "read object \"person\"",
    );
    refused(
        &reader.gql("{ companies { totalCount } }").await,
        "FORBIDDEN",
        "read object \"company\"",
    );
    let r = s
        .admin
        .meta(
            "{ getRoles { label isEditable agents { id } rowLevelPermissionPredicates { id } objectPermissions { objectMetadataId restrictedFields } fieldPermissions { fieldMetadataId canReadFieldValue } apiKeys { name } } }",
            json!({}),
        )
        .await;
    let roles = ok(&r)["getRoles"].as_array().expect("roles").clone();
    let labels: Vec<&str> = roles.iter().filter_map(|r| r["label"].as_str()).collect();
    assert_eq!(
        labels[..2],
        ["Admin", "Member"],
        "default roles first: {labels:?}"
    );
    let no_city = roles
        .iter()
        .find(|r| r["label"] == "No city")
        .expect("No city");
    assert_eq!(
        no_city["fieldPermissions"],
        json!([{"fieldMetadataId": s.city_field, "canReadFieldValue": false}])
    );
    assert_eq!(no_city["agents"], json!([]), "Tessera has no agents");
    assert_eq!(no_city["rowLevelPermissionPredicates"], json!([]));
    let no_people = roles
        .iter()
        .find(|r| r["label"] == "No people")
        .expect("No people");
    assert_eq!(
        no_people["objectPermissions"][0]["objectMetadataId"],
        json!(s.person_object)
    );
    let nothing = roles
        .iter()
        .find(|r| r["label"] == "Nothing")
        .expect("Nothing");
    assert_eq!(nothing["apiKeys"], json!([{"name": "reader"}]));
    let admin_role = roles.iter().find(|r| r["label"] == "Admin").expect("Admin");
    assert_eq!(
        admin_role["apiKeys"],
        json!([{"name": "Default"}]),
        "a key without a role acts as Admin"
    );

    // Deleting a custom role moves its keys to the default role (Member: all records).
    let r = s
        .admin
        .meta(
            "mutation($id: UUID!) { deleteOneRole(roleId: $id) }",
            json!({"id": s.role("Read only")}),
        )
        .await;
    assert_eq!(ok(&r)["deleteOneRole"], json!(s.role("Read only")));
    ok(&reader.gql("{ people { totalCount } }").await);
    let r = s.admin.meta("{ getRoles { id } }", json!({})).await;
    assert!(!ok(&r).to_string().contains(&s.role("Read only")));
}

async fn api_keys(state: AppState) {
    let s = setup(&state, "A").await;
    let (key_id, key) = s.key(&s.role("Read only"), "ops").await;
    refused(
        &key.gql(r#"mutation { createCompany(data: {name: "X"}) { id } }"#)
            .await,
        "FORBIDDEN",
        "update object \"company\"",
    );

    // assignRoleToApiKey: the next request acts with the new role.
    let r = s
        .admin
        .meta(
            "mutation($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
            json!({"k": key_id, "r": s.role("No destroy")}),
        )
        .await;
    assert_eq!(ok(&r)["assignRoleToApiKey"], json!(true));
    ok(&key
        .gql(r#"mutation { createCompany(data: {name: "X"}) { id } }"#)
        .await);
    let r = s
        .admin
        .meta(
            "query($i: GetApiKeyInput!) { apiKey(input: $i) { name role { label } revokedAt } }",
            json!({"i": {"id": key_id}}),
        )
        .await;
    assert_eq!(
        ok(&r)["apiKey"],
        json!({"name": "ops", "role": {"label": "No destroy"}, "revokedAt": null})
    );

    // updateApiKey: rename; an expiry in the past stops the key on its next request.
    let r = s
        .admin
        .meta(
            "mutation($i: UpdateApiKeyInput!) { updateApiKey(input: $i) { name } }",
            json!({"i": {"id": key_id, "name": "ops2"}}),
        )
        .await;
    assert_eq!(ok(&r)["updateApiKey"]["name"], json!("ops2"));
    let r = s
        .admin
        .meta(
            "mutation($i: UpdateApiKeyInput!) { updateApiKey(input: $i) { expiresAt } }",
            json!({"i": {"id": key_id, "expiresAt": "2020-01-01T00:00:00.000Z"}}),
        )
        .await;
    assert_eq!(
        ok(&r)["updateApiKey"]["expiresAt"],
        json!("2020-01-01T00:00:00.000Z")
    );
    refused(
        &key.gql("{ companies { totalCount } }").await,
        "UNAUTHENTICATED",
        "This API Key has expired",
    );

    // revokeApiKey: refused on the next request, listed with revokedAt.
    let (other_id, other) = s.key(&s.role("Member"), "to revoke").await;
    ok(&other.gql("{ companies { totalCount } }").await);
    let r = s
        .admin
        .meta(
            "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { id revokedAt } }",
            json!({"i": {"id": other_id}}),
        )
        .await;
    assert!(ok(&r)["revokeApiKey"]["revokedAt"].is_string(), "{r}");
    refused(
        &other.gql("{ companies { totalCount } }").await,
        "UNAUTHENTICATED",
        "This API Key is revoked",
    );
    let r = s
        .admin
        .meta("mutation($k: UUID!) { generateApiKeyToken(apiKeyId: $k, expiresAt: \"2099-01-01T00:00:00Z\") { token } }", json!({"k": other_id}))
        .await;
    refused(&r, "BAD_USER_INPUT", "This API Key is revoked");
    let r = s
        .admin
        .meta("{ apiKeys { name revokedAt role { label } } }", json!({}))
        .await;
    let keys = ok(&r)["apiKeys"].as_array().expect("keys").clone();
    assert_eq!(keys.len(), 3, "{r}");
    assert_eq!(keys[0]["name"], json!("Default"));
    assert_eq!(keys[0]["role"]["label"], json!("Admin"));
    assert!(keys[2]["revokedAt"].is_string());
    let r = s
        .admin
        .meta(
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }",
            json!({"i": {"name": "bad", "expiresAt": "tomorrow", "roleId": s.role("Member")}}),
        )
        .await;
    refused(&r, "BAD_USER_INPUT", "expiresAt");

    // Without ROLES, a key manager can only bind keys to roles no stronger than its own
    // (Twenty's API-key privilege-escalation rule).
    let r = s
        .admin
        .meta(
            "mutation { createOneRole(createRoleInput: {label: \"Keys only\", canReadAllObjectRecords: true}) { id } }",
            json!({}),
        )
        .await;
    let keys_only = ok(&r)["createOneRole"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = s
        .admin
        .meta(
            "mutation($i: UpsertPermissionFlagsInput!) { upsertPermissionFlags(upsertPermissionFlagsInput: $i) { flag } }",
            json!({"i": {"roleId": keys_only, "permissionFlagKeys": ["API_KEYS_AND_WEBHOOKS"]}}),
        )
        .await;
    ok(&r);
    let (_, manager) = s.key(&keys_only, "key manager").await;
    let create_key = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }";
    for stronger in [s.role("Admin"), s.role("Member"), s.role("No city")] {
        let r = manager
            .meta(create_key, json!({"i": {"name": "escalation", "expiresAt": "2099-01-01T00:00:00Z", "roleId": stronger}}))
            .await;
        assert_eq!(r["data"], json!(null), "{r}");
        assert_eq!(
            r["errors"][0]["message"],
            json!("User does not have permission")
        );
        assert_eq!(r["errors"][0]["extensions"]["code"], json!("FORBIDDEN"));
    }
    let r = manager
        .meta(create_key, json!({"i": {"name": "own role", "expiresAt": "2099-01-01T00:00:00Z", "roleId": keys_only}}))
        .await;
    let legit = ok(&r)["createApiKey"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = manager
        .meta(create_key, json!({"i": {"name": "weaker", "expiresAt": "2099-01-01T00:00:00Z", "roleId": s.role("Read only")}}))
        .await;
    ok(&r);
    let r = manager
        .meta(
            "mutation($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
            json!({"k": legit, "r": s.role("Admin")}),
        )
        .await;
    refused(&r, "FORBIDDEN", "User does not have permission");
    refused(
        &manager.meta("{ getRoles { id } }", json!({})).await,
        "FORBIDDEN",
        "User does not have permission",
    );

    // Tenant isolation: B's admin cannot see or touch A's roles, keys and members.
    let b = setup(&state, "B").await;
    let (b_key, _) = b.key(&b.role("Member"), "b key").await;
    let r = b
        .admin
        .meta("{ getRoles { id } apiKeys { id } }", json!({}))
        .await;
    let text = ok(&r).to_string();
    for (_, id) in &s.roles {
        assert!(!text.contains(id.as_str()), "B lists A's role {id}");
    }
    assert!(!text.contains(&key_id));
    let a_role = s.role("No city");
    let attempts = [
        (
            "mutation($i: UpdateRoleInput!) { updateOneRole(updateRoleInput: $i) { id } }",
            json!({"i": {"id": a_role, "update": {"label": "Mine"}}}),
            "NOT_FOUND",
        ),
        (
            "mutation($id: UUID!) { deleteOneRole(roleId: $id) }",
            json!({"id": a_role}),
            "NOT_FOUND",
        ),
        (
            "mutation($i: UpsertPermissionFlagsInput!) { upsertPermissionFlags(upsertPermissionFlagsInput: $i) { id } }",
            json!({"i": {"roleId": a_role, "permissionFlagKeys": ["ROLES"]}}),
            "NOT_FOUND",
        ),
        (
            "mutation($i: UpsertObjectPermissionsInput!) { upsertObjectPermissions(upsertObjectPermissionsInput: $i) { objectMetadataId } }",
            json!({"i": {"roleId": a_role, "objectPermissions": []}}),
            "NOT_FOUND",
        ),
        (
            "mutation($i: UpsertFieldPermissionsInput!) { upsertFieldPermissions(upsertFieldPermissionsInput: $i) { id } }",
            json!({"i": {"roleId": b.role("No city"), "fieldPermissions": [{"objectMetadataId": s.person_object, "fieldMetadataId": s.city_field, "canReadFieldValue": false}]}}),
            "BAD_USER_INPUT",
        ),
        (
            "mutation($i: UpsertObjectPermissionsInput!) { upsertObjectPermissions(upsertObjectPermissionsInput: $i) { objectMetadataId } }",
            json!({"i": {"roleId": b.role("No city"), "objectPermissions": [{"objectMetadataId": s.person_object, "canReadObjectRecords": true}]}}),
            "BAD_USER_INPUT",
        ),
        (
            "mutation($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
            json!({"k": key_id, "r": b.role("Member")}),
            "NOT_FOUND",
        ),
        (
            "mutation($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
            json!({"k": b_key, "r": a_role}),
            "NOT_FOUND",
        ),
        (
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }",
            json!({"i": {"name": "x", "expiresAt": "2099-01-01T00:00:00Z", "roleId": a_role}}),
            "NOT_FOUND",
        ),
        (
            "mutation($k: UUID!) { generateApiKeyToken(apiKeyId: $k, expiresAt: \"2099-01-01T00:00:00Z\") { token } }",
            json!({"k": key_id}),
            "NOT_FOUND",
        ),
    ];
    for (query, variables, code) in attempts {
        let r = b.admin.meta(query, variables).await;
        assert_eq!(
            r["errors"][0]["extensions"]["code"],
            json!(code),
            "{query}: {r}"
        );
    }
    let r = b
        .admin
        .meta(
            "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { id } } ",
            json!({"i": {"id": key_id}}),
        )
        .await;
    assert_eq!(ok(&r)["revokeApiKey"], json!(null));
    let r = b
        .admin
        .meta(
            "query($i: GetApiKeyInput!) { apiKey(input: $i) { id } }",
            json!({"i": {"id": key_id}}),
        )
        .await;
    assert_eq!(ok(&r)["apiKey"], json!(null));
    // A's role is unchanged by B's attempts.
    let r = s
        .admin
        .meta("{ getRoles { label permissionFlags { flag } } }", json!({}))
        .await;
    let no_city = ok(&r)["getRoles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["label"] == "No city")
        .cloned()
        .expect("No city");
    assert_eq!(no_city["permissionFlags"], json!([]));
}

async fn workspace_member_roles(state: AppState) {
    let s = setup(&state, "A").await;
    let r = s
        .admin
        .gql(r#"mutation { createWorkspaceMembers(data: [{name: {firstName: "Grace", lastName: "Hopper"}, userEmail: "grace@example.com"}, {name: {firstName: "Alan"}, userEmail: "alan@example.com"}]) { id userEmail } }"#)
        .await;
    let members = ok(&r)["createWorkspaceMembers"]
        .as_array()
        .expect("members")
        .clone();
    let member_of = |email: &str| {
        members
            .iter()
            .find(|m| m["userEmail"] == email)
            .and_then(|m| m["id"].as_str())
            .expect("member")
            .to_owned()
    };
    let (grace, alan) = (
        member_of("grace@example.com"),
        member_of("alan@example.com"),
    );

    let r = s
        .admin
        .meta(
            "mutation($m: UUID!, $r: UUID!) { updateWorkspaceMemberRole(workspaceMemberId: $m, roleId: $r) { id name { firstName lastName } userEmail roles { label } } }",
            json!({"m": grace, "r": s.role("Read only")}),
        )
        .await;
    assert_eq!(
        ok(&r)["updateWorkspaceMemberRole"],
        json!({"id": grace, "name": {"firstName": "Grace", "lastName": "Hopper"}, "userEmail": "grace@example.com", "roles": [{"label": "Read only"}]})
    );

    // The session of a signed-in member gets the member's role (what login will call).
    let store = state.store();
    let grace_id = grace.parse().expect("uuid");
    let permissions = store
        .workspace_member_permissions(s.ws, grace_id)
        .await
        .expect("permissions");
    assert_eq!(
        permissions.role_id.map(|r| r.to_string()),
        Some(s.role("Read only"))
    );
    let session = Session {
        workspace_id: s.ws,
        actor: Actor::User {
            user_id: uuid::Uuid::new_v4(),
            workspace_member_id: grace_id,
            name: "Grace Hopper".to_owned(),
        },
        permissions,
    };
    let model = store.workspace_model(s.ws).await.expect("model");
    let runner = store.runner(s.ws).await.expect("runner");
    let create = Operation::Create {
        object: "company".into(),
        records: vec![RecordInput(
            json!({"name": "Nope"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )],
        upsert: false,
        selection: RecordSelection::id_only(),
        many: false,
    };
    let e = tessera_query::execute(runner.as_ref(), &model, &session, &create)
        .await
        .expect_err("read-only member cannot create");
    assert_eq!(e.code(), ErrorCode::Forbidden, "{e}");
    let alan_permissions = store
        .workspace_member_permissions(s.ws, alan.parse().expect("uuid"))
        .await
        .expect("permissions");
    assert_eq!(
        alan_permissions.role_id.map(|r| r.to_string()),
        Some(s.role("Member")),
        "a member without a role gets the default role"
    );
    let with_alan = Session {
        permissions: Arc::clone(&alan_permissions),
        ..session.clone()
    };
    tessera_query::execute(runner.as_ref(), &model, &with_alan, &create)
        .await
        .expect("Member creates");

    let r = s
        .admin
        .meta(
            "{ getRoles { label workspaceMembers { userEmail } } }",
            json!({}),
        )
        .await;
    let roles = ok(&r)["getRoles"].as_array().expect("roles").clone();
    let members_of = |label: &str| {
        roles
            .iter()
            .find(|r| r["label"] == label)
            .map(|r| r["workspaceMembers"].clone())
            .expect("role")
    };
    assert_eq!(
        members_of("Read only"),
        json!([{"userEmail": "grace@example.com"}])
    );
    assert_eq!(
        members_of("Member"),
        json!([{"userEmail": "alan@example.com"}])
    );

    // The last admin cannot be unassigned; an unknown member or role is NOT_FOUND.
    let assign = "mutation($m: UUID!, $r: UUID!) { updateWorkspaceMemberRole(workspaceMemberId: $m, roleId: $r) { id } }";
    ok(&s
        .admin
        .meta(assign, json!({"m": alan, "r": s.role("Admin")}))
        .await);
    let r = s
        .admin
        .meta(assign, json!({"m": alan, "r": s.role("Member")}))
        .await;
    refused(&r, "FORBIDDEN", "Cannot unassign last admin");
    ok(&s
        .admin
        .meta(assign, json!({"m": grace, "r": s.role("Admin")}))
        .await);
    ok(&s
        .admin
        .meta(assign, json!({"m": alan, "r": s.role("Member")}))
        .await);
    let r = s
        .admin
        .meta(
            assign,
            json!({"m": uuid::Uuid::new_v4(), "r": s.role("Member")}),
        )
        .await;
    refused(&r, "NOT_FOUND", "workspace member");
    let r = s
        .admin
        .meta(assign, json!({"m": alan, "r": uuid::Uuid::new_v4()}))
        .await;
    refused(&r, "NOT_FOUND", "Role not found");

    // Workspace B cannot assign roles to A's members.
    let b = setup(&state, "B").await;
    let r = b
        .admin
        .meta(assign, json!({"m": grace, "r": b.role("Member")}))
        .await;
    refused(&r, "NOT_FOUND", "workspace member");
    assert_eq!(
        store
            .workspace_member_role_id(s.ws, grace_id)
            .await
            .expect("role")
            .to_string(),
        s.role("Admin")
    );
}

both!(guards_and_default_roles);
both!(api_keys);
both!(workspace_member_roles);
