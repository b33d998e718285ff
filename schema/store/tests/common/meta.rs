//! Helpers for metadata-change tests: inputs, driving the real query engine with a store's
//! current model, and snapshots of a workspace's storage (tables, columns, indexes, enum
//! types) read through the workspace runner.

use serde_json::{Map, Value, json};
use tessera_core::{CodedError, ErrorCode, Session, WorkspaceId};
use tessera_metadata::standard::standard_objects;
use tessera_metadata::{
    CreateFieldInput, CreateObjectInput, FieldKind, FieldType, ObjectMetadata, ObjectModel,
};
use tessera_query::{
    ConnectionQuery, ConnectionSelection, Operation, Page, RecordInput, RecordSelection, Selected,
    SelectedField, SqlRunner, Statement,
};
use tessera_store::{Store, StoreError};
use uuid::Uuid;

/// A workspace with the standard objects.
pub async fn workspace(store: &Store) -> WorkspaceId {
    store
        .create_workspace(&format!("meta-{}", Uuid::new_v4()), standard_objects())
        .await
        .expect("create workspace")
}

/// `CreateObjectInput` with labels derived from the names.
pub fn object_input(singular: &str, plural: &str) -> CreateObjectInput {
    CreateObjectInput {
        name_singular: singular.to_owned(),
        name_plural: plural.to_owned(),
        label_singular: singular.to_owned(),
        label_plural: plural.to_owned(),
        description: None,
        icon: None,
        skip_name_field: false,
        is_label_synced_with_name: false,
    }
}

/// `CreateFieldInput` with Twenty's defaults (nullable, not unique, no default).
pub fn field_input(object: Uuid, name: &str, field_type: FieldType) -> CreateFieldInput {
    CreateFieldInput {
        object_metadata_id: object,
        field_type,
        name: name.to_owned(),
        label: name.to_owned(),
        description: None,
        icon: None,
        is_nullable: None,
        is_unique: None,
        default_value: None,
        options: None,
        settings: None,
        relation_creation_payload: None,
        is_label_synced_with_name: false,
    }
}

/// Options input from values.
pub fn option_inputs(values: &[&str]) -> Vec<tessera_metadata::FieldOptionInput> {
    values
        .iter()
        .map(|v| tessera_metadata::FieldOptionInput {
            id: None,
            value: (*v).to_owned(),
            label: (*v).to_owned(),
            position: None,
            color: None,
        })
        .collect()
}

/// The object named `name` in the workspace's metadata.
pub async fn object(store: &Store, ws: WorkspaceId, name: &str) -> ObjectMetadata {
    store
        .objects_metadata(ws)
        .await
        .expect("objects")
        .into_iter()
        .find(|o| o.name_singular == name)
        .unwrap_or_else(|| panic!("no object {name}"))
}

/// Asserts an error is `METADATA_VALIDATION_FAILED` and its message contains `needle`.
pub fn assert_invalid<T: std::fmt::Debug>(result: Result<T, StoreError>, needle: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::MetadataValidationFailed, "{e}");
            assert!(e.to_string().contains(needle), "{e:?} lacks {needle:?}");
        }
        Ok(v) => panic!("expected a validation error ({needle}), got {v:?}"),
    }
}

/// The session engine calls run under.
pub fn session(ws: WorkspaceId) -> Session {
    Session::system(ws, "API")
}

/// Selects every active field of an object: scalars, all sub-fields of composites, join
/// columns (as `<field>Id`).
pub fn select_all(object: &ObjectModel) -> RecordSelection {
    let mut fields = Vec::new();
    for f in &object.fields {
        let selected = match &f.kind {
            FieldKind::Scalar(_) => Selected::Column,
            FieldKind::Composite { sub_fields, .. } => Selected::Composite(
                sub_fields
                    .iter()
                    .map(|s| (s.def.name.to_owned(), s.def.name.to_owned()))
                    .collect(),
            ),
            FieldKind::ManyToOne { join_column, .. } => {
                fields.push(SelectedField {
                    key: join_column.name.clone(),
                    field: f.name().to_owned(),
                    selected: Selected::JoinColumn,
                });
                continue;
            }
            FieldKind::OneToMany { .. } => continue,
        };
        fields.push(SelectedField {
            key: f.name().to_owned(),
            field: f.name().to_owned(),
            selected,
        });
    }
    RecordSelection { fields }
}

/// Creates one record through the engine (with the store's current model); returns it with
/// every field selected.
pub async fn create_record(
    store: &Store,
    ws: WorkspaceId,
    object: &str,
    record: Value,
) -> Result<Value, tessera_query::QueryError> {
    let model = store.workspace_model(ws).await.expect("model");
    let runner = store.runner(ws).await.expect("runner");
    let selection = select_all(model.object(object).expect("object in model"));
    let Value::Object(map) = record else {
        panic!("record must be an object");
    };
    let op = Operation::Create {
        object: object.to_owned(),
        records: vec![RecordInput(map)],
        upsert: false,
        selection,
        many: false,
    };
    tessera_query::execute(&*runner, &model, &session(ws), &op).await
}

