//! Warnings about inputs as a whole, which no reader can give: an input
//! with no records, change records the analysis does not apply, and copies
//! of one object in several inputs that disagree.

use crate::analysis::graph::Graph;
use crate::diag::{LineColumn, Located, Position, Severity};
use crate::input::InputInfo;
use crate::model::Objects;

fn warning(file: &str, message: String) -> Located {
    Located {
        file: file.to_owned(),
        position: Position::Line(LineColumn::START),
        severity: Severity::Warning,
        message,
    }
}

/// What the analysis must say about an input as a whole.
pub(super) fn about_input(info: &InputInfo, objects: &Objects) -> Vec<Located> {
    let mut warnings = Vec::new();
    if info.entries == 0 {
        warnings.push(warning(
            &info.name,
            "no records were read from this input: is it an export of the configuration partition?"
                .to_owned(),
        ));
    }
    if objects.copies > 0 {
        warnings.push(warning(
            &info.name,
            format!(
                "{} record(s) repeat an object read before in this input, with the same DN and \
                 the same settings: each object is counted once (an export lists an object once; \
                 was the file put together from copies?)",
                objects.copies
            ),
        ));
    }
    if objects.change_records > 0 {
        warnings.push(warning(
            &info.name,
            format!(
                "{} change record(s) (modify, delete, rename) are not applied: the analysis reads \
                 entries, so what they would change is not in the report",
                objects.change_records
            ),
        ));
    }
    warnings
}

/// A warning for each object found in two inputs with a setting that differs.
pub(super) fn conflicts(graph: &Graph, inputs: &[InputInfo]) -> Vec<Located> {
    let name = |i: usize| inputs.get(i).map_or("?", |input| input.name.as_str());
    graph
        .conflicts
        .iter()
        .map(|conflict| {
            let (used, other) = conflict.inputs;
            warning(
                name(other),
                format!(
                    "'{}' is also in {} and its {} differs: '{}' there, '{}' here; the report uses {}",
                    conflict.name,
                    name(used),
                    conflict.field,
                    conflict.values.0,
                    conflict.values.1,
                    name(used)
                ),
            )
        })
        .collect()
}

/// A warning for each name that two server objects (distinct DNs, two
/// administrative groups, say) carry: Setup and the report match servers
/// by name, so the two are taken for one.
pub(super) fn namesake_servers(objects: &[Objects], inputs: &[InputInfo]) -> Vec<Located> {
    let mut by_name: std::collections::BTreeMap<String, Vec<(usize, &crate::model::Server)>> =
        std::collections::BTreeMap::new();
    for (input, o) in objects.iter().enumerate() {
        for server in &o.servers {
            let same = by_name
                .entry(crate::analysis::graph::server_key(&server.name))
                .or_default();
            if !same.iter().any(|(_, s)| s.dn.key() == server.dn.key()) {
                same.push((input, server));
            }
        }
    }
    by_name
        .into_values()
        .filter(|same| same.len() > 1)
        .map(|same| {
            let dns: Vec<String> = same.iter().map(|(_, s)| format!("'{}'", s.dn)).collect();
            let file = inputs.get(same[1].0).map_or("?", |i| i.name.as_str());
            warning(
                file,
                format!(
                    "{} server objects are named '{}': {}; Setup and this report match servers by \
                     name, so they are taken for one. Remove the stale one (an administrative group \
                     of a server that is gone?)",
                    same.len(),
                    same[0].1.name,
                    dns.join(", ")
                ),
            )
        })
        .collect()
}

/// A warning for each Send connector deleted since an older input was
/// taken (see [`crate::analysis::graph::DeletedSince`]): left out, not counted.
pub(super) fn deleted_since(
    graph: &Graph,
    inputs: &[InputInfo],
    objects: &[Objects],
) -> Vec<Located> {
    let name = |i: usize| inputs.get(i).map_or("?", |input| input.name.as_str());
    let as_of = |i: usize| {
        objects
            .get(i)
            .and_then(Objects::newest_change)
            .map_or_else(|| "?".to_owned(), |t| t.to_string())
    };
    graph
        .deleted_since
        .iter()
        .map(|gone| {
            let (older, newer) = gone.inputs;
            warning(
                name(older),
                format!(
                    "Send connector '{}' is in this input (as of {}) but not in {} (as of {}), \
                     which holds its CN=Connections container: it was deleted since, and is not \
                     counted",
                    gone.name,
                    as_of(older),
                    name(newer),
                    as_of(newer)
                ),
            )
        })
        .collect()
}
