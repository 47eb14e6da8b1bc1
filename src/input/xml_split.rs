//! Cutting XML text into its records and the skeleton around them.
//!
//! A DSML or CLIXML export is one document whose bulk is a long run of
//! sibling elements, one per directory object (`searchResultEntry`, DSML v1
//! `entry`, the `Obj`s under CLIXML's root). [`Splitter`] finds those
//! elements with a light scan — it only follows tags, comments, CDATA
//! sections, processing instructions and declarations, without decoding or
//! checking anything — so that each record can be parsed on its own, in
//! parallel, and dropped once read. What lies outside the records (the
//! root, `searchResponse`, `searchResultDone`, an `errorResponse`…) is the
//! skeleton: small, kept, and parsed once at the end.
//!
//! The splitter works on a window of text and can stop anywhere: it says
//! how much of the window it has consumed, and resumes in the next window
//! where it stopped, even inside a record.

use std::ops::Range;

/// Which elements are records, from the local names of the open skeleton
/// elements (outermost first) and the element's own local name.
pub type RecordRule = fn(open: &[Vec<u8>], name: &[u8]) -> bool;

/// The deepest skeleton nesting followed by name; deeper elements are
/// counted but not named (the skeleton parse reports such nesting).
const MAX_NAMED_DEPTH: usize = 256;

/// One piece of a scanned window, in input order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// A whole record element (or what there is of it when the input ends).
    Record(Range<usize>),
    /// Text outside records; whitespace-only runs are left out.
    Skeleton(Range<usize>),
    /// A record longer than the limit starts here; its bytes are dropped.
    Oversized(usize),
}

/// Where a window's scan stopped.
#[derive(Debug, PartialEq, Eq)]
pub struct Scanned {
    /// Bytes of the window consumed: every piece lies before this.
    pub consumed: usize,
}

/// The splitter's state between windows.
#[derive(Debug)]
pub struct Splitter {
    rule: RecordRule,
    max_record: usize,
    /// Local names of the open skeleton elements.
    open: Vec<Vec<u8>>,
    /// Open skeleton elements deeper than [`MAX_NAMED_DEPTH`].
    unnamed_depth: usize,
    /// Nesting inside the current record (0: not in a record).
    record_depth: usize,
    /// The current record is oversized: its bytes are being dropped.
    discarding: bool,
    /// Where scanning resumes in the next window, relative to its start.
    resume: usize,
}

impl Splitter {
    /// A splitter for records chosen by `rule`, at most `max_record` bytes each.
    pub fn new(rule: RecordRule, max_record: usize) -> Self {
        Splitter {
            rule,
            max_record,
            open: Vec::new(),
            unnamed_depth: 0,
            record_depth: 0,
            discarding: false,
            resume: 0,
        }
    }

    /// Scans `text` (what is left of the previous window followed by new
    /// text), appending its pieces. Unless `at_end`, an incomplete token or
    /// record at the end is left unconsumed for the next call.
    pub fn scan(&mut self, text: &[u8], at_end: bool, pieces: &mut Vec<Piece>) -> Scanned {
        let mut pos = std::mem::take(&mut self.resume).min(text.len());
        // Start of the current record, or of the pending skeleton text.
        let mut mark = 0;
        loop {
            let Some(lt) = memchr::memchr(b'<', &text[pos..]).map(|i| pos + i) else {
                return self.stop_in_text(text, at_end, mark, pieces);
            };
            let Some(token) = token_at(text, lt) else {
                if at_end {
                    return self.stop_at_end(text, mark, pieces);
                }
                return self.stop_before(text, lt, mark, pieces);
            };
            pos = token.end;
            if self.record_depth > 0 {
                self.inside_record(&token, &mut mark, pieces);
            } else {
                self.outside_record(&token, text, lt, &mut mark, pieces);
            }
        }
    }

    fn outside_record(
        &mut self,
        token: &Token,
        text: &[u8],
        lt: usize,
        mark: &mut usize,
        pieces: &mut Vec<Piece>,
    ) {
        match token.kind {
            TokenKind::Start { empty } => {
                let name = local_name(&text[lt + 1..token.end]);
                if self.unnamed_depth == 0 && (self.rule)(&self.open, name) {
                    push_skeleton(text, *mark..lt, pieces);
                    *mark = lt;
                    if empty {
                        pieces.push(Piece::Record(lt..token.end));
                        *mark = token.end;
                    } else {
                        self.record_depth = 1;
                    }
                } else if !empty {
                    if self.open.len() < MAX_NAMED_DEPTH {
                        self.open.push(name.to_vec());
                    } else {
                        self.unnamed_depth += 1;
                    }
                }
            }
            TokenKind::End => {
                if self.unnamed_depth > 0 {
                    self.unnamed_depth -= 1;
                } else {
                    self.open.pop();
                }
            }
            TokenKind::Other => {}
        }
    }

