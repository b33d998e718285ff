//! The standard objects every workspace starts with, with Twenty's names, fields and types
//! (`shared/reference/twenty-core-api.md` §8, §13), plus helpers to define objects and
//! relations in code (used by the standard set, the demo's custom fields and test fixtures).

use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    FieldMetadata, FieldOption, FieldType, ObjectMetadata, OnDelete, RelationSettings, RelationType,
};

/// A new field with Twenty's usual defaults: nullable, active, not system, not custom.
pub fn field(name: &str, label: &str, field_type: FieldType) -> FieldMetadata {
    FieldMetadata {
        id: Uuid::new_v4(),
        object_metadata_id: Uuid::nil(),
        name: name.to_owned(),
        label: label.to_owned(),
        field_type,
        description: None,
        icon: None,
        is_nullable: true,
        is_unique: false,
        is_system: false,
        is_custom: false,
        is_active: true,
        default_value: None,
        options: None,
        settings: None,
        relation_target_object_metadata_id: None,
        relation_target_field_metadata_id: None,
    }
}

/// Options for a SELECT / MULTI_SELECT field from `(value, label, color)` triples, positioned in order.
pub fn options(values: &[(&str, &str, &str)]) -> Vec<FieldOption> {
    values
        .iter()
        .enumerate()
        .map(|(i, (value, label, color))| FieldOption {
            id: Uuid::new_v4(),
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            color: Some((*color).to_owned()),
        })
        .collect()
}

/// Builds an object with the system fields every object has: `id`, `createdAt`, `updatedAt`,
/// `deletedAt`, `position`, `createdBy`, `updatedBy`.
#[derive(Debug, Clone)]
pub struct ObjectBuilder {
    object: ObjectMetadata,
}

impl ObjectBuilder {
    /// Starts a standard object (`isCustom = false`).
    pub fn new(singular: &str, plural: &str, label_singular: &str, label_plural: &str) -> Self {
        let mut object = ObjectMetadata {
            id: Uuid::new_v4(),
            name_singular: singular.to_owned(),
            name_plural: plural.to_owned(),
            label_singular: label_singular.to_owned(),
            label_plural: label_plural.to_owned(),
            description: None,
            icon: None,
            is_custom: false,
            is_system: false,
            is_active: true,
            label_identifier_field_metadata_id: None,
            fields: Vec::new(),
        };
        let system = |mut f: FieldMetadata| {
            f.is_system = true;
            f
        };
        object.fields = vec![
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!("uuid")),
                ..field("id", "Id", FieldType::Uuid)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!("now")),
                ..field("createdAt", "Creation date", FieldType::DateTime)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!("now")),
                ..field("updatedAt", "Last update", FieldType::DateTime)
            }),
            system(field("deletedAt", "Deleted at", FieldType::DateTime)),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!(0)),
                ..field("position", "Position", FieldType::Position)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!({"source": "'MANUAL'", "name": "'System'"})),
                ..field("createdBy", "Created by", FieldType::Actor)
            }),
            system(FieldMetadata {
                is_nullable: false,
                default_value: Some(json!({"source": "'MANUAL'", "name": "'System'"})),
                ..field("updatedBy", "Updated by", FieldType::Actor)
            }),
        ];
        Self { object }
    }

    /// Marks the object custom (`_` table prefix) or system.
    pub fn flags(mut self, is_custom: bool, is_system: bool) -> Self {
        self.object.is_custom = is_custom;
        self.object.is_system = is_system;
        self
    }

    /// Adds a field.
    pub fn with(mut self, f: FieldMetadata) -> Self {
        self.object.fields.push(f);
        self
    }

    /// Adds a field and makes it the label identifier (the record's display name).
    pub fn label_identifier(mut self, f: FieldMetadata) -> Self {
        self.object.label_identifier_field_metadata_id = Some(f.id);
        self.with(f)
    }

    /// Finishes: stamps `objectMetadataId` (and `isCustom`) on every field.
    pub fn build(mut self) -> ObjectMetadata {
        let id = self.object.id;
        let custom = self.object.is_custom;
        for f in &mut self.object.fields {
            f.object_metadata_id = id;
            if custom && !f.is_system {
                f.is_custom = true;
            }
        }
        self.object
    }
}

