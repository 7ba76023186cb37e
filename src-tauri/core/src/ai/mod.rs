//! AI replies: providers over HTTP, one call per customer turn returning the reply, the lead
//! fields and the qualification verdict, prompt building, and what each call cost.

pub mod answer;
pub mod assistant;
pub mod chat;
pub mod client;
pub mod error;
pub mod fields;
pub mod leak;
pub mod playground_photo;
pub mod pricing;
pub mod prompt;
pub mod provider;
pub mod providers;
pub mod secret;
pub mod transcribe;
pub mod turn;
pub mod vision;
mod wire;
