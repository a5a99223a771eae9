//! Scalars validated while the YAML deserializer still knows where they are, so that an
//! error names the field's own line and path (`dx.yml:1:11: interval: invalid duration`)
//! rather than only the enclosing mapping's.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// Deserializes a string and checks it with `parse` inside the deserializer's call.
pub fn deserialize_str_with<'de, D, T, E>(
    de: D,
    expecting: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    de.deserialize_str(Checked { expecting, parse })
}

struct Checked<F> {
    expecting: &'static str,
    parse: F,
}

impl<'de, T, E, F> Visitor<'de> for Checked<F>
where
    E: fmt::Display,
    F: FnOnce(&str) -> Result<T, E>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<Er: de::Error>(self, v: &str) -> Result<T, Er> {
        (self.parse)(v).map_err(Er::custom)
    }
}
