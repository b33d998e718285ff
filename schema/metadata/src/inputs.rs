//! Inputs of metadata changes, in the shapes of Twenty's `/metadata` GraphQL inputs
//! (`CreateObjectInput`, `UpdateObjectPayload`, `CreateFieldInput`, `UpdateFieldInput`,
//! `shared/reference/twenty-metadata-auth.md` §2.4), serialised in camelCase so the JSON
//! arguments of a mutation deserialize into them directly.
//!
//! In update inputs an absent key (`None`) leaves the property unchanged.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{FieldOption, FieldType, RelationType};

/// `createOneObject(input: { object: CreateObjectInput })`: a new custom object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateObjectInput {
    /// camelCase singular API name, e.g. `rocket`.
    pub name_singular: String,
    /// camelCase plural API name, e.g. `rockets`.
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
    /// Leave out the default `name` TEXT field (junction objects); the object then has no
    /// label identifier.
    #[serde(default)]
    pub skip_name_field: bool,
    /// Names follow labels (validated: the names must be the ones computed from the labels).
    #[serde(default)]
    pub is_label_synced_with_name: bool,
}

/// `updateOneObject(input: { id, update: UpdateObjectPayload })`. `Some("")` clears
/// `description` / `icon`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateObjectInput {
    /// New singular name (custom objects only; renames the table to `_<name>`).
    #[serde(default)]
    pub name_singular: Option<String>,
    /// New plural name (custom objects only; metadata only).
    #[serde(default)]
    pub name_plural: Option<String>,
    /// New singular label.
    #[serde(default)]
    pub label_singular: Option<String>,
    /// New plural label.
    #[serde(default)]
    pub label_plural: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New icon.
    #[serde(default)]
    pub icon: Option<String>,
    /// Hide (`false`) or show (`true`) the object in `/graphql`; data is kept.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// The field naming a record (must be a non-relation field of this object).
    #[serde(default)]
    pub label_identifier_field_metadata_id: Option<Uuid>,
    /// Whether the names follow the labels (then they must equal the computed names).
    #[serde(default)]
    pub is_label_synced_with_name: Option<bool>,
}

/// One option of a SELECT / MULTI_SELECT / RATING field as sent by clients: like
/// [`FieldOption`] but `id` (generated when absent) and `position` (its index when absent)
/// are optional. In updates an option keeps its identity through its `id`: same id with a new
/// `value` is a rename.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOptionInput {
    /// Stable option id; absent for new options.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The stored / GraphQL enum value, `^[_A-Za-z][_0-9A-Za-z]*$`.
    pub value: String,
    /// Display label.
    pub label: String,
    /// Order among options; defaults to the option's index in the list.
    #[serde(default)]
    pub position: Option<i32>,
    /// UI colour name.
    #[serde(default)]
    pub color: Option<String>,
}

impl From<&FieldOption> for FieldOptionInput {
    fn from(o: &FieldOption) -> Self {
        Self {
            id: Some(o.id),
            value: o.value.clone(),
            label: o.label.clone(),
            position: Some(o.position),
            color: o.color.clone(),
        }
    }
}

/// `relationCreationPayload` of [`CreateFieldInput`] (Twenty's shape): the other side of a
/// new RELATION field. The inverse field on the target object is named
/// `name_from_label(target_field_label)` ([`crate::validate::name_from_label`]) and gets the
/// opposite [`RelationType`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationCreationPayload {
    /// The related object.
    pub target_object_metadata_id: Uuid,
    /// Label of the inverse field on the target object.
    pub target_field_label: String,
    /// Icon of the inverse field.
    #[serde(default)]
    pub target_field_icon: Option<String>,
    /// The relation type of the field being created (the inverse gets the opposite one).
    #[serde(rename = "type")]
    pub relation_type: RelationType,
}

/// `createOneField(input: { field: CreateFieldInput })`: a new custom field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateFieldInput {
    /// The object receiving the field.
    pub object_metadata_id: Uuid,
    /// Field type (cannot be changed later).
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// camelCase API name.
    pub name: String,
    /// Display label.
    pub label: String,
    /// Description shown in GraphQL docs.
    #[serde(default)]
    pub description: Option<String>,
    /// UI icon name.
    #[serde(default)]
    pub icon: Option<String>,
    /// Whether NULL is allowed (default `true`).
    #[serde(default)]
    pub is_nullable: Option<bool>,
    /// Whether values must be unique among non-deleted records (default `false`).
    #[serde(default)]
    pub is_unique: Option<bool>,
    /// Default value in Twenty's notation (`"'NEW'"` for strings and options, `"now"`,
    /// `"uuid"`, numbers, booleans, arrays, one entry per sub-field for composites).
    #[serde(default)]
    pub default_value: Option<Value>,
    /// Options of SELECT / MULTI_SELECT (required) and RATING (default `RATING_1..5`).
    #[serde(default)]
    pub options: Option<Vec<FieldOptionInput>>,
    /// Type-specific settings (`{"dataType": "int"}` for NUMBER; `{"onDelete": "CASCADE"}`
    /// for a RELATION's many-to-one side).
    #[serde(default)]
    pub settings: Option<Value>,
    /// Required for RELATION fields: the other side.
    #[serde(default)]
    pub relation_creation_payload: Option<RelationCreationPayload>,
    /// Whether the name follows the label (then it must equal the computed name).
    #[serde(default)]
    pub is_label_synced_with_name: bool,
}

