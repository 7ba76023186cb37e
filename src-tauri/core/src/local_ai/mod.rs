//! AI on this computer: Leadline's own llama.cpp server on a chat model the owner
//! downloaded (`supervisor`: started, watched, started again, stopped; `server`: one process),
//! and what the owner does with it from Settings (`choose`).

pub mod choose;
pub mod server;
pub mod supervisor;
