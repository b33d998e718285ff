//! Input types of `/metadata` (Twenty's names: `CursorPaging`, `ObjectFilter`, `FieldFilter`,
//! `CreateOneObjectInput`, ...) and in-memory paging and filtering of metadata.

use async_graphql::InputObject;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use tessera_metadata::{FieldMetadata, ObjectMetadata};
use uuid::Uuid;

use super::scalars::{ConnectionCursor, JsonScalar, UuidScalar};
use super::types::{FieldMetadataType, PageInfo};

/// Relay paging arguments.
#[derive(InputObject, Debug, Clone, Default)]
pub struct CursorPaging {
    /// Paginate before opaque cursor.
    pub before: Option<ConnectionCursor>,
    /// Paginate after opaque cursor.
    pub after: Option<ConnectionCursor>,
    /// Paginate first.
    pub first: Option<i32>,
    /// Paginate last.
    pub last: Option<i32>,
}

/// Page size when neither `first` nor `last` is given (Twenty: `{ first: 10 }`).
pub const DEFAULT_METADATA_PAGE: usize = 10;
/// Largest page (Twenty's `maxResultsSize`).
pub const MAX_METADATA_PAGE: usize = 1000;

fn encode(id: Uuid) -> ConnectionCursor {
    ConnectionCursor(STANDARD.encode(format!("{{\"id\":\"{id}\"}}")))
}

fn decode(c: &ConnectionCursor) -> async_graphql::Result<Uuid> {
    let bad = || async_graphql::Error::new(format!("Invalid cursor: {}", c.0));
    let bytes = STANDARD.decode(&c.0).map_err(|_| bad())?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    v.get("id")
        .and_then(|i| i.as_str())
        .and_then(|i| Uuid::parse_str(i).ok())
        .ok_or_else(bad)
}

/// Pages `items` (already in their stable order) by id cursors.
///
/// Errors: `first`/`last` negative or over [`MAX_METADATA_PAGE`], both `first` and `last`,
/// undecodable cursors (`BAD_USER_INPUT`).
pub(crate) fn page<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> Uuid,
    paging: Option<&CursorPaging>,
) -> async_graphql::Result<(Vec<(ConnectionCursor, T)>, PageInfo)> {
    use async_graphql::ErrorExtensions;
    let bad =
        |m: &str| async_graphql::Error::new(m).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"));
    let paging = paging.cloned().unwrap_or_default();
    if paging.first.is_some() && paging.last.is_some() {
        return Err(bad("Cannot provide both first and last"));
    }
    let size = |n: i32| -> async_graphql::Result<usize> {
        let n = usize::try_from(n).map_err(|_| bad("Paging sizes must be non-negative"))?;
        if n > MAX_METADATA_PAGE {
            return Err(bad(&format!(
                "Paging sizes must not exceed {MAX_METADATA_PAGE}"
            )));
        }
        Ok(n)
    };
    let position = |c: &ConnectionCursor| -> async_graphql::Result<usize> {
        let target = decode(c).map_err(|e| bad(&e.message))?;
        items
            .iter()
            .position(|i| id(i) == target)
            .ok_or_else(|| bad(&format!("Invalid cursor: {}", c.0)))
    };
    let mut start = 0;
    let mut end = items.len();
    if let Some(after) = &paging.after {
        start = position(after)? + 1;
    }
    if let Some(before) = &paging.before {
        end = position(before)?.max(start);
    }
    let (from, to) = match (paging.first, paging.last) {
        (Some(n), _) => (start, (start + size(n)?).min(end)),
        (_, Some(n)) => (end.saturating_sub(size(n)?).max(start), end),
        _ => (start, (start + DEFAULT_METADATA_PAGE).min(end)),
    };
    let has_next = to < items.len();
    let has_previous = from > 0;
    let window: Vec<(ConnectionCursor, T)> = items
        .into_iter()
        .skip(from)
        .take(to - from)
        .map(|i| (encode(id(&i)), i))
        .collect();
    let info = PageInfo {
        has_next_page: Some(has_next),
        has_previous_page: Some(has_previous),
        start_cursor: window.first().map(|(c, _)| c.clone()),
        end_cursor: window.last().map(|(c, _)| c.clone()),
    };
    Ok((window, info))
}

/// `{ is, isNot }` on a boolean.
#[derive(InputObject, Debug, Clone, Default)]
pub struct BooleanFieldComparison {
    /// Equals.
    pub is: Option<bool>,
    /// Differs.
    pub is_not: Option<bool>,
}

impl BooleanFieldComparison {
    pub(crate) fn matches(&self, v: bool) -> bool {
        self.is.is_none_or(|x| x == v) && self.is_not.is_none_or(|x| x != v)
    }
}

