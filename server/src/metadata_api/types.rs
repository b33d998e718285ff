//! Output types of `/metadata`: `Object`, `Field`, `Relation`, their connections and
//! `PageInfo`, read from one snapshot of the workspace's metadata.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Enum, Object, SimpleObject};
use tessera_metadata::{FieldType, ObjectMetadata, RelationType};
use tessera_store::MetadataTimestamps;
use uuid::Uuid;

use super::inputs::{CursorPaging, FieldFilter};
use super::scalars::{ConnectionCursor, DateTimeScalar, JsonScalar, UuidScalar};

/// Every object and field of a workspace, as read once for a request, with their timestamps.
#[derive(Debug, Default)]
pub(crate) struct SnapshotData {
    /// The workspace (also the id of its own application: Tessera has no installable
    /// applications yet, so every object and field belongs to the workspace's).
    pub(crate) workspace_id: Uuid,
    pub(crate) objects: Vec<ObjectMetadata>,
    pub(crate) stamps: HashMap<Uuid, MetadataTimestamps>,
    /// Every index of every object, by object id.
    pub(crate) indexes: HashMap<Uuid, Vec<tessera_store::IndexListing>>,
}

/// A shared [`SnapshotData`].
pub(crate) type Snapshot = Arc<SnapshotData>;

/// Twenty's `FieldMetadataType`. Types Tessera does not store yet (`FILES`, `MORPH_RELATION`,
/// `TS_VECTOR`) are accepted by the schema and refused by `createOneField`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[graphql(name = "FieldMetadataType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FieldMetadataType {
    /// ACTOR.
    Actor,
    /// ADDRESS.
    Address,
    /// ARRAY.
    Array,
    /// BOOLEAN.
    Boolean,
    /// CURRENCY.
    Currency,
    /// DATE.
    Date,
    /// DATE_TIME.
    DateTime,
    /// EMAILS.
    Emails,
    /// FILES (not supported yet).
    Files,
    /// FULL_NAME.
    FullName,
    /// LINKS.
    Links,
    /// MORPH_RELATION (not supported yet).
    MorphRelation,
    /// MULTI_SELECT.
    MultiSelect,
    /// NUMBER.
    Number,
    /// NUMERIC.
    Numeric,
    /// PHONES.
    Phones,
    /// POSITION.
    Position,
    /// RATING.
    Rating,
    /// RAW_JSON.
    RawJson,
    /// RELATION.
    Relation,
    /// RICH_TEXT.
    RichText,
    /// RICH_TEXT_V2 (an alias of RICH_TEXT).
    RichTextV2,
    /// SELECT.
    Select,
    /// TEXT.
    Text,
    /// TS_VECTOR (not supported yet).
    TsVector,
    /// UUID.
    Uuid,
}

impl FieldMetadataType {
    /// The stored type, or `None` for types not supported yet.
    pub(crate) fn to_field_type(self) -> Option<FieldType> {
        use FieldMetadataType as G;
        Some(match self {
            G::Actor => FieldType::Actor,
            G::Address => FieldType::Address,
            G::Array => FieldType::Array,
            G::Boolean => FieldType::Boolean,
            G::Currency => FieldType::Currency,
            G::Date => FieldType::Date,
            G::DateTime => FieldType::DateTime,
            G::Emails => FieldType::Emails,
            G::FullName => FieldType::FullName,
            G::Links => FieldType::Links,
            G::MultiSelect => FieldType::MultiSelect,
            G::Number => FieldType::Number,
            G::Numeric => FieldType::Numeric,
            G::Phones => FieldType::Phones,
            G::Position => FieldType::Position,
            G::Rating => FieldType::Rating,
            G::RawJson => FieldType::RawJson,
            G::Relation => FieldType::Relation,
            G::RichText | G::RichTextV2 => FieldType::RichText,
            G::Select => FieldType::Select,
            G::Text => FieldType::Text,
            G::Uuid => FieldType::Uuid,
            G::Files | G::MorphRelation | G::TsVector => return None,
        })
    }

