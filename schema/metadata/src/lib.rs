//! Object and field metadata: the stored shapes ([`ObjectMetadata`], [`FieldMetadata`]) and the
//! resolved per-workspace model ([`WorkspaceModel`]) that decides every table, column and
//! GraphQL name. Pure: no I/O.
//!
//! Names and layout follow Twenty (`shared/reference/twenty-core-api.md` §1, §6, §7, §11):
//! table per object (`_` prefix for custom objects), one column per scalar field, one column
//! per composite sub-field (`nameFirstName`), `<field>Id` join columns for many-to-one relations.

mod composite;
mod error;
mod inputs;
mod model;
mod names;
pub mod standard;
mod types;
pub mod validate;

pub use composite::{CompositeSubField, CompositeType};
pub use error::MetadataError;
pub use inputs::{
    CreateFieldInput, CreateIndexFieldInput, CreateIndexInput, CreateObjectInput, FieldOptionInput,
    RelationCreationPayload, UpdateFieldInput, UpdateObjectInput,
};
pub use model::{
    ColumnModel, FieldKind, FieldModel, ObjectModel, RATING_VALUES, SubFieldModel, WorkspaceModel,
};
pub use names::{camel_case, pascal_case};
pub use types::{
    FieldMetadata, FieldOption, FieldType, IndexFieldMetadata, IndexMetadata, IndexType,
    ObjectMetadata, OnDelete, RelationSettings, RelationType, ScalarKind,
};
pub use validate::ValidationError;
