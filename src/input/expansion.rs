//! What the records read from XML may cost against the text they come
//! from, as for a snapshot ([`AMPLIFICATION`] times it): each value costs
//! its bytes, the name of its attribute (copied into every value) and the
//! `Attr` that holds them. A genuine export costs a few times its text; a
//! long name over many values, or a CLIXML reference expanded over and
//! over, costs more and is refused.

use crate::record::{Attr, Value};

pub(crate) use super::adexplorer::AMPLIFICATION;

/// What one value of attribute `name` costs.
pub(crate) fn cost(name: &str, value: &Value) -> usize {
    let payload = match value {
        Value::Bytes(bytes) => bytes.len(),
        Value::Url(url) => url.len(),
    };
    std::mem::size_of::<Attr>() + name.len() + payload
}

/// The cost spent so far against the text read so far.
#[derive(Debug, Default)]
pub(crate) struct Expansion {
    spent: usize,
}

impl Expansion {
    /// Spends `cost`; false once more than [`AMPLIFICATION`] times `text`
    /// bytes (and at least `floor`) are spent.
    pub(crate) fn spend(&mut self, cost: usize, text: u64, floor: usize) -> bool {
        self.spent = self.spent.saturating_add(cost);
        let allowed = usize::try_from(text)
            .unwrap_or(usize::MAX)
            .saturating_mul(AMPLIFICATION)
            .max(floor);
        self.spent <= allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_costs_its_name_too() {
        let value = Value::Bytes(b"abc".to_vec());
        assert_eq!(
            cost("name", &value),
            std::mem::size_of::<Attr>() + "name".len() + 3
        );
    }

    #[test]
    fn spending_past_the_amplification_of_the_text_fails() {
        let mut expansion = Expansion::default();
        assert!(expansion.spend(AMPLIFICATION * 10, 10, 0));
        assert!(!expansion.spend(1, 10, 0));
        assert!(expansion.spend(0, 11, 0));
        assert!(Expansion::default().spend(100, 0, 100));
    }
}
