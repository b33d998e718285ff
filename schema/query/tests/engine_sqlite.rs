//! End-to-end check of the compiler on a real in-memory SQLite database with the standard
//! objects (tables created with untyped columns; the store crate owns the real DDL).

use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};
use serde_json::{Value, json};
use tessera_core::{Actor, Session, WorkspaceId};
use tessera_metadata::{WorkspaceModel, standard};
use tessera_query::*;

struct Runner(DatabaseConnection, std::sync::atomic::AtomicU64);

impl SqlRunner for Runner {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn schema(&self) -> Option<&str> {
        None
    }
    fn fetch_json(&self, s: Statement) -> BoxFuture<'_, Result<Vec<String>, RunError>> {
        Box::pin(async move {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if std::env::var("SHOW_SQL").is_ok() {
                eprintln!("SQL: {}\n  {:?}", s.sql, s.values);
            }
            let rows = self
                .0
                .query_all_raw(sea_orm::Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    s.sql,
                    s.values,
                ))
                .await
                .map_err(|e| RunError::Other(e.to_string()))?;
            rows.iter()
                .map(|r| {
                    r.try_get_by_index::<String>(0)
                        .map_err(|e| RunError::Other(e.to_string()))
                })
                .collect()
        })
    }
    fn fetch_json_in_transaction(
        &self,
        s: Vec<Statement>,
    ) -> BoxFuture<'_, Result<Vec<Vec<String>>, RunError>> {
        Box::pin(async move {
            let mut out = vec![];
            for st in s {
                out.push(self.fetch_json(st).await?);
            }
            Ok(out)
        })
    }
}

async fn setup() -> (Runner, WorkspaceModel, Session) {
    let ws = WorkspaceId::new_random();
    let mut objects = standard::standard_objects();
    standard::add_demo_custom_fields(&mut objects);
    let model = WorkspaceModel::build(ws, 1, &objects).expect("model");
    let db = Database::connect("sqlite::memory:").await.expect("db");
    for o in &model.objects {
        let cols: Vec<String> = o
            .columns()
            .map(|c| {
                let ty = match c.kind {
                    tessera_metadata::ScalarKind::Float
                    | tessera_metadata::ScalarKind::Int
                    | tessera_metadata::ScalarKind::Position => " REAL",
                    tessera_metadata::ScalarKind::Numeric => " NUMERIC",
                    tessera_metadata::ScalarKind::Boolean => " INTEGER",
                    _ => " TEXT",
                };
                format!(
                    "\"{}\"{ty}{}",
                    c.name,
                    if c.name == "id" { " PRIMARY KEY" } else { "" }
                )
            })
            .collect();
        db.execute_unprepared(&format!(
            "CREATE TABLE \"{}\" ({})",
            o.table,
            cols.join(", ")
        ))
        .await
        .expect("ddl");
    }
    db.execute_unprepared(
        "CREATE UNIQUE INDEX p_email ON person(\"emailsPrimaryEmail\") WHERE \"deletedAt\" IS NULL",
    )
    .await
    .expect("idx");
    let session = Session {
        workspace_id: ws,
        actor: Actor::System { source: "API" },
    };
    (Runner(db, Default::default()), model, session)
}

fn sel(fields: &[&str]) -> RecordSelection {
    RecordSelection {
        fields: fields
            .iter()
            .map(|f| SelectedField {
                key: (*f).into(),
                field: (*f).into(),
                selected: Selected::Column,
            })
            .collect(),
    }
}

fn rec(v: Value) -> RecordInput {
    RecordInput(v.as_object().cloned().expect("object"))
}

