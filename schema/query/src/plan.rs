//! The compiled form of an operation and how its rows become the response.

use serde_json::Value as Json;
use tessera_metadata::{ObjectModel, WorkspaceModel};

use crate::shape;
use crate::{ConnectionQuery, QueryError, RecordSelection, SqlRunner, Statement};

/// What to do with the rows of the statement(s).
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    /// One row holding `{rows, total}` of a root connection.
    Connection(Box<ConnectionQuery>),
    /// Rows are records; `many` returns a list, otherwise the first row or `NOT_FOUND`.
    Records {
        object: String,
        selection: RecordSelection,
        many: bool,
        /// Rows are `[record, id]` pairs to be returned in id order.
        by_id: bool,
    },
}

/// A compiled operation.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) statements: Vec<Statement>,
    pub(crate) shape: Shape,
    /// Several statements that must run in one transaction.
    pub(crate) transactional: bool,
    /// The plan writes outbox events (the runner is told after it commits).
    pub(crate) events: bool,
}

impl Plan {
    pub(crate) async fn run_on(
        self,
        runner: &dyn SqlRunner,
        model: &WorkspaceModel,
    ) -> Result<Json, QueryError> {
        let rows: Vec<String> = match self.statements.len() {
            0 => Vec::new(),
            1 if !self.transactional => {
                let statement = self
                    .statements
                    .into_iter()
                    .next()
                    .ok_or_else(|| QueryError::Internal("no statement".into()))?;
                runner
                    .fetch_json(statement)
                    .await
                    .map_err(|e| self.shape.explain(model, e))?
            }
            _ => runner
                .fetch_json_in_transaction(self.statements)
                .await
                .map_err(|e| self.shape.explain(model, e))?
                .into_iter()
                .flatten()
                .collect(),
        };
        let parse = |s: &str| {
            serde_json::from_str::<Json>(s)
                .map_err(|e| QueryError::Internal(format!("bad JSON from database: {e}")))
        };
        match &self.shape {
            Shape::Connection(conn) => {
                let raw = rows
                    .first()
                    .map(|r| parse(r))
                    .transpose()?
                    .unwrap_or(Json::Null);
                shape::connection(model, conn, raw)
            }
            Shape::Records {
                object,
                selection,
                many,
                by_id,
            } => {
                let object = object_of(model, object)?;
                let mut parsed = rows
                    .iter()
                    .map(|r| parse(r))
                    .collect::<Result<Vec<_>, _>>()?;
                if *by_id {
                    let id = |v: &Json| {
                        v.get(1)
                            .and_then(Json::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    };
                    parsed.sort_by_key(id);
                    parsed = parsed
                        .into_iter()
                        .map(|mut v| v.get_mut(0).map(Json::take).unwrap_or_default())
                        .collect();
                }
                let mut out = Vec::with_capacity(parsed.len());
                for row in parsed {
                    out.push(shape::record(model, object, selection, row)?);
                }
                if *many {
                    Ok(Json::Array(out))
                } else {
                    out.into_iter().next().ok_or(QueryError::NotFound)
                }
            }
        }
    }
}

pub(crate) fn object_of<'a>(
    model: &'a WorkspaceModel,
    name: &str,
) -> Result<&'a ObjectModel, QueryError> {
    model
        .object(name)
        .ok_or_else(|| QueryError::bad(format!("Object \"{name}\" does not exist")))
}

impl Shape {
    fn object_name(&self) -> &str {
        match self {
            Shape::Connection(c) => &c.object,
            Shape::Records { object, .. } => object,
        }
    }

    /// Turns a database error into a [`QueryError`] that names the field at fault.
    fn explain(&self, model: &WorkspaceModel, e: crate::RunError) -> QueryError {
        if matches!(e, crate::RunError::ForeignKeyViolation { .. }) {
            return QueryError::bad_with(
                "INVALID_ARGS_DATA",
                "A related record does not exist: check the ids of the relations you set",
            );
        }
        let crate::RunError::UniqueViolation { constraint } = &e else {
            return e.into();
        };
        let Some(object) = model.object(self.object_name()) else {
            return e.into();
        };
        let field = object
            .fields
            .iter()
            .find_map(|f| {
                f.columns()
                    .iter()
                    .find(|c| {
                        constraint.ends_with(&c.name)
                            || constraint.ends_with(&format!("{}\"", c.name))
                    })
                    .map(|c| match f.sub_field_of_column(&c.name) {
                        Some(sub) => format!("{}.{sub}", f.name()),
                        None => f.name().to_owned(),
                    })
            })
            .or_else(|| constraint.ends_with("pkey").then(|| "id".to_owned()));
        match field {
            Some(field) => QueryError::Conflict {
                message: format!(
                    "A duplicate entry was detected: another {} already has this value of \"{field}\"",
                    object.singular()
                ),
            },
            None => e.into(),
        }
    }
}
