//! Role permissions in the compiler: each operation compiles for a role that allows it and is
//! refused (`FORBIDDEN`, naming the object or field) for one that does not, whether the
//! object or field is reached at the root, through a nested relation, a relation filter or an
//! ordering. No database: the check runs before SQL is generated.

use std::sync::Arc;

use serde_json::{Map, json};
use tessera_core::{
    CodedError, ErrorCode, FieldOverride, ObjectAccess, ObjectOverride, Permissions, Session,
    WorkspaceId,
};
use tessera_metadata::{WorkspaceModel, standard};
use tessera_query::*;

fn model() -> WorkspaceModel {
    WorkspaceModel::build(WorkspaceId::new_random(), 1, &standard::standard_objects())
        .expect("model")
}

fn col(name: &str) -> SelectedField {
    SelectedField {
        key: name.into(),
        field: name.into(),
        selected: Selected::Column,
    }
}

fn sel(fields: Vec<SelectedField>) -> RecordSelection {
    RecordSelection { fields }
}

fn conn(object: &str, fields: Vec<SelectedField>) -> ConnectionQuery {
    ConnectionQuery {
        object: object.into(),
        filter: None,
        order_by: vec![],
        page: Page::default(),
        selection: ConnectionSelection {
            node: sel(fields),
            edges: true,
            page_info: false,
            total_count: false,
        },
    }
}

fn city_ref() -> FieldRef {
    FieldRef::Field {
        field: "city".into(),
        sub_field: None,
    }
}

fn role(all: ObjectAccess) -> Permissions {
    Permissions {
        role_id: Some(uuid::Uuid::new_v4()),
        all_objects: all,
        ..Permissions::default()
    }
}

fn session(model: &WorkspaceModel, p: Permissions) -> Session {
    Session {
        permissions: Arc::new(p),
        ..Session::system(model.workspace_id, "API")
    }
}

/// Compiles for both dialects; `Ok` or the error (the same for both).
fn compile(model: &WorkspaceModel, p: &Permissions, op: &Operation) -> Result<(), QueryError> {
    let s = session(model, p.clone());
    let pg = compile_statements(Dialect::Postgres, Some("ws"), model, &s, op).map(|_| ());
    let lite = compile_statements(Dialect::Sqlite, None, model, &s, op).map(|_| ());
    assert_eq!(pg, lite);
    pg
}

fn forbidden(result: Result<(), QueryError>, needle: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::Forbidden, "{e}");
            assert_eq!(e.sub_code(), Some("PERMISSION_DENIED"));
            assert!(
                e.to_string().starts_with("User does not have permission: "),
                "{e}"
            );
            assert!(e.to_string().contains(needle), "{e} lacks {needle:?}");
        }
        Ok(()) => panic!("expected FORBIDDEN ({needle})"),
    }
}

fn record(pairs: serde_json::Value) -> RecordInput {
    match pairs {
        serde_json::Value::Object(m) => RecordInput(m),
        _ => RecordInput(Map::new()),
    }
}

fn id_target() -> Target {
    Target::Id("11111111-1111-4111-8111-111111111111".into())
}