/// Comparisons on a UUID (Twenty's `UUIDFilterComparison`).
#[derive(InputObject, Debug, Clone, Default)]
#[graphql(name = "UUIDFilterComparison")]
pub struct UuidFilterComparison {
    /// Equals.
    pub eq: Option<UuidScalar>,
    /// Differs.
    pub neq: Option<UuidScalar>,
    /// Greater than.
    pub gt: Option<UuidScalar>,
    /// Greater or equal.
    pub gte: Option<UuidScalar>,
    /// Less than.
    pub lt: Option<UuidScalar>,
    /// Less or equal.
    pub lte: Option<UuidScalar>,
    /// One of.
    #[graphql(name = "in")]
    pub in_: Option<Vec<UuidScalar>>,
    /// None of.
    pub not_in: Option<Vec<UuidScalar>>,
    /// Is null (`true`) / is not null (`false`).
    pub is: Option<bool>,
    /// Negation of `is`.
    pub is_not: Option<bool>,
}

impl UuidFilterComparison {
    pub(crate) fn matches(&self, v: Option<Uuid>) -> bool {
        let cmp = |o: &Option<UuidScalar>, f: fn(&Uuid, &Uuid) -> bool| {
            o.as_ref().is_none_or(|x| v.is_some_and(|v| f(&v, &x.0)))
        };
        cmp(&self.eq, |a, b| a == b)
            && self.neq.as_ref().is_none_or(|x| v != Some(x.0))
            && cmp(&self.gt, |a, b| a > b)
            && cmp(&self.gte, |a, b| a >= b)
            && cmp(&self.lt, |a, b| a < b)
            && cmp(&self.lte, |a, b| a <= b)
            && self
                .in_
                .as_ref()
                .is_none_or(|l| v.is_some_and(|v| l.iter().any(|x| x.0 == v)))
            && self
                .not_in
                .as_ref()
                .is_none_or(|l| v.is_none_or(|v| l.iter().all(|x| x.0 != v)))
            && self.is.is_none_or(|want_null| v.is_none() == want_null)
            && self.is_not.is_none_or(|not_null| v.is_none() != not_null)
    }
}

/// Filter on objects (Twenty's `ObjectFilter`).
#[derive(InputObject, Debug, Clone, Default)]
pub struct ObjectFilter {
    /// All must hold.
    pub and: Option<Vec<ObjectFilter>>,
    /// One must hold.
    pub or: Option<Vec<ObjectFilter>>,
    /// On the id.
    pub id: Option<UuidFilterComparison>,
    /// On `isActive`.
    pub is_active: Option<BooleanFieldComparison>,
    /// On `isCustom`.
    pub is_custom: Option<BooleanFieldComparison>,
    /// On `isRemote` (always false).
    pub is_remote: Option<BooleanFieldComparison>,
    /// On `isSystem`.
    pub is_system: Option<BooleanFieldComparison>,
}

impl ObjectFilter {
    /// Whether `o` passes.
    pub(crate) fn matches(&self, o: &ObjectMetadata) -> bool {
        let b =
            |c: &Option<BooleanFieldComparison>, v: bool| c.as_ref().is_none_or(|c| c.matches(v));
        self.and
            .as_ref()
            .is_none_or(|l| l.iter().all(|f| f.matches(o)))
            && self
                .or
                .as_ref()
                .is_none_or(|l| l.is_empty() || l.iter().any(|f| f.matches(o)))
            && self.id.as_ref().is_none_or(|c| c.matches(Some(o.id)))
            && b(&self.is_active, o.is_active)
            && b(&self.is_custom, o.is_custom)
            && b(&self.is_remote, false)
            && b(&self.is_system, o.is_system)
    }
}

/// Filter on fields (Twenty's `FieldFilter`).
#[derive(InputObject, Debug, Clone, Default)]
pub struct FieldFilter {
    /// All must hold.
    pub and: Option<Vec<FieldFilter>>,
    /// One must hold.
    pub or: Option<Vec<FieldFilter>>,
    /// On the id.
    pub id: Option<UuidFilterComparison>,
    /// On `isActive`.
    pub is_active: Option<BooleanFieldComparison>,
    /// On `isCustom`.
    pub is_custom: Option<BooleanFieldComparison>,
    /// On `isSystem`.
    pub is_system: Option<BooleanFieldComparison>,
    /// On the owning object.
    pub object_metadata_id: Option<UuidFilterComparison>,
}

impl FieldFilter {
    /// Whether `f` passes.
    pub(crate) fn matches(&self, f: &FieldMetadata) -> bool {
        let b =
            |c: &Option<BooleanFieldComparison>, v: bool| c.as_ref().is_none_or(|c| c.matches(v));
        self.and
            .as_ref()
            .is_none_or(|l| l.iter().all(|x| x.matches(f)))
            && self
                .or
                .as_ref()
                .is_none_or(|l| l.is_empty() || l.iter().any(|x| x.matches(f)))
            && self.id.as_ref().is_none_or(|c| c.matches(Some(f.id)))
            && b(&self.is_active, f.is_active)
            && b(&self.is_custom, f.is_custom)
            && b(&self.is_system, f.is_system)
            && self
                .object_metadata_id
                .as_ref()
                .is_none_or(|c| c.matches(Some(f.object_metadata_id)))
    }
}

/// `createOneObject(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct CreateOneObjectInput {
    /// The object to create.
    pub object: CreateObjectInput,
}

