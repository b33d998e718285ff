//! Shared setup of the permission tests: a workspace with seed data, custom roles made through
//! `/metadata`, and API keys acting with each role.

#![allow(dead_code)]

use serde_json::{Value, json};
use tessera_core::WorkspaceId;
use tessera_server::AppState;

use crate::common::{post_graphql, post_metadata};

/// A client with one bearer token.
#[derive(Clone)]
pub struct Api {
    pub state: AppState,
    pub bearer: String,
}

impl Api {
    pub async fn gql(&self, query: &str) -> Value {
        let body = json!({"query": query}).to_string();
        post_graphql(&self.state, Some(&self.bearer), &body)
            .await
            .json()
    }

    pub async fn meta(&self, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables}).to_string();
        post_metadata(&self.state, Some(&self.bearer), &body)
            .await
            .json()
    }
}

/// The data of a response without errors.
pub fn ok(v: &Value) -> &Value {
    assert!(v.get("errors").is_none(), "unexpected errors: {v}");
    &v["data"]
}

/// Asserts a response's first error has `code` and a message containing `needle`.
pub fn refused(v: &Value, code: &str, needle: &str) {
    let error = &v["errors"][0];
    assert_eq!(error["extensions"]["code"], json!(code), "{v}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(needle),
        "{message:?} lacks {needle:?}: {v}"
    );
}

/// A workspace ready for permission checks.
pub struct Setup {
    pub ws: WorkspaceId,
    pub admin: Api,
    pub person_object: String,
    pub company_object: String,
    pub city_field: String,
    /// Seeded company Acme; people Ada (London, at Acme) and Bob (Paris).
    pub acme: String,
    pub ada: String,
    pub bob: String,
    /// Role ids by label: Admin, Member, Read only, No city, No people, No destroy.
    pub roles: Vec<(String, String)>,
}

impl Setup {
    pub fn role(&self, label: &str) -> String {
        self.roles
            .iter()
            .find(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("no role {label}"))
            .1
            .clone()
    }

    /// A new API key acting with `role_id`, made and minted through `/metadata`.
    pub async fn key(&self, role_id: &str, name: &str) -> (String, Api) {
        let r = self
            .admin
            .meta(
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { id name role { id label } } }",
                json!({"input": {"name": name, "expiresAt": "2099-01-01T00:00:00.000Z", "roleId": role_id}}),
            )
            .await;
        let key = ok(&r)["createApiKey"].clone();
        assert_eq!(key["role"]["id"], json!(role_id), "{r}");
        let id = key["id"].as_str().expect("id").to_owned();
        let r = self
            .admin
            .meta(
                "mutation($id: UUID!) { generateApiKeyToken(apiKeyId: $id, expiresAt: \"2099-01-01T00:00:00.000Z\") { token } }",
                json!({"id": id}),
            )
            .await;
        let token = ok(&r)["generateApiKeyToken"]["token"]
            .as_str()
            .expect("token")
            .to_owned();
        (
            id,
            Api {
                state: self.admin.state.clone(),
                bearer: format!("Bearer {token}"),
            },
        )
    }
}

fn object<'a>(objects: &'a [Value], name: &str) -> &'a Value {
    objects
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["nameSingular"] == name)
        .unwrap_or_else(|| panic!("no object {name}"))
}

fn field_id(object: &Value, name: &str) -> String {
    object["fieldsList"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == name)
        .and_then(|f| f["id"].as_str())
        .unwrap_or_else(|| panic!("no field {name}"))
        .to_owned()
}