    /// The GraphQL value of a stored type.
    pub(crate) fn from_field_type(t: FieldType) -> Self {
        use FieldMetadataType as G;
        match t {
            FieldType::Actor => G::Actor,
            FieldType::Address => G::Address,
            FieldType::Array => G::Array,
            FieldType::Boolean => G::Boolean,
            FieldType::Currency => G::Currency,
            FieldType::Date => G::Date,
            FieldType::DateTime => G::DateTime,
            FieldType::Emails => G::Emails,
            FieldType::FullName => G::FullName,
            FieldType::Links => G::Links,
            FieldType::MultiSelect => G::MultiSelect,
            FieldType::Number => G::Number,
            FieldType::Numeric => G::Numeric,
            FieldType::Phones => G::Phones,
            FieldType::Position => G::Position,
            FieldType::Rating => G::Rating,
            FieldType::RawJson => G::RawJson,
            FieldType::Relation => G::Relation,
            FieldType::RichText => G::RichText,
            FieldType::Select => G::Select,
            FieldType::Text => G::Text,
            FieldType::Uuid => G::Uuid,
        }
    }
}

/// Twenty's `RelationType`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "RelationType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum RelationTypeGql {
    /// The side holding the join column.
    ManyToOne,
    /// The inverse side.
    OneToMany,
}

/// Where a record opens in the UI (Twenty's `ObjectOpenRecordIn`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ObjectOpenRecordIn", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ObjectOpenRecordIn {
    /// In the side panel (the default).
    SidePanel,
    /// On a full record page.
    RecordPage,
    /// As the user chooses.
    UserChoice,
}

/// Who may read a metadata item (Twenty's `MetadataReadability`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "MetadataReadability", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MetadataReadability {
    /// Everyone in the workspace.
    Open,
    /// Only its owner.
    Private,
    /// As its parent.
    Inherited,
    /// Its application.
    Application,
    /// The system only.
    System,
}

/// Who may change a metadata item (Twenty's `MetadataWritability`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "MetadataWritability", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MetadataWritability {
    /// Workspace admins.
    Open,
    /// Its application.
    Application,
    /// The system only (system fields).
    System,
}

/// Relay page info (every field nullable, as in Twenty's metadata schema).
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct PageInfo {
    /// Whether more items follow.
    pub has_next_page: Option<bool>,
    /// Whether items precede.
    pub has_previous_page: Option<bool>,
    /// Cursor of the first item.
    pub start_cursor: Option<ConnectionCursor>,
    /// Cursor of the last item.
    pub end_cursor: Option<ConnectionCursor>,
}

/// An object (`Object` in Twenty's metadata schema).
#[derive(Clone)]
pub struct ObjectDto {
    pub(crate) snapshot: Snapshot,
    pub(crate) index: usize,
}

/// A field (`Field` in Twenty's metadata schema).
#[derive(Clone)]
pub struct FieldDto {
    pub(crate) snapshot: Snapshot,
    pub(crate) object: usize,
    pub(crate) field: usize,
}

impl ObjectDto {
    fn meta(&self) -> &ObjectMetadata {
        &self.snapshot.objects[self.index]
    }

    /// The object with this id in the snapshot.
    pub(crate) fn find(snapshot: &Snapshot, id: Uuid) -> Option<ObjectDto> {
        snapshot
            .objects
            .iter()
            .position(|o| o.id == id)
            .map(|index| ObjectDto {
                snapshot: snapshot.clone(),
                index,
            })
    }

    fn field_dtos(&self) -> Vec<FieldDto> {
        (0..self.meta().fields.len())
            .map(|field| FieldDto {
                snapshot: self.snapshot.clone(),
                object: self.index,
                field,
            })
            .collect()
    }
}

/// `createdAt` / `updatedAt` of a metadata row (rows not stored yet, such as an object just
/// deleted, fall back to the Unix epoch).
pub(crate) fn stamp(snapshot: &Snapshot, id: Uuid, updated: bool) -> DateTimeScalar {
    DateTimeScalar(
        snapshot
            .stamps
            .get(&id)
            .map(|t| {
                if updated {
                    t.updated_at.clone()
                } else {
                    t.created_at.clone()
                }
            })
            .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_owned()),
    )
}

