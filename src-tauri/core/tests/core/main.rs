//! The core's integration tests: one binary, one module per area.

mod support;

mod numbers;
mod settings;
mod store;
