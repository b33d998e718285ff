//! The standard objects.

use serde_json::json;

use crate::{FieldMetadata, FieldType, ObjectMetadata, OnDelete};

use super::builder::{ObjectBuilder, RelationSpec, add_relation, field, options, text};

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
