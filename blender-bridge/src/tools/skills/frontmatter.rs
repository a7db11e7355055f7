//! The `---`-fenced header of a SKILL.md: flat `key: value` lines, which is
//! all our skills use (no YAML library for four files we write ourselves).

use rmcp::model::SkillFrontmatter;

/// The frontmatter of `text` and the markdown after it, or why there is none.
pub(crate) fn split(text: &str) -> Result<(SkillFrontmatter, &str), String> {
    let rest = text.strip_prefix("---\n").ok_or("no leading --- line")?;
    let end = rest.find("\n---\n").ok_or("no closing --- line")?;
    let mut name = None;
    let mut description = None;
    let mut extra = Vec::new();
    for line in rest[..end].lines() {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("not `key: value`: {line}"))?;
        let value = value.trim().to_owned();
        match key.trim() {
            "name" => name = Some(value),
            "description" => description = Some(value),
            other => extra.push((other.to_owned(), value)),
        }
    }
    let mut frontmatter =
        SkillFrontmatter::new(name.ok_or("no name")?, description.ok_or("no description")?);
    for (key, value) in extra {
        frontmatter = frontmatter.with_field(key, value);
    }
    Ok((frontmatter, &rest[end + 5..]))
}
