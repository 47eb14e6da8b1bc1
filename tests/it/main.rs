//! Integration tests: the built binary on fixtures, generated exports and the
//! shared conformance suites.

mod adexplorer;
mod ages;
mod bounded;
mod cli;
mod clixml_shapes;
mod cmdlet_text;
mod corpus;
mod corpus_xml;
mod csvde;
mod diff;
mod dn_canon;
mod fixtures;
mod guarded;
mod hostile_inputs;
mod hostile_xml;
mod hostile_xml_bounds;
mod inventory;
mod organizations;
mod other_connectors;
mod plan;
mod props;
mod readme;
mod redact;
mod regressions;
mod remedies;
mod reports;
mod representations;
mod shapes;
mod sources;
mod support;
mod tidy;
mod verdict;
mod whole;
mod windows;
