//! The intermediate representation of an operation, produced by the GraphQL layer (or by the
//! CSV importer) and compiled to SQL. Field names are API names; the compiler resolves them to
//! columns through the [`tessera_metadata::WorkspaceModel`].

use serde_json::{Map, Value};

/// One root operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// `people(...)`: a connection.
    FindMany(ConnectionQuery),
    /// `person(filter:)`: the first matching record, `NOT_FOUND` when none.
    FindOne {
        /// Object `nameSingular`.
        object: String,
        /// Required, non-empty filter.
        filter: Filter,
        /// What to return.
        selection: RecordSelection,
    },
    /// `createPerson` / `createPeople`.
    Create {
        /// Object `nameSingular`.
        object: String,
        /// Records to insert (GraphQL-shaped input objects).
        records: Vec<RecordInput>,
        /// Update instead when a record matches by `id` or by a unique field.
        upsert: bool,
        /// What to return for each record.
        selection: RecordSelection,
        /// `createPeople` (list result) rather than `createPerson` (single record).
        many: bool,
    },
    /// `updatePerson` / `updatePeople`.
    Update {
        /// Object `nameSingular`.
        object: String,
        /// Which records.
        target: Target,
        /// New values; only the given fields change.
        data: RecordInput,
        /// What to return for each record.
        selection: RecordSelection,
    },
    /// `deletePerson` / `deletePeople`: soft delete (sets `deletedAt`).
    Delete {
        /// Object `nameSingular`.
        object: String,
        /// Which records.
        target: Target,
        /// What to return for each record.
        selection: RecordSelection,
    },
    /// `restorePerson` / `restorePeople`: clears `deletedAt`.
    Restore {
        /// Object `nameSingular`.
        object: String,
        /// Which records.
        target: Target,
        /// What to return for each record.
        selection: RecordSelection,
    },
    /// `destroyPerson` / `destroyPeople`: hard delete.
    Destroy {
        /// Object `nameSingular`.
        object: String,
        /// Which records.
        target: Target,
        /// What to return for each record.
        selection: RecordSelection,
    },
}

/// Which records a mutation touches.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// One record by id (`updatePerson(id:)`); none → `NOT_FOUND`. The id is validated as a UUID.
    Id(String),
    /// Every record matching a filter (`updatePeople(filter:)`); an empty filter is refused.
    Filter(Filter),
}

/// A record's input: the GraphQL input object as JSON (`{"name": {"firstName": "Ada"},
/// "companyId": "…", "city": "London"}`). Values are checked and coerced per column type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordInput(pub Map<String, Value>);

/// A connection (list) query: `people(filter, orderBy, first, after, ...)` or a nested
/// one-to-many field.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionQuery {
    /// Object `nameSingular`.
    pub object: String,
    /// Filter (`None` = all non-deleted records).
    pub filter: Option<Filter>,
    /// User ordering; the compiler appends `id AscNullsFirst` as the tie-breaker.
    pub order_by: Vec<OrderTerm>,
    /// Paging arguments, as given.
    pub page: Page,
    /// What to return.
    pub selection: ConnectionSelection,
}

/// Paging arguments exactly as the client sent them; validated by the compiler.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// `first`.
    pub first: Option<i64>,
    /// `last`.
    pub last: Option<i64>,
    /// `before` (a cursor).
    pub before: Option<String>,
    /// `after` (a cursor).
    pub after: Option<String>,
    /// `offset`.
    pub offset: Option<i64>,
}

/// What a connection returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectionSelection {
    /// Fields of `edges.node` (empty if `edges` is not selected).
    pub node: RecordSelection,
    /// Whether `edges` is selected at all.
    pub edges: bool,
    /// Whether `pageInfo` is selected.
    pub page_info: bool,
    /// Whether `totalCount` is selected (an exact count costs a second scan: only when asked).
    pub total_count: bool,
}

/// Fields selected on a record, in response order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordSelection {
    /// The fields.
    pub fields: Vec<SelectedField>,
}

impl RecordSelection {
    /// A selection of just `id`.
    pub fn id_only() -> Self {
        Self {
            fields: vec![SelectedField {
                key: "id".to_owned(),
                field: "id".to_owned(),
                selected: Selected::Column,
            }],
        }
    }
}

/// One selected field.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedField {
    /// Response key (the alias, or the field name).
    pub key: String,
    /// The field's API name (for [`Selected::JoinColumn`], the many-to-one field: `company`
    /// for `companyId`).
    pub field: String,
    /// What is selected.
    pub selected: Selected,
}

/// What is selected of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Selected {
    /// A scalar field's value.
    Column,
    /// The join column of a many-to-one field (`companyId`).
    JoinColumn,
    /// Sub-fields of a composite: `(response key, sub-field name)`.
    Composite(Vec<(String, String)>),
    /// The target record of a many-to-one field (`null` when unset).
    ManyToOne(RecordSelection),
    /// A nested connection of a one-to-many field.
    OneToMany(Box<ConnectionQuery>),
}

