//! `completion/complete`: argument suggestions for the prompt and the
//! resource templates.
//!
//! A client that offers a picker for `blender://object/{name}` shows the
//! live scene's names as the user types, from one snippet run that answers
//! at most [`CompletionInfo::MAX_VALUES`] names and how many matched.

use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};
use rmcp::ErrorData;
use serde::Deserialize;
use serde_json::json;

use super::resources::{MATERIAL_PREFIX, NODE_GROUP, OBJECT};
use super::BlenderTools;
use crate::Snippet;

static NAMES: Snippet = Snippet::new(
    "completion_names",
    include_str!("snippets/completion_names.py"),
);

/// Looks suggested for the prompt's `style`: a starting point, not a list
/// of what is allowed.
const STYLES: &[&str] = &[
    "cartoon",
    "cinematic",
    "isometric",
    "low-poly",
    "minimalist",
    "photorealistic",
    "realistic",
    "sci-fi",
    "stylized",
    "toon",
    "voxel",
];

#[derive(Deserialize)]
struct Names {
    values: Vec<String>,
    total: u32,
}

impl BlenderTools {
    /// Suggestions for one argument; an argument without suggestions gets
    /// an empty list, an unknown prompt or template an error naming the
    /// known ones.
    pub(crate) async fn complete_argument(
        &self,
        request: CompleteRequestParams,
    ) -> Result<CompleteResult, ErrorData> {
        let typed = request.argument.value;
        let kind = match &request.r#ref {
            Reference::Prompt(prompt) if prompt.name == "build_scene" => {
                return Ok(match request.argument.name.as_str() {
                    "style" => listed(STYLES, &typed),
                    _ => CompleteResult::default(),
                });
            }
            Reference::Prompt(prompt) => {
                return Err(ErrorData::invalid_params(
                    format!(
                        "no prompt named {:?}: the prompt is build_scene",
                        prompt.name
                    ),
                    None,
                ))
            }
            Reference::Resource(template) => match template.uri.as_str() {
                t if t == format!("{OBJECT}{{name}}") => "objects",
                t if t == format!("{MATERIAL_PREFIX}{{name}}") => "materials",
                t if t == format!("{NODE_GROUP}{{name}}") => "node_groups",
                other => {
                    return Err(ErrorData::invalid_params(
                        format!(
                            "no resource template {other:?}: completions cover \
                             {OBJECT}{{name}}, {MATERIAL_PREFIX}{{name}} and {NODE_GROUP}{{name}}"
                        ),
                        None,
                    ))
                }
            },
            _ => {
                return Err(ErrorData::invalid_params(
                    "completions cover ref/prompt and ref/resource",
                    None,
                ))
            }
        };
        let args = json!({ "kind": kind, "prefix": typed, "limit": CompletionInfo::MAX_VALUES });
        let names: Names = self
            .run_snippet(&NAMES, args)
            .await
            .map_err(|e| ErrorData::internal_error(format!("completion: {e}"), None))?;
        let more = names.total as usize > names.values.len();
        completion(names.values, names.total, more)
    }
}

/// The entries of a fixed list that start with `typed`, ignoring case.
fn listed(options: &[&str], typed: &str) -> CompleteResult {
    let typed = typed.to_lowercase();
    let values: Vec<String> = options
        .iter()
        .filter(|o| o.starts_with(&typed))
        .map(|o| o.to_string())
        .collect();
    let total = values.len() as u32;
    completion(values, total, false).unwrap_or_default()
}

fn completion(values: Vec<String>, total: u32, more: bool) -> Result<CompleteResult, ErrorData> {
    CompletionInfo::with_pagination(values, Some(total), more)
        .map(CompleteResult::new)
        .map_err(|e| ErrorData::internal_error(e, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_complete_by_prefix_ignoring_case() {
        let result = listed(STYLES, "R");
        assert_eq!(result.completion.values, ["realistic"]);
        assert_eq!(result.completion.total, Some(1));
        assert_eq!(listed(STYLES, "").completion.values.len(), STYLES.len());
        assert!(listed(STYLES, "zzz").completion.values.is_empty());
    }
}