#[test]
fn object_capabilities_gate_each_operation() {
    let m = model();
    let read_only = role(ObjectAccess {
        can_read: true,
        ..ObjectAccess::default()
    });
    let everything = role(ObjectAccess::ALL);
    let list = Operation::FindMany(conn("person", vec![col("id")]));
    let create_with = |upsert: bool, selection: RecordSelection| Operation::Create {
        object: "person".into(),
        records: vec![record(json!({"jobTitle": "CTO"}))],
        upsert,
        selection,
        many: false,
    };
    let create = create_with(false, RecordSelection::id_only());
    let upsert = create_with(true, RecordSelection::id_only());
    let update = Operation::Update {
        object: "person".into(),
        target: id_target(),
        data: record(json!({"jobTitle": "CEO"})),
        selection: RecordSelection::id_only(),
    };
    let delete = Operation::Delete {
        object: "person".into(),
        target: id_target(),
        selection: RecordSelection::id_only(),
    };
    let restore = Operation::Restore {
        object: "person".into(),
        target: id_target(),
        selection: RecordSelection::id_only(),
    };
    let destroy = Operation::Destroy {
        object: "person".into(),
        target: id_target(),
        selection: RecordSelection::id_only(),
    };
    for op in [
        &list, &create, &upsert, &update, &delete, &restore, &destroy,
    ] {
        compile(&m, &everything, op).expect("allowed for everything");
        compile(&m, &Permissions::all(), op).expect("allowed for the system");
    }
    compile(&m, &read_only, &list).expect("read-only reads");
    forbidden(compile(&m, &read_only, &create), "update object \"person\"");
    forbidden(compile(&m, &read_only, &upsert), "update object \"person\"");
    forbidden(compile(&m, &read_only, &update), "update object \"person\"");
    forbidden(
        compile(&m, &read_only, &delete),
        "soft delete object \"person\"",
    );
    forbidden(
        compile(&m, &read_only, &restore),
        "soft delete object \"person\"",
    );
    forbidden(
        compile(&m, &read_only, &destroy),
        "destroy object \"person\"",
    );
    forbidden(
        compile(&m, &Permissions::none(), &list),
        "read object \"person\"",
    );
    // Writing without reading: the write is allowed, returning records is not.
    let write_only = role(ObjectAccess {
        can_update: true,
        ..ObjectAccess::default()
    });
    let create_nothing_back = create_with(false, RecordSelection::default());
    compile(&m, &write_only, &create_nothing_back).expect("write without reading back");
    forbidden(compile(&m, &write_only, &create), "read object \"person\"");
}

#[test]
fn object_overrides_reach_nested_relations_and_relation_filters() {
    let m = model();
    let person_id = m.object("person").expect("person").meta.id;
    let mut p = role(ObjectAccess::ALL);
    p.objects.insert(
        person_id,
        ObjectOverride {
            can_read: Some(false),
            ..ObjectOverride::default()
        },
    );
    // companies alone: fine.
    compile(
        &m,
        &p,
        &Operation::FindMany(conn("company", vec![col("name")])),
    )
    .expect("company");
    // companies { people { ... } }: person is reached through a one-to-many.
    let nested = Operation::FindMany(conn(
        "company",
        vec![
            col("name"),
            SelectedField {
                key: "people".into(),
                field: "people".into(),
                selected: Selected::OneToMany(Box::new(conn("person", vec![col("id")]))),
            },
        ],
    ));
    forbidden(compile(&m, &p, &nested), "read object \"person\"");
    // opportunities { pointOfContact { id } }: through a many-to-one.
    let many_to_one = Operation::FindMany(conn(
        "opportunity",
        vec![SelectedField {
            key: "pointOfContact".into(),
            field: "pointOfContact".into(),
            selected: Selected::ManyToOne(RecordSelection::id_only()),
        }],
    ));
    forbidden(compile(&m, &p, &many_to_one), "read object \"person\"");
    // opportunities(filter: {pointOfContact: {city: {eq: "x"}}}): through a relation filter.
    let mut filtered = conn("opportunity", vec![col("id")]);
    filtered.filter = Some(Filter::Relation {
        field: "pointOfContact".into(),
        filter: Box::new(Filter::Condition {
            target: city_ref(),
            op: FilterOp::Eq,
            value: json!("x"),
        }),
    });
    forbidden(
        compile(&m, &p, &Operation::FindMany(filtered)),
        "read object \"person\"",
    );
    // A system object stays readable whatever the role says (Twenty: isSystem → true).
    let wm = m
        .object("workspaceMember")
        .expect("workspaceMember")
        .meta
        .id;
    let mut none = Permissions::none();
    none.objects.insert(
        wm,
        ObjectOverride {
            can_read: Some(false),
            ..ObjectOverride::default()
        },
    );
    compile(
        &m,
        &none,
        &Operation::FindMany(conn("workspaceMember", vec![col("id")])),
    )
    .expect("system objects are always readable");
}

