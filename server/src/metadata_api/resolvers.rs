//! The data-model root fields of `/metadata` (objects and fields): thin resolvers over the
//! store's metadata operations.

use std::sync::Arc;

use async_graphql::{Context, MaybeUndefined, Object};
use tessera_core::PermissionFlag;

use super::MetadataContext;
use super::errors::{bad, coded, context, convert, not_found, require_flag};
use super::inputs::{
    CreateOneFieldMetadataInput, CreateOneObjectInput, CursorPaging, DeleteOneFieldInput,
    DeleteOneObjectInput, FieldFilter, ObjectFilter, UpdateOneFieldMetadataInput,
    UpdateOneObjectInput, page,
};
use super::scalars::UuidScalar;
use super::types::{
    FieldConnection, FieldDto, FieldEdge, ObjectConnection, ObjectDto, ObjectEdge, Snapshot,
    SnapshotData,
};

/// One read of the workspace's metadata, timestamps and indexes.
pub(crate) async fn snapshot(mc: &MetadataContext) -> async_graphql::Result<Snapshot> {
    let ws = mc.session()?.workspace_id;
    let objects = mc.store.objects_metadata(ws).await.map_err(|e| coded(&e))?;
    let stamps = mc
        .store
        .metadata_timestamps(ws)
        .await
        .map_err(|e| coded(&e))?;
    let indexes = tessera_store::list_indexes(ws, &objects).map_err(|e| coded(&e))?;
    Ok(Arc::new(SnapshotData {
        workspace_id: ws.0,
        objects,
        stamps,
        indexes,
    }))
}

/// Data-model queries of `/metadata` (part of its `Query`).
#[derive(Default)]
pub struct DataModelQuery;

#[Object]
impl DataModelQuery {
    /// The workspace's objects (inactive ones included), in stable order; default page 10.
    async fn objects(
        &self,
        ctx: &Context<'_>,
        paging: Option<CursorPaging>,
        filter: Option<ObjectFilter>,
    ) -> async_graphql::Result<ObjectConnection> {
        let snap = snapshot(context(ctx)?).await?;
        let items: Vec<ObjectDto> = (0..snap.objects.len())
            .filter(|&i| filter.as_ref().is_none_or(|f| f.matches(&snap.objects[i])))
            .map(|index| ObjectDto {
                snapshot: snap.clone(),
                index,
            })
            .collect();
        let (edges, page_info) = page(items, |o| snap.objects[o.index].id, paging.as_ref())?;
        Ok(ObjectConnection {
            page_info,
            edges: edges
                .into_iter()
                .map(|(cursor, node)| ObjectEdge { node, cursor })
                .collect(),
        })
    }

    /// One object by id. Errors: `NOT_FOUND`.
    async fn object(&self, ctx: &Context<'_>, id: UuidScalar) -> async_graphql::Result<ObjectDto> {
        let snap = snapshot(context(ctx)?).await?;
        ObjectDto::find(&snap, id.0).ok_or_else(|| not_found("object", id.0))
    }

    /// The workspace's fields, object by object; default page 10.
    async fn fields(
        &self,
        ctx: &Context<'_>,
        paging: Option<CursorPaging>,
        filter: Option<FieldFilter>,
    ) -> async_graphql::Result<FieldConnection> {
        let snap = snapshot(context(ctx)?).await?;
        let items: Vec<FieldDto> = FieldDto::all(&snap)
            .into_iter()
            .filter(|f| filter.as_ref().is_none_or(|flt| flt.matches(f.meta())))
            .collect();
        let (edges, page_info) = page(items, |f| f.meta().id, paging.as_ref())?;
        Ok(FieldConnection {
            page_info,
            edges: edges
                .into_iter()
                .map(|(cursor, node)| FieldEdge { node, cursor })
                .collect(),
        })
    }

    /// One field by id. Errors: `NOT_FOUND`.
    async fn field(&self, ctx: &Context<'_>, id: UuidScalar) -> async_graphql::Result<FieldDto> {
        let snap = snapshot(context(ctx)?).await?;
        FieldDto::find(&snap, id.0).ok_or_else(|| not_found("field", id.0))
    }
}

