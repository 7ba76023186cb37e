//! What a number's WhatsApp state means for the data: linked numbers remember their
//! WhatsApp id, logged-out ones are marked so, and both are in the audit log.

use serde::Serialize;
use ts_rs::TS;

use crate::clock::local_minute;
use crate::error::Result;
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::model::activity::{Activity, ActivityKind, LimitChange};
use crate::model::limits::Limits;
use crate::model::wa_id::shown_number;
use crate::store::error::is_unique_violation;
use crate::store::{accounts, activity};
use crate::text;
use crate::whatsapp::account::AccountState;
use crate::whatsapp::page::PageInfo;
use crate::whatsapp::qr;

/// One step of linking a number, streamed to the window that asked.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkEvent {
    pub state: AccountState,
    /// The QR as an SVG image, while `state` is `ScanQr`.
    pub qr_svg: Option<String>,
}

impl LinkEvent {
    pub fn new(state: AccountState) -> LinkEvent {
        let qr_svg = match &state {
            AccountState::ScanQr { qr, .. } => match qr::svg(qr) {
                Ok(svg) => Some(svg),
                Err(e) => {
                    tracing::error!("{e}");
                    None
                }
            },
            _ => None,
        };
        LinkEvent { state, qr_svg }
    }

    /// Whether linking is over (for better or worse) and the stream can end.
    pub fn is_final(&self) -> bool {
        matches!(
            self.state,
            AccountState::Working { .. }
                | AccountState::Failed { .. }
                | AccountState::LoggedOut
                | AccountState::Stopped
        )
    }
}

/// A number's state, for the initial badges.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumberState {
    pub id: i64,
    pub state: AccountState,
}

/// Records a state the runtime reported for number `id` and announces it; returns the
/// state shown (a Working session of an account another number answers shows failed).
pub async fn state_changed(core: &Leadline, id: i64, state: AccountState) -> Result<AccountState> {
    let now = core.now_ms();
    let recorded = state.clone();
    let shown = core
            .store
            .call(move |conn| {
                let Some(number) = accounts::get(conn, id)? else {
                    // Removed while its browser was stopping: nothing to record.
                    return Ok(recorded);
                };
                match &recorded {
                    AccountState::Working { me } if number.wa_id.as_deref() != Some(me.as_str()) => {
                        match accounts::set_linked(conn, id, me, now) {
                            Ok(()) => {
                                activity::record(conn, Some(id), &Activity::NumberLinked { name: number.name.clone(), phone: shown_number(me) }, now)?;
                                Ok(recorded)
                            }
                            Err(e) if is_unique_violation(&e) => {
                                // One WhatsApp account, one answering number: this session
                                // is refused (the runner stops it) and the owner told which
                                // number answers.
                                let answering = accounts::name_of_other_with_wa_id(conn, me, id)?;
                                let answering = answering.unwrap_or_default();
                                activity::record(conn, Some(id), &Activity::NumberDuplicate { name: number.name.clone(), phone: shown_number(me), answering: answering.clone() }, now)?;
                                Ok(AccountState::failed(text!(
                                    "wa.linked_twice",
                                    "WhatsApp {phone} is already linked in Leadline as “{answering}”, which answers its customers; this one was stopped. Unlink one of them.",
                                    phone = shown_number(me),
                                    answering = answering
                                )))
                            }
                            Err(e) => Err(e.into()),
                        }
                    }
                    // Only a linked number can be logged out (an unlinked one was the owner's choice).
                    AccountState::LoggedOut if number.link_state == crate::model::number::LinkState::Linked => {
                        accounts::set_logged_out(conn, id, now)?;
                        activity::record(conn, Some(id), &Activity::NumberLoggedOut { name: number.name.clone() }, now)?;
                        Ok(recorded)
                    }
                    // A browser or connection failure, and the recovery after it, go in the
                    // audit log once each (a failure repeated while retrying is one entry).
                    AccountState::Failed { reason, .. } => {
                        if activity::last_connection_kind(conn, id)? != Some(ActivityKind::NumberFailed) {
                            activity::record(conn, Some(id), &Activity::NumberFailed { name: number.name.clone(), reason: reason.clone() }, now)?;
                        }
                        Ok(recorded)
                    }
                    AccountState::Working { .. } => {
                        if activity::last_connection_kind(conn, id)? == Some(ActivityKind::NumberFailed) {
                            activity::record(conn, Some(id), &Activity::NumberRecovered { name: number.name.clone() }, now)?;
                        }
                        Ok(recorded)
                    }
                    _ => Ok(recorded),
                }
            })
            .await?;
    if matches!(
        shown,
        AccountState::Working { .. } | AccountState::LoggedOut
    ) {
        if let Some(number) = core
            .store
            .call(move |conn| Ok(accounts::get(conn, id)?))
            .await?
        {
            (core.events)(CoreEvent::NumberUpserted(number));
        }
    }
    (core.events)(CoreEvent::AccountStatus {
        id,
        state: shown.clone(),
    });
    Ok(shown)
}

