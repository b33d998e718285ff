//! The permission matrix, end to end through `/graphql`: for each role kind (Admin key, a key
//! with Member, a custom read-only role, a role that cannot see `person.city`, a role that
//! cannot see `person` at all, a role that cannot destroy) and each operation (list, nested
//! list, single, create, update, soft delete, restore, destroy, filter and order on a
//! restricted field), the expected data or `FORBIDDEN` naming the object or field. Roles and
//! keys are made through `/metadata`. On SQLite and PostgreSQL; a second workspace sees none
//! of the first one's records.

mod common;
mod permissions_support;

use serde_json::{Value, json};
use tessera_server::AppState;

use permissions_support::{Api, Setup, ok, refused, setup};

/// What an operation should answer for a role.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Data (checked per operation).
    Allowed,
    /// `FORBIDDEN` with a message containing this text.
    Forbidden(&'static str),
}

use Expect::{Allowed, Forbidden};

const READ_CITY: Expect = Forbidden("no permission to read field \"city\" on \"person\"");
const WRITE_CITY: Expect = Forbidden("no permission to write field \"city\" on \"person\"");
const READ_PERSON: Expect = Forbidden("no permission to read object \"person\"");
const UPDATE_PERSON: Expect = Forbidden("no permission to update object \"person\"");
const SOFT_DELETE_PERSON: Expect = Forbidden("no permission to soft delete object \"person\"");
const DESTROY_PERSON: Expect = Forbidden("no permission to destroy object \"person\"");

/// Expectations per operation, in the order [`run`] performs them.
struct Row {
    list: Expect,
    list_without_city: Expect,
    companies: Expect,
    nested: Expect,
    single: Expect,
    filter_city: Expect,
    order_city: Expect,
    create: Expect,
    create_city: Expect,
    update: Expect,
    update_city: Expect,
    delete: Expect,
    restore: Expect,
    destroy: Expect,
}

const ALL_ALLOWED: Row = Row {
    list: Allowed,
    list_without_city: Allowed,
    companies: Allowed,
    nested: Allowed,
    single: Allowed,
    filter_city: Allowed,
    order_city: Allowed,
    create: Allowed,
    create_city: Allowed,
    update: Allowed,
    update_city: Allowed,
    delete: Allowed,
    restore: Allowed,
    destroy: Allowed,
};

/// Checks one answer: data via `check` when allowed, else the error.
fn expect(name: &str, role: &str, expected: Expect, r: &Value, check: impl FnOnce(&Value)) {
    match expected {
        Allowed => {
            assert!(r.get("errors").is_none(), "{role} / {name}: {r}");
            check(&r["data"]);
        }
        Forbidden(needle) => {
            refused(r, "FORBIDDEN", needle);
            assert!(
                r["data"].is_null()
                    || r["data"]
                        .as_object()
                        .is_some_and(|d| d.values().all(Value::is_null)),
                "{role} / {name}: no data with a refusal: {r}"
            );
        }
    }
}

