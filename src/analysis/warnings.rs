//! Warnings about inputs as a whole, which no reader can give: an input
//! with no records, change records the analysis does not apply, and copies
//! of one object in several inputs that disagree.

use crate::diag::{Located, Position, Severity};
use crate::graph::Graph;
use crate::input::InputInfo;
use crate::model::Objects;

fn warning(file: &str, message: String) -> Located {
    Located {
        file: file.to_owned(),
        position: Position { line: 1, column: 1 },
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