/// `updateOneField(input: { id, update: UpdateFieldInput })`. There is no `type`: a field's
/// type cannot change. `defaultValue: null` (present and null) drops the default; an absent
/// key leaves it unchanged. `Some("")` clears `description` / `icon`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFieldInput {
    /// New API name (custom fields only): renames the column(s), enum type and join column.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether the name follows the label (then it must equal the computed name).
    #[serde(default)]
    pub is_label_synced_with_name: Option<bool>,
    /// New label.
    #[serde(default)]
    pub label: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New icon.
    #[serde(default)]
    pub icon: Option<String>,
    /// Hide (`false`) or show (`true`) the field in `/graphql`; data is kept.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Allow or forbid NULL (forbidding fails when records hold NULL).
    #[serde(default)]
    pub is_nullable: Option<bool>,
    /// Require unique values (fails when records hold duplicates).
    #[serde(default)]
    pub is_unique: Option<bool>,
    /// New default (`Some(Value::Null)` drops it).
    #[serde(default, deserialize_with = "present")]
    pub default_value: Option<Value>,
    /// The complete new option list (SELECT / MULTI_SELECT / RATING); stored values follow
    /// renamed options, values of removed options become NULL (or leave arrays).
    #[serde(default)]
    pub options: Option<Vec<FieldOptionInput>>,
    /// New settings (replaces the old ones).
    #[serde(default)]
    pub settings: Option<Value>,
}

/// A present key, even `null`, is `Some` (absent keys take the `default`, `None`).
/// `createOneIndex(input: { index: CreateIndexInput })`: a custom index over fields of one
/// object (Twenty 2.43's `CreateIndexInput`; `isUnique` is a Tessera extension, default
/// false).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateIndexInput {
    /// The object whose table gets the index.
    pub object_metadata_id: Uuid,
    /// The indexed fields, in order (at least one).
    pub fields: Vec<CreateIndexFieldInput>,
    /// `BTREE` (default) or `GIN` (array and JSON fields only).
    #[serde(default)]
    pub index_type: crate::IndexType,
    /// Refuse duplicate value combinations among live records.
    #[serde(default)]
    pub is_unique: bool,
}

/// One field of a [`CreateIndexInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateIndexFieldInput {
    /// The field.
    pub field_metadata_id: Uuid,
    /// For a composite field, one sub-field (`primaryEmail`); absent indexes all of them.
    #[serde(default)]
    pub sub_field_name: Option<String>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deserializes_twenty_json() {
        let input: CreateFieldInput = serde_json::from_value(json!({
            "objectMetadataId": "20202020-0000-4000-8000-000000000001",
            "type": "RELATION",
            "name": "company",
            "label": "Company",
            "relationCreationPayload": {
                "targetObjectMetadataId": "20202020-0000-4000-8000-000000000002",
                "targetFieldLabel": "Rockets",
                "targetFieldIcon": "IconRocket",
                "type": "MANY_TO_ONE"
            }
        }))
        .expect("valid input");
        assert_eq!(input.field_type, FieldType::Relation);
        let payload = input.relation_creation_payload.expect("payload");
        assert_eq!(payload.relation_type, RelationType::ManyToOne);
        assert_eq!(payload.target_field_label, "Rockets");

        let update: UpdateFieldInput =
            serde_json::from_value(json!({"defaultValue": null})).expect("valid");
        assert_eq!(update.default_value, Some(Value::Null));
        let update: UpdateFieldInput = serde_json::from_value(json!({"label": "X"})).expect("ok");
        assert_eq!(update.default_value, None);

        let object: CreateObjectInput = serde_json::from_value(json!({
            "nameSingular": "rocket", "namePlural": "rockets",
            "labelSingular": "Rocket", "labelPlural": "Rockets"
        }))
        .expect("valid");
        assert!(!object.skip_name_field);
        let option: FieldOptionInput =
            serde_json::from_value(json!({"value": "A", "label": "A"})).expect("valid");
        assert_eq!(option.id, None);
    }
}
