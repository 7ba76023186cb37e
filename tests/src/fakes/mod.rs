//! Stand-ins for what a test can't reach, as strict as the real thing: WhatsApp Web (a
//! local page following the contract, and an in-memory WhatsApp behind the driver seam),
//! the paid AI providers, the release server and the owner's webhook receiver. All serve
//! on 127.0.0.1 only.

pub mod ai;
mod ai_audio;
mod ai_images;
pub mod memory_whatsapp;
pub mod update_server;
pub mod webhook_receiver;
pub mod whatsapp_web;