    fn inside_record(&mut self, token: &Token, mark: &mut usize, pieces: &mut Vec<Piece>) {
        match token.kind {
            TokenKind::Start { empty: false } => self.record_depth += 1,
            TokenKind::End => self.record_depth -= 1,
            _ => {}
        }
        if self.record_depth == 0 {
            if !std::mem::take(&mut self.discarding) {
                pieces.push(Piece::Record(*mark..token.end));
            }
            *mark = token.end;
        } else if !self.discarding && token.end - *mark > self.max_record {
            pieces.push(Piece::Oversized(*mark));
            self.discarding = true;
        }
    }

    /// No `<` before the end of the window.
    fn stop_in_text(
        &mut self,
        text: &[u8],
        at_end: bool,
        mark: usize,
        pieces: &mut Vec<Piece>,
    ) -> Scanned {
        if at_end {
            return self.stop_at_end(text, mark, pieces);
        }
        // Never cut between the CR and LF of a line end.
        let end = if text.last() == Some(&b'\r') {
            text.len() - 1
        } else {
            text.len()
        };
        self.stop_before(text, end.max(mark), mark, pieces)
    }

    /// Consumes text up to `at`, leaving the rest for the next window.
    fn stop_before(
        &mut self,
        text: &[u8],
        at: usize,
        mark: usize,
        pieces: &mut Vec<Piece>,
    ) -> Scanned {
        if self.record_depth == 0 {
            push_skeleton(text, mark..at, pieces);
            return Scanned { consumed: at };
        }
        if self.discarding {
            return Scanned { consumed: at };
        }
        if at - mark > self.max_record {
            pieces.push(Piece::Oversized(mark));
            self.discarding = true;
            return Scanned { consumed: at };
        }
        self.resume = at - mark;
        Scanned { consumed: mark }
    }

    /// The input ends: everything left is consumed.
    fn stop_at_end(&mut self, text: &[u8], mark: usize, pieces: &mut Vec<Piece>) -> Scanned {
        if self.record_depth == 0 {
            push_skeleton(text, mark..text.len(), pieces);
        } else if !self.discarding {
            pieces.push(Piece::Record(mark..text.len()));
        }
        self.record_depth = 0;
        self.discarding = false;
        Scanned {
            consumed: text.len(),
        }
    }
}

fn push_skeleton(text: &[u8], range: Range<usize>, pieces: &mut Vec<Piece>) {
    if !text[range.clone()].iter().all(u8::is_ascii_whitespace) {
        pieces.push(Piece::Skeleton(range));
    }
}

#[derive(Debug)]
struct Token {
    kind: TokenKind,
    /// Just past the token's last byte.
    end: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum TokenKind {
    Start {
        empty: bool,
    },
    End,
    /// Comment, CDATA, processing instruction or declaration.
    Other,
}

/// The markup token starting at the `<` at `lt`, or `None` when it does not
/// end within `text`.
fn token_at(text: &[u8], lt: usize) -> Option<Token> {
    let rest = &text[lt..];
    let other = |open: usize, close: &[u8]| {
        memchr::memmem::find(&rest[open..], close).map(|i| Token {
            kind: TokenKind::Other,
            end: lt + open + i + close.len(),
        })
    };
    if rest.starts_with(b"<!--") {
        return other(4, b"-->");
    }
    if rest.starts_with(b"<![CDATA[") {
        return other(9, b"]]>");
    }
    if rest.starts_with(b"<?") {
        return other(2, b"?>");
    }
    if b"<![CDATA[".starts_with(rest) || b"<!--".starts_with(rest) {
        return None;
    }
    if rest.starts_with(b"<!") {
        return declaration_end(rest).map(|end| Token {
            kind: TokenKind::Other,
            end: lt + end,
        });
    }
    if !rest.get(1).is_some_and(|&b| {
        b == b'/' || b == b'_' || b == b':' || b.is_ascii_alphabetic() || b >= 0x80
    }) {
        // Not markup (invalid XML the parser will report): a lone `<`.
        return rest.get(1).map(|_| Token {
            kind: TokenKind::Other,
            end: lt + 1,
        });
    }
    let end = tag_end(rest)?;
    let kind = if rest.get(1) == Some(&b'/') {
        TokenKind::End
    } else {
        TokenKind::Start {
            empty: rest[..end].ends_with(b"/>"),
        }
    };
    Some(Token {
        kind,
        end: lt + end,
    })
}

/// Just past the `>` that closes a tag, skipping quoted attribute values.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut pos = 1;
    loop {
        let at = pos + memchr::memchr3(b'>', b'"', b'\'', &tag[pos..])?;
        if tag[at] == b'>' {
            return Some(at + 1);
        }
        pos = at + 1 + memchr::memchr(tag[at], &tag[at + 1..])? + 1;
    }
}

