//! This computer's memory, to tell the owner before a download whether a model will fit.

/// The computer's total memory in MiB, when it can be known.
pub fn total_mb() -> Option<u64> {
    let mut system = sysinfo::System::new();
    system.refresh_memory();
    let bytes = system.total_memory();
    (bytes > 0).then_some(bytes / (1024 * 1024))
}

/// Whether a model needing `ram_mb` fits beside the app and a browser per number: at most
/// half of the computer's memory for it. Unknown memory fits (the owner decides).
pub fn fits(ram_mb: u64, total_mb: Option<u64>) -> bool {
    total_mb.is_none_or(|total| ram_mb <= total / 2)
}

#[cfg(test)]
mod tests {
    use super::fits;

    #[test]
    fn a_model_may_take_half_the_memory() {
        assert!(fits(700, Some(8_192)));
        assert!(!fits(700, Some(1_024)));
        assert!(fits(700, None));
    }
}
