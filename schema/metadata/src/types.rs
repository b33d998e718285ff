//! Stored metadata shapes (rows of `objectMetadata` / `fieldMetadata`), serialised in Twenty's
//! camelCase names.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// A field's type, Twenty's `FieldMetadataType` (`twenty-shared/src/types/FieldMetadataType.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldType {
    /// UUID scalar (`uuid` column).
    Uuid,
    /// Text (`text` column).
    Text,
    /// Floating point number (`double precision`); `settings.dataType = "int"` exposes `Int`.
    Number,
    /// Arbitrary-precision number (`numeric`), GraphQL `BigFloat`.
    Numeric,
    /// Boolean.
    Boolean,
    /// Calendar date `YYYY-MM-DD` (`date`).
    Date,
    /// Instant (`timestamptz`), ISO-8601 in UTC on output.
    DateTime,
    /// One option of `options` (PostgreSQL enum type).
    Select,
    /// Any subset of `options` (enum array).
    MultiSelect,
    /// `RATING_1` … `RATING_5` (enum).
    Rating,
    /// Sort position (float); input also accepts `"first"` / `"last"`.
    Position,
    /// Any JSON value (`jsonb`).
    RawJson,
    /// List of strings (`text[]`).
    Array,
    /// Composite: `blocknote` + `markdown` (Twenty's `RICH_TEXT`, formerly `RICH_TEXT_V2`).
    #[serde(alias = "RICH_TEXT_V2")]
    RichText,
    /// Composite: `firstName`, `lastName`.
    FullName,
    /// Composite: `primaryEmail`, `additionalEmails`.
    Emails,
    /// Composite: primary phone number, country code, calling code, `additionalPhones`.
    Phones,
    /// Composite: primary link label and URL, `secondaryLinks`.
    Links,
    /// Composite: `amountMicros` (1 unit = 1 000 000 micros), `currencyCode`.
    Currency,
    /// Composite: street, city, postcode, state, country, lat/lng.
    Address,
    /// Composite: who created/updated a record: `source`, `workspaceMemberId`, `name`, `context`.
    Actor,
    /// A relation; `settings.relationType` says which side (many-to-one owns the join column).
    Relation,
}

impl FieldType {
    /// Whether the type is stored as several sub-field columns.
    pub fn is_composite(self) -> bool {
        crate::CompositeType::of(self).is_some()
    }
}

/// How a single column's value is stored, compared and exposed. Scalar fields and every
/// composite sub-field map to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// `uuid` (PostgreSQL) / canonical lower-case text (SQLite).
    Uuid,
    /// `text`.
    Text,
    /// `double precision`, exposed as `Float`.
    Float,
    /// `double precision`, exposed as `Int` (NUMBER with `settings.dataType = "int"`).
    Int,
    /// `numeric`, exposed as `BigFloat`.
    Numeric,
    /// `boolean` (PostgreSQL) / 0-1 integer (SQLite).
    Boolean,
    /// `date` / `YYYY-MM-DD` text.
    Date,
    /// `timestamptz` / `YYYY-MM-DDTHH:MM:SS.sssZ` text.
    DateTime,
    /// `double precision` sort key, exposed as `Position`.
    Position,
    /// `jsonb` / JSON text.
    Json,
    /// `text[]` / JSON array text.
    TextArray,
    /// One enum value (SELECT, RATING, ACTOR.source).
    Enum,
    /// Array of enum values (MULTI_SELECT).
    EnumArray,
}

/// One option of a SELECT, MULTI_SELECT or RATING field (`{ id, value, label, position, color }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOption {
    /// Stable option id.
    pub id: Uuid,
    /// The stored and GraphQL enum value; must match `/^[_A-Za-z][_0-9A-Za-z]*$/`.
    pub value: String,
    /// Display label.
    pub label: String,
    /// Order among options (enum declaration order, used for ordering and comparisons).
    pub position: i32,
    /// UI colour name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// Which side of a relation a RELATION field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RelationType {
    /// Owns the `<field>Id` join column; exposes `field: Target` and `fieldId: UUID`.
    ManyToOne,
    /// The inverse side; exposes a nested connection.
    OneToMany,
}

/// What happens to the many-to-one side when the target record is hard-deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OnDelete {
    /// Delete the referencing rows too.
    Cascade,
    /// Set the join column to NULL (the default).
    #[default]
    SetNull,
    /// Refuse the delete.
    Restrict,
    /// Let the database decide at the end of the statement.
    NoAction,
}

/// `settings` of a RELATION field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationSettings {
    /// Which side this field is.
    pub relation_type: RelationType,
    /// FK action (many-to-one side only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<OnDelete>,
    /// The join column (many-to-one side only), `<field>Id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_column_name: Option<String>,
}

