//! The text a sentence rule sees: one sentence, or two consecutive sentences of a
//! paragraph, in the matching view, mapped back to the sentences' own text.

use std::borrow::Cow;
use std::ops::Range;

use crate::segment::Sentence;

/// Each included sentence of `sentences` (a document's, or whole paragraphs of
/// them), with the sentence right after it in the same paragraph when that one is
/// included too (the second sentence of a two-sentence window).
pub(crate) fn windows(sentences: &[Sentence]) -> Vec<(&Sentence, Option<&Sentence>)> {
    let sents: Vec<&Sentence> = sentences.iter().filter(|s| !s.excluded).collect();
    (0..sents.len())
        .map(|i| {
            let s = sents[i];
            let next = sents
                .get(i + 1)
                .copied()
                .filter(|n| n.para == s.para && n.sentence == s.sentence + 1);
            (s, next)
        })
        .collect()
}

/// A window of one or two sentences: the text rules see and the text quoted
/// (borrowed from the sentence when there is one: most windows).
pub(crate) struct Window<'a> {
    sentences: &'a [&'a Sentence],
    /// Concatenated match texts (the sentences' views).
    pub matched: Cow<'a, str>,
    /// Concatenated original texts.
    original: Cow<'a, str>,
    /// Where each sentence starts in `matched` and in `original`.
    bounds: Vec<(usize, usize)>,
}

impl<'a> Window<'a> {
    /// The window of `sentences` (one, or two consecutive ones of a paragraph).
    pub(crate) fn new(sentences: &'a [&'a Sentence]) -> Self {
        if let [s] = sentences {
            return Window {
                sentences,
                matched: Cow::Borrowed(s.match_text()),
                original: Cow::Borrowed(&s.text),
                bounds: vec![(0, 0)],
            };
        }
        let mut matched = String::new();
        let mut original = String::new();
        let mut bounds = Vec::new();
        for s in sentences {
            bounds.push((matched.len(), original.len()));
            matched.push_str(s.match_text());
            original.push_str(&s.text);
        }
        let (matched, original) = (Cow::Owned(matched), Cow::Owned(original));
        Window {
            sentences,
            matched,
            original,
            bounds,
        }
    }

    /// The range of `original` that a range of `matched` comes from.
    fn original_range(&self, range: Range<usize>) -> Range<usize> {
        // The sentence a position of `matched` falls in (the last one starting at or before it).
        let at = |pos: usize| {
            self.bounds
                .partition_point(|b| b.0 <= pos)
                .saturating_sub(1)
        };
        let (k, l) = (
            at(range.start),
            at(range.end.saturating_sub(1).max(range.start)),
        );
        let local = |k: usize, r: Range<usize>| {
            let (m, o) = self.bounds[k];
            let r = self.sentences[k].to_original(r.start - m..r.end - m);
            o + r.start..o + r.end
        };
        if k == l {
            return local(k, range);
        }
        let first = local(k, range.start..self.bounds[k + 1].0);
        let last = local(l, self.bounds[l].0..range.end);
        first.start..last.end
    }

    /// The original text of a range of `matched`.
    pub(crate) fn original_of(&self, range: Range<usize>) -> String {
        self.original[self.original_range(range)].to_string()
    }

    /// The sentences a range touches, with the part of each it covers (in each
    /// sentence's own text).
    pub(crate) fn touched(&self, range: &Range<usize>) -> Vec<(&'a Sentence, Range<usize>)> {
        let mut out = Vec::new();
        for (k, s) in self.sentences.iter().enumerate() {
            let start = self.bounds[k].0;
            let end = start + s.match_text().len();
            let a = range.start.max(start);
            let b = range.end.min(end);
            if a < b || (range.is_empty() && a == range.start && a >= start && a < end) {
                let local = a - start..b.max(a) - start;
                out.push((*s, s.to_original(local)));
            }
        }
        out
    }

    /// The window's first sentence.
    pub(crate) fn first(&self) -> &'a Sentence {
        self.sentences[0]
    }

    /// Whether `range` of `matched` crosses from the first sentence into the second
    /// (what a two-sentence rule must do); true for a window of one sentence.
    pub(crate) fn spans_boundary(&self, range: &Range<usize>) -> bool {
        match self.bounds.get(1) {
            None => true,
            Some(&(second, _)) => range.start < second && range.end > second,
        }
    }
}
