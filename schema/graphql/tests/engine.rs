//! GraphQL layer over a real in-memory SQLite database (untyped tables; the store crate owns
//! the real DDL and has the cross-store suite).

use std::sync::Arc;

use serde_json::{Value, json};
use tessera_core::Session;
use tessera_graphql::{RequestContext, build_schema, finish_response};
use tessera_metadata::standard;
use tessera_store::{Store, StoreConfig, WorkspaceRunner};

/// Which store a test runs on.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Sqlite,
    Postgres,
}

fn pg_url() -> String {
    std::env::var("TESSERA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tessera_test".to_owned())
}

struct Env {
    _dir: tempfile::TempDir,
    store: Store,
    runner: Arc<WorkspaceRunner>,
    schema: async_graphql::dynamic::Schema,
    session: Session,
}

impl Env {
    async fn new(kind: Kind) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let database_url = match kind {
            Kind::Sqlite => None,
            Kind::Postgres => {
                Store::ensure_database(&pg_url())
                    .await
                    .expect("test database");
                Some(pg_url())
            }
        };
        let store = Store::connect(&StoreConfig {
            database_url,
            data_dir: dir.path().to_owned(),
        })
        .await
        .expect("store");
        let mut objects = standard::standard_objects();
        standard::add_demo_custom_fields(&mut objects);
        standard::add_test_fixture_objects(&mut objects);
        let ws = store
            .create_workspace("Test", objects)
            .await
            .expect("workspace");
        let model = store.workspace_model(ws).await.expect("model");
        let runner = store.runner(ws).await.expect("runner");
        let schema = build_schema(model).expect("schema");
        Self {
            _dir: dir,
            store,
            runner,
            schema,
            session: Session::system(ws, "API"),
        }
    }

    /// A second workspace on the same store, for isolation checks.
    async fn other(&self) -> Self {
        let mut objects = standard::standard_objects();
        standard::add_demo_custom_fields(&mut objects);
        standard::add_test_fixture_objects(&mut objects);
        let ws = self
            .store
            .create_workspace("Other", objects)
            .await
            .expect("workspace");
        let model = self.store.workspace_model(ws).await.expect("model");
        Self {
            _dir: tempfile::tempdir().expect("tempdir"),
            store: self.store.clone(),
            runner: self.store.runner(ws).await.expect("runner"),
            schema: build_schema(model).expect("schema"),
            session: Session::system(ws, "API"),
        }
    }

    fn statements(&self) -> u64 {
        self.runner.statement_count()
    }

    async fn run(&self, query: &str, vars: Value) -> Value {
        let req = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(vars))
            .data(RequestContext {
                session: self.session.clone(),
                runner: self.runner.clone(),
            });
        let resp = finish_response(self.schema.execute(req).await);
        serde_json::to_value(&resp).expect("json")
    }
}

#[tokio::test]
async fn crud_and_nested_sqlite() {
    crud_and_nested(Kind::Sqlite).await;
}

#[tokio::test]
async fn crud_and_nested_postgres() {
    crud_and_nested(Kind::Postgres).await;
}

