//! The workspace's trash retention setting (`workspace.trashRetentionDays`, Twenty's name,
//! default 14 days): how long soft-deleted records stay before the worker's purge job destroys
//! them.

use sea_orm::ConnectionTrait;
use tessera_core::WorkspaceId;

use crate::{Store, StoreError};

impl Store {
    /// Days soft-deleted records of `ws` are kept. Errors: [`StoreError::WorkspaceNotFound`],
    /// [`StoreError::Database`].
    pub async fn trash_retention_days(&self, ws: WorkspaceId) -> Result<i64, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"trashRetentionDays\" FROM {} WHERE \"id\" = {}",
            sys.table("workspace"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
            .await?
            .ok_or(StoreError::WorkspaceNotFound(ws))?;
        sys.get_int(&row, "trashRetentionDays")
    }

    /// Sets the retention of `ws` (days, ≥ 0). Errors: [`StoreError::WorkspaceNotFound`],
    /// [`StoreError::Database`].
    pub async fn set_trash_retention_days(
        &self,
        ws: WorkspaceId,
        days: u32,
    ) -> Result<(), StoreError> {
        let sys = self.sys();
        let sql = format!(
            "UPDATE {} SET \"trashRetentionDays\" = {} WHERE \"id\" = {}",
            sys.table("workspace"),
            sys.p(1),
            sys.p(2)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.int(i64::from(days)), sys.uuid(ws.0)]))
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::WorkspaceNotFound(ws));
        }
        Ok(())
    }
}
