//! Finding, among the matches already grouped, those that may state the same fact as
//! a new one, without comparing it with all of them.
//!
//! [`identity::same_fact`] decides; this index only narrows the comparisons to the
//! matches that share what `same_fact` requires to be shared, so consolidation grows
//! with the number of matches, not its square:
//!
//! - matches with equal [`Keys`] (and the same past/present reading) are one entry,
//!   compared once: a sentence repeated by forty reports costs one comparison;
//! - an entry is found by the part of its keys that must be equal or contained:
//!   the text (`text`), the items (`items`), the unit and amount (`amount`), the list
//!   position (`list-item`), the name and its endings (`name`), the title (`title`);
//!   and, where one value holding the other is enough, by its runs of characters of
//!   the minimum length `same_fact` asks for.
//!
//! The candidates are a superset of the entries `same_fact` accepts, so grouping is
//! exactly what comparing with every earlier match gives.

use std::collections::HashMap;

use super::identity::{Keys, MIN_CONTAINED, MIN_NAME, MIN_OBJECT};
use crate::rules::Identity;

/// Where a fact's member sits: (group, position in the group).
pub type Position = (usize, usize);

/// One distinct set of keys seen in a field, and the first member holding it.
#[derive(Debug)]
pub struct Entry {
    /// The keys.
    pub keys: Keys,
    /// Whether its members narrate an earlier amount (see `narrated_as_past`).
    pub past: bool,
    /// The earliest member (by group, then position) with these keys.
    pub first: Position,
}

/// The matches of one field seen so far, findable by what their identity compares.
#[derive(Debug)]
pub struct FieldIndex {
    identity: Identity,
    entries: Vec<Entry>,
    /// The entry of each set of keys, for a present and for a past reading.
    by_keys: HashMap<Keys, [Option<usize>; 2]>,
    /// Exact values: text, items, unit+amount, ordinal, name or title.
    exact: HashMap<String, Vec<usize>>,
    /// Every ending of a name (two characters or more).
    endings: HashMap<String, Vec<usize>>,
    /// Values one of which may hold the other.
    contained: Containment,
}

impl FieldIndex {
    /// An empty index for a field compared by `identity`.
    pub fn new(identity: Identity) -> Self {
        let width = match identity {
            Identity::Amount => MIN_OBJECT,
            _ => MIN_CONTAINED,
        };
        FieldIndex {
            identity,
            entries: Vec::new(),
            by_keys: HashMap::new(),
            exact: HashMap::new(),
            endings: HashMap::new(),
            contained: Containment::new(width),
        }
    }

