//! The analysis: from read inputs to one view per Exchange organization.
//!
//! [`read`] turns one input's bytes into its model objects (with the
//! projection the model needs); [`analyze`] groups read inputs by
//! organization and, for each, builds the graph, decides the coverage,
//! computes the findings and gathers the warnings that concern inputs as a
//! whole. Everything downstream — `sources`, [`check`], [`plan`],
//! [`inventory`], [`Organization::redact`], and `diff` — is a function of
//! an [`Organization`]. The app, the fuzz targets and the benchmarks all go
//! through here, so what they test and time is what users run.
//!
//! # Example
//!
//! ```
//! use exconn::analysis;
//! use exconn::input::{ReadOptions, Source};
//!
//! let ldif = "\
//! dn: CN=EX1,CN=Servers,DC=contoso
//! objectClass: msExchExchangeServer
//!
//! dn: CN=EX2,CN=Servers,DC=contoso
//! objectClass: msExchExchangeServer
//!
//! dn: CN=Internet,CN=Connections,DC=contoso
//! objectClass: msExchRoutingSMTPConnector
//! msExchSourceBridgeheadServersDN: CN=EX1,CN=Servers,DC=contoso
//!
//! ";
//! let bytes = std::io::Cursor::new(ldif.as_bytes().to_vec());
//! let source = Source::from_reader("export.ldif", Box::new(bytes), None)?;
//! let input = analysis::read(source, &ReadOptions::default())?;
//! let analysis = analysis::analyze(vec![input], Vec::new());
//!
//! let graph = &analysis.organizations[0].graph;
//! let sources: Vec<&str> = graph
//!     .servers
//!     .iter()
//!     .filter(|server| !server.send_connectors.is_empty())
//!     .map(|server| server.name.as_str())
//!     .collect();
//! assert_eq!(sources, ["EX1"]);
//! assert_eq!(graph.servers.len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod check;
pub(crate) mod coverage;
pub mod diff;
pub mod findings;
pub mod graph;
pub(crate) mod inventory;
pub mod plan;
pub(crate) mod redact;
mod warnings;

use crate::diag::Located;
use crate::input::{self, InputInfo, LoadError, Projection, ReadOptions, Source, Unreadable};
use crate::model::{self, Objects};
use coverage::Coverage;
use findings::{Code, Finding};
use graph::Graph;
use redact::Pseudonyms;

/// The attributes and classes the analysis reads; readers skip the rest.
pub const PROJECTION: Projection = Projection::Only {
    attribute: model::is_read_attribute,
    class: model::is_modelled_class,
};

/// One input, read: what was read and the model objects found in it.
#[derive(Clone, Debug)]
pub struct Input {
    /// What was read (format, encoding, counts, SHA-256, diagnostics).
    pub info: InputInfo,
    /// The model objects of its records.
    pub objects: Objects,
}

/// Reads one input with the analysis's projection (the other options as
/// given), building the model objects window by window.
pub fn read(source: Source, options: &ReadOptions) -> Result<Input, LoadError> {
    let options = ReadOptions {
        projection: PROJECTION,
        ..*options
    };
    let mut objects = model::DistinctObjects::default();
    let info = input::read_source(source, &options, model::build, |window| {
        objects.append(window);
        Ok(())
    })
    .map_err(|error| with_exports_read(error, options.only_exports))?;
    Ok(Input {
        info,
        objects: objects.into_objects(),
    })
}

/// An input given that is not an export: its reason also says what exconn
/// reads (a file found in a directory is only passed over, so it is left
/// as it is).
fn with_exports_read(error: LoadError, in_directory: bool) -> LoadError {
    match error {
        LoadError::UnknownFormat { path, reason } if !in_directory => LoadError::UnknownFormat {
            path,
            reason: format!("{reason}. {}", Coverage::exports_read()),
        },
        error => error,
    }
}

