//! Which WhatsApp Web a number's page runs, where it is, and whether this bridge was checked
//! against it.

use serde::Serialize;
use ts_rs::TS;

/// Where the driver opens WhatsApp Web; tests point it at the local fake.
pub const DEFAULT_URL: &str = "https://web.whatsapp.com/";

/// Lets anyone point the driver at another WhatsApp Web (the local fake, in tests).
pub const URL_ENV: &str = "LEADLINE_WA_URL";

/// The address to open: the one set in Settings, then `LEADLINE_WA_URL`, then WhatsApp's.
pub fn whatsapp_url(configured: Option<&str>) -> String {
    configured
        .map(str::to_string)
        .or_else(|| std::env::var(URL_ENV).ok())
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// The WhatsApp Web builds this bridge was checked against (WHATSAPP_WEB.md §1): the first
/// with the object-form `sendSeen`, and the build the contract was written from.
pub const TESTED_VERSIONS: (&str, &str) = ("2.3000.1031992593", "2.3000.1045818043");

/// What the page says of itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// `Debug.VERSION`, e.g. `2.3000.1045818043`.
    pub version: Option<String>,
    /// `WAWebBuildConstants.VERSION_STR`, when the page has it.
    pub build: Option<String>,
    /// Whether `version` is inside `TESTED_VERSIONS` (false when unknown).
    pub tested: bool,
    /// The bridge's features the page lacks (names of `inject.js`'s FEATURES table).
    pub missing: Vec<String>,
}

impl PageInfo {
    pub fn new(version: Option<String>, build: Option<String>, missing: Vec<String>) -> PageInfo {
        let tested = version.as_deref().is_some_and(version_tested);
        PageInfo {
            version,
            build,
            tested,
            missing,
        }
    }
}

/// `2.3000.1045818043` as numbers, for comparing builds; `None` for anything else.
fn version_parts(version: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = version.trim().split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// Whether a WhatsApp Web build is inside the range this bridge was checked against.
pub fn version_tested(version: &str) -> bool {
    let (Some(v), Some(low), Some(high)) = (
        version_parts(version),
        version_parts(TESTED_VERSIONS.0),
        version_parts(TESTED_VERSIONS.1),
    ) else {
        return false;
    };
    low <= v && v <= high
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_inside_the_tested_range_are_known() {
        assert!(version_tested("2.3000.1045818043"));
        assert!(version_tested("2.3000.1031992593"));
        assert!(version_tested("2.3000.1040000000"));
        assert!(
            !version_tested("2.3000.1029999999"),
            "older than the object-form sendSeen"
        );
        assert!(
            !version_tested("2.3000.1045818044"),
            "newer than the contract"
        );
        assert!(!version_tested("2.3001.0"));
        assert!(!version_tested(""));
        assert!(!version_tested("2.3000.x"));
    }
}