#[test]
fn restricted_fields_cannot_be_selected_filtered_ordered_or_written() {
    let m = model();
    let person = m.object("person").expect("person");
    let city = person.field("city").expect("city").meta.id;
    let mut p = role(ObjectAccess::ALL);
    p.fields.insert(
        city,
        FieldOverride {
            can_read: Some(false),
            can_update: Some(false),
        },
    );
    let needle = "field \"city\" on \"person\"";
    compile(
        &m,
        &p,
        &Operation::FindMany(conn("person", vec![col("jobTitle")])),
    )
    .expect("other fields");
    forbidden(
        compile(
            &m,
            &p,
            &Operation::FindMany(conn("person", vec![col("city")])),
        ),
        &format!("read {needle}"),
    );
    let mut filtered = conn("person", vec![col("id")]);
    filtered.filter = Some(Filter::Not(Box::new(Filter::Condition {
        target: city_ref(),
        op: FilterOp::Eq,
        value: json!("Paris"),
    })));
    forbidden(
        compile(&m, &p, &Operation::FindMany(filtered)),
        &format!("read {needle}"),
    );
    let mut ordered = conn("person", vec![col("id")]);
    ordered.order_by = vec![OrderTerm {
        target: city_ref(),
        direction: OrderDirection::AscNullsFirst,
    }];
    forbidden(
        compile(&m, &p, &Operation::FindMany(ordered)),
        &format!("read {needle}"),
    );
    // Nested: companies { people { city } }.
    let nested = Operation::FindMany(conn(
        "company",
        vec![SelectedField {
            key: "people".into(),
            field: "people".into(),
            selected: Selected::OneToMany(Box::new(conn("person", vec![col("city")]))),
        }],
    ));
    forbidden(compile(&m, &p, &nested), &format!("read {needle}"));
    // findOne filtering on it, and a filter-targeted update.
    forbidden(
        compile(
            &m,
            &p,
            &Operation::FindOne {
                object: "person".into(),
                filter: Filter::Condition {
                    target: city_ref(),
                    op: FilterOp::Eq,
                    value: json!("Paris"),
                },
                selection: RecordSelection::id_only(),
            },
        ),
        &format!("read {needle}"),
    );
    for upsert in [false, true] {
        forbidden(
            compile(
                &m,
                &p,
                &Operation::Create {
                    object: "person".into(),
                    records: vec![record(json!({"jobTitle": "CTO", "city": "Oslo"}))],
                    upsert,
                    selection: RecordSelection::id_only(),
                    many: true,
                },
            ),
            &format!("write {needle}"),
        );
    }
    forbidden(
        compile(
            &m,
            &p,
            &Operation::Update {
                object: "person".into(),
                target: id_target(),
                data: record(json!({"city": "Oslo"})),
                selection: RecordSelection::id_only(),
            },
        ),
        &format!("write {needle}"),
    );
    compile(
        &m,
        &p,
        &Operation::Update {
            object: "person".into(),
            target: id_target(),
            data: record(json!({"jobTitle": "CTO"})),
            selection: RecordSelection::id_only(),
        },
    )
    .expect("other fields are writable");
}

#[test]
fn join_columns_follow_their_relation_field() {
    let m = model();
    let person = m.object("person").expect("person");
    let company = person.field("company").expect("company").meta.id;
    let mut p = role(ObjectAccess::ALL);
    p.fields.insert(
        company,
        FieldOverride {
            can_read: Some(false),
            can_update: Some(false),
        },
    );
    let select_id = Operation::FindMany(conn(
        "person",
        vec![SelectedField {
            key: "companyId".into(),
            field: "company".into(),
            selected: Selected::JoinColumn,
        }],
    ));
    forbidden(
        compile(&m, &p, &select_id),
        "read field \"company\" on \"person\"",
    );
    forbidden(
        compile(
            &m,
            &p,
            &Operation::Create {
                object: "person".into(),
                records: vec![record(
                    json!({"companyId": "11111111-1111-4111-8111-111111111111"}),
                )],
                upsert: false,
                selection: RecordSelection::id_only(),
                many: false,
            },
        ),
        "write field \"company\" on \"person\"",
    );
}