/// A field, as stored in `fieldMetadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMetadata {
    /// Field id.
    pub id: Uuid,
    /// Owning object.
    pub object_metadata_id: Uuid,
    /// camelCase API name, e.g. `jobTitle`.
    pub name: String,
    /// Display label.
    pub label: String,
    /// Field type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Description shown in GraphQL docs.
    #[serde(default)]
    pub description: Option<String>,
    /// UI icon name.
    #[serde(default)]
    pub icon: Option<String>,
    /// Whether NULL is allowed.
    pub is_nullable: bool,
    /// Whether values must be unique among non-deleted rows (for composites: the primary sub-field).
    #[serde(default)]
    pub is_unique: bool,
    /// System fields are managed by the server (id, createdAt, ...).
    #[serde(default)]
    pub is_system: bool,
    /// Created by a user rather than part of the standard objects.
    #[serde(default)]
    pub is_custom: bool,
    /// Inactive fields are hidden from `/graphql` but keep their data.
    #[serde(default = "yes")]
    pub is_active: bool,
    /// Default value, in Twenty's notation (a JSON value; SQL functions as `"uuid"`/`"now"`).
    #[serde(default)]
    pub default_value: Option<Value>,
    /// Options of SELECT / MULTI_SELECT / RATING fields.
    #[serde(default)]
    pub options: Option<Vec<FieldOption>>,
    /// Type-specific settings (`{"dataType": "int"}`, relation settings, ...).
    #[serde(default)]
    pub settings: Option<Value>,
    /// Relation target object (RELATION fields).
    #[serde(default)]
    pub relation_target_object_metadata_id: Option<Uuid>,
    /// The inverse relation field on the target object (RELATION fields).
    #[serde(default)]
    pub relation_target_field_metadata_id: Option<Uuid>,
    /// The name follows the label (the UI derives it): while set, `name` must equal the
    /// name computed from `label` (Twenty's `validateNameAndLabelAreSyncOrThrow`).
    #[serde(default)]
    pub is_label_synced_with_name: bool,
}

fn yes() -> bool {
    true
}

impl FieldMetadata {
    /// The relation settings of a RELATION field, if well-formed.
    pub fn relation_settings(&self) -> Option<RelationSettings> {
        if self.field_type != FieldType::Relation {
            return None;
        }
        self.settings
            .as_ref()
            .and_then(|s| serde_json::from_value(s.clone()).ok())
    }
}

/// An object, as stored in `objectMetadata`, with its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMetadata {
    /// Object id.
    pub id: Uuid,
    /// camelCase singular API name, e.g. `person`.
    pub name_singular: String,
    /// camelCase plural API name, e.g. `people`.
    pub name_plural: String,
    /// Display label (singular).
    pub label_singular: String,
    /// Display label (plural).
    pub label_plural: String,
    /// Description shown in GraphQL docs.
    #[serde(default)]
    pub description: Option<String>,
    /// UI icon name.
    #[serde(default)]
    pub icon: Option<String>,
    /// Created by a user (table name gets a `_` prefix).
    #[serde(default)]
    pub is_custom: bool,
    /// Internal objects not shown in the UI's object list.
    #[serde(default)]
    pub is_system: bool,
    /// Inactive objects are hidden from `/graphql` but keep their data.
    #[serde(default = "yes")]
    pub is_active: bool,
    /// The field that names a record (e.g. person `name`).
    #[serde(default)]
    pub label_identifier_field_metadata_id: Option<Uuid>,
    /// The fields.
    #[serde(default)]
    pub fields: Vec<FieldMetadata>,
    /// The names follow the labels: while set, `nameSingular` / `namePlural` must equal the
    /// names computed from `labelSingular` / `labelPlural`.
    #[serde(default)]
    pub is_label_synced_with_name: bool,
    /// Indexes created through `createOneIndex` (the indexes of join columns and unique
    /// fields follow from the fields and are not listed here).
    #[serde(default)]
    pub indexes: Vec<IndexMetadata>,
}

/// Kind of index (Twenty's `IndexType`): `BTREE` for ordinary columns, `GIN` for array and
/// JSON columns (PostgreSQL; SQLite has no GIN and builds a plain index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum IndexType {
    /// B-tree.
    #[default]
    Btree,
    /// Generalized inverted index.
    Gin,
}

/// A custom index over one or more fields of an object (Twenty's `indexMetadata` with its
/// `indexFieldMetadatas`), created by `createOneIndex`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexMetadata {
    /// Index id.
    pub id: Uuid,
    /// Physical index name (`IDX_…`, derived from the table and columns).
    pub name: String,
    /// A unique index (over live rows only when the object has `deletedAt`).
    #[serde(default)]
    pub is_unique: bool,
    /// B-tree or GIN.
    #[serde(default)]
    pub index_type: IndexType,
    /// The indexed fields, in index order.
    pub fields: Vec<IndexFieldMetadata>,
    /// When the index was created (RFC 3339).
    pub created_at: String,
}

/// One field of an [`IndexMetadata`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexFieldMetadata {
    /// Id of this index entry.
    pub id: Uuid,
    /// The indexed field.
    pub field_metadata_id: Uuid,
    /// For a composite field, the sub-field indexed (`primaryEmail`); `None` indexes every
    /// sub-field column.
    #[serde(default)]
    pub sub_field_name: Option<String>,
}
