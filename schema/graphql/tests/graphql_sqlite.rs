//! GraphQL layer over a real in-memory SQLite database (untyped tables; the store crate owns
//! the real DDL and has the cross-store suite).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};
use serde_json::{Value, json};
use tessera_core::{Actor, Session, WorkspaceId};
use tessera_graphql::{RequestContext, build_schema, finish_response};
use tessera_metadata::{WorkspaceModel, standard};
use tessera_query::{Dialect, RunError, SqlRunner, Statement};

struct Runner(DatabaseConnection, AtomicU64);

impl SqlRunner for Runner {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn schema(&self) -> Option<&str> {
        None
    }
    fn fetch_json(&self, s: Statement) -> BoxFuture<'_, Result<Vec<String>, RunError>> {
        Box::pin(async move {
            self.1.fetch_add(1, Ordering::SeqCst);
            if std::env::var("SHOW_SQL").is_ok() {
                eprintln!("SQL: {}\n  {:?}", s.sql, s.values);
            }
            let rows = self
                .0
                .query_all_raw(sea_orm::Statement::from_sql_and_values(DbBackend::Sqlite, s.sql, s.values))
                .await
                .map_err(|e| RunError::Other(e.to_string()))?;
            rows.iter()
                .map(|r| r.try_get_by_index::<String>(0).map_err(|e| RunError::Other(e.to_string())))
                .collect()
        })
    }
    fn fetch_json_in_transaction(&self, s: Vec<Statement>) -> BoxFuture<'_, Result<Vec<Vec<String>>, RunError>> {
        Box::pin(async move {
            let mut out = vec![];
            for st in s {
                out.push(self.fetch_json(st).await?);
            }
            Ok(out)
        })
    }
}

struct Env {
    runner: Arc<Runner>,
    schema: async_graphql::dynamic::Schema,
    session: Session,
}

impl Env {
    async fn new() -> Self {
        let ws = WorkspaceId::new_random();
        let mut objects = standard::standard_objects();
        standard::add_demo_custom_fields(&mut objects);
        standard::add_test_fixture_objects(&mut objects);
        let model = Arc::new(WorkspaceModel::build(ws, 1, &objects).expect("model"));
        let db = Database::connect("sqlite::memory:").await.expect("db");
        for o in &model.objects {
            let cols: Vec<String> = o
                .columns()
                .map(|c| {
                    let ty = match c.kind {
                        tessera_metadata::ScalarKind::Float
                        | tessera_metadata::ScalarKind::Int
                        | tessera_metadata::ScalarKind::Position => " REAL",
                        tessera_metadata::ScalarKind::Boolean => " INTEGER",
                        tessera_metadata::ScalarKind::Numeric => " NUMERIC",
                        _ => " TEXT",
                    };
                    format!("\"{}\"{ty}", c.name)
                })
                .collect();
            db.execute_unprepared(&format!("CREATE TABLE \"{}\" ({})", o.table, cols.join(", ")))
                .await
                .expect("ddl");
        }
        let schema = build_schema(model).expect("schema");
        Self {
            runner: Arc::new(Runner(db, AtomicU64::new(0))),
            schema,
            session: Session { workspace_id: ws, actor: Actor::System { source: "API" } },
        }
    }

    async fn run(&self, query: &str, vars: Value) -> Value {
        let req = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(vars))
            .data(RequestContext { session: self.session.clone(), runner: self.runner.clone() });
        let resp = finish_response(self.schema.execute(req).await);
        serde_json::to_value(&resp).expect("json")
    }
}

