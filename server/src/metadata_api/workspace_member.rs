//! `WorkspaceMember` of `/metadata` (Twenty's `WorkspaceMember` output type): read from the
//! workspace's `workspaceMember` records through the query compiler, as the system (the
//! caller's guard decides who may see members).

use async_graphql::{Context, Enum, Object, SimpleObject};
use serde_json::Value as Json;
use tessera_core::{Session, WorkspaceId};
use tessera_query::{
    ConnectionQuery, ConnectionSelection, FieldRef, Filter, FilterOp, Operation, Page,
    RecordSelection, Selected, SelectedField,
};
use tessera_store::WorkspaceMemberProfile;
use uuid::Uuid;

use super::MetadataContext;
use super::errors::{coded, context, not_found, store};
use super::roles::RoleGql;
use super::scalars::UuidScalar;

/// Where a record opens in the UI for this member (Twenty's `OpenRecordIn`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "OpenRecordIn", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum OpenRecordIn {
    /// In the side panel.
    SidePanel,
    /// On a full record page.
    RecordPage,
}

/// Twenty's `WorkspaceMemberDateFormatEnum`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum WorkspaceMemberDateFormatEnum {
    /// The browser's format.
    System,
    /// `MM/DD/YYYY`.
    MonthFirst,
    /// `DD/MM/YYYY`.
    DayFirst,
    /// `YYYY-MM-DD`.
    YearFirst,
}

/// Twenty's `WorkspaceMemberTimeFormatEnum`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum WorkspaceMemberTimeFormatEnum {
    /// The browser's format.
    System,
    /// 12-hour clock.
    Hour12,
    /// 24-hour clock.
    Hour24,
}

/// Twenty's `WorkspaceMemberNumberFormatEnum`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum WorkspaceMemberNumberFormatEnum {
    /// The browser's format.
    System,
    /// `1,234.56`.
    CommasAndDot,
    /// `1 234,56`.
    SpacesAndComma,
    /// `1.234,56`.
    DotsAndComma,
    /// `1'234.56`.
    ApostropheAndDot,
}

/// A person's name (Twenty's `FullName`).
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq, Default)]
pub struct FullName {
    /// First name (`""` when unset).
    pub first_name: String,
    /// Last name (`""` when unset).
    pub last_name: String,
}

/// A member of the workspace (a `workspaceMember` record).
#[derive(Debug, Clone)]
pub struct WorkspaceMemberGql {
    id: Uuid,
    name: FullName,
    user_email: String,
    color_scheme: String,
    avatar_url: Option<String>,
    locale: Option<String>,
    calendar_start_day: Option<i32>,
    time_zone: Option<String>,
    date_format: Option<WorkspaceMemberDateFormatEnum>,
    time_format: Option<WorkspaceMemberTimeFormatEnum>,
    user_workspace_id: Option<Uuid>,
}

