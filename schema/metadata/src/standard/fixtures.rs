//! Fixtures: the demo's custom fields and the all-field-types test object.

use uuid::Uuid;

use crate::{FieldMetadata, FieldType, ObjectMetadata, OnDelete};

use super::builder::{ObjectBuilder, RelationSpec, add_relation, field, options, text};

/// The options of the demo's work-place fields (`workPreference`, `workPolicy`).
fn work_options() -> Vec<crate::FieldOption> {
    options(&[
        ("ON_SITE", "On-Site", "green"),
        ("HYBRID", "Hybrid", "blue"),
        ("REMOTE_WORK", "Remote Work", "orange"),
    ])
}

/// Custom fields Twenty's demo seed adds (person `intro`, `whatsapp`, `workPreference`,
/// `performanceRating`; company `tagline`, `workPolicy`, `visaSponsorship`), so the demo
/// workspace exercises MULTI_SELECT, RATING and custom composites. Appends them to `objects`.
pub fn add_demo_custom_fields(objects: &mut [ObjectMetadata]) {
    let custom = |mut f: FieldMetadata, object_id: Uuid| {
        f.is_custom = true;
        f.object_metadata_id = object_id;
        f
    };
    if let Some(person) = objects.iter_mut().find(|o| o.name_singular == "person") {
        let id = person.id;
        person.fields.extend([
            custom(text("intro", "Intro"), id),
            custom(field("whatsapp", "Whatsapp", FieldType::Phones), id),
            custom(
                FieldMetadata {
                    options: Some(work_options()),
                    ..field("workPreference", "Work Preference", FieldType::MultiSelect)
                },
                id,
            ),
            custom(
                field("performanceRating", "Performance Rating", FieldType::Rating),
                id,
            ),
        ]);
    }
    if let Some(company) = objects.iter_mut().find(|o| o.name_singular == "company") {
        let id = company.id;
        company.fields.extend([
            custom(text("tagline", "Tagline"), id),
            custom(
                FieldMetadata {
                    options: Some(work_options()),
                    ..field("workPolicy", "Work Policy", FieldType::MultiSelect)
                },
                id,
            ),
            custom(
                field("visaSponsorship", "Visa Sponsorship", FieldType::Boolean),
                id,
            ),
        ]);
    }
}

/// Test fixture: a custom object `testObject` / `testObjects` with one field of every type
/// (named `<type>Field`, like Twenty's integration-test object) and a many-to-one relation
/// `person` (inverse `testObjects`). Appended to `objects`; used by `workspace create
/// --fixture all-field-types` and the conformance cases.
pub fn add_test_fixture_objects(objects: &mut Vec<ObjectMetadata>) {
    use FieldType as T;
    let select_options = || {
        Some(options(&[
            ("OPTION_1", "Option 1", "green"),
            ("OPTION_2", "Option 2", "blue"),
            ("OPTION_3", "Option 3", "red"),
        ]))
    };
    let object = ObjectBuilder::new("testObject", "testObjects", "Test Object", "Test Objects")
        .flags(true, false)
        .label_identifier(text("name", "Name"))
        .with(text("textField", "Text"))
        .with(field("numberField", "Number", T::Number))
        .with(field("numericField", "Numeric", T::Numeric))
        .with(field("booleanField", "Boolean", T::Boolean))
        .with(field("uuidField", "UUID", T::Uuid))
        .with(field("dateField", "Date", T::Date))
        .with(field("dateTimeField", "Date and time", T::DateTime))
        .with(FieldMetadata {
            options: select_options(),
            ..field("selectField", "Select", T::Select)
        })
        .with(FieldMetadata {
            options: select_options(),
            ..field("multiSelectField", "Multi-select", T::MultiSelect)
        })
        .with(field("ratingField", "Rating", T::Rating))
        .with(field("rawJsonField", "Raw JSON", T::RawJson))
        .with(field("arrayField", "Array", T::Array))
        .with(field("richTextField", "Rich text", T::RichText))
        .with(field("fullNameField", "Full name", T::FullName))
        .with(field("emailsField", "Emails", T::Emails))
        .with(field("phonesField", "Phones", T::Phones))
        .with(field("linksField", "Links", T::Links))
        .with(field("currencyField", "Currency", T::Currency))
        .with(field("addressField", "Address", T::Address))
        .with(field("actorField", "Actor", T::Actor))
        .build();
    objects.push(object);
    let added = add_relation(
        objects,
        &RelationSpec {
            from: "testObject",
            field: "person",
            label: "Person",
            to: "person",
            inverse: "testObjects",
            inverse_label: "Test objects",
            on_delete: OnDelete::SetNull,
        },
    );
    debug_assert!(added, "fixture relation is valid");
}
