//! Metadata changes at run time: create, update and delete objects, fields and relations
//! (the storage half of Twenty's `/metadata` mutations, `createOneObject` … `deleteOneField`,
//! `shared/reference/twenty-metadata-auth.md` §2.4, §3).
//!
//! Every change is ONE atomic unit ([`txn`]): the metadata is loaded and locked, the input is
//! applied in memory ([`apply`]) and validated together with the whole resulting metadata
//! set ([`tessera_metadata::validate::validate_workspace`]), the DDL is worked out from the
//! physical models before and after ([`plan`]), then the metadata rows, the DDL and the
//! `metadataVersion` bump (+1) are written in one transaction — or nothing at all.

mod apply;
mod indexes;
mod plan;
mod rows;
mod txn;

use tessera_core::WorkspaceId;
use tessera_metadata::validate::{physical_model, validate_workspace};
use tessera_metadata::{
    CreateFieldInput, CreateIndexInput, CreateObjectInput, FieldMetadata, IndexMetadata,
    ObjectMetadata, UpdateFieldInput, UpdateObjectInput,
};
use uuid::Uuid;

pub use indexes::{IndexFieldListing, IndexListing, list_indexes};

use crate::{Store, StoreError, metadata_rows};
use txn::ChangeTxn;

impl Store {
    /// Every object of the workspace with all its fields, inactive ones included, in stable
    /// order (creation order of objects, then of fields).
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn objects_metadata(
        &self,
        ws: WorkspaceId,
    ) -> Result<Vec<ObjectMetadata>, StoreError> {
        self.metadata_version(ws).await?;
        metadata_rows::load(self.backend().system(), self.sys(), ws).await
    }

