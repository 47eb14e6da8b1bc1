//! exconn reads offline exports of an Exchange organization's Active Directory
//! configuration partition (LDIF, DSML, CLIXML) and reports which servers are source
//! transport servers of Send connectors.
//!
//! Data flows one way: `input` (bytes → records + diagnostics) → `model`
//! (typed Exchange objects) → `graph` (who is a source of what) → `report`
//! (output formats). `app` wires the commands; `main.rs` only maps the result
//! to an exit code. See ARCHITECTURE.md.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod analysis;
pub mod diag;
pub mod dn;
pub mod input;
pub mod model;
pub mod record;
pub mod report;
pub mod visible;
