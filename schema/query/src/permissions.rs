//! Role permissions, checked on the IR before a statement is compiled (so they hold for every
//! caller of the compiler: `/graphql`, the importer, the worker).
//!
//! Follows Twenty's permission-aware ORM (`permissions.utils.ts`
//! `validateOperationIsPermittedOrThrow`, `shared/reference/twenty-metadata-auth.md` §7.5):
//! selecting needs `canReadObjectRecords` (on every object reached, nested relations and
//! relation filters included) and read access to every field selected, filtered or ordered on;
//! create/update/upsert need `canUpdateObjectRecords` and write access to every field given;
//! soft delete and restore need `canSoftDeleteObjectRecords`; destroy needs
//! `canDestroyObjectRecords`. Every refusal is [`QueryError::Forbidden`] naming the object or
//! the field.

use tessera_core::{ObjectAccess, ObjectKey, Permissions};
use tessera_metadata::{FieldKind, FieldModel, ObjectModel, WorkspaceModel};

use crate::{
    ConnectionQuery, FieldRef, Filter, Operation, OrderTerm, QueryError, RecordInput,
    RecordSelection, Selected, Target,
};

/// A record capability an operation needs on its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    Update,
    SoftDelete,
    Destroy,
}

impl Need {
    fn allowed(self, access: ObjectAccess) -> bool {
        match self {
            Need::Read => access.can_read,
            Need::Update => access.can_update,
            Need::SoftDelete => access.can_soft_delete,
            Need::Destroy => access.can_destroy,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Need::Read => "read",
            Need::Update => "update",
            Need::SoftDelete => "soft delete",
            Need::Destroy => "destroy",
        }
    }
}

/// Checks that `permissions` allow `operation` on `model`. Names the compiler cannot resolve
/// are left for it to report (`BAD_USER_INPUT`).
///
/// Errors: [`QueryError::Forbidden`], e.g. `User does not have permission: no permission to
/// read object "person"` or `User does not have permission: no permission to read field
/// "city" on "person"`.
pub(crate) fn check(
    model: &WorkspaceModel,
    permissions: &Permissions,
    operation: &Operation,
) -> Result<(), QueryError> {
    if permissions.bypass {
        return Ok(());
    }
    let c = Checker { model, permissions };
    match operation {
        Operation::FindMany(conn) => c.connection(conn),
        Operation::FindOne {
            object,
            filter,
            selection,
        } => {
            let Some(obj) = c.object(object, Need::Read)? else {
                return Ok(());
            };
            c.filter(obj, filter)?;
            c.selection(obj, selection)
        }
        Operation::Create {
            object,
            records,
            selection,
            ..
        } => {
            let Some(obj) = c.object(object, Need::Update)? else {
                return Ok(());
            };
            for record in records {
                c.written(obj, record)?;
            }
            c.returned(obj, selection)
        }
        Operation::Update {
            object,
            target,
            data,
            selection,
        } => {
            let Some(obj) = c.object(object, Need::Update)? else {
                return Ok(());
            };
            c.written(obj, data)?;
            c.target(obj, target)?;
            c.returned(obj, selection)
        }
        Operation::Delete {
            object,
            target,
            selection,
        }
        | Operation::Restore {
            object,
            target,
            selection,
        } => {
            let Some(obj) = c.object(object, Need::SoftDelete)? else {
                return Ok(());
            };
            c.target(obj, target)?;
            c.returned(obj, selection)
        }
        Operation::Destroy {
            object,
            target,
            selection,
        } => {
            let Some(obj) = c.object(object, Need::Destroy)? else {
                return Ok(());
            };
            c.target(obj, target)?;
            c.returned(obj, selection)
        }
    }
}

struct Checker<'a> {
    model: &'a WorkspaceModel,
    permissions: &'a Permissions,
}

fn denied(message: String) -> QueryError {
    QueryError::Forbidden {
        message: format!("User does not have permission: {message}"),
    }
}

impl<'a> Checker<'a> {
    fn access(&self, obj: &ObjectModel) -> ObjectAccess {
        self.permissions.object(ObjectKey {
            id: obj.meta.id,
            is_system: obj.meta.is_system,
            name_singular: obj.singular(),
        })
    }

