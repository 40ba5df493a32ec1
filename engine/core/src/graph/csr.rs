//! [`Csr`]: adjacency lists in two flat arrays, the one layout the graph and the recommender's
//! tables keep their per-skill lists in.

/// Compressed rows: the entries of row `i` are `list[start[i]..start[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Csr {
    start: Vec<u32>,
    list: Vec<u32>,
}

impl Default for Csr {
    /// No rows.
    fn default() -> Self {
        Csr {
            start: vec![0],
            list: Vec::new(),
        }
    }
}

impl Csr {
    /// One row per item of `lists`, in order.
    pub(crate) fn from_lists<L: AsRef<[u32]>>(lists: impl IntoIterator<Item = L>) -> Self {
        let mut csr = Csr::default();
        for l in lists {
            csr.list.extend_from_slice(l.as_ref());
            csr.start.push(csr.list.len() as u32);
        }
        csr
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.start.len() - 1
    }

    /// Number of entries over all rows.
    pub(crate) fn entries(&self) -> usize {
        self.list.len()
    }

    /// Row `i`. Panics when `i` is not a row.
    #[inline]
    pub(crate) fn get(&self, i: u32) -> &[u32] {
        &self.list[self.range(i)]
    }

    /// The flat positions of row `i`'s entries.
    #[inline]
    pub(crate) fn range(&self, i: u32) -> std::ops::Range<usize> {
        let i = i as usize;
        self.start[i] as usize..self.start[i + 1] as usize
    }

    /// The reverse relation over `n` rows: row `j` lists every `i` whose row holds `j`, `i`
    /// ascending. Every entry must be below `n`.
    pub(crate) fn transpose(&self, n: usize) -> Csr {
        let mut start = vec![0u32; n + 1];
        for &j in &self.list {
            start[j as usize + 1] += 1;
        }
        for j in 0..n {
            start[j + 1] += start[j];
        }
        let mut next: Vec<u32> = start[..n].to_vec();
        let mut list = vec![0u32; self.list.len()];
        for i in 0..self.rows() as u32 {
            for &j in self.get(i) {
                list[next[j as usize] as usize] = i;
                next[j as usize] += 1;
            }
        }
        Csr { start, list }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_transpose() {
        let c = Csr::from_lists([vec![], vec![0], vec![0, 1]]);
        assert_eq!((c.rows(), c.entries()), (3, 3));
        assert_eq!(c.get(2), &[0, 1]);
        assert_eq!(c.range(2), 1..3);
        let t = c.transpose(3);
        assert_eq!([t.get(0), t.get(1), t.get(2)], [&[1, 2][..], &[2], &[]]);
        assert_eq!(t.transpose(3), c);
    }
}