/// Creates a workspace named `name` with seed data and the custom roles.
pub async fn setup(state: &AppState, name: &str) -> Setup {
    let (ws, token) = tessera_server::create_workspace(state, name, false)
        .await
        .expect("workspace");
    let admin = Api {
        state: state.clone(),
        bearer: format!("Bearer {token}"),
    };
    let r = admin
        .meta(
            "{ objects(paging: {first: 100}) { edges { node { id nameSingular fieldsList { id name } } } } }",
            json!({}),
        )
        .await;
    let objects = ok(&r)["objects"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    let person = object(&objects, "person");
    let person_object = person["id"].as_str().expect("id").to_owned();
    let company_object = object(&objects, "company")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let city_field = field_id(person, "city");

    let r = admin
        .gql(r#"mutation { createCompany(data: {name: "Acme"}) { id } }"#)
        .await;
    let acme = ok(&r)["createCompany"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = admin
        .gql(&format!(
            r#"mutation {{ createPeople(data: [{{name: {{firstName: "Ada"}}, city: "London", companyId: "{acme}"}}, {{name: {{firstName: "Bob"}}, city: "Paris"}}]) {{ id name {{ firstName }} }} }}"#
        ))
        .await;
    let people = ok(&r)["createPeople"].as_array().expect("people").clone();
    let id_of = |first: &str| {
        people
            .iter()
            .find(|p| p["name"]["firstName"] == first)
            .and_then(|p| p["id"].as_str())
            .expect("person")
            .to_owned()
    };
    let (ada, bob) = (id_of("Ada"), id_of("Bob"));

    let mut roles = Vec::new();
    let r = admin
        .meta("{ getRoles { id label isEditable } }", json!({}))
        .await;
    for role in ok(&r)["getRoles"].as_array().expect("roles") {
        assert_eq!(
            role["isEditable"],
            json!(false),
            "only default roles yet: {r}"
        );
        roles.push((
            role["label"].as_str().expect("label").to_owned(),
            role["id"].as_str().expect("id").to_owned(),
        ));
    }
    let create = |label: &str, read: bool, write: bool, destroy: bool| {
        json!({"createRoleInput": {"label": label, "canReadAllObjectRecords": read,
            "canUpdateAllObjectRecords": write, "canSoftDeleteAllObjectRecords": write,
            "canDestroyAllObjectRecords": destroy}})
    };
    for (label, read, write, destroy) in [
        ("Read only", true, false, false),
        ("No city", true, true, true),
        ("No people", true, true, true),
        ("No destroy", true, true, false),
    ] {
        let r = admin
            .meta(
                "mutation($createRoleInput: CreateRoleInput!) { createOneRole(createRoleInput: $createRoleInput) { id label isEditable canReadAllObjectRecords canDestroyAllObjectRecords } }",
                create(label, read, write, destroy),
            )
            .await;
        let role = &ok(&r)["createOneRole"];
        assert_eq!(role["isEditable"], json!(true));
        assert_eq!(role["canDestroyAllObjectRecords"], json!(destroy));
        roles.push((
            label.to_owned(),
            role["id"].as_str().expect("id").to_owned(),
        ));
    }
    let setup = Setup {
        ws,
        admin,
        person_object,
        company_object,
        city_field,
        acme,
        ada,
        bob,
        roles,
    };
    let r = setup
        .admin
        .meta(
            "mutation($i: UpsertFieldPermissionsInput!) { upsertFieldPermissions(upsertFieldPermissionsInput: $i) { fieldMetadataId canReadFieldValue canUpdateFieldValue } }",
            json!({"i": {"roleId": setup.role("No city"), "fieldPermissions": [{"objectMetadataId": setup.person_object, "fieldMetadataId": setup.city_field, "canReadFieldValue": false, "canUpdateFieldValue": false}]}}),
        )
        .await;
    assert_eq!(
        ok(&r)["upsertFieldPermissions"],
        json!([{"fieldMetadataId": setup.city_field, "canReadFieldValue": false, "canUpdateFieldValue": false}])
    );
    let r = setup
        .admin
        .meta(
            "mutation($i: UpsertObjectPermissionsInput!) { upsertObjectPermissions(upsertObjectPermissionsInput: $i) { objectMetadataId canReadObjectRecords canUpdateObjectRecords } }",
            json!({"i": {"roleId": setup.role("No people"), "objectPermissions": [{"objectMetadataId": setup.person_object, "canReadObjectRecords": false, "canUpdateObjectRecords": false, "canSoftDeleteObjectRecords": false, "canDestroyObjectRecords": false}]}}),
        )
        .await;
    assert_eq!(
        ok(&r)["upsertObjectPermissions"],
        json!([{"objectMetadataId": setup.person_object, "canReadObjectRecords": false, "canUpdateObjectRecords": false}])
    );
    setup
}
