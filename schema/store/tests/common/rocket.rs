//! The `rocket` fixture: a custom object with a field of every non-relation type, and a
//! record for it in GraphQL input shape.

use serde_json::{Value, json};
use tessera_core::WorkspaceId;
use tessera_metadata::{CreateFieldInput, FieldType};
use tessera_store::Store;
use uuid::Uuid;

use super::meta::{field_input, object_input, option_inputs};

/// Every non-relation type with a field name, as created on `rocket`.
pub fn every_type(object: Uuid) -> Vec<CreateFieldInput> {
    use FieldType as T;
    let mut fields: Vec<CreateFieldInput> = [
        ("codename", T::Text),
        ("thrust", T::Number),
        ("cost", T::Numeric),
        ("reusable", T::Boolean),
        ("serial", T::Uuid),
        ("launchDate", T::Date),
        ("launchedAt", T::DateTime),
        ("status", T::Select),
        ("tags", T::MultiSelect),
        ("score", T::Rating),
        ("payload", T::RawJson),
        ("notes", T::Array),
        ("manual", T::RichText),
        ("pilot", T::FullName),
        ("contact", T::Emails),
        ("hotline", T::Phones),
        ("website", T::Links),
        ("price", T::Currency),
        ("base", T::Address),
    ]
    .into_iter()
    .map(|(name, t)| field_input(object, name, t))
    .collect();
    for f in &mut fields {
        match f.name.as_str() {
            "status" => f.options = Some(option_inputs(&["PLANNED", "FLYING", "LANDED"])),
            "tags" => f.options = Some(option_inputs(&["RED", "GREEN", "BLUE"])),
            _ => {}
        }
    }
    fields
}

pub fn rocket_record() -> Value {
    json!({
        "name": "Falcon",
        "codename": "F9",
        "thrust": 7607.5,
        "cost": 62000000.5,
        "reusable": true,
        "serial": "8f1e4f0c-2b1a-4c53-9d2e-1b2c3d4e5f60",
        "launchDate": "2026-03-01",
        "launchedAt": "2026-03-01T10:00:00.000Z",
        "status": "FLYING",
        "tags": ["RED", "BLUE"],
        "score": "RATING_4",
        "payload": {"kg": 22800, "crew": ["a", "b"]},
        "notes": ["first", "second"],
        "manual": {"blocknote": "[]", "markdown": "# Manual"},
        "pilot": {"firstName": "Ada", "lastName": "Lovelace"},
        "contact": {"primaryEmail": "ada@rockets.test", "additionalEmails": ["x@rockets.test"]},
        "hotline": {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR",
                    "primaryPhoneCallingCode": "+33", "additionalPhones": []},
        "website": {"primaryLinkUrl": "https://rockets.test", "primaryLinkLabel": "Rockets",
                    "secondaryLinks": []},
        "price": {"amountMicros": 1500000, "currencyCode": "EUR"},
        "base": {"addressCity": "Kourou", "addressCountry": "French Guiana", "addressLat": 5.16}
    })
}

/// Creates `rocket` with a field of every non-relation type; returns its id.
pub async fn rocket(store: &Store, ws: WorkspaceId) -> Uuid {
    let object = store
        .create_object(ws, object_input("rocket", "rockets"))
        .await
        .expect("create rocket");
    for input in every_type(object.id) {
        let name = input.name.clone();
        store
            .create_field(ws, input)
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
    }
    object.id
}