fn first_names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .map(|e| {
                    e["node"]["name"]["firstName"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Runs every operation as `api` and checks it against `row`.
async fn run(s: &Setup, role: &str, api: &Api, row: &Row) {
    let seeded = format!("[\"{}\", \"{}\"]", s.ada, s.bob);
    let r = api
        .gql(&format!(
            "{{ people(filter: {{id: {{in: {seeded}}}}}, orderBy: {{name: {{firstName: AscNullsFirst}}}}) {{ edges {{ node {{ name {{ firstName }} city }} }} }} }}"
        ))
        .await;
    expect("list", role, row.list, &r, |d| {
        assert_eq!(first_names(&d["people"]), ["Ada", "Bob"]);
        assert_eq!(d["people"]["edges"][0]["node"]["city"], json!("London"));
    });
    let r = api
        .gql(&format!(
            "{{ people(filter: {{id: {{in: {seeded}}}}}, orderBy: {{name: {{firstName: AscNullsFirst}}}}) {{ edges {{ node {{ name {{ firstName }} jobTitle }} }} }} }}"
        ))
        .await;
    expect("list without city", role, row.list_without_city, &r, |d| {
        assert_eq!(first_names(&d["people"]), ["Ada", "Bob"]);
    });
    let r = api.gql("{ companies { edges { node { name } } } }").await;
    expect("companies", role, row.companies, &r, |d| {
        assert_eq!(d["companies"]["edges"][0]["node"]["name"], json!("Acme"));
    });
    let r = api
        .gql(&format!(
            "{{ companies(filter: {{id: {{eq: \"{}\"}}}}) {{ edges {{ node {{ name people {{ edges {{ node {{ name {{ firstName }} }} }} }} }} }} }} }}",
            s.acme
        ))
        .await;
    expect("nested list", role, row.nested, &r, |d| {
        assert_eq!(
            first_names(&d["companies"]["edges"][0]["node"]["people"]),
            ["Ada"]
        );
    });
    let r = api
        .gql(&format!(
            "{{ person(filter: {{id: {{eq: \"{}\"}}}}) {{ name {{ firstName }} }} }}",
            s.ada
        ))
        .await;
    expect("single", role, row.single, &r, |d| {
        assert_eq!(d["person"]["name"]["firstName"], json!("Ada"));
    });
    let r = api
        .gql(&format!(
            "{{ people(filter: {{city: {{eq: \"London\"}}, id: {{in: {seeded}}}}}) {{ edges {{ node {{ name {{ firstName }} }} }} }} }}"
        ))
        .await;
    expect("filter on city", role, row.filter_city, &r, |d| {
        assert_eq!(first_names(&d["people"]), ["Ada"]);
    });
    let r = api
        .gql(&format!(
            "{{ people(filter: {{id: {{in: {seeded}}}}}, orderBy: {{city: DescNullsLast}}) {{ edges {{ node {{ name {{ firstName }} }} }} }} }}"
        ))
        .await;
    expect("order by city", role, row.order_city, &r, |d| {
        assert_eq!(first_names(&d["people"]), ["Bob", "Ada"]);
    });

    // Writes: on a person of our own when we may create one, else on Bob (left unchanged).
    let r = api
        .gql(r#"mutation { createPerson(data: {name: {firstName: "Tmp"}, jobTitle: "x"}) { id jobTitle } }"#)
        .await;
    let mut target = s.bob.clone();
    expect("create", role, row.create, &r, |d| {
        assert_eq!(d["createPerson"]["jobTitle"], json!("x"));
        target = d["createPerson"]["id"].as_str().expect("id").to_owned();
    });
    let r = api
        .gql(r#"mutation { createPerson(data: {name: {firstName: "Tmp2"}, city: "Oslo"}) { id } }"#)
        .await;
    expect("create with city", role, row.create_city, &r, |d| {
        assert!(d["createPerson"]["id"].is_string());
    });
    let r = api
        .gql(&format!(
            "mutation {{ updatePerson(id: \"{target}\", data: {{jobTitle: \"y\"}}) {{ jobTitle }} }}"
        ))
        .await;
    expect("update", role, row.update, &r, |d| {
        assert_eq!(d["updatePerson"]["jobTitle"], json!("y"));
    });
    let r = api
        .gql(&format!(
            "mutation {{ updatePerson(id: \"{target}\", data: {{city: \"Rome\"}}) {{ id }} }}"
        ))
        .await;
    expect("update city", role, row.update_city, &r, |d| {
        assert_eq!(d["updatePerson"]["id"], json!(target));
    });
    let r = api
        .gql(&format!(
            "mutation {{ deletePerson(id: \"{target}\") {{ id deletedAt }} }}"
        ))
        .await;
    expect("soft delete", role, row.delete, &r, |d| {
        assert!(d["deletePerson"]["deletedAt"].is_string(), "{d}");
    });
    let r = api
        .gql(&format!(
            "mutation {{ restorePerson(id: \"{target}\") {{ id deletedAt }} }}"
        ))
        .await;
    expect("restore", role, row.restore, &r, |d| {
        assert!(d["restorePerson"]["deletedAt"].is_null(), "{d}");
    });
    let r = api
        .gql(&format!(
            "mutation {{ destroyPerson(id: \"{target}\") {{ id }} }}"
        ))
        .await;
    expect("destroy", role, row.destroy, &r, |d| {
        assert_eq!(d["destroyPerson"]["id"], json!(target));
    });
    if !matches!(row.create, Allowed) {
        // Bob was not touched by the refused writes.
        let r = s
            .admin
            .gql(&format!(
                "{{ person(filter: {{id: {{eq: \"{}\"}}}}) {{ jobTitle city deletedAt }} }}",
                s.bob
            ))
            .await;
        assert_eq!(
            ok(&r)["person"],
            json!({"jobTitle": null, "city": "Paris", "deletedAt": null}),
            "{role}: a refused write changed nothing"
        );
    }
}

async fn matrix(state: AppState) {
    let s = setup(&state, "A").await;
    run(&s, "Admin (default key)", &s.admin.clone(), &ALL_ALLOWED).await;
    let (_, member) = s.key(&s.role("Member"), "member key").await;
    run(&s, "Member", &member, &ALL_ALLOWED).await;
    let (_, read_only) = s.key(&s.role("Read only"), "read-only key").await;
    run(
        &s,
        "Read only",
        &read_only,
        &Row {
            create: UPDATE_PERSON,
            create_city: UPDATE_PERSON,
            update: UPDATE_PERSON,
            update_city: UPDATE_PERSON,
            delete: SOFT_DELETE_PERSON,
            restore: SOFT_DELETE_PERSON,
            destroy: DESTROY_PERSON,
            ..ALL_ALLOWED
        },
    )
    .await;
    let (_, no_city) = s.key(&s.role("No city"), "no-city key").await;
    run(
        &s,
        "No city",
        &no_city,
        &Row {
            list: READ_CITY,
            filter_city: READ_CITY,
            order_city: READ_CITY,
            create_city: WRITE_CITY,
            update_city: WRITE_CITY,
            ..ALL_ALLOWED
        },
    )
    .await;
    let (_, no_people) = s.key(&s.role("No people"), "no-people key").await;
    run(
        &s,
        "No people",
        &no_people,
        &Row {
            list: READ_PERSON,
            list_without_city: READ_PERSON,
            companies: Allowed,
            nested: READ_PERSON,
            single: READ_PERSON,
            filter_city: READ_PERSON,
            order_city: READ_PERSON,
            create: UPDATE_PERSON,
            create_city: UPDATE_PERSON,
            update: UPDATE_PERSON,
            update_city: UPDATE_PERSON,
            delete: SOFT_DELETE_PERSON,
            restore: SOFT_DELETE_PERSON,
            destroy: DESTROY_PERSON,
        },
    )
    .await;
    let (_, no_destroy) = s.key(&s.role("No destroy"), "no-destroy key").await;
    run(
        &s,
        "No destroy",
        &no_destroy,
        &Row {
            destroy: DESTROY_PERSON,
            ..ALL_ALLOWED
        },
    )
    .await;

    // Workspace B (its own roles and keys) sees none of A's records, even by id.
    let b = setup(&state, "B").await;
    let (_, b_read_only) = b.key(&b.role("Read only"), "b read-only").await;
    for api in [&b.admin, &b_read_only] {
        let r = api
            .gql(&format!(
                "{{ people(filter: {{id: {{in: [\"{}\", \"{}\"]}}}}) {{ edges {{ node {{ id }} }} }} }}",
                s.ada, s.bob
            ))
            .await;
        assert_eq!(ok(&r)["people"]["edges"], json!([]), "{r}");
        let r = api
            .gql(&format!(
                "mutation {{ updatePerson(id: \"{}\", data: {{jobTitle: \"hacked\"}}) {{ id }} }}",
                s.ada
            ))
            .await;
        assert!(r.get("errors").is_some(), "{r}");
    }
    let r = s
        .admin
        .gql(&format!(
            "{{ person(filter: {{id: {{eq: \"{}\"}}}}) {{ jobTitle }} }}",
            s.ada
        ))
        .await;
    assert_ne!(ok(&r)["person"]["jobTitle"], json!("hacked"));
}

both!(matrix);
