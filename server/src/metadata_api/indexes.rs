//! Indexes on `/metadata`: `Object.indexMetadatas` / `Object.indexMetadataList` (every index
//! of an object: those of join columns and unique fields, and custom ones), and
//! `createOneIndex` / `deleteOneIndex` (Twenty 2.43's `Index`, `IndexField`,
//! `CreateOneIndexInput`, `DeleteOneIndexInput`).

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use tessera_core::PermissionFlag;
use tessera_store::{IndexFieldListing, IndexListing};
use uuid::Uuid;

use super::errors::{coded, context, not_found, require_flag};
use super::inputs::{BooleanFieldComparison, CursorPaging, UuidFilterComparison, page};
use super::resolvers::snapshot;
use super::scalars::{ConnectionCursor, DateTimeScalar, UuidScalar};
use super::types::{PageInfo, Snapshot, stamp};

/// Twenty's `IndexType`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "IndexType", rename_items = "UPPERCASE")]
pub enum IndexTypeGql {
    /// B-tree.
    Btree,
    /// Generalized inverted index (array and JSON fields).
    Gin,
}

impl From<tessera_metadata::IndexType> for IndexTypeGql {
    fn from(t: tessera_metadata::IndexType) -> Self {
        match t {
            tessera_metadata::IndexType::Btree => IndexTypeGql::Btree,
            tessera_metadata::IndexType::Gin => IndexTypeGql::Gin,
        }
    }
}

impl From<IndexTypeGql> for tessera_metadata::IndexType {
    fn from(t: IndexTypeGql) -> Self {
        match t {
            IndexTypeGql::Btree => tessera_metadata::IndexType::Btree,
            IndexTypeGql::Gin => tessera_metadata::IndexType::Gin,
        }
    }
}

/// An index of an object (`Index`).
#[derive(Clone)]
pub struct IndexDto {
    snapshot: Snapshot,
    listing: IndexListing,
}

impl IndexDto {
    /// The indexes of object `object_id` in the snapshot, in listing order.
    pub(crate) fn of_object(snapshot: &Snapshot, object_id: Uuid) -> Vec<IndexDto> {
        snapshot
            .indexes
            .get(&object_id)
            .into_iter()
            .flatten()
            .map(|listing| IndexDto {
                snapshot: snapshot.clone(),
                listing: listing.clone(),
            })
            .collect()
    }

    /// The index with this id, on any object of the snapshot.
    fn find(snapshot: &Snapshot, id: Uuid) -> Option<IndexDto> {
        snapshot
            .indexes
            .values()
            .flatten()
            .find(|l| l.id == id)
            .map(|listing| IndexDto {
                snapshot: snapshot.clone(),
                listing: listing.clone(),
            })
    }

    /// Creation instant: a custom index's own, else its first field's.
    fn created(&self) -> DateTimeScalar {
        match &self.listing.created_at {
            Some(at) => DateTimeScalar(at.clone()),
            None => {
                let field = self.listing.fields.first().map(|f| f.field_metadata_id);
                stamp(&self.snapshot, field.unwrap_or_default(), false)
            }
        }
    }
}

#[Object(name = "Index")]
impl IndexDto {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.listing.id)
    }
    async fn name(&self) -> &str {
        &self.listing.name
    }
    async fn is_custom(&self) -> Option<bool> {
        Some(self.listing.is_custom)
    }
    async fn is_unique(&self) -> bool {
        self.listing.is_unique
    }
    async fn index_where_clause(&self) -> Option<&str> {
        self.listing.index_where_clause.as_deref()
    }
    async fn index_type(&self) -> IndexTypeGql {
        self.listing.index_type.into()
    }
    async fn created_at(&self) -> DateTimeScalar {
        self.created()
    }
    async fn updated_at(&self) -> DateTimeScalar {
        self.created()
    }
    async fn index_field_metadata_list(&self) -> Vec<IndexFieldDto> {
        self.listing
            .fields
            .iter()
            .map(|f| IndexFieldDto {
                field: f.clone(),
                created_at: self.created(),
            })
            .collect()
    }
}

/// One field of an index (`IndexField`).
pub struct IndexFieldDto {
    field: IndexFieldListing,
    created_at: DateTimeScalar,
}

#[Object(name = "IndexField")]
impl IndexFieldDto {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.field.id)
    }
    async fn field_metadata_id(&self) -> UuidScalar {
        UuidScalar(self.field.field_metadata_id)
    }
    /// Position in the index, from 0.
    async fn order(&self) -> f64 {
        self.field.order as f64
    }
    async fn sub_field_name(&self) -> Option<&str> {
        self.field.sub_field_name.as_deref()
    }
    async fn created_at(&self) -> DateTimeScalar {
        self.created_at.clone()
    }
    async fn updated_at(&self) -> DateTimeScalar {
        self.created_at.clone()
    }
}

/// An edge of [`ObjectIndexMetadatasConnection`].
#[derive(SimpleObject)]
#[graphql(name = "IndexEdge")]
pub struct IndexEdge {
    /// The node containing the Index
    pub node: IndexDto,
    /// Cursor for this node.
    pub cursor: ConnectionCursor,
}