/// The owner unlinked number `id`: it forgets its WhatsApp id and needs a new QR.
pub async fn unlinked(core: &Leadline, id: i64) -> Result<()> {
    let now = core.now_ms();
    let number = core
        .store
        .call(move |conn| {
            let Some(number) = accounts::get(conn, id)? else {
                return Ok(None);
            };
            accounts::set_unlinked(conn, id, now)?;
            activity::record(
                conn,
                Some(id),
                &Activity::NumberUnlinked {
                    name: number.name.clone(),
                },
                now,
            )?;
            Ok(accounts::get(conn, id)?)
        })
        .await?;
    if let Some(number) = number {
        (core.events)(CoreEvent::NumberUpserted(number));
    }
    (core.events)(CoreEvent::AccountStatus {
        id,
        state: AccountState::Stopped,
    });
    Ok(())
}

/// Records which WhatsApp Web number `id`'s page runs and what of it the bridge can't use;
/// a new build, one outside the tested range, or newly missing parts go in the audit log,
/// and the window hears of it with the number.
pub async fn page_changed(core: &Leadline, id: i64, info: PageInfo) -> Result<()> {
    let Some(version) = info.version.clone() else {
        return Ok(());
    };
    if !info.tested {
        tracing::warn!(account = id, %version, "WhatsApp Web build outside the range the bridge was checked against");
    }
    if !info.missing.is_empty() {
        tracing::warn!(account = id, missing = ?info.missing, "WhatsApp Web lacks parts the bridge uses");
    }
    let now = core.now_ms();
    let changed = core
        .store
        .call(move |conn| {
            let Some(number) = accounts::get(conn, id)? else {
                return Ok(None);
            };
            let same_version = number.wa_version.as_deref() == Some(version.as_str());
            let same_missing = number.wa_missing_features == info.missing;
            if same_version && same_missing {
                return Ok(None);
            }
            accounts::set_page(conn, id, &version, info.tested, &info.missing, now)?;
            if !same_version {
                activity::record(
                    conn,
                    Some(id),
                    &Activity::WaVersion {
                        name: number.name.clone(),
                        version: version.clone(),
                        tested: info.tested,
                    },
                    now,
                )?;
            }
            if !same_missing && !info.missing.is_empty() {
                let features = info.missing.join(", ");
                activity::record(
                    conn,
                    Some(id),
                    &Activity::WaFeaturesMissing {
                        name: number.name.clone(),
                        features: features.clone(),
                    },
                    now,
                )?;
            }
            Ok(accounts::get(conn, id)?)
        })
        .await?;
    if let Some(number) = changed {
        (core.events)(CoreEvent::NumberUpserted(number));
    }
    Ok(())
}

/// The limits WhatsApp puts on number `id` changed (§5.2): kept with the number, written in
/// the audit log with the timelock's end in the owner's local time, and announced. Nothing
/// is restarted, re-linked or logged out over a limit.
pub async fn limits_changed(core: &Leadline, id: i64, limits: Limits) -> Result<()> {
    let now = core.now_ms();
    let changed = core
        .store
        .call(move |conn| {
            let Some(before) = accounts::get(conn, id)? else {
                return Ok(None);
            };
            if !accounts::set_limits(conn, id, &limits, now)? {
                return Ok(None);
            }
            let was = before.limits;
            let change = if limits.timelocked
                && (!was.timelocked || was.timelock_ends_at != limits.timelock_ends_at)
            {
                Some(LimitChange::Timelocked)
            } else if limits.capped && !was.capped {
                Some(LimitChange::Capped)
            } else if !limits.any() && was.any() {
                Some(LimitChange::Lifted)
            } else {
                None
            };
            if let Some(limit) = change {
                let until = match limit {
                    LimitChange::Timelocked => limits.timelock_ends_at.and_then(local_minute),
                    _ => None,
                };
                activity::record(
                    conn,
                    Some(id),
                    &Activity::NumberLimited {
                        name: before.name.clone(),
                        limit,
                        until,
                    },
                    now,
                )?;
            }
            Ok(accounts::get(conn, id)?)
        })
        .await?;
    if let Some(number) = changed {
        tracing::info!(
            account = id,
            timelocked = number.limits.timelocked,
            capped = number.limits.capped,
            "WhatsApp's limits on the number changed"
        );
        (core.events)(CoreEvent::NumberUpserted(number));
    }
    Ok(())
}

/// A customer's message stayed encrypted after WhatsApp was asked to send it again: the
/// owner learns that someone wrote and should look on the phone.
pub async fn unreadable(core: &Leadline, id: i64, chat: String) -> Result<()> {
    tracing::warn!(account = id, "a message could not be decrypted");
    let now = core.now_ms();
    core.store
        .call(move |conn| {
            let Some(number) = accounts::get(conn, id)? else {
                return Ok(());
            };
            let who = shown_number(&chat);
            activity::record(
                conn,
                Some(id),
                &Activity::MessageUnreadable {
                    name: number.name.clone(),
                    phone: who.clone(),
                },
                now,
            )?;
            Ok(())
        })
        .await
}
