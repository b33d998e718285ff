//! The resolved model of one workspace: every active object and field with its table, columns,
//! relation targets and GraphQL names decided. Built once per metadata version and shared
//! (`Arc`) by the schema builder and the query compiler.

use std::collections::HashMap;

use tessera_core::WorkspaceId;
use uuid::Uuid;

use crate::{
    CompositeSubField, CompositeType, FieldMetadata, FieldType, MetadataError, ObjectMetadata,
    OnDelete, RelationType, ScalarKind, pascal_case,
};

/// One physical column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnModel {
    /// Column name, e.g. `nameFirstName`, `companyId`, `city`.
    pub name: String,
    /// Storage kind.
    pub kind: ScalarKind,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Enum values in declaration (position) order, for [`ScalarKind::Enum`] / [`ScalarKind::EnumArray`].
    pub enum_values: Vec<String>,
    /// GraphQL enum type name for enum columns (`OpportunityStageEnum`, `ActorSourceEnum`).
    pub enum_type_name: Option<String>,
    /// PostgreSQL enum type (`<table>_<column>_enum`) for enum columns.
    pub pg_enum_type: Option<String>,
    /// Whether `''` / `[]` count as NULL in filters (Twenty's null-equivalence).
    pub null_equivalent: bool,
}

/// A composite sub-field with its column.
#[derive(Debug, Clone, PartialEq)]
pub struct SubFieldModel {
    /// The static definition (name, kind, hidden flags).
    pub def: &'static CompositeSubField,
    /// The column holding it.
    pub column: ColumnModel,
}

/// How a field is stored and exposed.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// One column.
    Scalar(ColumnModel),
    /// One column per sub-field.
    Composite {
        /// The composite type.
        composite: &'static CompositeType,
        /// Sub-fields with their columns, in declaration order.
        sub_fields: Vec<SubFieldModel>,
    },
    /// Owns the join column; exposes `field: Target` and `<field>Id`.
    ManyToOne {
        /// The `<field>Id` column.
        join_column: ColumnModel,
        /// Target object's `nameSingular`.
        target: String,
        /// FK action.
        on_delete: OnDelete,
        /// The inverse one-to-many field on the target, if any.
        inverse: Option<String>,
    },
    /// A nested connection of the target's records whose join column points here.
    OneToMany {
        /// Target object's `nameSingular`.
        target: String,
        /// The many-to-one field on the target.
        inverse: String,
        /// The target's join column (`companyId` for `company.people`).
        target_join_column: String,
    },
}

/// A field with its resolved storage.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldModel {
    /// The stored metadata.
    pub meta: FieldMetadata,
    /// Resolved storage and shape.
    pub kind: FieldKind,
}

impl FieldModel {
    /// The field's API name.
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// Physical columns of this field (none for one-to-many).
    pub fn columns(&self) -> Vec<&ColumnModel> {
        match &self.kind {
            FieldKind::Scalar(c) => vec![c],
            FieldKind::Composite { sub_fields, .. } => {
                sub_fields.iter().map(|s| &s.column).collect()
            }
            FieldKind::ManyToOne { join_column, .. } => vec![join_column],
            FieldKind::OneToMany { .. } => vec![],
        }
    }

    /// The name of the composite sub-field stored in `column`, if any.
    pub fn sub_field_of_column(&self, column: &str) -> Option<&'static str> {
        match &self.kind {
            FieldKind::Composite { sub_fields, .. } => sub_fields
                .iter()
                .find(|s| s.column.name == column)
                .map(|s| s.def.name),
            _ => None,
        }
    }

    /// A composite sub-field by name.
    pub fn sub_field(&self, name: &str) -> Option<&SubFieldModel> {
        match &self.kind {
            FieldKind::Composite { sub_fields, .. } => {
                sub_fields.iter().find(|s| s.def.name == name)
            }
            _ => None,
        }
    }
}