/// One relation between two objects, as both of its fields.
#[derive(Debug, Clone)]
pub struct RelationSpec<'a> {
    /// The object that owns the join column (many-to-one side).
    pub from: &'a str,
    /// The many-to-one field name, e.g. `company` (join column `companyId`).
    pub field: &'a str,
    /// Its label.
    pub label: &'a str,
    /// The target object.
    pub to: &'a str,
    /// The one-to-many field on the target, e.g. `people`.
    pub inverse: &'a str,
    /// Its label.
    pub inverse_label: &'a str,
    /// FK action.
    pub on_delete: OnDelete,
}

/// Adds both fields of a relation to `objects`. Returns `false` (and changes nothing) when
/// either object is missing or a field name is taken.
pub fn add_relation(objects: &mut [ObjectMetadata], spec: &RelationSpec<'_>) -> bool {
    let Some(from_idx) = objects.iter().position(|o| o.name_singular == spec.from) else {
        return false;
    };
    let Some(to_idx) = objects.iter().position(|o| o.name_singular == spec.to) else {
        return false;
    };
    let taken = |o: &ObjectMetadata, n: &str| o.fields.iter().any(|f| f.name == n);
    let join = format!("{}Id", spec.field);
    if taken(&objects[from_idx], spec.field)
        || taken(&objects[from_idx], &join)
        || taken(&objects[to_idx], spec.inverse)
    {
        return false;
    }
    let (from_id, to_id) = (objects[from_idx].id, objects[to_idx].id);
    let custom_from = objects[from_idx].is_custom;
    let custom_to = objects[to_idx].is_custom;
    let mut m2o = field(spec.field, spec.label, FieldType::Relation);
    let mut o2m = field(spec.inverse, spec.inverse_label, FieldType::Relation);
    m2o.object_metadata_id = from_id;
    m2o.is_custom = custom_from;
    m2o.relation_target_object_metadata_id = Some(to_id);
    m2o.relation_target_field_metadata_id = Some(o2m.id);
    m2o.settings = Some(settings(
        RelationType::ManyToOne,
        Some(spec.on_delete),
        Some(join),
    ));
    o2m.object_metadata_id = to_id;
    o2m.is_custom = custom_to;
    o2m.relation_target_object_metadata_id = Some(from_id);
    o2m.relation_target_field_metadata_id = Some(m2o.id);
    o2m.settings = Some(settings(RelationType::OneToMany, None, None));
    objects[from_idx].fields.push(m2o);
    objects[to_idx].fields.push(o2m);
    true
}

fn settings(
    relation_type: RelationType,
    on_delete: Option<OnDelete>,
    join: Option<String>,
) -> Value {
    serde_json::to_value(RelationSettings {
        relation_type,
        on_delete,
        join_column_name: join,
    })
    .unwrap_or(Value::Null)
}

fn text(name: &str, label: &str) -> FieldMetadata {
    field(name, label, FieldType::Text)
}