/// A new custom object.
#[derive(InputObject, Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateObjectInput {
    /// camelCase singular name (`rocket`).
    pub name_singular: String,
    /// camelCase plural name (`rockets`).
    pub name_plural: String,
    /// Display label, singular.
    pub label_singular: String,
    /// Display label, plural.
    pub label_plural: String,
    /// Description.
    pub description: Option<String>,
    /// Icon name.
    pub icon: Option<String>,
    /// Keyboard shortcut (accepted, not stored).
    #[serde(skip)]
    pub shortcut: Option<String>,
    /// Do not add the default `name` field.
    pub skip_name_field: Option<bool>,
    /// Remote objects are not supported (must be absent or false).
    #[serde(skip)]
    pub is_remote: Option<bool>,
    /// Whether the name(s) follow the label(s): they must then equal the names computed
    /// from the labels (`METADATA_VALIDATION_FAILED` otherwise).
    pub is_label_synced_with_name: Option<bool>,
}

/// `updateOneObject(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct UpdateOneObjectInput {
    /// The change.
    pub update: UpdateObjectPayload,
    /// The object.
    pub id: UuidScalar,
}

/// Changes to an object; absent keys stay as they are.
#[derive(InputObject, Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateObjectPayload {
    /// New singular label.
    pub label_singular: Option<String>,
    /// New plural label.
    pub label_plural: Option<String>,
    /// New singular name (custom objects only; renames the table).
    pub name_singular: Option<String>,
    /// New plural name.
    pub name_plural: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New icon.
    pub icon: Option<String>,
    /// Show or hide the object in `/graphql` (data is kept).
    pub is_active: Option<bool>,
    /// The field that names a record.
    pub label_identifier_field_metadata_id: Option<UuidScalar>,
    /// Whether the name(s) follow the label(s): they must then equal the names computed
    /// from the labels (`METADATA_VALIDATION_FAILED` otherwise).
    pub is_label_synced_with_name: Option<bool>,
}

/// `deleteOneObject(input:)` / `deleteOneField(input:)`.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "DeleteOneObjectInput")]
pub struct DeleteOneObjectInput {
    /// The id of the object to delete.
    pub id: UuidScalar,
}

/// `createOneField(input:)`.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "CreateOneFieldMetadataInput")]
pub struct CreateOneFieldMetadataInput {
    /// The field to create.
    pub field: CreateFieldInput,
}

/// A new field.
#[derive(InputObject, Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateFieldInput {
    /// Its type.
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub field_type: FieldMetadataType,
    /// camelCase name.
    pub name: String,
    /// Display label.
    pub label: String,
    /// Description.
    pub description: Option<String>,
    /// Icon name.
    pub icon: Option<String>,
    /// Whether NULL is allowed (default true).
    pub is_nullable: Option<bool>,
    /// Whether values must be unique.
    pub is_unique: Option<bool>,
    /// Default value in Twenty's notation.
    pub default_value: Option<JsonScalar>,
    /// SELECT / MULTI_SELECT options `[{value, label, position, color}]`.
    pub options: Option<JsonScalar>,
    /// Type settings.
    pub settings: Option<JsonScalar>,
    /// The owning object.
    pub object_metadata_id: UuidScalar,
    /// For RELATION: `{targetObjectMetadataId, targetFieldLabel, targetFieldIcon, type}`.
    pub relation_creation_payload: Option<JsonScalar>,
    /// Whether the name(s) follow the label(s): they must then equal the names computed
    /// from the labels (`METADATA_VALIDATION_FAILED` otherwise).
    pub is_label_synced_with_name: Option<bool>,
}

/// `updateOneField(input:)`.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "UpdateOneFieldMetadataInput")]
pub struct UpdateOneFieldMetadataInput {
    /// The field.
    pub id: UuidScalar,
    /// The change.
    pub update: UpdateFieldInput,
}

/// Changes to a field; absent keys stay as they are.
#[derive(InputObject, Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFieldInput {
    /// New name (renames the column(s)).
    pub name: Option<String>,
    /// New label.
    pub label: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New icon.
    pub icon: Option<String>,
    /// Show or hide the field in `/graphql` (data is kept).
    pub is_active: Option<bool>,
    /// Allow NULL or not.
    pub is_nullable: Option<bool>,
    /// Unique or not.
    pub is_unique: Option<bool>,
    /// New default value; an explicit `null` removes the default.
    #[serde(skip)]
    pub default_value: async_graphql::MaybeUndefined<JsonScalar>,
    /// New options (existing values are migrated).
    pub options: Option<JsonScalar>,
    /// New settings.
    pub settings: Option<JsonScalar>,
    /// Whether the name(s) follow the label(s): they must then equal the names computed
    /// from the labels (`METADATA_VALIDATION_FAILED` otherwise).
    pub is_label_synced_with_name: Option<bool>,
}

/// `deleteOneField(input:)`.
#[derive(InputObject, Debug, Clone)]
pub struct DeleteOneFieldInput {
    /// The id of the field to delete.
    pub id: UuidScalar,
}
