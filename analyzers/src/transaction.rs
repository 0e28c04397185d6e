//! SQL transaction names: what analysis reads from them. Nevermore names a
//! transaction after its component, the task or request it serves and a
//! thread (`ApplyRetentionPoliciesTaskController|ServerTasks-55-…|T110`,
//! 2021+), or after the web request (`http://…/api/… <correlation id>`,
//! 2017–2019). A leaf module: facts extract these once while folding, the SQL
//! analysis and the causes read the results.

/// A 32-hex-digit correlation id as its 16 bytes (byte-aligned: it packs into a
/// fact's padding, where a `u128` forced 16-byte alignment).
pub type Correlation = [u8; 16];

/// The component of a transaction name: `A|corr|T1` → `A`; a URL with a
/// correlation id → `web request`; anything else as is.
pub fn component(transaction: Option<&str>) -> &str {
    match transaction {
        None => "(none)",
        Some(t) if t.contains('|') => t.split('|').next().unwrap_or(t),
        Some(t) if t.starts_with("http://") || t.starts_with("https://") => "web request",
        Some(t) => t,
    }
}

/// `55` from a transaction name naming `ServerTasks-55`.
pub fn task_number(transaction: &str) -> Option<u64> {
    let id = task_of(transaction)?;
    id["ServerTasks-".len()..].parse().ok()
}

/// The task id `ServerTasks-N` of a task number.
pub fn task_name(n: u64) -> String {
    format!("ServerTasks-{n}")
}

/// `ServerTasks-55` from a transaction name, when present (a slice of it: no allocation).
pub fn task_of(transaction: &str) -> Option<&str> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new("ServerTasks-"));
    let i = finder.find(transaction.as_bytes())?;
    let digits =
        transaction[i + "ServerTasks-".len()..].bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| &transaction[i..i + "ServerTasks-".len() + digits])
}

/// The 32-hex correlation id at the end of a web-request transaction name
/// (after its last space or `|`).
pub fn correlation_in(transaction: &str) -> Option<Correlation> {
    let start = memchr::memrchr2(b' ', b'|', transaction.as_bytes()).map_or(0, |i| i + 1);
    correlation_key(&transaction[start..])
}

/// A 32-hex correlation id as bytes.
pub fn correlation_key(text: &str) -> Option<Correlation> {
    // Branch-free over a table: `u128::from_str_radix` cost 100 ns a call, and a
    // byte-by-byte check with early exits most of the rest (two ids per request
    // and SQL line).
    const HEX: [u8; 256] = {
        let mut t = [0xFF; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            t[b'A' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    let hex: &[u8; 32] = text.as_bytes().try_into().ok()?;
    let mut out = [0u8; 16];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (hi, lo) = (HEX[pair[0] as usize], HEX[pair[1] as usize]);
        bad |= hi | lo;
        *o = hi << 4 | lo;
    }
    (bad & 0xF0 == 0).then_some(out)
}

/// A correlation id as the 32 lower-case hex digits it was logged as.
pub fn correlation_text(c: Correlation) -> String {
    format!("{:032x}", u128::from_be_bytes(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_tasks_and_correlations() {
        let t = "ApplyRetentionPoliciesTaskController|ServerTasks-55-b097b4b7-e9a8-4822-bf5d-b3683391a9df|T110";
        assert_eq!(component(Some(t)), "ApplyRetentionPoliciesTaskController");
        assert_eq!(task_of(t), Some("ServerTasks-55"));
        assert_eq!(task_number(t), Some(55));
        let w = "http://o/api/events?x=1 ed1b1080c090462f9aaa52b7ccd6b314";
        assert_eq!(component(Some(w)), "web request");
        assert_eq!(
            correlation_in(w).map(correlation_text).as_deref(),
            Some("ed1b1080c090462f9aaa52b7ccd6b314")
        );
        assert_eq!(component(Some("DashboardFactory")), "DashboardFactory");
        assert_eq!(component(None), "(none)");
        assert_eq!(task_of("DashboardFactory"), None);
    }

    #[test]
    fn correlation_ids() {
        assert_eq!(
            correlation_key("ed1b1080c090462f9aaa52b7ccd6b314").map(correlation_text).as_deref(),
            Some("ed1b1080c090462f9aaa52b7ccd6b314")
        );
        assert_eq!(correlation_key("ed1b1080c090462f9aaa52b7ccd6b31"), None);
        assert_eq!(correlation_key("ed1b1080c090462f9aaa52b7ccd6b31g"), None);
        assert_eq!(
            correlation_key("ED1B1080C090462F9AAA52B7CCD6B314"),
            correlation_key("ed1b1080c090462f9aaa52b7ccd6b314")
        );
    }
}