/// The standard objects of a new workspace: company, person, opportunity, note, noteTarget,
/// task, taskTarget, attachment, workspaceMember, favorite, timelineActivity, with fresh ids.
pub fn standard_objects() -> Vec<ObjectMetadata> {
    use FieldType as T;
    let company = ObjectBuilder::new("company", "companies", "Company", "Companies")
        .label_identifier(text("name", "Name"))
        .with(FieldMetadata {
            is_unique: true,
            ..field("domainName", "Domain Name", T::Links)
        })
        .with(FieldMetadata {
            settings: Some(json!({"dataType": "int"})),
            ..field("employees", "Employees", T::Number)
        })
        .with(field("linkedinLink", "Linkedin", T::Links))
        .with(field("xLink", "X", T::Links))
        .with(field("annualRecurringRevenue", "ARR", T::Currency))
        .with(field("address", "Address", T::Address))
        .with(FieldMetadata {
            is_nullable: false,
            default_value: Some(json!(false)),
            ..field("idealCustomerProfile", "ICP", T::Boolean)
        })
        .build();
    let person = ObjectBuilder::new("person", "people", "Person", "People")
        .label_identifier(field("name", "Name", T::FullName))
        .with(FieldMetadata {
            is_unique: true,
            ..field("emails", "Emails", T::Emails)
        })
        .with(field("linkedinLink", "Linkedin", T::Links))
        .with(field("xLink", "X", T::Links))
        .with(text("jobTitle", "Job Title"))
        .with(field("phones", "Phones", T::Phones))
        .with(text("city", "City"))
        .with(FieldMetadata {
            is_system: true,
            ..text("avatarUrl", "Avatar")
        })
        .build();
    let opportunity = ObjectBuilder::new(
        "opportunity",
        "opportunities",
        "Opportunity",
        "Opportunities",
    )
    .label_identifier(text("name", "Name"))
    .with(field("amount", "Amount", T::Currency))
    .with(field("closeDate", "Close date", T::DateTime))
    .with(FieldMetadata {
        is_nullable: false,
        default_value: Some(json!("'NEW'")),
        options: Some(options(&[
            ("NEW", "New", "red"),
            ("SCREENING", "Screening", "purple"),
            ("MEETING", "Meeting", "sky"),
            ("PROPOSAL", "Proposal", "turquoise"),
            ("CUSTOMER", "Customer", "yellow"),
        ])),
        ..field("stage", "Stage", T::Select)
    })
    .build();
    let note = ObjectBuilder::new("note", "notes", "Note", "Notes")
        .label_identifier(text("title", "Title"))
        .with(field("bodyV2", "Body", T::RichText))
        .build();
    let note_target =
        ObjectBuilder::new("noteTarget", "noteTargets", "Note Target", "Note Targets")
            .flags(false, true)
            .build();
    let task = ObjectBuilder::new("task", "tasks", "Task", "Tasks")
        .label_identifier(text("title", "Title"))
        .with(field("bodyV2", "Body", T::RichText))
        .with(field("dueAt", "Due Date", T::DateTime))
        .with(FieldMetadata {
            default_value: Some(json!("'TODO'")),
            options: Some(options(&[
                ("TODO", "To do", "sky"),
                ("IN_PROGRESS", "In progress", "purple"),
                ("DONE", "Done", "green"),
            ])),
            ..field("status", "Status", T::Select)
        })
        .build();
    let task_target =
        ObjectBuilder::new("taskTarget", "taskTargets", "Task Target", "Task Targets")
            .flags(false, true)
            .build();
    let attachment = ObjectBuilder::new("attachment", "attachments", "Attachment", "Attachments")
        .flags(false, true)
        .label_identifier(text("name", "Name"))
        .with(text("fullPath", "Full path"))
        .with(FieldMetadata {
            options: Some(options(&[
                ("ARCHIVE", "Archive", "gray"),
                ("AUDIO", "Audio", "pink"),
                ("IMAGE", "Image", "yellow"),
                ("PRESENTATION", "Presentation", "orange"),
                ("SPREADSHEET", "Spreadsheet", "turquoise"),
                ("TEXT_DOCUMENT", "Text Document", "blue"),
                ("VIDEO", "Video", "purple"),
                ("OTHER", "Other", "gray"),
            ])),
            ..field("fileCategory", "File category", T::Select)
        })
        .build();
    let workspace_member = ObjectBuilder::new(
        "workspaceMember",
        "workspaceMembers",
        "Workspace Member",
        "Workspace Members",
    )
    .flags(false, true)
    .label_identifier(field("name", "Name", T::FullName))
    .with(text("userEmail", "User Email"))
    .with(field("userId", "User Id", T::Uuid))
    .with(text("avatarUrl", "Avatar Url"))
    .with(text("colorScheme", "Color Scheme"))
    .with(text("locale", "Language"))
    .with(text("timeZone", "Time zone"))
    .with(FieldMetadata {
        options: Some(options(&[
            ("SYSTEM", "System", "turquoise"),
            ("MONTH_FIRST", "Month First", "red"),
            ("DAY_FIRST", "Day First", "purple"),
            ("YEAR_FIRST", "Year First", "sky"),
        ])),
        ..field("dateFormat", "Date format", T::Select)
    })
    .with(FieldMetadata {
        options: Some(options(&[
            ("SYSTEM", "System", "sky"),
            ("HOUR_24", "24h", "red"),
            ("HOUR_12", "12h", "purple"),
        ])),
        ..field("timeFormat", "Time format", T::Select)
    })
    .with(FieldMetadata {
        settings: Some(json!({"dataType": "int"})),
        ..field("calendarStartDay", "Start of the week", T::Number)
    })
    .build();
    let favorite = ObjectBuilder::new("favorite", "favorites", "Favorite", "Favorites")
        .flags(false, true)
        .with(field("viewId", "View", T::Uuid))
        .build();
    let timeline_activity = ObjectBuilder::new(
        "timelineActivity",
        "timelineActivities",
        "Timeline Activity",
        "Timeline Activities",
    )
    .flags(false, true)
    .with(FieldMetadata {
        is_nullable: false,
        default_value: Some(json!("now")),
        ..field("happensAt", "Creation date", T::DateTime)
    })
    .label_identifier(text("name", "Event name"))
    .with(field("properties", "Event details", T::RawJson))
    .with(text("linkedRecordCachedName", "Linked Record cached name"))
    .with(field("linkedRecordId", "Linked Record id", T::Uuid))
    .with(field(
        "linkedObjectMetadataId",
        "Linked Object Metadata Id",
        T::Uuid,
    ))
    .build();

    let mut objects = vec![
        company,
        person,
        opportunity,
        note,
        note_target,
        task,
        task_target,
        attachment,
        workspace_member,
        favorite,
        timeline_activity,
    ];
    use OnDelete::{Cascade, SetNull};
    let rel = |from, field, label, to, inverse, inverse_label, on_delete| RelationSpec {
        from,
        field,
        label,
        to,
        inverse,
        inverse_label,
        on_delete,
    };
    let specs = [
        rel(
            "person", "company", "Company", "company", "people", "People", SetNull,
        ),
        rel(
            "company",
            "accountOwner",
            "Account Owner",
            "workspaceMember",
            "accountOwnerForCompanies",
            "Account Owner For Companies",
            SetNull,
        ),
        rel(
            "opportunity",
            "pointOfContact",
            "Point of Contact",
            "person",
            "pointOfContactForOpportunities",
            "Linked Opportunities",
            SetNull,
        ),
        rel(
            "opportunity",
            "company",
            "Company",
            "company",
            "opportunities",
            "Opportunities",
            SetNull,
        ),
        rel(
            "noteTarget",
            "note",
            "Note",
            "note",
            "noteTargets",
            "Relations",
            Cascade,
        ),
        rel(
            "noteTarget",
            "person",
            "Person",
            "person",
            "noteTargets",
            "Notes",
            Cascade,
        ),
        rel(
            "noteTarget",
            "company",
            "Company",
            "company",
            "noteTargets",
            "Notes",
            Cascade,
        ),
        rel(
            "noteTarget",
            "opportunity",
            "Opportunity",
            "opportunity",
            "noteTargets",
            "Notes",
            Cascade,
        ),
        rel(
            "taskTarget",
            "task",
            "Task",
            "task",
            "taskTargets",
            "Relations",
            Cascade,
        ),
        rel(
            "taskTarget",
            "person",
            "Person",
            "person",
            "taskTargets",
            "Tasks",
            Cascade,
        ),
        rel(
            "taskTarget",
            "company",
            "Company",
            "company",
            "taskTargets",
            "Tasks",
            Cascade,
        ),
        rel(
            "taskTarget",
            "opportunity",
            "Opportunity",
            "opportunity",
            "taskTargets",
            "Tasks",
            Cascade,
        ),
        rel(
            "task",
            "assignee",
            "Assignee",
            "workspaceMember",
            "assignedTasks",
            "Assigned tasks",
            SetNull,
        ),
        rel(
            "attachment",
            "author",
            "Author",
            "workspaceMember",
            "authoredAttachments",
            "Authored attachments",
            SetNull,
        ),
        rel(
            "attachment",
            "task",
            "Task",
            "task",
            "attachments",
            "Attachments",
            Cascade,
        ),
        rel(
            "attachment",
            "note",
            "Note",
            "note",
            "attachments",
            "Attachments",
            Cascade,
        ),
        rel(
            "attachment",
            "person",
            "Person",
            "person",
            "attachments",
            "Attachments",
            Cascade,
        ),
        rel(
            "attachment",
            "company",
            "Company",
            "company",
            "attachments",
            "Attachments",
            Cascade,
        ),
        rel(
            "attachment",
            "opportunity",
            "Opportunity",
            "opportunity",
            "attachments",
            "Attachments",
            Cascade,
        ),
        rel(
            "favorite",
            "forWorkspaceMember",
            "Workspace Member",
            "workspaceMember",
            "favorites",
            "Favorites",
            Cascade,
        ),
        rel(
            "favorite",
            "person",
            "Person",
            "person",
            "favorites",
            "Favorites",
            Cascade,
        ),
        rel(
            "favorite",
            "company",
            "Company",
            "company",
            "favorites",
            "Favorites",
            Cascade,
        ),
        rel(
            "favorite",
            "opportunity",
            "Opportunity",
            "opportunity",
            "favorites",
            "Favorites",
            Cascade,
        ),
        rel(
            "favorite",
            "task",
            "Task",
            "task",
            "favorites",
            "Favorites",
            Cascade,
        ),
        rel(
            "favorite",
            "note",
            "Note",
            "note",
            "favorites",
            "Favorites",
            Cascade,
        ),
        rel(
            "timelineActivity",
            "workspaceMember",
            "Workspace Member",
            "workspaceMember",
            "timelineActivities",
            "Events",
            Cascade,
        ),
        rel(
            "timelineActivity",
            "targetPerson",
            "Person",
            "person",
            "timelineActivities",
            "Events",
            Cascade,
        ),
        rel(
            "timelineActivity",
            "targetCompany",
            "Company",
            "company",
            "timelineActivities",
            "Events",
            Cascade,
        ),
        rel(
            "timelineActivity",
            "targetOpportunity",
            "Opportunity",
            "opportunity",
            "timelineActivities",
            "Events",
            Cascade,
        ),
        rel(
            "timelineActivity",
            "targetNote",
            "Note",
            "note",
            "timelineActivities",
            "Events",
            Cascade,
        ),
        rel(
            "timelineActivity",
            "targetTask",
            "Task",
            "task",
            "timelineActivities",
            "Events",
            Cascade,
        ),
    ];
    for spec in &specs {
        let added = add_relation(&mut objects, spec);
        debug_assert!(
            added,
            "standard relation {}.{} is valid",
            spec.from, spec.field
        );
    }
    objects
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
                    options: Some(options(&[
                        ("ON_SITE", "On-Site", "green"),
                        ("HYBRID", "Hybrid", "blue"),
                        ("REMOTE_WORK", "Remote Work", "orange"),
                    ])),
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
                    options: Some(options(&[
                        ("ON_SITE", "On-Site", "green"),
                        ("HYBRID", "Hybrid", "blue"),
                        ("REMOTE_WORK", "Remote Work", "orange"),
                    ])),
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