/// An object with its resolved table and fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectModel {
    /// The stored metadata (its `fields` list includes inactive fields; use [`Self::fields`]).
    pub meta: ObjectMetadata,
    /// Table name: `nameSingular`, or `_nameSingular` for custom objects.
    pub table: String,
    /// GraphQL type name, `Pascal(nameSingular)`.
    pub type_name: String,
    /// Active fields, in metadata order.
    pub fields: Vec<FieldModel>,
    field_index: HashMap<String, usize>,
}

impl ObjectModel {
    /// `nameSingular`.
    pub fn singular(&self) -> &str {
        &self.meta.name_singular
    }

    /// `namePlural`.
    pub fn plural(&self) -> &str {
        &self.meta.name_plural
    }

    /// `Pascal(namePlural)`, used in root field names (`createPeople`).
    pub fn plural_pascal(&self) -> String {
        pascal_case(&self.meta.name_plural)
    }

    /// A field by API name.
    pub fn field(&self, name: &str) -> Option<&FieldModel> {
        self.field_index.get(name).map(|&i| &self.fields[i])
    }

    /// The many-to-one field whose join column is `column` (`companyId` → `company`).
    pub fn field_by_join_column(&self, column: &str) -> Option<&FieldModel> {
        self.fields.iter().find(|f| {
            matches!(&f.kind, FieldKind::ManyToOne { join_column, .. } if join_column.name == column)
        })
    }

    /// Every physical column, in field order.
    pub fn columns(&self) -> impl Iterator<Item = &ColumnModel> {
        self.fields.iter().flat_map(|f| f.columns())
    }

    /// The `id` column (every object has one).
    pub fn id_column(&self) -> &ColumnModel {
        match self.field("id").map(|f| &f.kind) {
            Some(FieldKind::Scalar(c)) => c,
            _ => unreachable_id(),
        }
    }
}

#[cold]
fn unreachable_id() -> ! {
    // WorkspaceModel::build refuses objects without a scalar `id` field.
    panic!("object without id field passed validation")
}

/// The resolved metadata of one workspace at one metadata version.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceModel {
    /// The tenant.
    pub workspace_id: WorkspaceId,
    /// Metadata version this model was built from.
    pub version: i64,
    /// Active objects, in metadata order.
    pub objects: Vec<ObjectModel>,
    index: HashMap<String, usize>,
}

fn column(name: String, kind: ScalarKind, nullable: bool) -> ColumnModel {
    ColumnModel {
        name,
        kind,
        nullable,
        enum_values: Vec::new(),
        enum_type_name: None,
        pg_enum_type: None,
        null_equivalent: matches!(
            kind,
            ScalarKind::Text | ScalarKind::TextArray | ScalarKind::EnumArray
        ),
    }
}

fn scalar_kind(f: &FieldMetadata) -> Option<ScalarKind> {
    Some(match f.field_type {
        FieldType::Uuid => ScalarKind::Uuid,
        FieldType::Text => ScalarKind::Text,
        FieldType::Number => {
            let is_int = f
                .settings
                .as_ref()
                .and_then(|s| s.get("dataType"))
                .and_then(|d| d.as_str())
                .is_some_and(|d| d == "int");
            if is_int {
                ScalarKind::Int
            } else {
                ScalarKind::Float
            }
        }
        FieldType::Numeric => ScalarKind::Numeric,
        FieldType::Boolean => ScalarKind::Boolean,
        FieldType::Date => ScalarKind::Date,
        FieldType::DateTime => ScalarKind::DateTime,
        FieldType::Select | FieldType::Rating => ScalarKind::Enum,
        FieldType::MultiSelect => ScalarKind::EnumArray,
        FieldType::Position => ScalarKind::Position,
        FieldType::RawJson => ScalarKind::Json,
        FieldType::Array => ScalarKind::TextArray,
        _ => return None,
    })
}

/// `RATING_1` … `RATING_5`, Twenty's `RATING_VALUES`.
pub const RATING_VALUES: [&str; 5] = ["RATING_1", "RATING_2", "RATING_3", "RATING_4", "RATING_5"];

