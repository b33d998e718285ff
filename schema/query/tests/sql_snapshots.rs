//! SQL snapshots: operation + metadata in, SQL + params out, for both dialects, no database.
//! `UPDATE_EXPECT=1 cargo test -p tessera-query --test sql_snapshots` rewrites the files in
//! `tests/snapshots/`; reviewers read the diff.

use serde_json::json;
use tessera_core::{Session, WorkspaceId};
use tessera_metadata::{WorkspaceModel, standard};
use tessera_query::*;

fn model() -> WorkspaceModel {
    let ws: WorkspaceId = "20202020-1c25-4d02-bf25-6aeccf7ea419"
        .parse()
        .expect("uuid");
    WorkspaceModel::build(ws, 1, &standard::standard_objects()).expect("model")
}

fn field(key: &str, selected: Selected) -> SelectedField {
    SelectedField {
        key: key.into(),
        field: key.into(),
        selected,
    }
}

/// `companies(first: 2) { edges { node { name people(first: 3, orderBy: {city: AscNullsLast}) {
/// totalCount edges { node { name { firstName } noteTargets { edges { node { id } } } } } } } }
/// pageInfo { hasNextPage } totalCount }`
fn two_level_nested() -> Operation {
    let note_targets = ConnectionQuery {
        object: "noteTarget".into(),
        filter: None,
        order_by: vec![],
        page: Page::default(),
        selection: ConnectionSelection {
            node: RecordSelection {
                fields: vec![field("id", Selected::Column)],
            },
            edges: true,
            page_info: false,
            total_count: false,
        },
    };
    let people = ConnectionQuery {
        object: "person".into(),
        filter: Some(Filter::Condition {
            target: FieldRef::Field {
                field: "city".into(),
                sub_field: None,
            },
            op: FilterOp::ILike,
            value: json!("%a%"),
        }),
        order_by: vec![OrderTerm {
            target: FieldRef::Field {
                field: "city".into(),
                sub_field: None,
            },
            direction: OrderDirection::AscNullsLast,
        }],
        page: Page {
            first: Some(3),
            ..Default::default()
        },
        selection: ConnectionSelection {
            node: RecordSelection {
                fields: vec![
                    field(
                        "name",
                        Selected::Composite(vec![("firstName".into(), "firstName".into())]),
                    ),
                    field("noteTargets", Selected::OneToMany(Box::new(note_targets))),
                ],
            },
            edges: true,
            page_info: false,
            total_count: true,
        },
    };
    Operation::FindMany(ConnectionQuery {
        object: "company".into(),
        filter: None,
        order_by: vec![],
        page: Page {
            first: Some(2),
            ..Default::default()
        },
        selection: ConnectionSelection {
            node: RecordSelection {
                fields: vec![
                    field("name", Selected::Column),
                    field("people", Selected::OneToMany(Box::new(people))),
                ],
            },
            edges: true,
            page_info: true,
            total_count: true,
        },
    })
}

