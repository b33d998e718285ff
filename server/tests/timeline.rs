//! Timeline activities written by the worker's timeline stage, on SQLite and PostgreSQL:
//! created, updated (quick successive edits merge into one entry with the merged diff),
//! deleted, restored, and `linked-note.created` on a person and a company a note targets.
//! Re-running the stage writes nothing new; another workspace sees none of the activities.

mod common;

use serde_json::{Value, json};
use tessera_core::WorkspaceId;
use tessera_server::AppState;
use tessera_worker::timeline;
use uuid::Uuid;

use common::post_graphql;

struct Client {
    state: AppState,
    ws: WorkspaceId,
    bearer: String,
}

impl Client {
    async fn new(state: &AppState, name: &str) -> Self {
        let (ws, token) = tessera_server::create_workspace(state, name, false)
            .await
            .expect("workspace");
        Self {
            state: state.clone(),
            ws,
            bearer: format!("Bearer {token}"),
        }
    }

    async fn gql(&self, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables}).to_string();
        let r = post_graphql(&self.state, Some(&self.bearer), &body)
            .await
            .json();
        assert!(r.get("errors").is_none(), "unexpected errors: {r}");
        r["data"].clone()
    }

    async fn create(&self, mutation: &str, input: &str, data: Value) -> Uuid {
        let d = self
            .gql(
                &format!("mutation($d: {input}!) {{ {mutation}(data: $d) {{ id }} }}"),
                json!({"d": data}),
            )
            .await;
        Uuid::parse_str(d[mutation]["id"].as_str().expect("id")).expect("uuid")
    }

    async fn activities(&self, target: &str, id: Uuid) -> Vec<Value> {
        let d = self
            .gql(
                &format!(
                    "query($id: UUID!) {{ timelineActivities(filter: {{ {target}Id: {{ eq: $id }} }}, orderBy: [{{ happensAt: AscNullsFirst }}]) {{ edges {{ node {{ name properties linkedRecordId linkedObjectMetadataId linkedRecordCachedName workspaceMemberId {target}Id }} }} }} }}"
                ),
                json!({"id": id}),
            )
            .await;
        d["timelineActivities"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"].clone())
            .collect()
    }

    async fn run_stage(&self) -> usize {
        timeline::timeline_workspace(self.state.store(), self.ws)
            .await
            .expect("timeline stage")
    }
}

fn names(list: &[Value]) -> Vec<&str> {
    list.iter()
        .map(|a| a["name"].as_str().unwrap_or(""))
        .collect()
}

