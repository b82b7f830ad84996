//! Ranking-quality evaluation for `loupe eval`: parsing of TREC qrels and of query files,
//! the per-query metrics `ndcg_cut_10`, `map`, `P_10`, `recall_100` and `recip_rank` exactly
//! as trec_eval 9.x defines them, their mean, and a writer for TREC run files.
//!
//! Running the queries of a collection, a suite of collections, or known-item searches is
//! [`suite`]'s; printing the report is the caller's.

pub mod suite;

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

/// Relevance judgments: qid -> (docid -> gain). Gain 0 means judged not relevant.
pub type Qrels = HashMap<String, HashMap<String, i32>>;

/// Parses TREC qrels: lines `qid iter docid gain` separated by any whitespace; the `iter`
/// field is ignored, blank lines and lines starting with '#' are skipped, and when a
/// document is judged twice for the same query the last judgment wins.
///
/// A malformed line gives an error naming its 1-based number and what is wrong, e.g.
/// "line 3: expected `qid 0 docid gain`, found 2 fields".
pub fn parse_qrels(text: &str) -> Result<Qrels, String> {
    let mut qrels = Qrels::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [qid, _iter, docid, gain] = fields[..] else {
            return Err(format!(
                "line {}: expected `qid 0 docid gain`, found {} fields",
                index + 1,
                fields.len()
            ));
        };
        let gain: i32 = gain
            .parse()
            .map_err(|_| format!("line {}: gain `{gain}` is not an integer", index + 1))?;
        qrels
            .entry(qid.to_string())
            .or_default()
            .insert(docid.to_string(), gain);
    }
    Ok(qrels)
}

/// Parses queries: one per line, `qid<TAB>text`, where the text is everything after the
/// first tab, trimmed and otherwise kept verbatim (the qid is trimmed too).
///
/// Blank lines are skipped; a line without a tab or with an empty qid gives an error naming
/// its 1-based number. Queries are returned in file order.
pub fn parse_queries(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut queries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((qid, query)) = line.split_once('\t') else {
            return Err(format!(
                "line {}: expected `qid<TAB>query text`, found no tab",
                index + 1
            ));
        };
        let qid = qid.trim();
        if qid.is_empty() {
            return Err(format!("line {}: empty query id", index + 1));
        }
        queries.push((qid.to_string(), query.trim().to_string()));
    }
    Ok(queries)
}

/// One query's metric values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// trec_eval `ndcg_cut_10`: nDCG at 10 with linear gains.
    pub ndcg_10: f64,
    /// trec_eval `map`: average precision over the whole ranking.
    pub map: f64,
    /// trec_eval `P_10`: relevant documents in the top 10, divided by 10.
    pub p_10: f64,
    /// trec_eval `recall_100`: relevant documents in the top 100, divided by all relevant.
    pub recall_100: f64,
    /// trec_eval `recip_rank`: reciprocal rank of the first relevant document.
    pub mrr: f64,
}

/// Computes the metrics of one ranked list of docids (best first) against one query's
/// judgments, following trec_eval: a document is relevant when its gain is above 0, and
/// unjudged documents count as not relevant.
///
/// A repeated docid keeps only its first occurrence; the documents after it move up a rank.
pub fn evaluate(ranking: &[String], judgments: &HashMap<String, i32>) -> Metrics {
    let relevant_total = judgments.values().filter(|&&gain| gain > 0).count();
    let mut seen = HashSet::new();
    let gains = ranking
        .iter()
        .filter(|doc| seen.insert(doc.as_str()))
        .map(|doc| judgments.get(doc).copied().unwrap_or(0).max(0));

    let mut metrics = Metrics::default();
    let (mut found, mut precision_sum, mut dcg) = (0usize, 0.0, 0.0);
    for (index, gain) in gains.enumerate() {
        let rank = index + 1;
        if rank <= 10 {
            dcg += f64::from(gain) / discount(rank);
        }
        if gain == 0 {
            continue;
        }
        found += 1;
        precision_sum += found as f64 / rank as f64;
        if found == 1 {
            metrics.mrr = 1.0 / rank as f64;
        }
        if rank <= 10 {
            metrics.p_10 = found as f64 / 10.0;
        }
        if rank <= 100 && relevant_total > 0 {
            metrics.recall_100 = found as f64 / relevant_total as f64;
        }
    }
    if relevant_total > 0 {
        metrics.map = precision_sum / relevant_total as f64;
    }

    let mut ideal: Vec<i32> = judgments.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = (ideal.iter().take(10).enumerate())
        .map(|(index, &gain)| f64::from(gain) / discount(index + 1))
        .sum();
    if idcg > 0.0 {
        metrics.ndcg_10 = dcg / idcg;
    }
    metrics
}