/// `Object.indexMetadatas`.
#[derive(SimpleObject)]
pub struct ObjectIndexMetadatasConnection {
    /// Paging information
    pub page_info: PageInfo,
    /// Array of edges.
    pub edges: Vec<IndexEdge>,
}

/// Filter of `Object.indexMetadatas` (Twenty's `IndexFilter`).
#[derive(InputObject, Debug, Clone, Default)]
pub struct IndexFilter {
    /// All of these.
    pub and: Option<Vec<IndexFilter>>,
    /// Any of these.
    pub or: Option<Vec<IndexFilter>>,
    /// On the id.
    pub id: Option<UuidFilterComparison>,
    /// On `isCustom`.
    pub is_custom: Option<BooleanFieldComparison>,
}

impl IndexFilter {
    fn matches(&self, i: &IndexListing) -> bool {
        self.and
            .as_ref()
            .is_none_or(|l| l.iter().all(|f| f.matches(i)))
            && self
                .or
                .as_ref()
                .is_none_or(|l| l.is_empty() || l.iter().any(|f| f.matches(i)))
            && self.id.as_ref().is_none_or(|c| c.matches(Some(i.id)))
            && self
                .is_custom
                .as_ref()
                .is_none_or(|c| c.matches(i.is_custom))
    }
}

/// `Object.indexMetadatas(paging, filter)`.
pub(crate) fn index_connection(
    snapshot: &Snapshot,
    object_id: Uuid,
    filter: Option<&IndexFilter>,
    paging: Option<&CursorPaging>,
) -> async_graphql::Result<ObjectIndexMetadatasConnection> {
    let items: Vec<IndexDto> = IndexDto::of_object(snapshot, object_id)
        .into_iter()
        .filter(|i| filter.is_none_or(|f| f.matches(&i.listing)))
        .collect();
    let (edges, page_info) = page(items, |i| i.listing.id, paging)?;
    Ok(ObjectIndexMetadatasConnection {
        page_info,
        edges: edges
            .into_iter()
            .map(|(cursor, node)| IndexEdge { node, cursor })
            .collect(),
    })
}

/// One field of a new index.
#[derive(InputObject, Debug, Clone)]
pub struct CreateIndexFieldInput {
    /// The field.
    pub field_metadata_id: UuidScalar,
    /// For a composite field, one sub-field (`primaryEmail`); absent indexes all of them.
    pub sub_field_name: Option<String>,
}

/// A new custom index.
#[derive(InputObject, Debug, Clone)]
pub struct CreateIndexInput {
    /// The object whose table gets the index.
    pub object_metadata_id: UuidScalar,
    /// The indexed fields, in order.
    pub fields: Vec<CreateIndexFieldInput>,
    /// `BTREE` or `GIN`.
    pub index_type: IndexTypeGql,
    /// Tessera extension: refuse duplicate value combinations among live records
    /// (default false).
    pub is_unique: Option<bool>,
}

/// `createOneIndex(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct CreateOneIndexInput {
    /// The custom index to create
    pub index: CreateIndexInput,
}

/// `deleteOneIndex(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct DeleteOneIndexInput {
    /// The id of the custom index to delete.
    pub id: UuidScalar,
}

/// Index mutations of `/metadata` (part of its `Mutation`), guarded by the `DATA_MODEL` flag.
#[derive(Default)]
pub struct IndexMutation;

#[Object]
impl IndexMutation {
    /// Creates a custom index (and the database index, in the same transaction).
    async fn create_one_index(
        &self,
        ctx: &Context<'_>,
        input: CreateOneIndexInput,
    ) -> async_graphql::Result<IndexDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        let index = input.index;
        let created = mc
            .store
            .create_index(
                mc.session()?.workspace_id,
                tessera_metadata::CreateIndexInput {
                    object_metadata_id: index.object_metadata_id.0,
                    fields: index
                        .fields
                        .into_iter()
                        .map(|f| tessera_metadata::CreateIndexFieldInput {
                            field_metadata_id: f.field_metadata_id.0,
                            sub_field_name: f.sub_field_name,
                        })
                        .collect(),
                    index_type: index.index_type.into(),
                    is_unique: index.is_unique.unwrap_or(false),
                },
            )
            .await
            .map_err(|e| coded(&e))?;
        let snap = snapshot(mc).await?;
        IndexDto::find(&snap, created.id).ok_or_else(|| not_found("index", created.id))
    }

    /// Deletes a custom index; returns it as it was.
    async fn delete_one_index(
        &self,
        ctx: &Context<'_>,
        input: DeleteOneIndexInput,
    ) -> async_graphql::Result<IndexDto> {
        let mc = context(ctx)?;
        require_flag(mc, PermissionFlag::DataModel)?;
        let before = snapshot(mc).await?;
        let found = IndexDto::find(&before, input.id.0);
        mc.store
            .delete_index(mc.session()?.workspace_id, input.id.0)
            .await
            .map_err(|e| coded(&e))?;
        found.ok_or_else(|| not_found("index", input.id.0))
    }
}