/// Just past the `>` that closes a `<!…>` declaration, skipping an internal
/// subset in brackets and quoted strings.
fn declaration_end(decl: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, &byte) in decl.iter().enumerate().skip(2) {
        match (quote, byte) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(byte),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The local name of the tag starting `after_lt` (prefix and attributes dropped).
fn local_name(after_lt: &[u8]) -> &[u8] {
    let end = after_lt
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .unwrap_or(after_lt.len());
    let name = &after_lt[..end];
    match memchr::memrchr(b':', name) {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(open: &[Vec<u8>], name: &[u8]) -> bool {
        name == b"e" && open.last().map(Vec::as_slice) == Some(b"r")
    }

    fn split(text: &[u8], window: usize) -> Vec<(char, Vec<u8>)> {
        let mut splitter = Splitter::new(entries, 1 << 20);
        let mut out = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let mut fed = 0;
        loop {
            let take = window.min(text.len() - fed);
            pending.extend_from_slice(&text[fed..fed + take]);
            fed += take;
            let at_end = fed == text.len();
            let mut pieces = Vec::new();
            let scanned = splitter.scan(&pending, at_end, &mut pieces);
            for piece in pieces {
                out.push(match piece {
                    Piece::Record(r) => ('r', pending[r].to_vec()),
                    Piece::Skeleton(r) => ('s', pending[r].to_vec()),
                    Piece::Oversized(_) => ('o', Vec::new()),
                });
            }
            pending.drain(..scanned.consumed);
            if at_end {
                assert!(pending.is_empty());
                return out;
            }
        }
    }

    fn records(pieces: &[(char, Vec<u8>)]) -> Vec<String> {
        pieces
            .iter()
            .filter(|(kind, _)| *kind == 'r')
            .map(|(_, text)| String::from_utf8_lossy(text).into_owned())
            .collect()
    }

    const DOC: &[u8] = b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a '>'>]>\n<x:r a='>'>\n \
        <x:e n=\"a>b\"><e><![CDATA[</e>]]></e><!-- </e> --></x:e>\n <e/>\n<o><e>not a record</e></o>\
        <e>last</e></x:r>";

    #[test]
    fn records_are_found_whatever_the_window() {
        let whole = split(DOC, DOC.len());
        assert_eq!(
            records(&whole),
            [
                "<x:e n=\"a>b\"><e><![CDATA[</e>]]></e><!-- </e> --></x:e>",
                "<e/>",
                "<e>last</e>"
            ]
        );
        for window in 1..DOC.len() {
            let pieces = split(DOC, window);
            assert_eq!(records(&pieces), records(&whole), "window {window}");
            assert_eq!(skeleton(&pieces), skeleton(&whole), "window {window}");
        }
    }

    /// The skeleton's text without whitespace (pieces are cut differently
    /// in different windows, and whitespace-only pieces are left out).
    fn skeleton(pieces: &[(char, Vec<u8>)]) -> String {
        let text: Vec<u8> = pieces
            .iter()
            .filter(|(kind, _)| *kind == 's')
            .flat_map(|(_, text)| text.iter().copied())
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        String::from_utf8(text).unwrap()
    }

    #[test]
    fn the_skeleton_is_everything_else() {
        let skeleton = skeleton(&split(DOC, 7));
        assert!(skeleton.contains("<o><e>notarecord</e></o>"));
        assert!(skeleton.ends_with("</x:r>"));
        assert!(!skeleton.contains("last"));
    }

    #[test]
    fn a_truncated_record_is_handed_on_whole() {
        let pieces = split(b"<r><e>1</e><e>2<a", 3);
        assert_eq!(records(&pieces), ["<e>1</e>", "<e>2<a"]);
    }

    #[test]
    fn an_oversized_record_is_dropped_and_reading_goes_on() {
        let mut text = b"<r><e>".to_vec();
        text.extend(std::iter::repeat_n(b'x', 100));
        text.extend_from_slice(b"<b/></e><e>ok</e></r>");
        let mut splitter = Splitter::new(entries, 50);
        let mut pieces = Vec::new();
        let mut window = text[..60].to_vec();
        let scanned = splitter.scan(&window, false, &mut pieces);
        window.drain(..scanned.consumed);
        window.extend_from_slice(&text[60..]);
        let scanned = splitter.scan(&window, true, &mut pieces);
        assert_eq!(scanned.consumed, window.len());
        assert!(matches!(pieces[1], Piece::Oversized(3)), "{pieces:?}");
        let kept: Vec<_> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Record(r) => Some(window[r.clone()].to_vec()),
                _ => None,
            })
            .collect();
        assert_eq!(kept, [b"<e>ok</e>".to_vec()]);
    }
}
