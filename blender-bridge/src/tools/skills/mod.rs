//! Skills (the MCP Skills extension, SEP-2640): short guides that tell an
//! agent which typed tools to call, in which order, for common Blender jobs.
//!
//! The SKILL.md files live in `blender-bridge/skills/` and are compiled into
//! the binary, so the guides always match the tools of the same build; a
//! unit test ([`references`]) checks that every tool call they show names a
//! real tool and real arguments. Each file is also a resource,
//! `skill://<name>/SKILL.md`, which is what `skills/get` points to.

mod frontmatter;
#[cfg(test)]
mod references;

use rmcp::model::{
    ErrorData, GetSkillResult, ListSkillsResult, ReadResourceResult, Resource, ResourceContents,
    Skill, SkillResource, SkillResources,
};

/// `(name, SKILL.md text)` of the skill folder `$name`.
macro_rules! skill {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../../skills/", $name, "/SKILL.md")),
        )
    };
}

/// The skills served, by name (the folder under `skills/`).
const SKILLS: [(&str, &str); 4] = [
    skill!("product-shot-lighting"),
    skill!("geometry-nodes-scatter"),
    skill!("turntable-animation"),
    skill!("print-prep"),
];

fn uri(name: &str) -> String {
    format!("skill://{name}/SKILL.md")
}

/// One skill's manifest: its frontmatter and its single file.
fn manifest(name: &str, text: &str) -> Skill {
    let (frontmatter, _) = frontmatter::split(text)
        .unwrap_or_else(|e| panic!("skills/{name}/SKILL.md: {e} (the unit tests catch this)"));
    let file = SkillResource::from_bytes(uri(name), text.as_bytes());
    Skill::new(uri(name), frontmatter, SkillResources::Files(vec![file]))
}

/// `skills/list`.
pub(crate) fn list() -> ListSkillsResult {
    let skills = SKILLS.iter().map(|(name, text)| manifest(name, text));
    ListSkillsResult::with_all_items(skills.collect())
}

/// `skills/get`: the skill whose SKILL.md is at `uri`.
pub(crate) fn get(wanted: &str) -> Result<GetSkillResult, ErrorData> {
    SKILLS
        .iter()
        .find(|(name, _)| uri(name) == wanted)
        .map(|(name, text)| GetSkillResult::new(manifest(name, text)))
        .ok_or_else(|| ErrorData::invalid_params(unknown(wanted), None))
}

/// The skill files as resources, for `resources/list`.
pub(crate) fn resources() -> Vec<Resource> {
    SKILLS
        .iter()
        .map(|(name, text)| {
            let description = manifest(name, text).frontmatter.description;
            Resource::new(uri(name), *name)
                .with_description(description)
                .with_mime_type("text/markdown")
        })
        .collect()
}

/// `resources/read` of a `skill://` URI: the file, or `None` if it is not one of ours.
pub(crate) fn read(wanted: &str) -> Option<ReadResourceResult> {
    let (_, text) = SKILLS.iter().find(|(name, _)| uri(name) == wanted)?;
    let contents = ResourceContents::text(*text, wanted).with_mime_type("text/markdown");
    Some(ReadResourceResult::new(vec![contents]))
}

/// The error for a URI that is no skill of ours, listing those that are.
pub(crate) fn unknown(wanted: &str) -> String {
    let known: Vec<String> = SKILLS.iter().map(|(name, _)| uri(name)).collect();
    format!("no skill at {wanted}; the skills are {}", known.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_skill_is_valid_and_version_tagged() {
        let listed = list().skills;
        rmcp::model::validate_skills(&listed).unwrap();
        for skill in &listed {
            assert!(
                skill.frontmatter.extra.contains_key("version"),
                "{} has no version",
                skill.uri
            );
            assert_eq!(get(&skill.uri).unwrap().skill, *skill);
            assert!(read(&skill.uri).is_some());
        }
        assert!(get("skill://nope/SKILL.md").is_err());
    }
}
