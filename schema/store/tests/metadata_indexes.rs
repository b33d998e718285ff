//! Custom indexes (`createOneIndex` / `deleteOneIndex`) on SQLite and PostgreSQL: plain,
//! multi-column, composite sub-field, unique (refusing duplicates, and refused over existing
//! duplicates with nothing changed), GIN, listing, validation, and an index going away with
//! its field.

mod common;

use serde_json::json;
use tessera_metadata::{CreateIndexFieldInput, CreateIndexInput, IndexType};
use tessera_store::{Store, StoreError, list_indexes};
use uuid::Uuid;

use common::meta::{assert_invalid, create_record, field_id, indexes, snapshot, workspace};
use common::rocket::rocket;

fn input(object: Uuid, fields: &[(Uuid, Option<&str>)], unique: bool) -> CreateIndexInput {
    CreateIndexInput {
        object_metadata_id: object,
        fields: fields
            .iter()
            .map(|(id, sub)| CreateIndexFieldInput {
                field_metadata_id: *id,
                sub_field_name: sub.map(str::to_owned),
            })
            .collect(),
        index_type: IndexType::Btree,
        is_unique: unique,
    }
}

async fn custom_indexes(store: Store) {
    let ws = workspace(&store).await;
    let other = workspace(&store).await;
    let object = rocket(&store, ws).await;
    let codename = field_id(&store, ws, "rocket", "codename").await;
    let thrust = field_id(&store, ws, "rocket", "thrust").await;
    let contact = field_id(&store, ws, "rocket", "contact").await;
    let tags = field_id(&store, ws, "rocket", "tags").await;
    let manual = field_id(&store, ws, "rocket", "manual").await;

    // A plain two-column index: one version bump, the index exists on the table.
    let version = store.metadata_version(ws).await.expect("version");
    let plain = store
        .create_index(
            ws,
            input(object, &[(codename, None), (thrust, None)], false),
        )
        .await
        .expect("plain index");
    assert_eq!(
        store.metadata_version(ws).await.expect("version"),
        version + 1
    );
    assert!(plain.name.starts_with("IDX_"));
    assert!(indexes(&store, ws, "_rocket").await.contains(&plain.name));
    // The other workspace has no such object, index or table change.
    assert!(matches!(
        store
            .create_index(other, input(object, &[(codename, None)], false))
            .await,
        Err(StoreError::ObjectNotFound(_))
    ));
    assert!(
        !store
            .objects_metadata(other)
            .await
            .expect("other")
            .iter()
            .any(|o| !o.indexes.is_empty())
    );

    // A unique index on a composite's sub-field refuses duplicates among live records.
    let unique = store
        .create_index(ws, input(object, &[(contact, Some("primaryEmail"))], true))
        .await
        .expect("unique index");
    create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "A", "contact": {"primaryEmail": "a@x.io"}}),
    )
    .await
    .expect("first");
    let duplicate = create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "B", "contact": {"primaryEmail": "a@x.io"}}),
    )
    .await;
    assert!(duplicate.is_err(), "duplicate refused: {duplicate:?}");

    // A unique index over existing duplicates is refused and changes nothing.
    for name in ["C", "D"] {
        create_record(
            &store,
            ws,
            "rocket",
            json!({"name": name, "codename": "same"}),
        )
        .await
        .expect("record");
    }
    let before = snapshot(&store, ws).await;
    assert_invalid(
        store
            .create_index(ws, input(object, &[(codename, None)], true))
            .await,
        "rocket.codename",
    );
    assert_eq!(snapshot(&store, ws).await, before);

    // Validation: no fields, a field twice, a missing sub-field, an unindexable field, a
    // field of another object, the same fields again, GIN on a text field.
    assert_invalid(
        store.create_index(ws, input(object, &[], false)).await,
        "at least one field",
    );
    assert_invalid(
        store
            .create_index(ws, input(object, &[(thrust, None), (thrust, None)], false))
            .await,
        "listed twice",
    );
    assert_invalid(
        store
            .create_index(ws, input(object, &[(contact, Some("nope"))], false))
            .await,
        "no sub-field \"nope\"",
    );
    assert_invalid(
        store
            .create_index(ws, input(object, &[(manual, None)], false))
            .await,
        "cannot be indexed",
    );
    let person_name = field_id(&store, ws, "person", "city").await;
    assert_invalid(
        store
            .create_index(ws, input(object, &[(person_name, None)], false))
            .await,
        "does not belong to object \"rocket\"",
    );
    assert_invalid(
        store
            .create_index(
                ws,
                input(object, &[(codename, None), (thrust, None)], false),
            )
            .await,
        "already has an index on these fields",
    );
    let mut gin = input(object, &[(codename, None)], false);
    gin.index_type = IndexType::Gin;
    assert_invalid(store.create_index(ws, gin).await, "A GIN index needs");
    assert_eq!(snapshot(&store, ws).await, before);

    // GIN on a multi-select.
    let mut gin = input(object, &[(tags, None)], false);
    gin.index_type = IndexType::Gin;
    let gin = store.create_index(ws, gin).await.expect("gin index");
    assert!(indexes(&store, ws, "_rocket").await.contains(&gin.name));

    // Listing: field indexes first (none on rocket's own fields but the company relation's
    // join column), then the custom ones in creation order.
    let objects = store.objects_metadata(ws).await.expect("metadata");
    let listed = list_indexes(ws, &objects).expect("list");
    let rocket_indexes = &listed[&object];
    let custom: Vec<_> = rocket_indexes.iter().filter(|i| i.is_custom).collect();
    assert_eq!(
        custom.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![plain.id, unique.id, gin.id]
    );
    assert_eq!(custom[0].fields.len(), 2);
    assert_eq!(custom[0].fields[1].field_metadata_id, thrust);
    assert_eq!(custom[0].fields[1].order, 1);
    assert_eq!(
        custom[1].index_where_clause.as_deref(),
        Some("\"deletedAt\" IS NULL")
    );
    let person = objects
        .iter()
        .find(|o| o.name_singular == "person")
        .expect("person");
    assert!(
        listed[&person.id]
            .iter()
            .any(|i| !i.is_custom && i.name == "IDX_person_companyId"),
        "join column index listed"
    );

    // Deleting a field drops the custom indexes covering it (and then the column).
    store.delete_field(ws, thrust).await.expect("delete thrust");
    let names = indexes(&store, ws, "_rocket").await;
    assert!(!names.contains(&plain.name));
    assert!(names.contains(&unique.name));
    let objects = store.objects_metadata(ws).await.expect("metadata");
    let rocket_meta = objects.iter().find(|o| o.id == object).expect("rocket");
    assert_eq!(
        rocket_meta.indexes.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![unique.id, gin.id]
    );

    // A change that rebuilds the table on SQLite (a new default) keeps the custom indexes.
    store
        .update_field(
            ws,
            codename,
            tessera_metadata::UpdateFieldInput {
                default_value: Some(json!("'none'")),
                ..Default::default()
            },
        )
        .await
        .expect("new default");
    let names = indexes(&store, ws, "_rocket").await;
    assert!(names.contains(&unique.name) && names.contains(&gin.name));

    // deleteOneIndex: drops it; an unknown or field-derived index id is NOT_FOUND.
    let deleted = store.delete_index(ws, unique.id).await.expect("delete");
    assert_eq!(deleted.id, unique.id);
    assert!(!indexes(&store, ws, "_rocket").await.contains(&unique.name));
    create_record(
        &store,
        ws,
        "rocket",
        json!({"name": "E", "contact": {"primaryEmail": "a@x.io"}}),
    )
    .await
    .expect("duplicates allowed again");
    assert!(matches!(
        store.delete_index(ws, unique.id).await,
        Err(StoreError::IndexNotFound(_))
    ));
    assert!(matches!(
        store.delete_index(other, gin.id).await,
        Err(StoreError::IndexNotFound(_))
    ));
    assert!(indexes(&store, ws, "_rocket").await.contains(&gin.name));
}
both!(custom_indexes);
