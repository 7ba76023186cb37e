//! Logs go to daily-rotated files in the OS log dir, and to stderr in debug builds.
//!
//! Logs never carry customers: no message text, contact name, phone number or QR string at
//! the default level, and every line of the daily files is scrubbed of WhatsApp ids and
//! phone-like numbers anyway, in case an error's text carried one. What the owner's
//! "Detailed logs" switch adds (`detailed()`, logged under the `DETAILED` target: page
//! reports, states with their QR) goes only to a file of its own, never to the daily files,
//! and that file is deleted when the window ends (switched off, or its day over).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock};

pub use tracing_appender::non_blocking::WorkerGuard as LogGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

/// The target of what is logged only while detailed logs are on: `tracing::info!(target:
/// DETAILED, …)`. Those lines go to the detailed file alone.
pub const DETAILED: &str = "leadline::detailed";

/// The detailed-logs window's file, in the log folder.
const DETAILED_FILE: &str = "leadline-detailed.log";

/// How many daily files to keep: a week of history is enough to debug a customer report.
const KEPT_LOG_FILES: usize = 7;

/// The longest detailed logs stay on after the owner turns them on.
pub const DETAILED_FOR_MS: i64 = 24 * 60 * 60 * 1000;

/// Until when (unix ms) detailed logs are on; 0: off.
static DETAILED_UNTIL: AtomicI64 = AtomicI64::new(0);

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Turns detailed logs on until `until_ms` (at most a day from now), or off with `None`
/// (the detailed file deleted).
pub fn set_detailed_until(until_ms: Option<i64>) {
    let until = until_ms
        .map(|until| until.min(now_ms().saturating_add(DETAILED_FOR_MS)))
        .unwrap_or(0);
    DETAILED_UNTIL.store(until, Ordering::Relaxed);
    if detailed() {
        tracing::info!(until_ms = until, "detailed logs are on");
    } else {
        end_detailed_window();
        tracing::info!("detailed logs are off");
    }
}

/// The detailed file of this run, once logging started.
static DETAILED_COPY: OnceLock<DetailedFile> = OnceLock::new();

fn end_detailed_window() {
    if let Some(copy) = DETAILED_COPY.get() {
        copy.end();
    }
}

/// The detailed-logs window's own file: appended to while the window is open, deleted when
/// it ends.
struct DetailedFile {
    path: PathBuf,
    file: Mutex<Option<std::fs::File>>,
    /// Whether the file may exist (so the daily writer's check costs an atomic read).
    written: AtomicBool,
}

impl DetailedFile {
    fn new(path: PathBuf) -> DetailedFile {
        DetailedFile {
            // What an earlier run left is gone unless the window is still open.
            written: AtomicBool::new(path.exists()),
            path,
            file: Mutex::new(None),
        }
    }

    fn append(&self, buf: &[u8]) -> std::io::Result<()> {
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if file.is_none() {
            *file = Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)?,
            );
            self.written.store(true, Ordering::Relaxed);
        }
        match file.as_mut() {
            Some(file) => file.write_all(buf),
            None => Ok(()),
        }
    }

    /// The window ended: the file is deleted.
    fn end(&self) {
        if !self.written.swap(false, Ordering::Relaxed) {
            return;
        }
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *file = None;
        if let Err(e) = std::fs::remove_file(&self.path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("Leadline could not delete its detailed log: {e}");
            }
        }
    }
}

/// Writes to the detailed file while the window is open (and nothing otherwise).
#[derive(Clone, Copy)]
struct ToDetailedFile;

impl<'a> MakeWriter<'a> for ToDetailedFile {
    type Writer = ToDetailedFile;

    fn make_writer(&'a self) -> Self::Writer {
        ToDetailedFile
    }
}

