//! Accounts flows that send mail, against a REAL local SMTP server (Python `aiosmtpd`,
//! started by each test; install with `pip install aiosmtpd`): invitations (mail → join the
//! workspace) and password reset (mail → new password; the token works once). On SQLite and
//! PostgreSQL.

mod accounts_support;
mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use accounts_support::{Api, PASSWORD, email, ok, pg_state, sqlite_state, str_of};
use serde_json::{Value, json};
use tessera_server::{AppState, AuthConfig, SmtpConfig};

/// A running SMTP sink (killed on drop) and the directory its messages land in.
struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir = tempfile::tempdir().expect("tempdir");
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support_files/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 must be installed to run the SMTP sink");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("sink output");
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP sink did not start: is aiosmtpd installed? (pip install aiosmtpd)"
        );
        SmtpSink { child, dir, port }
    }

    fn config(&self) -> AuthConfig {
        AuthConfig {
            smtp: Some(SmtpConfig {
                host: "127.0.0.1".into(),
                port: self.port,
                user: None,
                password: None,
                no_tls: true,
            }),
            frontend_url: "http://app.test:3001".into(),
            email_from_address: "crm@example.com".into(),
            ..AuthConfig::default()
        }
    }

    /// The messages received for `to`, in no particular order.
    fn messages_to(&self, to: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).expect("dir") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let message: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
            if message["to"]
                .as_array()
                .is_some_and(|t| t.iter().any(|a| a == to))
            {
                out.push(message);
            }
        }
        out
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of `name=` in the first link of `body` that has it.
fn query_param(body: &str, name: &str) -> String {
    let key = format!("{name}=");
    let start = body
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + key.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

macro_rules! with_sink {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let sink = super::SmtpSink::start();
                let (state, _dir) = super::sqlite_state(sink.config()).await;
                super::$name(state, &sink).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let sink = super::SmtpSink::start();
                let state = super::pg_state(sink.config()).await;
                super::$name(state, &sink).await;
            }
        }
    };
}

const SIGN_UP_IN_WORKSPACE: &str = "mutation($e: String!, $p: String!, $w: UUID, $t: String) { signUpInWorkspace(email: $e, password: $p, workspaceId: $w, workspacePersonalInviteToken: $t) { loginToken { token } workspace { id workspaceUrls { subdomainUrl } } } }";

