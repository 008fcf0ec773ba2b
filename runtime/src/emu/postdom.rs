//! Immediate post-dominators of a CFG given as successor lists: where the paths of a divergent branch meet again,
//! i.e. where a warp reconverges.
//!
//! Cooper, Harvey and Kennedy's iterative algorithm ("A Simple, Fast Dominance Algorithm") on the reversed graph,
//! rooted at a virtual exit node that every block without successors (`ret`, `trap`) flows into. A block that
//! cannot reach the exit (an infinite loop) gets the exit as its post-dominator: its paths never meet.

/// `ipdom[b]` for every block `0..succs.len()`: `Some(block)`, or `None` for the virtual exit.
pub(crate) fn immediate_post_dominators(succs: &[Vec<usize>]) -> Vec<Option<usize>> {
    let n = succs.len();
    let exit = n;
    // Predecessors in the reversed graph are the forward successors; successors in the reversed graph are the
    // forward predecessors (plus exit -> every exiting block).
    let mut rev_succ: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
    for (b, ss) in succs.iter().enumerate() {
        if ss.is_empty() {
            rev_succ[exit].push(b);
        }
        for &s in ss {
            if s < n {
                rev_succ[s].push(b);
            }
        }
    }
    // Postorder of the reversed graph from the exit (iterative DFS).
    let mut order = Vec::with_capacity(n + 1);
    let mut visited = vec![false; n + 1];
    let mut stack: Vec<(usize, usize)> = vec![(exit, 0)];
    visited[exit] = true;
    while let Some(top) = stack.last_mut() {
        let (v, i) = *top;
        if let Some(&w) = rev_succ[v].get(i) {
            top.1 += 1;
            if !visited[w] {
                visited[w] = true;
                stack.push((w, 0));
            }
        } else {
            order.push(v);
            stack.pop();
        }
    }
    let mut po_num = vec![usize::MAX; n + 1];
    for (i, &v) in order.iter().enumerate() {
        po_num[v] = i;
    }
    const UNDEF: usize = usize::MAX;
    let mut idom = vec![UNDEF; n + 1];
    idom[exit] = exit;
    let preds = |b: usize| -> Vec<usize> {
        // Predecessors of b in the reversed graph: its forward successors, or the exit for exiting blocks.
        if b == exit {
            Vec::new()
        } else if succs[b].is_empty() {
            vec![exit]
        } else {
            succs[b].iter().copied().filter(|&s| s < n).collect()
        }
    };
    let intersect = |idom: &[usize], mut a: usize, mut b: usize| -> usize {
        while a != b {
            while po_num[a] < po_num[b] {
                a = idom[a];
            }
            while po_num[b] < po_num[a] {
                b = idom[b];
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        // Reverse postorder, skipping the root.
        for &b in order.iter().rev() {
            if b == exit {
                continue;
            }
            let mut new_idom = UNDEF;
            for p in preds(b) {
                if po_num[p] == usize::MAX || idom[p] == UNDEF {
                    continue;
                }
                new_idom = if new_idom == UNDEF { p } else { intersect(&idom, p, new_idom) };
            }
            if new_idom != UNDEF && idom[b] != new_idom {
                idom[b] = new_idom;
                changed = true;
            }
        }
    }
    (0..n).map(|b| if idom[b] == UNDEF || idom[b] == exit { None } else { Some(idom[b]) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diamond_loop_and_early_exit() {
        // 0 -> 1, 2; 1 -> 3; 2 -> 3; 3 -> exit
        let s = vec![vec![1, 2], vec![3], vec![3], vec![]];
        assert_eq!(immediate_post_dominators(&s), vec![Some(3), Some(3), Some(3), None]);
        // Loop: 0 -> 1; 1 -> 1, 2; 2 -> exit
        let s = vec![vec![1], vec![1, 2], vec![]];
        assert_eq!(immediate_post_dominators(&s), vec![Some(1), Some(2), None]);
        // Early exit: 0 -> 1 (ret), 2; 2 -> 3; 3 ret
        let s = vec![vec![1, 2], vec![], vec![3], vec![]];
        assert_eq!(immediate_post_dominators(&s), vec![None, None, Some(3), None]);
        // Infinite loop: 0 -> 1, 2; 1 -> 1; 2 ret. Only paths that reach the exit count.
        let s = vec![vec![1, 2], vec![1], vec![]];
        assert_eq!(immediate_post_dominators(&s), vec![Some(2), None, None]);
        // Nested: 0 -> 1, 4; 1 -> 2, 3; 2 -> 3; 3 -> 4; 4 ret
        let s = vec![vec![1, 4], vec![2, 3], vec![3], vec![4], vec![]];
        assert_eq!(immediate_post_dominators(&s), vec![Some(4), Some(3), Some(3), Some(4), None]);
    }
}
