//! Bulk loads by column name ([`Store::insert_rows`]): batched multi-row INSERTs in one
//! transaction, values bound per column kind.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::{Map, Value};
use tessera_core::WorkspaceId;
use tessera_metadata::ColumnModel;
use tessera_query::SqlRunner;

use crate::bind::Binder;
use crate::classify::classify;
use crate::sql::{ident, placeholder, qualified};
use crate::sys::Sys;
use crate::{Store, StoreError};

/// Most rows per INSERT statement.
const MAX_ROWS_PER_INSERT: usize = 500;
/// Most bound parameters per INSERT statement (below SQLite's 32766 and PostgreSQL's 65535).
const MAX_PARAMS_PER_INSERT: usize = 30_000;

impl Store {
    /// Inserts `rows` into `object`'s table, keyed by COLUMN names (`nameFirstName`,
    /// `companyId`, `createdBySource`, …) — for seeds and bulk loads that bypass the API.
    /// Consecutive rows with the same keys share multi-row INSERTs; everything runs in one
    /// transaction. Missing keys take the column default. Returns the number of rows inserted.
    ///
    /// Errors: [`StoreError::UnknownObject`], [`StoreError::UnknownColumn`],
    /// [`StoreError::InvalidValue`] (names the column and the row's index), [`StoreError::Run`]
    /// for constraint violations (nothing is written then), [`StoreError::WorkspaceNotFound`].
    pub async fn insert_rows(
        &self,
        id: WorkspaceId,
        object: &str,
        rows: &[Map<String, Value>],
    ) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let model = self.workspace_model(id).await?;
        let obj = model
            .object(object)
            .ok_or_else(|| StoreError::UnknownObject(object.to_owned()))?;
        let columns: HashMap<&str, &ColumnModel> =
            obj.columns().map(|c| (c.name.as_str(), c)).collect();
        let runner = self.runner(id).await?;
        let binder = Binder {
            dialect: runner.dialect(),
            schema: runner.schema(),
        };
        let table = qualified(runner.schema(), &obj.table);
        let sys = Sys {
            dialect: runner.dialect(),
        };

        let txn = runner.begin().await?;
        let mut start = 0;
        while start < rows.len() {
            let keys: Vec<&String> = rows[start].keys().collect();
            let end = start
                + rows[start..]
                    .iter()
                    .take_while(|r| {
                        r.len() == keys.len() && keys.iter().all(|k| r.contains_key(*k))
                    })
                    .count();
            let cols = keys
                .iter()
                .map(|k| {
                    columns
                        .get(k.as_str())
                        .copied()
                        .ok_or_else(|| StoreError::UnknownColumn {
                            object: object.to_owned(),
                            column: (*k).clone(),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let per_statement =
                (MAX_PARAMS_PER_INSERT / cols.len().max(1)).clamp(1, MAX_ROWS_PER_INSERT);
            for (chunk_index, chunk) in rows[start..end].chunks(per_statement).enumerate() {
                // Rows without any key take every default: one `DEFAULT VALUES` insert each.
                let statements = if cols.is_empty() {
                    vec![(format!("INSERT INTO {table} DEFAULT VALUES"), Vec::new()); chunk.len()]
                } else {
                    let first_row = start + chunk_index * per_statement;
                    vec![batch(&binder, &table, &cols, chunk, first_row)?]
                };
                for (sql, values) in statements {
                    txn.execute_raw(sys.stmt(sql, values))
                        .await
                        .map_err(|e| StoreError::Run(classify(&e)))?;
                }
            }
            start = end;
        }
        txn.commit()
            .await
            .map_err(|e| StoreError::Run(classify(&e)))?;
        Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
    }
}

/// One multi-row INSERT for `chunk` (whose first row is `rows[first_row]`).
pub(crate) fn batch(
    binder: &Binder<'_>,
    table: &str,
    cols: &[&ColumnModel],
    chunk: &[Map<String, Value>],
    first_row: usize,
) -> Result<(String, Vec<sea_query::Value>), StoreError> {
    let mut values = Vec::with_capacity(chunk.len() * cols.len());
    let mut tuples = Vec::with_capacity(chunk.len());
    for (i, row) in chunk.iter().enumerate() {
        let mut exprs = Vec::with_capacity(cols.len());
        for col in cols {
            let cell = row.get(&col.name).unwrap_or(&Value::Null);
            let value = binder
                .value(col, cell)
                .map_err(|reason| StoreError::InvalidValue {
                    column: col.name.clone(),
                    reason: format!("row {}: {reason}", first_row + i),
                })?;
            values.push(value);
            exprs.push(binder.expr(col, &placeholder(binder.dialect, values.len())));
        }
        tuples.push(format!("({})", exprs.join(", ")));
    }
    let names: Vec<String> = cols.iter().map(|c| ident(&c.name)).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        names.join(", "),
        tuples.join(", ")
    );
    Ok((sql, values))
}
