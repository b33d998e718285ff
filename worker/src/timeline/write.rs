//! Timeline reads and writes as compiled operations (the same query compiler as the API).

use serde_json::{Map, Value, json};
use tessera_core::Session;
use tessera_metadata::{FieldKind, WorkspaceModel};
use tessera_query::{
    ConnectionQuery, ConnectionSelection, FieldRef, Filter, FilterOp, Operation, OrderDirection,
    OrderTerm, Page, QueryError, RecordInput, RecordSelection, Selected, SelectedField, SqlRunner,
    Target,
};
use uuid::Uuid;

use super::MERGE_WINDOW;

/// Writes activities for one event.
pub(super) struct Writer<'a> {
    pub(super) runner: &'a dyn SqlRunner,
    pub(super) model: &'a WorkspaceModel,
    pub(super) session: &'a Session,
    /// The event's time (ISO-8601): the activity's `happensAt`.
    pub(super) happens_at: &'a str,
    /// The acting workspace member.
    pub(super) member: Option<Uuid>,
}

fn column(key: &str) -> SelectedField {
    SelectedField {
        key: key.to_owned(),
        field: key.to_owned(),
        selected: Selected::Column,
    }
}

fn eq_join(field: &str, id: Option<Uuid>) -> Filter {
    match id {
        Some(id) => Filter::Condition {
            target: FieldRef::JoinColumn {
                field: field.to_owned(),
            },
            op: FilterOp::Eq,
            value: json!(id.to_string()),
        },
        None => Filter::Condition {
            target: FieldRef::JoinColumn {
                field: field.to_owned(),
            },
            op: FilterOp::Is,
            value: json!("NULL"),
        },
    }
}

fn eq_field(field: &str, value: Option<Value>) -> Filter {
    let target = FieldRef::Field {
        field: field.to_owned(),
        sub_field: None,
    };
    match value {
        Some(value) => Filter::Condition {
            target,
            op: FilterOp::Eq,
            value,
        },
        None => Filter::Condition {
            target,
            op: FilterOp::Is,
            value: json!("NULL"),
        },
    }
}

/// `{first before, latest after}` per field.
fn merge_diff(old: &Map<String, Value>, new: &Map<String, Value>) -> Map<String, Value> {
    let mut out = old.clone();
    for (key, change) in new {
        let merged = match old.get(key) {
            Some(previous) => json!({
                "before": previous.get("before").cloned().unwrap_or(Value::Null),
                "after": change.get("after").cloned().unwrap_or(Value::Null),
            }),
            None => change.clone(),
        };
        out.insert(key.clone(), merged);
    }
    out
}