/// Every (non-deleted) record of an object through the engine, every field selected, in id
/// order.
pub async fn find_all(store: &Store, ws: WorkspaceId, object: &str) -> Vec<Map<String, Value>> {
    let model = store.workspace_model(ws).await.expect("model");
    let runner = store.runner(ws).await.expect("runner");
    let node = select_all(model.object(object).expect("object in model"));
    let op = Operation::FindMany(ConnectionQuery {
        object: object.to_owned(),
        filter: None,
        order_by: Vec::new(),
        page: Page {
            first: Some(200),
            ..Page::default()
        },
        selection: ConnectionSelection {
            node,
            edges: true,
            page_info: false,
            total_count: false,
        },
    });
    let out = tessera_query::execute(&*runner, &model, &session(ws), &op)
        .await
        .expect("find many");
    out["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].as_object().expect("node").clone())
        .collect()
}

/// Runs a hand-written statement returning one JSON text column; the rows parsed.
pub async fn query(store: &Store, ws: WorkspaceId, sql: String) -> Result<Vec<Value>, String> {
    let runner = store.runner(ws).await.expect("runner");
    let rows = runner
        .fetch_json(Statement {
            sql,
            values: sea_query::Values(vec![]),
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows
        .iter()
        .map(|r| serde_json::from_str(r).expect("json"))
        .collect())
}

/// The columns of a table, in order (empty when the table does not exist).
pub async fn columns(store: &Store, ws: WorkspaceId, table: &str) -> Vec<String> {
    let runner = store.runner(ws).await.expect("runner");
    let sql = match runner.schema() {
        Some(schema) => format!(
            "SELECT to_json(column_name::text)::text AS j FROM information_schema.columns \
             WHERE table_schema = '{schema}' AND table_name = '{table}' ORDER BY ordinal_position"
        ),
        None => {
            format!("SELECT json_quote(name) AS j FROM pragma_table_info('{table}') ORDER BY cid")
        }
    };
    query(store, ws, sql)
        .await
        .expect("columns")
        .into_iter()
        .map(|v| v.as_str().expect("name").to_owned())
        .collect()
}

/// Index names of a table.
pub async fn indexes(store: &Store, ws: WorkspaceId, table: &str) -> Vec<String> {
    let runner = store.runner(ws).await.expect("runner");
    let sql = match runner.schema() {
        Some(schema) => format!(
            "SELECT to_json(indexname::text)::text AS j FROM pg_indexes \
             WHERE schemaname = '{schema}' AND tablename = '{table}' ORDER BY indexname"
        ),
        None => format!(
            "SELECT json_quote(name) AS j FROM pragma_index_list('{table}') \
             WHERE origin = 'c' ORDER BY name"
        ),
    };
    query(store, ws, sql)
        .await
        .expect("indexes")
        .into_iter()
        .map(|v| v.as_str().expect("name").to_owned())
        .collect()
}

/// PostgreSQL enum types of the workspace with their values (empty on SQLite).
pub async fn enum_types(store: &Store, ws: WorkspaceId) -> Vec<Value> {
    let runner = store.runner(ws).await.expect("runner");
    let Some(schema) = runner.schema() else {
        return Vec::new();
    };
    let sql = format!(
        "SELECT json_build_object('type', t.typname, 'values', \
         (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))::text AS j \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname = '{schema}' AND t.typtype = 'e' ORDER BY t.typname"
    );
    query(store, ws, sql).await.expect("enum types")
}

/// The values of one PostgreSQL enum type (`None` when it does not exist or on SQLite).
pub async fn enum_values(store: &Store, ws: WorkspaceId, name: &str) -> Option<Vec<String>> {
    enum_types(store, ws)
        .await
        .into_iter()
        .find(|t| t["type"] == json!(name))
        .map(|t| {
            t["values"]
                .as_array()
                .expect("values")
                .iter()
                .map(|v| v.as_str().expect("value").to_owned())
                .collect()
        })
}

/// Everything a failed change must leave as it was: the version, the metadata, and the
/// storage (every table's definition, columns, indexes, enum types).
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    version: i64,
    metadata: Vec<ObjectMetadata>,
    storage: Vec<Value>,
}

/// Takes a [`Snapshot`].
pub async fn snapshot(store: &Store, ws: WorkspaceId) -> Snapshot {
    Snapshot {
        version: store.metadata_version(ws).await.expect("version"),
        metadata: store.objects_metadata(ws).await.expect("metadata"),
        storage: storage(store, ws).await,
    }
}

/// The workspace's storage: every table's definition, columns, indexes, constraints and
/// enum types.
pub async fn storage(store: &Store, ws: WorkspaceId) -> Vec<Value> {
    let runner = store.runner(ws).await.expect("runner");
    let sql = match runner.schema() {
        Some(schema) => format!(
            "SELECT j::text AS j FROM (\
               SELECT json_build_object('t', table_name, 'c', column_name, 'null', is_nullable, \
                 'default', column_default, 'type', udt_name) AS j, 1 AS k, table_name::text AS a, ordinal_position::text AS b \
               FROM information_schema.columns WHERE table_schema = '{schema}' \
             UNION ALL \
               SELECT json_build_object('index', indexdef), 2, indexname::text, '' FROM pg_indexes WHERE schemaname = '{schema}' \
             UNION ALL \
               SELECT json_build_object('constraint', conname, 'def', pg_get_constraintdef(c.oid)), 3, conname::text, '' \
               FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = '{schema}' \
             ) s ORDER BY k, a, lpad(b, 5, '0')"
        ),
        None => "SELECT json_object('type', type, 'name', name, 'sql', sql) AS j FROM sqlite_schema ORDER BY type, name".to_owned(),
    };
    let mut storage = query(store, ws, sql).await.expect("storage");
    storage.extend(enum_types(store, ws).await);
    storage
}

/// The id of field `field` of object `object`.
pub async fn field_id(store: &Store, ws: WorkspaceId, object_name: &str, field: &str) -> Uuid {
    object(store, ws, object_name)
        .await
        .fields
        .iter()
        .find(|f| f.name == field)
        .unwrap_or_else(|| panic!("no field {object_name}.{field}"))
        .id
}
