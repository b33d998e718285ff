//! Options of SELECT, MULTI_SELECT and RATING fields.

use std::collections::HashSet;

use uuid::Uuid;

use crate::inputs::FieldOptionInput;
use crate::model::RATING_VALUES;
use crate::{FieldOption, FieldType};

use super::{MAX_NAME_LENGTH, ValidationError};

/// The options of a new RATING field without options: `RATING_1` … `RATING_5`, labelled
/// `1` … `5` (Twenty's `RATING_VALUES`).
pub fn default_rating_options() -> Vec<FieldOption> {
    RATING_VALUES
        .iter()
        .zip(0..)
        .map(|(value, position)| FieldOption {
            id: Uuid::new_v4(),
            value: (*value).to_owned(),
            label: (position + 1).to_string(),
            position,
            color: None,
        })
        .collect()
}

/// Options from client input. An option without `id` takes the id of the `existing` option
/// with the same value (so re-sending an unchanged list keeps identities), else a new id;
/// an option without `position` takes its index in the list.
pub fn build_options(inputs: &[FieldOptionInput], existing: &[FieldOption]) -> Vec<FieldOption> {
    inputs
        .iter()
        .zip(0..)
        .map(|(input, index)| FieldOption {
            id: input
                .id
                .or_else(|| {
                    existing
                        .iter()
                        .find(|o| o.value == input.value)
                        .map(|o| o.id)
                })
                .unwrap_or_else(Uuid::new_v4),
            value: input.value.clone(),
            label: input.label.clone(),
            position: input.position.unwrap_or(index),
            color: input.color.clone(),
        })
        .collect()
}

/// Whether a field type takes options.
pub(crate) fn has_options(field_type: FieldType) -> bool {
    matches!(
        field_type,
        FieldType::Select | FieldType::MultiSelect | FieldType::Rating
    )
}

/// Checks the options of field `field` of type `field_type`: only SELECT, MULTI_SELECT and
/// RATING take options; there is at least one; values match `^[_A-Za-z][_0-9A-Za-z]*$`, are
/// at most 63 characters and unique; ids are unique; labels are not empty.
pub fn validate_options(
    field: &str,
    field_type: FieldType,
    options: Option<&[FieldOption]>,
) -> Result<(), ValidationError> {
    let invalid = |reason: String| ValidationError::InvalidOptions {
        field: field.to_owned(),
        reason,
    };
    let Some(options) = options else {
        return match field_type {
            FieldType::Select | FieldType::MultiSelect => {
                Err(invalid("at least one option is required".to_owned()))
            }
            _ => Ok(()),
        };
    };
    if !has_options(field_type) {
        return Err(invalid(
            "only SELECT, MULTI_SELECT and RATING fields have options".to_owned(),
        ));
    }
    if options.is_empty() {
        return Err(invalid("at least one option is required".to_owned()));
    }
    let mut values = HashSet::new();
    let mut ids = HashSet::new();
    for option in options {
        let value = option.value.as_str();
        let mut chars = value.chars();
        let well_formed = chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !well_formed {
            return Err(invalid(format!(
                "value \"{value}\" must match ^[_A-Za-z][_0-9A-Za-z]*$"
            )));
        }
        if value.len() > MAX_NAME_LENGTH {
            return Err(invalid(format!("value \"{value}\" exceeds 63 characters")));
        }
        if !values.insert(value) {
            return Err(invalid(format!("value \"{value}\" is used twice")));
        }
        if !ids.insert(option.id) {
            return Err(invalid(format!("id {} is used twice", option.id)));
        }
        if option.label.trim().is_empty() {
            return Err(invalid(format!("option \"{value}\" has an empty label")));
        }
    }
    Ok(())
}
