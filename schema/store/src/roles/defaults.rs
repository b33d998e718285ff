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

/// Gives the workspace member `member_id` the Admin role (the creator of a workspace, at
/// activation; Twenty makes the creator Admin). Runs on the caller's transaction, after
/// [`insert_default_roles`].
pub(crate) async fn assign_admin<C: ConnectionTrait>(
    conn: &C,
    sys: Sys,
    ws: WorkspaceId,
    member_id: Uuid,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO {rt} (\"id\", \"workspaceId\", \"roleId\", \"workspaceMemberId\") \
         SELECT {p1}, {p2}, r.\"id\", {p3} FROM {role} r WHERE r.\"workspaceId\" = {p2} AND r.\"standardId\" = {p4}",
        rt = sys.table("roleTarget"),
        role = sys.table("role"),
        p1 = sys.p(1),
        p2 = sys.p(2),
        p3 = sys.p(3),
        p4 = sys.p(4),
    );
    let values = vec![
        sys.uuid(Uuid::new_v4()),
        sys.uuid(ws.0),
        sys.uuid(member_id),
        sys.uuid(ADMIN_ROLE_STANDARD_ID),
    ];
    conn.execute_raw(sys.stmt(sql, values)).await?;
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

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;
    use tessera_metadata::standard::standard_objects;

    use super::*;
    use crate::StoreConfig;

    /// A workspace from before roles existed (no roles, no default role) gets Admin and Member
    /// on first use; its keys act as Admin.
    #[tokio::test]
    async fn workspaces_older_than_roles_get_default_roles_on_first_use() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::connect(&StoreConfig {
            database_url: None,
            data_dir: dir.path().to_path_buf(),
        })
        .await
        .expect("store");
        let ws = store
            .create_workspace("Old", standard_objects())
            .await
            .expect("workspace");
        let key = store
            .create_api_key(
                ws,
                "old key",
                chrono::Utc::now() + chrono::Duration::days(1),
                None,
            )
            .await
            .expect("key");
        let system = store.backend().system();
        system
            .execute_unprepared("UPDATE \"workspace\" SET \"defaultRoleId\" = NULL")
            .await
            .expect("reset");
        system
            .execute_unprepared("DELETE FROM \"role\"")
            .await
            .expect("reset");
        let permissions = store
            .api_key_permissions(ws, key.id)
            .await
            .expect("permissions");
        assert!(permissions.can_update_all_settings && permissions.all_objects.can_destroy);
        let roles = store.roles(ws).await.expect("roles");
        let labels: Vec<&str> = roles.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["Admin", "Member"]);
        assert_eq!(permissions.role_id, Some(roles[0].id));
        let member_role = store
            .workspace_member_role_id(ws, Uuid::new_v4())
            .await
            .expect("member role");
        assert_eq!(member_role, roles[1].id);
        // Idempotent: a second call creates nothing more.
        store.ensure_default_roles(ws).await.expect("again");
        assert_eq!(store.roles(ws).await.expect("roles").len(), 2);
    }
}
