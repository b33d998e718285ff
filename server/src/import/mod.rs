//! CSV import (`tessera import`): maps headers to fields, converts and validates EVERY row
//! first, then writes in batches of [`BATCH_SIZE`] through the query engine (each batch one
//! atomic statement), with a progress bar on a terminal.

mod cells;
mod headers;

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};
use tessera_core::{CodedError, ErrorCode, Session, WorkspaceId};
use tessera_metadata::WorkspaceModel;
use tessera_query::{
    Operation, QueryError, RecordInput, RecordSelection, execute, validate_record,
};
use tessera_store::{Store, StoreError};

pub use cells::convert_cell;
pub use headers::{ColumnTarget, HeaderMapping, map_headers};

/// Records per `createMany` statement (Twenty's mutation limit).
pub const BATCH_SIZE: usize = tessera_query::MAX_MUTATION_RECORDS;

/// A row that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not CSV.
    #[error("invalid CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The workspace has no such object.
    #[error("object \"{0}\" does not exist")]
    UnknownObject(String),
    /// Headers that name no field (one message each).
    #[error("{}", .0.join("\n"))]
    Headers(Vec<String>),
    /// Rows that failed conversion or validation; nothing was written.
    #[error("{} invalid row(s), nothing was imported:\n{}", .0.len(), join_rows(.0))]
    InvalidRows(Vec<RowError>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A batch failed; `imported` records of earlier batches are stored.
    #[error("import stopped after {imported} record(s): {source}")]
    Write {
        /// Records written before the failure.
        imported: u64,
        /// The engine's error.
        source: QueryError,
    },
}

fn join_rows(rows: &[RowError]) -> String {
    rows.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl CodedError for ImportError {
    fn code(&self) -> ErrorCode {
        match self {
            ImportError::Io { .. } => ErrorCode::InternalServerError,
            ImportError::Store(e) => e.code(),
            ImportError::Write { source, .. } => source.code(),
            _ => ErrorCode::BadUserInput,
        }
    }
}

/// Builds one record's GraphQL-shaped input from its cells (`{"name": {"firstName": "Ada"},
/// "companyId": "…"}`); empty cells are omitted. Errors: one message per bad cell.
pub fn record_from_cells(
    mappings: &[HeaderMapping],
    cells: &csv::StringRecord,
) -> Result<RecordInput, Vec<String>> {
    let mut record = Map::new();
    let mut errors = Vec::new();
    for (mapping, cell) in mappings.iter().zip(cells.iter()) {
        let value = match convert_cell(mapping.kind, cell) {
            Ok(Some(value)) => value,
            Ok(None) => continue,
            Err(reason) => {
                errors.push(format!("column \"{}\": {reason}", mapping.header));
                continue;
            }
        };
        match &mapping.target {
            ColumnTarget::Field { field } => {
                record.insert(field.clone(), value);
            }
            ColumnTarget::JoinColumn { column } => {
                record.insert(column.clone(), value);
            }
            ColumnTarget::SubField { field, sub_field } => {
                let entry = record
                    .entry(field.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(parts) = entry {
                    parts.insert(sub_field.clone(), value);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(RecordInput(record))
    } else {
        Err(errors)
    }
}

/// Reads a CSV file for `object` and validates every row (cell conversion, then
/// [`validate_record`]). Returns the records with their line numbers.
///
/// Errors: [`ImportError::UnknownObject`], [`ImportError::Headers`] (all bad headers),
/// [`ImportError::InvalidRows`] (every bad row with its line), [`ImportError::Csv`].
pub fn read_records<R: Read>(
    model: &WorkspaceModel,
    object: &str,
    reader: R,
) -> Result<Vec<(u64, RecordInput)>, ImportError> {
    let object_model = model
        .object(object)
        .ok_or_else(|| ImportError::UnknownObject(object.to_owned()))?;
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = csv
        .headers()?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == 0 {
                h.trim_start_matches('\u{feff}').to_owned()
            } else {
                h.to_owned()
            }
        })
        .collect();
    let mappings = map_headers(object_model, &headers).map_err(ImportError::Headers)?;
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for row in csv.records() {
        let row = row?;
        let line = row.position().map_or(0, csv::Position::line);
        if row.len() != headers.len() {
            errors.push(RowError {
                line,
                message: format!("expected {} cells, found {}", headers.len(), row.len()),
            });
            continue;
        }
        match record_from_cells(&mappings, &row) {
            Err(cell_errors) => errors.extend(
                cell_errors
                    .into_iter()
                    .map(|message| RowError { line, message }),
            ),
            Ok(record) => match validate_record(model, object, &record) {
                Ok(()) => records.push((line, record)),
                Err(e) => errors.push(RowError {
                    line,
                    message: e.to_string(),
                }),
            },
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(ImportError::InvalidRows(errors))
    }
}

/// Imports a CSV file into `object` of workspace `ws`: validates every row first (nothing is
/// written if any row is bad), then creates the records in batches of [`BATCH_SIZE`] as the
/// system actor (`createdBy.source = IMPORT`). Shows a progress bar when stderr is a terminal.
/// Returns the number of records imported.
pub async fn import_csv(
    store: &Store,
    ws: WorkspaceId,
    object: &str,
    path: &Path,
) -> Result<u64, ImportError> {
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let model = store.workspace_model(ws).await?;
    let records: Vec<RecordInput> = read_records(&model, object, std::io::BufReader::new(file))?
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    let runner = store.runner(ws).await?;
    let session = Session::system(ws, "IMPORT");
    let progress = ProgressBar::new(u64::try_from(records.len()).unwrap_or(u64::MAX));
    if std::io::stderr().is_terminal() {
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} records ({eta})") {
            progress.set_style(style);
        }
    } else {
        progress.set_draw_target(ProgressDrawTarget::hidden());
    }
    let mut imported = 0_u64;
    for batch in records.chunks(BATCH_SIZE) {
        let operation = Operation::Create {
            object: object.to_owned(),
            records: batch.to_vec(),
            upsert: false,
            selection: RecordSelection::id_only(),
            many: true,
        };
        execute(&*runner, &model, &session, &operation)
            .await
            .map_err(|source| ImportError::Write { imported, source })?;
        let n = u64::try_from(batch.len()).unwrap_or(u64::MAX);
        imported += n;
        progress.inc(n);
    }
    progress.finish_and_clear();
    Ok(imported)
}

#[cfg(test)]
mod tests;
