//! Helpers shared by the crate's tests.

use std::io::Write;

/// `data` as one gzip member (fast level).
pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}
