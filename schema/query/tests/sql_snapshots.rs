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