#[Object(name = "WorkspaceMember")]
impl WorkspaceMemberGql {
    /// Record id.
    async fn id(&self) -> UuidScalar {
        UuidScalar(self.id)
    }
    /// Name.
    async fn name(&self) -> &FullName {
        &self.name
    }
    /// The member's email.
    async fn user_email(&self) -> &str {
        &self.user_email
    }
    /// `Light`, `Dark` or `System`.
    async fn color_scheme(&self) -> &str {
        &self.color_scheme
    }
    /// UI scale (Tessera stores none: always `"100"`).
    async fn ui_scale(&self) -> &str {
        "100"
    }
    /// Where records open (Tessera stores none: always `SIDE_PANEL`).
    async fn open_record_in(&self) -> OpenRecordIn {
        OpenRecordIn::SidePanel
    }
    /// Avatar URL.
    async fn avatar_url(&self) -> Option<&str> {
        self.avatar_url.as_deref()
    }
    /// Locale, e.g. `en`.
    async fn locale(&self) -> Option<&str> {
        self.locale.as_deref()
    }
    /// First day of the week (0 = Sunday).
    async fn calendar_start_day(&self) -> Option<i32> {
        self.calendar_start_day
    }
    /// IANA time zone.
    async fn time_zone(&self) -> Option<&str> {
        self.time_zone.as_deref()
    }
    /// Date format.
    async fn date_format(&self) -> Option<WorkspaceMemberDateFormatEnum> {
        self.date_format
    }
    /// Time format.
    async fn time_format(&self) -> Option<WorkspaceMemberTimeFormatEnum> {
        self.time_format
    }
    /// The member's role (one): its assigned role, else the workspace's default role.
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RoleGql>> {
        let mc = context(ctx)?;
        let ws = mc.session()?.workspace_id;
        let role_id = mc
            .store
            .workspace_member_role_id(ws, self.id)
            .await
            .map_err(store)?;
        Ok(mc
            .store
            .role(ws, role_id)
            .await
            .map_err(store)?
            .map(RoleGql)
            .into_iter()
            .collect())
    }
    /// The member's `userWorkspace` (membership) id; null for a member record without a user.
    async fn user_workspace_id(&self) -> Option<UuidScalar> {
        self.user_workspace_id.map(UuidScalar)
    }
    /// Number format (not stored by Tessera: always null).
    async fn number_format(&self) -> Option<WorkspaceMemberNumberFormatEnum> {
        None
    }
}

fn text(node: &Json, key: &str) -> Option<String> {
    node.get(key).and_then(Json::as_str).map(str::to_owned)
}

impl WorkspaceMemberGql {
    /// The member's record id.
    pub(crate) fn uuid(&self) -> Uuid {
        self.id
    }

    /// The member as the accounts store reads it (`currentUser.workspaceMember`), with its
    /// membership id.
    pub(crate) fn from_profile(
        p: WorkspaceMemberProfile,
        user_workspace_id: Option<Uuid>,
    ) -> WorkspaceMemberGql {
        WorkspaceMemberGql {
            id: p.id,
            name: FullName {
                first_name: p.first_name,
                last_name: p.last_name,
            },
            user_email: p.user_email,
            color_scheme: p.color_scheme,
            avatar_url: p.avatar_url,
            locale: p.locale,
            calendar_start_day: None,
            time_zone: p.time_zone,
            date_format: None,
            time_format: None,
            user_workspace_id,
        }
    }

    fn from_node(node: &Json) -> Option<WorkspaceMemberGql> {
        let id = node
            .get("id")?
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())?;
        let name = node.get("name").cloned().unwrap_or(Json::Null);
        let date_format = match text(node, "dateFormat").as_deref() {
            Some("SYSTEM") => Some(WorkspaceMemberDateFormatEnum::System),
            Some("MONTH_FIRST") => Some(WorkspaceMemberDateFormatEnum::MonthFirst),
            Some("DAY_FIRST") => Some(WorkspaceMemberDateFormatEnum::DayFirst),
            Some("YEAR_FIRST") => Some(WorkspaceMemberDateFormatEnum::YearFirst),
            _ => None,
        };
        let time_format = match text(node, "timeFormat").as_deref() {
            Some("SYSTEM") => Some(WorkspaceMemberTimeFormatEnum::System),
            Some("HOUR_12") => Some(WorkspaceMemberTimeFormatEnum::Hour12),
            Some("HOUR_24") => Some(WorkspaceMemberTimeFormatEnum::Hour24),
            _ => None,
        };
        Some(WorkspaceMemberGql {
            id,
            name: FullName {
                first_name: text(&name, "firstName").unwrap_or_default(),
                last_name: text(&name, "lastName").unwrap_or_default(),
            },
            user_email: text(node, "userEmail").unwrap_or_default(),
            color_scheme: text(node, "colorScheme").unwrap_or_else(|| "System".to_owned()),
            avatar_url: text(node, "avatarUrl"),
            locale: text(node, "locale"),
            calendar_start_day: node
                .get("calendarStartDay")
                .and_then(Json::as_f64)
                .map(|n| n as i32),
            time_zone: text(node, "timeZone"),
            date_format,
            time_format,
            user_workspace_id: None,
        })
    }
}