/// The analysis of one Exchange organization's inputs.
#[derive(Clone, Debug)]
pub struct Organization {
    /// The organization, when the objects name one.
    pub name: Option<model::OrganizationName>,
    /// The inputs read for it.
    pub inputs: Vec<InputInfo>,
    /// The model objects of each input (`objects[i]` of `inputs[i]`).
    pub objects: Vec<Objects>,
    /// Inputs of the run that could not be read (they may have belonged here).
    pub unreadable: Vec<Unreadable>,
    /// The merged graph.
    pub graph: Graph,
    /// What the inputs could show.
    pub coverage: Coverage,
    /// The findings, most severe first.
    pub findings: Vec<Finding>,
    /// Every diagnostic: the readers', and the analysis's warnings about
    /// inputs as a whole (no records, change records, disagreeing copies).
    pub diagnostics: Vec<Located>,
    /// Whether its names are pseudonyms ([`Organization::redact`]): a name
    /// the graph does not hold (a new server of a plan) is then withheld.
    pub redacted: bool,
}

/// The analysis of a run: one part per organization.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// One analysis per organization, sorted by organization; inputs whose
    /// objects name none go with the only organization when there is one,
    /// and stand alone (last) otherwise. Never empty.
    pub organizations: Vec<Organization>,
}

/// Analyzes read inputs: groups them by organization (told apart by name
/// and forest) and analyzes each group.
pub fn analyze(mut inputs: Vec<Input>, unreadable: Vec<Unreadable>) -> Analysis {
    // Inputs in the order of their names: nothing depends on the order of
    // the arguments.
    inputs.sort_by(|a, b| a.info.name.cmp(&b.info.name));
    let named: Vec<Option<model::OrganizationName>> =
        inputs.iter().map(|i| i.objects.organization()).collect();
    let mut known: Vec<model::OrganizationName> = named.iter().flatten().cloned().collect();
    known.sort();
    known.dedup();
    let organizations = if known.len() <= 1 {
        vec![Organization::of(known.pop(), inputs, unreadable)]
    } else {
        let mut groups: Vec<(Option<model::OrganizationName>, Vec<Input>)> =
            known.into_iter().map(|o| (Some(o), Vec::new())).collect();
        groups.push((None, Vec::new()));
        for (input, name) in inputs.into_iter().zip(named) {
            if let Some(group) = groups.iter_mut().find(|(o, _)| *o == name) {
                group.1.push(input);
            }
        }
        groups
            .into_iter()
            .filter(|(_, inputs)| !inputs.is_empty())
            .map(|(name, inputs)| Organization::of(name, inputs, unreadable.clone()))
            .collect()
    };
    Analysis { organizations }
}

impl Organization {
    /// The analysis of one organization's inputs.
    fn of(
        name: Option<model::OrganizationName>,
        inputs: Vec<Input>,
        unreadable: Vec<Unreadable>,
    ) -> Organization {
        let (infos, objects): (Vec<InputInfo>, Vec<Objects>) =
            inputs.into_iter().map(|i| (i.info, i.objects)).unzip();
        let graph = Graph::build(&objects);
        let coverage = Coverage::of(&objects).with_not_whole(not_whole(&infos));
        let findings = findings::analyze(&graph, &coverage);
        let mut diagnostics: Vec<Located> = Vec::new();
        for (info, objects) in infos.iter().zip(&objects) {
            diagnostics.extend(info.diagnostics.iter().cloned());
            diagnostics.extend(warnings::about_input(info, objects));
        }
        diagnostics.extend(warnings::conflicts(&graph, &infos));
        diagnostics.extend(warnings::namesake_servers(&objects, &infos));
        diagnostics.extend(warnings::deleted_since(&graph, &infos, &objects));
        Organization {
            name,
            inputs: infos,
            objects,
            unreadable,
            graph,
            coverage,
            findings,
            diagnostics,
            redacted: false,
        }
    }