/// Data-model mutations of `/metadata` (part of its `Mutation`), guarded by the `DATA_MODEL`
/// flag (Twenty's `SettingsPermissionGuard(DATA_MODEL)`). Each mutation is one atomic
/// change (metadata, tables and the metadata version together), then answers from a fresh
/// snapshot.
#[derive(Default)]
pub struct DataModelMutation;

#[Object]
impl DataModelMutation {
    /// Creates a custom object (table `_<nameSingular>`, system fields, a `name` field).
    async fn create_one_object(
        &self,
        ctx: &Context<'_>,
        input: CreateOneObjectInput,
    ) -> async_graphql::Result<ObjectDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        let created = mc
            .store
            .create_object(mc.session()?.workspace_id, convert(&input.object)?)
            .await
            .map_err(|e| coded(&e))?;
        let snap = snapshot(mc).await?;
        ObjectDto::find(&snap, created.id).ok_or_else(|| not_found("object", created.id))
    }

    /// Changes an object (labels, names, `isActive`, label identifier).
    async fn update_one_object(
        &self,
        ctx: &Context<'_>,
        input: UpdateOneObjectInput,
    ) -> async_graphql::Result<ObjectDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        let updated = mc
            .store
            .update_object(
                mc.session()?.workspace_id,
                input.id.0,
                convert(&input.update)?,
            )
            .await
            .map_err(|e| coded(&e))?;
        let snap = snapshot(mc).await?;
        ObjectDto::find(&snap, updated.id).ok_or_else(|| not_found("object", updated.id))
    }

    /// Deletes a custom object, its table and the relations pointing at it; returns it as it was.
    async fn delete_one_object(
        &self,
        ctx: &Context<'_>,
        input: DeleteOneObjectInput,
    ) -> async_graphql::Result<ObjectDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        let before = snapshot(mc).await?;
        let deleted = mc
            .store
            .delete_object(mc.session()?.workspace_id, input.id.0)
            .await
            .map_err(|e| coded(&e))?;
        ObjectDto::find(&before, deleted.id).ok_or_else(|| not_found("object", deleted.id))
    }

    /// Creates a field (both sides for a relation given `relationCreationPayload`).
    async fn create_one_field(
        &self,
        ctx: &Context<'_>,
        input: CreateOneFieldMetadataInput,
    ) -> async_graphql::Result<FieldDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        if input.field.field_type.to_field_type().is_none() {
            return Err(bad(format!(
                "Field type {:?} is not supported yet",
                input.field.field_type
            )));
        }
        let created = mc
            .store
            .create_field(mc.session()?.workspace_id, convert(&input.field)?)
            .await
            .map_err(|e| coded(&e))?;
        let snap = snapshot(mc).await?;
        FieldDto::find(&snap, created.id).ok_or_else(|| not_found("field", created.id))
    }

    /// Changes a field (label, name, `isActive`, nullability, default, uniqueness, options).
    async fn update_one_field(
        &self,
        ctx: &Context<'_>,
        input: UpdateOneFieldMetadataInput,
    ) -> async_graphql::Result<FieldDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        let mut update: tessera_metadata::UpdateFieldInput = convert(&input.update)?;
        update.default_value = match input.update.default_value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(serde_json::Value::Null),
            MaybeUndefined::Value(v) => Some(v.0),
        };
        let updated = mc
            .store
            .update_field(mc.session()?.workspace_id, input.id.0, update)
            .await
            .map_err(|e| coded(&e))?;
        let snap = snapshot(mc).await?;
        FieldDto::find(&snap, updated.id).ok_or_else(|| not_found("field", updated.id))
    }

    /// Deletes a custom field and its column(s); returns it as it was.
    async fn delete_one_field(
        &self,
        ctx: &Context<'_>,
        input: DeleteOneFieldInput,
    ) -> async_graphql::Result<FieldDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        let object_snapshot = snapshot(mc).await?;
        let deleted = mc
            .store
            .delete_field(mc.session()?.workspace_id, input.id.0)
            .await
            .map_err(|e| coded(&e))?;
        FieldDto::find(&object_snapshot, deleted.id).ok_or_else(|| not_found("field", deleted.id))
    }
}
