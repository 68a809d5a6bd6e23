//! A line diff (longest common subsequence), used to compare two revisions' JSON.

use serde::{Deserialize, Serialize};

/// One line of a diff: unchanged, only in the old text, or only in the new one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// Beyond this many lines per side the diff falls back to "all removed, all added".
pub const MAX_DIFF_LINES: usize = 4000;

/// The lines of `old` and `new`, in order, marked as kept, removed or added.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_DIFF_LINES || b.len() > MAX_DIFF_LINES {
        return a
            .iter()
            .map(|l| DiffLine::Removed(l.to_string()))
            .chain(b.iter().map(|l| DiffLine::Added(l.to_string())))
            .collect();
    }
    // lcs[i][j] = length of the LCS of a[i..] and b[j..].
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        } else {
            out.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| DiffLine::Removed(l.to_string())));
    out.extend(b[j..].iter().map(|l| DiffLine::Added(l.to_string())));
    out
}

/// Number of (removed, added) lines.
pub fn diff_counts(lines: &[DiffLine]) -> (usize, usize) {
    lines.iter().fold((0, 0), |(r, a), l| match l {
        DiffLine::Removed(_) => (r + 1, a),
        DiffLine::Added(_) => (r, a + 1),
        DiffLine::Same(_) => (r, a),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_changed_lines_only() {
        let d = line_diff("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(
            d,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Added("B".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("d".into()),
            ]
        );
        assert_eq!(diff_counts(&d), (1, 2));
    }

    #[test]
    fn identical_texts_have_no_changes() {
        let d = line_diff("x\ny", "x\ny");
        assert_eq!(diff_counts(&d), (0, 0));
        assert_eq!(line_diff("", "").len(), 0);
    }
}
