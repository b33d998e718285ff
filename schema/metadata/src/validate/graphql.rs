//! GraphQL type names the `/graphql` schema generates from a model, and the check that none
//! is generated twice (an object named `personConnection` would clash with `person`'s
//! connection type, one named `pageInfo` with `PageInfo`).
//!
//! Names follow `shared/reference/twenty-core-api.md` §1.2 and `tessera-graphql`'s builder.

use std::collections::HashMap;

use crate::{CompositeType, FieldKind, WorkspaceModel};

use super::ValidationError;

/// Types every schema has: GraphQL built-ins, Tessera's scalars, shared enums and inputs.
const BUILT_IN: [&str; 33] = [
    "Int",
    "Float",
    "Boolean",
    "String",
    "ID",
    "Query",
    "Mutation",
    "Subscription",
    "PageInfo",
    "OrderByDirection",
    "FilterIs",
    "UUID",
    "DateTime",
    "Date",
    "BigFloat",
    "BigInt",
    "Position",
    "JSON",
    "Cursor",
    "ConnectionCursor",
    "TSVector",
    "UUIDFilter",
    "StringFilter",
    "FloatFilter",
    "IntFilter",
    "BigIntFilter",
    "BigFloatFilter",
    "DateTimeFilter",
    "DateFilter",
    "BooleanFilter",
    "RawJsonFilter",
    "ArrayFilter",
    "PositionFilter",
];

/// Suffixes of the types generated per object `X` (`X`, `XConnection`, `XEdge`, ...).
const OBJECT_SUFFIXES: [&str; 10] = [
    "",
    "Connection",
    "Edge",
    "FilterInput",
    "OrderByInput",
    "CreateInput",
    "UpdateInput",
    "RelationInput",
    "ConnectInput",
    "WhereUniqueInput",
];

/// Suffixes of the types generated per composite type (`FullName`, `FullNameCreateInput`, ...).
const COMPOSITE_SUFFIXES: [&str; 5] = [
    "",
    "CreateInput",
    "UpdateInput",
    "FilterInput",
    "OrderByInput",
];

/// Every GraphQL type name the schema of `model` contains, each with what generates it
/// (for messages), in a stable order. Names may repeat when two things generate the same
/// type (that is what [`validate_graphql_names`] looks for).
pub fn graphql_type_names(model: &WorkspaceModel) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = BUILT_IN
        .iter()
        .map(|n| ((*n).to_owned(), "a built-in type".to_owned()))
        .collect();
    for composite in CompositeType::all() {
        for suffix in COMPOSITE_SUFFIXES {
            out.push((
                format!("{}{suffix}", composite.type_name),
                format!("the composite type {}", composite.type_name),
            ));
        }
        for sub in composite.sub_fields {
            if let Some((name, _)) = sub.enum_values {
                for suffix in ["", "Filter"] {
                    out.push((
                        format!("{name}{suffix}"),
                        format!("the composite type {}", composite.type_name),
                    ));
                }
            }
        }
    }
    for object in &model.objects {
        let origin = format!("object \"{}\"", object.singular());
        for suffix in OBJECT_SUFFIXES {
            out.push((format!("{}{suffix}", object.type_name), origin.clone()));
        }
        for field in &object.fields {
            let FieldKind::Scalar(col) = &field.kind else {
                continue;
            };
            if let Some(name) = &col.enum_type_name {
                let origin = format!("field \"{}.{}\"", object.singular(), field.name());
                out.push((name.clone(), origin.clone()));
                out.push((format!("{name}Filter"), origin));
            }
        }
    }
    out
}

/// Checks that no GraphQL type name of `model`'s schema is generated twice.
pub fn validate_graphql_names(model: &WorkspaceModel) -> Result<(), ValidationError> {
    let mut seen: HashMap<String, String> = HashMap::new();
    for (name, origin) in graphql_type_names(model) {
        match seen.get(&name) {
            // A composite type generates the same names for every field of its type.
            Some(first) if *first == origin && origin.starts_with("the composite") => {}
            Some(first) => {
                return Err(ValidationError::GraphqlNameClash {
                    type_name: name,
                    first: first.clone(),
                    second: origin,
                });
            }
            None => {
                seen.insert(name, origin);
            }
        }
    }
    Ok(())
}
