//! A cursor over one access-log line: the token, quoted-string and bracket
//! productions every proxy format is made of, each found with memchr.

/// A position in a line; productions advance it only when they match.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `b`.
    pub fn new(b: &'a [u8]) -> Cursor<'a> {
        Cursor { b, pos: 0 }
    }

    /// A cursor at `pos` of `b`.
    pub fn at(b: &'a [u8], pos: usize) -> Cursor<'a> {
        Cursor { b, pos: pos.min(b.len()) }
    }

    /// The bytes not consumed yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.b[self.pos..]
    }

    /// Whether only spaces are left.
    pub fn at_end(&self) -> bool {
        self.rest().iter().all(|c| *c == b' ')
    }

    fn skip_spaces(&mut self) {
        while self.b.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
    }

    /// What the next token starts with, after spaces.
    pub fn peek(&self) -> Option<u8> {
        let mut c = *self;
        c.skip_spaces();
        c.b.get(c.pos).copied()
    }

    /// `token = [^ ]+` after spaces.
    pub fn token(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        let rest = self.rest();
        if rest.is_empty() {
            return None;
        }
        let len = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        self.pos += len;
        Some(&rest[..len])
    }

    /// `quoted = '"' ([^"] | '\"')* '"'` after spaces: the contents. nginx writes
    /// `"` inside values as `\x22`; Apache-style `\"` is stepped over.
    pub fn quoted(&mut self) -> Option<&'a [u8]> {
        let mut c = *self;
        c.skip_spaces();
        if c.b.get(c.pos) != Some(&b'"') {
            return None;
        }
        let start = c.pos + 1;
        let mut i = start;
        loop {
            i += memchr::memchr(b'"', c.b.get(i..)?)?;
            if c.b[i - 1] != b'\\' || i == start {
                break;
            }
            i += 1;
        }
        self.pos = i + 1;
        Some(&c.b[start..i])
    }

    /// `bracketed = '[' [^]]* ']'` after spaces: the contents.
    pub fn bracketed(&mut self) -> Option<&'a [u8]> {
        let mut c = *self;
        c.skip_spaces();
        if c.b.get(c.pos) != Some(&b'[') {
            return None;
        }
        let close = c.pos + 1 + memchr::memchr(b']', &c.b[c.pos + 1..])?;
        self.pos = close + 1;
        Some(&c.b[c.pos + 1..close])
    }

    /// `{…}` (HAProxy captured headers, which may hold spaces) after spaces: the contents.
    pub fn braced(&mut self) -> Option<&'a [u8]> {
        let mut c = *self;
        c.skip_spaces();
        if c.b.get(c.pos) != Some(&b'{') {
            return None;
        }
        let close = c.pos + 1 + memchr::memchr(b'}', &c.b[c.pos + 1..])?;
        self.pos = close + 1;
        Some(&c.b[c.pos + 1..close])
    }

    /// A list as nginx writes `$upstream_addr` and its companions: tokens joined
    /// by `", "` (retries) or `" : "` (internal redirects). The whole span.
    pub fn list(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        let start = self.pos;
        let mut last = self.token()?;
        loop {
            let mut next = *self;
            // `a, b`: the comma ends the token; `a : b`: the colon is a token of its own.
            let joined =
                (last.ends_with(b",") || next.token() == Some(b":")) && next.token().is_some();
            if !joined {
                break;
            }
            *self = next;
            last = &self.b[..self.pos];
        }
        Some(&self.b[start..self.pos])
    }
}

/// The items of a [`Cursor::list`] span: `a, b : c` → `a`, `b`, `c`.
pub(crate) fn list_items(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    list.split(|c| *c == b',' || *c == b' ').filter(|item| !item.is_empty() && *item != b":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_quoted_brackets_and_rest() {
        let mut c = Cursor::new(br#"1.2.3.4 - [x y] "GET / HTTP/1.1" {a b} tail"#);
        assert_eq!(c.token(), Some(&b"1.2.3.4"[..]));
        assert_eq!(c.token(), Some(&b"-"[..]));
        assert_eq!(c.quoted(), None, "no quote here: nothing consumed");
        assert_eq!(c.bracketed(), Some(&b"x y"[..]));
        assert_eq!(c.peek(), Some(b'"'));
        assert_eq!(c.quoted(), Some(&b"GET / HTTP/1.1"[..]));
        assert_eq!(c.braced(), Some(&b"a b"[..]));
        assert_eq!(c.rest(), b" tail");
        assert_eq!(c.token(), Some(&b"tail"[..]));
        assert!(c.at_end());
        assert_eq!(c.token(), None);
    }

    #[test]
    fn quoted_steps_over_backslash_quotes_and_empty() {
        let mut c = Cursor::new(br#""a \"b\" c" "" "unterminated"#);
        assert_eq!(c.quoted(), Some(&br#"a \"b\" c"#[..]));
        assert_eq!(c.quoted(), Some(&b""[..]));
        assert_eq!(c.quoted(), None);
    }

    #[test]
    fn lists_join_retries_and_redirects() {
        let mut c = Cursor::new(b"10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 512 x");
        let l = c.list().unwrap();
        assert_eq!(l, b"10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80");
        let items: Vec<_> = list_items(l).collect();
        assert_eq!(items, vec![&b"10.0.0.1:80"[..], b"10.0.0.2:80", b"10.0.0.3:80"]);
        assert_eq!(c.list(), Some(&b"512"[..]));
        let times: Vec<_> = list_items(b"0.004, 0.010 : -").collect();
        assert_eq!(times, vec![&b"0.004"[..], b"0.010", b"-"]);
    }
}