    /// The finding that says the inputs cannot show the Send connectors.
    pub fn not_shown(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.code == Code::SendConnectorsNotInExport)
    }

    /// Records skipped as malformed, over all inputs.
    pub fn skipped(&self) -> usize {
        self.inputs.iter().map(|i| i.skipped).sum()
    }

    /// What removing (and adding) servers does to this organization's
    /// connectors; the plan carries the coverage gap, if any.
    pub fn plan(&self, request: &plan::Request) -> plan::Plan {
        let mut plan = plan::simulate(&self.graph, request);
        plan.not_shown = self.not_shown().cloned();
        plan
    }

    /// The organization's inventory as of `date`; it carries the coverage gap, if any.
    pub fn inventory(&self, date: jiff::civil::Date) -> inventory::Inventory {
        let mut inventory = inventory::Inventory::new(&self.graph, date);
        inventory.not_shown = self.not_shown().cloned();
        inventory
    }

    /// `--redact`: pseudonyms everywhere a report looks (graph, coverage,
    /// inputs, diagnostics; findings and plans hold indices into the graph,
    /// so they show its pseudonyms).
    pub fn redact(&mut self) {
        let pseudonyms = Pseudonyms::of(&self.graph, self.name.as_ref());
        self.redact_with(&pseudonyms);
    }

    /// [`Organization::redact`] with pseudonyms made elsewhere (`diff`
    /// numbers them over both sides, so that each side shows the same ones).
    pub(crate) fn redact_with(&mut self, pseudonyms: &Pseudonyms) {
        pseudonyms.redact_graph(&mut self.graph);
        let names: Vec<String> = self.inputs.iter().map(|i| i.name.clone()).collect();
        let input_name = |file: &str| {
            let index = names.iter().position(|n| n == file);
            index.map_or_else(|| "input".to_owned(), |i| format!("input-{}", i + 1))
        };
        pseudonyms.redact_coverage(&mut self.coverage);
        // Why an input is not whole may quote it (a server's error message
        // naming a DN): only where it stopped stays.
        for sign in &mut self.coverage.not_whole {
            let name = input_name(&sign.file);
            redact::redact_diagnostic(sign, &name);
        }
        // The findings are indices and counts: they hold no name to redact.
        redact::redact_inputs(&mut self.inputs, &mut self.unreadable);
        for diagnostic in &mut self.diagnostics {
            let name = input_name(&diagnostic.file);
            redact::redact_diagnostic(diagnostic, &name);
        }
        self.name = self.name.as_ref().map(|o| pseudonyms.organization(o));
        self.redacted = true;
    }
}

/// Every input that is not whole, by its first sign.
fn not_whole(infos: &[InputInfo]) -> Vec<Located> {
    infos
        .iter()
        .filter_map(|info| info.incomplete.first().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, text: &str) -> Input {
        let source = Source::from_reader(
            name,
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            None,
        )
        .unwrap();
        read(source, &ReadOptions::default()).unwrap()
    }

    const EX01: &str = "dn: CN=EX01,CN=Servers,CN=AG,CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com\nobjectClass: msExchExchangeServer\ncn: EX01\n\n";

    #[test]
    fn inputs_are_grouped_by_organization() {
        let fabrikam = EX01
            .replace("Contoso", "Fabrikam")
            .replace("=contoso", "=fabrikam");
        let analysis = analyze(
            vec![
                input("a.ldif", EX01),
                input("b.ldif", &fabrikam),
                input("c.ldif", "dn: CN=x,DC=y\nobjectClass: top\n\n"),
            ],
            Vec::new(),
        );
        let names: Vec<Option<String>> = analysis
            .organizations
            .iter()
            .map(|o| o.name.as_ref().map(|n| n.name.clone()))
            .collect();
        assert_eq!(
            names,
            [Some("Contoso".into()), Some("Fabrikam".into()), None]
        );
        assert!(analysis.organizations[0].not_shown().is_some());
    }

    #[test]
    fn one_organization_takes_the_inputs_that_name_none() {
        let analysis = analyze(
            vec![
                input("a.ldif", EX01),
                input("c.ldif", "dn: CN=x,DC=y\nobjectClass: top\n\n"),
            ],
            Vec::new(),
        );
        assert_eq!(analysis.organizations.len(), 1);
        assert_eq!(analysis.organizations[0].inputs.len(), 2);
    }
}
