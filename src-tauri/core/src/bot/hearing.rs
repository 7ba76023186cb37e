//! A customer's voice note heard, off the message path: once its file is kept
//! (`bot::media`), it is transcribed in a task of its own (on this computer, or by the
//! owner's provider: `by_provider`), so a slow hearing never holds up another chat. The
//! chat's turn waits while a note of it is pending (`pipeline::answer_chat`), then answers
//! the words like text. A note that can't be heard is left for the owner, who is told
//! (never an answer made up without it).

use std::time::Duration;

use super::handle::Bot;
use super::inbox::Scope;
use super::reply::{self, Failing};
use super::turns::debounce;
use super::{by_provider, media, pipeline};
use crate::error::Result;
use std::sync::Arc;

use crate::media::hearing::{Heard, Hearer, Hearing, NotHeard};
use crate::model::inbox::UNDECIDED;
use crate::model::media::MediaState;
use crate::model::message_kind::MessageKind;
use crate::model::transcript::HearingState;
use crate::store::{media as media_files, messages, transcripts};
use crate::text;

/// The longest a hearing may take before the note is left for the owner. whisper.cpp can't
/// be stopped mid-note, so a late result is dropped; 5 minutes is a ten-minute note on a
/// slow laptop.
pub const HEAR_TIMEOUT: Duration = Duration::from_secs(300);

/// Whether the app hears voice notes now (set up by the owner).
pub fn on(bot: &Bot) -> bool {
    bot.hearing.get().is_some()
}

/// A customer's media message stored: its file fetched in the background, then, for a
/// voice note waiting to be heard, heard; a photo's chat is answered once its file is there
/// (its turn waited for it). `photo`: it is a photo.
pub fn fetch_then_hear(bot: &Bot, message_id: i64, photo: bool) {
    // A photo that is slow to come holds its chat's answer only so long: then the turn
    // goes on without it (a turn that already ran finds nothing left to answer).
    if photo {
        let waited = bot.clone();
        tokio::spawn(async move {
            crate::clock::pause(waited.tuning.photo_wait).await;
            if let Err(e) = answer_after_photo(&waited, message_id).await {
                tracing::warn!(message_id, error = %e, "could not answer a chat after its photo");
            }
        });
    }
    let bot = bot.clone();
    tokio::spawn(async move {
        if let Err(e) = media::fetch(&bot, message_id).await {
            tracing::warn!(message_id, error = %e, "could not fetch a media file");
        }
        if let Err(e) = answer_after_photo(&bot, message_id).await {
            tracing::warn!(message_id, error = %e, "could not answer a chat after its photo");
        }
        if let Err(e) = hear(&bot, message_id).await {
            tracing::warn!(message_id, error = %e, "could not hear a voice note");
        }
    });
}

