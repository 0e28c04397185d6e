//! The column map of a W3C extended log, taken from its `#Fields:` directive,
//! and the splitting of data lines into the columns it names.
//!
//! ```text
//! fields-directive = "#Fields:" (ws field-name)+
//! data-line        = value (sep+ value)*     ; sep = TAB if the line has one, else " "
//! value            = "-" (empty) | chars without sep
//! ```
//!
//! Octopus separates values with tabs, IIS with spaces (IIS writes `+` for a
//! space inside a value). Runs of separators count as one: neither producer
//! writes empty values (they write `-`), and the Octopus docs' own example has
//! irregular runs of tabs.

/// The fields a diagnosis uses; every other field name is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `date` (yyyy-MM-dd, UTC).
    Date,
    /// `time` (HH:mm:ss, UTC).
    Time,
    /// `cs-method`.
    Method,
    /// `cs-uri-stem`.
    Stem,
    /// `cs-uri-query`.
    Query,
    /// `s-port`.
    Port,
    /// `cs-username`.
    User,
    /// `c-ip`.
    ClientIp,
    /// `cs(User-Agent)`.
    UserAgent,
    /// `cs-host` (or `cs(Host)`).
    Host,
    /// `sc-status`.
    Status,
    /// `sc-substatus`.
    Substatus,
    /// `sc-win32-status`.
    Win32,
    /// `time-taken` (milliseconds).
    TimeTaken,
    /// `sc-bytes`.
    BytesSent,
    /// `cs-bytes`.
    BytesReceived,
}

/// Number of [`Slot`]s.
pub const SLOTS: usize = 16;

impl Slot {
    /// The slot a W3C field name fills (case-insensitive), if any.
    pub fn of_name(name: &[u8]) -> Option<Slot> {
        const NAMES: [(&str, Slot); 17] = [
            ("date", Slot::Date),
            ("time", Slot::Time),
            ("cs-method", Slot::Method),
            ("cs-uri-stem", Slot::Stem),
            ("cs-uri-query", Slot::Query),
            ("s-port", Slot::Port),
            ("cs-username", Slot::User),
            ("c-ip", Slot::ClientIp),
            ("cs(user-agent)", Slot::UserAgent),
            ("cs-host", Slot::Host),
            ("cs(host)", Slot::Host),
            ("sc-status", Slot::Status),
            ("sc-substatus", Slot::Substatus),
            ("sc-win32-status", Slot::Win32),
            ("time-taken", Slot::TimeTaken),
            ("sc-bytes", Slot::BytesSent),
            ("cs-bytes", Slot::BytesReceived),
        ];
        NAMES.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name)).map(|(_, s)| *s)
    }
}

/// Which column holds which slot, from one `#Fields:` directive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldMap {
    /// Per column, the slot it fills (`None`: a field octodiag ignores).
    columns: Vec<Option<Slot>>,
    /// The separator, decided by the first data line (TAB if it has one, else
    /// space) and tried the other way on a line whose count is wrong.
    sep: std::cell::Cell<Option<u8>>,
}

impl FieldMap {
    /// The map of the field names after `#Fields:` (separated by spaces or tabs).
    pub fn parse(names: &[u8]) -> FieldMap {
        let columns = names
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|n| !n.is_empty())
            .map(Slot::of_name)
            .collect();
        FieldMap { columns, sep: std::cell::Cell::new(None) }
    }

    /// Number of columns a data line must have.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the directive named no field.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Whether some column fills `slot`.
    pub fn has(&self, slot: Slot) -> bool {
        self.columns.contains(&Some(slot))
    }

    /// Splits a data line into the values of the known slots. `Err(n)` when the
    /// line has `n` values instead of [`FieldMap::len`].
    pub fn split<'a>(&self, line: &'a [u8]) -> Result<Row<'a>, usize> {
        let sep = match self.sep.get() {
            Some(s) => s,
            None => {
                let s = if memchr::memchr(b'\t', line).is_some() { b'\t' } else { b' ' };
                self.sep.set(Some(s));
                s
            }
        };
        match self.split_by(line, sep) {
            Err(_) if memchr::memchr(other(sep), line).is_some() => self.split_by(line, other(sep)),
            r => r,
        }
    }

    fn split_by<'a>(&self, line: &'a [u8], sep: u8) -> Result<Row<'a>, usize> {
        let mut row = Row { values: [None; SLOTS] };
        let mut n = 0usize;
        let mut start = 0;
        let mut value = |pos: usize| {
            // Runs of separators make no value.
            if pos > start {
                if let Some(Some(slot)) = self.columns.get(n) {
                    let v = &line[start..pos];
                    row.values[*slot as usize] = (v != b"-").then_some(v);
                }
                n += 1;
            }
            start = pos + 1;
        };
        for_each_byte(line, sep, &mut value);
        value(line.len());
        if n == self.columns.len() {
            Ok(row)
        } else {
            Err(n)
        }
    }
}

