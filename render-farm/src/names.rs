//! Job ids, and the close-match hints of errors about names.

/// A job id: the name's letters and digits, then the submission time in
/// milliseconds (hex), so ids sort by age and never collide in practice.
pub fn job_id(name: &str, millis: u128) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    let slug: String = slug.chars().take(32).collect();
    let slug = if slug.is_empty() {
        "job".to_owned()
    } else {
        slug
    };
    format!("{slug}-{millis:x}")
}

/// `choices` ordered closest to `given` first (by edit distance).
pub fn closest_first<'a>(given: &str, choices: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ranked: Vec<(usize, &str)> = choices
        .into_iter()
        .map(|c| (distance(given, c), c))
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, c)| c).collect()
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = prev + usize::from(ca != cb);
            prev = row[j + 1];
            row[j + 1] = cost.min(row[j] + 1).min(prev + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_path_safe_and_close_matches_come_first() {
        assert_eq!(job_id("Shot 010/beauty", 255), "shot-010-beauty-ff");
        assert_eq!(job_id("../..", 1), "job-1");
        assert_eq!(
            closest_first("slrum", ["local", "slurm"]),
            vec!["slurm", "local"]
        );
    }
}
