//! Tests of the permission model.

use super::*;

fn key(id: Uuid, is_system: bool, name: &str) -> ObjectKey<'_> {
    ObjectKey {
        id,
        is_system,
        name_singular: name,
    }
}

#[test]
fn overrides_win_over_role_defaults() {
    let person = Uuid::new_v4();
    let company = Uuid::new_v4();
    let mut p = Permissions {
        all_objects: ObjectAccess {
            can_read: true,
            ..ObjectAccess::default()
        },
        ..Permissions::default()
    };
    p.objects.insert(
        person,
        ObjectOverride {
            can_read: Some(false),
            can_update: Some(true),
            ..ObjectOverride::default()
        },
    );
    let a = p.object(key(person, false, "person"));
    assert!(!a.can_read && a.can_update && !a.can_soft_delete && !a.can_destroy);
    let b = p.object(key(company, false, "company"));
    assert!(b.can_read && !b.can_update);
    assert_eq!(p.object(key(person, true, "person")), ObjectAccess::ALL);
    assert_eq!(
        p.object(key(Uuid::new_v4(), false, "workflow")),
        ObjectAccess::default()
    );
    p.flags.insert(PermissionFlag::Workflows);
    assert_eq!(
        p.object(key(Uuid::new_v4(), false, "workflowRun")),
        ObjectAccess::ALL
    );
}

#[test]
fn flags_follow_settings_and_tools() {
    let mut p = Permissions::none();
    assert!(!p.has_flag(PermissionFlag::DataModel));
    p.flags.insert(PermissionFlag::DataModel);
    assert!(p.has_flag(PermissionFlag::DataModel));
    assert!(!p.has_flag(PermissionFlag::Roles));
    p.can_update_all_settings = true;
    assert!(p.has_flag(PermissionFlag::Roles));
    assert!(!p.has_flag(PermissionFlag::ExportCsv));
    p.can_access_all_tools = true;
    assert!(p.has_flag(PermissionFlag::ExportCsv));
    assert!(Permissions::all().has_flag(PermissionFlag::Billing));
    for f in PermissionFlag::ALL {
        assert_eq!(PermissionFlag::parse(f.as_str()), Some(f));
    }
    assert_eq!(PermissionFlag::parse("NOPE"), None);
}

#[test]
fn a_role_is_within_a_caller_only_when_it_grants_nothing_more() {
    let person = Uuid::new_v4();
    let city = Uuid::new_v4();
    let objects = [key(person, false, "person")];
    let mut caller = Permissions {
        all_objects: ObjectAccess {
            can_read: true,
            can_update: true,
            ..ObjectAccess::default()
        },
        ..Permissions::default()
    };
    caller.flags.insert(PermissionFlag::ApiKeysAndWebhooks);
    let same = caller.clone();
    assert!(same.is_within(&caller, objects, [city]));
    let admin = Permissions {
        bypass: false,
        ..Permissions::all()
    };
    assert!(!admin.is_within(&caller, objects, [city]));
    assert!(admin.is_within(&Permissions::all(), objects, [city]));
    let mut weaker = Permissions::none();
    weaker.all_objects.can_read = true;
    assert!(weaker.is_within(&caller, objects, [city]));
    let mut flagged = weaker.clone();
    flagged.flags.insert(PermissionFlag::Roles);
    assert!(!flagged.is_within(&caller, objects, [city]));
    // The caller cannot see person.city: a role that can is stronger.
    caller.fields.insert(
        city,
        FieldOverride {
            can_read: Some(false),
            can_update: Some(false),
        },
    );
    assert!(!weaker.is_within(&caller, objects, [city]));
    // The caller cannot destroy person (override): a role that can is stronger.
    let mut destroyer = same.clone();
    destroyer.fields = caller.fields.clone();
    destroyer.objects.insert(
        person,
        ObjectOverride {
            can_destroy: Some(true),
            ..ObjectOverride::default()
        },
    );
    assert!(!destroyer.is_within(&caller, objects, [city]));
}

#[test]
fn fields_restrict_only_on_explicit_false() {
    let f = Uuid::new_v4();
    let mut p = Permissions::none();
    assert!(p.can_read_field(f) && p.can_update_field(f));
    p.fields.insert(
        f,
        FieldOverride {
            can_read: Some(false),
            can_update: None,
        },
    );
    assert!(!p.can_read_field(f) && p.can_update_field(f));
    assert!(Permissions::all().can_read_field(f));
}
