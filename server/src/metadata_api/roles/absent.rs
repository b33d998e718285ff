//! Types of Twenty features Tessera does not have (AI agents, row-level permission
//! predicates), so that `Role.agents` and the row-level lists keep Twenty's shape. Tessera
//! never stores any: these lists are always empty, which is the true answer.

use async_graphql::{Enum, SimpleObject};

use crate::metadata_api::scalars::{DateTimeScalar, JsonScalar, UuidScalar};

/// An AI agent (Twenty's `Agent`). Tessera has none.
#[derive(SimpleObject, Debug, Clone)]
pub struct Agent {
    /// Agent id.
    pub id: UuidScalar,
    /// API name.
    pub name: String,
    /// Display label.
    pub label: String,
    /// Icon.
    pub icon: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// System prompt.
    pub prompt: String,
    /// Model id.
    pub model_id: String,
    /// Response format.
    pub response_format: Option<JsonScalar>,
    /// The agent's role.
    pub role_id: Option<UuidScalar>,
    /// Created by a user.
    pub is_custom: bool,
    /// Owning application.
    pub application_id: Option<UuidScalar>,
    /// Creation time.
    pub created_at: DateTimeScalar,
    /// Last change.
    pub updated_at: DateTimeScalar,
    /// Model settings.
    pub model_configuration: Option<JsonScalar>,
    /// Evaluation inputs.
    pub evaluation_inputs: Vec<String>,
}

/// Operand of a row-level predicate (Twenty's `RowLevelPermissionPredicateOperand`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum RowLevelPermissionPredicateOperand {
    /// `IS`.
    Is,
    /// `IS_NOT_NULL`.
    IsNotNull,
    /// `IS_NOT`.
    IsNot,
    /// `LESS_THAN_OR_EQUAL`.
    LessThanOrEqual,
    /// `GREATER_THAN_OR_EQUAL`.
    GreaterThanOrEqual,
    /// `IS_BEFORE`.
    IsBefore,
    /// `IS_AFTER`.
    IsAfter,
    /// `CONTAINS`.
    Contains,
    /// `DOES_NOT_CONTAIN`.
    DoesNotContain,
    /// `IS_EMPTY`.
    IsEmpty,
    /// `IS_NOT_EMPTY`.
    IsNotEmpty,
    /// `IS_RELATIVE`.
    IsRelative,
    /// `IS_IN_PAST`.
    IsInPast,
    /// `IS_IN_FUTURE`.
    IsInFuture,
    /// `IS_TODAY`.
    IsToday,
    /// `VECTOR_SEARCH`.
    VectorSearch,
}

/// How a predicate group combines (Twenty's `RowLevelPermissionPredicateGroupLogicalOperator`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum RowLevelPermissionPredicateGroupLogicalOperator {
    /// All must hold.
    And,
    /// One must hold.
    Or,
}

/// A row-level permission predicate (Twenty's Enterprise `RowLevelPermissionPredicate`).
/// Tessera has none.
#[derive(SimpleObject, Debug, Clone)]
pub struct RowLevelPermissionPredicate {
    /// Predicate id.
    pub id: String,
    /// The field tested.
    pub field_metadata_id: String,
    /// The object.
    pub object_metadata_id: String,
    /// The comparison.
    pub operand: RowLevelPermissionPredicateOperand,
    /// Sub-field of a composite.
    pub sub_field_name: Option<String>,
    /// Compare with this field of the current workspace member.
    pub workspace_member_field_metadata_id: Option<String>,
    /// Its sub-field.
    pub workspace_member_sub_field_name: Option<String>,
    /// The group.
    pub row_level_permission_predicate_group_id: Option<String>,
    /// Position in the group.
    pub position_in_row_level_permission_predicate_group: Option<f64>,
    /// The role.
    pub role_id: String,
    /// The value compared with.
    pub value: Option<JsonScalar>,
}

/// A group of row-level predicates (Twenty's `RowLevelPermissionPredicateGroup`). Tessera has
/// none.
#[derive(SimpleObject, Debug, Clone)]
pub struct RowLevelPermissionPredicateGroup {
    /// Group id.
    pub id: String,
    /// Parent group.
    pub parent_row_level_permission_predicate_group_id: Option<String>,
    /// How its members combine.
    pub logical_operator: RowLevelPermissionPredicateGroupLogicalOperator,
    /// Position in the parent group.
    pub position_in_row_level_permission_predicate_group: Option<f64>,
    /// The role.
    pub role_id: String,
    /// The object.
    pub object_metadata_id: String,
}
