//! Composite field types and their sub-fields (Twenty's `compositeTypeDefinitions`,
//! `twenty-shared/src/types/composite-types/*.composite-type.ts`).

use crate::{FieldType, ScalarKind};

/// A sub-field of a composite type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompositeSubField {
    /// camelCase name, e.g. `firstName`. The column is `<field><Pascal(name)>`.
    pub name: &'static str,
    /// Storage kind.
    pub kind: ScalarKind,
    /// Left out of create/update inputs (set by the server), still readable and filterable.
    pub input_hidden: bool,
    /// For enum sub-fields: the GraphQL enum name and its values.
    pub enum_values: Option<(&'static str, &'static [&'static str])>,
    /// Whether empty string / empty array counts as NULL in filters (Twenty's null-equivalence).
    pub null_equivalent: bool,
}

const fn sub(name: &'static str, kind: ScalarKind) -> CompositeSubField {
    CompositeSubField {
        name,
        kind,
        input_hidden: false,
        enum_values: None,
        null_equivalent: matches!(kind, ScalarKind::Text | ScalarKind::Json),
    }
}

/// `ActorSourceEnum` values (Twenty, newest line).
pub const ACTOR_SOURCES: &[&str] = &[
    "EMAIL",
    "CALENDAR",
    "WORKFLOW",
    "AGENT",
    "API",
    "IMPORT",
    "MANUAL",
    "SYSTEM",
    "WEBHOOK",
    "APPLICATION",
];

/// A composite field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompositeType {
    /// The field type it implements.
    pub field_type: FieldType,
    /// GraphQL object type name, e.g. `FullName`.
    pub type_name: &'static str,
    /// Sub-fields in declaration order.
    pub sub_fields: &'static [CompositeSubField],
}

use ScalarKind as K;

static FULL_NAME: [CompositeSubField; 2] = [sub("firstName", K::Text), sub("lastName", K::Text)];
static EMAILS: [CompositeSubField; 2] = [
    sub("primaryEmail", K::Text),
    sub("additionalEmails", K::Json),
];
static PHONES: [CompositeSubField; 4] = [
    sub("primaryPhoneNumber", K::Text),
    sub("primaryPhoneCountryCode", K::Text),
    sub("primaryPhoneCallingCode", K::Text),
    sub("additionalPhones", K::Json),
];
static LINKS: [CompositeSubField; 3] = [
    sub("primaryLinkLabel", K::Text),
    sub("primaryLinkUrl", K::Text),
    sub("secondaryLinks", K::Json),
];
static CURRENCY: [CompositeSubField; 2] = [
    sub("amountMicros", K::Numeric),
    sub("currencyCode", K::Text),
];
static ADDRESS: [CompositeSubField; 8] = [
    sub("addressStreet1", K::Text),
    sub("addressStreet2", K::Text),
    sub("addressCity", K::Text),
    sub("addressPostcode", K::Text),
    sub("addressState", K::Text),
    sub("addressCountry", K::Text),
    sub("addressLat", K::Numeric),
    sub("addressLng", K::Numeric),
];
static ACTOR: [CompositeSubField; 4] = [
    CompositeSubField {
        enum_values: Some(("ActorSourceEnum", ACTOR_SOURCES)),
        ..sub("source", K::Enum)
    },
    CompositeSubField {
        input_hidden: true,
        ..sub("workspaceMemberId", K::Uuid)
    },
    CompositeSubField {
        input_hidden: true,
        ..sub("name", K::Text)
    },
    sub("context", K::Json),
];
static RICH_TEXT: [CompositeSubField; 2] = [sub("blocknote", K::Text), sub("markdown", K::Text)];

static ALL: [CompositeType; 8] = [
    CompositeType {
        field_type: FieldType::FullName,
        type_name: "FullName",
        sub_fields: &FULL_NAME,
    },
    CompositeType {
        field_type: FieldType::Emails,
        type_name: "Emails",
        sub_fields: &EMAILS,
    },
    CompositeType {
        field_type: FieldType::Phones,
        type_name: "Phones",
        sub_fields: &PHONES,
    },
    CompositeType {
        field_type: FieldType::Links,
        type_name: "Links",
        sub_fields: &LINKS,
    },
    CompositeType {
        field_type: FieldType::Currency,
        type_name: "Currency",
        sub_fields: &CURRENCY,
    },
    CompositeType {
        field_type: FieldType::Address,
        type_name: "Address",
        sub_fields: &ADDRESS,
    },
    CompositeType {
        field_type: FieldType::Actor,
        type_name: "Actor",
        sub_fields: &ACTOR,
    },
    CompositeType {
        field_type: FieldType::RichText,
        type_name: "RichText",
        sub_fields: &RICH_TEXT,
    },
];

impl CompositeType {
    /// The composite definition for a field type, if it is composite.
    pub fn of(field_type: FieldType) -> Option<&'static CompositeType> {
        ALL.iter().find(|c| c.field_type == field_type)
    }

    /// All composite types, in a stable order.
    pub fn all() -> &'static [CompositeType] {
        &ALL
    }

    /// A sub-field by name.
    pub fn sub_field(&self, name: &str) -> Option<&'static CompositeSubField> {
        self.sub_fields.iter().find(|s| s.name == name)
    }
}