async fn record_changes_merge_and_links(state: AppState) {
    let a = Client::new(&state, "A").await;
    let b = Client::new(&state, "B").await;

    let person = a
        .create(
            "createPerson",
            "PersonCreateInput",
            json!({"name": {"firstName": "Ada"}, "jobTitle": "Engineer"}),
        )
        .await;
    a.gql(
        "mutation($id: UUID!) { updatePerson(id: $id, data: {jobTitle: \"CTO\"}) { id } }",
        json!({"id": person}),
    )
    .await;
    a.gql(
        "mutation($id: UUID!) { updatePerson(id: $id, data: {jobTitle: \"CEO\", city: \"Paris\"}) { id } }",
        json!({"id": person}),
    )
    .await;
    // An update that changes nothing writes no activity.
    a.gql(
        "mutation($id: UUID!) { updatePerson(id: $id, data: {city: \"Paris\"}) { id } }",
        json!({"id": person}),
    )
    .await;
    assert!(a.run_stage().await >= 4);

    let list = a.activities("targetPerson", person).await;
    assert_eq!(
        names(&list),
        ["person.created", "person.updated"],
        "{list:?}"
    );
    assert_eq!(list[0]["properties"], json!({}));
    assert_eq!(list[0]["targetPersonId"], json!(person.to_string()));
    assert_eq!(
        list[0]["workspaceMemberId"],
        Value::Null,
        "an API key has no member"
    );
    assert_eq!(
        list[1]["properties"],
        json!({"diff": {
            "jobTitle": {"before": "Engineer", "after": "CEO"},
            "city": {"before": null, "after": "Paris"}
        }}),
        "two quick edits merge: first before, latest after"
    );

    // Delete and restore.
    a.gql(
        "mutation($id: UUID!) { deletePerson(id: $id) { id } }",
        json!({"id": person}),
    )
    .await;
    a.gql(
        "mutation($id: UUID!) { restorePerson(id: $id) { id } }",
        json!({"id": person}),
    )
    .await;
    a.run_stage().await;
    let list = a.activities("targetPerson", person).await;
    assert_eq!(
        names(&list),
        [
            "person.created",
            "person.updated",
            "person.deleted",
            "person.restored"
        ]
    );
    assert_eq!(list[2]["properties"], json!({}));

    // A note linked to the person and to a company.
    let company = a
        .create(
            "createCompany",
            "CompanyCreateInput",
            json!({"name": "Acme"}),
        )
        .await;
    let note = a
        .create(
            "createNote",
            "NoteCreateInput",
            json!({"title": "Call notes"}),
        )
        .await;
    a.create(
        "createNoteTarget",
        "NoteTargetCreateInput",
        json!({"noteId": note, "personId": person}),
    )
    .await;
    a.create(
        "createNoteTarget",
        "NoteTargetCreateInput",
        json!({"noteId": note, "companyId": company}),
    )
    .await;
    a.run_stage().await;
    let note_object = a
        .gql(
            "{ timelineActivities(filter: {name: {eq: \"linked-note.created\"}}) { edges { node { linkedObjectMetadataId } } } }",
            json!({}),
        )
        .await;
    let note_object_id =
        note_object["timelineActivities"]["edges"][0]["node"]["linkedObjectMetadataId"].clone();
    assert!(
        note_object_id
            .as_str()
            .is_some_and(|s| Uuid::parse_str(s).is_ok())
    );
    for (target, id) in [("targetPerson", person), ("targetCompany", company)] {
        let list = a.activities(target, id).await;
        let linked: Vec<&Value> = list
            .iter()
            .filter(|x| x["name"] == "linked-note.created")
            .collect();
        assert_eq!(linked.len(), 1, "{target}: {list:?}");
        assert_eq!(linked[0]["linkedRecordId"], json!(note.to_string()));
        assert_eq!(linked[0]["linkedRecordCachedName"], "Call notes");
        assert_eq!(linked[0]["linkedObjectMetadataId"], note_object_id);
        assert_eq!(linked[0]["properties"], json!({}));
    }
    let company_list = a.activities("targetCompany", company).await;
    assert_eq!(
        names(&company_list),
        ["company.created", "linked-note.created"]
    );

    // Editing the note writes linked-note.updated on both targets.
    a.gql(
        "mutation($id: UUID!) { updateNote(id: $id, data: {title: \"Call notes v2\"}) { id } }",
        json!({"id": note}),
    )
    .await;
    a.run_stage().await;
    for (target, id) in [("targetPerson", person), ("targetCompany", company)] {
        let list = a.activities(target, id).await;
        let updated: Vec<&Value> = list
            .iter()
            .filter(|x| x["name"] == "linked-note.updated")
            .collect();
        assert_eq!(updated.len(), 1, "{target}: {list:?}");
        assert_eq!(updated[0]["linkedRecordCachedName"], "Call notes v2");
        assert_eq!(
            updated[0]["properties"]["diff"]["title"],
            json!({"before": "Call notes", "after": "Call notes v2"})
        );
    }

    // Nothing new on a second run; nothing visible from another workspace.
    let before = a
        .gql(
            "{ timelineActivities(first: 200) { totalCount } }",
            json!({}),
        )
        .await;
    a.run_stage().await;
    let after = a
        .gql(
            "{ timelineActivities(first: 200) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(before, after);
    let other = b
        .gql("{ timelineActivities { totalCount } }", json!({}))
        .await;
    assert_eq!(other["timelineActivities"]["totalCount"], 0);
    assert!(b.activities("targetPerson", person).await.is_empty());
}
both!(record_changes_merge_and_links);

/// Four outbox jobs of one workspace running at the same moment (as on four workers) write
/// each activity once: the workspace's stage lock lets one apply the events at a time.
async fn concurrent_outbox_jobs_write_each_activity_once(state: AppState) {
    use std::sync::Arc;
    use tessera_worker::jobs::outbox::{self, OutboxContext};
    use tessera_worker::jobs::{JobOptions, JobQueue};

    let a = Client::new(&state, "A").await;
    let b = Client::new(&state, "B").await;
    let mut people = Vec::new();
    for i in 0..12 {
        let id = a
            .create(
                "createPerson",
                "PersonCreateInput",
                json!({"name": {"firstName": format!("P{i}")}}),
            )
            .await;
        a.gql(
            "mutation($id: UUID!) { updatePerson(id: $id, data: {jobTitle: \"CTO\"}) { id } }",
            json!({"id": id}),
        )
        .await;
        people.push(id);
    }
    let prefix = format!("test-{}", Uuid::new_v4().simple());
    let queue = JobQueue::connect(&common::store_config(&state), &prefix)
        .await
        .expect("queue");
    let ctx = Arc::new(OutboxContext {
        store: state.store().clone(),
        queue,
        options: Arc::new(JobOptions {
            prefix,
            ..JobOptions::default()
        }),
    });
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let ctx = ctx.clone();
            let ws = a.ws;
            tokio::spawn(async move { outbox::process_workspace(&ctx, ws).await })
        })
        .collect();
    let mut consumed = 0;
    for run in runs {
        consumed += run.await.expect("join").expect("outbox stages").0;
    }
    assert!(consumed >= 24, "every event consumed once: {consumed}");
    for id in &people {
        let list = a.activities("targetPerson", *id).await;
        assert_eq!(
            names(&list),
            ["person.created", "person.updated"],
            "{id}: {list:?}"
        );
        assert!(b.activities("targetPerson", *id).await.is_empty());
    }
}
both!(concurrent_outbox_jobs_write_each_activity_once);