impl Writer<'_> {
    async fn run(&self, op: &Operation) -> Result<Value, QueryError> {
        tessera_query::execute(self.runner, self.model, self.session, op).await
    }

    /// Writes activity `name` on record `target_id` (through timeline field `target_field`),
    /// merging into a matching one within the window. `linked`: (record id, object metadata
    /// id, cached name) of a linked note or task.
    pub(super) async fn upsert(
        &self,
        name: &str,
        target_field: &str,
        target_id: Uuid,
        properties: Map<String, Value>,
        linked: Option<(Uuid, Option<Uuid>, String)>,
    ) -> Result<(), QueryError> {
        let since = chrono::DateTime::parse_from_rfc3339(self.happens_at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| chrono::Utc::now())
            - MERGE_WINDOW;
        let filter = Filter::And(vec![
            eq_field("name", Some(json!(name))),
            eq_join(target_field, Some(target_id)),
            eq_join("workspaceMember", self.member),
            eq_field(
                "linkedRecordId",
                linked.as_ref().map(|(id, _, _)| json!(id.to_string())),
            ),
            Filter::Condition {
                target: FieldRef::Field {
                    field: "happensAt".to_owned(),
                    sub_field: None,
                },
                op: FilterOp::Gte,
                value: json!(since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            },
        ]);
        let found = self
            .run(&Operation::FindMany(ConnectionQuery {
                object: "timelineActivity".to_owned(),
                filter: Some(filter),
                order_by: vec![OrderTerm {
                    target: FieldRef::Field {
                        field: "happensAt".to_owned(),
                        sub_field: None,
                    },
                    direction: OrderDirection::DescNullsLast,
                }],
                page: Page {
                    first: Some(1),
                    ..Page::default()
                },
                selection: ConnectionSelection {
                    node: RecordSelection {
                        fields: vec![column("id"), column("properties")],
                    },
                    edges: true,
                    page_info: false,
                    total_count: false,
                },
            }))
            .await?;
        if let Some(node) = found["edges"].get(0).map(|e| &e["node"]) {
            let id = node["id"].as_str().unwrap_or_default().to_owned();
            let old = node["properties"]["diff"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let new = properties
                .get("diff")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if new.is_empty() {
                return Ok(());
            }
            let mut data = Map::new();
            data.insert("properties".into(), json!({"diff": merge_diff(&old, &new)}));
            self.run(&Operation::Update {
                object: "timelineActivity".to_owned(),
                target: Target::Id(id),
                data: RecordInput(data),
                selection: RecordSelection::id_only(),
            })
            .await?;
            return Ok(());
        }
        let mut data = Map::new();
        data.insert("name".into(), json!(name));
        data.insert("happensAt".into(), json!(self.happens_at));
        data.insert("properties".into(), Value::Object(properties));
        data.insert(format!("{target_field}Id"), json!(target_id.to_string()));
        if let Some(member) = self.member {
            data.insert("workspaceMemberId".into(), json!(member.to_string()));
        }
        if let Some((id, object_id, cached_name)) = linked {
            data.insert("linkedRecordId".into(), json!(id.to_string()));
            if let Some(object_id) = object_id {
                data.insert(
                    "linkedObjectMetadataId".into(),
                    json!(object_id.to_string()),
                );
            }
            data.insert("linkedRecordCachedName".into(), json!(cached_name));
        }
        self.run(&Operation::Create {
            object: "timelineActivity".to_owned(),
            records: vec![RecordInput(data)],
            upsert: false,
            selection: RecordSelection::id_only(),
            many: false,
        })
        .await?;
        Ok(())
    }

    /// The `title` of a note or task (deleted ones included), `""` when gone.
    pub(super) async fn title(&self, object: &str, id: Uuid) -> Result<String, QueryError> {
        let found = self
            .run(&Operation::FindMany(ConnectionQuery {
                object: object.to_owned(),
                filter: Some(Filter::And(vec![
                    eq_field("id", Some(json!(id.to_string()))),
                    Filter::Or(vec![
                        eq_field("deletedAt", None),
                        Filter::Not(Box::new(eq_field("deletedAt", None))),
                    ]),
                ])),
                order_by: Vec::new(),
                page: Page {
                    first: Some(1),
                    ..Page::default()
                },
                selection: ConnectionSelection {
                    node: RecordSelection {
                        fields: vec![column("title")],
                    },
                    edges: true,
                    page_info: false,
                    total_count: false,
                },
            }))
            .await?;
        Ok(found["edges"]
            .get(0)
            .and_then(|e| e["node"]["title"].as_str())
            .unwrap_or_default()
            .to_owned())
    }

    /// The junction rows (`noteTarget`) of parent record `id`, with every join column.
    pub(super) async fn junction_rows(
        &self,
        junction: &str,
        parent: &str,
        id: Uuid,
    ) -> Result<Vec<Value>, QueryError> {
        let Some(object) = self.model.object(junction) else {
            return Ok(Vec::new());
        };
        let fields = object
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::ManyToOne { .. }))
            .map(|f| SelectedField {
                key: format!("{}Id", f.name()),
                field: f.name().to_owned(),
                selected: Selected::JoinColumn,
            })
            .collect();
        let found = self
            .run(&Operation::FindMany(ConnectionQuery {
                object: junction.to_owned(),
                filter: Some(eq_join(parent, Some(id))),
                order_by: Vec::new(),
                page: Page {
                    first: Some(tessera_query::MAX_PAGE_SIZE as i64),
                    ..Page::default()
                },
                selection: ConnectionSelection {
                    node: RecordSelection { fields },
                    edges: true,
                    page_info: false,
                    total_count: false,
                },
            }))
            .await?;
        Ok(found["edges"]
            .as_array()
            .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
            .unwrap_or_default())
    }
}