#[Object(name = "Object")]
impl ObjectDto {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.meta().id)
    }
    /// Stable identifier across workspaces; the object's id in Tessera.
    async fn universal_identifier(&self) -> String {
        self.meta().id.to_string()
    }
    async fn name_singular(&self) -> &str {
        &self.meta().name_singular
    }
    async fn name_plural(&self) -> &str {
        &self.meta().name_plural
    }
    async fn label_singular(&self) -> &str {
        &self.meta().label_singular
    }
    async fn label_plural(&self) -> &str {
        &self.meta().label_plural
    }
    async fn description(&self) -> Option<&str> {
        self.meta().description.as_deref()
    }
    async fn icon(&self) -> Option<&str> {
        self.meta().icon.as_deref()
    }
    async fn shortcut(&self) -> Option<&str> {
        None
    }
    async fn color(&self) -> Option<&str> {
        None
    }
    async fn is_custom(&self) -> bool {
        self.meta().is_custom
    }
    async fn is_remote(&self) -> bool {
        false
    }
    async fn is_active(&self) -> bool {
        self.meta().is_active
    }
    async fn is_system(&self) -> bool {
        self.meta().is_system
    }
    #[graphql(name = "isUIEditable")]
    async fn is_ui_editable(&self) -> bool {
        true
    }
    #[graphql(name = "isUICreatable")]
    async fn is_ui_creatable(&self) -> bool {
        true
    }
    #[graphql(name = "isUIReadOnly", deprecation = "Use isUIEditable")]
    async fn is_ui_read_only(&self) -> bool {
        false
    }
    async fn is_searchable(&self) -> bool {
        self.meta().label_identifier_field_metadata_id.is_some()
    }
    async fn open_record_in(&self) -> ObjectOpenRecordIn {
        ObjectOpenRecordIn::SidePanel
    }
    async fn readability(&self) -> MetadataReadability {
        MetadataReadability::Open
    }
    async fn readability_parent_field_universal_identifiers(&self) -> Option<Vec<UuidScalar>> {
        None
    }
    async fn writability(&self) -> MetadataWritability {
        if self.meta().is_system {
            MetadataWritability::System
        } else {
            MetadataWritability::Open
        }
    }
    /// The application owning the object: the workspace's own (Tessera has no installable
    /// applications yet).
    async fn application_id(&self) -> UuidScalar {
        UuidScalar(self.snapshot.workspace_id)
    }
    async fn is_label_synced_with_name(&self) -> bool {
        self.meta().is_label_synced_with_name
    }
    async fn created_at(&self) -> DateTimeScalar {
        stamp(&self.snapshot, self.meta().id, false)
    }
    async fn updated_at(&self) -> DateTimeScalar {
        stamp(&self.snapshot, self.meta().id, true)
    }
    async fn label_identifier_field_metadata_id(&self) -> Option<UuidScalar> {
        self.meta()
            .label_identifier_field_metadata_id
            .map(UuidScalar)
    }
    async fn image_identifier_field_metadata_id(&self) -> Option<UuidScalar> {
        None
    }
    async fn duplicate_criteria(&self) -> Option<Vec<Vec<String>>> {
        None
    }
    /// Every index of the object: those of join columns and unique fields, then custom ones.
    async fn index_metadata_list(&self) -> Vec<super::indexes::IndexDto> {
        super::indexes::IndexDto::of_object(&self.snapshot, self.meta().id)
    }
    /// The object's indexes as a connection.
    async fn index_metadatas(
        &self,
        filter: Option<super::indexes::IndexFilter>,
        paging: Option<CursorPaging>,
    ) -> async_graphql::Result<super::indexes::ObjectIndexMetadatasConnection> {
        super::indexes::index_connection(
            &self.snapshot,
            self.meta().id,
            filter.as_ref(),
            paging.as_ref(),
        )
    }
    /// Every field of the object, inactive ones included.
    async fn fields_list(&self) -> Vec<FieldDto> {
        self.field_dtos()
    }
    /// The object's fields as a connection.
    async fn fields(
        &self,
        filter: Option<FieldFilter>,
        paging: Option<CursorPaging>,
    ) -> async_graphql::Result<ObjectFieldsConnection> {
        let items: Vec<FieldDto> = self
            .field_dtos()
            .into_iter()
            .filter(|f| filter.as_ref().is_none_or(|flt| flt.matches(f.meta())))
            .collect();
        let (edges, page_info) = super::inputs::page(items, |f| f.meta().id, paging.as_ref())?;
        Ok(ObjectFieldsConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, node)| FieldEdge { node, cursor })
                .collect(),
            page_info,
        })
    }
}

