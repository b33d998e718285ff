//! Shared types: scalars, filters, enums, page info and composite types, and the mapping of
//! column kinds to GraphQL types.

//! Schema construction: Twenty's names and shapes for every active object
//! (`shared/reference/twenty-core-api.md` §1.2, §2, §3.1, §4.2, §5, §6, §7).

use async_graphql::dynamic::{Enum, InputObject, InputValue, Object, Scalar, TypeRef};
use tessera_metadata::{ColumnModel, CompositeType, FieldModel, ScalarKind};

use crate::build::Builder;
use crate::value::{Lookup, json_field};

/// The GraphQL output type name of a column.
pub(crate) fn scalar_type(col: &ColumnModel) -> String {
    match col.kind {
        ScalarKind::Uuid => "UUID".into(),
        ScalarKind::Text => TypeRef::STRING.into(),
        ScalarKind::Float => TypeRef::FLOAT.into(),
        ScalarKind::Int => TypeRef::INT.into(),
        ScalarKind::Numeric => "BigFloat".into(),
        ScalarKind::Boolean => TypeRef::BOOLEAN.into(),
        ScalarKind::Date => "Date".into(),
        ScalarKind::DateTime => "DateTime".into(),
        ScalarKind::Position => "Position".into(),
        ScalarKind::Json => "JSON".into(),
        ScalarKind::TextArray => TypeRef::STRING.into(),
        ScalarKind::Enum | ScalarKind::EnumArray => col.enum_type_name.clone().unwrap_or_default(),
    }
}

pub(crate) fn output_type(col: &ColumnModel, non_null: bool) -> TypeRef {
    let name = scalar_type(col);
    match (col.kind, non_null) {
        (ScalarKind::TextArray | ScalarKind::EnumArray, true) => TypeRef::named_nn_list_nn(name),
        (ScalarKind::TextArray | ScalarKind::EnumArray, false) => TypeRef::named_nn_list(name),
        (_, true) => TypeRef::named_nn(name),
        (_, false) => TypeRef::named(name),
    }
}

pub(crate) fn input_type(col: &ColumnModel, non_null: bool) -> TypeRef {
    output_type(col, non_null)
}

/// The filter input type of a column.
pub(crate) fn filter_type(col: &ColumnModel) -> String {
    match col.kind {
        ScalarKind::Uuid => "UUIDFilter".into(),
        ScalarKind::Text => "StringFilter".into(),
        ScalarKind::Float | ScalarKind::Position => "FloatFilter".into(),
        ScalarKind::Int => "IntFilter".into(),
        ScalarKind::Numeric => "BigFloatFilter".into(),
        ScalarKind::Boolean => "BooleanFilter".into(),
        ScalarKind::Date => "DateFilter".into(),
        ScalarKind::DateTime => "DateTimeFilter".into(),
        ScalarKind::Json => "RawJsonFilter".into(),
        ScalarKind::TextArray => "ArrayFilter".into(),
        ScalarKind::Enum | ScalarKind::EnumArray => {
            format!("{}Filter", col.enum_type_name.clone().unwrap_or_default())
        }
    }
}

/// Whether a field is non-null in output and create input: not nullable and no default
/// (Twenty's `apply-type-options-for-output-type.util.ts`).
pub(crate) fn non_null(field: &FieldModel) -> bool {
    !field.meta.is_nullable && field.meta.default_value.is_none()
}