/// The DCG discount of a 1-based rank: log2(rank + 1).
fn discount(rank: usize) -> f64 {
    (rank as f64 + 1.0).log2()
}

/// Returns the mean of per-query metrics (every field averaged), or all zeros for an empty
/// slice.
pub fn mean(per_query: &[Metrics]) -> Metrics {
    if per_query.is_empty() {
        return Metrics::default();
    }
    let n = per_query.len() as f64;
    let sum = |field: fn(&Metrics) -> f64| per_query.iter().map(field).sum::<f64>() / n;
    Metrics {
        ndcg_10: sum(|m| m.ndcg_10),
        map: sum(|m| m.map),
        p_10: sum(|m| m.p_10),
        recall_100: sum(|m| m.recall_100),
        mrr: sum(|m| m.mrr),
    }
}

/// Writes one query's ranking as TREC run lines `qid Q0 docid rank score tag`, ranks from 1.
///
/// trec_eval reads scores into a C `float` and re-sorts by score, breaking ties by docid in
/// reverse order, so the written scores are strictly decreasing `f32` values printed in their
/// shortest exact form (fixed decimals could merge distinct scores). A score that does not fall
/// below the previous written one, or is not finite (NaN, infinity), is written as the previous
/// one minus max(1e-6, 1e-6 × |previous|), floored at `f32::MIN`; a non-finite first score is
/// written as 0. A repeated docid keeps only its first occurrence, as in [`evaluate`].
///
/// # Errors
///
/// A qid, docid or tag that is empty or contains whitespace would corrupt the file and gives an
/// `InvalidInput` error; write errors are passed on.
pub fn write_run(
    out: &mut dyn Write,
    qid: &str,
    ranking: &[(String, f32)],
    tag: &str,
) -> io::Result<()> {
    let mut seen = HashSet::new();
    let mut previous: Option<f32> = None;
    let unique = ranking.iter().filter(|(doc, _)| seen.insert(doc.as_str()));
    for (index, (docid, score)) in unique.enumerate() {
        for field in [qid, docid.as_str(), tag] {
            if field.is_empty() || field.contains(char::is_whitespace) {
                let message = format!("run field `{field}` is empty or contains whitespace");
                return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
            }
        }
        let score = match previous {
            Some(prev) if score.is_finite() && *score < prev => *score,
            Some(prev) => (prev - (prev.abs() * 1e-6).max(1e-6)).max(f32::MIN),
            None if score.is_finite() => *score,
            None => 0.0,
        };
        previous = Some(score);
        writeln!(out, "{qid} Q0 {docid} {} {score} {tag}", index + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judgments(pairs: &[(&str, i32)]) -> HashMap<String, i32> {
        pairs.iter().map(|&(d, g)| (d.to_string(), g)).collect()
    }

    fn docs(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn hand_computed_example() {
        // Relevant: d1 (3), d2 (2), d4 (1), d5 (2), so R = 4; d3 is judged 0.
        // Ranking: 1 d3 (0), 2 d1 (3), 3 x (unjudged), 4 d2 (2), 5 d4 (1), 6 y.
        // map        = (1/2 + 2/4 + 3/5) / 4 = 1.6 / 4 = 0.4
        // P_10       = 3 / 10 = 0.3
        // recall_100 = 3 / 4 = 0.75
        // recip_rank = 1 / 2 = 0.5
        // DCG@10  = 3/log2(3) + 2/log2(5) + 1/log2(6)
        //         = 1.892789 + 0.861353 + 0.386853 = 3.1409951841
        // IDCG@10 = 3/log2(2) + 2/log2(3) + 2/log2(4) + 1/log2(5)
        //         = 3 + 1.261860 + 1 + 0.430677 = 5.6925360652
        // nDCG@10 = 3.1409951841 / 5.6925360652 = 0.5517743143
        let j = judgments(&[("d1", 3), ("d2", 2), ("d3", 0), ("d4", 1), ("d5", 2)]);
        let m = evaluate(&docs(&["d3", "d1", "x", "d2", "d4", "y"]), &j);
        assert!(close(m.map, 0.4) && close(m.p_10, 0.3), "{m:?}");
        assert!(close(m.recall_100, 0.75) && close(m.mrr, 0.5), "{m:?}");
        let dcg = 3.0 / 3f64.log2() + 2.0 / 5f64.log2() + 1.0 / 6f64.log2();
        let idcg = 3.0 + 2.0 / 3f64.log2() + 2.0 / 2.0 + 1.0 / 5f64.log2();
        assert!(close(m.ndcg_10, dcg / idcg), "{m:?}");
        assert!(close(m.ndcg_10, 0.551_774_314_3), "{m:?}");
    }

    #[test]
    fn empty_ranking_and_no_relevant_docs_give_zeros() {
        let j = judgments(&[("d1", 1)]);
        assert_eq!(evaluate(&[], &j), Metrics::default());
        let none = judgments(&[("d1", 0), ("d2", -1)]);
        assert_eq!(evaluate(&docs(&["d1", "d2"]), &none), Metrics::default());
        let unjudged = evaluate(&docs(&["d1"]), &HashMap::new());
        assert_eq!(unjudged, Metrics::default());
    }

    #[test]
    fn recall_cuts_at_100_but_map_does_not() {
        let ranking: Vec<String> = (1..=150).map(|i| format!("d{i}")).collect();
        let m = evaluate(&ranking, &judgments(&[("d1", 1), ("d120", 1)]));
        assert!(close(m.recall_100, 0.5));
        assert!(close(m.map, (1.0 + 2.0 / 120.0) / 2.0));
        assert!(close(m.p_10, 0.1));
        assert!(close(m.ndcg_10, 1.0 / (1.0 + 1.0 / 3f64.log2())));
    }

    #[test]
    fn duplicates_keep_first_occurrence() {
        let j = judgments(&[("a", 1), ("b", 1)]);
        let m = evaluate(&docs(&["a", "a", "a", "b"]), &j);
        assert_eq!(m, evaluate(&docs(&["a", "b"]), &j));
        assert!(close(m.map, 1.0) && close(m.ndcg_10, 1.0) && close(m.p_10, 0.2));
    }

    #[test]
    fn p_10_divides_by_ten_with_few_results() {
        let m = evaluate(&docs(&["a", "b"]), &judgments(&[("a", 2), ("b", 1)]));
        assert!(close(m.p_10, 0.2) && close(m.recall_100, 1.0) && close(m.mrr, 1.0));
    }

    #[test]
    fn mean_averages_fields() {
        assert_eq!(mean(&[]), Metrics::default());
        // ndcg 1/log2(3), map 0.5, P_10 0.1, recall_100 1, recip_rank 0.5.
        let a = evaluate(&docs(&["x", "d"]), &judgments(&[("d", 1)]));
        let m = mean(&[a, Metrics::default()]);
        assert!(close(m.ndcg_10, 0.5 / 3f64.log2()) && close(m.map, 0.25));
        assert!(close(m.p_10, 0.05) && close(m.recall_100, 0.5) && close(m.mrr, 0.25));
    }

    #[test]
    fn parses_qrels() {
        let text = "# comment\n1 0 d1 2\n\n1\t0\td2   0\n  2 Q0 d9 -1\r\n1 0 d1 3\n";
        let q = parse_qrels(text).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q["1"], judgments(&[("d1", 3), ("d2", 0)]));
        assert_eq!(q["2"], judgments(&[("d9", -1)]));
    }

    #[test]
    fn rejects_malformed_qrels() {
        let err = parse_qrels("1 0 d1 1\n# x\n1 d2\n").unwrap_err();
        assert_eq!(err, "line 3: expected `qid 0 docid gain`, found 2 fields");
        let err = parse_qrels("\n1 0 d1 high\n").unwrap_err();
        assert_eq!(err, "line 2: gain `high` is not an integer");
        let err = parse_qrels("1 0 d1 1 extra").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
    }

    #[test]
    fn parses_queries_verbatim() {
        let query = r#""armed forces" AND title:(war OR 'peace')"#;
        let text = format!("q1\t{query}  \n\n q2 \tplain\ttab\r\n");
        let q = parse_queries(&text).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0], ("q1".into(), query.into()));
        assert_eq!(q[1], ("q2".into(), "plain\ttab".into()));
        let err = parse_queries("q1\tok\n\nq2 no tab\n").unwrap_err();
        assert_eq!(err, "line 3: expected `qid<TAB>query text`, found no tab");
        assert!(parse_queries("\tx").unwrap_err().starts_with("line 1:"));
    }

    fn run_lines(ranking: &[(&str, f32)]) -> Vec<String> {
        let ranking: Vec<(String, f32)> = ranking.iter().map(|&(d, s)| (d.into(), s)).collect();
        let mut out = Vec::new();
        write_run(&mut out, "7", &ranking, "loupe").unwrap();
        let text = String::from_utf8(out).unwrap();
        text.lines().map(String::from).collect()
    }

    #[test]
    fn run_lines_have_trec_format() {
        let lines = run_lines(&[("a", 12.5), ("b", -0.25), ("a", 9.0)]);
        assert_eq!(lines, ["7 Q0 a 1 12.5 loupe", "7 Q0 b 2 -0.25 loupe"]);
        let mut out = Vec::new();
        let err = write_run(&mut out, "1", &[("a b".into(), 1.0)], "t").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn run_scores_strictly_decrease_as_trec_eval_reads_them() {
        // 1.0000002 and 1.0000001 are adjacent f32 values that `{:.6}` would merge.
        let mut ranking = vec![("a", 1.000_000_2), ("b", 1.000_000_1), ("c", 1.000_000_1)];
        ranking.extend(vec![
            ("d", 3.0),
            ("e", f32::NAN),
            ("f", f32::INFINITY),
            ("g", 1e30),
        ]);
        ranking.extend(vec![("h", f32::NEG_INFINITY), ("i", f32::MIN)]);
        // trec_eval parses with atof and stores a C float.
        let read = |lines: Vec<String>| -> Vec<f32> {
            let score = |l: &String| l.split(' ').nth(4).unwrap().parse::<f64>().unwrap();
            lines.iter().map(|l| score(l) as f32).collect()
        };
        let scores = read(run_lines(&ranking));
        assert_eq!(scores.len(), ranking.len());
        assert!(scores.windows(2).all(|w| w[0] > w[1]), "{scores:?}");
        assert!(scores.iter().all(|s| s.is_finite()));
        assert_eq!(scores[..2], [1.000_000_2, 1.000_000_1]);
        let nan_first = read(run_lines(&[("a", f32::NAN), ("b", 1.0)]));
        assert_eq!(nan_first, [0.0, -1e-6]);
    }
}