#[tokio::test]
async fn crud_and_nested_in_one_statement() {
    let env = Env::new().await;
    let r = env
        .run(
            r#"mutation($c: CompanyCreateInput!) { createCompany(data: $c) { id name domainName { primaryLinkUrl } } }"#,
            json!({"c": {"id": "20202020-0000-4000-8000-000000000001", "name": "Acme", "domainName": {"primaryLinkUrl": "acme.com"}}}),
        )
        .await;
    assert_eq!(r["data"]["createCompany"]["domainName"]["primaryLinkUrl"], json!("acme.com"), "{r}");
    let r = env
        .run(
            r#"mutation($p: [PersonCreateInput!]!) { createPeople(data: $p) { id name { firstName } company { name } } }"#,
            json!({"p": [
                {"id": "30303030-0000-4000-8000-000000000001", "name": {"firstName": "Ada", "lastName": "L"}, "companyId": "20202020-0000-4000-8000-000000000001", "city": "London"},
                {"id": "30303030-0000-4000-8000-000000000002", "name": {"firstName": "Bob", "lastName": "M"}, "companyId": "20202020-0000-4000-8000-000000000001", "city": "Paris"}
            ]}),
        )
        .await;
    assert_eq!(r["data"]["createPeople"][0]["company"]["name"], json!("Acme"), "{r}");
    // Two levels of nesting, one statement.
    let before = env.runner.1.load(Ordering::SeqCst);
    let r = env
        .run(
            r#"query { companies(first: 10) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __typename id name ...F people(orderBy: [{city: DescNullsLast}]) { totalCount edges { node { city c: company { name people { totalCount } } } } } } } } }
               fragment F on Company { name domainName { primaryLinkUrl } }"#,
            json!({}),
        )
        .await;
    assert_eq!(env.runner.1.load(Ordering::SeqCst) - before, 1, "one statement for the whole root field");
    assert!(r.get("errors").is_none(), "{r}");
    let company = &r["data"]["companies"]["edges"][0]["node"];
    assert_eq!(company["__typename"], json!("Company"));
    assert_eq!(company["people"]["totalCount"], json!(2));
    assert_eq!(company["people"]["edges"][0]["node"]["city"], json!("Paris"));
    assert_eq!(company["people"]["edges"][0]["node"]["c"]["people"]["totalCount"], json!(2));
    // Update, delete, restore, destroy.
    let r = env
        .run(r#"mutation { updatePerson(id: "30303030-0000-4000-8000-000000000001", data: {city: "Rome"}) { city } }"#, json!({}))
        .await;
    assert_eq!(r["data"]["updatePerson"]["city"], json!("Rome"), "{r}");
    let r = env.run(r#"mutation { deletePeople(filter: {city: {eq: "Rome"}}) { id deletedAt } }"#, json!({})).await;
    assert_eq!(r["data"]["deletePeople"].as_array().map(Vec::len), Some(1), "{r}");
    let r = env.run(r#"{ person(filter: {city: {eq: "Rome"}}) { id } }"#, json!({})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], json!("NOT_FOUND"), "{r}");
    let r = env.run(r#"mutation { restorePerson(id: "30303030-0000-4000-8000-000000000001") { deletedAt } }"#, json!({})).await;
    assert_eq!(r["data"]["restorePerson"]["deletedAt"], Value::Null, "{r}");
    let r = env.run(r#"mutation { destroyPeople(filter: {}) { id } }"#, json!({})).await;
    assert_eq!(r["errors"][0]["message"], json!("A non-empty filter is required"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["code"], json!("BAD_USER_INPUT"), "{r}");
    // Bad input: unknown field, bad enum, bad uuid, malformed.
    for q in [
        r#"{ people { edges { node { nope } } } }"#,
        r#"{ opportunities(filter: {stage: {eq: NOPE}}) { totalCount } }"#,
        r#"{ people(filter: {id: {eq: "not-a-uuid"}}) { totalCount } }"#,
        r#"{ people(first: 500) { totalCount } }"#,
        r#"{ people( { "#,
    ] {
        let r = env.run(q, json!({})).await;
        assert_eq!(r["errors"][0]["extensions"]["code"], json!("BAD_USER_INPUT"), "{q}: {r}");
    }
    // SDL is generated with Twenty's names.
    let sdl = env.schema.sdl();
    for needle in ["type PersonConnection", "input PersonFilterInput", "createPeople(", "enum OpportunityStageEnum", "type FullName"] {
        assert!(sdl.contains(needle), "missing {needle}");
    }
}

#[tokio::test]
async fn every_field_type_round_trips_and_filters() {
    let env = Env::new().await;
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
    let r = env.run(&format!("mutation($d: TestObjectCreateInput!) {{ createTestObject(data: $d) {{ {all} }} }}"), json!({"d": data})).await;
    let o = &r["data"]["createTestObject"];
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(o["uuidField"], json!("4f0c0000-0000-4000-8000-000000000001"));
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
            let r = env.run(&format!("{{ testObjects(filter: {f}) {{ totalCount }} }}"), json!({})).await;
            assert!(r.get("errors").is_none(), "{f}: {r}");
            r["data"]["testObjects"]["totalCount"].as_i64().unwrap_or(-1)
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
        (r#"{uuidField: {in: ["4f0c0000-0000-4000-8000-000000000001"]}}"#, 1),
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
        (r#"{and: [{name: {eq: "one"}}, {textField: {is: NOT_NULL}}]}"#, 1),
    ] {
        assert_eq!(count(f).await, n, "{f}");
    }
    // Ordering by a SELECT follows option order; nulls placement is honoured.
    let r = env.run("{ testObjects(orderBy: [{selectField: AscNullsFirst}]) { edges { node { name } } } }", json!({})).await;
    assert_eq!(r["data"]["testObjects"]["edges"][0]["node"]["name"], json!("two"), "{r}");
    let r = env.run("{ testObjects(orderBy: [{selectField: AscNullsLast}]) { edges { node { name } } } }", json!({})).await;
    assert_eq!(r["data"]["testObjects"]["edges"][0]["node"]["name"], json!("one"), "{r}");
}