#[tokio::test]
async fn create_query_nest_paginate() {
    let (r, model, s) = setup().await;
    let c1 = "20202020-0000-4000-8000-000000000001";
    let out = execute(
        &r,
        &model,
        &s,
        &Operation::Create {
            object: "company".into(),
            records: vec![rec(
                json!({"id": c1, "name": "Acme", "employees": 5, "idealCustomerProfile": true}),
            )],
            upsert: false,
            selection: sel(&["id", "name", "employees", "idealCustomerProfile"]),
            many: false,
        },
    )
    .await
    .expect("create company");
    assert_eq!(
        out,
        json!({"id": c1, "name": "Acme", "employees": 5, "idealCustomerProfile": true})
    );

    let people: Vec<RecordInput> = (1..=5)
        .map(|i| rec(json!({"id": format!("30303030-0000-4000-8000-00000000000{i}"), "city": format!("City {i}"),
            "name": {"firstName": format!("P{i}"), "lastName": "X"}, "companyId": c1,
            "emails": {"primaryEmail": format!("p{i}@x.com")}})))
        .collect();
    let out = execute(
        &r,
        &model,
        &s,
        &Operation::Create {
            object: "person".into(),
            records: people,
            upsert: false,
            selection: sel(&["id"]),
            many: true,
        },
    )
    .await
    .expect("create people");
    assert_eq!(out.as_array().map(Vec::len), Some(5));

    // company { people(first: 2, orderBy: city desc) { edges { node { city company { name } } } totalCount } }
    let nested = ConnectionQuery {
        object: "person".into(),
        filter: None,
        order_by: vec![OrderTerm {
            target: FieldRef::Field {
                field: "city".into(),
                sub_field: None,
            },
            direction: OrderDirection::DescNullsLast,
        }],
        page: Page {
            first: Some(2),
            ..Default::default()
        },
        selection: ConnectionSelection {
            node: RecordSelection {
                fields: vec![
                    SelectedField {
                        key: "city".into(),
                        field: "city".into(),
                        selected: Selected::Column,
                    },
                    SelectedField {
                        key: "company".into(),
                        field: "company".into(),
                        selected: Selected::ManyToOne(sel(&["name"])),
                    },
                ],
            },
            edges: true,
            page_info: true,
            total_count: true,
        },
    };
    let q = ConnectionQuery {
        object: "company".into(),
        filter: None,
        order_by: vec![],
        page: Page::default(),
        selection: ConnectionSelection {
            node: RecordSelection {
                fields: vec![
                    SelectedField {
                        key: "name".into(),
                        field: "name".into(),
                        selected: Selected::Column,
                    },
                    SelectedField {
                        key: "people".into(),
                        field: "people".into(),
                        selected: Selected::OneToMany(Box::new(nested)),
                    },
                ],
            },
            edges: true,
            page_info: true,
            total_count: true,
        },
    };
    let before = r.1.load(std::sync::atomic::Ordering::SeqCst);
    let out = execute(&r, &model, &s, &Operation::FindMany(q))
        .await
        .expect("find");
    assert_eq!(
        r.1.load(std::sync::atomic::Ordering::SeqCst) - before,
        1,
        "one statement"
    );
    let people = &out["edges"][0]["node"]["people"];
    assert_eq!(people["totalCount"], json!(5));
    assert_eq!(people["edges"][0]["node"]["city"], json!("City 5"));
    assert_eq!(people["edges"][1]["node"]["company"]["name"], json!("Acme"));
    assert_eq!(people["pageInfo"]["hasNextPage"], json!(true));

    // Page through people 2 at a time forwards, then backwards.
    let page = |first: Option<i64>,
                after: Option<String>,
                last: Option<i64>,
                before: Option<String>| ConnectionQuery {
        object: "person".into(),
        filter: Some(Filter::Condition {
            target: FieldRef::Field {
                field: "name".into(),
                sub_field: Some("lastName".into()),
            },
            op: FilterOp::Eq,
            value: json!("X"),
        }),
        order_by: vec![OrderTerm {
            target: FieldRef::Field {
                field: "city".into(),
                sub_field: None,
            },
            direction: OrderDirection::AscNullsFirst,
        }],
        page: Page {
            first,
            after,
            last,
            before,
            offset: None,
        },
        selection: ConnectionSelection {
            node: sel(&["city"]),
            edges: true,
            page_info: true,
            total_count: false,
        },
    };
    let p1 = execute(
        &r,
        &model,
        &s,
        &Operation::FindMany(page(Some(2), None, None, None)),
    )
    .await
    .expect("p1");
    let end = p1["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let p2 = execute(
        &r,
        &model,
        &s,
        &Operation::FindMany(page(Some(2), Some(end), None, None)),
    )
    .await
    .expect("p2");
    let cities: Vec<_> = p2["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["city"].clone())
        .collect();
    assert_eq!(cities, vec![json!("City 3"), json!("City 4")]);
    assert_eq!(p2["pageInfo"]["hasPreviousPage"], json!(true));
    let start = p2["pageInfo"]["startCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let back = execute(
        &r,
        &model,
        &s,
        &Operation::FindMany(page(None, None, Some(2), Some(start))),
    )
    .await
    .expect("back");
    let cities: Vec<_> = back["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["city"].clone())
        .collect();
    assert_eq!(cities, vec![json!("City 1"), json!("City 2")]);

    // Soft delete hides; filter on deletedAt shows; restore; destroy.
    let del = execute(
        &r,
        &model,
        &s,
        &Operation::Delete {
            object: "person".into(),
            target: Target::Id("30303030-0000-4000-8000-000000000001".into()),
            selection: sel(&["id", "deletedAt"]),
        },
    )
    .await
    .expect("delete");
    assert!(del["deletedAt"].is_string());
    let count = |f: Option<Filter>| ConnectionQuery {
        object: "person".into(),
        filter: f,
        order_by: vec![],
        page: Page::default(),
        selection: ConnectionSelection {
            node: RecordSelection::default(),
            edges: false,
            page_info: false,
            total_count: true,
        },
    };
    let n = execute(&r, &model, &s, &Operation::FindMany(count(None)))
        .await
        .expect("count");
    assert_eq!(n["totalCount"], json!(4));
    let n = execute(
        &r,
        &model,
        &s,
        &Operation::FindMany(count(Some(Filter::Condition {
            target: FieldRef::Field {
                field: "deletedAt".into(),
                sub_field: None,
            },
            op: FilterOp::Is,
            value: json!("NOT_NULL"),
        }))),
    )
    .await
    .expect("count");
    assert_eq!(n["totalCount"], json!(1));

    // Upsert by email updates, by new id inserts.
    let up = execute(
        &r,
        &model,
        &s,
        &Operation::Create {
            object: "person".into(),
            records: vec![
                rec(json!({"emails": {"primaryEmail": "p2@x.com"}, "jobTitle": "CEO"})),
                rec(json!({"id": "30303030-0000-4000-8000-000000000009", "jobTitle": "New"})),
            ],
            upsert: true,
            selection: sel(&["id", "jobTitle"]),
            many: true,
        },
    )
    .await
    .expect("upsert");
    assert_eq!(up.as_array().map(Vec::len), Some(2));
    let n = execute(&r, &model, &s, &Operation::FindMany(count(None)))
        .await
        .expect("count");
    assert_eq!(n["totalCount"], json!(5));

    // Bad input.
    let err = execute(
        &r,
        &model,
        &s,
        &Operation::Update {
            object: "person".into(),
            target: Target::Filter(Filter::And(vec![])),
            data: rec(json!({"city": "x"})),
            selection: sel(&["id"]),
        },
    )
    .await
    .expect_err("empty filter");
    assert_eq!(err.to_string(), "A non-empty filter is required");
    let err = execute(
        &r,
        &model,
        &s,
        &Operation::FindMany(page(Some(201), None, None, None)),
    )
    .await
    .expect_err("too big");
    assert!(err.to_string().contains("200"));
    let err = execute(
        &r,
        &model,
        &s,
        &Operation::FindMany(page(Some(2), Some("garbage".into()), None, None)),
    )
    .await
    .expect_err("cursor");
    assert!(err.to_string().contains("Invalid cursor"));
}
