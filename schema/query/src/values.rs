//! Input values (placeholder).
use tessera_metadata::ObjectModel;

use crate::{QueryError, RecordInput};

/// Create or update.
pub(crate) enum WriteKind {
    Create,
}

pub(crate) fn record_columns(
    _object: &ObjectModel,
    _record: &RecordInput,
    _kind: WriteKind,
) -> Result<(), QueryError> {
    Ok(())
}