impl FieldDto {
    pub(crate) fn meta(&self) -> &tessera_metadata::FieldMetadata {
        &self.snapshot.objects[self.object].fields[self.field]
    }

    /// The field with this id in the snapshot.
    pub(crate) fn find(snapshot: &Snapshot, id: Uuid) -> Option<FieldDto> {
        snapshot.objects.iter().enumerate().find_map(|(object, o)| {
            o.fields
                .iter()
                .position(|f| f.id == id)
                .map(|field| FieldDto {
                    snapshot: snapshot.clone(),
                    object,
                    field,
                })
        })
    }

    /// Every field of the snapshot, object by object.
    pub(crate) fn all(snapshot: &Snapshot) -> Vec<FieldDto> {
        snapshot
            .objects
            .iter()
            .enumerate()
            .flat_map(|(object, o)| {
                (0..o.fields.len()).map(move |field| FieldDto {
                    snapshot: snapshot.clone(),
                    object,
                    field,
                })
            })
            .collect()
    }
}

fn json(v: &Option<serde_json::Value>) -> Option<JsonScalar> {
    v.clone().map(JsonScalar)
}

#[Object(name = "Field")]
impl FieldDto {
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.meta().id)
    }
    /// Stable identifier across workspaces; the field's id in Tessera.
    async fn universal_identifier(&self) -> String {
        self.meta().id.to_string()
    }
    #[graphql(name = "type")]
    async fn field_type(&self) -> FieldMetadataType {
        FieldMetadataType::from_field_type(self.meta().field_type)
    }
    async fn name(&self) -> &str {
        &self.meta().name
    }
    async fn label(&self) -> &str {
        &self.meta().label
    }
    async fn description(&self) -> Option<&str> {
        self.meta().description.as_deref()
    }
    async fn icon(&self) -> Option<&str> {
        self.meta().icon.as_deref()
    }
    async fn is_active(&self) -> Option<bool> {
        Some(self.meta().is_active)
    }
    async fn is_system(&self) -> Option<bool> {
        Some(self.meta().is_system)
    }
    async fn is_custom(&self) -> Option<bool> {
        Some(self.meta().is_custom)
    }
    #[graphql(name = "isUIEditable")]
    async fn is_ui_editable(&self) -> Option<bool> {
        Some(!self.meta().is_system)
    }
    async fn writability(&self) -> Option<MetadataWritability> {
        Some(if self.meta().is_system {
            MetadataWritability::System
        } else {
            MetadataWritability::Open
        })
    }
    /// Whether the field feeds record search: the object's label identifier does.
    async fn is_searchable(&self) -> Option<bool> {
        let object = &self.snapshot.objects[self.object];
        Some(object.label_identifier_field_metadata_id == Some(self.meta().id))
    }
    /// Changes are recorded in the timeline (issue: events); every field counts.
    async fn is_audit_logged(&self) -> Option<bool> {
        Some(true)
    }
    /// Morph relations are not supported: always null.
    async fn morph_id(&self) -> Option<UuidScalar> {
        None
    }
    /// The application owning the field: the workspace's own.
    async fn application_id(&self) -> UuidScalar {
        UuidScalar(self.snapshot.workspace_id)
    }
    #[graphql(name = "isUIReadOnly", deprecation = "Use isUIEditable")]
    async fn is_ui_read_only(&self) -> Option<bool> {
        Some(self.meta().is_system)
    }
    async fn is_nullable(&self) -> Option<bool> {
        Some(self.meta().is_nullable)
    }
    async fn is_unique(&self) -> Option<bool> {
        Some(self.meta().is_unique)
    }
    async fn is_label_synced_with_name(&self) -> Option<bool> {
        Some(self.meta().is_label_synced_with_name)
    }
    async fn default_value(&self) -> Option<JsonScalar> {
        json(&self.meta().default_value)
    }
    async fn options(&self) -> Option<JsonScalar> {
        self.meta()
            .options
            .as_ref()
            .and_then(|o| serde_json::to_value(o).ok())
            .map(JsonScalar)
    }
    async fn settings(&self) -> Option<JsonScalar> {
        json(&self.meta().settings)
    }
    async fn object_metadata_id(&self) -> UuidScalar {
        UuidScalar(self.meta().object_metadata_id)
    }
    async fn created_at(&self) -> DateTimeScalar {
        stamp(&self.snapshot, self.meta().id, false)
    }
    async fn updated_at(&self) -> DateTimeScalar {
        stamp(&self.snapshot, self.meta().id, true)
    }
    /// The object holding the field.
    async fn object(&self) -> ObjectDto {
        ObjectDto {
            snapshot: self.snapshot.clone(),
            index: self.object,
        }
    }
    /// Both sides of a RELATION field (`null` for other types).
    async fn relation(&self) -> Option<RelationDto> {
        let meta = self.meta();
        let settings = meta.relation_settings()?;
        let target_field = FieldDto::find(&self.snapshot, meta.relation_target_field_metadata_id?)?;
        let target_object =
            ObjectDto::find(&self.snapshot, meta.relation_target_object_metadata_id?)?;
        Some(RelationDto {
            relation_type: match settings.relation_type {
                RelationType::ManyToOne => RelationTypeGql::ManyToOne,
                RelationType::OneToMany => RelationTypeGql::OneToMany,
            },
            source_object_metadata: ObjectDto {
                snapshot: self.snapshot.clone(),
                index: self.object,
            },
            target_object_metadata: target_object,
            source_field_metadata: self.clone(),
            target_field_metadata: target_field,
        })
    }
}