impl Write for ToDetailedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(copy) = DETAILED_COPY.get().filter(|_| detailed()) {
            copy.append(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether the owner asked for detailed logs (message texts, names, numbers, QR codes) and
/// the day they asked for has not ended.
pub fn detailed() -> bool {
    now_ms() < DETAILED_UNTIL.load(Ordering::Relaxed)
}

/// Starts logging into `log_dir`. Keep the returned guard alive for the life of the app:
/// dropping it flushes and stops the writer thread.
pub fn init(log_dir: &Path) -> Result<LogGuard, String> {
    std::fs::create_dir_all(log_dir).map_err(|e| {
        format!(
            "Leadline can't create its log folder {}: {e}",
            log_dir.display()
        )
    })?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("leadline")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(log_dir)
        .map_err(|e| format!("Leadline can't write logs in {}: {e}", log_dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);

    let _ = DETAILED_COPY.set(DetailedFile::new(log_dir.join(DETAILED_FILE)));
    let filter = EnvFilter::try_from_env("LEADLINE_LOG")
        // The updater plugin logs a check that can't reach its server as an ERROR (every
        // start offline); Leadline logs each update failure itself, at its level
        // (commands::updates).
        .unwrap_or_else(|_| {
            EnvFilter::new("info,leadline=debug,leadline_core=debug,tauri_plugin_updater=off")
        });
    let not_detailed = || filter_fn(|meta| meta.target() != DETAILED);
    let file_layer = fmt::layer()
        .with_writer(Scrubbed(writer))
        .with_ansi(false)
        .with_filter(not_detailed());
    let stderr_layer = cfg!(debug_assertions).then(|| {
        fmt::layer()
            .with_writer(Scrubbed(std::io::stderr))
            .with_filter(not_detailed())
    });
    // Everything, unscrubbed, while the window is open.
    let detailed_layer = fmt::layer()
        .with_writer(ToDetailedFile)
        .with_ansi(false)
        .with_filter(filter_fn(|_| detailed()));
    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .with(detailed_layer)
        .try_init()
        .map_err(|e| format!("logging was already started: {e}"))?;
    Ok(guard)
}

/// A log writer that scrubs each line before it is written.
#[derive(Clone)]
struct Scrubbed<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Scrubbed<M> {
    type Writer = ScrubbedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedWriter(self.0.make_writer())
    }
}

struct ScrubbedWriter<W>(W);

impl<W: Write> Write for ScrubbedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !detailed() {
            // The window's day may have ended since the last line.
            end_detailed_window();
        }
        // The formatter hands over one whole event per write: scrub it as text.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(scrub(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// WhatsApp's id servers: what comes before `@` in such an id is a person or a group.
const WA_SERVERS: [&str; 6] = [
    "c.us",
    "lid",
    "g.us",
    "s.whatsapp.net",
    "broadcast",
    "newsletter",
];

/// `text` without WhatsApp ids (`34600111222@c.us`) and phone-like numbers (8 digits or
/// more, spaces and dashes allowed after a `+`); build numbers such as `2.3000.1045818043`
/// and times stay.
pub fn scrub(text: &str) -> String {
    scrub_numbers(&scrub_ids(text))
}

fn scrub_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let after = &after[1..];
        match WA_SERVERS.iter().find(|s| after.starts_with(*s)) {
            Some(server) => {
                while out
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || ".-+:".contains(c))
                {
                    out.pop();
                }
                out.push_str("<wa-id>");
                rest = &after[server.len()..];
            }
            None => {
                out.push('@');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn scrub_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number =
            c.is_ascii_digit() || (c == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        let after_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.');
        if !starts_number || after_word {
            out.push(c);
            i += 1;
            continue;
        }
        let plus = c == '+';
        let mut j = if plus { i + 1 } else { i };
        let mut digits = 0;
        while let Some(&next) = chars.get(j) {
            let joiner = plus
                && (next == ' ' || next == '-')
                && chars.get(j + 1).is_some_and(char::is_ascii_digit);
            if next.is_ascii_digit() {
                digits += 1;
            } else if !joiner {
                break;
            }
            j += 1;
        }
        let part_of_version = chars.get(j) == Some(&'.');
        if digits >= 8 && !part_of_version {
            out.push_str("<number>");
        } else {
            out.extend(&chars[i..j]);
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{DetailedFile, scrub};

    #[test]
    fn the_detailed_file_is_deleted_when_the_window_ends() {
        let dir = tempfile::tempdir().unwrap();
        let copy = DetailedFile::new(dir.path().join("leadline-detailed.log"));
        copy.append(b"page report: Hola, soy Ana\n").unwrap();
        copy.append(b"number state: ScanQr { qr: \"2@abc\" }\n")
            .unwrap();
        let written = std::fs::read_to_string(&copy.path).unwrap();
        assert!(written.contains("soy Ana") && written.contains("2@abc"));
        copy.end();
        assert!(!copy.path.exists(), "deleted when the window ends");
        copy.end();
        // A file an earlier run left behind goes at the first end too.
        std::fs::write(&copy.path, "left behind").unwrap();
        DetailedFile::new(copy.path.clone()).end();
        assert!(!copy.path.exists());
    }

    #[test]
    fn ids_and_phone_numbers_are_scrubbed_and_the_rest_stays() {
        assert_eq!(
            scrub("chat=34600111222@c.us from 98765432101234@lid in 120363000000000001@g.us"),
            "chat=<wa-id> from <wa-id> in <wa-id>"
        );
        assert_eq!(
            scrub("call +34 600 111 222 or 0034600111222, id 3EB0ABCDEF"),
            "call <number> or <number>, id 3EB0ABCDEF"
        );
        assert_eq!(
            scrub(
                "2026-12-01T21:10:21.123456Z INFO WhatsApp Web 2.3000.1045818043 account=12 pid=4242"
            ),
            "2026-12-01T21:10:21.123456Z INFO WhatsApp Web 2.3000.1045818043 account=12 pid=4242"
        );
        assert_eq!(scrub("true_34600111222@c.us_3EB0A1"), "true_<wa-id>_3EB0A1");
        assert_eq!(scrub("ünïcode 😀 مرحبا"), "ünïcode 😀 مرحبا");
    }
}
