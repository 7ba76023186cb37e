//! The owner's WhatsApp numbers: add, rename, remove, list.

use serde::Serialize;
use ts_rs::TS;

use crate::Leadline;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::store::{StoreError, account_settings, accounts, activity};
use crate::text;

/// Longest name we accept, in characters: it has to fit in a sidebar and a notification.
pub const MAX_NAME_CHARS: usize = 60;

/// Whether WhatsApp knows this number as linked, as last seen. The live state of its
/// browser comes from the runtime; this is what survives a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Added in Leadline, never linked: the owner still has to scan a QR.
    Unlinked,
    Linked,
    /// Was linked, then WhatsApp logged it out (from the phone, or expired): link again.
    LoggedOut,
}

impl LinkState {
    pub(crate) fn from_db(s: &str) -> LinkState {
        match s {
            "linked" => LinkState::Linked,
            "logged_out" => LinkState::LoggedOut,
            _ => LinkState::Unlinked,
        }
    }
}

/// A number as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WaNumber {
    pub id: i64,
    pub name: String,
    /// WhatsApp's id for the number once linked (e.g. `15551234567@c.us`).
    pub wa_id: Option<String>,
    pub link_state: LinkState,
    /// Unix milliseconds.
    pub created_at: i64,
    /// How many conversations and leads removing it would delete.
    pub chat_count: i64,
    pub lead_count: i64,
    /// The WhatsApp Web build its page ran when last seen (`Debug.VERSION`).
    pub wa_version: Option<String>,
    /// Whether Leadline's bridge was checked against that build (true while unknown).
    pub wa_version_tested: bool,
    /// Parts of the bridge that build lacked (names of inject.js's features).
    pub wa_missing_features: Vec<String>,
}

/// Characters that take no space: a name made only of these (and spaces) is empty.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Checks a name the owner typed and returns it tidied (outer spaces removed).
pub fn clean_name(raw: &str) -> Result<String> {
    let name = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if name.is_empty() {
        return Err(Error::InvalidInput(text!(
            "number.name_empty",
            "Give the number a name, for example “Shop” or “Sales line”."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(text!(
            "number.name_one_line",
            "A name must fit on one line: remove line breaks and tabs."
        )));
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(Error::InvalidInput(text!(
            "number.name_too_long",
            "That name is {length} characters long; keep it to {max} or fewer.",
            length = length,
            max = MAX_NAME_CHARS
        )));
    }
    Ok(name.to_string())
}

fn duplicate(name: &str) -> Error {
    Error::Conflict(text!(
        "number.name_taken",
        "You already have a number called “{name}”. Pick another name.",
        name = name
    ))
}

fn missing() -> Error {
    Error::NotFound(text!(
        "number.gone",
        "That number no longer exists. The list has been refreshed."
    ))
}

/// Turns a unique-name violation into the owner's words.
fn name_clash(name: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| {
        let e = StoreError::Sqlite(e);
        if e.is_unique_violation() {
            duplicate(name)
        } else {
            Error::Store(e)
        }
    }
}

impl Leadline {
    pub async fn numbers(&self) -> Result<Vec<WaNumber>> {
        self.store.call(|conn| Ok(accounts::list(conn)?)).await
    }

    pub async fn add_number(&self, name: &str) -> Result<WaNumber> {
        let name = clean_name(name)?;
        let now = self.clock.now_ms();
        let number = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let id = accounts::insert(&tx, &name, now).map_err(name_clash(&name))?;
                account_settings::create_defaults(&tx, id, now)?;
                activity::insert_with(
                    &tx,
                    Some(id),
                    "number_added",
                    &format!("Added number “{name}”"),
                    &[("name", &name)],
                    now,
                )?;
                let number = accounts::get(&tx, id)?.ok_or_else(missing)?;
                tx.commit()?;
                Ok(number)
            })
            .await?;
        tracing::info!(id = number.id, "number added");
        (self.events)(CoreEvent::NumberUpserted(number.clone()));
        Ok(number)
    }

    pub async fn rename_number(&self, id: i64, name: &str) -> Result<WaNumber> {
        let name = clean_name(name)?;
        let now = self.clock.now_ms();
        let number = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let old = accounts::get(&tx, id)?.ok_or_else(missing)?;
                if old.name == name {
                    return Ok(old);
                }
                accounts::rename(&tx, id, &name, now).map_err(name_clash(&name))?;
                let message = format!("Renamed number “{}” to “{name}”", old.name);
                activity::insert_with(
                    &tx,
                    Some(id),
                    "number_renamed",
                    &message,
                    &[("from", &old.name), ("name", &name)],
                    now,
                )?;
                let number = accounts::get(&tx, id)?.ok_or_else(missing)?;
                tx.commit()?;
                Ok(number)
            })
            .await?;
        (self.events)(CoreEvent::NumberUpserted(number.clone()));
        Ok(number)
    }

    /// Removes the number with its conversations, messages, leads and webhook (its address
    /// and its secret in the keychain). Its id is never given to another number.
    pub async fn remove_number(&self, id: i64) -> Result<()> {
        let now = self.clock.now_ms();
        let webhook_key = Self::webhook_key(id);
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let old = accounts::get(&tx, id)?.ok_or_else(missing)?;
                accounts::delete(&tx, id)?;
                crate::store::app_settings::delete(&tx, &webhook_key)?;
                let message = format!(
                    "Removed number “{}” with {} conversations and {} leads",
                    old.name, old.chat_count, old.lead_count
                );
                activity::insert_with(
                    &tx,
                    None,
                    "number_removed",
                    &message,
                    &[
                        ("name", &old.name),
                        ("chats", &old.chat_count.to_string()),
                        ("leads", &old.lead_count.to_string()),
                    ],
                    now,
                )?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        if let Err(e) = self.forget_webhook(id).await {
            // Keyed by an id no number gets again, so it can never pass to another one.
            tracing::warn!(id, error = %e, "a removed number's webhook secret stayed in the keychain");
        }
        tracing::info!(id, "number removed");
        (self.events)(CoreEvent::NumberRemoved { id });
        Ok(())
    }
}

impl Leadline {
    /// One number, or `NotFound` when it was removed.
    pub async fn number(&self, id: i64) -> Result<WaNumber> {
        self.store
            .call(move |conn| accounts::get(conn, id)?.ok_or_else(missing))
            .await
    }
}
