//! Joining parts: each part numbered its endpoints and names on its own; the
//! joined facts use one table, and the result is the same for any chunking.

use rayon::prelude::*;

use super::fold::Part;
use super::intern::Interner;
use super::Facts;

/// Joins parts in order, mapping each part's endpoint and name ids onto one table.
pub(super) fn join(parts: Vec<Part>) -> Facts {
    let mut f = Facts::default();
    let mut endpoints = Interner::default();
    let mut names = Interner::default();
    let mut pieces: Vec<Facts> = Vec::with_capacity(parts.len());
    for part in parts {
        let mut p = part.facts;
        let remap: Vec<u32> = std::mem::take(&mut p.endpoints)
            .iter()
            .map(|ep| endpoints.id(&mut f.endpoints, ep))
            .collect();
        let rename: Vec<u32> = p.names.iter().map(|n| names.id(&mut f.names, n)).collect();
        f.project_ids.extend(p.project_ids.drain());
        for v in p.versions.drain(..) {
            if !f.versions.contains(&v) {
                f.versions.push(v);
            }
        }
        pieces.push(renumbered(p, &remap, &rename));
    }
    append_all(&mut f, pieces);
    f
}

/// A part's facts with its endpoint and name ids mapped onto the joined tables.
fn renumbered(mut p: Facts, remap: &[u32], rename: &[u32]) -> Facts {
    let (requests, rest) = (&mut p.requests, (&mut p.browser, &mut p.sql));
    rayon::join(
        || requests.par_iter_mut().for_each(|r| r.endpoint = remap[r.endpoint_index()]),
        || {
            rest.0.iter_mut().for_each(|r| r.endpoint = remap[r.endpoint_index()]);
            rest.1.par_iter_mut().for_each(|s| {
                s.operation = rename[s.operation as usize];
                s.table = s.table.map(|t| rename[t as usize]);
                s.component = rename[s.component as usize];
            });
        },
    );
    p
}

/// Appends every list of every piece, in order, reserving each list's final
/// size once (no doubling copies of a million requests).
fn append_all(f: &mut Facts, mut pieces: Vec<Facts>) {
    let mut totals = [0usize; super::LISTS];
    for p in &mut pieces {
        for (t, list) in totals.iter_mut().zip(p.lists()) {
            *t += list.len();
        }
    }
    for (mut list, n) in f.lists().into_iter().zip(totals) {
        list.reserve(n);
    }
    for mut p in pieces {
        for (mut to, mut from) in f.lists().into_iter().zip(p.lists()) {
            to.append(&mut *from);
        }
    }
}
