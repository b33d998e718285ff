//! Mapping CSV headers to an object's fields.

use tessera_metadata::{FieldKind, ObjectModel, ScalarKind};

/// Where a CSV column's values go in a record's GraphQL-shaped input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnTarget {
    /// A scalar field: `{"city": …}`.
    Field {
        /// The field name.
        field: String,
    },
    /// A composite sub-field: `{"name": {"firstName": …}}`.
    SubField {
        /// The composite field.
        field: String,
        /// The sub-field.
        sub_field: String,
    },
    /// A many-to-one join column: `{"companyId": …}`.
    JoinColumn {
        /// The join column (`companyId`).
        column: String,
    },
}

/// One CSV column, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderMapping {
    /// The header as written in the file.
    pub header: String,
    /// Where its values go.
    pub target: ColumnTarget,
    /// How its cells are converted.
    pub kind: ScalarKind,
}

/// Resolves every header of a CSV file against `object`. A header may be a field name
/// (`city`), a field label in any case (`Job Title`), a many-to-one join column (`companyId`)
/// or field name (`company`), a composite column name (`nameFirstName`, `emailsPrimaryEmail`)
/// or `field.subField` (`name.firstName`).
///
/// Errors: one message per header that names nothing, names a composite field without a
/// sub-field, a one-to-many relation, or a column already mapped by an earlier header.
pub fn map_headers(
    object: &ObjectModel,
    headers: &[String],
) -> Result<Vec<HeaderMapping>, Vec<String>> {
    let mut mappings: Vec<HeaderMapping> = Vec::with_capacity(headers.len());
    let mut errors = Vec::new();
    for header in headers {
        match map_header(object, header.trim()) {
            Ok((target, kind)) => {
                if let Some(previous) = mappings.iter().find(|m| m.target == target) {
                    errors.push(format!(
                        "header \"{header}\" maps to the same field as \"{}\"",
                        previous.header
                    ));
                } else {
                    mappings.push(HeaderMapping {
                        header: header.clone(),
                        target,
                        kind,
                    });
                }
            }
            Err(reason) => errors.push(format!("header \"{header}\": {reason}")),
        }
    }
    if errors.is_empty() {
        Ok(mappings)
    } else {
        Err(errors)
    }
}

fn map_header(object: &ObjectModel, header: &str) -> Result<(ColumnTarget, ScalarKind), String> {
    if header.is_empty() {
        return Err("empty header".to_owned());
    }
    let by_name_or_label = |name: &str| {
        object.field(name).or_else(|| {
            object
                .fields
                .iter()
                .find(|f| f.meta.label.eq_ignore_ascii_case(name))
        })
    };
    if let Some((field_name, sub_name)) = header.split_once('.') {
        let field = by_name_or_label(field_name.trim())
            .ok_or_else(|| format!("no field \"{}\"", field_name.trim()))?;
        let FieldKind::Composite { sub_fields, .. } = &field.kind else {
            return Err(format!("field \"{}\" has no sub-fields", field.name()));
        };
        let sub = sub_fields
            .iter()
            .find(|s| s.def.name.eq_ignore_ascii_case(sub_name.trim()))
            .ok_or_else(|| {
                format!(
                    "field \"{}\" has no sub-field \"{}\"",
                    field.name(),
                    sub_name.trim()
                )
            })?;
        return Ok((
            ColumnTarget::SubField {
                field: field.name().to_owned(),
                sub_field: sub.def.name.to_owned(),
            },
            sub.column.kind,
        ));
    }
    if let Some(field) = by_name_or_label(header) {
        return match &field.kind {
            FieldKind::Scalar(col) => Ok((
                ColumnTarget::Field {
                    field: field.name().to_owned(),
                },
                col.kind,
            )),
            FieldKind::ManyToOne { join_column, .. } => Ok((
                ColumnTarget::JoinColumn {
                    column: join_column.name.clone(),
                },
                join_column.kind,
            )),
            FieldKind::Composite { sub_fields, .. } => {
                let names: Vec<String> = sub_fields
                    .iter()
                    .map(|s| format!("{}.{}", field.name(), s.def.name))
                    .collect();
                Err(format!(
                    "\"{}\" has several parts; use one of {}",
                    field.name(),
                    names.join(", ")
                ))
            }
            FieldKind::OneToMany { .. } => Err(format!(
                "\"{}\" is a one-to-many relation and cannot be imported",
                field.name()
            )),
        };
    }
    for field in &object.fields {
        match &field.kind {
            FieldKind::ManyToOne { join_column, .. } if join_column.name == header => {
                return Ok((
                    ColumnTarget::JoinColumn {
                        column: join_column.name.clone(),
                    },
                    join_column.kind,
                ));
            }
            FieldKind::Composite { sub_fields, .. } => {
                if let Some(sub) = sub_fields.iter().find(|s| s.column.name == header) {
                    return Ok((
                        ColumnTarget::SubField {
                            field: field.name().to_owned(),
                            sub_field: sub.def.name.to_owned(),
                        },
                        sub.column.kind,
                    ));
                }
            }
            _ => {}
        }
    }
    // Human headers for sub-fields: "First Name" (when only one composite has that part) or
    // "Emails Primary Email" (field label + part), compared ignoring case, spaces and symbols.
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let wanted = norm(header);
    let mut candidates = Vec::new();
    for field in &object.fields {
        if let FieldKind::Composite { sub_fields, .. } = &field.kind {
            for sub in sub_fields {
                let part = norm(sub.def.name);
                if wanted == part || wanted == format!("{}{part}", norm(&field.meta.label)) {
                    candidates.push((field.name(), sub));
                }
            }
        }
    }
    match candidates.as_slice() {
        [(field, sub)] => Ok((
            ColumnTarget::SubField {
                field: (*field).to_owned(),
                sub_field: sub.def.name.to_owned(),
            },
            sub.column.kind,
        )),
        [] => Err(format!(
            "object \"{}\" has no such field or column",
            object.singular()
        )),
        several => Err(format!(
            "ambiguous: it could be {}; write field.subField",
            several
                .iter()
                .map(|(f, s)| format!("{f}.{}", s.def.name))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}
