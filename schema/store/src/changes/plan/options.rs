//! Option changes of SELECT / MULTI_SELECT / RATING fields: existing values follow renamed
//! options (same option id, new value); values of removed options become NULL (SELECT) or
//! leave the array (MULTI_SELECT).
//!
//! PostgreSQL recreates the enum type inside the transaction: create the new type under a
//! temporary name, `ALTER COLUMN … TYPE new USING <mapping>`, drop the old type, rename the
//! new one (Twenty's `alterEnumValues` keeps the data the same way). SQLite stores options
//! as text and only rewrites the values.

use tessera_metadata::{ColumnModel, FieldKind, FieldModel, ObjectModel, ScalarKind};
use tessera_query::Dialect;

use super::{Planner, blame, field_pairs};
use crate::StoreError;
use crate::ddl::column_default;
use crate::sql::{ident, literal};

/// Temporary name of a recreated enum type (free again once renamed, within the transaction).
const TMP_ENUM: &str = "tessera_enum_migration";

/// Where each old enum value goes: `(old, Some(new))` or `(old, None)` when removed.
fn value_map(
    of: &FieldModel,
    nf: &FieldModel,
    oc: &ColumnModel,
    nc: &ColumnModel,
) -> Vec<(String, Option<String>)> {
    let before = of.meta.options.as_deref().unwrap_or_default();
    let after = nf.meta.options.as_deref().unwrap_or_default();
    oc.enum_values
        .iter()
        .map(|value| {
            let by_id = before
                .iter()
                .find(|o| &o.value == value)
                .and_then(|o| after.iter().find(|n| n.id == o.id))
                .map(|n| n.value.clone());
            let kept = nc.enum_values.contains(value).then(|| value.clone());
            (value.clone(), by_id.or(kept))
        })
        .collect()
}

impl Planner<'_> {
    /// Migrates stored values of every enum column whose option list changed.
    pub(super) fn migrate_options(
        &mut self,
        old: &ObjectModel,
        new: &ObjectModel,
    ) -> Result<(), StoreError> {
        for (of, nf) in field_pairs(old, new) {
            let (FieldKind::Scalar(oc), FieldKind::Scalar(nc)) = (&of.kind, &nf.kind) else {
                continue;
            };
            if !matches!(nc.kind, ScalarKind::Enum | ScalarKind::EnumArray)
                || oc.enum_values == nc.enum_values
            {
                continue;
            }
            let map = value_map(of, nf, oc, nc);
            match self.dialect {
                Dialect::Postgres => self.recreate_enum(new, of, nf, nc, &map)?,
                Dialect::Sqlite => self.rewrite_values(new, nf, nc, &map),
            }
        }
        Ok(())
    }

    fn recreate_enum(
        &mut self,
        object: &ObjectModel,
        of: &FieldModel,
        nf: &FieldModel,
        col: &ColumnModel,
        map: &[(String, Option<String>)],
    ) -> Result<(), StoreError> {
        let Some(enum_name) = col.pg_enum_type.as_deref() else {
            return Ok(());
        };
        let table = self.table(&object.table);
        let column = ident(&col.name);
        let tmp = self.table(TMP_ENUM);
        let is_array = col.kind == ScalarKind::EnumArray;
        if column_default(of, &col.name).is_some() {
            self.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"
            ));
        }
        let create = self.new.create_enum_type(TMP_ENUM, &col.enum_values);
        self.push(create);
        let using = if is_array {
            array_mapping(&column, map, &format!("{tmp}[]"))
        } else {
            let arms: String = map
                .iter()
                .map(|(old, new)| {
                    let target = new.as_deref().map_or_else(|| "NULL".to_owned(), literal);
                    format!(" WHEN {} THEN {target}", literal(old))
                })
                .collect();
            format!("(CASE {column}::text{arms} ELSE NULL END)::{tmp}")
        };
        let new_type = if is_array {
            format!("{tmp}[]")
        } else {
            tmp.clone()
        };
        self.push_blamed(
            format!("ALTER TABLE {table} ALTER COLUMN {column} TYPE {new_type} USING {using}"),
            blame(object, nf),
        );
        self.push(format!("DROP TYPE {}", self.table(enum_name)));
        self.push(format!("ALTER TYPE {tmp} RENAME TO {}", ident(enum_name)));
        if let Some(default) = self.new.default_sql(nf, col)? {
            self.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT ({default})"
            ));
        }
        self.migrated.insert((nf.meta.id, col.name.clone()));
        Ok(())
    }

    fn rewrite_values(
        &mut self,
        object: &ObjectModel,
        nf: &FieldModel,
        col: &ColumnModel,
        map: &[(String, Option<String>)],
    ) {
        let changed: Vec<&(String, Option<String>)> = map
            .iter()
            .filter(|(old, new)| new.as_deref() != Some(old.as_str()))
            .collect();
        if changed.is_empty() {
            return;
        }
        let table = self.table(&object.table);
        let column = ident(&col.name);
        let olds: Vec<String> = changed.iter().map(|(old, _)| literal(old)).collect();
        let olds = olds.join(", ");
        let sql = if col.kind == ScalarKind::EnumArray {
            let renames: String = changed
                .iter()
                .filter_map(|(old, new)| {
                    new.as_ref()
                        .map(|n| format!(" WHEN {} THEN {}", literal(old), literal(n)))
                })
                .collect();
            let element = if renames.is_empty() {
                "j.value".to_owned()
            } else {
                format!("CASE j.value{renames} ELSE j.value END")
            };
            let removed: Vec<String> = changed
                .iter()
                .filter(|(_, new)| new.is_none())
                .map(|(old, _)| literal(old))
                .collect();
            let keep = if removed.is_empty() {
                String::new()
            } else {
                format!(" WHERE j.value NOT IN ({})", removed.join(", "))
            };
            format!(
                "UPDATE {table} AS r SET {column} = (SELECT json_group_array({element} ORDER BY j.key) \
                 FROM json_each(r.{column}) AS j{keep}) WHERE r.{column} IS NOT NULL AND EXISTS \
                 (SELECT 1 FROM json_each(r.{column}) AS k WHERE k.value IN ({olds}))"
            )
        } else {
            let arms: String = changed
                .iter()
                .map(|(old, new)| {
                    let target = new.as_deref().map_or_else(|| "NULL".to_owned(), literal);
                    format!(" WHEN {} THEN {target}", literal(old))
                })
                .collect();
            format!(
                "UPDATE {table} SET {column} = CASE {column}{arms} END WHERE {column} IN ({olds})"
            )
        };
        self.push_blamed(sql, blame(object, nf));
    }
}

/// PostgreSQL array mapping without subqueries (not allowed in `USING`): every old value is
/// first replaced by a marker (`#<n>`, never a valid option value), then markers become their
/// new values or are removed.
fn array_mapping(column: &str, map: &[(String, Option<String>)], cast: &str) -> String {
    let mut expr = format!("{column}::text[]");
    for (i, (old, _)) in map.iter().enumerate() {
        expr = format!("array_replace({expr}, {}, '#{i}')", literal(old));
    }
    for (i, (_, new)) in map.iter().enumerate() {
        expr = match new {
            Some(new) => format!("array_replace({expr}, '#{i}', {})", literal(new)),
            None => format!("array_remove({expr}, '#{i}')"),
        };
    }
    format!("({expr})::{cast}")
}
