//! Making an action on the session that holds the account.

use crate::db::{ActionRow, Db};
use crate::op::Op;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use webwx_core::{FileInfo, SendHandle};
use webwx_hyper::SessionHandle;

/// How an action started.
#[derive(Debug)]
pub(crate) enum ActionStart {
    /// Queued: its end comes as an event for this handle.
    Queued(SendHandle),
    /// Done at once (marking read, logging out).
    Done(Value),
    /// Refused.
    Failed(String),
}

/// Starts `action` on the session of `handle`.
pub(crate) async fn start_action(
    db: &Db,
    handle: &SessionHandle,
    action: &ActionRow,
) -> ActionStart {
    let op: Op = match serde_json::from_str(&action.args) {
        Ok(op) => op,
        Err(e) => return ActionStart::Failed(format!("unreadable action: {e}")),
    };
    let local_id = action.local_id.as_deref().unwrap_or_default();
    let queued = match op {
        Op::Text { to, text } => handle.send_text_with_local_id(&to, &text, local_id).await,
        Op::File { to, name } => {
            let bytes = match db.action_file(&action.id).await {
                Ok(Some(bytes)) => bytes,
                Ok(None) => return ActionStart::Failed("the file is gone".into()),
                Err(e) => return ActionStart::Failed(format!("cannot read the file: {e}")),
            };
            let md5: [u8; 16] = Md5::digest(&bytes).into();
            let info = FileInfo::new(name, bytes.len() as u64)
                .md5(md5)
                .local_id(local_id);
            return match handle
                .send_reader(&to, info, std::io::Cursor::new(bytes))
                .await
            {
                Ok(h) => ActionStart::Queued(h),
                Err(e) => ActionStart::Failed(e.to_string()),
            };
        }
        Op::Logout => {
            return match handle.logout().await {
                Ok(()) => ActionStart::Done(json!({ "logging_out": true })),
                Err(e) => ActionStart::Failed(e.to_string()),
            };
        }
        Op::MarkRead { chat } => {
            return match handle.mark_read(&chat).await {
                Ok(()) => ActionStart::Done(json!({ "marked_read": chat })),
                Err(e) => ActionStart::Failed(e.to_string()),
            };
        }
        Op::Remark { user_name, remark } => handle.set_remark(&user_name, &remark).await,
        Op::Pin { user_name, pinned } => handle.set_pinned(&user_name, pinned).await,
        Op::CreateGroup { members, topic } => handle.create_group(&members, &topic).await,
        Op::AddMembers { group, members } => handle.add_members(&group, &members).await,
        Op::RemoveMembers { group, members } => handle.remove_members(&group, &members).await,
        Op::RenameGroup { group, topic } => handle.rename_group(&group, &topic).await,
        Op::QuitGroup { group } => handle.quit_group(&group).await,
        Op::Revoke {
            to,
            msg_id,
            local_id,
        } => handle.revoke(&to, &msg_id, &local_id).await,
        Op::AcceptFriend { user_name, ticket } => handle.accept_friend(&user_name, &ticket).await,
        Op::RequestFriend {
            user_name,
            greeting,
        } => handle.request_friend(&user_name, &greeting).await,
        Op::Search { keyword } => handle.search_contacts(&keyword).await,
    };
    match queued {
        Ok(h) => ActionStart::Queued(h),
        Err(e) => ActionStart::Failed(e.to_string()),
    }
}