/// The owner's "Try again" on message `message_id`'s file: fetched again in the
/// background; a voice note that wasn't heard for want of its file is heard once it is
/// kept, its words shown to the owner (its row stays theirs: they were told to answer it).
pub fn fetch_again(bot: &Bot, message_id: i64) {
    let bot = bot.clone();
    tokio::spawn(async move {
        if let Err(e) = media::fetch(&bot, message_id).await {
            tracing::warn!(message_id, error = %e, "could not fetch a media file");
            return;
        }
        if !on(&bot) {
            return;
        }
        let now = bot.now_ms();
        let again = bot
            .store()
            .call(move |conn| Ok(transcripts::hear_again(conn, message_id, now)?))
            .await;
        match again {
            Ok(true) => {
                if let Err(e) = hear(&bot, message_id).await {
                    tracing::warn!(message_id, error = %e, "could not hear a voice note");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(message_id, error = %e, "could not hear a voice note"),
        }
    });
}

/// Hears message `message_id` if it waits to be: its words stored and its chat answered,
/// or why not.
pub async fn hear(bot: &Bot, message_id: i64) -> Result<()> {
    let note = bot
        .store()
        .call(move |conn| {
            let pending = transcripts::get(conn, message_id)?
                .is_some_and(|t| t.state == HearingState::Pending);
            let Some(message) = messages::get(conn, message_id)?.filter(|_| pending) else {
                return Ok(None);
            };
            let file = media_files::of_messages(conn, &[message_id])?.pop();
            Ok(Some((message.account_id, file.map(|f| f.file.state))))
        })
        .await?;
    let account_id = match note {
        // Heard already, or never to be.
        None => return Ok(()),
        // Its file is still on its way: the fetch hears it once it is kept (`fetch_then_hear`).
        Some((_, None | Some(MediaState::Pending))) => return Ok(()),
        Some((_, Some(MediaState::Failed))) => return not_heard(bot, message_id, "no_file").await,
        Some((account_id, Some(MediaState::Stored))) => account_id,
    };
    // Not loaded yet (the app starting): it waits, and is heard once it is
    // (`App::set_hearing`).
    let Some(hearer) = bot.hearing.get() else {
        return Ok(());
    };
    let Ok(audio) = media::file_bytes(bot, message_id).await else {
        return not_heard(bot, message_id, "no_file").await;
    };
    let heard = match hearer {
        Hearer::Local(hearing) => hear_here(hearing, audio).await,
        Hearer::Provider(provider) => {
            by_provider::hear(bot, account_id, &provider, audio, HEAR_TIMEOUT).await
        }
    };
    let (heard, engine) = match heard {
        Ok(heard) => heard,
        Err(reason) => return not_heard(bot, message_id, reason).await,
    };
    tracing::info!(
        audio_ms = heard.audio_ms,
        took_ms = heard.took_ms,
        language = heard.language.as_str(),
        "a voice note was heard"
    );
    let now = bot.now_ms();
    let chat = bot
        .store()
        .call(move |conn| {
            let stored = transcripts::done(
                conn,
                message_id,
                &transcripts::Heard {
                    text: &heard.text,
                    language: Some(heard.language.as_str()).filter(|l| !l.is_empty()),
                    engine: &engine,
                    audio_ms: heard.audio_ms,
                    took_ms: heard.took_ms,
                },
                now,
            )?;
            Ok(stored
                .then(|| messages::get(conn, message_id))
                .transpose()?
                .flatten()
                .map(|m| (m.account_id, m.chat_id)))
        })
        .await?;
    if let Some((account_id, chat_id)) = chat {
        bot.core.chat_changed(account_id, chat_id);
        answer(bot, account_id, chat_id);
    }
    Ok(())
}

/// Hears `audio` with whatever is on this computer, in a blocking task of its own; what
/// was heard and by what, or why not.
async fn hear_here(
    hearing: Arc<dyn Hearing>,
    audio: Vec<u8>,
) -> std::result::Result<(Heard, String), &'static str> {
    let engine = hearing.engine();
    let heard = tokio::time::timeout(
        HEAR_TIMEOUT,
        tokio::task::spawn_blocking(move || hearing.hear(&audio)),
    )
    .await;
    match heard {
        Err(_) => Err("timeout"),
        Ok(Err(_)) => Err(NotHeard::Failed.reason()),
        Ok(Ok(Err(why))) => Err(why.reason()),
        Ok(Ok(Ok(heard))) => Ok((heard, engine)),
    }
}

/// The note can't be heard (`reason`): recorded, its row left for the owner, who is told
/// once, and the chat's other messages answered.
pub async fn not_heard(bot: &Bot, message_id: i64, reason: &'static str) -> Result<()> {
    let now = bot.now_ms();
    let chat = bot
        .store()
        .call(move |conn| {
            if !transcripts::failed(conn, message_id, reason, now)? {
                return Ok(None);
            }
            Ok(messages::get(conn, message_id)?.map(|m| (m.account_id, m.chat_id)))
        })
        .await?;
    let Some((account_id, chat_id)) = chat else {
        return Ok(());
    };
    tracing::info!(reason, "a voice note could not be heard");
    reply::give_up(
        bot,
        account_id,
        message_id,
        chat_id,
        UNDECIDED,
        why_not_heard(reason),
        Failing::Ai,
    )
    .await?;
    bot.core.chat_changed(account_id, chat_id);
    answer(bot, account_id, chat_id);
    Ok(())
}

/// A photo's file fetched (or not): its chat's turn, which waited for it, goes on once the
/// customer's burst is over (its debounce counted from their newest message; a turn that
/// already ran finds nothing left to answer).
async fn answer_after_photo(bot: &Bot, message_id: i64) -> Result<()> {
    let photo = bot
        .store()
        .call(move |conn| {
            let Some(m) = messages::get(conn, message_id)?.filter(|m| m.kind == MessageKind::Image)
            else {
                return Ok(None);
            };
            let newest = messages::newest_from_customer(conn, m.chat_id)?;
            Ok(Some((m.account_id, m.chat_id, newest.unwrap_or_default())))
        })
        .await?;
    let Some((account_id, chat_id, newest)) = photo else {
        return Ok(());
    };
    let debounce = i64::try_from(debounce(bot, account_id).await.as_millis()).unwrap_or(i64::MAX);
    let left = (newest.saturating_add(debounce) - bot.now_ms()).max(0);
    crate::clock::pause(Duration::from_millis(u64::try_from(left).unwrap_or(0))).await;
    answer(bot, account_id, chat_id);
    Ok(())
}

/// The chat's turn, now that it no longer waits for the note.
fn answer(bot: &Bot, account_id: i64, chat_id: i64) {
    let bot = bot.clone();
    tokio::spawn(async move {
        if let Err(e) = pipeline::answer_chat(&bot, account_id, chat_id, Scope::All).await {
            tracing::warn!(error = %e, "a chat's turn after a voice note failed");
        }
    });
}

/// The notes waiting to be heard (a restart's, or stored before the model was loaded) are
/// heard now: each one's file fetched first if it isn't kept (a download a restart cut
/// short is tried once more), then heard, or left for the owner without one. A note whose
/// file is on its way is heard by that fetch.
pub async fn resume(bot: &Bot) -> Result<()> {
    let waiting = bot
        .store()
        .call(|conn| Ok(transcripts::all_waiting(conn)?))
        .await?;
    for note in waiting {
        fetch_then_hear(bot, note.message_id, false);
    }
    Ok(())
}

/// Hearing was turned off: the notes still waiting are left for the owner (`reason`).
pub async fn leave_waiting(bot: &Bot, reason: &'static str) -> Result<()> {
    let waiting = bot
        .store()
        .call(|conn| Ok(transcripts::all_waiting(conn)?))
        .await?;
    for note in waiting {
        not_heard(bot, note.message_id, reason).await?;
    }
    Ok(())
}

/// Why a note was left for the owner, in their words, with what to do.
fn why_not_heard(reason: &str) -> crate::text::Text {
    match reason {
        "no_file" => text!(
            "bot.voice_no_file",
            "Leadline couldn't get this voice note's file from WhatsApp, so it wasn't heard: listen to it on the phone and answer the customer yourself."
        ),
        "not_sound" => text!(
            "bot.voice_not_sound",
            "This voice note isn't sound Leadline can read, so it wasn't answered: listen to it in Conversations and answer the customer yourself."
        ),
        "too_long" => text!(
            "bot.voice_too_long",
            "This voice note is longer than Leadline hears (10 minutes): listen to it in Conversations and answer the customer yourself."
        ),
        "timeout" => text!(
            "bot.voice_timeout",
            "Hearing this voice note took too long, so it wasn't answered: listen to it in Conversations and answer the customer yourself."
        ),
        "provider_key" => text!(
            "bot.voice_provider_key",
            "Your AI provider refused Leadline's key, so this voice note wasn't heard: check the key in Settings › AI providers, then listen to the note in Conversations and answer the customer yourself."
        ),
        "provider_down" => text!(
            "bot.voice_provider_down",
            "Your AI provider didn't answer in time, so this voice note wasn't heard: listen to it in Conversations and answer the customer yourself."
        ),
        "provider_refused" => text!(
            "bot.voice_provider_refused",
            "Your AI provider couldn't hear this voice note: listen to it in Conversations and answer the customer yourself."
        ),
        "no_provider" => text!(
            "bot.voice_no_provider",
            "The AI provider chosen to hear voice notes is gone or can't hear (Settings › Voice notes), so this one wasn't answered: listen to it in Conversations and answer the customer yourself."
        ),
        "spend_limit" => text!(
            "bot.voice_spend_limit",
            "The AI reached your spending limit for the hour, so this voice note wasn't heard: listen to it in Conversations and answer the customer yourself."
        ),
        "keychain" => text!(
            "bot.voice_keychain",
            "Leadline couldn't read your AI provider's key from this computer's keychain, so this voice note wasn't heard: unlock the keychain, then listen to the note in Conversations and answer the customer yourself."
        ),
        "off" | "no_model" => text!(
            "bot.voice_off",
            "Hearing voice notes is off (Settings › Voice notes), so this one wasn't answered: listen to it in Conversations and answer the customer yourself."
        ),
        _ => text!(
            "bot.voice_failed",
            "The speech model failed on this voice note, so it wasn't answered: listen to it in Conversations and answer the customer yourself."
        ),
    }
}