    /// The object, after checking the capability; `None` for an unknown name.
    fn object(&self, name: &str, need: Need) -> Result<Option<&'a ObjectModel>, QueryError> {
        let Some(obj) = self.model.object(name) else {
            return Ok(None);
        };
        self.require(obj, need)?;
        Ok(Some(obj))
    }

    fn require(&self, obj: &ObjectModel, need: Need) -> Result<(), QueryError> {
        if need.allowed(self.access(obj)) {
            Ok(())
        } else {
            Err(denied(format!(
                "no permission to {} object \"{}\"",
                need.verb(),
                obj.singular()
            )))
        }
    }

    fn read_field(&self, obj: &ObjectModel, field: &FieldModel) -> Result<(), QueryError> {
        if self.permissions.can_read_field(field.meta.id) {
            Ok(())
        } else {
            Err(denied(format!(
                "no permission to read field \"{}\" on \"{}\"",
                field.name(),
                obj.singular()
            )))
        }
    }

    /// The field behind an API name: the field itself, or the many-to-one field of a join
    /// column (`companyId` → `company`).
    fn field_named<'o>(obj: &'o ObjectModel, name: &str) -> Option<&'o FieldModel> {
        obj.field(name).or_else(|| obj.field_by_join_column(name))
    }

    fn field_ref(&self, obj: &ObjectModel, target: &FieldRef) -> Result<(), QueryError> {
        let name = match target {
            FieldRef::Field { field, .. } | FieldRef::JoinColumn { field } => field,
        };
        match Self::field_named(obj, name) {
            Some(field) => self.read_field(obj, field),
            None => Ok(()),
        }
    }

    fn filter(&self, obj: &ObjectModel, filter: &Filter) -> Result<(), QueryError> {
        match filter {
            Filter::And(items) | Filter::Or(items) => {
                items.iter().try_for_each(|f| self.filter(obj, f))
            }
            Filter::Not(inner) => self.filter(obj, inner),
            Filter::Condition { target, .. } => self.field_ref(obj, target),
            Filter::Relation { field, filter } => {
                let Some(f) = obj.field(field) else {
                    return Ok(());
                };
                self.read_field(obj, f)?;
                let FieldKind::ManyToOne { target, .. } = &f.kind else {
                    return Ok(());
                };
                match self.object(target, Need::Read)? {
                    Some(target) => self.filter(target, filter),
                    None => Ok(()),
                }
            }
        }
    }

    fn order(&self, obj: &ObjectModel, terms: &[OrderTerm]) -> Result<(), QueryError> {
        terms
            .iter()
            .try_for_each(|t| self.field_ref(obj, &t.target))
    }

    fn connection(&self, conn: &ConnectionQuery) -> Result<(), QueryError> {
        let Some(obj) = self.object(&conn.object, Need::Read)? else {
            return Ok(());
        };
        if let Some(filter) = &conn.filter {
            self.filter(obj, filter)?;
        }
        self.order(obj, &conn.order_by)?;
        self.selection(obj, &conn.selection.node)
    }

    fn selection(&self, obj: &ObjectModel, selection: &RecordSelection) -> Result<(), QueryError> {
        for selected in &selection.fields {
            let Some(field) = obj.field(&selected.field) else {
                continue;
            };
            self.read_field(obj, field)?;
            match (&selected.selected, &field.kind) {
                (Selected::ManyToOne(sub), FieldKind::ManyToOne { target, .. }) => {
                    if let Some(target) = self.object(target, Need::Read)? {
                        self.selection(target, sub)?;
                    }
                }
                (Selected::OneToMany(conn), _) => self.connection(conn)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// The records a mutation returns are read: the object must be readable when anything
    /// is selected, and so must every selected field.
    fn returned(&self, obj: &ObjectModel, selection: &RecordSelection) -> Result<(), QueryError> {
        if !selection.fields.is_empty() {
            self.require(obj, Need::Read)?;
        }
        self.selection(obj, selection)
    }

    fn target(&self, obj: &ObjectModel, target: &Target) -> Result<(), QueryError> {
        match target {
            Target::Id(_) => Ok(()),
            Target::Filter(filter) => self.filter(obj, filter),
        }
    }

    fn written(&self, obj: &ObjectModel, record: &RecordInput) -> Result<(), QueryError> {
        for key in record.0.keys() {
            let Some(field) = Self::field_named(obj, key) else {
                continue;
            };
            if !self.permissions.can_update_field(field.meta.id) {
                return Err(denied(format!(
                    "no permission to write field \"{}\" on \"{}\"",
                    field.name(),
                    obj.singular()
                )));
            }
        }
        Ok(())
    }
}
