//! The standard objects every workspace starts with, with Twenty's names, fields and types
//! (`shared/reference/twenty-core-api.md` §8, §13), helpers to define objects and relations in
//! code, and fixtures (the demo's custom fields, the all-field-types test object).

mod builder;
mod fixtures;
mod objects;

pub use builder::{ObjectBuilder, RelationSpec, add_relation, field, options};
pub use fixtures::{add_demo_custom_fields, add_test_fixture_objects};
pub use objects::standard_objects;