    /// The entry at `i`.
    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    /// The entries that may state the same fact as a match with `keys`, in the order
    /// they were first seen.
    pub fn candidates(&self, keys: &Keys) -> Vec<usize> {
        let mut out = Vec::new();
        let mut take = |ids: Option<&Vec<usize>>| out.extend(ids.into_iter().flatten());
        match self.identity {
            Identity::Text | Identity::Items => {
                take(self.exact.get(&exact_key(self.identity, keys)))
            }
            Identity::Amount => {
                let Some(unit) = &keys.unit else {
                    return Vec::new();
                };
                take(self.exact.get(&exact_key(self.identity, keys)));
                if keys.object.chars().count() >= MIN_OBJECT {
                    out.extend(self.contained.candidates(&keys.object, unit));
                }
            }
            Identity::ListItem => {
                if keys.ordinal.is_some() {
                    take(self.exact.get(&exact_key(self.identity, keys)));
                }
                out.extend(self.contained.candidates(&keys.text, ""));
            }
            Identity::Name => {
                take(self.endings.get(&keys.name));
                for ending in endings(&keys.name) {
                    take(self.exact.get(ending));
                }
                take(self.exact.get(&keys.name));
            }
            Identity::Title => {
                take(self.exact.get(&keys.title));
                out.extend(self.contained.candidates(&keys.title, ""));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Records that the member at `at`, with `keys`, joined the groups.
    pub fn insert(&mut self, keys: &Keys, past: bool, at: Position) {
        let slot = usize::from(past);
        if let Some(i) = self.by_keys.get(keys).and_then(|entries| entries[slot]) {
            let e = &mut self.entries[i];
            e.first = e.first.min(at);
            return;
        }
        let i = self.entries.len();
        self.entries.push(Entry {
            keys: keys.clone(),
            past,
            first: at,
        });
        self.by_keys.entry(keys.clone()).or_default()[slot] = Some(i);
        self.index(keys, i);
    }

    /// Files entry `i` under what its identity looks it up by.
    fn index(&mut self, keys: &Keys, i: usize) {
        let exact = exact_key(self.identity, keys);
        self.exact.entry(exact).or_default().push(i);
        match self.identity {
            Identity::Amount => {
                if let Some(unit) = &keys.unit {
                    self.contained.insert(&keys.object, unit, i);
                }
            }
            Identity::ListItem => self.contained.insert(&keys.text, "", i),
            Identity::Title => self.contained.insert(&keys.title, "", i),
            Identity::Name => {
                for ending in endings(&keys.name) {
                    self.endings.entry(ending.to_string()).or_default().push(i);
                }
            }
            Identity::Text | Identity::Items => {}
        }
    }
}

/// The value a field's identity requires to be equal (or, for names and titles, that
/// equality alone is enough for).
fn exact_key(identity: Identity, k: &Keys) -> String {
    match identity {
        Identity::Text => k.text.clone(),
        Identity::Items => k.items.iter().cloned().collect::<Vec<_>>().join("\u{1f}"),
        Identity::Amount => format!(
            "{}\u{1f}{}",
            k.unit.as_deref().unwrap_or_default(),
            k.amount.as_deref().unwrap_or_default()
        ),
        Identity::ListItem => k.ordinal.map(|o| o.to_string()).unwrap_or_default(),
        Identity::Name => k.name.clone(),
        Identity::Title => k.title.clone(),
    }
}

/// The endings of `name` of at least [`MIN_NAME`] characters, the whole name included.
fn endings(name: &str) -> impl Iterator<Item = &str> {
    let n = name.chars().count();
    name.char_indices()
        .take((n + 1).saturating_sub(MIN_NAME))
        .map(move |(i, _)| &name[i..])
}

/// Finds values that hold, or are held by, a given value, both at least `width`
/// characters long: a value holding `v` holds `v`'s first run of `width` characters,
/// and a value `v` holds starts with one of `v`'s runs.
#[derive(Debug)]
struct Containment {
    width: usize,
    /// Every run of `width` characters of every value → the entries holding it.
    runs: HashMap<(String, String), Vec<usize>>,
    /// The first run of each value → the entries starting so.
    starts: HashMap<(String, String), Vec<usize>>,
}

impl Containment {
    fn new(width: usize) -> Self {
        Containment {
            width,
            runs: HashMap::new(),
            starts: HashMap::new(),
        }
    }

    /// Files `value` of entry `i`, within `scope` (values of different scopes never
    /// meet: an amount's unit).
    fn insert(&mut self, value: &str, scope: &str, i: usize) {
        let runs = self.runs_of(value);
        if let Some(first) = runs.first() {
            self.starts
                .entry((scope.to_string(), first.to_string()))
                .or_default()
                .push(i);
        }
        for run in runs {
            let ids = self
                .runs
                .entry((scope.to_string(), run.to_string()))
                .or_default();
            if ids.last() != Some(&i) {
                ids.push(i);
            }
        }
    }

    /// The entries whose value may hold `value` or be held by it.
    fn candidates(&self, value: &str, scope: &str) -> Vec<usize> {
        let runs = self.runs_of(value);
        let mut out = Vec::new();
        let key = |run: &str| (scope.to_string(), run.to_string());
        if let Some(first) = runs.first() {
            out.extend(self.runs.get(&key(first)).into_iter().flatten());
        }
        for run in runs {
            out.extend(self.starts.get(&key(run)).into_iter().flatten());
        }
        out
    }

    /// The runs of `width` characters of `value`, in order (none when it is shorter).
    fn runs_of<'v>(&self, value: &'v str) -> Vec<&'v str> {
        let bounds: Vec<usize> = value
            .char_indices()
            .map(|(i, _)| i)
            .chain([value.len()])
            .collect();
        bounds
            .windows(self.width + 1)
            .map(|w| &value[w[0]..w[self.width]])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings_of_a_name() {
        assert_eq!(
            endings("秘书处").collect::<Vec<_>>(),
            vec!["秘书处", "书处"]
        );
        assert_eq!(endings("处").count(), 0);
    }

    #[test]
    fn containment_finds_both_directions() {
        let mut c = Containment::new(3);
        c.insert("新冠疫苗援助", "剂", 0);
        c.insert("疫苗", "剂", 1); // too short to be filed
        c.insert("研修研讨名额", "个", 2);
        // Held by entry 0.
        assert_eq!(c.candidates("疫苗援助", "剂"), vec![0]);
        // Holds entry 0.
        assert_eq!(c.candidates("大批新冠疫苗援助物资", "剂"), vec![0]);
        // Another unit never meets it.
        assert!(c.candidates("疫苗援助", "个").is_empty());
    }

    /// A small deterministic generator, so a failure can be replayed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        /// A string of 0–7 characters from a small alphabet, so that equal values,
        /// shared endings and values holding others all occur often.
        fn text(&mut self) -> String {
            let alphabet: Vec<char> = "援助疫苗项目合作中心论坛".chars().collect();
            (0..self.below(8))
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }
    }

    fn random_keys(rng: &mut Rng) -> Keys {
        let mut items = std::collections::BTreeSet::new();
        for _ in 0..rng.below(3) {
            items.insert(rng.text());
        }
        Keys {
            text: rng.text(),
            name: rng.text(),
            title: rng.text(),
            what: rng.text(),
            vague: rng.below(4) == 0,
            object: rng.text(),
            unit: [None, Some("USD".to_string()), Some("个".to_string())][rng.below(3)].clone(),
            amount: Some(format!("value={}", rng.below(3))),
            ordinal: [None, Some(1), Some(2)][rng.below(3)],
            items,
        }
    }

    /// Every earlier entry `same_fact` accepts is among the candidates, whatever the
    /// identity: the index narrows the comparisons, never the merges.
    #[test]
    fn candidates_hold_every_entry_that_states_the_same_fact() {
        use crate::consolidate::identity::same_fact;
        use crate::rules::FieldSpec;
        for identity in [
            Identity::Amount,
            Identity::ListItem,
            Identity::Name,
            Identity::Items,
            Identity::Title,
            Identity::Text,
        ] {
            let spec = FieldSpec {
                identity,
                generic: vec!["论坛".to_string(), "项目".to_string()],
                ..FieldSpec::plain("f")
            };
            let mut rng = Rng(0x2545_F491_4F6C_DD1D);
            let mut index = FieldIndex::new(identity);
            let mut merges = 0;
            for n in 0..600 {
                let keys = random_keys(&mut rng);
                let candidates = index.candidates(&keys);
                for (i, e) in index.entries.iter().enumerate() {
                    if same_fact(&spec, &e.keys, &keys) {
                        merges += 1;
                        assert!(
                            candidates.contains(&i),
                            "{identity:?}: {:?} states the same fact as {keys:?} but is no candidate",
                            e.keys
                        );
                    }
                }
                index.insert(&keys, false, (n, 0));
            }
            assert!(merges > 50, "{identity:?}: only {merges} merges tested");
        }
    }
}