async fn invitation_joins_the_workspace(state: AppState, sink: &SmtpSink) {
    let api = Api { state };
    let owner = api.member_with_workspace("owner").await;
    let other = api.member_with_workspace("other").await;
    let invitee = email("invitee");

    let r = api
        .meta(
            Some(&owner.access),
            "mutation($e: [String!]!) { sendInvitations(emails: $e) { success errors result { id email roleId expiresAt } } }",
            json!({"e": [invitee.to_uppercase(), "not an email", owner.email]}),
        )
        .await;
    let sent = ok(&r)["sendInvitations"].clone();
    assert_eq!(sent["success"], false);
    assert_eq!(sent["errors"].as_array().map(Vec::len), Some(2), "{sent}");
    assert_eq!(sent["result"].as_array().map(Vec::len), Some(1));
    assert_eq!(sent["result"][0]["email"], invitee.as_str());

    // Listed in the owner's workspace only.
    const FIND: &str = "{ findWorkspaceInvitations { id email } }";
    let list = ok(&api.meta(Some(&owner.access), FIND, json!({})).await);
    assert_eq!(
        list["findWorkspaceInvitations"][0]["email"],
        invitee.as_str()
    );
    let theirs = ok(&api.meta(Some(&other.access), FIND, json!({})).await);
    assert_eq!(theirs["findWorkspaceInvitations"], json!([]));
    // Another workspace cannot delete it.
    let id = str_of(&sent["result"][0]["id"]);
    let r = api
        .meta(
            Some(&other.access),
            "mutation($id: String!) { deleteWorkspaceInvitation(appTokenId: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("NOT_FOUND"));

    // The mail carries the personal token; the invitation row does not.
    let mails = sink.messages_to(&invitee);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let body = str_of(&mails[0]["body"]);
    assert!(body.contains(&owner.url), "{body}");
    let token = query_param(&body, "inviteToken");
    assert_eq!(token.len(), 64);

    // The token is for this e-mail only.
    let r = api
        .meta(
            None,
            SIGN_UP_IN_WORKSPACE,
            json!({"e": email("thief"), "p": PASSWORD, "w": owner.workspace_id, "t": token}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));

    let r = api
        .meta(
            None,
            SIGN_UP_IN_WORKSPACE,
            json!({"e": invitee, "p": PASSWORD, "w": owner.workspace_id, "t": token}),
        )
        .await;
    let joined = ok(&r)["signUpInWorkspace"].clone();
    assert_eq!(joined["workspace"]["id"], owner.workspace_id.as_str());
    let (access, _) = api
        .exchange(&str_of(&joined["loginToken"]["token"]), &owner.url)
        .await;
    let me = ok(&api
        .meta(Some(&access), "{ currentUser { email workspaceMember { id userEmail } currentWorkspace { id workspaceMembersCount } } }", json!({}))
        .await)["currentUser"]
        .clone();
    assert_eq!(me["currentWorkspace"]["id"], owner.workspace_id.as_str());
    assert_eq!(me["currentWorkspace"]["workspaceMembersCount"], 2.0);
    assert_eq!(me["workspaceMember"]["userEmail"], invitee.as_str());
    // The new member's records are theirs (MANUAL, their member id) and the owner sees them.
    let created = ok(&api
        .gql(Some(&access), "mutation { createPerson(data: {city: \"Paris\"}) { id createdBy { source workspaceMemberId } } }", json!({}))
        .await)["createPerson"]
        .clone();
    assert_eq!(created["createdBy"]["source"], "MANUAL");
    assert_eq!(
        created["createdBy"]["workspaceMemberId"],
        me["workspaceMember"]["id"]
    );
    let seen = ok(&api
        .gql(Some(&owner.access), "{ people { totalCount } }", json!({}))
        .await);
    assert_eq!(seen["people"]["totalCount"], 1);
    let unseen = ok(&api
        .gql(Some(&other.access), "{ people { totalCount } }", json!({}))
        .await);
    assert_eq!(unseen["people"]["totalCount"], 0);

    // Used up: the same token cannot be used again, and the invitation is no longer listed.
    let r = api
        .meta(
            None,
            SIGN_UP_IN_WORKSPACE,
            json!({"e": invitee, "p": PASSWORD, "w": owner.workspace_id, "t": token}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    let list = ok(&api.meta(Some(&owner.access), FIND, json!({})).await);
    assert_eq!(list["findWorkspaceInvitations"], json!([]));

    // Resend replaces an invitation (new token by mail); delete removes it.
    let second = email("second");
    let r = ok(&api
        .meta(
            Some(&owner.access),
            "mutation($e: [String!]!) { sendInvitations(emails: $e) { result { id } } }",
            json!({"e": [second]}),
        )
        .await);
    let first_id = str_of(&r["sendInvitations"]["result"][0]["id"]);
    let r = ok(&api
        .meta(Some(&owner.access), "mutation($id: String!) { resendWorkspaceInvitation(appTokenId: $id) { success result { id email } } }", json!({"id": first_id}))
        .await);
    let new_id = str_of(&r["resendWorkspaceInvitation"]["result"][0]["id"]);
    assert_ne!(new_id, first_id);
    assert_eq!(sink.messages_to(&second).len(), 2);
    let r = ok(&api
        .meta(
            Some(&owner.access),
            "mutation($id: String!) { deleteWorkspaceInvitation(appTokenId: $id) }",
            json!({"id": new_id}),
        )
        .await);
    assert_eq!(r["deleteWorkspaceInvitation"], "success");
    let list = ok(&api.meta(Some(&owner.access), FIND, json!({})).await);
    assert_eq!(list["findWorkspaceInvitations"], json!([]));
}
with_sink!(invitation_joins_the_workspace);

const RESET_LINK: &str = "mutation($e: String!) { emailPasswordResetLink(email: $e) { success } }";
const VALIDATE: &str = "query($t: String!) { validatePasswordResetToken(passwordResetToken: $t) { id email hasPassword } }";
const UPDATE: &str = "mutation($t: String!, $p: String!) { updatePasswordViaResetToken(passwordResetToken: $t, newPassword: $p) { success } }";

async fn password_reset_by_mail(state: AppState, sink: &SmtpSink) {
    let api = Api { state };
    let m = api.member_with_workspace("hank").await;

    // Unknown e-mail: same answer, no mail.
    let nobody = email("nobody");
    let r = ok(&api.meta(None, RESET_LINK, json!({"e": nobody})).await);
    assert_eq!(r["emailPasswordResetLink"]["success"], true);
    assert!(sink.messages_to(&nobody).is_empty());

    let r = ok(&api.meta(None, RESET_LINK, json!({"e": m.email})).await);
    assert_eq!(r["emailPasswordResetLink"]["success"], true);
    let mails = sink.messages_to(&m.email);
    assert_eq!(mails.len(), 1);
    let body = str_of(&mails[0]["body"]);
    let start = body.find("/reset-password/").expect("link") + "/reset-password/".len();
    let token: String = body[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64);
    assert!(
        body.contains("http://app.test:3001/reset-password/"),
        "{body}"
    );

    let v = ok(&api.meta(None, VALIDATE, json!({"t": token})).await);
    assert_eq!(v["validatePasswordResetToken"]["email"], m.email.as_str());
    assert_eq!(v["validatePasswordResetToken"]["hasPassword"], true);
    let r = api.meta(None, VALIDATE, json!({"t": "0".repeat(64)})).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));

    let r = api
        .meta(None, UPDATE, json!({"t": token, "p": "short"}))
        .await;
    assert_eq!(r.error_code().as_deref(), Some("BAD_USER_INPUT"));
    let new_password = "a brand new passphrase";
    let r = ok(&api
        .meta(None, UPDATE, json!({"t": token, "p": new_password}))
        .await);
    assert_eq!(r["updatePasswordViaResetToken"]["success"], true);

    // The old password stops working, the new one works.
    let r = api.sign_in(&m.email, PASSWORD).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    ok(&api.sign_in(&m.email, new_password).await);
    // Sessions from before the reset are revoked.
    let r = api.renew(&m.refresh).await;
    assert_eq!(r.error_code().as_deref(), Some("UNAUTHENTICATED"));
    // The token works once.
    let r = api
        .meta(
            None,
            UPDATE,
            json!({"t": token, "p": "yet another passphrase"}),
        )
        .await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    let r = api.meta(None, VALIDATE, json!({"t": token})).await;
    assert_eq!(r.error_code().as_deref(), Some("FORBIDDEN"));
    ok(&api.sign_in(&m.email, new_password).await);

    // Reset mails are throttled per address (3 per 15 minutes, the first one counted).
    ok(&api.meta(None, RESET_LINK, json!({"e": m.email})).await);
    ok(&api.meta(None, RESET_LINK, json!({"e": m.email})).await);
    let r = api.meta(None, RESET_LINK, json!({"e": m.email})).await;
    assert_eq!(r.error_code().as_deref(), Some("RATE_LIMITED"));
}
with_sink!(password_reset_by_mail);
