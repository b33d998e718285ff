use serde_json::json;
use tessera_core::WorkspaceId;
use tessera_metadata::WorkspaceModel;

use super::*;
use crate::demo::demo_objects;

fn model() -> WorkspaceModel {
    WorkspaceModel::build(WorkspaceId::new_random(), 1, &demo_objects()).expect("model")
}

fn headers(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn headers_map_by_name_label_column_and_path() {
    let model = model();
    let person = model.object("person").expect("person");
    let mappings = map_headers(
        person,
        &headers(&[
            "city",
            "Job Title",
            "nameFirstName",
            "name.lastName",
            "emails.primaryEmail",
            "companyId",
            "workPreference",
        ]),
    )
    .expect("valid headers");
    let targets: Vec<_> = mappings.iter().map(|m| m.target.clone()).collect();
    assert_eq!(
        targets,
        vec![
            ColumnTarget::Field {
                field: "city".into()
            },
            ColumnTarget::Field {
                field: "jobTitle".into()
            },
            ColumnTarget::SubField {
                field: "name".into(),
                sub_field: "firstName".into()
            },
            ColumnTarget::SubField {
                field: "name".into(),
                sub_field: "lastName".into()
            },
            ColumnTarget::SubField {
                field: "emails".into(),
                sub_field: "primaryEmail".into()
            },
            ColumnTarget::JoinColumn {
                column: "companyId".into()
            },
            ColumnTarget::Field {
                field: "workPreference".into()
            },
        ]
    );
    assert_eq!(
        map_headers(person, &headers(&["company"])).expect("relation by field name")[0].target,
        ColumnTarget::JoinColumn {
            column: "companyId".into()
        }
    );
}

#[test]
fn bad_headers_are_all_reported() {
    let model = model();
    let person = model.object("person").expect("person");
    let errors = map_headers(
        person,
        &headers(&[
            "shoeSize",
            "name",
            "city",
            "City",
            "noteTargets",
            "name.middle",
        ]),
    )
    .expect_err("bad headers");
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(errors[0].contains("\"shoeSize\""));
    assert!(errors[1].contains("name.firstName"), "{}", errors[1]);
    assert!(errors[2].contains("same field"), "{}", errors[2]);
    assert!(errors[3].contains("one-to-many"), "{}", errors[3]);
    assert!(errors[4].contains("middle"), "{}", errors[4]);
}

#[test]
fn rows_become_graphql_shaped_records() {
    let model = model();
    let csv = "name.firstName,nameLastName,city,emailsAdditionalEmails,workPreference,companyId\n\
               Ada,Lovelace,London,\"[\"\"a@b.c\"\"]\",ON_SITE;REMOTE_WORK,20202020-a305-41e7-8c72-ba44072a4c58\n\
               Alan,,,,,\n";
    let records = read_records(&model, "person", csv.as_bytes()).expect("valid rows");
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].0, 2);
    assert_eq!(
        records[0].1.0,
        json!({
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "city": "London",
            "emails": {"additionalEmails": ["a@b.c"]},
            "workPreference": ["ON_SITE", "REMOTE_WORK"],
            "companyId": "20202020-a305-41e7-8c72-ba44072a4c58"
        })
        .as_object()
        .cloned()
        .expect("object")
    );
    assert_eq!(
        records[1].1.0,
        json!({"name": {"firstName": "Alan"}})
            .as_object()
            .cloned()
            .expect("object")
    );
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let model = model();
    let csv = "name,visaSponsorship,employees\nAcme,yes,12\nBad,maybe,12\nWorse,no,1.5\n\"multi\nline\",1,x\nshort\n";
    let err = read_records(&model, "company", csv.as_bytes()).expect_err("bad rows");
    let ImportError::InvalidRows(rows) = err else {
        panic!("expected invalid rows, got {err:?}");
    };
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 7], "{rows:?}");
    assert!(rows[0].message.contains("visaSponsorship") && rows[0].message.contains("maybe"));
    assert!(rows[1].message.contains("whole number"));
    assert!(rows[3].message.contains("expected 3 cells"));
    let text = ImportError::InvalidRows(rows).to_string();
    assert!(
        text.starts_with("4 invalid row(s), nothing was imported"),
        "{text}"
    );
}

#[test]
fn unknown_object_and_headers() {
    let model = model();
    assert!(matches!(
        read_records(&model, "spaceship", "a\n1\n".as_bytes()),
        Err(ImportError::UnknownObject(_))
    ));
    assert!(
        matches!(read_records(&model, "person", "\u{feff}city,nope\nx,y\n".as_bytes()), Err(ImportError::Headers(h)) if h.len() == 1)
    );
}
