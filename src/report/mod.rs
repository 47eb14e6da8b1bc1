//! Output formats. Only this module knows serde and how things are shown.

pub mod dump;
pub mod sources;