async fn crud_and_nested(kind: Kind) {
    let env = Env::new(kind).await;
    let r = env
        .run(
            r#"mutation($c: CompanyCreateInput!) { createCompany(data: $c) { id name domainName { primaryLinkUrl } } }"#,
            json!({"c": {"id": "20202020-0000-4000-8000-000000000001", "name": "Acme", "domainName": {"primaryLinkUrl": "acme.com"}}}),
        )
        .await;
    assert_eq!(
        r["data"]["createCompany"]["domainName"]["primaryLinkUrl"],
        json!("acme.com"),
        "{r}"
    );
    let r = env
        .run(
            r#"mutation($p: [PersonCreateInput!]!) { createPeople(data: $p) { id name { firstName } company { name } } }"#,
            json!({"p": [
                {"id": "30303030-0000-4000-8000-000000000001", "name": {"firstName": "Ada", "lastName": "L"}, "companyId": "20202020-0000-4000-8000-000000000001", "city": "London"},
                {"id": "30303030-0000-4000-8000-000000000002", "name": {"firstName": "Bob", "lastName": "M"}, "companyId": "20202020-0000-4000-8000-000000000001", "city": "Paris"}
            ]}),
        )
        .await;
    assert_eq!(
        r["data"]["createPeople"][0]["company"]["name"],
        json!("Acme"),
        "{r}"
    );
    // Two levels of nesting, one statement.
    let before = env.statements();
    let r = env
        .run(
            r#"query { companies(first: 10) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __typename id name ...F people(orderBy: [{city: DescNullsLast}]) { totalCount edges { node { city c: company { name people { totalCount } } } } } } } } }
               fragment F on Company { name domainName { primaryLinkUrl } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        env.statements() - before,
        1,
        "one statement for the whole root field"
    );
    assert!(r.get("errors").is_none(), "{r}");
    let company = &r["data"]["companies"]["edges"][0]["node"];
    assert_eq!(company["__typename"], json!("Company"));
    assert_eq!(company["people"]["totalCount"], json!(2));
    assert_eq!(
        company["people"]["edges"][0]["node"]["city"],
        json!("Paris")
    );
    assert_eq!(
        company["people"]["edges"][0]["node"]["c"]["people"]["totalCount"],
        json!(2)
    );
    // Filter through a many-to-one relation (Twenty's nested relation filter).
    let r = env
        .run(
            r#"{ people(filter: {company: {name: {eq: "Acme"}}}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["people"]["totalCount"], json!(2), "{r}");
    let r = env
        .run(
            r#"{ people(filter: {company: {name: {eq: "Other"}}}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["people"]["totalCount"], json!(0), "{r}");
    // Another workspace sees none of it.
    let other = env.other().await;
    let r = other
        .run(
            "{ companies { totalCount edges { node { id } } } people { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["companies"]["totalCount"], json!(0), "{r}");
    assert_eq!(r["data"]["people"]["totalCount"], json!(0), "{r}");
    let r = other.run(r#"mutation { updatePerson(id: "30303030-0000-4000-8000-000000000001", data: {city: "X"}) { id } }"#, json!({})).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{r}"
    );
    // Update, delete, restore, destroy. A mutation writes its outbox events in the same
    // transaction: on PostgreSQL still ONE statement (a data-modifying CTE); on SQLite, which
    // has no DML in CTEs, THREE statements in one transaction (pending events with the
    // `before` images, the UPDATE, then the `after` images) — see tessera_query::outbox.
    let before = env.statements();
    let r = env
        .run(r#"mutation { updatePerson(id: "30303030-0000-4000-8000-000000000001", data: {city: "Rome"}) { city } }"#, json!({}))
        .await;
    assert_eq!(r["data"]["updatePerson"]["city"], json!("Rome"), "{r}");
    let expected = match kind {
        Kind::Postgres => 1,
        Kind::Sqlite => 3,
    };
    assert_eq!(
        env.statements() - before,
        expected,
        "statements of one update with its outbox event ({kind:?})"
    );
    let r = env
        .run(
            r#"mutation { deletePeople(filter: {city: {eq: "Rome"}}) { id deletedAt } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["deletePeople"].as_array().map(Vec::len),
        Some(1),
        "{r}"
    );
    let r = env
        .run(
            r#"{ person(filter: {city: {eq: "Rome"}}) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{r}"
    );
    let r = env.run(r#"mutation { restorePerson(id: "30303030-0000-4000-8000-000000000001") { deletedAt } }"#, json!({})).await;
    assert_eq!(r["data"]["restorePerson"]["deletedAt"], Value::Null, "{r}");
    let r = env
        .run(
            r#"mutation { destroyPeople(filter: {}) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["message"],
        json!("A non-empty filter is required"),
        "{r}"
    );
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );
    // Bad input: unknown field, bad enum, bad uuid, malformed.
    for q in [
        r#"{ people { edges { node { nope } } } }"#,
        r#"{ opportunities(filter: {stage: {eq: NOPE}}) { totalCount } }"#,
        r#"{ people(filter: {id: {eq: "not-a-uuid"}}) { totalCount } }"#,
        r#"{ people(first: 500) { totalCount } }"#,
        r#"{ people( { "#,
    ] {
        let r = env.run(q, json!({})).await;
        assert_eq!(
            r["errors"][0]["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{q}: {r}"
        );
    }
    // SDL is generated with Twenty's names.
    let sdl = env.schema.sdl();
    for needle in [
        "type PersonConnection",
        "input PersonFilterInput",
        "createPeople(",
        "enum OpportunityStageEnum",
        "type FullName",
    ] {
        assert!(sdl.contains(needle), "missing {needle}");
    }
}

#[tokio::test]
async fn every_field_type_sqlite() {
    every_field_type(Kind::Sqlite).await;
}

#[tokio::test]
async fn every_field_type_postgres() {
    every_field_type(Kind::Postgres).await;
}

async fn every_field_type(kind: Kind) {
    let env = Env::new(kind).await;
    let all = "id name textField numberField numericField booleanField uuidField dateField dateTimeField selectField multiSelectField ratingField rawJsonField arrayField richTextField { blocknote markdown } fullNameField { firstName lastName } emailsField { primaryEmail additionalEmails } phonesField { primaryPhoneNumber primaryPhoneCountryCode primaryPhoneCallingCode additionalPhones } linksField { primaryLinkUrl primaryLinkLabel secondaryLinks } currencyField { amountMicros currencyCode } addressField { addressStreet1 addressCity addressLat addressLng } actorField { source name } createdBy { source name } position personId";
    let data = json!({
        "id": "40404040-0000-4000-8000-000000000001", "name": "one", "textField": "hello", "numberField": 2.5,
        "numericField": 12345678901.5, "booleanField": true, "uuidField": "4F0C0000-0000-4000-8000-000000000001",
        "dateField": "2025-03-04", "dateTimeField": "2025-03-04T05:06:07+01:00", "selectField": "OPTION_2",
        "multiSelectField": ["OPTION_1", "OPTION_3"], "ratingField": "RATING_4", "rawJsonField": {"a": [1, "test"]},
        "arrayField": ["x", "Yes"], "richTextField": {"blocknote": "[]", "markdown": "**hi**"},
        "fullNameField": {"firstName": "Ada", "lastName": "Lovelace"},
        "emailsField": {"primaryEmail": "ada@example.com", "additionalEmails": ["a@b.c"]},
        "phonesField": {"primaryPhoneNumber": "123", "primaryPhoneCountryCode": "FR", "primaryPhoneCallingCode": "+33", "additionalPhones": []},
        "linksField": {"primaryLinkUrl": "https://x.io", "primaryLinkLabel": "X", "secondaryLinks": [{"url": "https://twenty.com", "label": "t"}]},
        "currencyField": {"amountMicros": 1500000, "currencyCode": "EUR"},
        "addressField": {"addressStreet1": "1 rue", "addressCity": "Paris", "addressLat": 48.85, "addressLng": 2.35},
        "actorField": {"source": "IMPORT"}, "position": 3
    });
    let r = env
        .run(
            &format!(
                "mutation($d: TestObjectCreateInput!) {{ createTestObject(data: $d) {{ {all} }} }}"
            ),
            json!({"d": data}),
        )
        .await;
    let o = &r["data"]["createTestObject"];
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(
        o["uuidField"],
        json!("4f0c0000-0000-4000-8000-000000000001")
    );
    assert_eq!(o["dateTimeField"], json!("2025-03-04T04:06:07.000Z"));
    assert_eq!(o["numericField"], json!(12345678901.5));
    assert_eq!(o["booleanField"], json!(true));
    assert_eq!(o["multiSelectField"], json!(["OPTION_1", "OPTION_3"]));
    assert_eq!(o["rawJsonField"], json!({"a": [1, "test"]}));
    assert_eq!(o["currencyField"]["amountMicros"], json!(1500000));
    assert_eq!(o["createdBy"]["source"], json!("API"));
    assert_eq!(o["actorField"]["source"], json!("IMPORT"));
    env.run(r#"mutation { createTestObject(data: {id: "40404040-0000-4000-8000-000000000002", name: "two", textField: ""}) { id } }"#, json!({})).await;
    let count = |f: &'static str| {
        let env = &env;
        async move {
            let r = env
                .run(
                    &format!("{{ testObjects(filter: {f}) {{ totalCount }} }}"),
                    json!({}),
                )
                .await;
            assert!(r.get("errors").is_none(), "{f}: {r}");
            r["data"]["testObjects"]["totalCount"]
                .as_i64()
                .unwrap_or(-1)
        }
    };
    for (f, n) in [
        (r#"{textField: {like: "%ell%"}}"#, 1),
        (r#"{textField: {like: "%ELL%"}}"#, 0),
        (r#"{textField: {ilike: "%ELL%"}}"#, 1),
        (r#"{textField: {startsWith: "he"}}"#, 1),
        (r#"{textField: {endsWith: "llo"}}"#, 1),
        (r#"{textField: {is: NULL}}"#, 1),
        (r#"{textField: {eq: ""}}"#, 1),
        (r#"{numberField: {gt: 2}}"#, 1),
        (r#"{numberField: {lte: 2}}"#, 0),
        (r#"{numericField: {gte: 12345678901.5}}"#, 1),
        (r#"{booleanField: {eq: true}}"#, 1),
        (
            r#"{uuidField: {in: ["4f0c0000-0000-4000-8000-000000000001"]}}"#,
            1,
        ),
        (r#"{dateField: {lt: "2025-03-05"}}"#, 1),
        (r#"{dateTimeField: {gte: "2025-03-04T04:06:07Z"}}"#, 1),
        (r#"{selectField: {in: [OPTION_2, OPTION_3]}}"#, 1),
        (r#"{selectField: {neq: OPTION_2}}"#, 0),
        (r#"{multiSelectField: {containsAny: [OPTION_3]}}"#, 1),
        (r#"{multiSelectField: {isEmptyArray: true}}"#, 1),
        (r#"{ratingField: {eq: RATING_4}}"#, 1),
        (r#"{rawJsonField: {like: "%test%"}}"#, 1),
        (r#"{arrayField: {containsIlike: "yes"}}"#, 1),
        (r#"{arrayField: {is: NULL}}"#, 1),
        (r#"{richTextField: {markdown: {ilike: "%HI%"}}}"#, 1),
        (r#"{fullNameField: {lastName: {eq: "Lovelace"}}}"#, 1),
        (r#"{emailsField: {additionalEmails: {is: NOT_NULL}}}"#, 1),
        (r#"{phonesField: {primaryPhoneCountryCode: {eq: "FR"}}}"#, 1),
        (r#"{linksField: {secondaryLinks: {like: "%twenty%"}}}"#, 1),
        (r#"{currencyField: {amountMicros: {eq: 1500000}}}"#, 1),
        (r#"{addressField: {addressCity: {eq: "Paris"}}}"#, 1),
        (r#"{actorField: {source: {eq: IMPORT}}}"#, 1),
        (r#"{or: [{name: {eq: "one"}}, {name: {eq: "two"}}]}"#, 2),
        (r#"{not: {name: {eq: "one"}}}"#, 1),
        (
            r#"{and: [{name: {eq: "one"}}, {textField: {is: NOT_NULL}}]}"#,
            1,
        ),
    ] {
        assert_eq!(count(f).await, n, "{f}");
    }
    let other = env.other().await;
    let r = other.run("{ testObjects { totalCount } }", json!({})).await;
    assert_eq!(r["data"]["testObjects"]["totalCount"], json!(0), "{r}");
    // Ordering by a SELECT follows option order; nulls placement is honoured.
    let r = env
        .run(
            "{ testObjects(orderBy: [{selectField: AscNullsFirst}]) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["testObjects"]["edges"][0]["node"]["name"],
        json!("two"),
        "{r}"
    );
    let r = env
        .run(
            "{ testObjects(orderBy: [{selectField: AscNullsLast}]) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["testObjects"]["edges"][0]["node"]["name"],
        json!("one"),
        "{r}"
    );
}

#[tokio::test]
async fn pagination_and_upsert_sqlite() {
    pagination_and_upsert(Kind::Sqlite).await;
}

#[tokio::test]
async fn pagination_and_upsert_postgres() {
    pagination_and_upsert(Kind::Postgres).await;
}

async fn pagination_and_upsert(kind: Kind) {
    let env = Env::new(kind).await;
    let people: Vec<Value> = (1..=7)
        .map(|i| {
            json!({"id": format!("30303030-0000-4000-8000-00000000000{i}"),
                   "city": if i == 4 { Value::Null } else { json!(format!("City {}", i % 5)) },
                   "emails": {"primaryEmail": format!("p{i}@x.com")}})
        })
        .collect();
    let r = env
        .run(
            "mutation($p: [PersonCreateInput!]!) { createPeople(data: $p) { id } }",
            json!({"p": people}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    let q = "query($first: Int, $after: String, $last: Int, $before: String) { people(first: $first, after: $after, last: $last, before: $before, orderBy: [{city: AscNullsLast}]) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id city } } } }";
    let ids = |r: &Value| -> Vec<String> {
        r["data"]["people"]["edges"]
            .as_array()
            .map(|e| {
                e.iter()
                    .map(|e| e["node"]["id"].as_str().unwrap_or("")[34..].to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    // Order: City 0 (5), City 1 (1, 6), City 2 (2, 7), City 3 (3), NULL (4).
    let p1 = env.run(q, json!({"first": 3})).await;
    assert_eq!(ids(&p1), ["05", "01", "06"], "{p1}");
    assert_eq!(p1["data"]["people"]["pageInfo"]["hasNextPage"], json!(true));
    assert_eq!(
        p1["data"]["people"]["pageInfo"]["hasPreviousPage"],
        json!(false)
    );
    assert_eq!(p1["data"]["people"]["totalCount"], json!(7));
    let p2 = env
        .run(
            q,
            json!({"first": 3, "after": p1["data"]["people"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(ids(&p2), ["02", "07", "03"], "{p2}");
    let p3 = env
        .run(
            q,
            json!({"first": 3, "after": p2["data"]["people"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(ids(&p3), ["04"], "{p3}");
    assert_eq!(
        p3["data"]["people"]["pageInfo"]["hasNextPage"],
        json!(false)
    );
    // Backwards from the last page's start.
    let b = env
        .run(
            q,
            json!({"last": 3, "before": p3["data"]["people"]["pageInfo"]["startCursor"]}),
        )
        .await;
    assert_eq!(ids(&b), ["02", "07", "03"], "{b}");
    assert_eq!(
        b["data"]["people"]["pageInfo"]["hasPreviousPage"],
        json!(true)
    );
    assert_eq!(b["data"]["people"]["pageInfo"]["hasNextPage"], json!(true));
    let last = env.run(q, json!({"last": 2})).await;
    assert_eq!(ids(&last), ["03", "04"], "{last}");
    // A record inserted before the cursor does not shift the next page.
    env.run(r#"mutation { createPerson(data: {id: "30303030-0000-4000-8000-000000000000", city: "City 0"}) { id } }"#, json!({})).await;
    let p2b = env
        .run(
            q,
            json!({"first": 3, "after": p1["data"]["people"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(ids(&p2b), ["02", "07", "03"], "{p2b}");
    // Errors.
    for (vars, needle) in [
        (
            json!({"first": 1, "last": 1}),
            "Cannot provide both first and last",
        ),
        (json!({"first": 201}), "must not be greater than 200"),
        (json!({"first": -1}), "non-negative"),
        (json!({"first": 1, "after": "bm9wZQ=="}), "Invalid cursor"),
    ] {
        let r = env.run(q, vars.clone()).await;
        assert_eq!(
            r["errors"][0]["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{vars}: {r}"
        );
        assert!(
            r["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains(needle),
            "{vars}: {r}"
        );
    }
    // Upsert: by email updates, by id updates, new inserts; nothing duplicated.
    let r = env
        .run(
            r#"mutation { createPeople(upsert: true, data: [
                {emails: {primaryEmail: "p2@x.com"}, jobTitle: "CEO"},
                {id: "30303030-0000-4000-8000-000000000003", jobTitle: "CTO"},
                {id: "30303030-0000-4000-8000-000000000009", jobTitle: "New"}]) { id jobTitle city } }"#,
            json!({}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    let r = env.run(r#"{ people(filter: {jobTitle: {is: NOT_NULL}}, orderBy: {jobTitle: AscNullsFirst}) { totalCount edges { node { id jobTitle city } } } }"#, json!({})).await;
    assert_eq!(r["data"]["people"]["totalCount"], json!(3), "{r}");
    assert_eq!(
        r["data"]["people"]["edges"][0]["node"],
        json!({"id": "30303030-0000-4000-8000-000000000002", "jobTitle": "CEO", "city": "City 2"})
    );
    let r = env.run("{ people { totalCount } }", json!({})).await;
    assert_eq!(r["data"]["people"]["totalCount"], json!(9), "{r}");
    // A failing createPeople writes nothing: the second record's email is taken.
    let r = env
        .run(
            r#"mutation { createPeople(data: [{id: "30303030-0000-4000-8000-0000000000aa", city: "Z"}, {emails: {primaryEmail: "p1@x.com"}}]) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("CONFLICT"),
        "{r}"
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("\"emails.primaryEmail\""),
        "{r}"
    );
    assert_eq!(r["data"]["createPeople"], Value::Null, "{r}");
    let r = env
        .run(
            r#"{ people(filter: {city: {eq: "Z"}}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["people"]["totalCount"], json!(0), "{r}");
}

/// Odd and hostile inputs never panic and always answer with a coded error.
#[tokio::test]
async fn hostile_inputs_get_coded_errors() {
    let env = Env::new(Kind::Sqlite).await;
    let cases: &[(&str, Value)] = &[
        (
            "{ people(filter: {city: {in: []}}) { totalCount } }",
            json!({}),
        ),
        (
            "{ people(filter: {and: [{}, {or: []}]}) { totalCount } }",
            json!({}),
        ),
        (
            "{ people(filter: {name: {firstName: {like: \"\\\\\"}}}) { totalCount } }",
            json!({}),
        ),
        (
            "{ people(orderBy: [{name: {firstName: AscNullsFirst}}, {}]) { totalCount } }",
            json!({}),
        ),
        (
            "query($f: PersonFilterInput) { people(filter: $f) { totalCount } }",
            json!({"f": {"position": {"gt": 1e308}}}),
        ),
        (
            "query($f: PersonFilterInput) { people(filter: $f) { totalCount } }",
            json!({"f": {"createdAt": {"gt": "not a date"}}}),
        ),
        (
            "query($f: TestObjectFilterInput) { testObjects(filter: $f) { totalCount } }",
            json!({"f": {"numberField": {"eq": "NaN"}}}),
        ),
        (
            "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
            json!({"d": {"position": "middle"}}),
        ),
        (
            "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
            json!({"d": {"companyId": "00000000-0000-4000-8000-00000000dead"}}),
        ),
        (
            "mutation($d: TestObjectCreateInput!) { createTestObject(data: $d) { id } }",
            json!({"d": {"dateField": "2025-02-30"}}),
        ),
        (
            "mutation($d: TestObjectCreateInput!) { createTestObject(data: $d) { id } }",
            json!({"d": {"multiSelectField": ["NOPE"]}}),
        ),
        (
            "mutation { updatePerson(id: \"nope\", data: {city: \"x\"}) { id } }",
            json!({}),
        ),
        ("mutation { createPeople(data: []) { id } }", json!({})),
        (
            "{ people(after: \"eyJpZCI6IDF9\") { totalCount } }",
            json!({}),
        ),
        ("{ people(offset: -3) { totalCount } }", json!({})),
        (
            "{ companies { edges { node { people { edges { node { company { people { edges { node { company { people { edges { node { company { people { edges { node { id } } } } } } } } } } } } } } } } } } } }",
            json!({}),
        ),
    ];
    // Every case but the first five (valid, if odd) is refused with a coded error.
    for (i, (q, vars)) in cases.iter().enumerate() {
        let r = env.run(q, vars.clone()).await;
        let code = r["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if i < 5 {
            assert!(r.get("errors").is_none(), "{q} {vars}: {r}");
        } else if *q == "mutation { createPeople(data: []) { id } }" {
            assert!(r.get("errors").is_none(), "{q}: {r}");
        } else {
            assert_eq!(code, "BAD_USER_INPUT", "{q} {vars}: {r}");
        }
    }
    // Empty lists and empty boolean groups are answered, not refused.
    let r = env
        .run(
            "{ people(filter: {city: {in: []}}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["people"]["totalCount"], json!(0), "{r}");
    let r = env
        .run("mutation { createPeople(data: []) { id } }", json!({}))
        .await;
    assert_eq!(r["data"]["createPeople"], json!([]), "{r}");
    // A dangling foreign key is a clear input error.
    let r = env
        .run(r#"mutation { createPerson(data: {companyId: "00000000-0000-4000-8000-00000000dead"}) { id } }"#, json!({}))
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{r}"
    );
}

/// An object whose type name ends in `Enum` is still an object (values are classified by the
/// field's declared kind, not by its type's name).
#[tokio::test]
async fn object_named_like_an_enum_is_an_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::connect(&StoreConfig {
        database_url: None,
        data_dir: dir.path().to_owned(),
    })
    .await
    .expect("store");
    let mut objects = standard::standard_objects();
    objects.push(
        standard::ObjectBuilder::new("statusEnum", "statusEnums", "Status", "Statuses")
            .flags(true, false)
            .with(standard::field(
                "name",
                "Name",
                tessera_metadata::FieldType::Text,
            ))
            .build(),
    );
    let ws = store
        .create_workspace("Enumish", objects)
        .await
        .expect("workspace");
    let schema = build_schema(store.workspace_model(ws).await.expect("model")).expect("schema");
    let runner = store.runner(ws).await.expect("runner");
    let run = |q: &'static str| {
        let req = async_graphql::Request::new(q).data(RequestContext {
            session: Session::system(ws, "API"),
            runner: runner.clone(),
        });
        let schema = schema.clone();
        async move { serde_json::to_value(finish_response(schema.execute(req).await)).expect("json") }
    };
    let r = run(r#"mutation { createStatusEnum(data: {name: "Open"}) { name } }"#).await;
    assert_eq!(r["data"]["createStatusEnum"]["name"], json!("Open"), "{r}");
    let r = run("{ statusEnums { edges { node { name } } } }").await;
    assert_eq!(
        r["data"]["statusEnums"]["edges"][0]["node"]["name"],
        json!("Open"),
        "{r}"
    );
}