/// Both sides of a relation.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Relation")]
pub struct RelationDto {
    /// Which side the source field is.
    #[graphql(name = "type")]
    pub relation_type: RelationTypeGql,
    /// The object holding the source field.
    pub source_object_metadata: ObjectDto,
    /// The other object.
    pub target_object_metadata: ObjectDto,
    /// The field asked about.
    pub source_field_metadata: FieldDto,
    /// Its inverse.
    pub target_field_metadata: FieldDto,
}

/// An edge of objects.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ObjectEdge")]
pub struct ObjectEdge {
    /// The object.
    pub node: ObjectDto,
    /// Its cursor.
    pub cursor: ConnectionCursor,
}

/// A page of objects.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ObjectConnection")]
pub struct ObjectConnection {
    /// Paging information.
    pub page_info: PageInfo,
    /// The objects.
    pub edges: Vec<ObjectEdge>,
}

/// An edge of fields.
#[derive(SimpleObject, Clone)]
#[graphql(name = "FieldEdge")]
pub struct FieldEdge {
    /// The field.
    pub node: FieldDto,
    /// Its cursor.
    pub cursor: ConnectionCursor,
}

/// A page of fields.
#[derive(SimpleObject, Clone)]
#[graphql(name = "FieldConnection")]
pub struct FieldConnection {
    /// Paging information.
    pub page_info: PageInfo,
    /// The fields.
    pub edges: Vec<FieldEdge>,
}

/// A page of one object's fields.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ObjectFieldsConnection")]
pub struct ObjectFieldsConnection {
    /// Paging information.
    pub page_info: PageInfo,
    /// The fields.
    pub edges: Vec<FieldEdge>,
}