/// Ordering term: `{ city: AscNullsFirst }` or `{ name: { firstName: DescNullsLast } }`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderTerm {
    /// The column to order by.
    pub target: FieldRef,
    /// Direction and nulls placement.
    pub direction: OrderDirection,
}

/// Twenty's `OrderByDirection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDirection {
    /// `ASC NULLS FIRST`.
    AscNullsFirst,
    /// `ASC NULLS LAST`.
    AscNullsLast,
    /// `DESC NULLS FIRST`.
    DescNullsFirst,
    /// `DESC NULLS LAST`.
    DescNullsLast,
}

impl OrderDirection {
    /// Parses the GraphQL enum name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "AscNullsFirst" => Self::AscNullsFirst,
            "AscNullsLast" => Self::AscNullsLast,
            "DescNullsFirst" => Self::DescNullsFirst,
            "DescNullsLast" => Self::DescNullsLast,
            _ => return None,
        })
    }
}

/// A column reference by API names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    /// A scalar field, or a composite's sub-field.
    Field {
        /// The field name.
        field: String,
        /// The sub-field for composites.
        sub_field: Option<String>,
    },
    /// The join column of a many-to-one field (`companyId` → field `company`).
    JoinColumn {
        /// The many-to-one field's name.
        field: String,
    },
}

/// A filter tree (`PersonFilterInput`). Several keys in one input object become an `And`.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// All must hold (an empty list holds).
    And(Vec<Filter>),
    /// At least one must hold (an empty list holds, as in Twenty).
    Or(Vec<Filter>),
    /// Negation.
    Not(Box<Filter>),
    /// One operator on one column.
    Condition {
        /// The column.
        target: FieldRef,
        /// The operator.
        op: FilterOp,
        /// Its operand, as sent (validated and coerced per column type by the compiler).
        value: Value,
    },
    /// The target of a many-to-one field matches a filter (`company: { name: { eq: "Acme" } }`,
    /// Twenty's nested relation filter). Soft-deleted targets never match unless the nested
    /// filter mentions `deletedAt`.
    Relation {
        /// The many-to-one field.
        field: String,
        /// Filter on the target object.
        filter: Box<Filter>,
    },
}

impl Filter {
    /// Whether the filter constrains nothing (`{}`, `{and: []}`, `{and: [{}]}`, ...); such a
    /// filter is refused on many-record mutations (Twenty: `A non-empty filter is required`).
    pub fn is_empty(&self) -> bool {
        match self {
            Filter::And(items) | Filter::Or(items) => items.iter().all(Filter::is_empty),
            Filter::Not(inner) => inner.is_empty(),
            Filter::Relation { filter, .. } => filter.is_empty(),
            Filter::Condition { .. } => false,
        }
    }

    /// Whether `deletedAt` is mentioned anywhere: then soft-deleted rows are not hidden
    /// (Twenty's `applyDeletedAtToBuilder`).
    pub fn mentions_deleted_at(&self) -> bool {
        match self {
            Filter::And(items) | Filter::Or(items) => items.iter().any(Filter::mentions_deleted_at),
            Filter::Not(inner) => inner.mentions_deleted_at(),
            Filter::Condition { target, .. } => {
                matches!(target, FieldRef::Field { field, .. } if field == "deletedAt")
            }
            Filter::Relation { .. } => false,
        }
    }
}

/// Filter operators (Twenty's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    /// `eq`.
    Eq,
    /// `neq`.
    Neq,
    /// `in` (a list).
    In,
    /// `gt`.
    Gt,
    /// `gte`.
    Gte,
    /// `lt`.
    Lt,
    /// `lte`.
    Lte,
    /// `is: NULL | NOT_NULL`.
    Is,
    /// `like` (caller supplies `%` wildcards; case-sensitive).
    Like,
    /// `ilike` (case-insensitive `like`).
    ILike,
    /// `startsWith`.
    StartsWith,
    /// `endsWith`.
    EndsWith,
    /// `containsAny` (arrays / multi-selects: shares at least one element).
    ContainsAny,
    /// `containsIlike` (arrays: some element matches the pattern, case-insensitive).
    ContainsIlike,
    /// `isEmptyArray: true | false`.
    IsEmptyArray,
}

impl FilterOp {
    /// Parses an operator key of a filter input object.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "eq" => Self::Eq,
            "neq" => Self::Neq,
            "in" => Self::In,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            "is" => Self::Is,
            "like" => Self::Like,
            "ilike" => Self::ILike,
            "startsWith" => Self::StartsWith,
            "endsWith" => Self::EndsWith,
            "containsAny" => Self::ContainsAny,
            "containsIlike" => Self::ContainsIlike,
            "isEmptyArray" => Self::IsEmptyArray,
            _ => return None,
        })
    }
}
