//! `/metadata` end to end through the router: define a custom object with fields and a
//! relation, use it through `/graphql` on the very next request, change it, delete it. On
//! SQLite and PostgreSQL; a second workspace never sees the first one's objects.

mod common;

use serde_json::{Value, json};
use tessera_server::AppState;

use common::{post_graphql, post_metadata};

struct Client {
    state: AppState,
    bearer: String,
}

impl Client {
    async fn new(state: &AppState, name: &str) -> Self {
        let (_ws, token) = tessera_server::create_workspace(state, name, false)
            .await
            .expect("workspace");
        Self {
            state: state.clone(),
            bearer: format!("Bearer {token}"),
        }
    }

    async fn metadata(&self, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables}).to_string();
        post_metadata(&self.state, Some(&self.bearer), &body)
            .await
            .json()
    }

    async fn graphql(&self, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables}).to_string();
        post_graphql(&self.state, Some(&self.bearer), &body)
            .await
            .json()
    }
}

fn ok(v: &Value) -> &Value {
    assert!(v.get("errors").is_none(), "unexpected errors: {v}");
    &v["data"]
}

async fn define_use_change_delete(state: AppState) {
    let a = Client::new(&state, "A").await;
    let b = Client::new(&state, "B").await;

    // Standard objects are listed with their fields (Twenty's default page is 10).
    let r = a
        .metadata(
            "{ objects(paging: {first: 100}) { edges { node { id nameSingular isCustom fieldsList { name type } } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    let edges = ok(&r)["objects"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    let company = edges
        .iter()
        .find(|e| e["node"]["nameSingular"] == "company")
        .expect("company")["node"]
        .clone();
    assert_eq!(edges.len(), 11);
    assert!(
        company["fieldsList"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["name"] == "domainName" && f["type"] == "LINKS")
    );
    let r = a
        .metadata(
            "{ objects { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r)["objects"]["edges"].as_array().map(Vec::len),
        Some(10)
    );
    assert_eq!(ok(&r)["objects"]["pageInfo"]["hasNextPage"], json!(true));

    // Create a custom object with a field and a relation to company.
    let r = a
        .metadata(
            "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id nameSingular namePlural isCustom fieldsList { name } } }",
            json!({"input": {"object": {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"}}}),
        )
        .await;
    let rocket = ok(&r)["createOneObject"].clone();
    assert_eq!(rocket["isCustom"], json!(true));
    assert!(
        rocket["fieldsList"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["name"] == "name")
    );
    let rocket_id = rocket["id"].as_str().expect("id").to_owned();
    let r = a
        .metadata(
            "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { id name type } }",
            json!({"input": {"field": {"objectMetadataId": rocket_id, "type": "NUMBER", "name": "thrust", "label": "Thrust"}}}),
        )
        .await;
    let thrust_id = ok(&r)["createOneField"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = a
        .metadata(
            "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { name relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { name } } } }",
            json!({"input": {"field": {"objectMetadataId": rocket_id, "type": "RELATION", "name": "company", "label": "Company",
                "relationCreationPayload": {"targetObjectMetadataId": company["id"], "targetFieldLabel": "Rockets", "targetFieldIcon": "IconRocket", "type": "MANY_TO_ONE"}}}}),
        )
        .await;
    assert_eq!(
        ok(&r)["createOneField"]["relation"]["targetFieldMetadata"]["name"],
        json!("rockets"),
        "{r}"
    );

    // The very next /graphql request can create, filter and nest rockets.
    let r = a
        .graphql(
            r#"mutation { createCompany(data: {id: "11111111-0000-4000-8000-000000000001", name: "Acme"}) { id } }"#,
            json!({}),
        )
        .await;
    ok(&r);
    let r = a
        .graphql(
            r#"mutation { createRockets(data: [{name: "Falcon", thrust: 7600, companyId: "11111111-0000-4000-8000-000000000001"}, {name: "Electron", thrust: 190}]) { name thrust company { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r)["createRockets"][0]["company"]["name"],
        json!("Acme"),
        "{r}"
    );
    let r = a
        .graphql(
            r#"{ rockets(filter: {thrust: {gt: 1000}}) { totalCount edges { node { name } } } companies { edges { node { name rockets { totalCount } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(ok(&r)["rockets"]["totalCount"], json!(1), "{r}");
    assert_eq!(
        ok(&r)["companies"]["edges"][0]["node"]["rockets"]["totalCount"],
        json!(1),
        "{r}"
    );

    // The other workspace has no rockets at all.
    let r = b.graphql("{ rockets { totalCount } }", json!({})).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );
    let r = b
        .metadata(
            "{ objects(paging: {first: 100}) { edges { node { nameSingular } } } }",
            json!({}),
        )
        .await;
    assert!(!ok(&r).to_string().contains("rocket"), "{r}");

    // Rename a field: data follows; deactivate: hidden but kept; reactivate: back.
    let r = a
        .metadata(
            "mutation($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { name } }",
            json!({"input": {"id": thrust_id, "update": {"name": "power", "label": "Power"}}}),
        )
        .await;
    assert_eq!(ok(&r)["updateOneField"]["name"], json!("power"));
    let r = a
        .graphql(
            r#"{ rockets(orderBy: {power: DescNullsLast}) { edges { node { name power } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r)["rockets"]["edges"][0]["node"],
        json!({"name": "Falcon", "power": 7600}),
        "{r}"
    );
    let r = a
        .metadata(
            "mutation($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { isActive } }",
            json!({"input": {"id": thrust_id, "update": {"isActive": false}}}),
        )
        .await;
    assert_eq!(ok(&r)["updateOneField"]["isActive"], json!(false));
    let r = a
        .graphql("{ rockets { edges { node { power } } } }", json!({}))
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );
    a.metadata(
        "mutation($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { isActive } }",
        json!({"input": {"id": thrust_id, "update": {"isActive": true}}}),
    )
    .await;
    let r = a
        .graphql(
            "{ rockets(orderBy: {power: AscNullsLast}) { edges { node { power } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r)["rockets"]["edges"][0]["node"]["power"],
        json!(190),
        "{r}"
    );

    // Validation errors change nothing.
    for (input, needle) in [
        (
            json!({"nameSingular": "rocket", "namePlural": "rocketz", "labelSingular": "R", "labelPlural": "Rs"}),
            "rocket",
        ),
        (
            json!({"nameSingular": "personConnection", "namePlural": "personConnections", "labelSingular": "P", "labelPlural": "Ps"}),
            "personConnection",
        ),
        (
            json!({"nameSingular": "Bad-Name", "namePlural": "badNames", "labelSingular": "B", "labelPlural": "Bs"}),
            "Bad-Name",
        ),
        (
            json!({"nameSingular": "same", "namePlural": "same", "labelSingular": "S", "labelPlural": "Ss"}),
            "same",
        ),
    ] {
        let r = a
            .metadata(
                "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id } }",
                json!({"input": {"object": input}}),
            )
            .await;
        assert_eq!(
            r["errors"][0]["extensions"]["code"],
            json!("METADATA_VALIDATION_FAILED"),
            "{input}: {r}"
        );
        assert!(
            r["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains(needle),
            "{input}: {r}"
        );
    }

    // Delete the object: gone from /metadata and /graphql.
    let r = a
        .metadata(
            "mutation($input: DeleteOneObjectInput!) { deleteOneObject(input: $input) { nameSingular } }",
            json!({"input": {"id": rocket_id}}),
        )
        .await;
    assert_eq!(ok(&r)["deleteOneObject"]["nameSingular"], json!("rocket"));
    let r = a.graphql("{ rockets { totalCount } }", json!({})).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );
    let r = a
        .graphql("{ companies { edges { node { name } } } }", json!({}))
        .await;
    assert_eq!(
        ok(&r)["companies"]["edges"][0]["node"]["name"],
        json!("Acme")
    );

    // Unknown ids are NOT_FOUND; no token is UNAUTHENTICATED.
    let r = a
        .metadata(
            r#"{ object(id: "00000000-0000-4000-8000-000000000000") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{r}"
    );
    let r = post_metadata(
        &state,
        None,
        r#"{"query": "{ objects { edges { node { id } } } }"}"#,
    )
    .await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
}

both!(define_use_change_delete);

/// `createOneIndex` / `deleteOneIndex` and `Object.indexMetadatas` through `/metadata`, with
/// the unique index enforced on the very next `/graphql` write; `updateOneField` with
/// `defaultValue: null` drops a default. Workspace B cannot see or delete A's index.
async fn indexes_and_defaults(state: AppState) {
    let a = Client::new(&state, "A").await;
    let b = Client::new(&state, "B").await;
    let r = a
        .metadata(
            "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id } }",
            json!({"input": {"object": {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"}}}),
        )
        .await;
    let rocket_id = ok(&r)["createOneObject"]["id"].clone();
    let r = a
        .metadata(
            "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { id } }",
            json!({"input": {"field": {"objectMetadataId": rocket_id, "type": "TEXT", "name": "serialCode", "label": "Serial code", "defaultValue": "'S-0'"}}}),
        )
        .await;
    let serial_id = ok(&r)["createOneField"]["id"].clone();

    let r = a
        .metadata(
            "mutation($input: CreateOneIndexInput!) { createOneIndex(input: $input) { id name isCustom isUnique indexType indexWhereClause indexFieldMetadataList { fieldMetadataId order subFieldName } } }",
            json!({"input": {"index": {"objectMetadataId": rocket_id, "indexType": "BTREE", "isUnique": true, "fields": [{"fieldMetadataId": serial_id}]}}}),
        )
        .await;
    let index = ok(&r)["createOneIndex"].clone();
    assert_eq!(index["isCustom"], json!(true));
    assert_eq!(index["isUnique"], json!(true));
    assert_eq!(index["indexType"], json!("BTREE"));
    assert_eq!(index["indexWhereClause"], json!("\"deletedAt\" IS NULL"));
    assert_eq!(
        index["indexFieldMetadataList"],
        json!([{"fieldMetadataId": serial_id, "order": 0.0, "subFieldName": null}])
    );

    let r = a
        .metadata(
            "query($id: UUID!) { object(id: $id) { indexMetadatas(filter: {isCustom: {is: true}}) { edges { node { id name } } } indexMetadataList { isCustom } } }",
            json!({"id": rocket_id}),
        )
        .await;
    assert_eq!(
        ok(&r)["object"]["indexMetadatas"]["edges"],
        json!([{"node": {"id": index["id"], "name": index["name"]}}])
    );
    assert_eq!(
        ok(&r)["object"]["indexMetadataList"],
        json!([{"isCustom": true}])
    );

    // The unique index holds on the next /graphql write.
    let create = "mutation($d: RocketCreateInput!) { createRocket(data: $d) { serialCode } }";
    let r = a.graphql(create, json!({"d": {"serialCode": "S-1"}})).await;
    assert_eq!(ok(&r)["createRocket"]["serialCode"], json!("S-1"));
    let r = a.graphql(create, json!({"d": {"serialCode": "S-1"}})).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("CONFLICT"),
        "{r}"
    );

    // Workspace B: not found, nothing deleted.
    let delete =
        "mutation($input: DeleteOneIndexInput!) { deleteOneIndex(input: $input) { id name } }";
    let r = b
        .metadata(delete, json!({"input": {"id": index["id"]}}))
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{r}"
    );
    let r = a
        .metadata(delete, json!({"input": {"id": index["id"]}}))
        .await;
    assert_eq!(ok(&r)["deleteOneIndex"]["id"], index["id"]);
    let r = a.graphql(create, json!({"d": {"serialCode": "S-1"}})).await;
    assert_eq!(ok(&r)["createRocket"]["serialCode"], json!("S-1"));

    // defaultValue: absent keeps the default, null drops it.
    let update = "mutation($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { defaultValue } }";
    let r = a
        .metadata(
            update,
            json!({"input": {"id": serial_id, "update": {"label": "Serial"}}}),
        )
        .await;
    assert_eq!(ok(&r)["updateOneField"]["defaultValue"], json!("'S-0'"));
    let r = a.graphql(create, json!({"d": {}})).await;
    assert_eq!(ok(&r)["createRocket"]["serialCode"], json!("S-0"));
    let r = a
        .metadata(
            update,
            json!({"input": {"id": serial_id, "update": {"defaultValue": null}}}),
        )
        .await;
    assert_eq!(ok(&r)["updateOneField"]["defaultValue"], json!(null));
    let r = a.graphql(create, json!({"d": {}})).await;
    assert_eq!(ok(&r)["createRocket"]["serialCode"], json!(null));
}

both!(indexes_and_defaults);

/// A custom object is linked to notes, tasks, attachments, favorites and the timeline like
/// Twenty's (`noteTarget.rocket` ↔ `rocket.noteTargets`, ...): a note attached to a rocket
/// shows on the rocket in one query; the links follow a rename of the object and go with
/// its deletion. Workspace B sees neither the object nor the link.
async fn custom_object_links(state: AppState) {
    let a = Client::new(&state, "A").await;
    let b = Client::new(&state, "B").await;
    let r = a
        .metadata(
            "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id fieldsList { name isSystem relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { name } } } } }",
            json!({"input": {"object": {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"}}}),
        )
        .await;
    let rocket = ok(&r)["createOneObject"].clone();
    let links: Vec<(String, String)> = rocket["fieldsList"]
        .as_array()
        .expect("fields")
        .iter()
        .filter(|f| !f["relation"].is_null())
        .map(|f| {
            (
                f["name"].as_str().expect("name").to_owned(),
                f["relation"]["targetFieldMetadata"]["name"]
                    .as_str()
                    .expect("inverse")
                    .to_owned(),
            )
        })
        .collect();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    assert_eq!(
        links,
        pairs(&[
            ("timelineActivities", "targetRocket"),
            ("favorites", "rocket"),
            ("attachments", "rocket"),
            ("noteTargets", "rocket"),
            ("taskTargets", "rocket"),
        ])
    );

    let r = a
        .graphql(
            r#"mutation { createRocket(data: {name: "Falcon"}) { id } createNote(data: {title: "Pre-flight"}) { id } }"#,
            json!({}),
        )
        .await;
    let (rocket_record, note) = (
        ok(&r)["createRocket"]["id"].clone(),
        ok(&r)["createNote"]["id"].clone(),
    );
    let r = a
        .graphql(
            "mutation($d: NoteTargetCreateInput!) { createNoteTarget(data: $d) { rocket { name } } }",
            json!({"d": {"noteId": note, "rocketId": rocket_record}}),
        )
        .await;
    assert_eq!(
        ok(&r)["createNoteTarget"]["rocket"]["name"],
        json!("Falcon")
    );
    let r = a
        .graphql(
            "{ rockets { edges { node { name noteTargets { edges { node { note { title } } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r)["rockets"]["edges"][0]["node"]["noteTargets"]["edges"][0]["node"]["note"]["title"],
        json!("Pre-flight")
    );
    let r = b
        .graphql(
            "{ noteTargets { edges { node { rocket { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "B has no rocket link: {r}"
    );

    // Renaming the object renames the links (and their join columns); data stays linked.
    let r = a
        .metadata(
            "mutation($input: UpdateOneObjectInput!) { updateOneObject(input: $input) { nameSingular } }",
            json!({"input": {"id": rocket["id"], "update": {"nameSingular": "spaceship", "namePlural": "spaceships", "labelSingular": "Spaceship", "labelPlural": "Spaceships"}}}),
        )
        .await;
    assert_eq!(
        ok(&r)["updateOneObject"]["nameSingular"],
        json!("spaceship")
    );
    let r = a
        .graphql(
            "{ noteTargets(filter: {spaceshipId: {is: NOT_NULL}}) { edges { node { spaceship { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&r)["noteTargets"]["edges"][0]["node"]["spaceship"]["name"],
        json!("Falcon")
    );

    // Deleting the object removes the links and their columns.
    let r = a
        .metadata(
            "mutation($input: DeleteOneObjectInput!) { deleteOneObject(input: $input) { id } }",
            json!({"input": {"id": rocket["id"]}}),
        )
        .await;
    ok(&r);
    let r = a
        .graphql("{ noteTargets { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(
        ok(&r)["noteTargets"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
    let r = a
        .graphql(
            "{ noteTargets { edges { node { spaceshipId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );
}

both!(custom_object_links);

/// `isLabelSyncedWithName` is stored and enforced: while set, the names must be the ones
/// computed from the labels (Twenty's `validateNameAndLabelAreSyncOrThrow`).
async fn label_synced_names(state: AppState) {
    let a = Client::new(&state, "A").await;
    let create = "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id nameSingular isLabelSyncedWithName } }";
    let r = a
        .metadata(
            create,
            json!({"input": {"object": {"nameSingular": "launchPad", "namePlural": "pads", "labelSingular": "Launch pad", "labelPlural": "Launch pads", "isLabelSyncedWithName": true}}}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("METADATA_VALIDATION_FAILED"),
        "{r}"
    );
    assert!(
        r["errors"][0]["message"].as_str().unwrap_or("").contains(
            "Name \"pads\" is not synced with label \"Launch pads\" (expected \"launchPads\")"
        ),
        "{r}"
    );
    let r = a
        .metadata(
            create,
            json!({"input": {"object": {"nameSingular": "launchPad", "namePlural": "launchPads", "labelSingular": "Launch pad", "labelPlural": "Launch pads", "isLabelSyncedWithName": true}}}),
        )
        .await;
    let pad = ok(&r)["createOneObject"].clone();
    assert_eq!(pad["isLabelSyncedWithName"], json!(true));
    let update = "mutation($input: UpdateOneObjectInput!) { updateOneObject(input: $input) { nameSingular labelSingular isLabelSyncedWithName } }";
    let r = a
        .metadata(
            update,
            json!({"input": {"id": pad["id"], "update": {"labelSingular": "Pad"}}}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("METADATA_VALIDATION_FAILED"),
        "{r}"
    );
    let r = a
        .metadata(
            update,
            json!({"input": {"id": pad["id"], "update": {"labelSingular": "Pad", "isLabelSyncedWithName": false}}}),
        )
        .await;
    assert_eq!(
        ok(&r)["updateOneObject"],
        json!({"nameSingular": "launchPad", "labelSingular": "Pad", "isLabelSyncedWithName": false})
    );
    let r = a
        .metadata(
            "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { name isLabelSyncedWithName } }",
            json!({"input": {"field": {"objectMetadataId": pad["id"], "type": "TEXT", "name": "gateCode", "label": "Gate code", "isLabelSyncedWithName": true}}}),
        )
        .await;
    assert_eq!(
        ok(&r)["createOneField"],
        json!({"name": "gateCode", "isLabelSyncedWithName": true})
    );
}

both!(label_synced_names);
