//! Voice-note transcription on this computer, one `BENCH <name> <value> <unit>` line per
//! figure. Run by `scripts/bench.sh voice` (or the whole benchmark), which speaks the notes
//! with espeak-ng and encodes them with opusenc; not shipped.
//!
//!   leadline-bench-voice [--suffix=_NAME] MODEL NOTE.ogg …
//!
//! With `--suffix`, each figure's name ends with it (a second model measured in the run).
//! - `media_transcribe_local_rtf`: transcription seconds per second of audio (decode
//!   included), the median over the notes, with the app's thread choice for this machine.
//! - `media_transcribe_local_peak_rss`: this process's peak resident memory after them all
//!   (the model loaded once, as the app keeps it).
//! - `media_transcribe_local_load_ms`: loading the model.

use std::path::Path;
use std::time::Instant;

use leadline_voice::decode;
use leadline_voice::whisper::{Listen, Whisper, threads_for};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let suffix = match args.first().and_then(|a| a.strip_prefix("--suffix=")) {
        Some(suffix) => {
            let suffix = suffix.to_string();
            args.remove(0);
            suffix
        }
        None => String::new(),
    };
    let Some((model, notes)) = args.split_first() else {
        eprintln!("usage: leadline-bench-voice [--suffix=_NAME] MODEL NOTE.ogg …");
        std::process::exit(2);
    };
    let started = Instant::now();
    let whisper = match Whisper::load(Path::new(model)) {
        Ok(whisper) => whisper,
        Err(error) => {
            eprintln!("the model did not load: {error}");
            std::process::exit(1);
        }
    };
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let listen = Listen {
        threads: threads_for(cores),
        language: None,
    };
    let mut ratios = Vec::new();
    for note in notes {
        let Ok(bytes) = std::fs::read(note) else {
            eprintln!("cannot read {note}");
            std::process::exit(1);
        };
        let started = Instant::now();
        let heard = decode::ogg_opus(&bytes, 600)
            .map_err(leadline_voice::error::TranscribeError::from)
            .and_then(|pcm| whisper.transcribe(&pcm, &listen));
        let heard = match heard {
            Ok(heard) => heard,
            Err(error) => {
                eprintln!("{note}: {error}");
                std::process::exit(1);
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        let ratio = seconds / f64::from(heard.audio_seconds);
        eprintln!(
            "[bench-voice] {note}: {:.1} s of audio in {seconds:.2} s (RTF {ratio:.3}), heard [{}] {}",
            heard.audio_seconds, heard.language, heard.text
        );
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
    println!("BENCH media_transcribe_local_rtf{suffix} {median:.3} s/s");
    println!(
        "BENCH media_transcribe_local_peak_rss{suffix} {:.0} MiB",
        peak_rss_mib()
    );
    println!("BENCH media_transcribe_local_load_ms{suffix} {load_ms:.0} ms");
    println!(
        "BENCH media_transcribe_local_threads{suffix} {} threads",
        listen.threads
    );
}

/// VmHWM from /proc/self/status, in MiB (0 where there is no /proc).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}