    /// `createOneObject`: a custom object (`isCustom`, table `_<nameSingular>`) with the
    /// system fields and, unless `skip_name_field`, a `name` TEXT label identifier. Creates
    /// its table.
    ///
    /// Errors: [`StoreError::Validation`] (`METADATA_VALIDATION_FAILED`: invalid or taken
    /// names, names clashing with generated GraphQL types, empty labels),
    /// [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn create_object(
        &self,
        ws: WorkspaceId,
        input: CreateObjectInput,
    ) -> Result<ObjectMetadata, StoreError> {
        self.change(ws, |objects| apply::create_object(objects, input))
            .await
    }

    /// `updateOneObject`: labels, description, icon and label identifier (metadata only),
    /// `isActive` (hides / shows the object in `/graphql`, data kept), `nameSingular` of a
    /// custom object (renames its table to `_<new>` and its enum types), `namePlural`
    /// (metadata only). Returns the updated object.
    ///
    /// Errors: [`StoreError::ObjectNotFound`], [`StoreError::Validation`] (renaming a
    /// standard object, invalid or taken names, ...), [`StoreError::Database`].
    pub async fn update_object(
        &self,
        ws: WorkspaceId,
        id: Uuid,
        input: UpdateObjectInput,
    ) -> Result<ObjectMetadata, StoreError> {
        self.change(ws, |objects| apply::update_object(objects, id, input))
            .await
    }

    /// `deleteOneObject`: deletes a custom object, its table and enum types, and every
    /// relation field of other objects that targets it (with their join columns). Returns
    /// the object as it was.
    ///
    /// Errors: [`StoreError::ObjectNotFound`], [`StoreError::Validation`] (standard object),
    /// [`StoreError::Database`].
    pub async fn delete_object(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<ObjectMetadata, StoreError> {
        self.change(ws, |objects| apply::delete_object(objects, id))
            .await
    }

    /// `createOneField`: adds a custom field and its column(s) (every sub-column of a
    /// composite), PostgreSQL enum type, unique index and default. A RELATION field (with
    /// `relationCreationPayload`) creates both sides; the many-to-one side gets the
    /// `<name>Id` join column with its foreign key and index. Returns the requested field.
    ///
    /// Errors: [`StoreError::ObjectNotFound`], [`StoreError::Validation`] (invalid or taken
    /// name, bad options, missing or inactive relation target, records that do not fit a
    /// required field, ...), [`StoreError::InvalidDefault`], [`StoreError::Database`].
    pub async fn create_field(
        &self,
        ws: WorkspaceId,
        input: CreateFieldInput,
    ) -> Result<FieldMetadata, StoreError> {
        self.change(ws, |objects| apply::create_field(objects, input))
            .await
    }

    /// `updateOneField`: label / description / icon (metadata only); `isActive` (hides or
    /// shows the field, data kept); `name` (renames the column(s), enum type and join
    /// column); `isNullable`; `defaultValue`; `isUnique` (partial unique index); `options`
    /// (stored values follow renamed options; removed ones become NULL or leave arrays).
    /// Returns the updated field.
    ///
    /// Errors: [`StoreError::FieldNotFound`], [`StoreError::Validation`] (forbidden change,
    /// invalid input, NULLs or duplicates in existing records), [`StoreError::InvalidDefault`],
    /// [`StoreError::Database`].
    pub async fn update_field(
        &self,
        ws: WorkspaceId,
        id: Uuid,
        input: UpdateFieldInput,
    ) -> Result<FieldMetadata, StoreError> {
        self.change(ws, |objects| apply::update_field(objects, id, input))
            .await
    }

    /// `deleteOneField`: drops a custom field's column(s), enum types and indexes; for a
    /// relation both sides and the join column. Returns the field as it was.
    ///
    /// Errors: [`StoreError::FieldNotFound`], [`StoreError::Validation`] (system or standard
    /// field, label identifier), [`StoreError::Database`].
    pub async fn delete_field(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<FieldMetadata, StoreError> {
        self.change(ws, |objects| apply::delete_field(objects, id))
            .await
    }

    /// `createOneIndex`: a custom index over fields of one object (plain B-tree, GIN for
    /// array and JSON fields, or unique over live records), created in the same transaction.
    /// Returns the index with its physical name.
    ///
    /// Errors: [`StoreError::ObjectNotFound`], [`StoreError::Validation`] (unknown, inactive
    /// or unindexable fields, a sub-field the type lacks, GIN on another type, an index on
    /// the same fields already, duplicates in existing records for a unique index),
    /// [`StoreError::Database`].
    pub async fn create_index(
        &self,
        ws: WorkspaceId,
        input: CreateIndexInput,
    ) -> Result<IndexMetadata, StoreError> {
        self.change(ws, |objects| apply::create_index(objects, input))
            .await
    }

    /// `deleteOneIndex`: drops a custom index; returns it as it was.
    ///
    /// Errors: [`StoreError::IndexNotFound`] (no custom index has this id: the indexes of
    /// join columns and unique fields go with their fields), [`StoreError::Database`].
    pub async fn delete_index(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<IndexMetadata, StoreError> {
        self.change(ws, |objects| apply::delete_index(objects, id))
            .await
    }

    /// Runs one change as an atomic unit (see the module docs).
    async fn change<T>(
        &self,
        ws: WorkspaceId,
        apply: impl FnOnce(&mut Vec<ObjectMetadata>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let txn = ChangeTxn::begin(self, ws).await?;
        match change_in(&txn, ws, apply).await {
            Ok(out) => {
                txn.commit().await?;
                tracing::info!(workspace_id = %ws, "metadata changed");
                Ok(out)
            }
            Err(e) => {
                txn.rollback().await;
                Err(e)
            }
        }
    }
}

async fn change_in<T>(
    txn: &ChangeTxn,
    ws: WorkspaceId,
    apply: impl FnOnce(&mut Vec<ObjectMetadata>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let old = metadata_rows::load(txn.conn(), txn.sys, ws).await?;
    let mut new = old.clone();
    let out = apply(&mut new)?;
    apply::prune_indexes(&mut new);
    validate_workspace(ws, &new)?;
    let steps = plan::plan(
        txn.dialect(),
        &txn.schema,
        &physical_model(ws, &old)?,
        &physical_model(ws, &new)?,
    )?;
    rows::persist(txn.conn(), txn.sys, ws, &old, &new).await?;
    txn.run(&steps).await?;
    txn.bump_version(ws).await?;
    Ok(out)
}
