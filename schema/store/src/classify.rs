//! Classification of database errors into [`RunError`], so the API can answer with the right
//! code: unique / foreign-key / not-null violations and invalid values are user errors,
//! anything else is internal.

use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr};
use tessera_query::RunError;

/// Classifies a database error. PostgreSQL by SQLSTATE (23505 unique, 23503 foreign key,
/// 23502 not null, class 22 invalid value, 23514 check); SQLite by its message
/// (`UNIQUE constraint failed: t.col`, `FOREIGN KEY constraint failed`,
/// `NOT NULL constraint failed: t.col`, `datatype mismatch`).
///
/// Unique violations name `table.column` on both databases when known (PostgreSQL: from the
/// error's table and detail; otherwise the constraint name).
pub(crate) fn classify(err: &DbErr) -> RunError {
    if let DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) = err
        && let sqlx::Error::Database(db) = e.as_ref()
    {
        if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            return classify_pg(pg);
        }
        return classify_sqlite(db.message());
    }
    RunError::Other(err.to_string())
}

fn classify_pg(e: &sqlx::postgres::PgDatabaseError) -> RunError {
    let code = e.code();
    match code {
        "23505" => {
            let column = e.detail().and_then(detail_columns);
            let constraint = match (e.table(), column) {
                (Some(table), Some(column)) => format!("{table}.{column}"),
                _ => e.constraint().unwrap_or(e.message()).to_owned(),
            };
            RunError::UniqueViolation { constraint }
        }
        "23503" => RunError::ForeignKeyViolation {
            constraint: e.constraint().unwrap_or(e.message()).to_owned(),
        },
        "23502" => RunError::NotNullViolation {
            column: e.column().unwrap_or(e.message()).to_owned(),
        },
        "23514" => RunError::InvalidValue(e.message().to_owned()),
        _ if code.starts_with("22") => RunError::InvalidValue(e.message().to_owned()),
        _ => RunError::Other(format!("{} ({code})", e.message())),
    }
}

/// `Key ("emailsPrimaryEmail")=(a@b.c) already exists.` → `emailsPrimaryEmail`.
fn detail_columns(detail: &str) -> Option<String> {
    let rest = detail.strip_prefix("Key (")?;
    let end = rest.find(")=")?;
    Some(rest[..end].replace('"', ""))
}

fn classify_sqlite(message: &str) -> RunError {
    if let Some(target) = message.strip_prefix("UNIQUE constraint failed: ") {
        return RunError::UniqueViolation {
            constraint: target.to_owned(),
        };
    }
    if message.starts_with("FOREIGN KEY constraint failed") {
        return RunError::ForeignKeyViolation {
            constraint: message.to_owned(),
        };
    }
    if let Some(target) = message.strip_prefix("NOT NULL constraint failed: ") {
        let column = target.rsplit_once('.').map_or(target, |(_, c)| c);
        return RunError::NotNullViolation {
            column: column.to_owned(),
        };
    }
    if message.starts_with("CHECK constraint failed") || message.contains("datatype mismatch") {
        return RunError::InvalidValue(message.to_owned());
    }
    RunError::Other(message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_messages() {
        assert_eq!(
            classify_sqlite("UNIQUE constraint failed: person.emailsPrimaryEmail"),
            RunError::UniqueViolation {
                constraint: "person.emailsPrimaryEmail".into()
            }
        );
        assert_eq!(
            classify_sqlite("NOT NULL constraint failed: opportunity.stage"),
            RunError::NotNullViolation {
                column: "stage".into()
            }
        );
        assert!(matches!(
            classify_sqlite("FOREIGN KEY constraint failed"),
            RunError::ForeignKeyViolation { .. }
        ));
        assert!(matches!(
            classify_sqlite("no such table: x"),
            RunError::Other(_)
        ));
    }

    #[test]
    fn pg_detail() {
        assert_eq!(
            detail_columns("Key (\"emailsPrimaryEmail\")=(a@b.c) already exists."),
            Some("emailsPrimaryEmail".into())
        );
        assert_eq!(
            detail_columns("Key (id)=(1) already exists."),
            Some("id".into())
        );
        assert_eq!(detail_columns("nonsense"), None);
    }
}
