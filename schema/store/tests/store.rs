//! Store behaviour on SQLite and PostgreSQL: migrations, workspace creation, metadata
//! round-trips, DDL, constraint classification, atomicity, API keys and tenant isolation.

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use serde_json::json;
use tessera_core::WorkspaceId;
use tessera_metadata::standard::{ObjectBuilder, field, standard_objects};
use tessera_metadata::{FieldType, WorkspaceModel};
use tessera_query::{RunError, SqlRunner, Statement};
use tessera_store::{Store, StoreConfig, StoreError};
use uuid::Uuid;

use common::{count, count_statement, row};

fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

async fn standard_workspace(store: &Store) -> WorkspaceId {
    store
        .create_workspace(&unique_name("ws"), standard_objects())
        .await
        .expect("create workspace")
}

async fn connect_twice(store: Store) {
    // Migrations are idempotent: a second connection to the same database migrates nothing.
    let config = match store.dialect() {
        tessera_query::Dialect::Postgres => StoreConfig {
            database_url: Some(common::pg_url()),
            data_dir: std::env::temp_dir(),
        },
        tessera_query::Dialect::Sqlite => return sqlite_connect_twice().await,
    };
    let again = Store::connect(&config).await.expect("second connect");
    again.ping().await.expect("ping");
    let ws = standard_workspace(&store).await;
    assert!(again.workspace(ws).await.expect("lookup").is_some());
}

async fn sqlite_connect_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = StoreConfig {
        database_url: None,
        data_dir: dir.path().to_path_buf(),
    };
    let first = Store::connect(&config).await.expect("first connect");
    let ws = standard_workspace(&first).await;
    drop(first);
    let second = Store::connect(&config).await.expect("second connect");
    assert!(second.workspace(ws).await.expect("lookup").is_some());
    assert_eq!(count(&second, ws, "person").await, 0);
}
both!(connect_twice);