impl Builder {
    pub(crate) fn statics(&mut self) {
        for name in [
            "UUID",
            "DateTime",
            "Date",
            "BigFloat",
            "Position",
            "JSON",
            "Cursor",
            "ConnectionCursor",
        ] {
            let desc = match name {
                "UUID" => "A UUID, lower-case hyphenated.",
                "DateTime" => "An ISO-8601 instant in UTC, e.g. 2024-01-31T09:00:00.000Z.",
                "Date" => "A calendar date, YYYY-MM-DD.",
                "BigFloat" => "An arbitrary-precision number (amounts in micros).",
                "Position" => "A sort position: a number, or \"first\" / \"last\" on input.",
                "JSON" => "Any JSON value.",
                _ => "An opaque pagination cursor.",
            };
            self.push(Scalar::new(name).description(desc));
        }
        self.push(Enum::new("OrderByDirection").items([
            "AscNullsFirst",
            "AscNullsLast",
            "DescNullsFirst",
            "DescNullsLast",
        ]));
        self.push(Enum::new("FilterIs").items(["NULL", "NOT_NULL"]));
        let cmp = |name: &str, ty: &str, extra: &[(&str, TypeRef)]| {
            let mut o = InputObject::new(name);
            for op in ["eq", "neq", "gt", "gte", "lt", "lte"] {
                o = o.field(InputValue::new(op, TypeRef::named(ty)));
            }
            o = o.field(InputValue::new("in", TypeRef::named_nn_list(ty)));
            o = o.field(InputValue::new("is", TypeRef::named("FilterIs")));
            for (n, t) in extra {
                o = o.field(InputValue::new(*n, t.clone()));
            }
            o
        };
        let s = || TypeRef::named(TypeRef::STRING);
        self.push(cmp("UUIDFilter", "UUID", &[]));
        self.push(cmp(
            "StringFilter",
            TypeRef::STRING,
            &[
                ("like", s()),
                ("ilike", s()),
                ("startsWith", s()),
                ("endsWith", s()),
            ],
        ));
        self.push(cmp("FloatFilter", TypeRef::FLOAT, &[]));
        self.push(cmp("IntFilter", TypeRef::INT, &[]));
        self.push(cmp("BigFloatFilter", "BigFloat", &[]));
        self.push(cmp("DateTimeFilter", "DateTime", &[]));
        self.push(cmp("DateFilter", "Date", &[]));
        self.push(
            InputObject::new("BooleanFilter")
                .field(InputValue::new("eq", TypeRef::named(TypeRef::BOOLEAN)))
                .field(InputValue::new("is", TypeRef::named("FilterIs"))),
        );
        self.push(
            InputObject::new("RawJsonFilter")
                .field(InputValue::new("is", TypeRef::named("FilterIs")))
                .field(InputValue::new("like", s()))
                .field(InputValue::new("ilike", s())),
        );
        self.push(
            InputObject::new("ArrayFilter")
                .field(InputValue::new("containsIlike", s()))
                .field(InputValue::new(
                    "containsAny",
                    TypeRef::named_nn_list(TypeRef::STRING),
                ))
                .field(InputValue::new("is", TypeRef::named("FilterIs")))
                .field(InputValue::new(
                    "isEmptyArray",
                    TypeRef::named(TypeRef::BOOLEAN),
                )),
        );
        self.push(
            Object::new("PageInfo")
                .field(json_field(
                    "startCursor",
                    TypeRef::named("ConnectionCursor"),
                    Lookup::Name,
                ))
                .field(json_field(
                    "endCursor",
                    TypeRef::named("ConnectionCursor"),
                    Lookup::Name,
                ))
                .field(json_field(
                    "hasNextPage",
                    TypeRef::named_nn(TypeRef::BOOLEAN),
                    Lookup::Name,
                ))
                .field(json_field(
                    "hasPreviousPage",
                    TypeRef::named_nn(TypeRef::BOOLEAN),
                    Lookup::Name,
                )),
        );
        for composite in CompositeType::all() {
            self.composite_types(composite);
        }
    }

    pub(crate) fn enum_types(&mut self, col: &ColumnModel) {
        let Some(name) = &col.enum_type_name else {
            return;
        };
        if !self.enums.insert(name.clone()) {
            return;
        }
        self.push(Enum::new(name.as_str()).items(col.enum_values.iter().map(String::as_str)));
        let filter = format!("{name}Filter");
        self.push(
            InputObject::new(filter.as_str())
                .field(InputValue::new("eq", TypeRef::named(name.as_str())))
                .field(InputValue::new("neq", TypeRef::named(name.as_str())))
                .field(InputValue::new("in", TypeRef::named_nn_list(name.as_str())))
                .field(InputValue::new(
                    "containsAny",
                    TypeRef::named_nn_list(name.as_str()),
                ))
                .field(InputValue::new("is", TypeRef::named("FilterIs")))
                .field(InputValue::new(
                    "isEmptyArray",
                    TypeRef::named(TypeRef::BOOLEAN),
                )),
        );
    }

    pub(crate) fn composite_types(&mut self, composite: &'static CompositeType) {
        // Sub-field columns of a composite are the same for every field of that type, except
        // for their column names; build them from a throwaway column model.
        let name = composite.type_name;
        let mut out = Object::new(name);
        let mut create = InputObject::new(format!("{name}CreateInput"));
        let mut update = InputObject::new(format!("{name}UpdateInput"));
        let mut filter = InputObject::new(format!("{name}FilterInput"));
        let mut order = InputObject::new(format!("{name}OrderByInput"));
        for sub in composite.sub_fields {
            let col = ColumnModel {
                name: sub.name.to_owned(),
                kind: sub.kind,
                nullable: true,
                enum_values: sub
                    .enum_values
                    .map(|(_, v)| v.iter().map(|s| (*s).to_owned()).collect())
                    .unwrap_or_default(),
                enum_type_name: sub.enum_values.map(|(n, _)| n.to_owned()),
                pg_enum_type: None,
                null_equivalent: sub.null_equivalent,
            };
            self.enum_types(&col);
            out = out.field(json_field(
                sub.name,
                output_type(&col, false),
                Lookup::Alias,
            ));
            if !sub.input_hidden {
                create = create.field(InputValue::new(sub.name, input_type(&col, false)));
                update = update.field(InputValue::new(sub.name, input_type(&col, false)));
            }
            filter = filter.field(InputValue::new(sub.name, TypeRef::named(filter_type(&col))));
            order = order.field(InputValue::new(
                sub.name,
                TypeRef::named("OrderByDirection"),
            ));
        }
        self.push(out);
        self.push(create);
        self.push(update);
        self.push(filter);
        self.push(order);
    }
}
