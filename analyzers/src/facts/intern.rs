//! Short texts interned to small ids, so that millions of facts share a few strings.

use rustc_hash::FxHashMap;

/// Maps texts to ids into a `Vec<String>` the caller owns.
#[derive(Debug, Default)]
pub(super) struct Interner {
    ids: FxHashMap<Box<str>, u32>,
}

impl Interner {
    /// The id of `text`, added to `names` when new.
    pub(super) fn id(&mut self, names: &mut Vec<String>, text: &str) -> u32 {
        self.id_as(names, text, str::to_string)
    }

    /// The id of `text`, stored as `name(text)` when new (`name` runs once per distinct text).
    pub(super) fn id_as(
        &mut self,
        names: &mut Vec<String>,
        text: &str,
        name: fn(&str) -> String,
    ) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = names.len() as u32;
        self.ids.insert(text.into(), id);
        names.push(name(text));
        id
    }
}
