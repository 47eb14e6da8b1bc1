//! Integration tests: the built binary on fixtures, generated exports and the
//! shared conformance suites.

mod cli;
mod corpus;
mod dn_canon;
mod fixtures;
mod props;
mod sources;
mod support;
