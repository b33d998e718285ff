//! The default roles every workspace has: Admin (everything) and Member (all records, no
//! settings; the workspace's default role), as Twenty creates them
//! (`admin-role.ts`, `role.service.ts` `createMemberRole`).

use sea_orm::{ConnectionTrait, TransactionTrait};
use tessera_core::WorkspaceId;
use uuid::{Uuid, uuid};

use crate::sys::Sys;
use crate::{Store, StoreError};

/// `standardId` of the Admin role (Twenty's `ADMIN_ROLE` standard id).
pub const ADMIN_ROLE_STANDARD_ID: Uuid = uuid!("20202020-0001-0001-0001-000000000001");
/// `standardId` of the Member role (Tessera's constant: Twenty creates Member without one).
pub const MEMBER_ROLE_STANDARD_ID: Uuid = uuid!("20202020-0002-0001-0001-000000000002");

/// (standardId, label, description, icon, canUpdateAllSettings, canAccessAllTools,
/// canBeAssignedToAgents).
const DEFAULT_ROLES: [(Uuid, &str, &str, &str, bool, bool, bool); 2] = [
    (
        ADMIN_ROLE_STANDARD_ID,
        "Admin",
        "Admin role",
        "IconUserCog",
        true,
        true,
        false,
    ),
    (
        MEMBER_ROLE_STANDARD_ID,
        "Member",
        "Member role",
        "IconUser",
        false,
        true,
        false,
    ),
];

/// Inserts Admin and Member for `ws` (unless present: a conflict is ignored) and makes Member
/// the default role when none is set. Runs on the caller's connection or transaction.
pub(crate) async fn insert_default_roles<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    ws: WorkspaceId,
) -> Result<(), StoreError> {
    for (standard_id, label, description, icon, settings, tools, agents) in DEFAULT_ROLES {
        let sql = format!(
            "INSERT INTO {} (\"id\", \"workspaceId\", \"standardId\", \"label\", \"description\", \
             \"icon\", \"isEditable\", \"canUpdateAllSettings\", \"canAccessAllTools\", \
             \"canReadAllObjectRecords\", \"canUpdateAllObjectRecords\", \
             \"canSoftDeleteAllObjectRecords\", \"canDestroyAllObjectRecords\", \
             \"canBeAssignedToUsers\", \"canBeAssignedToAgents\", \"canBeAssignedToApiKeys\") \
             VALUES {} ON CONFLICT DO NOTHING",
            sys.table("role"),
            sys.tuple(1, 16)
        );
        let values = vec![
            sys.uuid(Uuid::new_v4()),
            sys.uuid(ws.0),
            sys.uuid(standard_id),
            sys.text(label),
            sys.text(description),
            sys.text(icon),
            sys.boolean(false),
            sys.boolean(settings),
            sys.boolean(tools),
            sys.boolean(true),
            sys.boolean(true),
            sys.boolean(true),
            sys.boolean(true),
            sys.boolean(true),
            sys.boolean(agents),
            sys.boolean(true),
        ];
        conn.execute_raw(sys.stmt(sql, values)).await?;
    }
    let sql = format!(
        "UPDATE {w} SET \"defaultRoleId\" = (SELECT \"id\" FROM {r} WHERE \"workspaceId\" = {p1} \
         AND \"standardId\" = {p2}) WHERE \"id\" = {p1} AND \"defaultRoleId\" IS NULL",
        w = sys.table("workspace"),
        r = sys.table("role"),
        p1 = sys.p(1),
        p2 = sys.p(2),
    );
    conn.execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(MEMBER_ROLE_STANDARD_ID)]))
        .await?;
    Ok(())
}

impl Store {
    /// Creates the default roles of a workspace made before roles existed (idempotent, safe
    /// under concurrent callers). Errors: [`StoreError::Database`].
    pub(crate) async fn ensure_default_roles(&self, ws: WorkspaceId) -> Result<(), StoreError> {
        let txn = self.backend().system().begin().await?;
        insert_default_roles(&txn, self.sys(), ws).await?;
        txn.commit().await?;
        Ok(())
    }
}
