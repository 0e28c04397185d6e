//! `verbose-logging`: DEBUG/TRACE logging was on (it costs the server
//! performance). Scored by correlation.

use super::{Candidate, Cause, Context, Detector};

/// The verbose-logging detector.
pub struct VerboseLogging;

impl Detector for VerboseLogging {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        cx.health
            .verbose_logging
            .iter()
            .map(|v| {
                let phrase =
                    format!("verbose logging in {} ({} DEBUG/TRACE entries)", v.source, v.entries);
                let mut c =
                    Candidate::new(Cause::VerboseLogging, v.source.clone(), vec![v.span], phrase);
                c.metric("verbose_entries", v.entries);
                c
            })
            .collect()
    }
}