impl WorkspaceModel {
    /// Resolves stored metadata into a model. Inactive objects and fields are left out;
    /// relation fields whose target is inactive are left out too.
    ///
    /// Errors: duplicate object or field names, relations to unknown objects or fields,
    /// enum fields without options, objects without an `id` field.
    pub fn build(
        workspace_id: WorkspaceId,
        version: i64,
        objects: &[ObjectMetadata],
    ) -> Result<Self, MetadataError> {
        let active: Vec<&ObjectMetadata> = objects.iter().filter(|o| o.is_active).collect();
        let by_id: HashMap<Uuid, &ObjectMetadata> = active.iter().map(|o| (o.id, *o)).collect();
        let field_by_id: HashMap<Uuid, (&ObjectMetadata, &FieldMetadata)> = active
            .iter()
            .flat_map(|o| o.fields.iter().map(move |f| (f.id, (*o, f))))
            .collect();

        let mut out = Vec::with_capacity(active.len());
        let mut index = HashMap::new();
        for obj in &active {
            if index.insert(obj.name_singular.clone(), out.len()).is_some()
                || (obj.name_plural != obj.name_singular
                    && active.iter().any(|o| o.name_singular == obj.name_plural))
            {
                return Err(MetadataError::DuplicateName(obj.name_singular.clone()));
            }
            let table = if obj.is_custom {
                format!("_{}", obj.name_singular)
            } else {
                obj.name_singular.clone()
            };
            let mut fields = Vec::new();
            let mut field_index = HashMap::new();
            for f in obj.fields.iter().filter(|f| f.is_active) {
                let invalid = |reason: &str| MetadataError::InvalidField {
                    object: obj.name_singular.clone(),
                    field: f.name.clone(),
                    reason: reason.to_owned(),
                };
                let kind = if let Some(kind) = scalar_kind(f) {
                    let mut col = column(f.name.clone(), kind, f.is_nullable);
                    if matches!(kind, ScalarKind::Enum | ScalarKind::EnumArray) {
                        col.enum_values = if f.field_type == FieldType::Rating
                            && f.options.as_ref().is_none_or(|o| o.is_empty())
                        {
                            RATING_VALUES.iter().map(|s| (*s).to_owned()).collect()
                        } else {
                            let mut opts = f.options.clone().unwrap_or_default();
                            opts.sort_by_key(|o| o.position);
                            opts.into_iter().map(|o| o.value).collect()
                        };
                        if col.enum_values.is_empty() {
                            return Err(invalid("an enum field needs at least one option"));
                        }
                        col.enum_type_name = Some(format!(
                            "{}{}Enum",
                            pascal_case(&obj.name_singular),
                            pascal_case(&f.name)
                        ));
                        col.pg_enum_type = Some(format!("{}_{}_enum", table, f.name));
                    }
                    FieldKind::Scalar(col)
                } else if let Some(composite) = CompositeType::of(f.field_type) {
                    let sub_fields = composite
                        .sub_fields
                        .iter()
                        .map(|def| {
                            let name = format!("{}{}", f.name, pascal_case(def.name));
                            let mut col = column(name.clone(), def.kind, true);
                            col.null_equivalent = def.null_equivalent;
                            if let Some((enum_name, values)) = def.enum_values {
                                col.enum_values = values.iter().map(|v| (*v).to_owned()).collect();
                                col.enum_type_name = Some(enum_name.to_owned());
                                col.pg_enum_type = Some(format!("{table}_{name}_enum"));
                            }
                            SubFieldModel { def, column: col }
                        })
                        .collect();
                    FieldKind::Composite {
                        composite,
                        sub_fields,
                    }
                } else {
                    let settings = f
                        .relation_settings()
                        .ok_or_else(|| invalid("relation settings are missing"))?;
                    let unknown = || MetadataError::UnknownRelationTarget {
                        object: obj.name_singular.clone(),
                        field: f.name.clone(),
                    };
                    let target_id = f.relation_target_object_metadata_id.ok_or_else(unknown)?;
                    let Some(target) = by_id.get(&target_id) else {
                        if objects.iter().any(|o| o.id == target_id) {
                            continue; // target object is inactive: hide the relation
                        }
                        return Err(unknown());
                    };
                    let inverse = f
                        .relation_target_field_metadata_id
                        .and_then(|id| field_by_id.get(&id))
                        .map(|(_, tf)| *tf);
                    match settings.relation_type {
                        RelationType::ManyToOne => {
                            let join = settings
                                .join_column_name
                                .clone()
                                .unwrap_or_else(|| format!("{}Id", f.name));
                            FieldKind::ManyToOne {
                                join_column: column(join, ScalarKind::Uuid, true),
                                target: target.name_singular.clone(),
                                on_delete: settings.on_delete.unwrap_or_default(),
                                inverse: inverse.filter(|i| i.is_active).map(|i| i.name.clone()),
                            }
                        }
                        RelationType::OneToMany => {
                            let inv = inverse.ok_or_else(unknown)?;
                            if !inv.is_active {
                                continue;
                            }
                            let inv_settings = inv.relation_settings().ok_or_else(unknown)?;
                            FieldKind::OneToMany {
                                target: target.name_singular.clone(),
                                inverse: inv.name.clone(),
                                target_join_column: inv_settings
                                    .join_column_name
                                    .unwrap_or_else(|| format!("{}Id", inv.name)),
                            }
                        }
                    }
                };
                if field_index.insert(f.name.clone(), fields.len()).is_some() {
                    return Err(MetadataError::DuplicateName(format!(
                        "{}.{}",
                        obj.name_singular, f.name
                    )));
                }
                fields.push(FieldModel {
                    meta: f.clone(),
                    kind,
                });
            }
            if !matches!(
                fields
                    .get(*field_index.get("id").unwrap_or(&usize::MAX))
                    .map(|f| &f.kind),
                Some(FieldKind::Scalar(_))
            ) {
                return Err(MetadataError::InvalidField {
                    object: obj.name_singular.clone(),
                    field: "id".to_owned(),
                    reason: "every object needs an id field".to_owned(),
                });
            }
            out.push(ObjectModel {
                meta: (*obj).clone(),
                table,
                type_name: pascal_case(&obj.name_singular),
                fields,
                field_index,
            });
        }
        Ok(Self {
            workspace_id,
            version,
            objects: out,
            index,
        })
    }

