//! The owner's WhatsApp numbers: add, rename, remove, list.

use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::model::activity::Activity;
use crate::model::number::WaNumber;
use crate::numbers::name::clean_name;
use crate::store::error::StoreError;
use crate::store::{account_settings, accounts, activity};
use crate::text;

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
                activity::record(
                    &tx,
                    Some(id),
                    &Activity::NumberAdded { name: name.clone() },
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
                activity::record(
                    &tx,
                    Some(id),
                    &Activity::NumberRenamed {
                        from: old.name.clone(),
                        name: name.clone(),
                    },
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
                activity::record(
                    &tx,
                    None,
                    &Activity::NumberRemoved {
                        name: old.name.clone(),
                        chats: old.chat_count,
                        leads: old.lead_count,
                    },
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
