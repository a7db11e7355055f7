//! What a call would lose: the one thing each guarded tool declares.

use serde_json::{Map, Value};

/// What the server knows when judging a call.
pub(crate) struct Situation {
    /// The instance has writes since its last save or open.
    pub(crate) unsaved: bool,
    /// Deleting more objects than this in one call asks first.
    pub(crate) delete_over: usize,
}

/// A sentence saying what `tool` called with `args` would lose, or `None`
/// when nothing is at stake. `batch` adds up its steps.
pub(crate) fn loss_of(tool: &str, args: &Map<String, Value>, at: &Situation) -> Option<String> {
    match tool {
        "open_blend" if at.unsaved => {
            Some("opening a file discards the current session's unsaved changes".to_owned())
        }
        "delete_objects" => {
            let count = args
                .get("names")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            (count > at.delete_over).then(|| format!("this deletes {count} objects"))
        }
        "execute_blender_code"
            if at.unsaved && args.get("rollback_on_error") == Some(&Value::Bool(false)) =>
        {
            Some(
                "with rollback_on_error=false, a failing script leaves unsaved changes \
                 half-done with no way back"
                    .to_owned(),
            )
        }
        "batch" => batch_loss(args, at),
        _ => None,
    }
}

/// The losses of a batch's steps. In an atomic batch, a failing
/// `execute_blender_code` is rolled back by the batch, so it loses nothing.
fn batch_loss(args: &Map<String, Value>, at: &Situation) -> Option<String> {
    let atomic = args.get("atomic") == Some(&Value::Bool(true));
    let empty = Map::new();
    let losses: Vec<String> = args
        .get("operations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|step| {
            let tool = step.get("tool")?.as_str()?;
            if atomic && tool == "execute_blender_code" {
                return None;
            }
            let step_args = step.get("arguments").and_then(Value::as_object);
            loss_of(tool, step_args.unwrap_or(&empty), at)
        })
        .collect();
    (!losses.is_empty()).then(|| losses.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    const UNSAVED: Situation = Situation {
        unsaved: true,
        delete_over: 2,
    };
    const SAVED: Situation = Situation {
        unsaved: false,
        delete_over: 2,
    };

    #[test]
    fn open_loses_only_unsaved_changes() {
        let open = args(json!({"path": "a.blend"}));
        assert!(loss_of("open_blend", &open, &UNSAVED).is_some());
        assert!(loss_of("open_blend", &open, &SAVED).is_none());
    }

    #[test]
    fn deleting_more_than_the_threshold_is_a_loss() {
        let two = args(json!({"names": ["a", "b"]}));
        let three = args(json!({"names": ["a", "b", "c"]}));
        assert!(loss_of("delete_objects", &two, &SAVED).is_none());
        let loss = loss_of("delete_objects", &three, &SAVED).unwrap();
        assert!(loss.contains("3 objects"), "{loss}");
    }

    #[test]
    fn code_without_rollback_on_unsaved_work_is_a_loss() {
        let off = args(json!({"code": "x", "rollback_on_error": false}));
        let on = args(json!({"code": "x"}));
        assert!(loss_of("execute_blender_code", &off, &UNSAVED).is_some());
        assert!(loss_of("execute_blender_code", &off, &SAVED).is_none());
        assert!(loss_of("execute_blender_code", &on, &UNSAVED).is_none());
    }

    #[test]
    fn a_batch_adds_up_its_steps_and_atomic_covers_code() {
        let steps = json!([
            {"tool": "delete_objects", "arguments": {"names": ["a", "b", "c"]}},
            {"tool": "execute_blender_code", "arguments": {"code": "x", "rollback_on_error": false}}
        ]);
        let plain = args(json!({"operations": steps}));
        let atomic = args(json!({"operations": steps, "atomic": true}));
        assert!(loss_of("batch", &plain, &UNSAVED).unwrap().contains(';'));
        assert!(!loss_of("batch", &atomic, &UNSAVED).unwrap().contains(';'));
        assert!(loss_of("batch", &args(json!({"operations": []})), &UNSAVED).is_none());
    }
}