/// Bound values as text, with the compile-time clock (`createdAt`/`updatedAt`/`deletedAt`
/// stamps) replaced by `<now>` so the snapshot is stable.
fn params(values: &sea_query::Values) -> String {
    let text = format!("{:?}", values.0);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    // An RFC 3339 stamp in millis: `"2026-11-21T08:19:10.123Z"` (26 chars with quotes).
    while let Some(i) = rest.find('"') {
        let candidate = rest.get(i..i + 26).unwrap_or("");
        let b = candidate.as_bytes();
        if b.len() == 26 && b[5] == b'-' && b[11] == b'T' && b[24] == b'Z' && b[25] == b'"' {
            out.push_str(&rest[..i]);
            out.push_str("\"<now>\"");
            rest = &rest[i + 26..];
        } else {
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// Snapshots every statement of a plan (mutations on SQLite run several).
fn check_all(name: &str, op: &Operation, pg_count: usize, sqlite_count: usize) {
    let model = model();
    let session = Session::system(model.workspace_id, "API");
    for (dialect, schema, ext, count) in [
        (
            Dialect::Postgres,
            Some(model.workspace_id.schema_name()),
            "pg.sql",
            pg_count,
        ),
        (Dialect::Sqlite, None, "sqlite.sql", sqlite_count),
    ] {
        let statements =
            compile_statements(dialect, schema.as_deref(), &model, &session, op).expect("compiles");
        assert_eq!(statements.len(), count, "{name}: statement count ({ext})");
        let mut text: String = statements
            .iter()
            .map(|s| format!("{}\n-- params: {}\n", s.sql, params(&s.values)))
            .collect::<Vec<_>>()
            .join("\n");
        // Object metadata ids are generated per model build.
        for object in &model.objects {
            text = text.replace(
                &object.meta.id.hyphenated().to_string(),
                &format!("<objectMetadataId of {}>", object.singular()),
            );
        }
        let path = format!(
            "{}/tests/snapshots/{name}.{ext}",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var("UPDATE_EXPECT").is_ok() {
            std::fs::write(&path, &text).expect("write snapshot");
        } else {
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                text, expected,
                "snapshot {path} differs; rerun with UPDATE_EXPECT=1 and review"
            );
        }
    }
}

fn check(name: &str, op: &Operation) {
    let model = model();
    let session = Session::system(model.workspace_id, "API");
    for (dialect, schema, ext) in [
        (
            Dialect::Postgres,
            Some(model.workspace_id.schema_name()),
            "pg.sql",
        ),
        (Dialect::Sqlite, None, "sqlite.sql"),
    ] {
        let statements =
            compile_statements(dialect, schema.as_deref(), &model, &session, op).expect("compiles");
        assert_eq!(statements.len(), 1, "{name}: one statement");
        let text = format!(
            "{}\n-- params: {:?}\n",
            statements[0].sql, statements[0].values.0
        );
        let path = format!(
            "{}/tests/snapshots/{name}.{ext}",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var("UPDATE_EXPECT").is_ok() {
            std::fs::write(&path, &text).expect("write snapshot");
        } else {
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                text, expected,
                "snapshot {path} differs; rerun with UPDATE_EXPECT=1 and review"
            );
        }
    }
}

#[test]
fn two_level_nested_list_is_one_statement() {
    check("two_level_nested_list", &two_level_nested());
}

/// `updatePerson(id:, data: {city: "Paris"}) { id city }`: on PostgreSQL one CTE statement
/// (before images, the UPDATE, the outbox insert, the projection); on SQLite three statements
/// in one transaction (pending events with `before`, the UPDATE, `after` + commit marker).
#[test]
fn update_with_outbox_event() {
    let op = Operation::Update {
        object: "person".into(),
        target: Target::Id("30303030-0000-4000-8000-000000000001".into()),
        data: RecordInput(
            json!({"city": "Paris"})
                .as_object()
                .cloned()
                .expect("object"),
        ),
        selection: RecordSelection {
            fields: vec![
                field("id", Selected::Column),
                field("city", Selected::Column),
            ],
        },
    };
    check_all("update_with_outbox_event", &op, 1, 3);
}

/// `createCompany(data: {id, name}) { id }`: one CTE statement on PostgreSQL; the INSERT then
/// the `created` events on SQLite.
#[test]
fn create_with_outbox_event() {
    let op = Operation::Create {
        object: "company".into(),
        records: vec![RecordInput(
            json!({"id": "20202020-0000-4000-8000-000000000001", "name": "Acme"})
                .as_object()
                .cloned()
                .expect("object"),
        )],
        upsert: false,
        selection: RecordSelection::id_only(),
        many: false,
    };
    check_all("create_with_outbox_event", &op, 1, 2);
}

/// `destroyPeople(filter: {city: {eq: "Paris"}}) { id }`.
#[test]
fn destroy_many_with_outbox_events() {
    let op = Operation::Destroy {
        object: "person".into(),
        target: Target::Filter(Filter::Condition {
            target: FieldRef::Field {
                field: "city".into(),
                sub_field: None,
            },
            op: FilterOp::Eq,
            value: json!("Paris"),
        }),
        selection: RecordSelection::id_only(),
    };
    check_all("destroy_many_with_outbox_events", &op, 1, 2);
}

/// `createPerson(data: {id, city}, upsert: true) { id }`: the before images of rows matching
/// the conflict key decide `created` or `updated` per record.
#[test]
fn upsert_with_outbox_events() {
    let op = Operation::Create {
        object: "person".into(),
        records: vec![RecordInput(
            json!({"id": "30303030-0000-4000-8000-000000000002", "city": "Lima"})
                .as_object()
                .cloned()
                .expect("object"),
        )],
        upsert: true,
        selection: RecordSelection::id_only(),
        many: false,
    };
    check_all("upsert_with_outbox_events", &op, 1, 4);
}
