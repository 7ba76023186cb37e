//! What the owner reads about the business: the home figures and the activity log.

pub mod activity;
pub mod home;
