//! Decoding an object into a record: the values of the attributes the
//! projection keeps, within the budget of values and bytes, and the
//! attributes whose values cannot be decoded noted once per snapshot.

use std::collections::BTreeMap;

use super::properties::Property;
use super::snapshot::{Object, Snapshot};
use super::values::{self, u32_at, Budget, Damage, Kind};
use super::{Limits, Projection};
use crate::diag::Diagnostic;
use crate::dn::Dn;
use crate::record::{Attr, Body, Record, Value};

/// What became of one object.
pub(super) enum Read {
    Record(Record),
    NotWanted,
    Skipped,
}

pub(super) struct Outcome {
    pub(super) read: Read,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) spent: usize,
}

/// Attributes whose values were not decoded, per property: where first
/// seen, and in how many objects.
#[derive(Default)]
pub(super) struct Notes {
    left_out: BTreeMap<usize, (usize, usize)>,
}

impl Notes {
    fn note(&mut self, property: usize, offset: usize) {
        let entry = self.left_out.entry(property).or_insert((offset, 0));
        entry.1 += 1;
    }

    pub(super) fn report(self, properties: &[Property], diagnostics: &mut Vec<Diagnostic>) {
        for (property, (offset, objects)) in self.left_out {
            let Property { name, kind, .. } = &properties[property];
            let why = match kind {
                Kind::CountOnly => {
                    "is DN-with-string (ADSTYPE 28), whose values AD Explorer does not store (only \
                     their count)"
                        .to_owned()
                }
                Kind::Unknown(ads_type) => {
                    format!("has ADSTYPE {ads_type}, which exconn does not decode")
                }
                _ => continue,
            };
            diagnostics.push(Diagnostic::warning(
                offset,
                format!(
                    "attribute '{name}' {why}: its values are left out ({objects} object(s) have it)"
                ),
            ));
        }
    }
}

impl Snapshot<'_> {
    /// Decodes one object into a record, as the projection asks.
    pub(super) fn decode(&self, object: &Object, limits: Limits, notes: &mut Notes) -> Outcome {
        let mut diagnostics = Vec::new();
        let mut budget = Budget::new(limits.max_values, limits.max_record);
        let read = match self.decode_in(object, &mut budget, notes, &mut diagnostics) {
            Ok(read) => read,
            Err(damage) => {
                diagnostics.push(Diagnostic::error(
                    damage.offset,
                    format!(
                        "{}: the object at {:#x} is skipped",
                        damage.message, object.start
                    ),
                ));
                Read::Skipped
            }
        };
        Outcome {
            read,
            diagnostics,
            spent: budget.spent,
        }
    }

    fn decode_in(
        &self,
        object: &Object,
        budget: &mut Budget,
        notes: &mut Notes,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Read, Damage> {
        let dn = self.dn_within(object, budget, diagnostics)?;
        if let Projection::Only { class, .. } = self.projection {
            let Some(class_index) = self.class else {
                return Ok(Read::NotWanted);
            };
            let Some(i) = (1..object.table).find(|&i| self.entry(object, i).0 == class_index)
            else {
                return Ok(Read::NotWanted);
            };
            let block = self.entry(object, i).1;
            let block = block.map_err(|offset| self.outside(object, i, offset))?;
            let values = budget.within(usize::MAX, |classes| {
                values::decode(self.region, block, Kind::Strings, classes, diagnostics)
            })?;
            if !values.iter().any(|value| class(value)) {
                return Ok(Read::NotWanted);
            }
        } else if Dn::parse(&dn).is_err() {
            diagnostics.push(Diagnostic::warning(
                object.start,
                format!("DN '{dn}' is not a valid RFC 4514 name"),
            ));
        }
        let mut attrs = Vec::new();
        if self.properties[self.dn].keep {
            budget.values = budget.values.saturating_sub(1);
            budget.found += 1;
            attrs.push(Attr {
                name: self.properties[self.dn].name.clone(),
                value: Value::Bytes(dn.clone().into_bytes()),
            });
        }
        let mut unread = 0usize;
        let mut first_unread = None;
        for i in 1..object.table {
            let (index, block) = self.entry(object, i);
            let Some(property) = self.properties.get(index) else {
                return Err(Damage {
                    offset: object.start + 8 + 8 * i,
                    message: format!(
                        "expected attribute {} of the object at {:#x} to name one of the {} \
                         properties, found property {index}",
                        i + 1,
                        object.start,
                        self.properties.len()
                    ),
                });
            };
            let block = match block {
                Ok(block) => block,
                Err(offset) if property.keep => return Err(self.outside(object, i, offset)),
                Err(offset) => {
                    // Damage in what the analysis does not read: one
                    // warning per object, for the first.
                    unread += 1;
                    if first_unread.is_none() {
                        let damage = self.outside(object, i, offset);
                        first_unread = Some((damage, property.name.as_str()));
                    }
                    continue;
                }
            };
            if !property.keep {
                continue;
            }
            if matches!(property.kind, Kind::CountOnly | Kind::Unknown(_)) {
                if u32_at(self.region, block).is_some_and(|n| n > 0) {
                    notes.note(index, block);
                }
                continue;
            }
            let values = values::decode(self.region, block, property.kind, budget, diagnostics)?;
            attrs.extend(values.into_iter().map(|value| Attr {
                name: property.name.clone(),
                value: Value::Bytes(value),
            }));
        }
        if let Some((damage, name)) = first_unread {
            let more = match unread - 1 {
                0 => String::new(),
                more => format!(", nor {more} more of this object's attributes that point outside"),
            };
            diagnostics.push(Diagnostic::warning(
                damage.offset,
                format!("{} (attribute '{name}', not read{more})", damage.message),
            ));
        }
        if budget.found > attrs.len() {
            let max = attrs.len();
            diagnostics.push(Diagnostic::error(
                object.start,
                format!(
                    "expected at most {max} values in an entry (--max-values), found {}: the values \
                     after the first {max} are left out",
                    budget.found
                ),
            ));
        }
        Ok(Read::Record(Record {
            dn,
            offset: object.start,
            controls: Vec::new(),
            body: Body::Entry {
                attrs,
                changetype_add: false,
            },
        }))
    }
}