async fn workspace_model_round_trips(store: Store) {
    let objects = standard_objects();
    let name = unique_name("roundtrip");
    let ws = store
        .create_workspace(&name, objects.clone())
        .await
        .expect("create");
    let built = WorkspaceModel::build(ws, 1, &objects).expect("build");
    let loaded = store.workspace_model(ws).await.expect("load");
    assert_eq!(*loaded, built);
    assert_eq!(store.metadata_version(ws).await.expect("version"), 1);
    let record = store.workspace(ws).await.expect("lookup").expect("exists");
    assert_eq!(record.display_name, name);
    assert_eq!(record.activation_status, "ACTIVE");
    assert_eq!(record.metadata_version, 1);
    match store.dialect() {
        tessera_query::Dialect::Postgres => assert_eq!(record.database_schema, ws.schema_name()),
        tessera_query::Dialect::Sqlite => assert_eq!(record.database_schema, format!("{ws}.db")),
    }
    assert!(
        store
            .list_workspaces()
            .await
            .expect("list")
            .iter()
            .any(|w| w.id == ws)
    );
    assert!(
        store
            .workspace(WorkspaceId::new_random())
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(matches!(
        store.metadata_version(WorkspaceId::new_random()).await,
        Err(StoreError::WorkspaceNotFound(_))
    ));
}
both!(workspace_model_round_trips);

async fn tables_and_columns_exist(store: Store) {
    let ws = standard_workspace(&store).await;
    let company = Uuid::new_v4().to_string();
    let inserted = store
        .insert_rows(
            ws,
            "company",
            &[row(json!({
                "id": company, "name": "Acme", "domainNamePrimaryLinkUrl": "acme.test",
                "employees": 12, "annualRecurringRevenueAmountMicros": 5_000_000_000_i64,
                "annualRecurringRevenueCurrencyCode": "USD", "createdBySource": "IMPORT",
                "addressAddressLat": 1.5
            }))],
        )
        .await
        .expect("insert company");
    assert_eq!(inserted, 1);
    let people: Vec<_> = (0..450)
        .map(|i| {
            row(json!({
                "nameFirstName": format!("P{i}"), "emailsPrimaryEmail": format!("p{i}@acme.test"),
                "emailsAdditionalEmails": ["x@y.z"], "companyId": company,
                "createdAt": "2026-01-02T03:04:05.678Z", "position": i
            }))
        })
        .collect();
    assert_eq!(
        store
            .insert_rows(ws, "person", &people)
            .await
            .expect("insert people"),
        450
    );
    assert_eq!(count(&store, ws, "person").await, 450);
    let opportunity = row(
        json!({"name": "Deal", "stage": "MEETING", "closeDate": "2027-02-05T00:00:00.000Z",
        "amountAmountMicros": 2_500_000_000_000_i64, "amountCurrencyCode": "USD"}),
    );
    store
        .insert_rows(ws, "opportunity", &[opportunity])
        .await
        .expect("insert opportunity");

    // Defaults apply to omitted columns: the stage defaults to NEW, createdBy.name to 'System'.
    store
        .insert_rows(ws, "opportunity", &[row(json!({"name": "Default stage"}))])
        .await
        .expect("insert with defaults");
    let runner = store.runner(ws).await.expect("runner");
    let sql = match runner.schema() {
        Some(s) => format!(
            "SELECT json_build_object('stage', \"stage\", 'by', \"createdByName\", 'src', \"createdBySource\")::text AS j FROM \"{s}\".\"opportunity\" WHERE \"name\" = 'Default stage'"
        ),
        None => "SELECT json_object('stage', \"stage\", 'by', \"createdByName\", 'src', \"createdBySource\") AS j FROM \"opportunity\" WHERE \"name\" = 'Default stage'".to_owned(),
    };
    let rows = runner
        .fetch_json(Statement {
            sql,
            values: sea_query::Values(vec![]),
        })
        .await
        .expect("select defaults");
    let value: serde_json::Value = serde_json::from_str(&rows[0]).expect("json");
    assert_eq!(
        value,
        json!({"stage": "NEW", "by": "System", "src": "MANUAL"})
    );

    let unknown = store
        .insert_rows(ws, "person", &[row(json!({"nope": 1}))])
        .await;
    assert!(
        matches!(unknown, Err(StoreError::UnknownColumn { ref column, .. }) if column == "nope")
    );
    let bad_enum = store
        .insert_rows(ws, "opportunity", &[row(json!({"stage": "WON"}))])
        .await;
    assert!(
        matches!(bad_enum, Err(StoreError::InvalidValue { ref column, .. }) if column == "stage")
    );
    let unknown_object = store.insert_rows(ws, "spaceship", &[row(json!({}))]).await;
    assert!(matches!(unknown_object, Err(StoreError::UnknownObject(_))));
}
both!(tables_and_columns_exist);

async fn constraint_violations_are_classified(store: Store) {
    let ws = standard_workspace(&store).await;
    // Foreign key: a person pointing at a missing company.
    let fk = store
        .insert_rows(
            ws,
            "person",
            &[row(json!({"companyId": Uuid::new_v4().to_string()}))],
        )
        .await;
    assert!(
        matches!(
            fk,
            Err(StoreError::Run(RunError::ForeignKeyViolation { .. }))
        ),
        "{fk:?}"
    );

    // Unique: two live people with the same primary email; a soft-deleted one does not count.
    let person = |email: &str, deleted: bool| {
        let mut r = row(json!({"emailsPrimaryEmail": email}));
        if deleted {
            r.insert("deletedAt".into(), json!("2026-01-01T00:00:00Z"));
        }
        r
    };
    store
        .insert_rows(ws, "person", &[person("a@x.test", true)])
        .await
        .expect("deleted one");
    store
        .insert_rows(ws, "person", &[person("a@x.test", false)])
        .await
        .expect("live one");
    let dup = store
        .insert_rows(ws, "person", &[person("a@x.test", false)])
        .await;
    match dup {
        Err(StoreError::Run(RunError::UniqueViolation { constraint })) => {
            assert_eq!(constraint, "person.emailsPrimaryEmail");
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }

    // Not null: stage is required.
    let nn = store
        .insert_rows(ws, "opportunity", &[row(json!({"stage": null}))])
        .await;
    match nn {
        Err(StoreError::Run(RunError::NotNullViolation { column })) => assert_eq!(column, "stage"),
        other => panic!("expected a not-null violation, got {other:?}"),
    }

    // The same classification through the runner, and a failed transaction writes nothing.
    let runner = store.runner(ws).await.expect("runner");
    let insert = |email: &str| {
        let (sql, value) = match runner.schema() {
            Some(s) => (
                format!("INSERT INTO \"{s}\".\"person\" (\"emailsPrimaryEmail\") VALUES ($1)"),
                sea_query::Value::String(Some(email.to_owned())),
            ),
            None => (
                "INSERT INTO \"person\" (\"emailsPrimaryEmail\") VALUES (?1)".to_owned(),
                sea_query::Value::String(Some(email.to_owned())),
            ),
        };
        Statement {
            sql,
            values: sea_query::Values(vec![value]),
        }
    };
    let before = count(&store, ws, "person").await;
    let statements_before = runner.statement_count();
    let result = runner
        .fetch_json_in_transaction(vec![insert("new@x.test"), insert("a@x.test")])
        .await;
    assert!(
        matches!(result, Err(RunError::UniqueViolation { .. })),
        "{result:?}"
    );
    assert_eq!(runner.statement_count(), statements_before + 2);
    assert_eq!(count(&store, ws, "person").await, before);
    let ok = runner
        .fetch_json_in_transaction(vec![insert("b@x.test"), insert("c@x.test")])
        .await
        .expect("transaction");
    assert_eq!(ok, vec![Vec::<String>::new(), Vec::new()]);
    assert_eq!(count(&store, ws, "person").await, before + 2);
    let invalid = runner
        .fetch_json(Statement {
            sql: "SELECT no_such_column AS j".to_owned(),
            values: sea_query::Values(vec![]),
        })
        .await;
    assert!(matches!(invalid, Err(RunError::Other(_))), "{invalid:?}");
}
both!(constraint_violations_are_classified);

async fn invalid_metadata_creates_nothing(store: Store) {
    // Rejected by the model: two objects named `person`.
    let mut objects = standard_objects();
    objects.push(ObjectBuilder::new("person", "persons", "Person", "Persons").build());
    let name = unique_name("invalid");
    let err = store
        .create_workspace(&name, objects)
        .await
        .expect_err("duplicate names");
    assert!(matches!(err, StoreError::Metadata(_)), "{err:?}");

    // Rejected by the DDL generator: a SELECT default that is not an option.
    let mut objects = standard_objects();
    let task = objects
        .iter_mut()
        .find(|o| o.name_singular == "task")
        .expect("task");
    let status = task
        .fields
        .iter_mut()
        .find(|f| f.name == "status")
        .expect("status");
    status.default_value = Some(json!("'NOPE'"));
    let err = store
        .create_workspace(&name, objects)
        .await
        .expect_err("bad default");
    assert!(matches!(err, StoreError::InvalidDefault { .. }), "{err:?}");

    // Valid metadata that the database refuses midway (two tables named `_pet`): rolled back.
    let mut objects = standard_objects();
    objects.push(
        ObjectBuilder::new("pet", "pets", "Pet", "Pets")
            .flags(true, false)
            .build(),
    );
    objects.push(ObjectBuilder::new("_pet", "_pets", "Pet", "Pets").build());
    let err = store
        .create_workspace(&name, objects)
        .await
        .expect_err("table clash");
    assert!(matches!(err, StoreError::Database(_)), "{err:?}");

    let all = store.list_workspaces().await.expect("list");
    assert!(
        !all.iter().any(|w| w.display_name == name),
        "a failed workspace was recorded"
    );
}

#[tokio::test]
async fn invalid_metadata_leaves_no_sqlite_file() {
    let (store, dir) = common::sqlite().await;
    invalid_metadata_creates_nothing(store).await;
    let files: Vec<_> = std::fs::read_dir(dir.path().join("workspaces"))
        .expect("workspaces dir")
        .collect();
    assert!(files.is_empty(), "left behind: {files:?}");
}

#[tokio::test]
async fn invalid_metadata_leaves_no_postgres_schema() {
    let store = common::postgres().await;
    invalid_metadata_creates_nothing(store.clone()).await;
}

async fn api_keys(store: Store) {
    let ws = standard_workspace(&store).await;
    let other = standard_workspace(&store).await;
    let expires = Utc::now() + Duration::days(30);
    let fixed = Uuid::new_v4();
    let key = store
        .create_api_key(ws, "CI key", expires, Some(fixed))
        .await
        .expect("create");
    assert_eq!(key.id, fixed);
    assert_eq!(key.workspace_id, ws);
    assert_eq!(key.name, "CI key");
    assert!((key.expires_at - expires).num_milliseconds().abs() <= 1);
    assert!(key.revoked_at.is_none());
    assert!(key.is_usable_at(Utc::now()));
    assert_eq!(
        store.api_key(ws, fixed).await.expect("get"),
        Some(key.clone())
    );
    // Keys are per workspace: the same id is invisible elsewhere, and may exist there too.
    assert_eq!(store.api_key(other, fixed).await.expect("get"), None);
    store
        .create_api_key(other, "same id", expires, Some(fixed))
        .await
        .expect("same id elsewhere");
    assert!(matches!(
        store.create_api_key(ws, "dup", expires, Some(fixed)).await,
        Err(StoreError::ApiKeyExists(_))
    ));
    assert!(matches!(
        store
            .create_api_key(WorkspaceId::new_random(), "orphan", expires, None)
            .await,
        Err(StoreError::WorkspaceNotFound(_))
    ));
    let fresh = store
        .create_api_key(ws, "fresh", expires, None)
        .await
        .expect("random id");
    assert_ne!(fresh.id, fixed);

    store.revoke_api_key(ws, fixed).await.expect("revoke");
    let revoked = store
        .api_key(ws, fixed)
        .await
        .expect("get")
        .expect("still there");
    assert!(revoked.revoked_at.is_some());
    assert!(!revoked.is_usable_at(Utc::now()));
    store.delete_api_key(ws, fixed).await.expect("delete");
    assert_eq!(store.api_key(ws, fixed).await.expect("get"), None);
    assert!(matches!(
        store.revoke_api_key(ws, fixed).await,
        Err(StoreError::ApiKeyNotFound(_))
    ));
    assert!(matches!(
        store.delete_api_key(ws, fixed).await,
        Err(StoreError::ApiKeyNotFound(_))
    ));
    // The other workspace's key with the same id is untouched.
    assert!(
        store
            .api_key(other, fixed)
            .await
            .expect("get")
            .expect("exists")
            .revoked_at
            .is_none()
    );

    let expired = store
        .create_api_key(ws, "old", Utc::now() - Duration::hours(1), None)
        .await
        .expect("expired key");
    assert!(!expired.is_usable_at(Utc::now()));
}
both!(api_keys);

async fn workspaces_are_isolated(store: Store) {
    let a = standard_workspace(&store).await;
    let b = standard_workspace(&store).await;
    let people: Vec<_> = (0..3)
        .map(|i| row(json!({"nameFirstName": format!("A{i}")})))
        .collect();
    store
        .insert_rows(a, "person", &people)
        .await
        .expect("insert");
    let runner_a = store.runner(a).await.expect("runner a");
    let runner_b = store.runner(b).await.expect("runner b");
    // The same hand-written statement, compiled for each workspace.
    let rows_a = runner_a
        .fetch_json(count_statement(&*runner_a, "person"))
        .await
        .expect("a");
    let rows_b = runner_b
        .fetch_json(count_statement(&*runner_b, "person"))
        .await
        .expect("b");
    let parse = |rows: Vec<String>| -> Vec<serde_json::Value> {
        rows.iter()
            .map(|r| serde_json::from_str(r).expect("json"))
            .collect()
    };
    assert_eq!(parse(rows_a), vec![json!({"n": 3})]);
    assert_eq!(parse(rows_b), vec![json!({"n": 0})]);
    if let (Some(schema_a), Some(schema_b)) = (runner_a.schema(), runner_b.schema()) {
        assert_ne!(schema_a, schema_b);
    }
}
both!(workspaces_are_isolated);

async fn runner_is_cached_and_counts(store: Store) {
    let ws = standard_workspace(&store).await;
    let first = store.runner(ws).await.expect("runner");
    let second = store.runner(ws).await.expect("runner");
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(first.statement_count(), 0);
    first
        .fetch_json(count_statement(&*first, "company"))
        .await
        .expect("count");
    first
        .fetch_json(count_statement(&*first, "company"))
        .await
        .expect("count");
    assert_eq!(second.statement_count(), 2);
    assert_eq!(first.workspace_id(), ws);
    assert!(matches!(
        store.runner(WorkspaceId::new_random()).await,
        Err(StoreError::WorkspaceNotFound(_))
    ));
}
both!(runner_is_cached_and_counts);

async fn custom_objects_and_all_column_kinds(store: Store) {
    // A custom object exercising every scalar kind, with defaults in Twenty's notation.
    let pet = ObjectBuilder::new("pet", "pets", "Pet", "Pets")
        .flags(true, false)
        .label_identifier(field("name", "Name", FieldType::Text))
        .with(field("born", "Born", FieldType::Date))
        .with(tessera_metadata::FieldMetadata {
            default_value: Some(json!(true)),
            ..field("vaccinated", "Vaccinated", FieldType::Boolean)
        })
        .with(tessera_metadata::FieldMetadata {
            default_value: Some(json!(["'tag'"])),
            ..field("tags", "Tags", FieldType::Array)
        })
        .with(tessera_metadata::FieldMetadata {
            options: Some(tessera_metadata::standard::options(&[
                ("CAT", "Cat", "red"),
                ("DOG", "Dog", "blue"),
            ])),
            default_value: Some(json!(["'CAT'"])),
            ..field("species", "Species", FieldType::MultiSelect)
        })
        .with(field("rating", "Rating", FieldType::Rating))
        .with(field("weight", "Weight", FieldType::Numeric))
        .with(tessera_metadata::FieldMetadata {
            default_value: Some(json!({"a": 1})),
            ..field("extra", "Extra", FieldType::RawJson)
        })
        .with(tessera_metadata::FieldMetadata {
            is_unique: true,
            ..field("chip", "Chip", FieldType::Uuid)
        })
        .build();
    let mut objects = standard_objects();
    objects.push(pet);
    let ws = store
        .create_workspace(&unique_name("pets"), objects)
        .await
        .expect("create");
    let rows = vec![
        row(
            json!({"name": "Rex", "born": "2020-02-29", "tags": ["a", "b"], "species": ["DOG"],
            "rating": "RATING_3", "weight": "12.5", "extra": {"k": [1, 2]}, "chip": Uuid::new_v4().to_string()}),
        ),
        row(json!({"name": "Tom"})),
    ];
    store
        .insert_rows(ws, "pet", &rows)
        .await
        .expect("insert pets");
    assert_eq!(count(&store, ws, "_pet").await, 2);
    let runner = store.runner(ws).await.expect("runner");
    let sql = match runner.schema() {
        Some(s) => format!(
            "SELECT json_build_object('v', \"vaccinated\", 'tags', \"tags\", 'species', \"species\", 'extra', \"extra\")::text AS j FROM \"{s}\".\"_pet\" WHERE \"name\" = 'Tom'"
        ),
        None => "SELECT json_object('v', json(CASE \"vaccinated\" WHEN 1 THEN 'true' ELSE 'false' END), 'tags', json(\"tags\"), 'species', json(\"species\"), 'extra', json(\"extra\")) AS j FROM \"_pet\" WHERE \"name\" = 'Tom'".to_owned(),
    };
    let out = runner
        .fetch_json(Statement {
            sql,
            values: sea_query::Values(vec![]),
        })
        .await
        .expect("select");
    let value: serde_json::Value = serde_json::from_str(&out[0]).expect("json");
    assert_eq!(
        value,
        json!({"v": true, "tags": ["tag"], "species": ["CAT"], "extra": {"a": 1}})
    );
}
both!(custom_objects_and_all_column_kinds);