/// Scalar fields of `workspaceMember` read for the output type.
const MEMBER_COLUMNS: [&str; 9] = [
    "id",
    "userEmail",
    "colorScheme",
    "avatarUrl",
    "locale",
    "calendarStartDay",
    "timeZone",
    "dateFormat",
    "timeFormat",
];

/// The workspace's members whose id is in `ids` (all members when `None`), in id order.
///
/// Errors: store and query errors (coded).
pub(crate) async fn members(
    mc: &MetadataContext,
    ws: WorkspaceId,
    ids: Option<&[Uuid]>,
) -> async_graphql::Result<Vec<WorkspaceMemberGql>> {
    let model = mc.store.workspace_model(ws).await.map_err(store)?;
    let Some(object) = model.object("workspaceMember") else {
        return Ok(Vec::new());
    };
    let mut fields: Vec<SelectedField> = MEMBER_COLUMNS
        .iter()
        .filter(|f| object.field(f).is_some())
        .map(|f| SelectedField {
            key: (*f).to_owned(),
            field: (*f).to_owned(),
            selected: Selected::Column,
        })
        .collect();
    if object.field("name").is_some() {
        fields.push(SelectedField {
            key: "name".to_owned(),
            field: "name".to_owned(),
            selected: Selected::Composite(vec![
                ("firstName".to_owned(), "firstName".to_owned()),
                ("lastName".to_owned(), "lastName".to_owned()),
            ]),
        });
    }
    let filter = ids.map(|ids| Filter::Condition {
        target: FieldRef::Field {
            field: "id".to_owned(),
            sub_field: None,
        },
        op: FilterOp::In,
        value: Json::Array(ids.iter().map(|id| Json::String(id.to_string())).collect()),
    });
    if ids.is_some_and(<[Uuid]>::is_empty) {
        return Ok(Vec::new());
    }
    let runner = mc.store.runner(ws).await.map_err(store)?;
    let session = Session::system(ws, "SYSTEM");
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let operation = Operation::FindMany(ConnectionQuery {
            object: "workspaceMember".to_owned(),
            filter: filter.clone(),
            order_by: Vec::new(),
            page: Page {
                first: Some(i64::try_from(tessera_query::MAX_PAGE_SIZE).unwrap_or(200)),
                after: after.take(),
                ..Page::default()
            },
            selection: ConnectionSelection {
                node: RecordSelection {
                    fields: fields.clone(),
                },
                edges: true,
                page_info: true,
                total_count: false,
            },
        });
        let result = tessera_query::execute(runner.as_ref(), &model, &session, &operation)
            .await
            .map_err(|e| coded(&e))?;
        if let Some(edges) = result.get("edges").and_then(Json::as_array) {
            out.extend(
                edges
                    .iter()
                    .filter_map(|e| e.get("node"))
                    .filter_map(WorkspaceMemberGql::from_node),
            );
        }
        let page_info = result.get("pageInfo");
        if !out.is_empty() {
            let memberships = mc.store.workspace_memberships(ws).await.map_err(store)?;
            for m in &mut out {
                if m.user_workspace_id.is_none() {
                    m.user_workspace_id = memberships
                        .iter()
                        .find(|u| u.workspace_member_id == m.id)
                        .map(|u| u.id);
                }
            }
        }
        let has_next = page_info
            .and_then(|p| p.get("hasNextPage"))
            .and_then(Json::as_bool)
            .unwrap_or(false);
        after = page_info.and_then(|p| text(p, "endCursor"));
        if !has_next || after.is_none() {
            return Ok(out);
        }
    }
}

/// One member. Errors: `NOT_FOUND` (`Unable to find workspace member with id: ...`).
pub(crate) async fn member(
    mc: &MetadataContext,
    ws: WorkspaceId,
    id: Uuid,
) -> async_graphql::Result<WorkspaceMemberGql> {
    members(mc, ws, Some(&[id]))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| not_found("workspace member", id))
}
