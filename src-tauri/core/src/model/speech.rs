//! A speech model as Settings shows it: its file (size, memory, whether it is on this
//! computer, in use, whether this computer has the memory) and what it hears.

use serde::Serialize;
use ts_rs::TS;

use super::model_file::ModelFile;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpeechModel {
    #[serde(flatten)]
    pub file: ModelFile,
    /// Hears English only (the smallest); else every language.
    pub english_only: bool,
}