/// Calls `f` with the index of every `sep` in `line`, eight bytes at a time.
///
/// Values are a few bytes long: a memchr call per value costs more than the
/// search itself (it was a third of the parse), so this finds all the
/// separators of a word at once (SWAR: a byte equal to `sep` becomes zero
/// after the XOR; the expression marks exactly the zero bytes' top bits,
/// without the borrow between bytes of the shorter `v - 0x01…` trick).
#[inline]
pub(crate) fn for_each_byte(line: &[u8], sep: u8, f: &mut impl FnMut(usize)) {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let splat = u64::from_ne_bytes([sep; 8]);
    let mut chunks = line.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ splat;
        let mut zeros = !(((x & LOW7) + LOW7) | x | LOW7);
        while zeros != 0 {
            f(base + (zeros.trailing_zeros() / 8) as usize);
            zeros &= zeros - 1;
        }
        base += 8;
    }
    for (i, b) in chunks.remainder().iter().enumerate() {
        if *b == sep {
            f(base + i);
        }
    }
}

fn other(sep: u8) -> u8 {
    if sep == b'\t' {
        b' '
    } else {
        b'\t'
    }
}

/// The values of one data line, by slot; `None` for `-` or a slot not logged.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    values: [Option<&'a [u8]>; SLOTS],
}

impl<'a> Row<'a> {
    /// The value of `slot`.
    #[inline]
    pub fn get(&self, slot: Slot) -> Option<&'a [u8]> {
        self.values[slot as usize]
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The word-at-a-time search finds exactly the bytes a naive scan finds.
        #[test]
        fn byte_search_agrees_with_the_naive_oracle(line in proptest::collection::vec(any::<u8>(), 0..80), sep in any::<u8>()) {
            let mut got = Vec::new();
            for_each_byte(&line, sep, &mut |i| got.push(i));
            let naive: Vec<usize> = (0..line.len()).filter(|i| line[*i] == sep).collect();
            prop_assert_eq!(got, naive);
        }
    }

    const OCTOPUS: &[u8] =
        b"date time cs-method cs-uri-stem s-port cs-username c-ip sc-status time-taken";

    #[test]
    fn names_map_to_slots_case_insensitively() {
        assert_eq!(Slot::of_name(b"cs(User-Agent)"), Some(Slot::UserAgent));
        assert_eq!(Slot::of_name(b"TIME-TAKEN"), Some(Slot::TimeTaken));
        assert_eq!(Slot::of_name(b"s-sitename"), None);
        let map = FieldMap::parse(OCTOPUS);
        assert_eq!(map.len(), 9);
        assert!(map.has(Slot::TimeTaken) && !map.has(Slot::Query));
    }

    #[test]
    fn tab_separated_octopus_row() {
        let map = FieldMap::parse(OCTOPUS);
        let row = map
            .split(b"2017-03-28\t03:50:10\tGET\t/api/tasks\t8065\tadmin\t::1\t200\t1327")
            .unwrap();
        assert_eq!(row.get(Slot::Stem), Some(&b"/api/tasks"[..]));
        assert_eq!(row.get(Slot::ClientIp), Some(&b"::1"[..]));
        assert_eq!(row.get(Slot::TimeTaken), Some(&b"1327"[..]));
        assert_eq!(row.get(Slot::Query), None);
    }

    #[test]
    fn dash_is_empty_and_runs_of_separators_collapse() {
        let map = FieldMap::parse(OCTOPUS);
        let row =
            map.split(b"2017-03-28\t\t03:49:55\tGET\t/api\t8065\t-\t::1\t\t\t200\t513").unwrap();
        assert_eq!(row.get(Slot::User), None);
        assert_eq!(row.get(Slot::Status), Some(&b"200"[..]));
    }

    #[test]
    fn space_separated_iis_row_with_plus_and_unknown_fields() {
        let map = FieldMap::parse(
            b"date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status",
        );
        let row = map
            .split(b"2025-10-10 13:55:36 10.0.0.4 GET /api/tasks skip=0&take=30 443 ACME\\jo+smith 10.1.2.3 Mozilla/5.0+(Windows+NT+10.0) 200")
            .unwrap();
        assert_eq!(row.get(Slot::Query), Some(&b"skip=0&take=30"[..]));
        assert_eq!(row.get(Slot::User), Some(&b"ACME\\jo+smith"[..]));
        assert_eq!(row.get(Slot::UserAgent), Some(&b"Mozilla/5.0+(Windows+NT+10.0)"[..]));
    }

    #[test]
    fn byte_positions_match_a_naive_scan() {
        let line = b"a\tbb\t\t\tccc\t\x89\t\xff\t-\t0123456789abcdef\t\t";
        for sep in [b'\t', b' ', 0x89, 0xff, b'a'] {
            let mut got = Vec::new();
            for_each_byte(line, sep, &mut |i| got.push(i));
            let naive: Vec<usize> = (0..line.len()).filter(|i| line[*i] == sep).collect();
            assert_eq!(got, naive, "{sep}");
        }
    }

    #[test]
    fn wrong_column_count_is_reported() {
        let map = FieldMap::parse(OCTOPUS);
        assert_eq!(map.split(b"2017-03-28\t03:50:10\tGET").err(), Some(3));
        assert_eq!(map.split(b"").err(), Some(0));
    }
}
