//! Helpers to define objects, fields and relations in code.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    FieldMetadata, FieldOption, FieldType, ObjectMetadata, OnDelete, RelationSettings, RelationType,
};

/// A new field with Twenty's usual defaults: nullable, active, not system, not custom.
pub fn field(name: &str, label: &str, field_type: FieldType) -> FieldMetadata {
    FieldMetadata {
        id: Uuid::new_v4(),
        object_metadata_id: Uuid::nil(),
        name: name.to_owned(),
        label: label.to_owned(),
        field_type,
        description: None,
        icon: None,
        is_nullable: true,
        is_unique: false,
        is_system: false,
        is_custom: false,
        is_active: true,
        default_value: None,
        options: None,
        settings: None,
        relation_target_object_metadata_id: None,
        relation_target_field_metadata_id: None,
        is_label_synced_with_name: false,
    }
}

/// Options for a SELECT / MULTI_SELECT field from `(value, label, color)` triples, positioned in order.
pub fn options(values: &[(&str, &str, &str)]) -> Vec<FieldOption> {
    values
        .iter()
        .enumerate()
        .map(|(i, (value, label, color))| FieldOption {
            id: Uuid::new_v4(),
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            color: Some((*color).to_owned()),
        })
        .collect()
}

/// Builds an object with the system fields every object has: `id`, `createdAt`, `updatedAt`,
/// `deletedAt`, `position`, `createdBy`, `updatedBy`.
#[derive(Debug, Clone)]
pub struct ObjectBuilder {
    object: ObjectMetadata,
}

impl ObjectBuilder {
    /// Starts a standard object (`isCustom = false`).
    pub fn new(singular: &str, plural: &str, label_singular: &str, label_plural: &str) -> Self {
        let mut object = ObjectMetadata {
            id: Uuid::new_v4(),
            name_singular: singular.to_owned(),
            name_plural: plural.to_owned(),
            label_singular: label_singular.to_owned(),
            label_plural: label_plural.to_owned(),
            description: None,
            icon: None,
            is_custom: false,
            is_system: false,
            is_active: true,
            label_identifier_field_metadata_id: None,
            fields: Vec::new(),
            is_label_synced_with_name: false,
            indexes: Vec::new(),
        };
        let system = |mut f: FieldMetadata| {
            f.is_system = true;
            f
        };
        object.fields = vec![
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!("uuid")),
                ..field("id", "Id", FieldType::Uuid)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!("now")),
                ..field("createdAt", "Creation date", FieldType::DateTime)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!("now")),
                ..field("updatedAt", "Last update", FieldType::DateTime)
            }),
            system(field("deletedAt", "Deleted at", FieldType::DateTime)),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!(0)),
                ..field("position", "Position", FieldType::Position)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!({"source": "'MANUAL'", "name": "'System'"})),
                ..field("createdBy", "Created by", FieldType::Actor)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!({"source": "'MANUAL'", "name": "'System'"})),
                ..field("updatedBy", "Updated by", FieldType::Actor)
            }),
        ];
        Self { object }
    }

    /// Marks the object custom (`_` table prefix) or system.
    pub fn flags(mut self, is_custom: bool, is_system: bool) -> Self {
        self.object.is_custom = is_custom;
        self.object.is_system = is_system;
        self
    }

    /// Adds a field.
    pub fn with(mut self, f: FieldMetadata) -> Self {
        self.object.fields.push(f);
        self
    }

    /// Adds a field and makes it the label identifier (the record's display name).
    pub fn label_identifier(mut self, f: FieldMetadata) -> Self {
        self.object.label_identifier_field_metadata_id = Some(f.id);
        self.with(f)
    }

    /// Finishes: stamps `objectMetadataId` (and `isCustom`) on every field.
    pub fn build(mut self) -> ObjectMetadata {
        let id = self.object.id;
        let custom = self.object.is_custom;
        for f in &mut self.object.fields {
            f.object_metadata_id = id;
            if custom && !f.is_system {
                f.is_custom = true;
            }
        }
        self.object
    }
}

/// One relation between two objects, as both of its fields.
#[derive(Debug, Clone)]
pub struct RelationSpec<'a> {
    /// The object that owns the join column (many-to-one side).
    pub from: &'a str,
    /// The many-to-one field name, e.g. `company` (join column `companyId`).
    pub field: &'a str,
    /// Its label.
    pub label: &'a str,
    /// The target object.
    pub to: &'a str,
    /// The one-to-many field on the target, e.g. `people`.
    pub inverse: &'a str,
    /// Its label.
    pub inverse_label: &'a str,
    /// FK action.
    pub on_delete: OnDelete,
}

/// Adds both fields of a relation to `objects`. Returns `false` (and changes nothing) when
/// either object is missing or a field name is taken.
pub fn add_relation(objects: &mut [ObjectMetadata], spec: &RelationSpec<'_>) -> bool {
    let Some(from_idx) = objects.iter().position(|o| o.name_singular == spec.from) else {
        return false;
    };
    let Some(to_idx) = objects.iter().position(|o| o.name_singular == spec.to) else {
        return false;
    };
    let taken = |o: &ObjectMetadata, n: &str| o.fields.iter().any(|f| f.name == n);
    let join = format!("{}Id", spec.field);
    if taken(&objects[from_idx], spec.field)
        || taken(&objects[from_idx], &join)
        || taken(&objects[to_idx], spec.inverse)
    {
        return false;
    }
    let (from_id, to_id) = (objects[from_idx].id, objects[to_idx].id);
    let custom_from = objects[from_idx].is_custom;
    let custom_to = objects[to_idx].is_custom;
    let mut m2o = field(spec.field, spec.label, FieldType::Relation);
    let mut o2m = field(spec.inverse, spec.inverse_label, FieldType::Relation);
    m2o.object_metadata_id = from_id;
    m2o.is_custom = custom_from;
    m2o.relation_target_object_metadata_id = Some(to_id);
    m2o.relation_target_field_metadata_id = Some(o2m.id);
    m2o.settings = Some(settings(
        RelationType::ManyToOne,
        Some(spec.on_delete),
        Some(join),
    ));
    o2m.object_metadata_id = to_id;
    o2m.is_custom = custom_to;
    o2m.relation_target_object_metadata_id = Some(from_id);
    o2m.relation_target_field_metadata_id = Some(m2o.id);
    o2m.settings = Some(settings(RelationType::OneToMany, None, None));
    objects[from_idx].fields.push(m2o);
    objects[to_idx].fields.push(o2m);
    true
}

fn settings(
    relation_type: RelationType,
    on_delete: Option<OnDelete>,
    join: Option<String>,
) -> Value {
    serde_json::to_value(RelationSettings {
        relation_type,
        on_delete,
        join_column_name: join,
    })
    .unwrap_or(Value::Null)
}

pub(crate) fn text(name: &str, label: &str) -> FieldMetadata {
    field(name, label, FieldType::Text)
}