    /// An active object by `nameSingular`.
    pub fn object(&self, name_singular: &str) -> Option<&ObjectModel> {
        self.index.get(name_singular).map(|&i| &self.objects[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard;

    #[test]
    fn standard_objects_resolve() {
        let ws = WorkspaceId::new_random();
        let objects = standard::standard_objects();
        let model = WorkspaceModel::build(ws, 1, &objects).expect("standard objects are valid");
        let person = model.object("person").expect("person");
        assert_eq!(person.table, "person");
        assert_eq!(person.type_name, "Person");
        let name = person.field("name").expect("name");
        let cols: Vec<_> = name.columns().iter().map(|c| c.name.clone()).collect();
        assert_eq!(cols, ["nameFirstName", "nameLastName"]);
        match &person.field("company").expect("company").kind {
            FieldKind::ManyToOne {
                join_column,
                target,
                ..
            } => {
                assert_eq!(join_column.name, "companyId");
                assert_eq!(target, "company");
            }
            other => panic!("unexpected {other:?}"),
        }
        let company = model.object("company").expect("company");
        match &company.field("people").expect("people").kind {
            FieldKind::OneToMany {
                target,
                target_join_column,
                ..
            } => {
                assert_eq!(target, "person");
                assert_eq!(target_join_column, "companyId");
            }
            other => panic!("unexpected {other:?}"),
        }
        let stage = model
            .object("opportunity")
            .and_then(|o| o.field("stage"))
            .expect("stage");
        match &stage.kind {
            FieldKind::Scalar(c) => {
                assert_eq!(c.enum_type_name.as_deref(), Some("OpportunityStageEnum"));
                assert_eq!(c.enum_values[0], "NEW");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
